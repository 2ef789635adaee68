package alerts

// Leaver (issue 10.4): when a person leaves (account disabled or deleted, or their leave date has come: the job is
// due on that day), the main users get one invalidation task for all of the person's active mandates together, with
// the selection basket's steps in Suomi.fi, reminded like any invalidation task (after the policy's
// GrantReminderDays working days, then every working day) until a main user has confirmed every mandate on it. The
// person's requests that still wait are ended (no message to the person, who has left; every card of the request is
// updated), and the requests waiting for the person's decision go to the alternate approver (the requester's
// department head, then a main user; a delegate where one is in force). A holder of the right to grant who leaves
// raises a continuity alert. A leaver with none of these produces only the audit row.

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// KindLeaverRemind is the reminder of a leaver's invalidation task.
const KindLeaverRemind = "leaver.remind"

func init() {
	register(domain.Leaver.JobKind(), nil, leaverEffect)
	register(KindLeaverRemind, nil, leaverReminder)
}

// lifeTx is what the directory's handlers read inside the job's transaction (sqlstore.Tx).
type lifeTx interface {
	domain.MandateTx
	ActiveMandatesOf(ctx context.Context, holderID string, today time.Time) ([]domain.Mandate, error)
	OpenRequestsBy(ctx context.Context, requesterID string) ([]domain.Request, error)
	ThemesInUse(ctx context.Context, today time.Time) ([]string, error)
}

func lifeTxOf(tx domain.Tx) (lifeTx, error) {
	if lt, ok := tx.(lifeTx); ok {
		return lt, nil
	}
	return nil, &domain.Error{Code: domain.EInternal, Message: "the register's transaction has no directory reads"}
}

// orgTexts are the organisation's default-language texts, for what the register records in words (a reason).
var orgTexts = sync.OnceValue(i18n.MustLoad)

// leaverPayload is the payload of a leaver's task reminders: the person, the day of the event that opened the task
// (a later event about the same person opens a task, and a chain, of its own), the mandates on it and the reminder's
// number.
type leaverPayload struct {
	Person   string  `json:"person"`
	Name     string  `json:"name"`
	Day      string  `json:"day"`
	Mandates []int64 `json:"mandates"`
	Reminder int     `json:"reminder"`
}

// leaverReminderJob is the n-th reminder of the person's task, due at.
func leaverReminderJob(p leaverPayload, at time.Time) domain.Job {
	return Job(KindLeaverRemind, "person/"+p.Person+"/"+p.Day, strconv.Itoa(p.Reminder), at, p)
}

// decodeEvent reads the directory event a job carries.
func decodeEvent(job domain.Job) (domain.DirectoryEvent, error) {
	var ev domain.DirectoryEvent
	if err := decode(job, &ev); err != nil {
		return ev, err
	}
	if ev.PersonID == "" {
		return ev, errNoPerson(job)
	}
	return ev, nil
}

// personAudit appends the audit row of a directory event about a person.
func personAudit(ctx context.Context, tx domain.Tx, action string, after map[string]any) error {
	raw, _ := json.Marshal(after) // plain values
	return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: domain.SystemActor, Action: action,
		Before: json.RawMessage("null"), After: raw})
}

// leaverEffect handles a leaver event.
func leaverEffect(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	ev, err := decodeEvent(job)
	if err != nil {
		return nil, err
	}
	lt, err := lifeTxOf(tx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	name := s.leaverName(ctx, ev)
	if withdrawn, err := s.leaveWithdrawn(ctx, ev); err != nil || withdrawn {
		if err != nil {
			return nil, err
		}
		return nil, personAudit(ctx, tx, "directory.leaver_withdrawn", map[string]any{"person": ev.PersonID,
			"effective_on": domain.DateOf(ev.EffectiveOn).String()})
	}
	var msgs []domain.OutboxMessage

	opened, err := s.openLeaverTasks(ctx, lt, ev.PersonID, now)
	if err != nil {
		return nil, err
	}
	if len(opened) > 0 {
		p := leaverPayload{Person: ev.PersonID, Name: name, Day: domain.Today(now).String(), Mandates: opened}
		for _, mu := range s.Catalog.Org.MainUsers {
			msgs = append(msgs, domain.Message(mu, 0, domain.LeaverTask{Person: p.Person, Name: name, Mandates: opened}))
		}
		p.Reminder = 1
		if _, err := tx.Schedule(ctx, leaverReminderJob(p, s.At(now, s.Policy().GrantReminderDays))); err != nil {
			return nil, err
		}
	}

	ended, more, err := s.endLeaverRequests(ctx, lt, ev.PersonID, now)
	if err != nil {
		return nil, err
	}
	msgs = append(msgs, more...)

	moved, more, err := s.moveLeaverApprovals(ctx, tx, ev.PersonID)
	if err != nil {
		return nil, err
	}
	msgs = append(msgs, more...)

	holder := false
	if h, ok := s.Catalog.Org.RightHolder(ev.PersonID); ok {
		holder = true
		more, err := s.continuityOnce(ctx, tx, holderLeftKey(h.ID), domain.ContinuityAlert{
			Reason: domain.ContinuityHolderLeft, Holder: h.ID, HolderName: name, Themes: h.Themes, Until: h.Until})
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, more...)
	}
	s.log().InfoContext(ctx, "leaver handled", slog.String("person", domain.Pseudonym(ev.PersonID)),
		slog.Int("mandates", len(opened)), slog.Int("requests_ended", ended), slog.Int("approvals_moved", moved))
	return msgs, personAudit(ctx, tx, "directory.leaver", map[string]any{"person": ev.PersonID,
		"effective_on": domain.DateOf(ev.EffectiveOn).String(), "invalidation_tasks": len(opened),
		"requests_ended": ended, "approvals_moved": moved, "right_holder": holder})
}

