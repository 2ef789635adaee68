package alerts

// Invalidation (issue 8.6): an open invalidation task reminds the main users as a grant task does, after the
// policy's GrantReminderDays working days and then every working day, until a main user confirms that the mandate
// was invalidated in Suomi.fi. Each reminder, when it falls due, reads the task again: a confirmed task (or a mandate
// no longer active) sends nothing and ends the chain; otherwise the main users get the task card again and the next
// reminder is scheduled.

import (
	"context"
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// KindInvalidation is the reminder of an open invalidation task.
const KindInvalidation = "invalidation"

// EventInvalidationRequested: a main user opened, or the holder's supervisor asked for, an invalidation task for the
// mandate in Change.Mandates.
const EventInvalidationRequested = "invalidation_requested"

func init() {
	register(KindInvalidation, planInvalidation, invalidationEffect)
	describe(KindInvalidation, previewInvalidation)
}

// invalidationPayload names the mandate and the reminder's number (1 for the first).
type invalidationPayload struct {
	Mandate  int64 `json:"mandate"`
	Reminder int   `json:"reminder"`
}

// planInvalidation schedules the first reminder of a new task.
func planInvalidation(s *Service, c Change) (schedule []domain.Job, cancel []string) {
	if c.Event != EventInvalidationRequested {
		return nil, nil
	}
	for _, m := range c.Mandates {
		schedule = append(schedule, s.invalidationReminder(m.ID, 1, s.At(c.At, s.Policy().GrantReminderDays)))
	}
	return schedule, nil
}

// invalidationReminder is the n-th reminder of the mandate's task, due at.
func (s *Service) invalidationReminder(mandateID int64, n int, at time.Time) domain.Job {
	return Job(KindInvalidation, MandateSubject(mandateID), strconv.Itoa(n), at,
		invalidationPayload{Mandate: mandateID, Reminder: n})
}

// invalidationEffect reminds the main users of an open task and schedules the next reminder.
func invalidationEffect(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p invalidationPayload
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	mt, m, ok, err := s.mandateFor(ctx, tx, p.Mandate)
	if err != nil || !ok || m.State != domain.MandateActive {
		return nil, err
	}
	inv, err := mt.Invalidation(ctx, m.ID)
	if domain.IsCode(err, domain.ENotFound) || (err == nil && !inv.Open()) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	next := s.invalidationReminder(m.ID, p.Reminder+1, s.At(s.now(), 1))
	if _, err := tx.Schedule(ctx, next); err != nil {
		return nil, err
	}
	var msgs []domain.OutboxMessage
	for _, mu := range s.Catalog.Org.MainUsers {
		msgs = append(msgs, domain.MandateMessage(mu, m, domain.InvalidationTask{Mandate: m.ID, Reminder: p.Reminder}))
	}
	return msgs, systemAudit(ctx, tx, "mandate.invalidation_reminded", m, map[string]any{"reminder": p.Reminder,
		"requested_at": inv.RequestedAt, "recipients": len(msgs)})
}

// previewInvalidation is the reminder an open task would send at job.RunAt, and the next one it would schedule.
func previewInvalidation(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	var pl invalidationPayload
	if err := decode(job, &pl); err != nil {
		return nil, nil, err
	}
	r, m, ok, err := s.previewMandate(ctx, pl.Mandate)
	if err != nil || !ok || m.State != domain.MandateActive {
		return nil, nil, err
	}
	inv, err := r.Invalidation(ctx, m.ID)
	if domain.IsCode(err, domain.ENotFound) || (err == nil && !inv.Open()) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return []Alert{{To: s.Catalog.Org.MainUsers, What: p.Format("alert.invalidation_remind", "name", m.HolderName,
			"theme", s.themeName(m, p))}},
		[]domain.Job{s.invalidationReminder(m.ID, pl.Reminder+1, s.At(job.RunAt, 1))}, nil
}
