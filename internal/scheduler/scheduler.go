// Package scheduler runs work that falls due at a time: reminders before a mandate expires, checks before a leaver's
// last day. The jobs live in the SQL database, the system of record (sqlstore.Jobs), so a restart, a crash or a
// second replica neither loses nor doubles one; Redis plays no part.
//
// Code that schedules work calls Schedule with a key naming the job's kind, subject and occurrence, as often as it
// likes: a key is scheduled once. When to run is the scheduling code's choice; internal/worktime says when working
// hours are. A Runner claims the due jobs of the kinds it has handlers for, runs each with its Handler and records
// the outcome: done, a retry with exponential backoff, or abandoned (ErrPermanent, or too many attempts).
//
// Claims are fenced, as the outbox's are. A claim has a token and a lease; while the handlers of a pass run, the
// runner renews the lease of every job it still holds every quarter of the lease. The store records an outcome only
// under the claim that is still the job's own and whose lease has not ended, so a job is marked done once. A claim
// is lost when a renewal is refused (the lease ran out and another runner claimed the job, or the job was
// cancelled) or when no renewal has succeeded for three quarters of the lease (the store unreachable): the
// handler's context is then cancelled, or a job whose turn has not come is skipped, and nothing is recorded.
//
// Handlers write their effects themselves (outbox messages, audit rows, in their own transaction), and must be
// idempotent, because a job can run more than once: when the process dies, or its claim is lost, after the handler
// has committed its effects but before MarkDone, the job is claimed and run again when the lease ends. Key the
// effects so that a second run finds the first one's (an outbox message or open item with a key derived from the
// job's Key), and the job's completion then happens once.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/lease"
	"github.com/valtuusbotti/valtuusbotti/internal/wait"
)

// Store is the table of scheduled jobs as the runner needs it (sqlstore.Jobs implements it). A claim is fenced:
// ClaimDue hands out a token with the jobs, and every later call names it. A call whose claim is no longer live at
// now (its lease ended, another runner has claimed the job since, or it was cancelled) changes nothing and fails
// with a domain.EConflict error: the claim is lost.
type Store interface {
	// ClaimDue returns up to limit pending jobs of the given kinds that are due at now and that no live claim holds,
	// and gives them a claim whose lease ends at now+lease, incrementing their Attempts, atomically.
	ClaimDue(ctx context.Context, now time.Time, kinds []string, limit int, lease time.Duration) (jobs []domain.Job, token string, err error)
	// Renew extends a live claim to now+lease.
	Renew(ctx context.Context, id int64, token string, now time.Time, lease time.Duration) error
	// MarkDone records that the job ran to completion, and ends the claim.
	MarkDone(ctx context.Context, id int64, token string, at time.Time) error
	// MarkRetry records a failure and when to try again, and ends the claim.
	MarkRetry(ctx context.Context, id int64, token string, now, next time.Time, lastError string) error
	// MarkAbandoned records that the job will not be tried again, and ends the claim.
	MarkAbandoned(ctx context.Context, id int64, token string, at time.Time, lastError string) error
}

// Handler runs one job of its kind. It returns nil when the job is done, an error wrapping ErrPermanent when no retry
// can help, and any other error to be retried. Its context ends when the runner loses the job's claim, when the
// Runner's Timeout passes, and when the runner stops; it should then stop and return.
type Handler func(ctx context.Context, job domain.Job) error

// ErrPermanent marks a job failure that no retry can fix (e.g. the payload names something that no longer exists):
// the job is abandoned.
var ErrPermanent = errors.New("permanent job failure")

// Runner claims due jobs and runs them. Store, Handlers and Now are required; the rest have defaults.
type Runner struct {
	Store    Store
	Handlers map[string]Handler // by job kind; a runner claims only the kinds it has handlers for
	Logger   *slog.Logger
	Now      func() time.Time

	Interval    time.Duration // between passes in Run; default 1 min
	Batch       int           // jobs claimed at once; default 20
	Parallel    int           // handlers running at once; default 4
	Lease       time.Duration // how long a claim lasts unless renewed (every Lease/4 during a pass); default 2 min
	Timeout     time.Duration // how long one handler may run; default 5 min
	BaseBackoff time.Duration // the first retry's delay, doubling for each later one; default 1 min
	MaxBackoff  time.Duration // default 1 h
	MaxAttempts int           // the job is abandoned after this many failures; default 20 (about 15 h)

	// ticker makes the tickers of Run and of the lease renewals; tests replace it.
	ticker func(d time.Duration) (c <-chan time.Time, stop func())
	once   sync.Once // fills the defaults
}

