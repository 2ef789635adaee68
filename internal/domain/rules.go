package domain

import (
	"slices"
	"strings"
	"time"
)

// The rules of a request's life: who may do what, and what each step changes. They are pure: the workflow loads a
// request, applies one of these, and saves the result with its audit row and outbox messages in one transaction.

// Clone is a deep copy of r (its items included), e.g. the "before" of an audit row.
func (r Request) Clone() Request {
	r.Items = slices.Clone(r.Items)
	for i := range r.Items {
		r.Items[i].TaskIDs = slices.Clone(r.Items[i].TaskIDs)
	}
	r.TaskIDs = slices.Clone(r.TaskIDs)
	return r
}

// IsApprover reports whether actor is the request's assigned approver. The requester never is, whatever the data says.
func (r *Request) IsApprover(actor string) bool {
	return actor != "" && r.ApproverID == actor && r.RequesterID != actor
}

// MayDecide reports whether actor may decide the request now.
func (r *Request) MayDecide(actor string) bool {
	return r.IsApprover(actor) && r.State == RequestPending
}

// MayView reports whether actor may see the request: its requester, its approver or a main user. Anyone else must
// learn nothing about it, not even that it exists.
func (r *Request) MayView(actor string, mainUser bool) bool {
	return actor != "" && (mainUser || r.RequesterID == actor || r.IsApprover(actor))
}

// MayGrant reports whether a main user may record grants on the request now.
func (r *Request) MayGrant(mainUser bool) bool { return mainUser && r.State == RequestApproved }

// Cancel withdraws a request that waits for its approver; only its requester may.
func (r *Request) Cancel(actor string) error {
	if r.RequesterID != actor {
		return Errorf(EForbidden, "err.not_requester")
	}
	if r.State != RequestPending {
		return Errorf(EConflict, "err.not_pending")
	}
	r.State = RequestCancelled
	for i := range r.Items {
		r.Items[i].State = ItemCancelled
	}
	return nil
}

// DecisionKind is how an approver decides.
type DecisionKind string

// Decision kinds.
const (
	ApproveAll DecisionKind = "approveAll"
	RejectAll  DecisionKind = "rejectAll"
	ByItem     DecisionKind = "byItem" // approve the items marked in Approve, reject the rest
)

// Valid reports whether k is a known decision kind.
func (k DecisionKind) Valid() bool { return k == ApproveAll || k == RejectAll || k == ByItem }

// Decision is an approver's answer to a request.
type Decision struct {
	Actor   string
	Kind    DecisionKind
	Approve map[int64]bool // ByItem: the items to approve; each id must be an item of the request
	Reason  string         // checked free text; required when anything is rejected
	At      time.Time
	Path    GrantPath // the organisation's grant path for an approved request (PathRequest when empty)
}

// Decide applies the assigned approver's decision, once. It returns the audit action ("request.approved" when
// anything was approved, else "request.rejected"). An item id that is not on the request is refused: card data is
// never trusted.
func (r *Request) Decide(d Decision) (action string, err error) {
	if !d.Kind.Valid() {
		return "", Errorf(EInvalid, "err.bad_decision")
	}
	if !r.IsApprover(d.Actor) {
		return "", Errorf(EForbidden, "err.not_approver")
	}
	if r.State != RequestPending {
		return "", Errorf(EConflict, "err.already_decided")
	}
	for id := range d.Approve {
		if _, ok := r.Item(id); !ok {
			return "", Errorf(EInvalid, "err.bad_item")
		}
	}
	approved := 0
	for _, it := range r.Items {
		if d.Kind == ApproveAll || (d.Kind == ByItem && d.Approve[it.ID]) {
			approved++
		}
	}
	if approved < len(r.Items) && strings.TrimSpace(d.Reason) == "" {
		return "", Errorf(EInvalid, "err.reason_required")
	}
	for i := range r.Items {
		it := &r.Items[i]
		it.State = ItemRejected
		if d.Kind == ApproveAll || (d.Kind == ByItem && d.Approve[it.ID]) {
			it.State = ItemApproved
		}
	}
	r.DecidedBy, r.DecidedAt, r.DecisionReason = d.Actor, d.At.UTC(), d.Reason
	if approved == 0 {
		r.State = RequestRejected
		return "request.rejected", nil
	}
	r.State, r.GrantPath = RequestApproved, d.Path
	if !r.GrantPath.Valid() {
		r.GrantPath = PathRequest
	}
	return "request.approved", nil
}

// approvedItems returns the items waiting for a grant among ids (every such item when ids is empty). An id that is
// not on the request is refused; ids that are all handled already are a conflict (a late or repeated tap). When
// granting, items still waiting for the right to grant are left out (and naming only such items is a conflict):
// nobody can grant them in Suomi.fi yet.
func (r *Request) approvedItems(ids []int64, granting bool) ([]*RequestItem, error) {
	for _, id := range ids {
		if _, ok := r.Item(id); !ok {
			return nil, Errorf(EInvalid, "err.bad_item")
		}
	}
	if r.State != RequestApproved {
		return nil, Errorf(EConflict, "err.not_grantable")
	}
	var out []*RequestItem
	for i := range r.Items {
		it := &r.Items[i]
		if it.State == ItemApproved && (len(ids) == 0 || slices.Contains(ids, it.ID)) {
			if granting && !it.Covered {
				continue
			}
			out = append(out, it)
		}
	}
	if len(out) == 0 && granting && slices.ContainsFunc(r.Items, RequestItem.AwaitingRight) {
		return nil, Errorf(EConflict, "err.awaiting_right")
	}
	if len(out) == 0 {
		if len(ids) > 0 {
			return nil, Errorf(EConflict, "err.items_already_handled")
		}
		return nil, Errorf(EConflict, "err.not_grantable")
	}
	return out, nil
}

