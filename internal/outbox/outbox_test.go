package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/wait"
)

// memStore is an in-memory outbox table with the claim semantics of the SQL one, fences included.
type memStore struct {
	mu     sync.Mutex
	msgs   map[int64]*row
	claims int
	renews int

	renewErr     error // when set, RenewClaim fails with it (the database unreachable)
	lostRenewals int   // renewals refused because the claim was lost
	refusedMarks int   // marks refused because the claim was lost: the worker should never try one
}

type row struct {
	m         domain.OutboxMessage
	abandoned bool
	waiting   bool
	token     string
	until     time.Time
}

func newStore(n int) *memStore {
	s := &memStore{msgs: map[int64]*row{}}
	for i := 1; i <= n; i++ {
		s.msgs[int64(i)] = &row{m: domain.OutboxMessage{ID: int64(i), Kind: domain.MsgDecisionNotice, RequestID: 1,
			CreatedAt: clock.Start}}
	}
	return s
}

func (s *memStore) ClaimOutbox(_ context.Context, now time.Time, limit int, lease time.Duration) ([]domain.OutboxMessage, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.claims++
	token := fmt.Sprint("claim-", s.claims)
	var out []domain.OutboxMessage
	for id := int64(1); id <= int64(len(s.msgs)) && len(out) < limit; id++ {
		r := s.msgs[id]
		if r.m.DeliveredAt.IsZero() && !r.abandoned && !r.m.NextAttempt.After(now) && !r.until.After(now) {
			r.m.Attempts++
			r.m.NextAttempt, r.until, r.token, r.waiting = now.Add(lease), now.Add(lease), token, false
			out = append(out, r.m)
		}
	}
	return out, token, nil
}

// held runs change on the row if token's claim on it is live at now, and ends the claim when end is set.
func (s *memStore) held(id int64, token string, now time.Time, end bool, change func(r *row)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.msgs[id]
	if r.token != token || !r.until.After(now) {
		if end {
			s.refusedMarks++
		} else {
			s.lostRenewals++
		}
		return domain.Errorf(domain.EConflict, "claim lost")
	}
	change(r)
	if end {
		r.token, r.until = "", time.Time{}
	}
	return nil
}

func (s *memStore) RenewClaim(_ context.Context, id int64, token string, now time.Time, lease time.Duration) error {
	s.mu.Lock()
	err := s.renewErr
	s.mu.Unlock()
	if err != nil {
		return err
	}
	return s.held(id, token, now, false, func(r *row) {
		s.renews++
		r.m.NextAttempt, r.until = now.Add(lease), now.Add(lease)
	})
}

func (s *memStore) MarkDelivered(_ context.Context, id int64, token string, at time.Time) error {
	return s.held(id, token, at, true, func(r *row) { r.m.DeliveredAt = at })
}

func (s *memStore) MarkRetry(_ context.Context, id int64, token string, now, next time.Time, lastError string) error {
	return s.held(id, token, now, true, func(r *row) { r.m.NextAttempt, r.m.LastError = next, lastError })
}

func (s *memStore) MarkWaiting(_ context.Context, id int64, token string, now, next time.Time, lastError string) error {
	return s.held(id, token, now, true, func(r *row) {
		r.waiting, r.m.NextAttempt, r.m.LastError = true, next, lastError
		if r.m.Attempts > 0 {
			r.m.Attempts--
		}
	})
}

func (s *memStore) MarkAbandoned(_ context.Context, id int64, token string, at time.Time, lastError string) error {
	return s.held(id, token, at, true, func(r *row) { r.abandoned, r.m.LastError = true, lastError })
}

// steal gives message id to another replica's claim, as if its lease had lapsed and the other replica claimed it.
func (s *memStore) steal(id int64, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.msgs[id]
	r.m.Attempts++
	r.token, r.until, r.m.NextAttempt = "another replica", now.Add(time.Hour), now.Add(time.Hour)
}

// row returns a copy of message id's row.
func (s *memStore) row(id int64) row {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.msgs[id]
}

var _ outbox.Store = (*memStore)(nil)

// flaky fails each message a set number of times, then succeeds; it counts successful sends.
type flaky struct {
	mu        sync.Mutex
	failFirst int
	calls     map[int64]int
	delivered map[int64]int
	err       error
}

func (f *flaky) Deliver(_ context.Context, m domain.OutboxMessage) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[m.ID]++
	if f.calls[m.ID] <= f.failFirst {
		return f.err
	}
	f.delivered[m.ID]++
	return nil
}

func TestRetriesUntilDeliveredExactlyOnce(t *testing.T) {
	st := newStore(5)
	d := &flaky{failFirst: 3, calls: map[int64]int{}, delivered: map[int64]int{}, err: errors.New("connector: 500")}
	c := clock.NewManual(clock.Start)
	w := &outbox.Worker{Store: st, Deliverer: d, Now: c.Now, BaseBackoff: time.Second, MaxBackoff: 10 * time.Second}
	for i := 0; i < 20; i++ {
		if _, err := w.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		c.Advance(15 * time.Second)
	}
	for id := int64(1); id <= 5; id++ {
		if d.delivered[id] != 1 || d.calls[id] != 4 {
			t.Errorf("message %d: delivered %d times in %d calls", id, d.delivered[id], d.calls[id])
		}
		if st.msgs[id].m.DeliveredAt.IsZero() {
			t.Errorf("message %d not marked delivered", id)
		}
	}
}