// leaveWithdrawn reports whether a leave the sync saw in advance (a leave day after the day it was detected) no
// longer holds when its day comes: the directory now shows the account enabled with no leave day, or a later one
// (the employment was extended; a later leave day is an event of its own). A person the directory no longer has,
// or whose account is disabled, has left.
func (s *Service) leaveWithdrawn(ctx context.Context, ev domain.DirectoryEvent) (bool, error) {
	if s.Directory == nil || !domain.DateOf(ev.EffectiveOn).After(domain.Today(ev.DetectedAt)) {
		return false, nil
	}
	u, err := s.Directory.User(ctx, ev.PersonID)
	switch {
	case domain.IsCode(err, domain.ENotFound):
		return false, nil
	case err != nil:
		return false, err // a directory outage must not cancel a leave: the job retries
	}
	return u.AccountEnabled && (u.LeaveDate == nil || domain.Today(*u.LeaveDate).After(s.today())), nil
}

// leaverName is the leaver's name from the event, else the directory.
func (s *Service) leaverName(ctx context.Context, ev domain.DirectoryEvent) string {
	for _, p := range []*domain.DirectoryPerson{ev.Before, ev.After} {
		if p != nil && p.DisplayName != "" {
			return p.DisplayName
		}
	}
	return s.Name(ctx, ev.PersonID)
}

// openLeaverTasks opens an invalidation task for each of the person's mandates in force that has none yet, and
// returns their ids. A mandate with a task (an earlier event, or one opened by hand) keeps its own.
func (s *Service) openLeaverTasks(ctx context.Context, lt lifeTx, person string, now time.Time) ([]int64, error) {
	ms, err := lt.ActiveMandatesOf(ctx, person, now)
	if err != nil {
		return nil, err
	}
	reason := orgTexts().Printer(s.Catalog.Org.DefaultLanguage).Format("leaver.reason", "date",
		domain.Today(now).String())
	var opened []int64
	for _, m := range ms {
		if _, err := lt.Invalidation(ctx, m.ID); err == nil {
			continue
		} else if !domain.IsCode(err, domain.ENotFound) {
			return nil, err
		}
		// The register's roles are main user or supervisor: the system acts for the main users here.
		inv := domain.Invalidation{MandateID: m.ID, RequestedBy: domain.SystemActor,
			RequestedRole: domain.InvalidationByMainUser, Reason: reason}
		if err := lt.OpenInvalidation(ctx, &inv); err != nil {
			return nil, err
		}
		if err := systemAudit(ctx, lt, "mandate.invalidation_requested", m, map[string]any{"reason": "leaver",
			"holder_left": true}); err != nil {
			return nil, err
		}
		opened = append(opened, m.ID)
	}
	return opened, nil
}

// endLeaverRequests ends the person's requests that still wait: every card of each is updated; the person, who
// has left, is not messaged.
func (s *Service) endLeaverRequests(ctx context.Context, lt lifeTx, person string, now time.Time) (int, []domain.OutboxMessage, error) {
	rs, err := lt.OpenRequestsBy(ctx, person)
	if err != nil {
		return 0, nil, err
	}
	notGranted := orgTexts().Printer(s.Catalog.Org.DefaultLanguage).Get("leaver.not_granted")
	var msgs []domain.OutboxMessage
	n := 0
	for _, r := range rs {
		before := r.Clone()
		if !r.EndForLeaver(now, notGranted) {
			continue
		}
		if err := lt.UpdateRequest(ctx, &r); err != nil {
			return 0, nil, err
		}
		if err := lt.AppendAudit(ctx, domain.RequestAudit(domain.SystemActor, "request.ended_requester_left", &before, &r, "")); err != nil {
			return 0, nil, err
		}
		if before.State == domain.RequestPending {
			if err := s.Plan(ctx, lt, Change{Event: EventCancelled, Request: r.Clone(), At: now}); err != nil {
				return 0, nil, err
			}
		}
		msgs = append(msgs, domain.Message("", r.ID, domain.RefreshCards{}))
		n++
	}
	return n, msgs, nil
}

