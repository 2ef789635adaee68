package alerts

// Approvals that wait (issue 8.3). A request waits for its approver: after the organisation's
// ApprovalReminderDays working days the approver is reminded; after ApprovalEscalationDays the request moves to the
// alternate approver (the requester's head of department, then a main user; never the requester), who is reminded
// and may be passed over in turn; after ApprovalExpiryDays from filing an undecided request expires. Each
// assignment of a request (its filing, each change of approver) plans its own reminder and escalation, so a job of
// an earlier assignment finds the request moved on and does nothing; a decision or a withdrawal cancels the expiry.
//
// Delegation: an approver away names a colleague to decide for them for a period (domain.Delegation). The workflow
// stores it and calls DelegationSet in the same transaction: the requests waiting for the approver move to the
// delegate at once when the period has begun, or on its first day (a delegation_start job); on the day after its
// last, or when it is ended early (DelegationEnded), the ones still open go back. No request ever goes to its own
// requester: it stays with the approver.

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
)

// Job kinds of approvals that wait.
const (
	KindApprovalReminder   = "approval_reminder"
	KindApprovalEscalation = "approval_escalation"
	KindApprovalExpiry     = "approval_expiry"
	KindDelegationStart    = "delegation_start"
	KindDelegationEnd      = "delegation_end"
)

// EventReassigned: the request's approver changed (escalated, delegated, back from a delegation). The new approver's
// reminder and escalation are planned from the change.
const EventReassigned = "reassigned"

func init() {
	register(KindApprovalReminder, planApprovals, remind)
	register(KindApprovalEscalation, nil, escalate)
	register(KindApprovalExpiry, nil, expire)
	register(KindDelegationStart, nil, delegationStart)
	register(KindDelegationEnd, nil, delegationEnd)
}

// approvalJob is the payload of a reminder, escalation or expiry: the request, and the assignment the job was
// planned for (who had the request, since when, and when they got it by a reassignment: zero for the filing).
type approvalJob struct {
	Request  int64     `json:"request"`
	Approver string    `json:"approver"`
	Since    time.Time `json:"since"`
	Assigned time.Time `json:"assigned,omitzero"`
}

// current reports whether r still waits for the assignment the job was planned for.
func (p approvalJob) current(r domain.Request) bool {
	return r.State == domain.RequestPending && strings.EqualFold(r.ApproverID, p.Approver) &&
		r.Reassigned.At.Truncate(time.Microsecond).Equal(p.Assigned.Truncate(time.Microsecond))
}

// planApprovals plans the jobs of approvals that wait: on filing, the first approver's reminder and escalation
// and the request's expiry; on a change of approver, the new approver's reminder and escalation; a decision or a
// withdrawal cancels the expiry (reminders and escalations then find nothing to do).
func planApprovals(s *Service, c Change) (schedule []domain.Job, cancel []string) {
	r := c.Request
	subject := RequestSubject(r.ID)
	switch c.Event {
	case EventSubmitted, EventReassigned:
		if r.State != domain.RequestPending {
			return nil, nil
		}
		pol := s.Policy()
		turn := "v" + strconv.Itoa(r.Version) // each assignment is a version of the request
		p := approvalJob{Request: r.ID, Approver: r.ApproverID, Since: c.At.UTC(), Assigned: r.Reassigned.At.UTC()}
		if r.Reassigned.At.IsZero() {
			p.Assigned = time.Time{}
		}
		schedule = append(schedule,
			Job(KindApprovalReminder, subject, turn, s.At(c.At, pol.ApprovalReminderDays), p),
			Job(KindApprovalEscalation, subject, turn, s.At(c.At, pol.ApprovalEscalationDays), p))
		if c.Event == EventSubmitted {
			schedule = append(schedule, Job(KindApprovalExpiry, subject, "filed", s.expiresAt(c.At), p))
		}
	case EventDecided, EventCancelled:
		cancel = append(cancel, KindApprovalExpiry+"/"+subject+"/filed")
	}
	return schedule, cancel
}

