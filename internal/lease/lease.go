// Package lease holds a worker's fenced claim on a batch of items (outbox messages, scheduled jobs) while it works
// through them: the claim's token and, for each item it still holds, when the lease ends as far as the worker
// knows. A heartbeat renews every held item every part of the lease (Config.Part: a third, a quarter), the running
// ones and those waiting behind them, so a batch of slow work keeps its claim without the waiting items using up
// attempts by lapsing and being claimed again. An item whose claim is lost (its renewal refused) leaves the holder;
// if it is running, its context is cancelled. So it is when renewals stop succeeding (the store unreachable or
// slow): the worker gives the claim up the same part of the lease before the lease ends, because from then on
// another worker may claim the item, and the running work needs time to stop.
package lease

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Config is how a Holder keeps its claim.
type Config struct {
	Lease time.Duration // how long a claim lasts unless renewed
	// Part divides the lease: the heartbeat renews every Lease/Part, and the claim on an item is given up Lease/Part
	// before its lease ends.
	Part int
	Now  func() time.Time
	// Ticker makes the heartbeat's ticker; nil is a time.Ticker.
	Ticker func(d time.Duration) (c <-chan time.Time, stop func())
	// Renew extends the claim token holds on item id to now+Lease. EConflict or ENotFound means the claim is lost.
	Renew func(ctx context.Context, id int64, token string, now time.Time) error
	// Failed is told of a renewal that did not get an answer, other than the end of the heartbeat's context; late
	// is whether the item is no longer held or its give-up time has come. It logs, and returns whether to give the
	// claim up now as if it were lost.
	Failed func(ctx context.Context, id int64, err error, late bool) (giveUp bool)
	// Lost is the cause of a running item's cancellation when the worker no longer holds it.
	Lost error
	// Deadline also cancels a running item's context when its give-up time comes between heartbeats, on a timer
	// that each successful renewal moves.
	Deadline bool
}

// Holder is a worker's hold on the items of one claim (see the package comment). Its methods are safe for
// concurrent use.
type Holder struct {
	cfg   Config
	token string

	mu      sync.Mutex
	until   map[int64]time.Time // lease ends of the items still held
	running map[int64]*running  // the items begun and not ended
}

// running is one item's work under way.
type running struct {
	lose     context.CancelCauseFunc // cancels the work
	deadline *time.Timer             // loses the work when its claim is given up (with Config.Deadline)
}

// New holds items, which id identifies, claimed at now with token for cfg.Lease.
func New[T any](cfg Config, token string, items []T, id func(T) int64, now time.Time) *Holder {
	h := &Holder{cfg: cfg, token: token, until: make(map[int64]time.Time, len(items)), running: map[int64]*running{}}
	for _, it := range items {
		h.until[id(it)] = now.Add(cfg.Lease)
	}
	return h
}

// Token is the claim's token.
func (h *Holder) Token() string { return h.token }

// giveUp is when the worker stops relying on a claim whose lease ends at until.
func (h *Holder) giveUp(until time.Time) time.Time {
	return until.Add(-h.cfg.Lease / time.Duration(h.cfg.Part))
}

// Heartbeat renews the held items on every tick until ctx ends or the function returned is called, which waits
// for it to stop.
func (h *Holder) Heartbeat(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	newTicker := h.cfg.Ticker
	if newTicker == nil {
		newTicker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	tick, stopTicker := newTicker(max(h.cfg.Lease/time.Duration(h.cfg.Part), time.Millisecond))
	go func() {
		defer close(done)
		defer stopTicker()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick:
				h.renew(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// renew renews the claim on every held item once.
func (h *Holder) renew(ctx context.Context) {
	h.mu.Lock()
	held := slices.Sorted(maps.Keys(h.until))
	h.mu.Unlock()
	for _, id := range held {
		now := h.cfg.Now()
		err := h.cfg.Renew(ctx, id, h.token, now)
		switch {
		case err == nil:
			h.renewed(id, now.Add(h.cfg.Lease))
		case domain.IsCode(err, domain.EConflict) || domain.IsCode(err, domain.ENotFound):
			h.lost(id)
		case ctx.Err() != nil:
			return
		default:
			h.failed(ctx, id, now, err)
		}
	}
}

func (h *Holder) renewed(id int64, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, held := h.until[id]; !held {
		return // done meanwhile
	}
	h.until[id] = until
	if r := h.running[id]; r != nil && r.deadline != nil {
		r.deadline.Reset(h.giveUp(until).Sub(h.cfg.Now()))
	}
}

// failed handles a renewal that did not get an answer: Config.Failed decides whether the claim is given up.
func (h *Holder) failed(ctx context.Context, id int64, now time.Time, err error) {
	h.mu.Lock()
	until, held := h.until[id]
	h.mu.Unlock()
	if h.cfg.Failed(ctx, id, err, !held || !h.giveUp(until).After(now)) {
		h.lost(id)
	}
}

func (h *Holder) lost(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.until, id)
	if r := h.running[id]; r != nil {
		r.lose(h.cfg.Lost)
	}
}

// Begin starts the work on item id. It returns the work's context, which is cancelled when the claim is lost or
// given up, or false when it already is and the item must not be worked on.
func (h *Holder) Begin(ctx context.Context, id int64) (context.Context, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.cfg.Now()
	until, held := h.until[id]
	if !held || !h.giveUp(until).After(now) {
		delete(h.until, id)
		return nil, false
	}
	wctx, cancel := context.WithCancelCause(ctx)
	r := &running{lose: cancel}
	if h.cfg.Deadline {
		r.deadline = time.AfterFunc(h.giveUp(until).Sub(now), func() { cancel(h.cfg.Lost) })
	}
	h.running[id] = r
	return wctx, true
}

// End finishes the work on item id, whose context wctx is, and reports whether its claim was lost meanwhile. The
// item stays held, and renewed, until Done is called once its outcome is recorded: a slow write must not let the
// lease of an item whose work was done run out before it is marked.
func (h *Holder) End(id int64, wctx context.Context) (lost bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.running[id]
	if r.deadline != nil {
		r.deadline.Stop()
	}
	lost = errors.Is(context.Cause(wctx), h.cfg.Lost)
	r.lose(nil)
	delete(h.running, id)
	return lost
}

// Done lets item id leave the holder: it is no longer renewed.
func (h *Holder) Done(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.until, id)
}
