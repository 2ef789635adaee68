package outbox

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// errClaimLost is the cause of a delivery's cancellation when the worker no longer holds its message.
var errClaimLost = errors.New("outbox claim lost")

// batch is this worker's claim on the messages of one ClaimOutbox call: the claim's token and, for each message it
// still holds, when the lease ends as far as the worker knows. A heartbeat renews every held message every third of
// the lease, the one being delivered and those waiting behind it, so a batch of slow deliveries keeps its claim
// without the waiting messages using up attempts by lapsing and being claimed again. A message whose claim is lost
// leaves the batch; if it is being delivered, its delivery's context is cancelled. So it is when renewals stop
// succeeding (the store unreachable or slow): the worker gives the claim up a third of the lease before the lease
// ends, because from then on another worker may claim the message, and the delivery needs time to stop.
type batch struct {
	w     *Worker
	token string

	mu       sync.Mutex
	until    map[int64]time.Time // lease ends of the messages still held
	inFlight map[int64]*flight   // the messages being delivered (one per recipient at a time)
}

// flight is one delivery under way.
type flight struct {
	lose     context.CancelCauseFunc // cancels the delivery
	deadline *time.Timer             // loses the delivery when its claim is given up
}

// giveUp is when the worker stops relying on a claim whose lease ends at until.
func (b *batch) giveUp(until time.Time) time.Time { return until.Add(-b.w.Lease / 3) }

func (w *Worker) newBatch(msgs []domain.OutboxMessage, token string, now time.Time) *batch {
	b := &batch{w: w, token: token, until: make(map[int64]time.Time, len(msgs)), inFlight: map[int64]*flight{}}
	for _, m := range msgs {
		b.until[m.ID] = now.Add(w.Lease)
	}
	return b
}

// heartbeat renews the held messages until ctx ends or the function returned is called, which waits for it.
func (b *batch) heartbeat(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(max(b.w.Lease/3, time.Millisecond))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				b.renew(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// renew renews the claim on every held message once.
func (b *batch) renew(ctx context.Context) {
	b.mu.Lock()
	held := slices.Sorted(maps.Keys(b.until))
	b.mu.Unlock()
	for _, id := range held {
		now := b.w.Now()
		err := b.w.Store.RenewClaim(ctx, id, b.token, now, b.w.Lease)
		switch {
		case err == nil:
			b.renewed(id, now.Add(b.w.Lease))
		case domain.IsCode(err, domain.EConflict) || domain.IsCode(err, domain.ENotFound):
			b.lost(id)
		case ctx.Err() != nil:
			return
		default:
			b.w.Logger.LogAttrs(ctx, slog.LevelWarn, "could not renew outbox claim; retrying",
				slog.Int64("outbox_id", id), slog.String("error", err.Error()))
		}
	}
}

func (b *batch) renewed(id int64, until time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, held := b.until[id]; !held {
		return // delivered meanwhile
	}
	b.until[id] = until
	if f := b.inFlight[id]; f != nil {
		f.deadline.Reset(b.giveUp(until).Sub(b.w.Now()))
	}
}

func (b *batch) lost(id int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.until, id)
	if f := b.inFlight[id]; f != nil {
		f.lose(errClaimLost)
	}
}

// begin starts the delivery of message id. It returns the delivery's context, which is cancelled when the claim is
// lost or given up, or false when it already is and the message must not be delivered.
func (b *batch) begin(ctx context.Context, id int64) (context.Context, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.w.Now()
	until, held := b.until[id]
	if !held || !b.giveUp(until).After(now) {
		delete(b.until, id)
		return nil, false
	}
	dctx, cancel := context.WithCancelCause(ctx)
	b.inFlight[id] = &flight{lose: cancel, deadline: time.AfterFunc(b.giveUp(until).Sub(now), func() { cancel(errClaimLost) })}
	return dctx, true
}

// end finishes the delivery of message id, whose context dctx is, and reports whether its claim was lost
// meanwhile. The message stays held, and renewed, until done is called once its outcome is recorded: a slow write
// must not let the lease of a message that was sent run out before it is marked.
func (b *batch) end(id int64, dctx context.Context) (lost bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f := b.inFlight[id]
	f.deadline.Stop()
	lost = errors.Is(context.Cause(dctx), errClaimLost)
	f.lose(nil)
	delete(b.inFlight, id)
	return lost
}

// done lets message id leave the batch: it is no longer renewed.
func (b *batch) done(id int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.until, id)
}
