package app_test

import (
	"log/slog"
	"net/http"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// BenchmarkMessageTurn measures one authenticated message turn end to end over HTTP on loopback: JWT validation
// (keys cached), JSON decoding, de-duplication, the conversation reference read and upsert in SQLite, the
// directory look-up, building the welcome card and posting it to the (fake) Bot Connector. Results: docs/performance.md.
func BenchmarkMessageTurn(b *testing.B) {
	h := newHarness(b, withoutRateLimits, quietLogs)
	auth := h.token(fakeidp.TokenOptions{})
	act := h.activity("message", elina, "fi-FI", "hei")
	h.send(act) // warm the key cache and the database
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		act["id"] = h.activity("message", elina, "fi-FI", "")["id"]
		if status, body := h.post(act, auth); status != http.StatusOK {
			b.Fatalf("status %d: %s", status, body)
		}
	}
}

func quietLogs(_ map[string]string, o *app.Options) { o.Logger = slog.New(slog.DiscardHandler) }