// defaults fills the zero settings, once: passes may run concurrently (Run's, and a caller's RunOnce).
func (r *Runner) defaults() { r.once.Do(r.fill) }

func (r *Runner) fill() {
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	if r.ticker == nil {
		r.ticker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	r.Interval = wait.Or(r.Interval, time.Minute)
	r.Batch = wait.Or(r.Batch, 20)
	r.Parallel = wait.Or(r.Parallel, 4)
	r.Lease = wait.Or(r.Lease, 2*time.Minute)
	r.Timeout = wait.Or(r.Timeout, 5*time.Minute)
	r.BaseBackoff = wait.Or(r.BaseBackoff, time.Minute)
	r.MaxBackoff = wait.Or(r.MaxBackoff, time.Hour)
	r.MaxAttempts = wait.Or(r.MaxAttempts, 20)
}

// Run makes a pass at once and then one every Interval, until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	r.defaults()
	tick, stop := r.ticker(r.Interval)
	defer stop()
	for {
		if _, err := r.RunOnce(ctx); err != nil && ctx.Err() == nil {
			r.Logger.WarnContext(ctx, "scheduler pass failed", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return
		case <-tick:
		}
	}
}

// RunOnce makes one pass: it claims the due jobs, a batch at a time, runs them and records their outcomes, until a
// claim comes back short of a batch. It returns how many jobs it claimed.
func (r *Runner) RunOnce(ctx context.Context) (int, error) {
	r.defaults()
	kinds := slices.Sorted(maps.Keys(r.Handlers))
	if len(kinds) == 0 {
		return 0, nil
	}
	total := 0
	for {
		n, err := r.runBatch(ctx, kinds)
		total += n
		if err != nil || n < r.Batch {
			return total, err
		}
	}
}

// runBatch claims one batch and runs it, Parallel jobs at a time, renewing the claim while it runs.
func (r *Runner) runBatch(ctx context.Context, kinds []string) (int, error) {
	now := r.Now()
	jobs, token, err := r.Store.ClaimDue(ctx, now, kinds, r.Batch, r.Lease)
	if err != nil || len(jobs) == 0 {
		return 0, err
	}
	// The batch's claim (see package lease): a heartbeat, on the runner's ticker, renews every held job every quarter
	// of the lease, the running ones and those waiting for their turn; the claim on a job is given up when a quarter
	// of the lease is left.
	c := lease.New(lease.Config{Lease: r.Lease, Part: 4, Now: r.Now, Ticker: r.ticker, Renew: r.renewClaim,
		Failed: r.renewFailed, Lost: errClaimLost}, token, jobs, func(j domain.Job) int64 { return j.ID }, now)
	stop := c.Heartbeat(ctx)
	defer stop()
	sem := make(chan struct{}, r.Parallel)
	var wg sync.WaitGroup
	for _, j := range jobs {
		if ctx.Err() != nil {
			break // the rest are claimed again when the lease ends
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			r.run(ctx, j, c)
		})
	}
	wg.Wait()
	return len(jobs), ctx.Err()
}

// run runs one claimed job and records its outcome, unless the claim is lost first.
func (r *Runner) run(ctx context.Context, j domain.Job, c *lease.Holder) {
	attrs := []slog.Attr{slog.Int64("job_id", j.ID), slog.String("kind", j.Kind), slog.Int("attempt", j.Attempts)}
	hctx, held := c.Begin(ctx, j.ID)
	if !held {
		r.Logger.LogAttrs(ctx, slog.LevelInfo, "job claim lost before the job ran; left to its next claim", attrs...)
		return
	}
	defer c.Done(j.ID)
	err := r.call(hctx, j)
	if c.End(j.ID, hctx) {
		// Another runner may hold the job now, or it was cancelled: whatever happened, this runner records nothing.
		r.Logger.LogAttrs(ctx, slog.LevelWarn, "job claim lost while the job ran; outcome not recorded", attrs...)
		return
	}
	if err != nil && ctx.Err() != nil {
		return // stopping: the job is claimed again when the lease ends
	}
	r.record(ctx, j, c.Token(), err, attrs)
}

