// Package outbox delivers the messages that state changes wrote to the outbox table, with retries.
//
// Every message a state change causes (an approval card, a decision notice, a grant task, a card update) is
// inserted into the outbox in the same database transaction as the change itself, so a crash can neither lose
// the message nor send one for a change that was rolled back. The worker claims due messages with a lease (so
// several replicas never deliver the same message at once), hands each to a Deliverer, and marks it delivered or
// schedules a retry with exponential backoff.
//
// Claims are fenced. Each claim has a token, and the store records an outcome only under the claim that is still
// the message's own and whose lease has not ended. While a batch is delivered, a heartbeat renews the lease of each
// message it still holds every third of the lease, so slow deliveries keep their claims. When a claim is lost
// (renewal refused, or none succeeded for two thirds of the lease) the delivery's context is cancelled, or the
// message is skipped if its turn has not come, and the worker records nothing, leaving the message to whoever
// claims it next. A crash, or a send that completes just as its claim is lost, between a successful send and the
// "delivered" mark is the one window in which a message can be sent twice.
package outbox

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/lease"
	"github.com/valtuusbotti/valtuusbotti/internal/wait"
)

// Store is the outbox table as the worker needs it. A claim is fenced: ClaimOutbox hands out a token with the
// messages, and every later call names it. A call whose claim is no longer live at now (its lease ended, or another
// worker has claimed the message since) changes nothing and fails with a domain.EConflict error: the claim is lost.
type Store interface {
	// ClaimOutbox returns up to limit undelivered, not abandoned messages whose NextAttempt is due at now and that no
	// live claim holds, oldest first, and pushes their NextAttempt to now+lease and increments Attempts, atomically,
	// so that concurrent workers never claim the same message while its lease lasts. The token names the claim.
	ClaimOutbox(ctx context.Context, now time.Time, limit int, lease time.Duration) (msgs []domain.OutboxMessage, token string, err error)
	// RenewClaim extends a live claim to now+lease.
	RenewClaim(ctx context.Context, id int64, token string, now time.Time, lease time.Duration) error
	// MarkDelivered records success and ends the claim.
	MarkDelivered(ctx context.Context, id int64, token string, at time.Time) error
	// MarkRetry records a failure and when to try again, and ends the claim.
	MarkRetry(ctx context.Context, id int64, token string, now, next time.Time, lastError string) error
	// MarkAbandoned records that the message will not be tried again, and ends the claim.
	MarkAbandoned(ctx context.Context, id int64, token string, at time.Time, lastError string) error
	// MarkWaiting records that the recipient cannot be reached yet: try again at next, without using up an attempt.
	// It ends the claim.
	MarkWaiting(ctx context.Context, id int64, token string, now, next time.Time, lastError string) error
}

// Deliverer sends one message. An error wrapping ErrPermanent is not retried.
type Deliverer interface {
	Deliver(ctx context.Context, m domain.OutboxMessage) error
}

// ErrPermanent marks a delivery failure that no retry can fix (e.g. the recipient has blocked the bot).
var ErrPermanent = errors.New("permanent delivery failure")

// ErrRecipientUnreachable marks a message whose recipient the bot cannot reach yet (never contacted, app not
// installed). It waits, retried every WaitInterval without using up attempts, until the person can be reached;
// the bot then releases it at once.
var ErrRecipientUnreachable = errors.New("recipient not reachable yet")

// Worker delivers outbox messages.
type Worker struct {
	Store     Store
	Deliverer Deliverer
	Logger    *slog.Logger
	Now       func() time.Time

	PollInterval time.Duration // how often to look for due messages without a wake-up; default 2 s
	Batch        int           // messages claimed at once (at most two per recipient); default 20
	Parallel     int           // requests whose messages are delivered at once; default 16
	Lease        time.Duration // how long a claim lasts unless renewed (every Lease/3 while its batch is delivered); default 2 min
	BaseBackoff  time.Duration // first retry delay; default 5 s, doubling with jitter
	MaxBackoff   time.Duration // default 15 min
	MaxAttempts  int           // after this many the message is abandoned; default 50 (about half a day)
	WaitInterval time.Duration // retry interval for unreachable recipients; default 1 h
	MaxWait      time.Duration // how long a message waits for an unreachable recipient before it is abandoned; default 14 days

	wake chan struct{}
}

