package app_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// BenchmarkMessageTurn measures one authenticated message turn end to end over HTTP on loopback: JWT validation
// (keys cached), JSON decoding, de-duplication, the conversation reference read and upsert in SQLite, the
// directory look-up, building the welcome card and posting it to the (fake) Bot Connector. Results: docs/performance.md.
func BenchmarkMessageTurn(b *testing.B) {
	h := newHarness(b, withoutRateLimits, quietLogs)
	act := h.activity("message", elina, "fi-FI", "hei")
	benchTurns(b, h, act)
}

func quietLogs(_ map[string]string, o *app.Options) { o.Logger = slog.New(slog.DiscardHandler) }

// withoutBackground pauses the outbox worker, the scheduler and the directory sync; a turn's reply still goes out
// directly (no rate limit makes it wait for the outbox).
func withoutBackground(_ map[string]string, o *app.Options) { o.Outbox.Paused = true }

// BenchmarkIntakeTurn measures the intake turn: "Mitä valtuuksia tarvitsen?" typed in chat, answered with the
// intake card (role profiles and every task of the catalog, department from the directory).
func BenchmarkIntakeTurn(b *testing.B) {
	h := newHarness(b, withoutRateLimits, quietLogs)
	act := h.activity("message", elina, "fi-FI", "Mitä valtuuksia tarvitsen?")
	benchTurns(b, h, act)
}

// BenchmarkRecommendationTurn measures the intake card's submit: the invoke that works out the needed themes
// (catalog, the person's mandates and open requests from SQL) and answers with the recommendation card.
func BenchmarkRecommendationTurn(b *testing.B) {
	h := newHarness(b, withoutRateLimits, quietLogs)
	act := h.activity("invoke", elina, "fi-FI", "")
	act["name"] = "adaptiveCard/action"
	act["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "intakeSubmit",
		"data": map[string]any{"tasks_palkat-henkilosto": "palkkatietojen-ilmoittaminen,palkkatietojen-tarkistus"}}}
	benchTurns(b, h, act)
}

// BenchmarkMessageTurnParallel measures throughput: authenticated message turns from many goroutines at once (one
// SQLite writer, the machine's cores shared with the fake connector and the client).
func BenchmarkMessageTurnParallel(b *testing.B) {
	h := newHarness(b, withoutRateLimits, quietLogs)
	auth := h.token(fakeidp.TokenOptions{})
	h.send(h.activity("message", elina, "fi-FI", "hei"))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if status, body := h.post(h.activity("message", elina, "fi-FI", "hei"), auth); status != http.StatusOK {
				b.Errorf("status %d: %s", status, body)
				return
			}
		}
	})
}

// BenchmarkMessageTurnProductionStores is BenchmarkMessageTurn on the production stores: PostgreSQL (a fresh schema)
// and Redis, from VALTUUS_TEST_POSTGRES_DSN and VALTUUS_TEST_REDIS_URL (skipped without them).
func BenchmarkMessageTurnProductionStores(b *testing.B) {
	redisURL := os.Getenv("VALTUUS_TEST_REDIS_URL")
	if redisURL == "" {
		b.Skip("VALTUUS_TEST_REDIS_URL is not set")
	}
	dsn := sqltest.PostgresDSN(b)
	h := newHarness(b, withoutRateLimits, quietLogs, func(env map[string]string, _ *app.Options) {
		env["VALTUUS_DATABASE_URL"] = dsn
		env["VALTUUS_REDIS_URL"] = redisURL
	})
	act := h.activity("message", elina, "fi-FI", "hei")
	benchTurns(b, h, act)
}

// benchTurns posts act b.N times, each with a new activity id, after one warm-up turn (keys fetched, tables touched).
func benchTurns(b *testing.B, h *harness, act map[string]any) {
	auth := h.token(fakeidp.TokenOptions{})
	h.send(act)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		act["id"] = h.activity("message", elina, "fi-FI", "")["id"]
		if status, body := h.post(act, auth); status != http.StatusOK {
			b.Fatalf("status %d: %s", status, body)
		}
	}
}

// A returning person's turn writes nothing to the database: their conversation reference is unchanged and nothing
// waits for them in the outbox. Rows changed are counted by SQLite itself (total_changes of the one writing
// connection), so any write on the path fails the test. The background workers (outbox, scheduler, directory sync)
// are paused: they write on their own timers, and the count must be the turns' alone.
func TestReturningTurnWritesNothing(t *testing.T) {
	h := newHarness(t, withoutRateLimits, quietLogs, withoutBackground)
	h.send(h.activity("message", elina, "fi-FI", "hei")) // first contact: the reference is stored
	before := writes(t, h)
	for range 5 {
		h.send(h.activity("message", elina, "fi-FI", "hei"))
	}
	if after := writes(t, h); after != before {
		t.Errorf("five returning turns changed %d rows, want 0", after-before)
	}
	if n := len(h.conn.Sent()); n != 6 {
		t.Errorf("%d replies, want 6", n)
	}
	h.send(h.activity("message", elina, "sv-SE", "hej")) // a new locale is stored
	if after := writes(t, h); after == before {
		t.Error("a changed locale was not written")
	}
}

// BenchmarkReturningTurn is BenchmarkMessageTurn, reporting the rows the turns changed (writes/op, 0 expected).
func BenchmarkReturningTurn(b *testing.B) {
	h := newHarness(b, withoutRateLimits, quietLogs, withoutBackground)
	act := h.activity("message", elina, "fi-FI", "hei")
	h.send(h.activity("message", elina, "fi-FI", "hei"))
	before := writes(b, h)
	benchTurns(b, h, act)
	after := writes(b, h)
	b.ReportMetric(float64(after-before)/float64(b.N), "writes/op")
	if after != before {
		b.Errorf("returning turns changed %d rows, want 0", after-before)
	}
}

func writes(tb testing.TB, h *harness) int64 {
	tb.Helper()
	n, err := h.app.DB.Writes(tb.Context())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// BenchmarkNewPersonTurn is "hei" from a person the service has never seen, every turn: the load driver's workload
// (tools/loadtest), in process.
func BenchmarkNewPersonTurn(b *testing.B) {
	h := newHarness(b, withoutRateLimits, quietLogs)
	auth := h.token(fakeidp.TokenOptions{})
	h.send(h.activity("message", elina, "fi-FI", "hei"))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		person := fmt.Sprintf("1a000000-0000-4000-8000-%012d", i)
		if status, body := h.post(h.activity("message", person, "fi-FI", "hei"), auth); status != http.StatusOK {
			b.Fatalf("status %d: %s", status, body)
		}
	}
}
