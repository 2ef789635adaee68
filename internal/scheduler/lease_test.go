package scheduler_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// runInBackground starts r.RunOnce and returns a channel with its outcome.
func runInBackground(t *testing.T, r *scheduler.Runner) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := r.RunOnce(t.Context())
		done <- err
	}()
	return done
}

// A job that runs longer than its lease keeps its claim: the runner renews it, so another instance does not take
// it after the first lease has ended, and the job runs once.
func TestLeaseIsRenewedWhileAJobRuns(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(t0)
		dbA, dbB := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now)), sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		schedule(t, dbA, reminder, "slow", t0)
		e := newEffects()
		b := newBlocking(e)
		a, ticksA := newRunner(dbA, clk, map[string]scheduler.Handler{reminder: b.handle})
		other, _ := newRunner(dbB, clk, map[string]scheduler.Handler{reminder: recording(e, "other")})
		done := runInBackground(t, a)
		<-b.started

		for _, at := range []time.Duration{lease / 4, lease / 2, lease * 3 / 4, lease + lease/4, 2 * lease} {
			clk.Set(t0.Add(at))
			ticksA.beatAndWait(clk.Now())
			runOnce(t, other, 0, "while the claim is renewed")
		}
		if j := readJob(t, dbB, "slow"); !j.RunAt.Equal(t0.Add(3*lease)) || j.Attempts != 1 {
			t.Errorf("renewed job: %+v, want its lease to end at %v", j, t0.Add(3*lease))
		}
		close(b.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if j := readJob(t, dbB, "slow"); !j.DoneAt.Equal(t0.Add(2*lease)) || e.count("slow") != 1 {
			t.Errorf("job: %+v, ran %v; want done once by the first runner", j, e.runs)
		}
	})
}

// Cancelling a job while it runs ends its claim: at the next renewal the runner learns so, cancels the handler's
// context and records nothing.
func TestCancellingARunningJobStopsItsHandler(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		clk := clock.NewManual(t0)
		schedule(t, db, reminder, "k", t0)
		b := newBlocking(newEffects())
		r, tk := newRunner(db, clk, map[string]scheduler.Handler{reminder: b.handle})
		done := runInBackground(t, r)
		<-b.started
		clk.Advance(10 * time.Second)
		if ok, err := db.Jobs.Cancel(t.Context(), "k", clk.Now()); !ok || err != nil {
			t.Fatalf("Cancel = %v, %v", ok, err)
		}
		tk.beat <- clk.Now()
		if cause := <-b.stopped; cause == nil || !strings.Contains(cause.Error(), "claim lost") {
			t.Errorf("handler stopped because of %v, want the lost claim", cause)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if j := readJob(t, db, "k"); j.CancelledAt.IsZero() || !j.DoneAt.IsZero() || j.LastError != "" || j.Attempts != 1 {
			t.Errorf("job: %+v, want cancelled with nothing recorded", j)
		}
	})
}

// unavailableRenewals is a store whose renewals fail as when the database does not answer.
type unavailableRenewals struct{ scheduler.Store }

func (unavailableRenewals) Renew(context.Context, int64, string, time.Time, time.Duration) error {
	return domain.Errorf(domain.EUnavailable, "database unreachable")
}

// When no renewal succeeds, the runner keeps the claim until a quarter of the lease is left, then cancels the
// handler and records nothing; after the lease another instance runs the job.
func TestClaimIsGivenUpWhenRenewalsFail(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		clk := clock.NewManual(t0)
		schedule(t, db, reminder, "k", t0)
		b := newBlocking(newEffects())
		r, tk := newRunner(db, clk, map[string]scheduler.Handler{reminder: b.handle})
		r.Store = unavailableRenewals{db.Jobs}
		done := runInBackground(t, r)
		<-b.started
		for _, at := range []time.Duration{lease / 4, lease / 2, lease*3/4 - time.Microsecond} {
			clk.Set(t0.Add(at))
			tk.beatAndWait(clk.Now())
			select {
			case cause := <-b.stopped:
				t.Fatalf("handler stopped at %v (%v), while the claim may still be relied on", at, cause)
			default:
			}
		}
		clk.Set(t0.Add(lease * 3 / 4))
		tk.beat <- clk.Now()
		if cause := <-b.stopped; !strings.Contains(cause.Error(), "claim lost") {
			t.Errorf("handler stopped because of %v, want the lost claim", cause)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if j := readJob(t, db, "k"); !j.Pending() || j.LastError != "" || !j.RunAt.Equal(t0.Add(lease)) {
			t.Errorf("job: %+v, want nothing recorded", j)
		}
		e := newEffects()
		next, _ := newRunner(db, clk, map[string]scheduler.Handler{reminder: recording(e, "next")})
		clk.Set(t0.Add(lease))
		runOnce(t, next, 1, "after the lease")
		if e.count("k") != 1 {
			t.Errorf("ran %v", e.runs)
		}
	})
}

// Run makes a pass at once and then one per tick of its Interval (a minute by default), until its context ends.
func TestRunMakesAPassEveryInterval(t *testing.T) {
	db := sqltest.Open(t)
	clk := clock.NewManual(t0)
	e := newEffects()
	r, tk := newRunner(db, clk, map[string]scheduler.Handler{reminder: recording(e, "r")})
	schedule(t, db, reminder, "first", t0)
	schedule(t, db, reminder, "second", t0.Add(time.Minute))
	ctx, cancel := context.WithCancel(t.Context())
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		r.Run(ctx)
	}()
	tk.pass <- t0 // taken once the first pass is over
	if e.count("first") != 1 || e.count("second") != 0 {
		t.Fatalf("after the first pass: %v", e.runs)
	}
	clk.Advance(time.Minute)
	tk.pass <- clk.Now()
	tk.pass <- clk.Now() // taken once the second pass is over
	if e.count("first") != 1 || e.count("second") != 1 {
		t.Errorf("after the second pass: %v", e.runs)
	}
	cancel()
	<-stopped
	tk.mu.Lock()
	defer tk.mu.Unlock()
	if !slices.Contains(tk.asked, time.Minute) || !slices.Contains(tk.asked, lease/4) {
		t.Errorf("tickers asked for %v, want every minute for passes and every %v for renewals", tk.asked, lease/4)
	}
}
