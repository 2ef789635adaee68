package alerts

// The preview: every alert that would go out from a day for some days (who, what, when), without sending
// anything. It walks the pending jobs in time order as the scheduler would, asks each kind what its job would send
// given the register as it is now, and follows the jobs a job would schedule next (the next reminder, next week's
// digest) while they fall inside the window.

import (
	"context"
	"slices"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Alert is one alert the preview expects.
type Alert struct {
	At   time.Time
	Kind string
	To   []string // Entra object ids
	What string   // in the printer's language
}

// previewer tells what a job would send now (none when its reason has gone) and the jobs it would schedule next.
type previewer func(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error)

var previewers = map[string]previewer{}

// describe registers the previewer of an alert kind. A kind without one is listed by its job alone.
func describe(kind string, pv previewer) {
	registryMu.Lock()
	defer registryMu.Unlock()
	previewers[kind] = pv
}

// PendingJobs lists the jobs the scheduler would run before a time (sqlstore.Jobs).
type PendingJobs interface {
	PendingUntil(ctx context.Context, until time.Time) ([]domain.Job, error)
}

// Preview lists the alerts that would go out from from for days days, in time order, in p's language.
func (s *Service) Preview(ctx context.Context, jobs PendingJobs, from time.Time, days int, p i18n.Printer) ([]Alert, error) {
	until := from.AddDate(0, 0, days)
	queue, err := jobs.PendingUntil(ctx, until)
	if err != nil {
		return nil, err
	}
	cal := s.Calendar()
	var out []Alert
	seen := map[string]bool{}
	for len(queue) > 0 {
		slices.SortStableFunc(queue, func(a, b domain.Job) int { return a.RunAt.Compare(b.RunAt) })
		job := queue[0]
		queue = queue[1:]
		if seen[job.Key] {
			continue
		}
		seen[job.Key] = true
		at := cal.NextWorkingMoment(maxTime(job.RunAt, from))
		if !at.Before(until) {
			continue
		}
		job.RunAt = at
		pv, ok := previewers[job.Kind]
		if !ok {
			out = append(out, Alert{At: at, Kind: job.Kind, What: job.Key})
			continue
		}
		alerts, next, err := pv(s, ctx, job, p)
		if err != nil {
			return nil, err
		}
		for _, a := range alerts {
			a.At, a.Kind = at, job.Kind
			out = append(out, a)
		}
		for _, n := range next {
			n.RunAt = n.DueAt
			if n.RunAt.Before(until) {
				queue = append(queue, n)
			}
		}
	}
	return out, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func init() {
	describe(KindGrantRemind, previewGrantReminder)
	describe(KindFilingRemind, previewFilingReminder)
	describe(KindWeeklyDigest, previewDigest)
}

func previewGrantReminder(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	var pl grantPayload
	if err := decode(job, &pl); err != nil {
		return nil, nil, err
	}
	r, err := s.Store.Request(ctx, pl.Request)
	if err != nil || !waitingGrant(r) {
		return nil, nil, ignoreGone(err)
	}
	next := grantPayload{Request: pl.Request, N: pl.N + 1, Since: pl.Since}
	return []Alert{{To: s.Catalog.Org.MainUsers, What: p.Format("alert.grant_remind", "ref", r.Reference(), "name", r.RequesterName)}},
		[]domain.Job{Job(KindGrantRemind, RequestSubject(r.ID), pl.Since+"/"+itoa(next.N), s.At(job.RunAt, 1), next)}, nil
}

func previewFilingReminder(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	var pl filingPayload
	if err := decode(job, &pl); err != nil {
		return nil, nil, err
	}
	r, err := s.Store.Request(ctx, pl.Request)
	if err != nil || r.State != domain.RequestApproved || r.GrantPath != domain.PathRequest || len(unfiled(r)) == 0 {
		return nil, nil, ignoreGone(err)
	}
	return []Alert{{To: []string{r.RequesterID}, What: p.Format("alert.filing_remind", "ref", r.Reference(), "name", r.RequesterName)}}, nil, nil
}

func previewDigest(s *Service, _ context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	var pl digestPayload
	if err := decode(job, &pl); err != nil {
		return nil, nil, err
	}
	if !s.Catalog.Org.IsMainUser(pl.MainUser) {
		return nil, nil, nil
	}
	return []Alert{{To: []string{pl.MainUser}, What: p.Get("alert.weekly_digest")}}, []domain.Job{s.digestJob(pl.MainUser, job.RunAt)}, nil
}

// ignoreGone treats a subject that no longer exists as nothing to send.
func ignoreGone(err error) error {
	if domain.IsCode(err, domain.ENotFound) {
		return nil
	}
	return err
}

func init() {
	describe(KindApprovalReminder, previewApproval("alert.approval_reminder", false))
	describe(KindApprovalEscalation, previewApproval("alert.approval_escalation", false))
	describe(KindApprovalExpiry, previewApproval("alert.approval_expiry", true))
}

// previewApproval describes an approval alert while the request still waits for the assignment it was planned
// for: to the approver (or, for the expiry, the requester).
func previewApproval(key string, toRequester bool) previewer {
	return func(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
		var pl approvalJob
		if err := decode(job, &pl); err != nil {
			return nil, nil, err
		}
		r, err := s.Store.Request(ctx, pl.Request)
		if err != nil || r.State != domain.RequestPending || (!toRequester && !pl.current(r)) {
			return nil, nil, ignoreGone(err)
		}
		to := r.ApproverID
		if toRequester {
			to = r.RequesterID
		}
		return []Alert{{To: []string{to}, What: p.Format(key, "ref", r.Reference(), "name", r.RequesterName)}}, nil, nil
	}
}
