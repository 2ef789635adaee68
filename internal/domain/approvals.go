package domain

import (
	"strings"
	"time"
)

// Approvals that wait (issue 8): a request whose approver does not decide moves to another approver (escalation),
// an approver who is away hands their approvals to a colleague for a period (delegation), and a request nobody
// decides in time expires. The rules below are pure; the alerts and the workflow apply them in a transaction.

// SystemActor is the actor of what the bot does by itself, on a schedule: escalating or expiring a request. It is
// never a person's Entra object id.
const SystemActor = "system"

// ReassignReason says why a request's approver is not the one the approver rule chose when it was filed.
type ReassignReason string

// Reassignment reasons.
const (
	// ReassignEscalated: the previous approver did not decide within the organisation's escalation time, so the
	// request moved to the alternate approver (the requester's department head, then a main user).
	ReassignEscalated ReassignReason = "escalated"
	// ReassignDelegated: the approver is away and named this person to decide for them (a Delegation); the
	// reassignment's From is the approver who is away.
	ReassignDelegated ReassignReason = "delegated"
	// ReassignReturned: the delegation ended and the request went back to the approver it was delegated from.
	ReassignReturned ReassignReason = "returned"
)

// Valid reports whether r is a known reason.
func (r ReassignReason) Valid() bool {
	return r == ReassignEscalated || r == ReassignDelegated || r == ReassignReturned
}

// Reassignment records the last change of a request's approver: why, from whom (for a delegation: the approver
// who is away) and when. The zero value means the approver is the one chosen when the request was filed.
type Reassignment struct {
	Reason   ReassignReason
	FromID   string
	FromName string
	At       time.Time
}

// Assignment is who decides a request and why.
type Assignment struct {
	ID    string // Entra object id
	Name  string
	Basis ApproverBasis
	// Reason and From are set when the approver is not the one the approver rule chose (see Reassignment).
	Reason   ReassignReason
	FromID   string
	FromName string
}

// Reassign moves a request that waits for a decision to another approver, recording why and from whom. The new
// approver must be a person other than the requester (segregation of duties) and other than the current approver.
// For a delegation (ReassignDelegated) From is the approver who is away: left empty, it is the current approver.
func (r *Request) Reassign(a Assignment, at time.Time) error {
	switch {
	case r.State != RequestPending:
		return Errorf(EConflict, "err.not_pending")
	case strings.TrimSpace(a.ID) == "":
		return Errorf(EInvalid, "err.no_approver")
	case strings.EqualFold(a.ID, r.RequesterID):
		return Errorf(EForbidden, "err.approver_is_requester")
	case strings.EqualFold(a.ID, r.ApproverID):
		return Errorf(EConflict, "err.same_approver")
	case !a.Reason.Valid():
		return Errorf(EInvalid, "err.bad_reassignment")
	case !a.Basis.Valid():
		return Errorf(EInvalid, "err.bad_reassignment")
	}
	from := Reassignment{Reason: a.Reason, FromID: r.ApproverID, FromName: r.ApproverName, At: at.UTC()}
	if a.FromID != "" {
		from.FromID, from.FromName = a.FromID, a.FromName
	}
	r.ApproverID, r.ApproverName, r.ApproverBasis, r.Reassigned = a.ID, a.Name, a.Basis, from
	return nil
}

// Valid reports whether b is a known approver basis.
func (b ApproverBasis) Valid() bool {
	return b == ApproverManager || b == ApproverDepartmentHead || b == ApproverMainUser
}

// DelegatedFrom is the approver who is away and for whom the current approver decides ("" when nobody is).
func (r Request) DelegatedFrom() (id, name string) {
	if r.Reassigned.Reason != ReassignDelegated {
		return "", ""
	}
	return r.Reassigned.FromID, r.Reassigned.FromName
}

// WaitingSince is when the current approver got the request: when it was filed, or when it last moved to them.
func (r Request) WaitingSince() time.Time {
	if !r.Reassigned.At.IsZero() {
		return r.Reassigned.At
	}
	return r.CreatedAt
}

// Expire ends a request nobody decided within the organisation's time: it is cancelled by the system (SystemActor
// in DecidedBy, the time in DecidedAt), and nothing is granted. There is no state of its own (the stored states
// are fixed); Expired tells it from a request its requester withdrew.
func (r *Request) Expire(at time.Time) error {
	if r.State != RequestPending {
		return Errorf(EConflict, "err.not_pending")
	}
	r.State = RequestCancelled
	for i := range r.Items {
		r.Items[i].State = ItemCancelled
	}
	r.DecidedBy, r.DecidedAt, r.DecisionReason = SystemActor, at.UTC(), ""
	return nil
}