// call runs the job's handler with the Timeout, turning a panic into an error.
func (r *Runner) call(ctx context.Context, j domain.Job) (err error) {
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return r.Handlers[j.Kind](ctx, j)
}

// record marks the job done, retried or abandoned under the claim token.
func (r *Runner) record(ctx context.Context, j domain.Job, token string, err error, attrs []slog.Attr) {
	now := r.Now()
	// Bookkeeping must happen even when the caller's context is ending, or a job that ran would run again.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var merr error
	var later *Later
	switch {
	case errors.As(err, &later):
		merr = r.Store.MarkRetry(bctx, j.ID, token, now, later.Until, "deferred: "+truncate(later.Why))
		r.Logger.LogAttrs(ctx, slog.LevelDebug, "job deferred", append(attrs, slog.Time("until", later.Until))...)
	case err == nil:
		if merr = r.Store.MarkDone(bctx, j.ID, token, now); merr == nil {
			r.Logger.LogAttrs(ctx, slog.LevelDebug, "job done", attrs...)
		}
	case errors.Is(err, ErrPermanent) || j.Attempts >= r.MaxAttempts:
		merr = r.Store.MarkAbandoned(bctx, j.ID, token, now, truncate(err.Error()))
		r.Logger.LogAttrs(ctx, slog.LevelError, "job abandoned", append(attrs, slog.String("error", err.Error()))...)
	default:
		next := now.Add(wait.Backoff(r.BaseBackoff, r.MaxBackoff, j.Attempts))
		merr = r.Store.MarkRetry(bctx, j.ID, token, now, next, truncate(err.Error()))
		r.Logger.LogAttrs(ctx, slog.LevelWarn, "job failed; will retry",
			append(attrs, slog.Time("next_attempt", next), slog.String("error", err.Error()))...)
	}
	if merr != nil {
		// The job's effects may have happened: its next run must find them (handlers are idempotent).
		r.Logger.LogAttrs(ctx, slog.LevelError, "job outcome not recorded; it will run again",
			append(attrs, slog.String("error", merr.Error()))...)
	}
}

// Later is the error a handler returns to run the job again at Until instead of now, e.g. when now is outside
// working hours. It is no failure: nothing is logged as one, though the attempt counts.
type Later struct {
	Until time.Time
	Why   string
}

func (l *Later) Error() string {
	return "deferred until " + l.Until.Format(time.RFC3339) + ": " + l.Why
}

func truncate(s string) string {
	if len(s) > 500 {
		return s[:500]
	}
	return s
}

// errClaimLost is the cause of a handler's cancellation when the runner no longer holds its job.
var errClaimLost = errors.New("scheduler claim lost")

// renewClaim renews the claim token holds on job id (for the pass's lease.Holder), giving the store a quarter of
// the lease to answer.
func (r *Runner) renewClaim(ctx context.Context, id int64, token string, now time.Time) error {
	ctx, cancel := context.WithTimeout(ctx, r.Lease/4)
	defer cancel()
	return r.Store.Renew(ctx, id, token, now, r.Lease)
}

// renewFailed handles a renewal that did not get an answer: the claim holds until a quarter of its lease is left
// (late), and is then given up.
func (r *Runner) renewFailed(ctx context.Context, id int64, err error, late bool) (giveUp bool) {
	attrs := []slog.Attr{slog.Int64("job_id", id), slog.String("error", err.Error())}
	if !late {
		r.Logger.LogAttrs(ctx, slog.LevelWarn, "could not renew job claim; retrying", attrs...)
		return false
	}
	r.Logger.LogAttrs(ctx, slog.LevelWarn, "could not renew job claim before its lease ends; giving it up", attrs...)
	return true
}