func TestBackoffWaitsBeforeRetry(t *testing.T) {
	st := newStore(1)
	d := &flaky{failFirst: 1, calls: map[int64]int{}, delivered: map[int64]int{}, err: errors.New("boom")}
	c := clock.NewManual(clock.Start)
	w := &outbox.Worker{Store: st, Deliverer: d, Now: c.Now, BaseBackoff: 10 * time.Second}
	w.RunOnce(context.Background())
	next := st.msgs[1].m.NextAttempt.Sub(c.Now())
	if next < 7*time.Second || next > 13*time.Second {
		t.Fatalf("first retry in %v, want about 10 s", next)
	}
	w.RunOnce(context.Background()) // not due yet
	if d.calls[1] != 1 {
		t.Fatalf("retried before the backoff ended: %d calls", d.calls[1])
	}
	c.Advance(13 * time.Second)
	w.RunOnce(context.Background())
	if d.delivered[1] != 1 {
		t.Fatal("not delivered after the backoff")
	}
}

func TestPermanentFailuresAndAttemptLimitAbandon(t *testing.T) {
	st := newStore(2)
	d := &flaky{failFirst: 1000, calls: map[int64]int{}, delivered: map[int64]int{}, err: fmt.Errorf("%w: blocked", outbox.ErrPermanent)}
	c := clock.NewManual(clock.Start)
	w := &outbox.Worker{Store: st, Deliverer: d, Now: c.Now}
	w.RunOnce(context.Background())
	if !st.msgs[1].abandoned || d.calls[1] != 1 {
		t.Fatalf("a permanent failure was not abandoned at once: %+v", st.msgs[1])
	}
	st2 := newStore(1)
	d2 := &flaky{failFirst: 1000, calls: map[int64]int{}, delivered: map[int64]int{}, err: errors.New("transient")}
	w2 := &outbox.Worker{Store: st2, Deliverer: d2, Now: c.Now, MaxAttempts: 3, BaseBackoff: time.Second, MaxBackoff: time.Second}
	for i := 0; i < 10; i++ {
		w2.RunOnce(context.Background())
		c.Advance(2 * time.Second)
	}
	if !st2.msgs[1].abandoned || d2.calls[1] != 3 {
		t.Fatalf("after %d calls abandoned=%v", d2.calls[1], st2.msgs[1].abandoned)
	}
}

func TestRunDeliversOnNotify(t *testing.T) {
	st := newStore(3)
	d := &flaky{calls: map[int64]int{}, delivered: map[int64]int{}}
	w := &outbox.Worker{Store: st, Deliverer: d, PollInterval: time.Hour}
	w.Init()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	w.Notify()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d.mu.Lock()
		n := len(d.delivered)
		d.mu.Unlock()
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 delivered", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-done
}

// An unreachable recipient does not use up attempts: the message waits instead of being abandoned.
func TestUnreachableRecipientWaitsWithoutUsingAttempts(t *testing.T) {
	st := newStore(1)
	d := &flaky{failFirst: 1000, calls: map[int64]int{}, delivered: map[int64]int{}, err: fmt.Errorf("no reference: %w", outbox.ErrRecipientUnreachable)}
	c := clock.NewManual(clock.Start)
	w := &outbox.Worker{Store: st, Deliverer: d, Now: c.Now, MaxAttempts: 3, WaitInterval: time.Minute}
	for i := 0; i < 10; i++ {
		w.RunOnce(context.Background())
		c.Advance(61 * time.Second)
	}
	r := st.msgs[1]
	if r.abandoned || !r.waiting || d.calls[1] != 10 || r.m.Attempts != 0 {
		t.Fatalf("after %d calls: abandoned=%v waiting=%v attempts=%d", d.calls[1], r.abandoned, r.waiting, r.m.Attempts)
	}
	if next := r.m.NextAttempt.Sub(c.Now()); next > time.Minute {
		t.Fatalf("next attempt in %v, want within the wait interval", next)
	}
	// It does not wait forever.
	w.MaxWait = time.Hour
	c.Advance(2 * time.Hour)
	w.RunOnce(context.Background())
	if !st.msgs[1].abandoned {
		t.Fatal("a message older than MaxWait is still waiting")
	}
}

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
	d := newDeliverFunc(func(ctx context.Context, _ domain.OutboxMessage) error { return wait.Sleep(ctx, 400*time.Millisecond) })
	w := &outbox.Worker{Store: st, Deliverer: d, Now: clock.NewRunning(time.Time{}).Now, Lease: 300 * time.Millisecond}
	if n, err := w.RunOnce(t.Context()); n != 2 || err != nil {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	for id := int64(1); id <= 2; id++ {
		if r := st.row(id); d.calls[id] != 1 || r.m.DeliveredAt.IsZero() || r.m.Attempts != 1 {
			t.Errorf("message %d: %d deliveries, delivered at %v after %d claims; want one, marked, one claim",
				id, d.calls[id], r.m.DeliveredAt, r.m.Attempts)
		}
	}
	// 800 ms of deliveries at a renewal every 100 ms, of two messages and then one. (A renewal that comes just after
	// a mark finds the claim ended; that is no loss.)
	if st.renews < 6 || st.refusedMarks != 0 {
		t.Errorf("%d renewals, %d marks refused; want several and none", st.renews, st.refusedMarks)
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
