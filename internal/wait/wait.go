// Package wait holds what the retry loops of the Microsoft API clients and the outbox share: a pause that stops the
// moment the caller's context ends, the exponential growth of the delay between attempts, and the one parser of the
// HTTP Retry-After header.
package wait

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxRetryAfter caps what RetryAfter returns, so that an absurd header cannot overflow into a negative wait.
const maxRetryAfter = 24 * time.Hour

// Sleep waits for d or until ctx ends, whichever comes first, and returns ctx's error in the second case. A
// non-positive d returns at once (with ctx's error, if it has already ended).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Backoff is the delay before retry n (1, 2, …) without jitter: base doubled n-1 times, capped at ceiling and never
// overflowing. An n below 1 counts as 1. Callers add their own jitter.
func Backoff(base, ceiling time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < ceiling; i++ {
		if d > ceiling/2 {
			return ceiling
		}
		d *= 2
	}
	return min(d, ceiling)
}

// RetryAfter reads an HTTP Retry-After value relative to now: delay-seconds (a fraction is accepted, as some
// Microsoft services send one) or an HTTP date. ok is false when v is empty or neither form. A negative delay or a
// date in the past gives 0 with ok true; anything beyond a day is capped at a day.
func RetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(secs) {
		// Clamped before converting so that an absurd value cannot overflow into a negative wait.
		return time.Duration(min(max(secs, 0), maxRetryAfter.Seconds()) * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return min(max(t.Sub(now), 0), maxRetryAfter), true
	}
	return 0, false
}

// Or is a retry or timing setting, or def when the setting is unset (zero or negative).
func Or[T ~int | ~int64](setting, def T) T {
	if setting <= 0 {
		return def
	}
	return setting
}
