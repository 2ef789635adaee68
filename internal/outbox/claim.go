package outbox

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// errClaimLost is the cause of a delivery's cancellation when the worker no longer holds the message.
var errClaimLost = errors.New("outbox claim lost")

// claim is this worker's hold on a message: the claim's token and when its lease ends, as far as the worker knows.
type claim struct {
	token string
	until time.Time
}

// renewBefore renews the claim before its delivery starts, unless more than two thirds of its lease are left (it was
// just claimed or renewed). A message that waited in its batch behind slow deliveries may have lost its claim: the
// error then says so, and the message must not be delivered.
func (w *Worker) renewBefore(ctx context.Context, id int64, c *claim) error {
	now := w.Now()
	if c.until.Sub(now) > w.Lease*2/3 {
		return nil
	}
	if err := w.Store.RenewClaim(ctx, id, c.token, now, w.Lease); err != nil {
		return err
	}
	c.until = now.Add(w.Lease)
	return nil
}

// hold keeps the claim on message id alive while its delivery runs, with a heartbeat that renews it every third of
// the lease. The context returned is cancelled once the claim is lost: when a renewal reports it lost, or when its
// lease ends before a renewal succeeds (the store unreachable), since another worker may claim it from then on.
// release stops the heartbeat and reports whether the claim was lost; call it once the delivery has returned.
func (w *Worker) hold(ctx context.Context, id int64, c claim) (dctx context.Context, release func() (lost bool)) {
	dctx, cancel := context.WithCancelCause(ctx)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		w.heartbeat(dctx, id, c, stop, func() { cancel(errClaimLost) })
	}()
	return dctx, func() bool {
		close(stop)
		<-done
		lost := errors.Is(context.Cause(dctx), errClaimLost)
		cancel(nil)
		return lost
	}
}

// heartbeat renews the claim c on message id until stop is closed or ctx ends, and calls lose when the claim is lost.
func (w *Worker) heartbeat(ctx context.Context, id int64, c claim, stop <-chan struct{}, lose func()) {
	tick := time.NewTicker(max(w.Lease/3, time.Millisecond))
	defer tick.Stop()
	expiry := time.NewTimer(c.until.Sub(w.Now()))
	defer expiry.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-expiry.C:
			lose()
			return
		case <-tick.C:
		}
		now := w.Now()
		err := w.Store.RenewClaim(ctx, id, c.token, now, w.Lease)
		switch {
		case err == nil:
			c.until = now.Add(w.Lease)
			expiry.Reset(c.until.Sub(w.Now()))
		case domain.IsCode(err, domain.EConflict) || domain.IsCode(err, domain.ENotFound):
			lose()
			return
		case ctx.Err() == nil:
			w.Logger.LogAttrs(ctx, slog.LevelWarn, "could not renew outbox claim; retrying",
				slog.Int64("outbox_id", id), slog.Time("lease_until", c.until), slog.String("error", err.Error()))
		}
	}
}
