package workflow

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
)

// Delegations lets an approver who will be away name a colleague to decide for them for a period ("poissa
// 10.–24.7.", issue 8): while it is in force new requests the approver would decide go to the colleague (see
// ResolveApprover), and so do the ones waiting for the approver; when it ends, the ones still open go back. It is a
// small service beside Service and uses its store, directory, catalog and clock.
type Delegations struct {
	Workflow *Service
	// Alerts moves the waiting requests and plans the delegation's start and end (alerts.Service implements it).
	Alerts DelegationAlerts
}

// DelegationAlerts moves requests between an approver and their delegate, inside the transaction that sets or
// ends the delegation, and returns the messages to send and how many requests moved.
type DelegationAlerts interface {
	DelegationSet(ctx context.Context, tx Tx, d domain.Delegation, actor, activityID string) ([]domain.OutboxMessage, int, error)
	DelegationEnded(ctx context.Context, tx Tx, d domain.Delegation, actor, activityID string) ([]domain.OutboxMessage, int, error)
}

// DelegationInput is an approver's absence: the days away and the colleague who decides meanwhile.
type DelegationInput struct {
	ActorID     string // the approver, for themself
	DelegateID  string
	From, Until domain.Date
	ActivityID  string
}

// Set records the actor's absence and who decides for them (domain.NewDelegation's rules), audited
// "delegation.set". It returns the delegation and how many waiting requests moved to the delegate now (none when
// the absence starts later: they move on its first day).
func (ds *Delegations) Set(ctx context.Context, in DelegationInput) (domain.Delegation, int, error) {
	const op = "workflow.Delegations.Set"
	w := ds.Workflow
	approver, err := w.Directory.User(ctx, in.ActorID)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) || domain.IsCode(err, domain.EInvalid) {
			return domain.Delegation{}, 0, forbidden("err.unknown_user")
		}
		return domain.Delegation{}, 0, domain.Wrap(op, err)
	}
	delegate, err := w.Directory.User(ctx, strings.TrimSpace(in.DelegateID))
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) || domain.IsCode(err, domain.EInvalid) {
			return domain.Delegation{}, 0, invalid("err.delegate_unavailable")
		}
		return domain.Delegation{}, 0, domain.Wrap(op, err)
	}
	approver.DisplayName, delegate.DisplayName = hetu.Redact(approver.DisplayName), hetu.Redact(delegate.DisplayName)
	today := w.Today()
	var out domain.Delegation
	moved := 0
	err = w.Store.InTx(ctx, func(tx Tx) error {
		existing, err := tx.DelegationsOf(ctx, approver.ID, today)
		if err != nil {
			return err
		}
		d, err := domain.NewDelegation(approver, delegate, in.From, in.Until, today, existing)
		if err != nil {
			return err
		}
		if err := tx.CreateDelegation(ctx, &d); err != nil {
			return err
		}
		if err := auditDelegation(ctx, tx, in.ActorID, "delegation.set", nil, d, in.ActivityID); err != nil {
			return err
		}
		msgs, n, err := ds.Alerts.DelegationSet(ctx, tx, d, in.ActorID, in.ActivityID)
		if err != nil {
			return err
		}
		out, moved = d, n
		return enqueue(ctx, tx, msgs...)
	})
	if err != nil {
		return domain.Delegation{}, 0, domain.Wrap(op, err)
	}
	w.committed()
	w.log().InfoContext(ctx, "delegation set", slog.Int64("delegation_id", out.ID), slog.Int("moved", moved))
	return out, moved, nil
}

