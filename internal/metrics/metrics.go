// Package metrics is the service's Prometheus metrics, served on GET /metrics: turns by activity type and outcome
// and their latency, refused activities by reason, turns a dependency's outage failed, Bot Connector calls by
// operation and status (429s among them), its retries and the 429s handed back to a turn, the turn replies Teams'
// limits sent through the outbox, Microsoft Graph attempts by status (throttling as 429), the outbox backlog and the
// age of its oldest message, the alert scheduler's lag, and the Redis fallbacks (of the state and of Teams' shared
// send slots). Components report through small callbacks they define themselves (bot.Config.Observe,
// connector.Config.Observe, graphdir.Config.Observe), so they do not depend on this package; gauges read their value
// when scraped. No metric carries a person, a conversation or free text: labels take values from fixed sets.
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors of one service instance.
type Metrics struct {
	reg       *prometheus.Registry
	turns     *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	refusals  *prometheus.CounterVec
	connector *prometheus.CounterVec
	retries   *prometheus.CounterVec
	queued    prometheus.Counter
	graph     *prometheus.CounterVec
	down      prometheus.Counter
}

// New registers the service's collectors, with the Go runtime's and the process's, on a registry of their own.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		turns: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "valtuusbotti_turns_total",
			Help: "Activities handled, by activity type and HTTP status class of the answer."}, []string{"type", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "valtuusbotti_turn_seconds",
			Help: "Time from receiving an activity to answering it.", Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}},
			[]string{"type"}),
		refusals: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "valtuusbotti_refusals_total",
			Help: "Activities refused before a turn (authentication, malformed input, limits), by reason."}, []string{"reason"}),
		connector: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "valtuusbotti_connector_calls_total",
			Help: "HTTP attempts to the Bot Connector, by operation and status (0: no answer)."}, []string{"op", "status"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "valtuusbotti_connector_retries_total",
			Help: "Bot Connector calls retried (what=retry), or throttled and handed back to a turn (what=throttled), by operation."},
			[]string{"op", "what"}),
		queued: prometheus.NewCounter(prometheus.CounterOpts{Name: "valtuusbotti_replies_queued_total",
			Help: "Turn replies handed to the outbox because no Bot Connector send slot was free in time."}),
		graph: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "valtuusbotti_graph_calls_total",
			Help: "HTTP attempts to Microsoft Graph (the SDK's retries included), by status (429: throttled; 0: no answer)."},
			[]string{"status"}),
		down: prometheus.NewCounter(prometheus.CounterOpts{Name: "valtuusbotti_turns_unavailable_total",
			Help: "Turns that failed because a dependency (the database, Microsoft Graph) was unavailable; the person was asked to try again."}),
	}
	reg.MustRegister(m.turns, m.latency, m.refusals, m.connector, m.retries, m.queued, m.graph, m.down,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// activityTypes are the activity types counted by name; anything else counts as "other", so that a client cannot
// make new label values.
var activityTypes = map[string]bool{"message": true, "invoke": true, "conversationUpdate": true,
	"installationUpdate": true, "messageReaction": true, "event": true, "typing": true, "messageUpdate": true, "messageDelete": true}

// Turn records one handled activity: its type, the HTTP status answered and how long it took.
func (m *Metrics) Turn(activityType string, status int, d time.Duration) {
	if !activityTypes[activityType] {
		activityType = "other"
	}
	m.turns.WithLabelValues(activityType, strconv.Itoa(status/100)+"xx").Inc()
	m.latency.WithLabelValues(activityType).Observe(d.Seconds())
}

// Refused records an activity refused before its turn, with the refusal's fixed reason text.
func (m *Metrics) Refused(reason string) { m.refusals.WithLabelValues(reason).Inc() }

// ConnectorCall records one HTTP attempt to the Bot Connector (status 0 when no answer came).
func (m *Metrics) ConnectorCall(op string, status int) {
	m.connector.WithLabelValues(op, strconv.Itoa(status)).Inc()
}

// ConnectorRetry records a Bot Connector call retried ("retry") or throttled back to its caller ("throttled").
func (m *Metrics) ConnectorRetry(op, what string) { m.retries.WithLabelValues(op, what).Inc() }

// RepliesQueued records n turn replies handed to the outbox by the Teams limits.
func (m *Metrics) RepliesQueued(n int) { m.queued.Add(float64(n)) }

// TurnUnavailable records a turn that failed because a dependency was unavailable.
func (m *Metrics) TurnUnavailable() { m.down.Inc() }

// GraphCall records one HTTP attempt to Microsoft Graph (status 0 when no answer came).
func (m *Metrics) GraphCall(status int) { m.graph.WithLabelValues(strconv.Itoa(status)).Inc() }

// Counters adds a counter with one label whose values fn reads when the metrics are scraped (counts kept
// elsewhere, e.g. the database drivers' errors); fn must be quick and safe to call concurrently.
func (m *Metrics) Counters(name, help, label string, fn func() map[string]int64) {
	m.reg.MustRegister(&countersFunc{desc: prometheus.NewDesc(name, help, []string{label}, nil), fn: fn})
}

type countersFunc struct {
	desc *prometheus.Desc
	fn   func() map[string]int64
}

func (c *countersFunc) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *countersFunc) Collect(ch chan<- prometheus.Metric) {
	for k, v := range c.fn() {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.CounterValue, float64(v), k)
	}
}

// Gauge adds a gauge whose value fn reads when the metrics are scraped (fn must be quick and safe to call
// concurrently; a negative value is reported as is).
func (m *Metrics) Gauge(name, help string, fn func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, fn))
}
