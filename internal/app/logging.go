package app

import (
	"io"
	"log/slog"

	"github.com/valtuusbotti/valtuusbotti/internal/config"
)

// NewLogger is the one place logging is set up: JSON for production (Azure Monitor parses it), text for people at
// a local console. Keys are snake_case. Nothing logs tokens, message text or personal identity codes; people appear
// only as pseudonyms (see bot.pseudonym).
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
