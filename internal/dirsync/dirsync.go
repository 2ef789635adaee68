// Package dirsync keeps the register's picture of the organisation's directory and raises the joiner, mover and
// leaver events (domain.DirectoryEvent) its changes mean.
//
// A sync asks a directory.DeltaSource (Microsoft Graph users/delta, or the demo file) for the changes since the
// link the last sync stored, compares them with the stored snapshot of each person and, in one transaction, stores
// the new snapshot and link and schedules each event's job (domain.DirectoryEvent.Job); the handlers of those jobs
// act on the events. The first sync of an organisation records a baseline: the people already there raise no
// events (except a leave date still ahead). An expired delta link makes a full round, compared with the snapshot
// like any other, so it raises only what really changed. Organisations that share one directory each sync it with
// their own membership rule (Syncer.Member) and raise the events of their own people.
//
// Exactly once, across re-runs and replicas: a sync runs under a lease in the database (one replica at a time); its
// transaction locks the organisation's sync state and discards its result when another sync committed after this
// one read the state (the version moved); and a job is scheduled once per key, so even two syncs that saw the same
// change schedule one job.
package dirsync

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
)

// Defaults of a Syncer.
const (
	DefaultInterval      = 15 * time.Minute
	DefaultLease         = 10 * time.Minute
	DefaultWatchInterval = 2 * time.Second
)

// Syncer syncs one organisation's directory. Store, Source and Org are required.
//
// Several organisations may share one directory (a city and its municipal enterprises in one Entra tenant): each
// has its own Syncer with the same Source, its own Org and a Member rule. The organisation's snapshot still holds
// everyone in the directory, members or not (membership is not stored: the rule is applied to the snapshot as read
// and to the people as the round leaves them), because a tracked round carries only the properties that changed:
// a person whose company name alone changes must still be known by name and mail when they become a member. The
// events are the members' only: a person who is not a member is absent from the organisation, so a non-member
// joining the directory raises nothing, a member who stops being one (their company name changed, say) is the
// organisation's leaver as if deleted from the directory (Before set, After nil), and a person who becomes one is
// its joiner as if new (Before nil). A change of the rule itself raises nothing: the stored and the new picture of
// a person are both judged by the rule in use. Result.Changed counts the snapshot's people, members or not.
type Syncer struct {
	Store  *sqlstore.DirSync
	Source directory.DeltaSource
	Org    string // the organisation's business id (Y-tunnus): the key of its snapshot
	// Member says whether a person belongs to the organisation; nil means everyone in the directory does.
	Member func(domain.User) bool
	Now    func() time.Time
	Logger *slog.Logger

	Interval time.Duration // between syncs in Loop; default DefaultInterval
	Lease    time.Duration // how long a sync may hold the organisation's lease; default DefaultLease
	// Watch, when set, is polled every WatchInterval in Loop; a change syncs at once (the demo file's Reload).
	Watch         func() (bool, error)
	WatchInterval time.Duration
}

// Result is what a sync did, or with DryRun would do.
type Result struct {
	Events   []domain.DirectoryEvent
	Jobs     int  // jobs newly scheduled (a job already there with the key is not counted)
	Baseline bool // the sync recorded the organisation's first snapshot
	Full     bool // the round was a full one (first sync, expired link, the demo file)
	Changed  int  // people stored or removed
	// Skipped says why the sync did nothing: "lease" (another replica is syncing) or "superseded" (another sync
	// committed after this one read the state; the next sync continues from there).
	Skipped string
}

var errDryRun = errors.New("dirsync: dry run")

// Run syncs once under the organisation's lease.
func (s *Syncer) Run(ctx context.Context) (Result, error) {
	token := newToken()
	ok, err := s.Store.TakeLease(ctx, s.Org, token, s.now(), s.lease())
	if err != nil {
		return Result{}, err
	}
	if !ok {
		return Result{Skipped: "lease"}, nil
	}
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if err := s.Store.ReleaseLease(rctx, s.Org, token); err != nil {
			s.logger().Warn("directory sync lease not released; it ends by itself", slog.String("error", err.Error()))
		}
	}()
	return s.sync(ctx, false)
}

// DryRun works out what the next sync would do and changes nothing: no snapshot, link or job is written.
func (s *Syncer) DryRun(ctx context.Context) (Result, error) { return s.sync(ctx, true) }

