package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// The runner on the real store, on both dialects, with a manual clock and tickers moved by hand: no test waits for
// time to pass.

const (
	reminder = "mandate_expiry"
	lease    = time.Minute
)

var t0 = clock.Start

// ticks replaces a runner's tickers: Run's (asked for with the interval) ticks when the test sends on pass, the
// lease renewals' when it sends on beat. A send returns when the runner has taken the tick; a second send, when it
// has also done what the first one asked.
type ticks struct {
	mu    sync.Mutex
	asked []time.Duration
	pass  chan time.Time
	beat  chan time.Time
}

func manualTicks(r *scheduler.Runner, interval time.Duration) *ticks {
	tk := &ticks{pass: make(chan time.Time), beat: make(chan time.Time)}
	scheduler.SetTicker(r, func(d time.Duration) (<-chan time.Time, func()) {
		tk.mu.Lock()
		defer tk.mu.Unlock()
		tk.asked = append(tk.asked, d)
		if d == interval {
			return tk.pass, func() {}
		}
		return tk.beat, func() {}
	})
	return tk
}

// beatAndWait ticks the lease renewals and returns when the renewals of that tick are done.
func (tk *ticks) beatAndWait(now time.Time) {
	tk.beat <- now
	tk.beat <- now
}

// effects counts what handlers did, per job key.
type effects struct {
	mu   sync.Mutex
	runs map[string]int
	by   map[string]int // jobs run per runner
}

func newEffects() *effects { return &effects{runs: map[string]int{}, by: map[string]int{}} }

func (e *effects) add(runner, key string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.runs[key]++
	e.by[runner]++
}

func (e *effects) count(key string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.runs[key]
}

// newRunner is a runner on db with the test's clock, a one-minute lease and hand-moved tickers.
func newRunner(db *sqlstore.DB, clk *clock.Manual, handlers map[string]scheduler.Handler) (*scheduler.Runner, *ticks) {
	r := &scheduler.Runner{Store: db.Jobs, Handlers: handlers, Now: clk.Now, Lease: lease, Batch: 10}
	return r, manualTicks(r, time.Minute)
}

// recording is a handler that records each job it runs under name.
func recording(e *effects, name string) scheduler.Handler {
	return func(ctx context.Context, j domain.Job) error {
		e.add(name, j.Key)
		return nil
	}
}

func schedule(t *testing.T, db *sqlstore.DB, kind, key string, due time.Time) {
	t.Helper()
	j := domain.Job{Kind: kind, Key: key, DueAt: due, Payload: []byte(`{"mandate_id":42}`)}
	if added, err := db.Jobs.Schedule(t.Context(), j); err != nil || !added {
		t.Fatalf("Schedule(%s) = %v, %v", key, added, err)
	}
}

func readJob(t *testing.T, db *sqlstore.DB, key string) domain.Job {
	t.Helper()
	j, err := db.Jobs.Job(t.Context(), key)
	if err != nil {
		t.Fatalf("Job(%s): %v", key, err)
	}
	return j
}

func runOnce(t *testing.T, r *scheduler.Runner, want int, why string) {
	t.Helper()
	if n, err := r.RunOnce(t.Context()); err != nil || n != want {
		t.Fatalf("RunOnce %s = %d, %v; want %d jobs", why, n, err, want)
	}
}

func TestRunOnceRunsTheDueJobsOfItsKinds(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		clk := clock.NewManual(t0)
		e := newEffects()
		payloads := make(chan string, 10)
		r, _ := newRunner(db, clk, map[string]scheduler.Handler{reminder: func(ctx context.Context, j domain.Job) error {
			payloads <- string(j.Payload)
			e.add("r", j.Key)
			return nil
		}})
		schedule(t, db, reminder, "late", t0.Add(-time.Hour))
		schedule(t, db, reminder, "on time", t0)
		schedule(t, db, reminder, "later", t0.Add(time.Second))
		schedule(t, db, "leaver_check", "no handler here", t0.Add(-time.Hour))

		runOnce(t, r, 2, "at t0")
		if payload := <-payloads; e.count("late") != 1 || e.count("on time") != 1 || e.count("later") != 0 ||
			payload != `{"mandate_id":42}` {
			t.Fatalf("ran %v with payload %s", e.runs, payload)
		}
		if j := readJob(t, db, "late"); !j.DoneAt.Equal(t0) || j.Attempts != 1 || j.Pending() {
			t.Errorf("job run: %+v, want done at %v after one attempt", j, t0)
		}
		if j := readJob(t, db, "no handler here"); j.Attempts != 0 || !j.Pending() {
			t.Errorf("a job of a kind without handler was claimed: %+v", j)
		}
		runOnce(t, r, 0, "again at t0")
		clk.Advance(time.Second)
		runOnce(t, r, 1, "a second later")
		if e.count("later") != 1 || e.count("late") != 1 {
			t.Errorf("ran %v", e.runs)
		}
	})
	if n, err := (&scheduler.Runner{}).RunOnce(t.Context()); n != 0 || err != nil {
		t.Errorf("RunOnce without handlers = %d, %v", n, err)
	}
}

