package app_test

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/state/statetest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/tcpproxy"
)

func withEnv(k, v string) option {
	return func(env map[string]string, _ *app.Options) { env[k] = v }
}

// through returns rawURL with its host replaced by the proxy's address.
func through(t *testing.T, rawURL string, p *tcpproxy.Proxy) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = p.Addr
	return u.String()
}

// The database goes down: every turn still answers within 5 s, with the "try again" message in the person's
// language, and nothing is half-done; the database comes back: turns work again without a restart.
func TestDatabaseOutageAnswersTryAgain(t *testing.T) {
	dsn := sqltest.PostgresDSN(t)
	u, _ := url.Parse(dsn)
	pg := tcpproxy.New(t, u.Host)
	h := newHarness(t, fastOutbox, withEnv("VALTUUS_DATABASE_URL", through(t, dsn, pg)))
	h.say(elina, "hei")
	tryAgain := "yritä hetken päästä uudelleen"
	pg.Stop()
	for i := range 5 {
		before := len(h.conn.Sent())
		start := time.Now()
		status, _ := h.post(h.activity("message", elina, "fi-FI", "omat valtuudet"), h.token(fakeidp.TokenOptions{}))
		if took := time.Since(start); status != http.StatusOK || took > 5*time.Second {
			t.Fatalf("turn %d during the outage: status %d after %v", i, status, took)
		}
		sent := h.conn.WaitForSent(t, before+1, 5*time.Second)
		if got := sent[len(sent)-1].Activity.Text; !strings.Contains(got, tryAgain) {
			t.Fatalf("turn %d answered %q, want the try-again message", i, got)
		}
	}
	inv := h.activity("invoke", elina, "fi-FI", "")
	inv["name"] = "adaptiveCard/action"
	inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "myMandates", "data": map[string]any{}}}
	if body := string(h.send(inv)); !strings.Contains(body, tryAgain) {
		t.Fatalf("card tap during the outage: %s", body)
	}
	if n := scrape(t, h, "valtuusbotti_turns_unavailable_total"); n != 6 {
		t.Errorf("turns counted as failed by the outage: %v, want 6", n)
	}
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	before := len(h.conn.Sent())
	h.send(h.activity("message", elina, "fi-FI", "omat valtuudet"))
	sent := h.conn.WaitForSent(t, before+1, 5*time.Second)
	if last := sent[len(sent)-1]; len(last.Activity.Attachments) != 1 {
		t.Fatalf("after the outage: %s", last.Raw)
	}
}

// Redis goes down for 30 s under traffic: turns keep answering from each replica's memory (at least 99 %), a
// double-tapped decision during the outage is decided once, and Redis is used again when it is back.
func TestRedisOutageIsNotAnOutage(t *testing.T) {
	client, _ := statetest.RealRedis(t)
	opts := client.Options()
	rp := tcpproxy.New(t, opts.Addr)
	redisURL := fmt.Sprintf("redis://%s/%d", rp.Addr, opts.DB)
	if pw := opts.Password; pw != "" {
		redisURL = fmt.Sprintf("redis://:%s@%s/%d", url.QueryEscape(pw), rp.Addr, opts.DB)
	}
	h := newHarness(t, fastOutbox, withoutRateLimits, withEnv("VALTUUS_REDIS_URL", redisURL))
	sami := "7c1e4a52-0000-4000-8000-000000000002"
	for _, who := range []string{elina, sami} {
		h.say(who, "hei")
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	outage := 30 * time.Second
	if s := os.Getenv("VALTUUS_TEST_OUTAGE"); s != "" { // a shorter outage for a quick local run
		outage, _ = time.ParseDuration(s)
	}
	rp.Stop()
	var sent, answered atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(outage)
	for range 2 { // two taps of the decision, a third into the outage
		wg.Go(func() {
			time.Sleep(outage / 3)
			r := h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll"})
			if r.Type != "application/vnd.microsoft.card.adaptive" {
				t.Errorf("decision tap during the outage: %s %.300s", r.Type, r.Value)
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				status, _ := h.post(h.activity("message", elina, "fi-FI", "omat valtuudet"), h.token(fakeidp.TokenOptions{}))
				sent.Add(1)
				if status == http.StatusOK {
					answered.Add(1)
				}
				time.Sleep(50 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	if err := rp.Start(); err != nil {
		t.Fatal(err)
	}
	if s, a := sent.Load(), answered.Load(); s < int64(outage/(500*time.Millisecond)) || a*100 < s*99 {
		t.Fatalf("during the outage %d of %d turns answered", a, s)
	}
	r, _ := h.app.Workflow.Store.Request(t.Context(), id)
	audit, _ := h.app.Workflow.Store.AuditForRequest(t.Context(), id)
	decisions := 0
	for _, e := range audit {
		if e.Action == "request.approved" {
			decisions++
		}
	}
	if r.State != domain.RequestApproved || decisions != 1 {
		t.Fatalf("decision during the outage: state %s, %d decisions", r.State, decisions)
	}
	time.Sleep(5100 * time.Millisecond) // the fallback's pause before it tries Redis again
	h.send(h.activity("message", elina, "fi-FI", "hei"))
	n, err := client.Keys(t.Context(), "valtuusbotti-test-"+h.runID+":turns:"+elina).Result()
	if err != nil || len(n) != 1 {
		t.Fatalf("after Redis is back, turns are counted in Redis again: %v %v", n, err)
	}
}
