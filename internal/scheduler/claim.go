package scheduler

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

// errClaimLost is the cause of a handler's cancellation when the runner no longer holds its job.
var errClaimLost = errors.New("scheduler claim lost")

// claim is this runner's hold on the jobs of one ClaimDue call: the claim's token and, for each job it still
// holds, when the lease ends as far as the runner knows. A heartbeat renews every held job every quarter of the
// lease, the running ones and those waiting for their turn. A job whose renewal is refused leaves the claim, and
// if its handler is running, the handler's context is cancelled. So it is when renewals fail (the store
// unreachable or slow) until a quarter of the lease is left: from the end of the lease another runner may claim
// the job, and the handler needs the time to stop.
type claim struct {
	r     *Runner
	token string

	mu      sync.Mutex
	until   map[int64]time.Time               // lease ends of the jobs still held
	running map[int64]context.CancelCauseFunc // cancels the handlers running
}

func (r *Runner) newClaim(jobs []domain.Job, token string, now time.Time) *claim {
	c := &claim{r: r, token: token, until: make(map[int64]time.Time, len(jobs)), running: map[int64]context.CancelCauseFunc{}}
	for _, j := range jobs {
		c.until[j.ID] = now.Add(r.Lease)
	}
	return c
}

// giveUp is when the runner stops relying on a claim whose lease ends at until.
func (c *claim) giveUp(until time.Time) time.Time { return until.Add(-c.r.Lease / 4) }

// heartbeat renews the held jobs on every tick until ctx ends or the function returned is called, which waits for
// it to stop.
func (c *claim) heartbeat(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	tick, stopTicker := c.r.ticker(max(c.r.Lease/4, time.Millisecond))
	go func() {
		defer close(done)
		defer stopTicker()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick:
				c.renew(ctx)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// renew renews the claim on every held job once.
func (c *claim) renew(ctx context.Context) {
	c.mu.Lock()
	held := slices.Sorted(maps.Keys(c.until))
	c.mu.Unlock()
	for _, id := range held {
		now := c.r.Now()
		rctx, cancel := context.WithTimeout(ctx, c.r.Lease/4)
		err := c.r.Store.Renew(rctx, id, c.token, now, c.r.Lease)
		cancel()
		switch {
		case err == nil:
			c.renewed(id, now.Add(c.r.Lease))
		case domain.IsCode(err, domain.EConflict) || domain.IsCode(err, domain.ENotFound):
			c.lost(id)
		case ctx.Err() != nil:
			return
		default:
			c.failed(ctx, id, now, err)
		}
	}
}

func (c *claim) renewed(id int64, until time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, held := c.until[id]; held { // else done meanwhile
		c.until[id] = until
	}
}

// failed handles a renewal that did not get an answer: the claim holds until a quarter of its lease is left.
func (c *claim) failed(ctx context.Context, id int64, now time.Time, err error) {
	c.mu.Lock()
	until, held := c.until[id]
	c.mu.Unlock()
	attrs := []slog.Attr{slog.Int64("job_id", id), slog.String("error", err.Error())}
	if held && c.giveUp(until).After(now) {
		c.r.Logger.LogAttrs(ctx, slog.LevelWarn, "could not renew job claim; retrying", attrs...)
		return
	}
	c.r.Logger.LogAttrs(ctx, slog.LevelWarn, "could not renew job claim before its lease ends; giving it up", attrs...)
	c.lost(id)
}

func (c *claim) lost(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.until, id)
	if cancel := c.running[id]; cancel != nil {
		cancel(errClaimLost)
	}
}

// begin starts job id. It returns the handler's context, which is cancelled when the claim is lost, or false when
// it already is and the job must not run.
func (c *claim) begin(ctx context.Context, id int64) (context.Context, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	until, held := c.until[id]
	if !held || !c.giveUp(until).After(c.r.Now()) {
		delete(c.until, id)
		return nil, false
	}
	hctx, cancel := context.WithCancelCause(ctx)
	c.running[id] = cancel
	return hctx, true
}

// end finishes the handler of job id, whose context hctx is, and reports whether the claim was lost meanwhile.
// The job stays held, and renewed, until done is called once its outcome is recorded.
func (c *claim) end(id int64, hctx context.Context) (lost bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	lost = errors.Is(context.Cause(hctx), errClaimLost)
	c.running[id](nil)
	delete(c.running, id)
	return lost
}

// done lets job id leave the claim: it is no longer renewed.
func (c *claim) done(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.until, id)
}
