package logctx_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/logctx"
)

func TestContextAttributesOnEveryLine(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(logctx.Handler(slog.NewJSONHandler(&buf, nil)))
	component := log.With("component", "connector")
	ctx := logctx.With(context.Background(), slog.String("turn_id", "t1"))
	ctx = logctx.With(ctx, slog.String("extra", "x"))

	log.InfoContext(ctx, "one")
	component.WarnContext(ctx, "two", "k", 1)
	log.InfoContext(context.Background(), "outside")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines: %s", len(lines), buf.String())
	}
	for i, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		if want := i < 2; (m["turn_id"] == "t1" && m["extra"] == "x") != want {
			t.Errorf("line %d %s: turn attributes present = %v, want %v", i, l, !want, want)
		}
	}
	if !strings.Contains(lines[1], `"component":"connector"`) {
		t.Errorf("the logger's own attributes were lost: %s", lines[1])
	}
}
