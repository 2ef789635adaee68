package workflow

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
)

// Mandates runs what people do with a mandate after its grant (issue 8.5–8.6): renew it through the normal approval,
// let it lapse, and invalidate it in Suomi.fi through a main users' task. It shares the mandate flow's Service
// (store, directory, catalog, clock, alerts), whose exported methods stay about requests.
//
// Who may do what is decided here from the register and the directory, never from card data: the holder and their
// supervisor (the holder's manager in the directory) renew or let lapse; a main user opens an invalidation task and
// the holder's supervisor asks for one; only main users confirm it.
type Mandates struct {
	Flow  *Service
	Store MandateStore
}

// MandateStore reads the register's mandates and their life after the grant (sqlstore.Register implements it).
type MandateStore interface {
	Mandate(ctx context.Context, id int64) (domain.Mandate, error)                  // ENotFound
	Invalidation(ctx context.Context, mandateID int64) (domain.Invalidation, error) // ENotFound when none
	Renewal(ctx context.Context, mandateID int64) (domain.Request, bool, error)     // the newest renewal request
	CurrentMandates(ctx context.Context, today time.Time) ([]domain.Mandate, error) // active and not ended
	OpenInvalidations(ctx context.Context) ([]domain.Invalidation, error)
}

// MandateAccess is a mandate as one person may see it, with what they may do with it now.
type MandateAccess struct {
	domain.MandateLife
	Actor      string
	Holder     bool // the actor holds it
	Supervisor bool // the actor is the holder's manager in the directory
	MainUser   bool
}

// MayRenew reports whether the actor may file a renewal now (the holder or their supervisor; see RenewableBy).
func (a MandateAccess) MayRenew() bool { return a.RenewableBy(a.Holder, a.Supervisor) }

// MayLapse reports whether the actor may let the mandate lapse now.
func (a MandateAccess) MayLapse() bool { return a.LapsableBy(a.Holder, a.Supervisor) }

// MayAskInvalidation reports whether the actor may open (main user) or ask for (supervisor) an invalidation task.
func (a MandateAccess) MayAskInvalidation() bool {
	return a.InvalidationAskableBy(a.Actor, a.MainUser, a.Supervisor)
}

// MayConfirm reports whether the actor may confirm the invalidation: a main user, while the task is open.
func (a MandateAccess) MayConfirm() bool { return a.ConfirmableBy(a.MainUser) }

// Access reads a mandate for actor: its holder, the holder's supervisor or a main user. Anyone else, and an id
// that names no mandate, get the same EForbidden, so card data naming another mandate reveals nothing.
func (s *Mandates) Access(ctx context.Context, actorID string, mandateID int64) (MandateAccess, error) {
	m, err := s.Store.Mandate(ctx, mandateID)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return MandateAccess{}, forbidden("err.no_mandate_access")
		}
		return MandateAccess{}, err
	}
	a := MandateAccess{MandateLife: domain.MandateLife{Mandate: m, Today: s.Flow.Today()}, Actor: actorID,
		Holder: actorID != "" && actorID == m.HolderID, MainUser: s.Flow.IsMainUser(actorID)}
	if a.Supervisor, err = s.isSupervisor(ctx, actorID, m.HolderID); err != nil {
		return MandateAccess{}, err
	}
	if !a.Holder && !a.Supervisor && !a.MainUser {
		return MandateAccess{}, forbidden("err.no_mandate_access")
	}
	if a.Invalidation, err = s.Store.Invalidation(ctx, m.ID); err != nil && !domain.IsCode(err, domain.ENotFound) {
		return MandateAccess{}, err
	}
	if r, ok, err := s.Store.Renewal(ctx, m.ID); err != nil {
		return MandateAccess{}, err
	} else if ok {
		a.Renewal = r
	}
	return a, nil
}