// expiresAt is when a request filed at filed expires undecided.
func (s *Service) expiresAt(filed time.Time) time.Time {
	return s.At(filed, s.Policy().ApprovalExpiryDays)
}

// remind reminds the approver of a request still waiting for them.
func remind(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	r, p, ok, err := s.waiting(ctx, tx, job)
	if !ok || err != nil {
		return nil, err
	}
	pol, cal := s.Policy(), s.Calendar()
	rem := domain.ApprovalReminder{Since: p.Since, Days: pol.ApprovalReminderDays,
		ExpiresOn: cal.Date(s.expiresAt(r.CreatedAt))}
	if _, moves, err := s.alternate(ctx, tx, r); err != nil {
		return nil, err
	} else if moves {
		rem.MovesOn = cal.Date(s.At(p.Since, pol.ApprovalEscalationDays))
	}
	after, _ := json.Marshal(map[string]any{"approver_id": r.ApproverID, "waiting_since": p.Since, "days": rem.Days})
	err = tx.AppendAudit(ctx, domain.AuditEvent{ActorID: domain.SystemActor, Action: "request.reminded", RequestID: r.ID,
		Before: json.RawMessage("null"), After: after})
	if err != nil {
		return nil, err
	}
	return []domain.OutboxMessage{domain.Message(r.ApproverID, r.ID, rem)}, nil
}

// escalate moves a request its approver has not decided to the alternate approver.
func escalate(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	r, _, ok, err := s.waiting(ctx, tx, job)
	if !ok || err != nil {
		return nil, err
	}
	to, found, err := s.alternate(ctx, tx, r)
	if err != nil {
		return nil, err
	}
	if !found {
		s.log().InfoContext(ctx, "nobody to escalate a waiting request to", slog.Int64("request_id", r.ID))
		return nil, nil
	}
	// The alternate's own delegate may decide (to.Reason delegated): it is still an escalation from the approver.
	to.Reason, to.FromID, to.FromName = domain.ReassignEscalated, "", ""
	return s.reassign(ctx, tx, r, to, domain.SystemActor, "", "request.escalated")
}

// expire ends a request nobody decided in time: cancelled by the system, the requester told, every card updated.
func expire(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p approvalJob
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	r, err := tx.Request(ctx, p.Request)
	if domain.IsCode(err, domain.ENotFound) || (err == nil && r.State != domain.RequestPending) {
		return nil, nil // decided, withdrawn or gone: nothing to expire
	}
	if err != nil {
		return nil, err
	}
	before := r.Clone()
	if err := r.Expire(s.now()); err != nil {
		return nil, err
	}
	if err := tx.UpdateRequest(ctx, &r); err != nil {
		return nil, err
	}
	if err := tx.AppendAudit(ctx, domain.RequestAudit(domain.SystemActor, "request.expired", &before, &r, "")); err != nil {
		return nil, err
	}
	return []domain.OutboxMessage{
		domain.Message("", r.ID, domain.RefreshCards{}),
		domain.Message(r.RequesterID, r.ID, domain.RequestExpired{Days: s.Policy().ApprovalExpiryDays}),
	}, nil
}

// waiting reads the request of a reminder or an escalation inside the transaction; ok is false when it no longer
// waits for the assignment the job was planned for (decided, withdrawn, gone, or moved to another approver).
func (s *Service) waiting(ctx context.Context, tx domain.Tx, job domain.Job) (domain.Request, approvalJob, bool, error) {
	var p approvalJob
	if err := decode(job, &p); err != nil {
		return domain.Request{}, p, false, err
	}
	r, err := tx.Request(ctx, p.Request)
	switch {
	case domain.IsCode(err, domain.ENotFound):
		return domain.Request{}, p, false, nil
	case err != nil:
		return domain.Request{}, p, false, err
	}
	return r, p, p.current(r), nil
}

