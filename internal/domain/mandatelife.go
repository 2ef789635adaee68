package domain

import (
	"context"
	"fmt"
	"time"
)

// The life of a mandate after its grant (issue 8): notices before it ends, a renewal that goes through the normal
// approval, the holder's (or their supervisor's) choice to let it lapse, and its invalidation in Suomi.fi, which a
// main user confirms here. Expiry itself is derived from ValidUntil; these record what people chose and did.

// Lapsing reports whether someone chose to let the mandate end without renewal.
func (m Mandate) Lapsing() bool { return m.LapseBy != "" }

// Ended reports whether the mandate is no longer in force on day: revoked, or past its end date.
func (m Mandate) Ended(day Date) bool {
	return m.State != MandateActive || DateOf(m.ValidUntil).Before(day)
}

// LetLapse records that actor chose to let the mandate end without renewal. Only an active mandate that has not
// ended may lapse, and only once (a second choice is a conflict: a late or repeated tap).
func (m *Mandate) LetLapse(actor string, at time.Time, today Date) error {
	switch {
	case m.Ended(today):
		return Errorf(EConflict, "err.mandate_ended")
	case m.Lapsing():
		return Errorf(EConflict, "err.mandate_lapsing")
	}
	m.LapseBy, m.LapseAt = actor, at.UTC()
	return nil
}

// Renewable reports why the mandate cannot be renewed on day, or nil: it must be active and not ended. A mandate
// whose holder chose to let it lapse can still be renewed (the later choice wins).
func (m Mandate) Renewable(day Date) error {
	if m.Ended(day) {
		return Errorf(EConflict, "err.mandate_ended")
	}
	return nil
}

// RenewalStart is the day a renewal of the mandate starts: its end date (Suomi.fi's end date is the last day in
// force, so the two overlap by that day and there is no gap).
func (m Mandate) RenewalStart() Date { return DateOf(m.ValidUntil) }

// RenewalValidity is the validity a renewal of a mandate of theme t may have when the old one ends on start: from
// the day after start, the theme's default validity counted from start, capped like a new request (the theme's
// longest validity, Suomi.fi's 25 years, the end of a fixed-term employment, contractEnd, zero when none).
func RenewalValidity(start Date, t Theme, contractEnd Date) Validity {
	v := RequestValidity(start, t.DefaultValidityMonths)
	return v.Capped(start, []Theme{t}, contractEnd)
}

// InvalidationReason is the reason of an invalidation task: required, bounded, never a personal identity code.
var InvalidationReason = FreeText{Max: MaxReason, Required: true, MissingKey: "err.invalidation_reason_required",
	TooLongKey: "err.reason_too_long", HetuKey: "err.reason_hetu"}

// InvalidationRole says on whose word an invalidation task was opened.
type InvalidationRole string

// Invalidation roles.
const (
	InvalidationByMainUser   InvalidationRole = "main_user"  // a main user opened it
	InvalidationBySupervisor InvalidationRole = "supervisor" // the holder's supervisor asked for it
)

// Invalidation is the main users' task of invalidating a mandate in Suomi.fi (mitätöinti), from the moment it is
// opened until a main user confirms that it was done.
type Invalidation struct {
	MandateID     int64
	RequestedBy   string
	RequestedRole InvalidationRole
	RequestedAt   time.Time
	Reason        string // checked free text: required, never a personal identity code
	ConfirmedBy   string
	ConfirmedAt   time.Time // zero while the task is open
	InvalidatedOn Date      // the day the mandate was invalidated in Suomi.fi, as the main user recorded it
}

// Open reports whether the task waits for a main user.
func (i Invalidation) Open() bool { return i.MandateID != 0 && i.ConfirmedAt.IsZero() }

// CheckInvalidationRequest applies the rules of opening an invalidation task for m: only an active mandate that has
// not ended; only a main user or the holder's supervisor (supervisor: the actor is the holder's manager in the
// directory); never the holder themself (they tell their supervisor or a main user). It returns the role the task
// is opened in.
func (m Mandate) CheckInvalidationRequest(actor string, mainUser, supervisor bool, today Date) (InvalidationRole, error) {
	switch {
	case actor == "":
		return "", Errorf(EForbidden, "err.no_mandate_access")
	case mainUser:
	case supervisor && actor != m.HolderID:
	default:
		return "", Errorf(EForbidden, "err.not_main_user_or_supervisor")
	}
	if m.Ended(today) {
		return "", Errorf(EConflict, "err.mandate_ended")
	}
	if mainUser {
		return InvalidationByMainUser, nil
	}
	return InvalidationBySupervisor, nil
}