// isSupervisor reports whether actor is the holder's manager in the directory. A directory outage is an error, never
// a "no": authorisation fails closed.
func (s *Mandates) isSupervisor(ctx context.Context, actorID, holderID string) (bool, error) {
	if actorID == "" || strings.EqualFold(actorID, holderID) {
		return false, nil
	}
	mgr, err := s.Flow.Directory.Manager(ctx, holderID)
	if domain.IsCode(err, domain.ENotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return strings.EqualFold(mgr.ID, actorID), nil
}

// ---- renew ----------------------------------------------------------------------------------------------------

// RenewInput is a holder's or supervisor's Renew on an expiry card.
type RenewInput struct {
	ActorID   string
	MandateID int64
	// Justification is the request's; empty takes the justification of the request that led to the mandate, and
	// Fallback when there was none (an imported mandate).
	Justification, Fallback string
	ActivityID              string
}

// Renew files a renewal request for the mandate's holder through the normal approval: the mandate's theme, the
// tasks that led to it, its start on the old end date and the theme's default validity from there (capped as any
// request is). The request is marked as a renewal of the mandate, in the register and in the audit trail.
func (s *Mandates) Renew(ctx context.Context, in RenewInput) (domain.Request, error) {
	const op = "workflow.Renew"
	a, err := s.Access(ctx, in.ActorID, in.MandateID)
	if err != nil {
		return domain.Request{}, err
	}
	switch {
	case !a.Holder && !a.Supervisor:
		return domain.Request{}, forbidden("err.not_holder_or_supervisor")
	case a.RenewalOpen():
		return a.Renewal, conflict("err.renewal_exists")
	case !a.MayRenew():
		return domain.Request{}, conflict("err.mandate_not_renewable")
	}
	r, err := s.renewal(ctx, a.Mandate, in)
	if err != nil {
		return domain.Request{}, domain.Wrap(op, err)
	}
	f := s.Flow
	err = f.Store.InTx(ctx, func(tx Tx) error {
		req := r.Clone()
		if err := tx.CreateRequest(ctx, &req); err != nil {
			return err
		}
		if err := audit(ctx, tx, in.ActorID, "request.submitted", nil, &req, in.ActivityID); err != nil {
			return err
		}
		if err := mandateAudit(ctx, tx, in.ActorID, "mandate.renewal_requested", a.Mandate, map[string]any{
			"request_id": req.ID, "valid_from": dateString(req.ValidFrom), "valid_until": dateString(req.ValidUntil),
		}, in.ActivityID); err != nil {
			return err
		}
		r = req
		if err := f.plan(ctx, tx, alerts.EventSubmitted, &req); err != nil {
			return err
		}
		return enqueue(ctx, tx, domain.Message(req.ApproverID, req.ID, domain.ApprovalRequest{}))
	})
	if err != nil {
		return domain.Request{}, domain.Wrap(op, err)
	}
	f.committed()
	f.log().InfoContext(ctx, "renewal submitted", slog.Int64("request_id", r.ID), slog.Int64("mandate_id", a.Mandate.ID))
	return r, nil
}

// renewal builds the renewal request of m (not yet stored).
func (s *Mandates) renewal(ctx context.Context, m domain.Mandate, in RenewInput) (domain.Request, error) {
	f := s.Flow
	var orig domain.Request
	var taskIDs []string
	if m.RequestID != 0 {
		r, err := f.Store.Request(ctx, m.RequestID)
		if err != nil {
			return domain.Request{}, err
		}
		orig = r
		if it, ok := r.Item(m.ItemID); ok {
			taskIDs = it.TaskIDs
		}
	}
	just := in.Justification
	for _, alt := range []string{orig.Justification, in.Fallback} {
		if strings.TrimSpace(just) == "" {
			just = alt
		}
	}
	just, err := domain.Justification.Check(just)
	if err != nil {
		return domain.Request{}, err
	}
	theme, ok := f.Catalog.Theme(m.ThemeID)
	if !ok {
		return domain.Request{}, conflict("err.unknown_theme")
	}
	holder, err := f.Directory.User(ctx, m.HolderID)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return domain.Request{}, conflict("err.holder_gone")
		}
		return domain.Request{}, err
	}
	var contractEnd domain.Date
	if holder.LeaveDate != nil {
		contractEnd = domain.DateOf(*holder.LeaveDate)
	}
	start := m.RenewalStart()
	v := domain.RenewalValidity(start, theme, contractEnd)
	if !v.Open() {
		return domain.Request{}, invalid("err.contract_ends")
	}
	approver, basis, err := f.ResolveApprover(ctx, holder)
	if err != nil {
		return domain.Request{}, err
	}
	covers, err := f.covered(ctx)
	if err != nil {
		return domain.Request{}, err
	}
	return domain.Request{
		RequesterID: holder.ID, RequesterName: hetu.Redact(holder.DisplayName), RequesterMail: hetu.Redact(holder.Mail),
		RequesterDepartment: hetu.Redact(holder.Department), RequesterJobTitle: hetu.Redact(holder.JobTitle),
		ApproverID: approver.ID, ApproverName: hetu.Redact(approver.DisplayName), ApproverBasis: basis,
		State: domain.RequestPending, Justification: just, RoleID: orig.RoleID, TaskIDs: orig.TaskIDs,
		ValidFrom: start.Time(), ValidUntil: v.Default.Time(), RenewsMandateID: m.ID,
		Items: []domain.RequestItem{{ThemeID: m.ThemeID, TaskIDs: taskIDs, Covered: covers(m.ThemeID), State: domain.ItemPending}},
	}, nil
}