func (w *Worker) defaults() {
	if w.Logger == nil {
		w.Logger = slog.New(slog.DiscardHandler)
	}
	if w.Now == nil {
		w.Now = time.Now
	}
	w.PollInterval = wait.Or(w.PollInterval, 2*time.Second)
	w.Batch = wait.Or(w.Batch, 20)
	w.Parallel = wait.Or(w.Parallel, 16)
	w.Lease = wait.Or(w.Lease, 2*time.Minute)
	w.BaseBackoff = wait.Or(w.BaseBackoff, 5*time.Second)
	w.MaxBackoff = wait.Or(w.MaxBackoff, 15*time.Minute)
	w.MaxAttempts = wait.Or(w.MaxAttempts, 50)
	w.WaitInterval = wait.Or(w.WaitInterval, time.Hour)
	w.MaxWait = wait.Or(w.MaxWait, 14*24*time.Hour)
	if w.wake == nil {
		w.wake = make(chan struct{}, 1)
	}
}

// Init prepares the worker; call it before Notify is used from other goroutines.
func (w *Worker) Init() { w.defaults() }

// Notify wakes the worker: call it after committing a transaction that enqueued messages, so they go out at once
// instead of at the next poll. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers messages until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	t := time.NewTicker(w.PollInterval)
	defer t.Stop()
	for {
		for {
			n, err := w.RunOnce(ctx)
			if err != nil && ctx.Err() == nil {
				w.Logger.WarnContext(ctx, "outbox poll failed", slog.String("error", err.Error()))
			}
			if n < w.Batch || err != nil {
				break // drained; a full batch means there may be more
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-w.wake:
		}
	}
}

// RunOnce claims one batch of due messages and delivers them, returning how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.defaults()
	now := w.Now()
	msgs, token, err := w.Store.ClaimOutbox(ctx, now, w.Batch, w.Lease)
	if err != nil || len(msgs) == 0 {
		return 0, err
	}
	// The batch's claim (see package lease): a heartbeat renews every held message every third of the lease, the one
	// being delivered and those waiting behind it, and the worker gives the claim on a message up a third of the
	// lease before the lease ends, cancelling its delivery then even between heartbeats.
	b := lease.New(lease.Config{Lease: w.Lease, Part: 3, Now: w.Now, Renew: w.renewClaim, Failed: w.renewFailed,
		Lost: errClaimLost, Deadline: true}, token, msgs, func(m domain.OutboxMessage) int64 { return m.ID }, now)
	stop := b.Heartbeat(ctx)
	defer stop()
	// One lane per request, in parallel: a conversation Teams throttles delays only the lanes writing to it (a claim
	// takes at most two messages of one recipient), and within a lane a request's messages go out in the order
	// claimed, so a card refresh never overtakes the card it should refresh.
	lanes := byRequest(msgs)
	sem := make(chan struct{}, w.Parallel)
	var wg sync.WaitGroup
	for _, lane := range lanes {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			for _, m := range lane {
				if ctx.Err() != nil {
					return // unclaimed ones come back when the lease ends
				}
				w.deliver(ctx, m, b)
			}
		})
	}
	wg.Wait()
	return len(msgs), ctx.Err()
}

// byRequest splits a batch into lanes, one per request, keeping each lane in the order claimed.
func byRequest(msgs []domain.OutboxMessage) [][]domain.OutboxMessage {
	index := map[int64]int{}
	var lanes [][]domain.OutboxMessage
	for _, m := range msgs {
		i, ok := index[m.RequestID]
		if !ok {
			i = len(lanes)
			index[m.RequestID] = i
			lanes = append(lanes, nil)
		}
		lanes[i] = append(lanes[i], m)
	}
	return lanes
}