// Settle records what a main user did in Suomi.fi for approved items (all of them when ids is empty): granted from
// and until the given dates, or, with a reason and zero dates, not granted. It returns the settled items, so the
// caller can create their mandates, and completes the request when no item waits any more.
func (r *Request) Settle(actor string, ids []int64, from, until Date, notGrantedReason string) ([]*RequestItem, error) {
	items, err := r.approvedItems(ids, notGrantedReason == "")
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		it.GrantedBy = actor
		if notGrantedReason != "" {
			it.State, it.NotGrantedReason = ItemNotGranted, notGrantedReason
			continue
		}
		it.State, it.GrantedFrom, it.GrantedUntil = ItemGranted, from.Time(), until.Time()
	}
	r.completeIfDone()
	return items, nil
}

func (r *Request) completeIfDone() {
	for _, it := range r.Items {
		if it.State == ItemApproved {
			return
		}
	}
	r.State = RequestCompleted
}

// CheckSelfGrant applies segregation of duties to recording what was done in Suomi.fi: nobody records the grant of
// their own request while another main user can; the only main user may, but only after confirming it on purpose
// (confirmed), and the grant is then flagged in the audit trail and the overview. otherMainUsers counts the main
// users other than actor.
func (r *Request) CheckSelfGrant(actor string, otherMainUsers int, confirmed bool) (selfGrant bool, err error) {
	if r.RequesterID != actor {
		return false, nil
	}
	if otherMainUsers > 0 {
		return true, Errorf(EForbidden, "err.self_grant")
	}
	if !confirmed {
		return true, Errorf(EInvalid, "err.self_grant_confirm")
	}
	return true, nil
}

// MandateFor is the register entry a granted item becomes.
func (r *Request) MandateFor(it *RequestItem) Mandate {
	return Mandate{HolderID: r.RequesterID, HolderName: r.RequesterName, Department: r.RequesterDepartment,
		ThemeID: it.ThemeID, ValidFrom: it.GrantedFrom, ValidUntil: it.GrantedUntil, State: MandateActive,
		RequestID: r.ID, ItemID: it.ID, GrantedBy: it.GrantedBy, GrantPath: r.GrantPath,
		HolderMail: strings.ToLower(strings.TrimSpace(r.RequesterMail))}
}

// MarkFiled records the requester's word that they sent the valtuuspyyntö in Suomi.fi for every grantable item
// not yet marked, and returns those items. Only the requester, only on the valtuuspyyntö path.
func (r *Request) MarkFiled(actor string, at time.Time) ([]*RequestItem, error) {
	if r.RequesterID != actor {
		return nil, Errorf(EForbidden, "err.not_requester")
	}
	if r.State != RequestApproved || r.GrantPath != PathRequest {
		return nil, Errorf(EConflict, "err.not_request_path")
	}
	var out []*RequestItem
	for i := range r.Items {
		if it := &r.Items[i]; it.Grantable() && it.FiledAt.IsZero() {
			it.FiledAt = at.UTC()
			out = append(out, it)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(EConflict, "err.already_filed")
	}
	return out, nil
}

// UseDirectGrant switches an approved request from the valtuuspyyntö to the direct grant, when the employee
// cannot file the request (no Finnish online bank codes, say). The organisation must allow it (allowed); the
// requester or a main user may ask for it.
func (r *Request) UseDirectGrant(actor string, mainUser, allowed bool) error {
	switch {
	case !allowed:
		return Errorf(EForbidden, "err.direct_not_allowed")
	case r.RequesterID != actor && !mainUser:
		return Errorf(EForbidden, "err.not_requester")
	case r.State != RequestApproved || r.GrantPath != PathRequest:
		return Errorf(EConflict, "err.not_request_path")
	}
	r.GrantPath = PathDirect
	return nil
}

// RightRegistered moves the request's items that waited for the right to grant themeID on: they become
// grantable. It returns them (none when the request had no such item).
func (r *Request) RightRegistered(themeID string) []*RequestItem {
	var out []*RequestItem
	for i := range r.Items {
		if it := &r.Items[i]; it.AwaitingRight() && it.ThemeID == themeID {
			it.Covered = true
			out = append(out, it)
		}
	}
	return out
}

// End is the day a mandate stopped (or stops) being in force: its end date, or for a revoked mandate the day it
// was revoked (RevokedOn, else the day the register recorded it) when that came first.
func (m Mandate) End() Date {
	end := DateOf(m.ValidUntil)
	revoked := m.RevokedOn
	if revoked.IsZero() {
		revoked = m.UpdatedAt
	}
	if m.State == MandateRevoked && !revoked.IsZero() {
		if rev := DateOf(revoked); end.IsZero() || rev.Before(end) {
			end = rev
		}
	}
	return end
}

// InForceOn reports whether the mandate is in force on the given day.
func (m Mandate) InForceOn(day Date) bool {
	return m.State == MandateActive && !day.Before(DateOf(m.ValidFrom)) && !day.After(DateOf(m.ValidUntil))
}

// Current reports whether the mandate is active and has not ended by day (it may start later).
func (m Mandate) Current(day Date) bool {
	return m.State == MandateActive && !DateOf(m.ValidUntil).Before(day)
}

// MayApprove reports whether u can decide requests of the requester on day: a real, enabled account that has not
// left, and never the requester themself.
func (u User) MayApprove(requesterID string, day Date) bool {
	return u.ID != "" && !strings.EqualFold(u.ID, requesterID) && u.AccountEnabled &&
		(u.LeaveDate == nil || !DateOf(*u.LeaveDate).Before(day))
}