// CheckInvalidatedOn validates the day a main user says a mandate was invalidated in Suomi.fi: given, not in the
// future, and not before the task was opened (nor more than LateGrantDays before today).
func (i Invalidation) CheckInvalidatedOn(today, on Date) error {
	switch {
	case on.IsZero():
		return Errorf(EInvalid, "err.invalidated_on_required")
	case on.After(today):
		return Errorf(EInvalid, "err.invalidated_on_future")
	case on.Before(Today(i.RequestedAt)) || on.Before(today.AddDays(-LateGrantDays)):
		return Errorf(EInvalid, "err.invalidated_on_past")
	}
	return nil
}

// MandateLife is a mandate with what became of it since its grant, as the rules and the cards see it on Today.
type MandateLife struct {
	Mandate      Mandate
	Invalidation Invalidation // zero when there is no task
	Renewal      Request      // the newest request that renews it; zero ID when none
	Today        Date
}

// RenewalOpen reports whether a renewal waits for its decision or grant.
func (l MandateLife) RenewalOpen() bool { return l.Renewal.ID != 0 && l.Renewal.State.Open() }

// Renewed reports whether a renewal of the mandate was granted.
func (l MandateLife) Renewed() bool {
	if l.Renewal.ID == 0 {
		return false
	}
	for _, it := range l.Renewal.Items {
		if it.State == ItemGranted {
			return true
		}
	}
	return false
}

// RenewableBy reports whether the holder or their supervisor (the reader is one when holder or supervisor is true)
// may file a renewal now: while the mandate is in force, no renewal waits or was granted, and no invalidation task
// is open.
func (l MandateLife) RenewableBy(holder, supervisor bool) bool {
	return (holder || supervisor) && l.Mandate.Renewable(l.Today) == nil && !l.RenewalOpen() && !l.Renewed() &&
		!l.Invalidation.Open()
}

// LapsableBy reports whether the holder or their supervisor may let the mandate lapse now: in force, not chosen
// yet, and no renewal waiting.
func (l MandateLife) LapsableBy(holder, supervisor bool) bool {
	return (holder || supervisor) && !l.Mandate.Ended(l.Today) && !l.Mandate.Lapsing() && !l.RenewalOpen()
}

// InvalidationAskableBy reports whether actor may open (a main user) or ask for (the holder's supervisor) an
// invalidation task now: none exists yet and the rules allow it.
func (l MandateLife) InvalidationAskableBy(actor string, mainUser, supervisor bool) bool {
	_, err := l.Mandate.CheckInvalidationRequest(actor, mainUser, supervisor, l.Today)
	return err == nil && l.Invalidation.MandateID == 0
}

// ConfirmableBy reports whether the reader may confirm the invalidation: a main user, while the task is open.
func (l MandateLife) ConfirmableBy(mainUser bool) bool { return mainUser && l.Invalidation.Open() }

// MandateTx is the register's write side for a mandate's life, inside one transaction: the store's Tx implements it
// together with Tx (MandateTxOf gives it).
type MandateTx interface {
	Tx
	// Mandate reads a mandate inside the transaction; ENotFound when there is none.
	Mandate(ctx context.Context, id int64) (Mandate, error)
	// SetLapse writes m.LapseBy and m.LapseAt, if the mandate is active and no lapse is recorded yet (else EConflict),
	// and sets m.UpdatedAt.
	SetLapse(ctx context.Context, m *Mandate) error
	// RevokeMandate moves an active mandate to revoked (EConflict when it is not active) and sets m.State and
	// m.UpdatedAt.
	RevokeMandate(ctx context.Context, m *Mandate) error
	// OpenInvalidation inserts the task (RequestedAt becomes the store's now); EConflict when the mandate has one.
	OpenInvalidation(ctx context.Context, inv *Invalidation) error
	// Invalidation reads the mandate's task; ENotFound when there is none.
	Invalidation(ctx context.Context, mandateID int64) (Invalidation, error)
	// ConfirmInvalidation records, once, who confirmed the task and the day (ConfirmedAt becomes the store's now);
	// EConflict when it was confirmed already, ENotFound when there is no task.
	ConfirmInvalidation(ctx context.Context, inv *Invalidation) error
	// Renewal is the newest request that renews the mandate, in any state, if any: open, it waits; with an item
	// granted, the mandate was renewed.
	Renewal(ctx context.Context, mandateID int64) (Request, bool, error)
}

// MandateTxOf gives the mandate-life side of a transaction; a store that has none is a programming error.
func MandateTxOf(tx Tx) (MandateTx, error) {
	if mt, ok := tx.(MandateTx); ok {
		return mt, nil
	}
	return nil, &Error{Code: EInternal, Message: fmt.Sprintf("the register's transaction %T has no mandate life", tx)}
}