func (w *Worker) deliver(ctx context.Context, m domain.OutboxMessage, b *lease.Holder) {
	attrs := []slog.Attr{slog.Int64("outbox_id", m.ID), slog.String("kind", m.Kind), slog.Int64("request_id", m.RequestID), slog.Int("attempt", m.Attempts)}
	dctx, held := b.Begin(ctx, m.ID)
	if !held {
		w.Logger.LogAttrs(ctx, slog.LevelInfo, "outbox claim lost before delivery; message left to its next claim", attrs...)
		return
	}
	defer b.Done(m.ID)
	err := w.Deliverer.Deliver(dctx, m)
	if b.End(m.ID, dctx) {
		// Another worker may hold the message now: whatever happened, this worker must not record it.
		w.Logger.LogAttrs(ctx, slog.LevelWarn, "outbox claim lost during delivery; not marked", attrs...)
		return
	}
	now := w.Now()
	// Bookkeeping must happen even when the caller's context is ending, or a sent message would be sent again.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	switch {
	case err == nil:
		if merr := w.Store.MarkDelivered(bctx, m.ID, b.Token(), now); merr != nil {
			w.Logger.LogAttrs(ctx, slog.LevelError, "outbox message sent but not marked delivered", append(attrs, slog.String("error", merr.Error()))...)
			return
		}
		w.Logger.LogAttrs(ctx, slog.LevelDebug, "outbox message delivered", attrs...)
	case errors.Is(err, ErrRecipientUnreachable) && now.Sub(m.CreatedAt) < w.MaxWait:
		next := now.Add(w.WaitInterval)
		if merr := w.Store.MarkWaiting(bctx, m.ID, b.Token(), now, next, truncate(err.Error())); merr != nil {
			w.Logger.LogAttrs(ctx, slog.LevelError, "could not park outbox message", append(attrs, slog.String("error", merr.Error()))...)
		}
		w.Logger.LogAttrs(ctx, slog.LevelInfo, "outbox message waits for its recipient", append(attrs, slog.Time("next_attempt", next))...)
	case errors.Is(err, ErrPermanent) || errors.Is(err, ErrRecipientUnreachable) || m.Attempts >= w.MaxAttempts:
		if merr := w.Store.MarkAbandoned(bctx, m.ID, b.Token(), now, truncate(err.Error())); merr != nil {
			w.Logger.LogAttrs(ctx, slog.LevelError, "could not abandon outbox message", append(attrs, slog.String("error", merr.Error()))...)
		}
		w.Logger.LogAttrs(ctx, slog.LevelError, "outbox message abandoned", append(attrs, slog.String("error", err.Error()))...)
	default:
		next := now.Add(w.backoff(m.Attempts))
		if merr := w.Store.MarkRetry(bctx, m.ID, b.Token(), now, next, truncate(err.Error())); merr != nil {
			w.Logger.LogAttrs(ctx, slog.LevelError, "could not schedule outbox retry", append(attrs, slog.String("error", merr.Error()))...)
		}
		w.Logger.LogAttrs(ctx, slog.LevelWarn, "outbox delivery failed; will retry", append(attrs, slog.Time("next_attempt", next), slog.String("error", err.Error()))...)
	}
}

// backoff is exponential from BaseBackoff with ±25 % jitter, capped at MaxBackoff.
func (w *Worker) backoff(attempts int) time.Duration {
	d := wait.Backoff(w.BaseBackoff, w.MaxBackoff, attempts)
	jitter := time.Duration(rand.Int64N(int64(d)/2+1)) - d/4
	return d + jitter
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

// errClaimLost is the cause of a delivery's cancellation when the worker no longer holds its message.
var errClaimLost = errors.New("outbox claim lost")

// renewClaim renews the claim token holds on message id (for the batch's lease.Holder).
func (w *Worker) renewClaim(ctx context.Context, id int64, token string, now time.Time) error {
	return w.Store.RenewClaim(ctx, id, token, now, w.Lease)
}

// renewFailed logs a renewal that did not get an answer. The claim holds: the delivery's deadline gives it up.
func (w *Worker) renewFailed(ctx context.Context, id int64, err error, _ bool) (giveUp bool) {
	w.Logger.LogAttrs(ctx, slog.LevelWarn, "could not renew outbox claim; retrying",
		slog.Int64("outbox_id", id), slog.String("error", err.Error()))
	return false
}