// A failing job is retried with a doubling delay, capped, and abandoned after MaxAttempts; one that fails
// permanently is abandoned at once; a panic is a failure like any other.
func TestFailuresAreRetriedThenAbandoned(t *testing.T) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		clk := clock.NewManual(t0)
		r, _ := newRunner(db, clk, map[string]scheduler.Handler{reminder: func(ctx context.Context, j domain.Job) error {
			switch j.Key {
			case "gone":
				return fmt.Errorf("mandate 42 no longer exists: %w", scheduler.ErrPermanent)
			case "panics":
				panic("nil map")
			}
			return domain.Errorf(domain.EUnavailable, "directory unavailable")
		}})
		r.BaseBackoff, r.MaxBackoff, r.MaxAttempts = time.Minute, 90*time.Second, 3
		schedule(t, db, reminder, "flaky", t0)
		schedule(t, db, reminder, "gone", t0)
		schedule(t, db, reminder, "panics", t0)

		runOnce(t, r, 3, "first attempts")
		if j := readJob(t, db, "gone"); j.AbandonedAt.IsZero() || !strings.Contains(j.LastError, "no longer exists") {
			t.Errorf("permanent failure: %+v, want abandoned", j)
		}
		if j := readJob(t, db, "panics"); !j.RunAt.Equal(t0.Add(time.Minute)) || !strings.Contains(j.LastError, "panicked: nil map") {
			t.Errorf("panic: %+v, want a retry in a minute", j)
		}
		for attempt, delay := range []time.Duration{time.Minute, 90 * time.Second} {
			j := readJob(t, db, "flaky")
			if want := clk.Now().Add(delay); !j.RunAt.Equal(want) || j.Attempts != attempt+1 || !j.Pending() ||
				!strings.Contains(j.LastError, "directory unavailable") {
				t.Fatalf("after attempt %d: %+v, want due again at %v", attempt+1, j, want)
			}
			runOnce(t, r, 0, "before the retry is due")
			clk.Advance(delay)
			runOnce(t, r, 2, fmt.Sprintf("retry %d", attempt+1)) // flaky and panics
		}
		if j := readJob(t, db, "flaky"); j.Attempts != 3 || !j.AbandonedAt.Equal(clk.Now()) {
			t.Errorf("after MaxAttempts: %+v, want abandoned", j)
		}
		clk.Advance(time.Hour)
		runOnce(t, r, 0, "after abandoning")
	})
}

// Two runners, each with its own connections as two replicas have, make passes over one database at once. Every
// job runs exactly once and ends done. Each runner's first handler waits until the other runner has started a job
// too, so the two passes overlap however the claims fall.
func TestTwoRunnersRunEachJobOnce(t *testing.T) {
	const jobs = 500
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(t0)
		dbs := []*sqlstore.DB{sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now)), sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))}
		for i := range jobs {
			schedule(t, dbs[0], reminder, fmt.Sprintf("job-%03d", i), t0.Add(-time.Duration(i)*time.Second))
		}
		e := newEffects()
		started := []chan struct{}{make(chan struct{}), make(chan struct{})}
		var wg sync.WaitGroup
		for i, db := range dbs {
			var first sync.Once
			name := fmt.Sprint("runner-", i)
			r, _ := newRunner(db, clk, map[string]scheduler.Handler{reminder: func(ctx context.Context, j domain.Job) error {
				first.Do(func() {
					close(started[i])
					select {
					case <-started[1-i]:
					case <-ctx.Done():
					}
				})
				e.add(name, j.Key)
				return nil
			}})
			r.Parallel = 4
			wg.Go(func() {
				if _, err := r.RunOnce(t.Context()); err != nil {
					t.Errorf("%s: %v", name, err)
				}
			})
		}
		wg.Wait()
		for i := range jobs {
			if n := e.count(fmt.Sprintf("job-%03d", i)); n != 1 {
				t.Errorf("job-%03d ran %d times, want once", i, n)
			}
		}
		if n, err := dbs[1].Jobs.Pending(t.Context()); err != nil || n != 0 {
			t.Errorf("Pending after both passes = %d, %v; want 0", n, err)
		}
		t.Logf("jobs run per runner: %v", e.by)
	})
}

// An instance that claims a job and dies never marks it; once the lease has ended another instance runs it, and
// the dead one's claim no longer holds the job.
func TestJobOfADeadInstanceRunsAfterItsLease(t *testing.T) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(t0)
		dead, live := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now)), sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		schedule(t, dead, reminder, "k", t0)
		claimed, token, err := dead.Jobs.ClaimDue(t.Context(), t0, []string{reminder}, 10, lease)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("ClaimDue = %+v, %v", claimed, err)
		}
		e := newEffects()
		r, _ := newRunner(live, clk, map[string]scheduler.Handler{reminder: recording(e, "live")})
		clk.Set(t0.Add(lease - time.Microsecond))
		runOnce(t, r, 0, "while the dead instance's lease lasts")
		clk.Set(t0.Add(lease))
		runOnce(t, r, 1, "when the lease has ended")
		if j := readJob(t, live, "k"); e.count("k") != 1 || !j.DoneAt.Equal(t0.Add(lease)) || j.Attempts != 2 {
			t.Errorf("job: %+v, ran %d times; want done by the live instance at its second attempt", j, e.count("k"))
		}
		if err := dead.Jobs.MarkDone(t.Context(), claimed[0].ID, token, t0.Add(time.Second)); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("MarkDone with the dead instance's claim = %v, want %s", err, domain.EConflict)
		}
	})
}

// blocking is a handler that reports each job it starts on started and then runs until release is closed or its
// context ends, reporting the context's cause on stopped.
type blocking struct {
	e       *effects
	started chan string
	release chan struct{}
	stopped chan error
}

func newBlocking(e *effects) *blocking {
	return &blocking{e: e, started: make(chan string, 1), release: make(chan struct{}), stopped: make(chan error, 1)}
}

func (b *blocking) handle(ctx context.Context, j domain.Job) error {
	b.started <- j.Key
	select {
	case <-b.release:
		b.e.add("blocking", j.Key)
		return nil
	case <-ctx.Done():
		b.stopped <- context.Cause(ctx)
		return ctx.Err()
	}
}
