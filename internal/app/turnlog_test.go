package app_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/logctx"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// heldDirectory is the demo directory whose user look-ups wait while held: a turn that takes as long as the test
// wants, without any clock.
type heldDirectory struct {
	directory.Directory
	mu      sync.Mutex
	hold    chan struct{} // nil: look-ups pass
	entered chan struct{}
}

func (d *heldDirectory) User(ctx context.Context, id string) (domain.User, error) {
	d.mu.Lock()
	hold, entered := d.hold, d.entered
	d.hold = nil
	d.mu.Unlock()
	if hold != nil {
		close(entered)
		<-hold
	}
	return d.Directory.User(ctx, id)
}

// A message turn that takes longer than the typing delay shows the typing indicator, before the reply and once; a
// quick turn shows none. The delay's timer is the test's own channel.
func TestTypingIndicatorOnASlowTurn(t *testing.T) {
	demo, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	dir := &heldDirectory{Directory: demo}
	timers := make(chan func(), 4) // each turn's timer, fired by calling it
	h := newHarness(t, withoutRateLimits, func(_ map[string]string, o *app.Options) {
		o.Directory = dir
		o.TypingDelay = func(_ time.Duration, f func()) func() bool {
			var mu sync.Mutex
			fired, stopped := false, false
			timers <- func() {
				mu.Lock()
				defer mu.Unlock()
				if !stopped {
					fired = true
					go f()
				}
			}
			return func() bool {
				mu.Lock()
				defer mu.Unlock()
				stopped = !fired
				return stopped
			}
		}
	})

	h.send(h.activity("message", elina, "fi-FI", "hei")) // quick: its timer never fires
	<-timers
	if sent := h.conn.Sent(); len(sent) != 1 || sent[0].Activity.Type != "message" {
		t.Fatalf("a quick turn sent %d activities (first %q), want only its reply", len(sent), sent[0].Activity.Type)
	}

	h.conn.Reset()
	hold, entered := make(chan struct{}), make(chan struct{})
	dir.mu.Lock()
	dir.hold, dir.entered = hold, entered
	dir.mu.Unlock()
	done := make(chan int)
	act := h.activity("message", elina, "fi-FI", "hei")
	auth := h.token(fakeidp.TokenOptions{})
	go func() { status, _ := h.post(act, auth); done <- status }()
	timer := <-timers
	<-entered // the turn is busy in the directory
	timer()   // and has now taken "longer than a moment"
	h.conn.WaitForSent(t, 1, 10*time.Second)
	close(hold)
	if status := <-done; status != http.StatusOK {
		t.Fatalf("status %d", status)
	}
	sent := h.conn.Sent()
	if len(sent) != 2 || sent[0].Activity.Type != "typing" || sent[1].Activity.Type != "message" {
		types := []string{}
		for _, c := range sent {
			types = append(types, string(c.Activity.Type))
		}
		t.Fatalf("sent %v, want [typing message]", types)
	}
	if sent[0].ConversationID != "a:personal-"+elina {
		t.Errorf("typing went to %q", sent[0].ConversationID)
	}
}

// Every line logged during one turn, by the edge, the connector or anything else, carries that turn's turn_id.
func TestEveryLogLineOfATurnHasItsTurnID(t *testing.T) {
	h := newHarness(t, withoutRateLimits, func(_ map[string]string, o *app.Options) {
		o.Logger = slog.New(logctx.Handler(o.Logger.Handler())) // as NewLogger sets it up
	})
	h.send(h.activity("message", elina, "fi-FI", "hei"))
	h.send(h.activity("message", helena, "fi-FI", "hei"))

	ids := map[string]int{}
	components := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		id, _ := m["turn_id"].(string)
		c, _ := m["component"].(string)
		if m["msg"] == "turn done" || c == "connector" {
			if id == "" {
				t.Errorf("a line of a turn without turn_id: %s", line)
			}
			ids[id]++
			components[c] = true
		}
	}
	if len(ids) != 2 {
		t.Errorf("turn ids %v, want two turns, each with its own id", ids)
	}
	for id, n := range ids {
		if n < 2 {
			t.Errorf("turn %s has %d lines, want its connector call and its end", id, n)
		}
	}
	if !components["connector"] {
		t.Error("no connector line was logged with the turn's id")
	}
}
