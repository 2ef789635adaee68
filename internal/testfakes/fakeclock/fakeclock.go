// Package fakeclock is a manually advanced clock for tests of code that takes a now function (state.NewMemory, the
// directory cache, the token validator, the connector's throttling). It is safe for concurrent use.
package fakeclock

import (
	"sync"
	"time"
)

// Clock stands still until Advance moves it.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// New returns a clock stopped at start.
func New(start time.Time) *Clock {
	return &Clock{now: start}
}

// Now returns the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
