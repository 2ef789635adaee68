package outbox_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/wait"
)

// These tests wait real milliseconds: the heartbeat renews every third of the lease, and the lease is a few tenths of
// a second. The clock they give the worker runs with real time from a fixed date.

// deliverFunc is a Deliverer made of a function; it records how each delivery ended.
type deliverFunc struct {
	fn     func(ctx context.Context, m domain.OutboxMessage) error
	mu     sync.Mutex
	calls  map[int64]int
	causes map[int64]error // why a delivery's context ended, if it did
}

func newDeliverFunc(fn func(ctx context.Context, m domain.OutboxMessage) error) *deliverFunc {
	return &deliverFunc{fn: fn, calls: map[int64]int{}, causes: map[int64]error{}}
}

func (d *deliverFunc) Deliver(ctx context.Context, m domain.OutboxMessage) error {
	err := d.fn(ctx, m)
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls[m.ID]++
	d.causes[m.ID] = context.Cause(ctx)
	return err
}

// untilCancelled blocks a delivery until its context ends, or fails the test after a few seconds.
func untilCancelled(t *testing.T) func(ctx context.Context, _ domain.OutboxMessage) error {
	return func(ctx context.Context, _ domain.OutboxMessage) error {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Second):
			t.Error("the delivery was not cancelled")
			return nil
		}
	}
}

// A batch whose deliveries take longer than the lease keeps its claims: the message being delivered and the one
// waiting behind it are both renewed, delivered once and marked.
func TestHeartbeatKeepsABatchOfSlowDeliveriesClaimed(t *testing.T) {
	st := newStore(2)
	d := newDeliverFunc(func(ctx context.Context, _ domain.OutboxMessage) error { return wait.Sleep(ctx, 150*time.Millisecond) })
	w := &outbox.Worker{Store: st, Deliverer: d, Now: clock.NewRunning(time.Time{}).Now, Lease: 60 * time.Millisecond}
	if n, err := w.RunOnce(t.Context()); n != 2 || err != nil {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	for id := int64(1); id <= 2; id++ {
		if r := st.row(id); d.calls[id] != 1 || r.m.DeliveredAt.IsZero() || r.m.Attempts != 1 {
			t.Errorf("message %d: %d deliveries, delivered at %v after %d claims; want one, marked, one claim",
				id, d.calls[id], r.m.DeliveredAt, r.m.Attempts)
		}
	}
	// 300 ms of deliveries at a renewal every 20 ms, of two messages and then one.
	if st.renews < 6 || st.lostRenewals != 0 || st.refusedMarks != 0 {
		t.Errorf("%d renewals, %d lost, %d marks refused; want several, none, none", st.renews, st.lostRenewals, st.refusedMarks)
	}
}

// When a renewal reports the claim lost (another replica holds the message now), the delivery's context is
// cancelled at once, long before the lease would end, and the worker records nothing.
func TestLostClaimCancelsTheDeliveryAndIsNotMarked(t *testing.T) {
	st := newStore(1)
	clk := clock.NewRunning(time.Time{})
	d := newDeliverFunc(func(ctx context.Context, m domain.OutboxMessage) error {
		st.steal(m.ID, clk.Now())
		return untilCancelled(t)(ctx, m)
	})
	const lease = 600 * time.Millisecond
	w := &outbox.Worker{Store: st, Deliverer: d, Now: clk.Now, Lease: lease}
	began := time.Now()
	w.RunOnce(t.Context())
	if took := time.Since(began); took >= lease*2/3 {
		t.Errorf("the delivery ran %v, want it cancelled at the first renewal (%v), before the claim is given up", took, lease/3)
	}
	if cause := d.causes[1]; cause == nil || cause.Error() != "outbox claim lost" {
		t.Errorf("the delivery's context ended with %v, want the claim lost", cause)
	}
	r := st.row(1)
	if r.token != "another replica" || !r.m.DeliveredAt.IsZero() || r.abandoned || r.m.LastError != "" {
		t.Errorf("the row changed under another replica's claim: %+v", r)
	}
	if st.lostRenewals != 1 || st.refusedMarks != 0 {
		t.Errorf("%d renewals lost, %d marks refused; want 1 and none (a lost claim is never marked)", st.lostRenewals, st.refusedMarks)
	}
}

// A message whose claim is lost while it waits behind a slow delivery in its batch is not delivered at all.
func TestClaimLostWhileWaitingInTheBatchIsSkipped(t *testing.T) {
	st := newStore(2)
	clk := clock.NewRunning(time.Time{})
	d := newDeliverFunc(func(ctx context.Context, m domain.OutboxMessage) error {
		if m.ID == 1 {
			st.steal(2, clk.Now())
			return wait.Sleep(ctx, 150*time.Millisecond) // a heartbeat (every 100 ms) finds message 2 lost
		}
		return nil
	})
	w := &outbox.Worker{Store: st, Deliverer: d, Now: clk.Now, Lease: 300 * time.Millisecond}
	w.RunOnce(t.Context())
	if d.calls[1] != 1 || d.calls[2] != 0 {
		t.Errorf("deliveries: %v; want message 1 once and message 2 not at all", d.calls)
	}
	if r := st.row(2); r.token != "another replica" || !r.m.DeliveredAt.IsZero() || st.refusedMarks != 0 {
		t.Errorf("message 2: %+v, %d marks refused; want it left to the other replica", r, st.refusedMarks)
	}
	if st.row(1).m.DeliveredAt.IsZero() {
		t.Error("message 1 not marked delivered")
	}
}

// When the store cannot renew the claim (unreachable), the delivery is cancelled a third of the lease before the
// lease ends, since from then on another replica may claim the message; nothing is recorded.
func TestUnrenewableClaimEndsTheDeliveryWithItsLease(t *testing.T) {
	st := newStore(1)
	st.renewErr = domain.Errorf(domain.EUnavailable, "database unreachable")
	d := newDeliverFunc(untilCancelled(t))
	const lease = 300 * time.Millisecond
	w := &outbox.Worker{Store: st, Deliverer: d, Now: clock.NewRunning(time.Time{}).Now, Lease: lease}
	began := time.Now()
	w.RunOnce(t.Context())
	if took := time.Since(began); took < lease*2/3 || took >= lease {
		t.Errorf("the delivery was cancelled after %v, want two thirds into its lease of %v", took, lease)
	}
	if cause := d.causes[1]; cause == nil || cause.Error() != "outbox claim lost" {
		t.Errorf("the delivery's context ended with %v, want the claim lost", cause)
	}
	if r := st.row(1); !r.m.DeliveredAt.IsZero() || r.m.LastError != "" || st.refusedMarks != 0 {
		t.Errorf("a delivery whose lease ended was recorded: %+v, %d marks refused", r, st.refusedMarks)
	}
}

// Stopping the worker cancels a delivery without losing its claim: the failure is recorded as a retry, under the
// claim, as before.
func TestStoppingTheWorkerStillRecordsTheAttempt(t *testing.T) {
	st := newStore(1)
	ctx, cancel := context.WithCancel(t.Context())
	d := newDeliverFunc(func(dctx context.Context, m domain.OutboxMessage) error {
		cancel()
		<-dctx.Done()
		return dctx.Err()
	})
	w := &outbox.Worker{Store: st, Deliverer: d, Now: clock.NewManual(clock.Start).Now}
	w.RunOnce(ctx)
	if r := st.row(1); !errors.Is(d.causes[1], context.Canceled) || r.m.LastError != context.Canceled.Error() || r.token != "" {
		t.Errorf("after shutdown: cause %v, row %+v; want a retry recorded and the claim ended", d.causes[1], r)
	}
}