// Expired reports whether the request expired undecided (see Expire).
func (r Request) Expired() bool {
	return r.State == RequestCancelled && r.DecidedBy == SystemActor && r.DecisionReason != LeaverReason
}

// ---- delegation -----------------------------------------------------------------------------------------------

// MaxDelegationDays is the longest period one delegation may cover: a longer absence is a change of approver,
// which belongs in the directory.
const MaxDelegationDays = 366

// Delegation is an approver's hand-over of their approvals to a named colleague (the delegate) for a period, e.g.
// a holiday: while it is in force, new requests the approver would decide go to the delegate, and so do the ones
// waiting for them. The delegate never decides their own request.
type Delegation struct {
	ID           int64
	ApproverID   string // the approver who is away
	ApproverName string
	DelegateID   string // who decides for them
	DelegateName string
	From, Until  Date // the first and the last day of the absence
	CreatedBy    string
	CreatedAt    time.Time
	EndedAt      time.Time // when it was ended before its last day; zero if not
	EndedBy      string
}

// ActiveOn reports whether the delegation is in force on day.
func (d Delegation) ActiveOn(day Date) bool {
	return d.EndedAt.IsZero() && !day.Before(d.From) && !day.After(d.Until)
}

// Current reports whether the delegation is in force on day or starts later.
func (d Delegation) Current(day Date) bool { return d.EndedAt.IsZero() && !day.After(d.Until) }

// Overlaps reports whether the two delegations' periods share a day.
func (d Delegation) Overlaps(o Delegation) bool {
	return !d.Until.Before(o.From) && !o.Until.Before(d.From)
}

// NewDelegation checks a delegation an approver sets for themself on today: the delegate is someone else who may
// decide requests (an enabled account that has not left by the first day), the period starts today or later, ends
// on or after its start and lasts at most MaxDelegationDays, and it does not overlap another delegation of the
// approver still in force (existing).
func NewDelegation(approver, delegate User, from, until, today Date, existing []Delegation) (Delegation, error) {
	d := Delegation{ApproverID: approver.ID, ApproverName: approver.DisplayName, DelegateID: delegate.ID,
		DelegateName: delegate.DisplayName, From: from, Until: until, CreatedBy: approver.ID}
	switch {
	case approver.ID == "":
		return Delegation{}, Errorf(EForbidden, "err.unknown_user")
	case strings.EqualFold(approver.ID, delegate.ID):
		return Delegation{}, Errorf(EInvalid, "err.delegate_self")
	case delegate.ID == "" || !delegate.MayApprove(approver.ID, from):
		return Delegation{}, Errorf(EInvalid, "err.delegate_unavailable")
	case from.IsZero() || until.IsZero() || from.Before(today) || until.Before(from):
		return Delegation{}, Errorf(EInvalid, "err.delegation_dates")
	case from.DaysUntil(until) >= MaxDelegationDays:
		return Delegation{}, Errorf(EInvalid, "err.delegation_too_long")
	}
	for _, o := range existing {
		if o.ApproverID == d.ApproverID && o.Current(today) && o.Overlaps(d) {
			return Delegation{}, Errorf(EConflict, "err.delegation_overlaps")
		}
	}
	return d, nil
}

// End ends the delegation at, before or on its last day; only the approver who set it (or a main user) may. The requests
// delegated under it then go back to the approver.
func (d *Delegation) End(actor string, mainUser bool, at time.Time) error {
	switch {
	case actor != d.ApproverID && !mainUser:
		return Errorf(EForbidden, "err.not_delegator")
	case !d.Current(Today(at)):
		return Errorf(EConflict, "err.delegation_ended")
	}
	d.EndedAt, d.EndedBy = at.UTC(), actor
	return nil
}

// DelegateFor picks, among an approver's delegations, the one that decides a request of requesterID on day: the
// delegation in force then, unless its delegate is the requester (nobody decides their own request: it stays with
// the approver).
func DelegateFor(ds []Delegation, day Date, requesterID string) (Delegation, bool) {
	for _, d := range ds {
		if d.ActiveOn(day) && !strings.EqualFold(d.DelegateID, requesterID) {
			return d, true
		}
	}
	return Delegation{}, false
}

// Delegated is the assignment of a request to the delegate of d, who decides instead of the approver chosen with
// basis.
func (d Delegation) Delegated(basis ApproverBasis) Assignment {
	return Assignment{ID: d.DelegateID, Name: d.DelegateName, Basis: basis, Reason: ReassignDelegated,
		FromID: d.ApproverID, FromName: d.ApproverName}
}