func (s *Syncer) sync(ctx context.Context, dry bool) (Result, error) {
	const op = "dirsync.Sync"
	if s.Org == "" {
		return Result{}, &domain.Error{Code: domain.EInvalid, Op: op, Message: "the organisation's business id is required"}
	}
	read, err := s.Store.State(ctx, s.Org)
	if err != nil {
		return Result{}, err
	}
	d, err := s.Source.Delta(ctx, read.DeltaLink)
	if errors.Is(err, directory.ErrDeltaExpired) && read.DeltaLink != "" {
		s.logger().Info("directory delta link expired; syncing everyone again")
		d, err = s.Source.Delta(ctx, "")
	}
	if err != nil {
		return Result{}, domain.Wrap(op, err)
	}
	var res Result
	err = s.Store.InTx(ctx, s.Org, func(tx *sqlstore.DirSyncTx) error {
		res = Result{Full: d.Full}
		now := s.now()
		st, err := tx.LockState(ctx)
		if err != nil {
			return err
		}
		if st.Version != read.Version {
			res.Skipped = "superseded"
			return nil
		}
		old, err := tx.People(ctx)
		if err != nil {
			return err
		}
		res.Baseline = st.BaselineAt.IsZero()
		pl := diff(old, d, res.Baseline, now, s.Member)
		res.Events, res.Changed = pl.events, len(pl.put)+len(pl.remove)
		if dry {
			return errDryRun
		}
		if res.Jobs, err = apply(ctx, tx, pl, now); err != nil {
			return err
		}
		st.DeltaLink, st.Version, st.SyncedAt = d.Link, st.Version+1, now
		if res.Baseline {
			st.BaselineAt = now
		}
		return tx.SaveState(ctx, st)
	})
	if errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		return Result{}, domain.Wrap(op, err)
	}
	return res, nil
}

// apply writes a plan in the sync's transaction: the snapshot, the cancelled leaver jobs and the events' jobs.
func apply(ctx context.Context, tx *sqlstore.DirSyncTx, pl plan, now time.Time) (int, error) {
	for _, p := range pl.put {
		if err := tx.PutPerson(ctx, p, now); err != nil {
			return 0, err
		}
	}
	for _, id := range pl.remove {
		if err := tx.DeletePerson(ctx, id); err != nil {
			return 0, err
		}
	}
	jobs := make([]domain.Job, 0, len(pl.events))
	keep := map[string]bool{}
	for _, ev := range pl.events {
		j, err := ev.Job(now)
		if err != nil {
			return 0, err
		}
		jobs = append(jobs, j)
		keep[j.Key] = true
	}
	for _, key := range pl.cancel {
		if keep[key] {
			continue // the same day again (only the time moved): the pending job stands
		}
		if _, err := tx.CancelJob(ctx, key); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, j := range jobs {
		added, err := tx.Schedule(ctx, j)
		if err != nil {
			return 0, err
		}
		if added {
			n++
		}
	}
	return n, nil
}

// Loop syncs at once and then every Interval (skipping a turn when another replica synced within half of it), and
// at once when Watch reports a change, until ctx ends. Failures are logged; the next turn tries again.
func (s *Syncer) Loop(ctx context.Context) {
	interval := s.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	s.pass(ctx, "start")
	tick := time.NewTicker(interval)
	defer tick.Stop()
	var watch <-chan time.Time
	if s.Watch != nil {
		w := time.NewTicker(cmpOr(s.WatchInterval, DefaultWatchInterval))
		defer w.Stop()
		watch = w.C
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if st, err := s.Store.State(ctx, s.Org); err == nil && st.SyncedAt.After(s.now().Add(-interval/2)) {
				continue // another replica synced a moment ago
			}
			s.pass(ctx, "interval")
		case <-watch:
			changed, err := s.Watch()
			if err != nil {
				s.logger().Warn("directory file not reloaded; the last good version stays in use", slog.String("error", err.Error()))
				continue
			}
			if changed {
				s.pass(ctx, "file changed")
			}
		}
	}
}

func (s *Syncer) pass(ctx context.Context, why string) {
	res, err := s.Run(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.logger().Warn("directory sync failed", slog.String("trigger", why), slog.String("error", err.Error()))
		}
		return
	}
	counts := map[domain.DirectoryEventKind]int{}
	for _, ev := range res.Events {
		counts[ev.Kind]++
	}
	s.logger().Info("directory synced", slog.String("trigger", why), slog.Bool("baseline", res.Baseline),
		slog.Bool("full", res.Full), slog.Int("changed", res.Changed), slog.Int("joiners", counts[domain.Joiner]),
		slog.Int("movers", counts[domain.Mover]), slog.Int("leavers", counts[domain.Leaver]),
		slog.Int("jobs", res.Jobs), slog.String("skipped", res.Skipped))
}

func (s *Syncer) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Syncer) lease() time.Duration { return cmpOr(s.Lease, DefaultLease) }

func (s *Syncer) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func newToken() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("dirsync: no randomness: %v", err))
	}
	return hex.EncodeToString(b[:])
}
