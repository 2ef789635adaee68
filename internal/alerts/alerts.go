// Package alerts is the herätteet: the reminders, escalations and notices that Suomi.fi itself does not send. Each
// alert is a scheduled job (internal/scheduler) in the SQL database, planned when the change that causes it
// commits (Plan, called by the workflow inside its transaction) and due at a working moment of the organisation's
// calendar (internal/worktime); outside working hours a due alert waits. When it runs, its handler reads the
// register as it is then, does nothing if the reason has gone (the request was decided, the mandate renewed), and
// otherwise writes its effects (outbox messages, audit rows, the next alert) in one transaction together with the
// job's key in job_effects, so that a job run twice has its effects once.
//
// Each kind of alert lives in its own file and registers its planner (which events schedule it) and its handler
// in an init function, so kinds can be added without editing a shared table.
package alerts

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
	"github.com/valtuusbotti/valtuusbotti/internal/worktime"
)

// Store is the register as alerts read and write it.
type Store interface {
	InTx(ctx context.Context, fn func(tx domain.Tx) error) error
	Request(ctx context.Context, id int64) (domain.Request, error)
	RequestsAwaitingGrant(ctx context.Context) ([]domain.Request, error)
	RequestsAwaitingApprover(ctx context.Context, approverID string) ([]domain.Request, error)
	MandatesByHolder(ctx context.Context, holderID string) ([]domain.Mandate, error)
}

// Service plans and runs the organisation's alerts.
type Service struct {
	Store     Store
	Catalog   *catalog.Catalog
	Directory domain.Directory
	Now       func() time.Time
	Logger    *slog.Logger
	// Committed is called after a handler's transaction enqueued messages, to wake the outbox worker.
	Committed func()
}

// Events the workflow reports to Plan, each with the request it happened to (and the mandates a grant created).
const (
	EventSubmitted = "submitted" // a request was filed; it waits for its approver
	EventDecided   = "decided"   // the approver decided
	EventFiled     = "filed"     // the employee says they sent their valtuuspyyntö
	EventDirect    = "direct"    // the request switched to the direct grant
	EventRight     = "right"     // items that waited for the right to grant continue
	EventGranted   = "granted"   // a main user recorded grants (the mandates created are given)
	EventCancelled = "cancelled" // the requester withdrew the request
)

// Change is what Plan is told about.
type Change struct {
	Event    string
	Request  domain.Request
	Mandates []domain.Mandate // EventGranted: the mandates created
	At       time.Time        // when it happened
}

// planner returns the jobs a change schedules and the keys of jobs it makes pointless (cancelled).
type planner func(s *Service, c Change) (schedule []domain.Job, cancel []string)

// effect is an alert's handler: it runs inside the transaction that records the job's effects. It reads what it
// needs again through tx and returns the outbox messages to send (with its other writes done through tx).
type effect func(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error)

var (
	registryMu sync.Mutex
	planners   []planner
	effects    = map[string]effect{}
)

// register adds an alert kind: its handler, and its planner (nil when other code schedules it).
func register(kind string, p planner, e effect) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if _, dup := effects[kind]; dup {
		panic("alerts: kind " + kind + " registered twice")
	}
	effects[kind] = e
	if p != nil {
		planners = append(planners, p)
	}
}

// Plan schedules, inside tx, the alerts a change causes, and cancels the ones it makes pointless. The workflow
// calls it in the transaction of the change.
func (s *Service) Plan(ctx context.Context, tx domain.Tx, c Change) error {
	if s == nil {
		return nil
	}
	for _, p := range planners {
		jobs, cancel := p(s, c)
		for _, key := range cancel {
			if _, err := tx.CancelJob(ctx, key); err != nil {
				return err
			}
		}
		for _, j := range jobs {
			if _, err := tx.Schedule(ctx, j); err != nil {
				return err
			}
		}
	}
	return nil
}

// Handlers are the scheduler's handlers, one per alert kind.
func (s *Service) Handlers() map[string]scheduler.Handler {
	out := map[string]scheduler.Handler{}
	for kind, e := range effects {
		out[kind] = s.handler(e)
	}
	return out
}

