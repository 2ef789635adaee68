package scheduler

import "time"

// Test hooks, compiled only into this package's tests.

// SetTicker makes r take the tickers of Run (asked for with r.Interval) and of lease renewals (with Lease/4) from
// ticker, so that a test moves them by hand.
func SetTicker(r *Runner, ticker func(d time.Duration) (c <-chan time.Time, stop func())) {
	r.ticker = ticker
}
