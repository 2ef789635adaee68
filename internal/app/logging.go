package app

import (
	"io"
	"log/slog"

	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/logctx"
)

// NewLogger is the one place logging is set up: JSON for production (Azure Monitor parses it), text for people at
// a local console. Keys are snake_case. Nothing logs tokens, message text or personal identity codes; people appear
// only as pseudonyms (see bot.pseudonym).
func NewLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	// logctx adds the turn's correlation id (turn_id) to every line logged with the turn's context.
	if cfg.LogFormat == "json" {
		return slog.New(logctx.Handler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(logctx.Handler(slog.NewTextHandler(w, opts)))
}