// Kinds are the registered alert kinds, sorted.
func Kinds() []string {
	var out []string
	for k := range effects {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// handler runs an effect: outside working hours it defers the job to the next working moment; otherwise it runs
// the effect in a transaction with the job's key recorded, once.
func (s *Service) handler(e effect) scheduler.Handler {
	return func(ctx context.Context, job domain.Job) error {
		now := s.now()
		if cal := s.Calendar(); !cal.IsWorkingTime(now) {
			return &scheduler.Later{Until: cal.NextWorkingMoment(now), Why: "outside working hours"}
		}
		sent := 0
		err := s.Store.InTx(ctx, func(tx domain.Tx) error {
			sent = 0
			first, err := tx.FirstEffect(ctx, job.Key)
			if err != nil || !first {
				return err // !first: an earlier run had the effects
			}
			msgs, err := e(s, ctx, tx, job)
			if err != nil {
				return err
			}
			for _, m := range msgs {
				if err := tx.Enqueue(ctx, m); err != nil {
					return err
				}
			}
			sent = len(msgs)
			return nil
		})
		if err != nil {
			return err
		}
		if sent > 0 && s.Committed != nil {
			s.Committed()
		}
		s.log().InfoContext(ctx, "alert", slog.String("kind", job.Kind), slog.Int("messages", sent))
		return nil
	}
}

// Policy is the organisation's alert policy with its defaults.
func (s *Service) Policy() domain.AlertPolicy { return s.Catalog.Org.Alerts.Defaults() }

// Calendar is the organisation's working calendar: Finnish public holidays, weekends and its working hours.
func (s *Service) Calendar() worktime.Calendar {
	p := s.Policy()
	start, _ := worktime.ParseClock(p.WorkStart) // validated when the catalog was loaded
	end, _ := worktime.ParseClock(p.WorkEnd)
	return worktime.Calendar{WorkStart: start, WorkEnd: end}
}

// At is the first working moment on or after the working day n working days after t (n = 0: t itself, or the next
// working moment).
func (s *Service) At(t time.Time, n int) time.Time {
	cal := s.Calendar()
	if n > 0 {
		t = cal.AddWorkingDays(t, n)
	}
	return cal.NextWorkingMoment(t)
}

// OnDay is the start of working hours on day d, or on the next working day.
func (s *Service) OnDay(d domain.Date) time.Time {
	return s.Calendar().NextWorkingMoment(d.Time()) // 00:00 UTC is early morning of the same day in Finland
}

// Job builds a job of kind for subject (e.g. "request/42"), occurrence naming which one of its kind it is (e.g. the
// reminder's number), due at, with payload as JSON.
func Job(kind, subject, occurrence string, at time.Time, payload any) domain.Job {
	raw, _ := json.Marshal(payload)
	return domain.Job{Kind: kind, Key: kind + "/" + subject + "/" + occurrence, Payload: raw, DueAt: at.UTC()}
}

// RequestSubject is the job subject of a request.
func RequestSubject(id int64) string { return "request/" + strconv.FormatInt(id, 10) }

// decode reads a job's payload into v; a payload no handler can read is permanent.
func decode(job domain.Job, v any) error {
	if err := json.Unmarshal(job.Payload, v); err != nil {
		return fmt.Errorf("%w: job %s: %v", scheduler.ErrPermanent, job.Key, err)
	}
	return nil
}

// Today is the service clock's current time (the field Now may be nil: the wall clock).
func (s *Service) Today() time.Time { return s.now() }

// Name is a person's display name from the directory, or their id when the directory does not know them.
func (s *Service) Name(ctx context.Context, id string) string {
	if s.Directory != nil {
		if u, err := s.Directory.User(ctx, id); err == nil && u.DisplayName != "" {
			return u.DisplayName
		}
	}
	return id
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Logger
}

func itoa(n int) string { return strconv.Itoa(n) }
