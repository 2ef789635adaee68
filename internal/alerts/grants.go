package alerts

// Grant tasks and valtuuspyyntöjä that wait: the main users are reminded of an open grant task after the policy's
// working days and then every working day until it is done; an employee who has not said they sent their
// valtuuspyyntö is reminded once.

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Alert kinds of this file.
const (
	KindGrantRemind  = "grant.remind"  // main users: a grant task waits
	KindFilingRemind = "filing.remind" // the requester: the valtuuspyyntö has not been sent
)

func init() {
	register(KindGrantRemind, planGrantReminder, grantReminder)
	register(KindFilingRemind, planFilingReminder, filingReminder)
}

// grantPayload names the request and the reminder's number (1 = the first).
type grantPayload struct {
	Request int64  `json:"request"`
	N       int    `json:"n"`
	Since   string `json:"since"` // RFC 3339: when the task began to wait
}

// waitingGrant reports whether the main users have something to do on r now: items they can grant, on the direct
// path, or, on the valtuuspyyntö path, items the employee said they sent.
func waitingGrant(r domain.Request) bool {
	if r.State != domain.RequestApproved {
		return false
	}
	return slices.ContainsFunc(r.Items, func(it domain.RequestItem) bool {
		return it.Grantable() && (r.GrantPath == domain.PathDirect || !it.FiledAt.IsZero())
	})
}

// planGrantReminder schedules the first reminder when a grant task begins to wait: on approval (direct path), when
// the employee says they sent the request, on a switch to the direct grant, and when waiting items get the right.
func planGrantReminder(s *Service, c Change) ([]domain.Job, []string) {
	switch c.Event {
	case EventDecided, EventFiled, EventDirect, EventRight:
	default:
		return nil, nil
	}
	if !waitingGrant(c.Request) {
		return nil, nil
	}
	// One chain of reminders per request and start: a later start (say, items that got the right) begins its own.
	start := c.At.UTC().Format(time.RFC3339)
	p := grantPayload{Request: c.Request.ID, N: 1, Since: start}
	return []domain.Job{Job(KindGrantRemind, RequestSubject(c.Request.ID), start+"/1",
		s.At(c.At, s.Policy().GrantReminderDays), p)}, nil
}

// grantReminder reminds the main users of a grant task still open, and schedules the next reminder for the next
// working day.
func grantReminder(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p grantPayload
	r, ok, err := requestOf(ctx, tx, job, &p, &p.Request)
	if !ok || err != nil {
		return nil, err
	}
	if !waitingGrant(r) {
		return nil, nil // done meanwhile: the chain ends
	}
	since, _ := time.Parse(time.RFC3339, p.Since)
	days := s.workingDaysBetween(since, s.now())
	var msgs []domain.OutboxMessage
	for _, mu := range s.Catalog.Org.MainUsers {
		msgs = append(msgs, domain.Message(mu, r.ID, domain.GrantReminder{Days: days}))
	}
	next := grantPayload{Request: p.Request, N: p.N + 1, Since: p.Since}
	_, err = tx.Schedule(ctx, Job(KindGrantRemind, RequestSubject(r.ID), p.Since+"/"+strconv.Itoa(next.N), s.At(s.now(), 1), next))
	return msgs, err
}

// filingPayload names the request whose valtuuspyyntö is awaited.
type filingPayload struct {
	Request int64 `json:"request"`
}

// planFilingReminder schedules the reminder to send the valtuuspyyntö when the employee gets the steps: on approval
// and when items that waited for the right continue, on the valtuuspyyntö path.
func planFilingReminder(s *Service, c Change) ([]domain.Job, []string) {
	if (c.Event != EventDecided && c.Event != EventRight) || c.Request.GrantPath != domain.PathRequest || len(unfiled(c.Request)) == 0 {
		return nil, nil
	}
	at := c.At.UTC().Format(time.RFC3339)
	return []domain.Job{Job(KindFilingRemind, RequestSubject(c.Request.ID), at,
		s.At(c.At, s.Policy().FilingReminderDays), filingPayload{Request: c.Request.ID})}, nil
}

// unfiled are the ids of r's grantable items the employee has not said they requested.
func unfiled(r domain.Request) []int64 {
	var ids []int64
	for _, it := range r.Items {
		if it.Grantable() && it.FiledAt.IsZero() {
			ids = append(ids, it.ID)
		}
	}
	return ids
}

// filingReminder reminds the requester to send the valtuuspyyntö, when some grantable item still waits for it.
func filingReminder(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p filingPayload
	r, ok, err := requestOf(ctx, tx, job, &p, &p.Request)
	if !ok || err != nil {
		return nil, err
	}
	ids := unfiled(r)
	if r.State != domain.RequestApproved || r.GrantPath != domain.PathRequest || len(ids) == 0 {
		return nil, nil
	}
	return []domain.OutboxMessage{domain.Message(r.RequesterID, r.ID, domain.FilingReminder{Items: ids})}, nil
}

// workingDaysBetween counts the working days from since to now (0 when since is zero or later).
func (s *Service) workingDaysBetween(since, now time.Time) int {
	if since.IsZero() {
		return 0
	}
	cal := s.Calendar()
	n := 0
	for d := cal.Date(since); d.Before(cal.Date(now)); d = d.AddDays(1) {
		if cal.IsWorkingDay(d.AddDays(1)) {
			n++
		}
	}
	return n
}

// requestOf decodes the job's payload into p and reads the request *id names in tx; ok is false when the request
// is gone (nothing to remind of).
func requestOf(ctx context.Context, tx domain.Tx, job domain.Job, p any, id *int64) (r domain.Request, ok bool, err error) {
	if err := decode(job, p); err != nil {
		return r, false, err
	}
	r, err = tx.Request(ctx, *id)
	if domain.IsCode(err, domain.ENotFound) {
		return r, false, nil
	}
	return r, err == nil, err
}
