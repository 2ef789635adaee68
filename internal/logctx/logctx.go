// Package logctx carries log attributes in a context.Context (a turn's correlation id) and provides the
// slog.Handler that adds them to every record logged with that context, whichever component logs it: the edge, the
// flows, the workflow, the store or the Bot Connector client all log with the turn's context, so every line of one
// turn carries the same turn_id without any of them knowing about it.
package logctx

import (
	"context"
	"log/slog"
)

type key struct{}

// With returns ctx carrying attrs in addition to those it already carries.
func With(ctx context.Context, attrs ...slog.Attr) context.Context {
	if prev, ok := ctx.Value(key{}).([]slog.Attr); ok {
		attrs = append(append(make([]slog.Attr, 0, len(prev)+len(attrs)), prev...), attrs...)
	}
	return context.WithValue(ctx, key{}, attrs)
}

// Attrs returns the attributes ctx carries.
func Attrs(ctx context.Context) []slog.Attr {
	attrs, _ := ctx.Value(key{}).([]slog.Attr)
	return attrs
}

// Handler wraps h so that each record gets the attributes of the context it is logged with.
func Handler(h slog.Handler) slog.Handler { return handler{h} }

type handler struct{ inner slog.Handler }

func (h handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	if attrs := Attrs(ctx); len(attrs) > 0 {
		r = r.Clone()
		r.AddAttrs(attrs...)
	}
	return h.inner.Handle(ctx, r)
}

func (h handler) WithAttrs(attrs []slog.Attr) slog.Handler { return handler{h.inner.WithAttrs(attrs)} }
func (h handler) WithGroup(name string) slog.Handler       { return handler{h.inner.WithGroup(name)} }