// End ends the actor's own delegation before its last day, audited "delegation.ended"; the requests still waiting
// for the delegate under it go back. It returns the delegation and how many went back.
func (ds *Delegations) End(ctx context.Context, actorID string, id int64, activityID string) (domain.Delegation, int, error) {
	const op = "workflow.Delegations.End"
	w := ds.Workflow
	today := w.Today()
	var out domain.Delegation
	back := 0
	err := w.Store.InTx(ctx, func(tx Tx) error {
		list, err := tx.DelegationsOf(ctx, actorID, today)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(list, func(d domain.Delegation) bool { return d.ID == id })
		if i < 0 {
			return conflict("err.delegation_ended") // ended, over, or not the actor's: nothing to end
		}
		d := list[i]
		before := d
		if err := d.End(actorID, false, w.now()); err != nil {
			return err
		}
		if err := tx.EndDelegation(ctx, d); err != nil {
			return err
		}
		if err := auditDelegation(ctx, tx, actorID, "delegation.ended", &before, d, activityID); err != nil {
			return err
		}
		msgs, n, err := ds.Alerts.DelegationEnded(ctx, tx, d, actorID, activityID)
		if err != nil {
			return err
		}
		out, back = d, n
		return enqueue(ctx, tx, msgs...)
	})
	if err != nil {
		return domain.Delegation{}, 0, domain.Wrap(op, err)
	}
	w.committed()
	w.log().InfoContext(ctx, "delegation ended", slog.Int64("delegation_id", out.ID), slog.Int("returned", back))
	return out, back, nil
}

// Of lists the person's delegations in force or to come.
func (ds *Delegations) Of(ctx context.Context, approverID string) ([]domain.Delegation, error) {
	return ds.Workflow.Store.Delegations(ctx, approverID, ds.Workflow.Today())
}

// reports is the part of the directory that lists a person's direct reports (the demo file and Graph have it).
type reports interface {
	DirectReports(ctx context.Context, id string) ([]domain.User, error)
}

// Candidates are the colleagues the person may name to decide for them: their supervisor, the colleagues with the
// same supervisor, the head of their department and the main users; only people who may decide requests (an
// enabled account that has not left), never the person themself, each once, in that order.
func (ds *Delegations) Candidates(ctx context.Context, personID string) ([]domain.User, error) {
	w := ds.Workflow
	today := w.Today()
	me, err := w.Directory.User(ctx, personID)
	if err != nil {
		return nil, err
	}
	var out []domain.User
	seen := map[string]bool{strings.ToLower(personID): true}
	add := func(u domain.User) {
		if !seen[strings.ToLower(u.ID)] && u.MayApprove(personID, today) {
			seen[strings.ToLower(u.ID)] = true
			u.DisplayName, u.JobTitle = hetu.Redact(u.DisplayName), hetu.Redact(u.JobTitle)
			out = append(out, u)
		}
	}
	byID := func(id string) error {
		u, err := w.Directory.User(ctx, id)
		if err == nil {
			add(u)
		}
		if domain.IsCode(err, domain.ENotFound) {
			return nil
		}
		return err
	}
	mgr, err := w.Directory.Manager(ctx, personID)
	switch {
	case err == nil:
		add(mgr)
		if rs, ok := w.Directory.(reports); ok {
			peers, err := rs.DirectReports(ctx, mgr.ID)
			if err != nil && !domain.IsCode(err, domain.ENotFound) {
				return nil, err
			}
			for _, p := range peers {
				add(p)
			}
		}
	case !domain.IsCode(err, domain.ENotFound):
		return nil, err
	}
	if head := w.Catalog.Org.DepartmentHeads[me.Department]; head != "" {
		if err := byID(head); err != nil {
			return nil, err
		}
	}
	for _, mu := range w.Catalog.Org.MainUsers {
		if err := byID(mu); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// auditDelegation appends the audit row of a delegation set or ended.
func auditDelegation(ctx context.Context, tx Tx, actor, action string, before *domain.Delegation, after domain.Delegation, activityID string) error {
	snap := func(d domain.Delegation) json.RawMessage {
		m := map[string]any{"id": d.ID, "approver_id": d.ApproverID, "delegate_id": d.DelegateID,
			"from": d.From.String(), "until": d.Until.String()}
		if !d.EndedAt.IsZero() {
			m["ended_at"], m["ended_by"] = d.EndedAt, d.EndedBy
		}
		raw, _ := json.Marshal(m) // cannot fail: plain values
		return raw
	}
	b := json.RawMessage("null")
	if before != nil {
		b = snap(*before)
	}
	return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: actor, Action: action, Before: b, After: snap(after), ActivityID: activityID})
}