// ---- let it lapse ---------------------------------------------------------------------------------------------

// LetLapse records that the holder or their supervisor chose to let the mandate end without renewal: no more expiry
// notices are sent for it (their jobs are cancelled). A second tap records nothing (EConflict).
func (s *Mandates) LetLapse(ctx context.Context, actorID string, mandateID int64, activityID string) (MandateAccess, error) {
	a, err := s.Access(ctx, actorID, mandateID)
	if err != nil {
		return a, err
	}
	if !a.Holder && !a.Supervisor {
		return a, forbidden("err.not_holder_or_supervisor")
	}
	if a.RenewalOpen() {
		return a, conflict("err.renewal_exists")
	}
	at := s.Flow.now()
	err = s.mandateChange(ctx, "workflow.LetLapse", mandateID, func(tx domain.MandateTx, m *domain.Mandate) error {
		if err := m.LetLapse(actorID, at, s.Flow.Today()); err != nil {
			return err
		}
		if err := tx.SetLapse(ctx, m); err != nil {
			return err
		}
		if err := mandateAudit(ctx, tx, actorID, "mandate.lapse", *m, nil, activityID); err != nil {
			return err
		}
		return s.planMandate(ctx, tx, alerts.EventLapse, *m)
	})
	if err != nil {
		return a, err
	}
	return s.Access(ctx, actorID, mandateID)
}

// ---- invalidation ---------------------------------------------------------------------------------------------

// InvalidationInput is a main user's (or the holder's supervisor's) request to invalidate a mandate.
type InvalidationInput struct {
	ActorID    string
	MandateID  int64
	Reason     string // required; checked free text
	ActivityID string
}

// RequestInvalidation opens the main users' task of invalidating the mandate in Suomi.fi: every main user gets the
// task card, and reminders follow until one of them confirms it. One task per mandate: a second request (a double
// tap, or another person) is EConflict and records nothing.
func (s *Mandates) RequestInvalidation(ctx context.Context, in InvalidationInput) (MandateAccess, error) {
	reason, err := domain.InvalidationReason.Check(in.Reason)
	if err != nil {
		return MandateAccess{}, err
	}
	a, err := s.Access(ctx, in.ActorID, in.MandateID)
	if err != nil {
		return a, err
	}
	role, err := a.Mandate.CheckInvalidationRequest(in.ActorID, a.MainUser, a.Supervisor, a.Today)
	if err != nil {
		return a, err
	}
	err = s.mandateChange(ctx, "workflow.RequestInvalidation", in.MandateID, func(tx domain.MandateTx, m *domain.Mandate) error {
		if m.State != domain.MandateActive {
			return conflict("err.mandate_revoked")
		}
		return s.openInvalidation(ctx, tx, *m, in.ActorID, role, reason, in.ActivityID)
	})
	if err != nil {
		return a, err
	}
	return s.Access(ctx, in.ActorID, in.MandateID)
}

