package app_test

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// scrape reads one sample of the metrics endpoint (0 when the series is absent).
func scrape(t *testing.T, h *harness, series string) float64 {
	t.Helper()
	resp, err := http.Get(h.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` ([0-9.e+-]+)$`).FindSubmatch(body)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// After a flow the metrics show the turns, the connector calls, a refusal and the outbox gauges moving.
func TestMetricsMoveWithTheFlow(t *testing.T) {
	h := newHarness(t, fastOutbox)
	turns := `valtuusbotti_turns_total{outcome="2xx",type="message"}`
	sent := `valtuusbotti_connector_calls_total{op="SendActivity",status="201"}`
	refused := `valtuusbotti_refusals_total{reason="no Authorization header"}`
	before := []float64{scrape(t, h, turns), scrape(t, h, sent), scrape(t, h, refused)}
	for _, u := range []string{elina, sami} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 2, 5*time.Second)
	submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	if status, _ := h.post(h.activity("message", elina, "fi-FI", "hei"), ""); status != http.StatusUnauthorized {
		t.Fatalf("unauthenticated post: %d", status)
	}
	after := []float64{scrape(t, h, turns), scrape(t, h, sent), scrape(t, h, refused)}
	if after[0] < before[0]+2 || after[1] < before[1]+3 || after[2] != before[2]+1 {
		t.Fatalf("metrics before %v after %v", before, after)
	}
	if v := scrape(t, h, "valtuusbotti_outbox_pending"); v != 0 {
		t.Fatalf("outbox pending %v after draining", v)
	}
	if v := scrape(t, h, `valtuusbotti_turn_seconds_count{type="invoke"}`); v < 2 {
		t.Fatalf("invoke latency observations: %v", v)
	}
}

// A database that fails shows in the metrics: the turn that met it fails, and the drivers' errors move.
func TestMetricsCountDatabaseErrors(t *testing.T) {
	h := newHarness(t, withoutBackground)
	h.say(elina, "hei")
	series := func() float64 {
		var n float64
		for _, k := range []string{"internal", "unavailable", "conflict", "invalid"} {
			n += scrape(t, h, `valtuusbotti_database_errors_total{kind="`+k+`"}`)
		}
		return n
	}
	before := series()
	if err := h.app.DB.Close(); err != nil {
		t.Fatal(err)
	}
	if status, _ := h.post(h.activity("message", mikael, "fi-FI", "hei"), h.token(fakeidp.TokenOptions{})); status < 500 {
		t.Errorf("a turn on a closed database: %d", status)
	}
	if after := series(); after <= before {
		t.Errorf("database errors %v → %v", before, after)
	}
}
