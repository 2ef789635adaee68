// Package clock is the one fake clock of the tests. No test may depend on the wall clock's date: every test that
// needs "now" takes it from here, so the suite passes on any day.
//
// Two kinds exist: a Manual clock that moves only when the test says so (rules, stores, schedulers), and a
// Running clock that starts at a fixed date and moves with real elapsed time (end-to-end tests, whose background
// workers wait real milliseconds for retries and backoff).
package clock

import (
	"sync"
	"time"
)

// Start is the date every test clock starts at unless the test names another: a Wednesday, in Finnish winter time.
var Start = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)

// Manual is a clock that moves only when told to. It is safe for concurrent use.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual is a manual clock at t (Start when t is zero).
func NewManual(t time.Time) *Manual {
	if t.IsZero() {
		t = Start
	}
	return &Manual{now: t}
}

// Now is the clock's current time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Manual) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t.
func (c *Manual) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Running is a clock that starts at a fixed date and advances with real elapsed time.
type Running struct {
	start time.Time
	since time.Time // monotonic reading when the clock started
}

// NewRunning is a running clock starting at t (Start when t is zero).
func NewRunning(t time.Time) *Running {
	if t.IsZero() {
		t = Start
	}
	return &Running{start: t, since: time.Now()}
}

// Now is the start plus the real time elapsed since the clock was made.
func (c *Running) Now() time.Time { return c.start.Add(time.Since(c.since)) }