// alternate is who decides r when its approver has not: the requester's head of department (unless the request
// went to them by the directory's rule already), then a main user; never the requester or the approver it waits
// for, and only someone who may decide (an enabled account that has not left). Someone away with a delegation in
// force is replaced by their delegate.
func (s *Service) alternate(ctx context.Context, tx domain.Tx, r domain.Request) (domain.Assignment, bool, error) {
	type candidate struct {
		id    string
		basis domain.ApproverBasis
	}
	org := s.Catalog.Org
	var cands []candidate
	if head := org.DepartmentHeads[r.RequesterDepartment]; head != "" && r.ApproverBasis == domain.ApproverManager {
		cands = append(cands, candidate{head, domain.ApproverDepartmentHead})
	}
	for _, mu := range org.MainUsers {
		cands = append(cands, candidate{mu, domain.ApproverMainUser})
	}
	today := s.today()
	for _, c := range cands {
		if strings.EqualFold(c.id, r.RequesterID) || strings.EqualFold(c.id, r.ApproverID) {
			continue
		}
		u, err := s.Directory.User(ctx, c.id)
		if domain.IsCode(err, domain.ENotFound) {
			continue
		}
		if err != nil {
			return domain.Assignment{}, false, err // a directory outage must not route to someone else
		}
		if !u.MayApprove(r.RequesterID, today) {
			continue
		}
		a := domain.Assignment{ID: u.ID, Name: hetu.Redact(u.DisplayName), Basis: c.basis}
		d, away, err := s.delegateOf(ctx, tx, u.ID, r.RequesterID, today)
		if err != nil {
			return domain.Assignment{}, false, err
		}
		if away && !strings.EqualFold(d.DelegateID, r.ApproverID) {
			a = d.Delegated(c.basis)
		}
		return a, true, nil
	}
	return domain.Assignment{}, false, nil
}

// delegateOf is the delegation in force today of an approver that decides requests of requesterID (see
// domain.DelegateFor), if its delegate may decide them.
func (s *Service) delegateOf(ctx context.Context, tx domain.Tx, approverID, requesterID string, today domain.Date) (domain.Delegation, bool, error) {
	ds, err := tx.DelegationsOf(ctx, approverID, today)
	if err != nil {
		return domain.Delegation{}, false, err
	}
	d, ok := domain.DelegateFor(ds, today, requesterID)
	if !ok {
		return domain.Delegation{}, false, nil
	}
	u, err := s.Directory.User(ctx, d.DelegateID)
	switch {
	case domain.IsCode(err, domain.ENotFound):
		return domain.Delegation{}, false, nil
	case err != nil:
		return domain.Delegation{}, false, err
	}
	return d, u.MayApprove(requesterID, today), nil
}

// reassign moves r to a inside tx: the rule, the request, the audit row (actor, action, the Teams activity if a
// person caused it), the new approver's alerts and the messages: every card of the request updated, the approval
// card to the new approver, the requester told, and for an escalation the approver it left too.
func (s *Service) reassign(ctx context.Context, tx domain.Tx, r domain.Request, a domain.Assignment, actor, activityID, action string) ([]domain.OutboxMessage, error) {
	now := s.now().UTC().Truncate(time.Microsecond) // as the store keeps it: the jobs planned below compare it
	before := r.Clone()
	if err := r.Reassign(a, now); err != nil {
		return nil, err
	}
	if err := tx.UpdateRequest(ctx, &r); err != nil {
		return nil, err
	}
	if err := tx.AppendAudit(ctx, domain.RequestAudit(actor, action, &before, &r, activityID)); err != nil {
		return nil, err
	}
	if err := s.Plan(ctx, tx, Change{Event: EventReassigned, Request: r.Clone(), At: now}); err != nil {
		return nil, err
	}
	ch := domain.ApproverChanged{Reason: a.Reason, FromID: r.Reassigned.FromID, FromName: r.Reassigned.FromName,
		ToID: r.ApproverID, ToName: r.ApproverName}
	if a.Reason == domain.ReassignEscalated {
		ch.Days = s.Policy().ApprovalEscalationDays
	}
	msgs := []domain.OutboxMessage{
		domain.Message("", r.ID, domain.RefreshCards{}),
		domain.Message(r.ApproverID, r.ID, domain.ApprovalRequest{}),
		domain.Message(r.RequesterID, r.ID, ch),
	}
	if a.Reason == domain.ReassignEscalated {
		msgs = append(msgs, domain.Message(before.ApproverID, r.ID, ch))
	}
	s.log().InfoContext(ctx, "request reassigned", slog.Int64("request_id", r.ID), slog.String("reason", string(a.Reason)))
	return msgs, nil
}