// openInvalidation opens the invalidation task of the active mandate m inside tx (reason checked already): the
// task, its audit row, its reminders and every main user's task card. A task that exists is EConflict.
func (s *Mandates) openInvalidation(ctx context.Context, tx domain.MandateTx, m domain.Mandate, actor string, role domain.InvalidationRole, reason, activityID string) error {
	inv := domain.Invalidation{MandateID: m.ID, RequestedBy: actor, RequestedRole: role, Reason: reason}
	if err := tx.OpenInvalidation(ctx, &inv); err != nil {
		return err
	}
	if err := mandateAudit(ctx, tx, actor, "mandate.invalidation_requested", m, map[string]any{
		"role": role, "reason": reason}, activityID); err != nil {
		return err
	}
	if err := s.planMandate(ctx, tx, alerts.EventInvalidationRequested, m); err != nil {
		return err
	}
	var msgs []domain.OutboxMessage
	for _, mu := range s.Flow.Catalog.Org.MainUsers {
		msgs = append(msgs, domain.MandateMessage(mu, m, domain.InvalidationTask{Mandate: m.ID}))
	}
	return enqueue(ctx, tx, msgs...)
}

// ConfirmInput is a main user's confirmation that they invalidated the mandate in Suomi.fi.
type ConfirmInput struct {
	ActorID       string
	MandateID     int64
	InvalidatedOn domain.Date // the day it was done in Suomi.fi
	ActivityID    string
}

// ConfirmInvalidation records, once, that a main user invalidated the mandate in Suomi.fi: the day, and the mandate
// becomes revoked; the holder is told. Only main users; a second tap records nothing (EConflict).
func (s *Mandates) ConfirmInvalidation(ctx context.Context, in ConfirmInput) (MandateAccess, error) {
	if !s.Flow.IsMainUser(in.ActorID) {
		return MandateAccess{}, forbidden("err.not_main_user")
	}
	today := s.Flow.Today()
	err := s.mandateChange(ctx, "workflow.ConfirmInvalidation", in.MandateID, func(tx domain.MandateTx, m *domain.Mandate) error {
		inv, err := tx.Invalidation(ctx, m.ID)
		if domain.IsCode(err, domain.ENotFound) {
			return conflict("err.no_invalidation")
		}
		if err != nil {
			return err
		}
		if !inv.Open() {
			return conflict("err.invalidation_confirmed")
		}
		if err := inv.CheckInvalidatedOn(today, in.InvalidatedOn); err != nil {
			return err
		}
		inv.ConfirmedBy, inv.InvalidatedOn = in.ActorID, in.InvalidatedOn
		if err := tx.ConfirmInvalidation(ctx, &inv); err != nil {
			return err
		}
		before := *m
		if err := tx.RevokeMandate(ctx, m); err != nil {
			return err
		}
		if err := mandateAudit(ctx, tx, in.ActorID, "mandate.revoked", *m, map[string]any{"state_before": before.State,
			"state": m.State, "invalidated_on": in.InvalidatedOn.String(), "requested_by": inv.RequestedBy}, in.ActivityID); err != nil {
			return err
		}
		if err := s.planMandate(ctx, tx, alerts.EventRevoked, *m); err != nil {
			return err
		}
		if inv.RequestedBy == domain.SystemActor {
			// Opened by the bot for a leaver (the only task it opens itself): the holder has left and is not told,
			// as when the leaver's task card confirms it (leaver.go).
			return nil
		}
		return enqueue(ctx, tx, domain.MandateMessage(m.HolderID, *m, domain.RevokedNotice{Mandate: m.ID}))
	})
	if err != nil {
		return MandateAccess{}, err
	}
	return s.Access(ctx, in.ActorID, in.MandateID)
}

