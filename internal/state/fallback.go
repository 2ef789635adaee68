package state

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Fallback is a Store on a shared primary (Redis) that keeps the service answering while the primary is
// unreachable: every operation the primary fails goes to a process-local secondary (memory) instead, with a
// warning, and for Retry after a failure the primary is not tried at all, so a dead Redis costs no time per turn.
// Then the primary is tried again and used as soon as it answers.
//
// What is lost during an outage is what this package may lose anyway: replicas de-duplicate and count turns each on
// their own until Redis is back. The database still guards every decision.
type Fallback struct {
	Primary, Secondary Store
	Now                func() time.Time
	Retry              time.Duration // default 5 s
	Logger             *slog.Logger

	mu        sync.Mutex
	downUntil time.Time
	fallbacks atomic.Int64
}

var _ Store = (*Fallback)(nil)

// Fallbacks counts the operations the secondary served because the primary failed or was resting.
func (f *Fallback) Fallbacks() int64 { return f.fallbacks.Load() }

// pick runs op on the primary unless it is resting, and on the secondary when the primary fails.
func (f *Fallback) pick(ctx context.Context, op func(s Store) error) error {
	now := f.Now()
	f.mu.Lock()
	resting := now.Before(f.downUntil)
	f.mu.Unlock()
	if !resting {
		err := op(f.Primary)
		if !unreachable(ctx, err) {
			return err
		}
		f.mu.Lock()
		wasUp := !now.Before(f.downUntil)
		f.downUntil = now.Add(f.retry())
		f.mu.Unlock()
		if wasUp && f.Logger != nil {
			f.Logger.WarnContext(ctx, "ephemeral state unavailable; using this process's memory until it answers again",
				slog.String("error", err.Error()))
		}
	}
	f.fallbacks.Add(1)
	return op(f.Secondary)
}

// unreachable reports whether err says the store could not be asked, rather than what it answered (not found, a
// refused operation) or that the caller gave up.
func unreachable(ctx context.Context, err error) bool {
	var reply redis.Error
	return err != nil && !errors.Is(err, ErrNotFound) && !errors.As(err, &reply) && ctx.Err() == nil
}

func (f *Fallback) retry() time.Duration {
	if f.Retry <= 0 {
		return 5 * time.Second
	}
	return f.Retry
}

// Get implements Store.
func (f *Fallback) Get(ctx context.Context, key string) (v []byte, err error) {
	err = f.pick(ctx, func(s Store) (e error) { v, e = s.Get(ctx, key); return e })
	return v, err
}

// Set implements Store.
func (f *Fallback) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	return f.pick(ctx, func(s Store) error { return s.Set(ctx, key, value, ttl) })
}

// SetNX implements Store.
func (f *Fallback) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (ok bool, err error) {
	err = f.pick(ctx, func(s Store) (e error) { ok, e = s.SetNX(ctx, key, value, ttl); return e })
	return ok, err
}

// Delete implements Store.
func (f *Fallback) Delete(ctx context.Context, key string) error {
	return f.pick(ctx, func(s Store) error { return s.Delete(ctx, key) })
}

// Incr implements Store.
func (f *Fallback) Incr(ctx context.Context, key string, window time.Duration) (n int64, err error) {
	err = f.pick(ctx, func(s Store) (e error) { n, e = s.Incr(ctx, key, window); return e })
	return n, err
}

// Ping succeeds while either store answers: a replica whose Redis is down still serves turns, and must not be taken
// out of the load balancer for it (every replica would be). The outage shows in the log and in Fallbacks.
func (f *Fallback) Ping(ctx context.Context) error {
	if err := f.Primary.Ping(ctx); err != nil {
		return f.Secondary.Ping(ctx)
	}
	return nil
}

// Close closes both stores.
func (f *Fallback) Close() error { return errors.Join(f.Primary.Close(), f.Secondary.Close()) }