// ---- delegation -----------------------------------------------------------------------------------------------

// delegationJob is the payload of a delegation's start and end.
type delegationJob struct {
	Delegation int64  `json:"delegation"`
	Approver   string `json:"approver"`
	Until      string `json:"until"` // its last day, YYYY-MM-DD
}

func delegationSubject(id int64) string { return "delegation/" + strconv.FormatInt(id, 10) }

// DelegationSet plans a delegation just stored, inside its transaction: when it is in force today the requests
// waiting for the approver move to the delegate now (the messages are returned, with how many moved), otherwise
// on its first day; the ones still open on the day after its last go back to the approver. actor and activityID
// are whoever set it and the Teams activity, for the audit trail.
func (s *Service) DelegationSet(ctx context.Context, tx domain.Tx, d domain.Delegation, actor, activityID string) ([]domain.OutboxMessage, int, error) {
	p := delegationJob{Delegation: d.ID, Approver: d.ApproverID, Until: d.Until.String()}
	subject := delegationSubject(d.ID)
	if _, err := tx.Schedule(ctx, Job(KindDelegationEnd, subject, "end", s.OnDay(d.Until.AddDays(1)), p)); err != nil {
		return nil, 0, err
	}
	if !d.ActiveOn(s.today()) {
		_, err := tx.Schedule(ctx, Job(KindDelegationStart, subject, "start", s.OnDay(d.From), p))
		return nil, 0, err
	}
	return s.moveToDelegate(ctx, tx, d, actor, activityID)
}

// DelegationEnded is DelegationSet's counterpart for a delegation ended before its last day (already recorded in
// tx): its jobs are cancelled and the requests still waiting for the delegate under it go back to the approver.
func (s *Service) DelegationEnded(ctx context.Context, tx domain.Tx, d domain.Delegation, actor, activityID string) ([]domain.OutboxMessage, int, error) {
	subject := delegationSubject(d.ID)
	for _, key := range []string{KindDelegationStart + "/" + subject + "/start", KindDelegationEnd + "/" + subject + "/end"} {
		if _, err := tx.CancelJob(ctx, key); err != nil {
			return nil, 0, err
		}
	}
	return s.returnFromDelegate(ctx, tx, d, actor, activityID)
}

// delegationStart moves the approver's waiting requests to the delegate on the delegation's first day.
func delegationStart(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	d, ok, err := s.delegation(ctx, tx, job)
	if !ok || err != nil || !d.ActiveOn(s.today()) {
		return nil, err // ended before it began, or (a late run) over already
	}
	msgs, _, err := s.moveToDelegate(ctx, tx, d, domain.SystemActor, "")
	return msgs, err
}

// delegationEnd gives the requests still open back to the approver on the day after the delegation's last.
func delegationEnd(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	d, ok, err := s.delegation(ctx, tx, job)
	if !ok || err != nil {
		return nil, err // ended early: its requests went back then
	}
	msgs, _, err := s.returnFromDelegate(ctx, tx, d, domain.SystemActor, "")
	return msgs, err
}