// ---- lists ----------------------------------------------------------------------------------------------------

// MandateList is the mandates a main user (all of them) or a supervisor (their people's) may act on.
type MandateList struct {
	Mandates      []domain.Mandate
	Invalidations map[int64]domain.Invalidation // the open tasks, by mandate
	MainUser      bool
	Today         domain.Date
}

// List returns the mandates in force (or starting later) that the actor may ask to invalidate: every one for a main
// user, those of the people whose manager they are for anyone else (none for most people).
func (s *Mandates) List(ctx context.Context, actorID string) (MandateList, error) {
	today := s.Flow.Today()
	all, err := s.Store.CurrentMandates(ctx, today.Time())
	if err != nil {
		return MandateList{}, err
	}
	out := MandateList{MainUser: s.Flow.IsMainUser(actorID), Today: today, Invalidations: map[int64]domain.Invalidation{}}
	if out.MainUser {
		out.Mandates = all
	} else {
		mine := map[string]bool{}
		for _, m := range all {
			ok, seen := mine[m.HolderID]
			if !seen {
				if ok, err = s.isSupervisor(ctx, actorID, m.HolderID); err != nil {
					return MandateList{}, err
				}
				mine[m.HolderID] = ok
			}
			if ok {
				out.Mandates = append(out.Mandates, m)
			}
		}
	}
	open, err := s.Store.OpenInvalidations(ctx)
	if err != nil {
		return MandateList{}, err
	}
	for _, inv := range open {
		out.Invalidations[inv.MandateID] = inv
	}
	return out, nil
}

// ---- plumbing -------------------------------------------------------------------------------------------------

// mandateChange runs one change of a mandate in a transaction, reading it again inside, and wakes the outbox after
// it commits.
func (s *Mandates) mandateChange(ctx context.Context, op string, id int64, fn func(tx domain.MandateTx, m *domain.Mandate) error) error {
	err := s.Flow.Store.InTx(ctx, func(tx Tx) error {
		mt, err := domain.MandateTxOf(tx)
		if err != nil {
			return err
		}
		m, err := mt.Mandate(ctx, id)
		if err != nil {
			if domain.IsCode(err, domain.ENotFound) {
				return forbidden("err.no_mandate_access")
			}
			return err
		}
		return fn(mt, &m)
	})
	if err != nil {
		return domain.Wrap(op, err)
	}
	s.Flow.committed()
	s.Flow.log().InfoContext(ctx, "mandate changed", slog.String("op", op), slog.Int64("mandate_id", id))
	return nil
}

// planMandate tells the alerts about a change of m, inside its transaction.
func (s *Mandates) planMandate(ctx context.Context, tx Tx, event string, m domain.Mandate) error {
	if s.Flow.Alerts == nil {
		return nil
	}
	return s.Flow.Alerts.Plan(ctx, tx, alerts.Change{Event: event, Mandates: []domain.Mandate{m}, At: s.Flow.now()})
}

// mandateAudit appends the audit row of a change of m, with what it looked like after.
func mandateAudit(ctx context.Context, tx Tx, actor, action string, m domain.Mandate, extra map[string]any, activityID string) error {
	after := mandateSnapshot(m)
	after["lapse_by"] = m.LapseBy
	for k, v := range extra {
		after[k] = v
	}
	raw, _ := json.Marshal(after)
	return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: actor, Action: action, RequestID: m.RequestID,
		MandateID: m.ID, Before: json.RawMessage("null"), After: raw, ActivityID: activityID})
}