// moveLeaverApprovals moves the requests waiting for the person's decision to the alternate approver: the new
// approver gets the approval card, the requester is told why, every card is updated.
func (s *Service) moveLeaverApprovals(ctx context.Context, tx domain.Tx, person string) (int, []domain.OutboxMessage, error) {
	rs, err := tx.RequestsAwaitingApprover(ctx, person)
	if err != nil {
		return 0, nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond) // as the store keeps it: the jobs planned below compare it
	var msgs []domain.OutboxMessage
	n := 0
	for _, r := range rs {
		to, found, err := s.alternate(ctx, tx, r)
		if err != nil {
			return 0, nil, err
		}
		if !found {
			s.log().WarnContext(ctx, "nobody to move a leaver's approval to", slog.Int64("request_id", r.ID))
			continue
		}
		to.Reason, to.FromID, to.FromName = domain.ReassignEscalated, "", ""
		before := r.Clone()
		if err := r.Reassign(to, now); err != nil {
			return 0, nil, err
		}
		if err := tx.UpdateRequest(ctx, &r); err != nil {
			return 0, nil, err
		}
		if err := tx.AppendAudit(ctx, domain.RequestAudit(domain.SystemActor, "request.approver_left", &before, &r, "")); err != nil {
			return 0, nil, err
		}
		if err := s.Plan(ctx, tx, Change{Event: EventReassigned, Request: r.Clone(), At: now}); err != nil {
			return 0, nil, err
		}
		msgs = append(msgs,
			domain.Message("", r.ID, domain.RefreshCards{}),
			domain.Message(r.ApproverID, r.ID, domain.ApprovalRequest{}),
			domain.Message(r.RequesterID, r.ID, domain.ApproverChanged{Reason: domain.ReassignApproverLeft,
				FromID: before.ApproverID, FromName: before.ApproverName, ToID: r.ApproverID, ToName: r.ApproverName}))
		n++
	}
	return n, msgs, nil
}

// leaverReminder reminds the main users of the mandates on a leaver's task not yet confirmed, and schedules the
// next reminder; once every one is confirmed (or no longer in force) the chain ends.
func leaverReminder(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p leaverPayload
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	mt, err := domain.MandateTxOf(tx)
	if err != nil {
		return nil, err
	}
	open, err := openOnTask(ctx, mt, p.Mandates, domain.Today(s.now()))
	if err != nil || len(open) == 0 {
		return nil, err
	}
	next := p
	next.Reminder++
	if _, err := tx.Schedule(ctx, leaverReminderJob(next, s.At(s.now(), 1))); err != nil {
		return nil, err
	}
	var msgs []domain.OutboxMessage
	for _, mu := range s.Catalog.Org.MainUsers {
		msgs = append(msgs, domain.Message(mu, 0, domain.LeaverTask{Person: p.Person, Name: p.Name, Mandates: open,
			Reminder: p.Reminder}))
	}
	return msgs, personAudit(ctx, tx, "directory.leaver_reminded", map[string]any{"person": p.Person,
		"reminder": p.Reminder, "open": len(open), "recipients": len(msgs)})
}

// openOnTask are the mandates of ids whose invalidation task is still open and that are still in force.
func openOnTask(ctx context.Context, mt domain.MandateTx, ids []int64, today domain.Date) ([]int64, error) {
	var out []int64
	for _, id := range ids {
		m, err := mt.Mandate(ctx, id)
		if domain.IsCode(err, domain.ENotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m.Ended(today) {
			continue
		}
		inv, err := mt.Invalidation(ctx, id)
		if domain.IsCode(err, domain.ENotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if inv.Open() {
			out = append(out, id)
		}
	}
	return out, nil
}

func init() {
	describe(domain.Leaver.JobKind(), previewLeaver)
	describe(KindLeaverRemind, previewLeaverReminder)
}

// previewLeaver is the task a leaver event would give the main users on its day (the preview does not read the
// person's mandates: the task is listed when the event is).
func previewLeaver(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	ev, err := decodeEvent(job)
	if err != nil {
		return nil, nil, err
	}
	return []Alert{{To: s.Catalog.Org.MainUsers, What: p.Format("leaver.alert.task", "name", s.leaverName(ctx, ev))}}, nil, nil
}

// previewLeaverReminder is the reminder of a leaver's task while any mandate on it waits, and the next one.
func previewLeaverReminder(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	var pl leaverPayload
	if err := decode(job, &pl); err != nil {
		return nil, nil, err
	}
	r, ok := s.Store.(mandateReader)
	if !ok {
		return nil, nil, nil
	}
	open := 0
	for _, id := range pl.Mandates {
		m, err := r.Mandate(ctx, id)
		if err != nil {
			if domain.IsCode(err, domain.ENotFound) {
				continue
			}
			return nil, nil, err
		}
		inv, err := r.Invalidation(ctx, id)
		if err == nil && inv.Open() && !m.Ended(domain.Today(job.RunAt)) {
			open++
		} else if err != nil && !domain.IsCode(err, domain.ENotFound) {
			return nil, nil, err
		}
	}
	if open == 0 {
		return nil, nil, nil
	}
	next := pl
	next.Reminder++
	return []Alert{{To: s.Catalog.Org.MainUsers, What: p.Format("leaver.alert.remind", "name", pl.Name)}},
		[]domain.Job{leaverReminderJob(next, s.At(job.RunAt, 1))}, nil
}