// delegation reads the delegation of a start or end job; false when it was ended early.
func (s *Service) delegation(ctx context.Context, tx domain.Tx, job domain.Job) (domain.Delegation, bool, error) {
	var p delegationJob
	if err := decode(job, &p); err != nil {
		return domain.Delegation{}, false, err
	}
	until, err := domain.ParseDate(p.Until)
	if err != nil {
		return domain.Delegation{}, false, fmt.Errorf("%w: job %s: %v", scheduler.ErrPermanent, job.Key, err)
	}
	// Listed from its last day: at its end it is no longer in force today, but not ended early either.
	ds, err := tx.DelegationsOf(ctx, p.Approver, until)
	if err != nil {
		return domain.Delegation{}, false, err
	}
	for _, d := range ds {
		if d.ID == p.Delegation {
			return d, true, nil
		}
	}
	return domain.Delegation{}, false, nil
}

// moveToDelegate moves the requests waiting for d's approver to the delegate, except those the delegate made
// (nobody decides their own request) or may not decide.
func (s *Service) moveToDelegate(ctx context.Context, tx domain.Tx, d domain.Delegation, actor, activityID string) ([]domain.OutboxMessage, int, error) {
	rs, err := tx.RequestsAwaitingApprover(ctx, d.ApproverID)
	if err != nil || len(rs) == 0 {
		return nil, 0, err
	}
	delegate, err := s.Directory.User(ctx, d.DelegateID)
	if domain.IsCode(err, domain.ENotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	today := s.today()
	var msgs []domain.OutboxMessage
	moved := 0
	for _, r := range rs {
		if !delegate.MayApprove(r.RequesterID, today) {
			continue // the delegate's own request stays with the approver
		}
		m, err := s.reassign(ctx, tx, r, d.Delegated(r.ApproverBasis), actor, activityID, "request.delegated")
		if err != nil {
			return nil, 0, err
		}
		msgs, moved = append(msgs, m...), moved+1
	}
	return msgs, moved, nil
}

// returnFromDelegate gives the requests still waiting for d's delegate under d back to the approver, or to the
// approver's next delegate when another delegation of theirs is in force; a request whose approver may no longer
// decide it stays (its escalation moves it on).
func (s *Service) returnFromDelegate(ctx context.Context, tx domain.Tx, d domain.Delegation, actor, activityID string) ([]domain.OutboxMessage, int, error) {
	rs, err := tx.RequestsAwaitingApprover(ctx, d.DelegateID)
	if err != nil || len(rs) == 0 {
		return nil, 0, err
	}
	approver, err := s.Directory.User(ctx, d.ApproverID)
	if domain.IsCode(err, domain.ENotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	today := s.today()
	var msgs []domain.OutboxMessage
	back := 0
	for _, r := range rs {
		if from, _ := r.DelegatedFrom(); from != d.ApproverID || !approver.MayApprove(r.RequesterID, today) {
			continue
		}
		a := domain.Assignment{ID: d.ApproverID, Name: r.Reassigned.FromName, Basis: r.ApproverBasis, Reason: domain.ReassignReturned}
		next, away, err := s.delegateOf(ctx, tx, d.ApproverID, r.RequesterID, today)
		if err != nil {
			return nil, 0, err
		}
		if away {
			if strings.EqualFold(next.DelegateID, r.ApproverID) {
				continue // the next delegation names the same delegate: the request stays
			}
			a = next.Delegated(r.ApproverBasis)
		}
		m, err := s.reassign(ctx, tx, r, a, actor, activityID, "request.returned")
		if err != nil {
			return nil, 0, err
		}
		msgs, back = append(msgs, m...), back+1
	}
	return msgs, back, nil
}

// today is the organisation's calendar day now.
func (s *Service) today() domain.Date { return s.Calendar().Date(s.now()) }
