package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Outbox message kinds: every message a state change causes is written to the outbox in the same transaction and
// delivered by the outbox worker, which renders it in the recipient's language at delivery time. The kind is stored
// with the message; each kind has one payload type below.
const (
	MsgApprovalRequest   = "approval_request"   // approval card to the approver
	MsgDecisionNotice    = "decision_notice"    // the requester is told the decision
	MsgGrantTask         = "grant_task"         // task card to a main user
	MsgGrantDigest       = "grant_digest"       // one list of a main user's open grant tasks, when many arrive at once
	MsgRequestSteps      = "request_steps"      // the requester's own Suomi.fi steps (valtuuspyyntö path)
	MsgGrantedNotice     = "granted_notice"     // the requester is told the mandate is in force
	MsgNotGrantedNotice  = "not_granted_notice" // the requester is told a theme could not be granted
	MsgApplicationNeeded = "application_needed" // main users: a theme outside the valtuutusoikeus was requested
	MsgCancelledNotice   = "cancelled_notice"   // the approver is told the requester withdrew
	MsgRefreshCards      = "refresh_cards"      // PUT the current view into every stored card of the request
	MsgExpiryNotice      = "expiry_notice"      // the holder or their supervisor: a mandate ends soon (renew or let it lapse)
	MsgExpiredNotice     = "expired_notice"     // the holder: a mandate has ended
	MsgInvalidationTask  = "invalidation_task"  // a main user: invalidate a mandate in Suomi.fi (the task, then its reminders)
	MsgRevokedNotice     = "revoked_notice"     // the holder: their mandate was invalidated in Suomi.fi
	MsgGrantReminder     = "grant_reminder"     // main users: a grant task has waited (the task card, marked)
	MsgFilingReminder    = "filing_reminder"    // the requester: the valtuuspyyntö has not been sent (the steps, marked)
	MsgWeeklyDigest      = "weekly_digest"      // a main user's weekly list of what is open and what ends soon
)

// Outbox kinds of approvals that wait (issue 8): reminders, a change of approver, expiry.
const (
	MsgApprovalReminder = "approval_reminder" // the approver is reminded of a request that waits for them
	MsgApproverChanged  = "approver_changed"  // the previous approver and the requester: another approver decides now
	MsgRequestExpired   = "request_expired"   // the requester: nobody decided the request in time, it expired
)

// PayloadVersion is the version written into every payload. A reader accepts every version up to its own; a
// payload written before versions existed (no "v") is version 1.
const PayloadVersion = 1

// Payload is the kind-specific content of an outbox message: one of the types below, one type per kind. Only this
// package can make a type a Payload (the marker is unexported); KindOf names its kind.
type Payload interface{ isPayload() }

// payload marks the payload types.
type payload struct{}

func (payload) isPayload() {}

// The payload types. Most messages are rendered from the request as it is at delivery time and carry nothing else;
// notices about some items name them, so a later change does not alter what the notice was about.
type (
	ApprovalRequest struct{ payload } // the approval card to the approver
	DecisionNotice  struct{ payload } // the requester is told the decision
	// GrantedNotice tells the requester which items are now mandates in force.
	GrantedNotice struct {
		payload
		Items []int64
	}
	GrantTask struct{ payload } // the grant task card to a main user
	// GrantDigest is the main user's list of open grant tasks, posted once and then updated in place while tasks
	// keep arriving (see GrantMessage).
	GrantDigest struct{ payload }
	// RequestSteps gives the requester their own Suomi.fi steps (the valtuuspyyntö) for the items named; none named
	// (messages written before items were named) means every grantable item.
	RequestSteps struct {
		payload
		Items []int64
	}
	// NotGrantedNotice tells the requester which items could not be granted.
	NotGrantedNotice struct {
		payload
		Items []int64
	}
	CancelledNotice struct{ payload } // the approver is told the requester withdrew
	// GrantReminder reminds a main user of a grant task that has waited Days working days.
	GrantReminder struct {
		payload
		Days int
	}
	// FilingReminder reminds the requester to send the valtuuspyyntö for the items named.
	FilingReminder struct {
		payload
		Items []int64
	}
	WeeklyDigest struct{ payload } // a main user's weekly digest, rendered from the register when delivered
	RefreshCards struct{ payload } // every card posted about the request shows its current state
	// ApplicationNeeded names the themes outside the organisation's valtuutusoikeus.
	ApplicationNeeded struct {
		payload
		Themes []string
	}
	// ExpiryNotice tells a mandate's holder, or their supervisor, that it ends in Days calendar days (the alert
	// policy's offset that sent it). It is rendered from the mandate as it is at delivery.
	ExpiryNotice struct {
		payload
		Mandate int64
		Days    int
	}
	// ExpiredNotice tells the holder that the mandate has ended.
	ExpiredNotice struct {
		payload
		Mandate int64
	}
	// InvalidationTask gives a main user the task of invalidating the mandate in Suomi.fi; Reminder counts the
	// reminders (0 for the task itself).
	InvalidationTask struct {
		payload
		Mandate  int64
		Reminder int
	}
	// RevokedNotice tells the holder that the mandate was invalidated in Suomi.fi.
	RevokedNotice struct {
		payload
		Mandate int64
	}
)

// MandateMessage is an outbox message for recipient about mandate m (filed under the request it came from, if any).
func MandateMessage(recipientID string, m Mandate, p Payload) OutboxMessage {
	return Message(recipientID, m.RequestID, p)
}

// MandateOf names the mandate a mandate payload is about; ok is false for the request payloads.
func MandateOf(p Payload) (id int64, ok bool) {
	switch p := p.(type) {
	case ExpiryNotice:
		return p.Mandate, true
	case ExpiredNotice:
		return p.Mandate, true
	case InvalidationTask:
		return p.Mandate, true
	case RevokedNotice:
		return p.Mandate, true
	}
	return 0, false
}

// The payloads of approvals that wait. Each names what it was about when it was written, so a later change does
// not alter what the message says happened.
type (
	// ApprovalReminder reminds the approver of a request that has waited for their decision since Since, Days
	// working days. MovesOn is the day it moves to another approver if still undecided (zero when nobody else can
	// decide it), ExpiresOn the day it expires.
	ApprovalReminder struct {
		payload
		Since              time.Time
		Days               int
		MovesOn, ExpiresOn Date
	}
	// ApproverChanged tells that the request's approver changed (Reason): from whom (for a delegation, the approver
	// who is away) to whom, and for an escalation after how many working days.
	ApproverChanged struct {
		payload
		Reason           ReassignReason
		FromID, FromName string
		ToID, ToName     string
		Days             int
	}
	// RequestExpired tells the requester that nobody decided the request within Days working days.
	RequestExpired struct {
		payload
		Days int
	}
)

// contentless are the payloads that carry nothing but their kind.
var contentless = []Payload{ApprovalRequest{}, DecisionNotice{}, GrantTask{}, GrantDigest{}, CancelledNotice{}, RefreshCards{},
	WeeklyDigest{}}

// KindOf is the outbox kind of a payload.
func KindOf(p Payload) string {
	if k := handoffKind(p); k != "" { // the hand-off's kinds: handoff.go
		return k
	}
	if k := lifeKind(p); k != "" { // joiners, leavers, continuity: lifemsgs.go
		return k
	}
	if k := reviewKind(p); k != "" { // the reviews' kinds: review.go
		return k
	}
	if _, ok := p.(TurnReply); ok { // turnreply.go
		return MsgTurnReply
	}
	switch p.(type) {
	case ApprovalRequest:
		return MsgApprovalRequest
	case DecisionNotice:
		return MsgDecisionNotice
	case GrantTask:
		return MsgGrantTask
	case GrantDigest:
		return MsgGrantDigest
	case RequestSteps:
		return MsgRequestSteps
	case CancelledNotice:
		return MsgCancelledNotice
	case RefreshCards:
		return MsgRefreshCards
	case GrantedNotice:
		return MsgGrantedNotice
	case NotGrantedNotice:
		return MsgNotGrantedNotice
	case ApplicationNeeded:
		return MsgApplicationNeeded
	case ExpiryNotice:
		return MsgExpiryNotice
	case ExpiredNotice:
		return MsgExpiredNotice
	case InvalidationTask:
		return MsgInvalidationTask
	case RevokedNotice:
		return MsgRevokedNotice
	case GrantReminder:
		return MsgGrantReminder
	case FilingReminder:
		return MsgFilingReminder
	case WeeklyDigest:
		return MsgWeeklyDigest
	case ApprovalReminder:
		return MsgApprovalReminder
	case ApproverChanged:
		return MsgApproverChanged
	case RequestExpired:
		return MsgRequestExpired
	}
	panic(fmt.Sprintf("domain: %T is not an outbox payload", p)) // unreachable: Payload is sealed
}

// wirePayload is the stored JSON of every payload: a version and the fields some kinds use.
type wirePayload struct {
	V      int      `json:"v"`
	Items  []int64  `json:"items,omitempty"`
	Themes []string `json:"themes,omitempty"`
	// Approvals that wait, and reminders.
	Since     time.Time `json:"since,omitzero"`
	Days      int       `json:"days,omitempty"`
	MovesOn   string    `json:"moves_on,omitempty"`   // YYYY-MM-DD
	ExpiresOn string    `json:"expires_on,omitempty"` // YYYY-MM-DD
	Reason    string    `json:"reason,omitempty"`
	From      string    `json:"from,omitempty"`
	FromName  string    `json:"from_name,omitempty"`
	To        string    `json:"to,omitempty"`
	ToName    string    `json:"to_name,omitempty"`
	// The mandate payloads: which mandate (the expiry notice's offset is Days), the invalidation reminder's number.
	Mandate  int64 `json:"mandate,omitempty"`
	Reminder int   `json:"reminder,omitempty"`
}

// Message is an outbox message for recipient about request, with its payload encoded.
func Message(recipientID string, requestID int64, p Payload) OutboxMessage {
	if hp, ok := p.(HandoffPayload); ok { // about a hand-off, not a request: handoff.go
		return HandoffMessageFor(recipientID, hp)
	}
	if lp, ok := p.(LifePayload); ok { // joiners, leavers, continuity: lifemsgs.go
		return lifeMessageFor(recipientID, lp)
	}
	if rp, ok := p.(ReviewPayload); ok { // about a review, not a request: review.go
		return reviewMessage(recipientID, rp)
	}
	w := wirePayload{V: PayloadVersion}
	switch p := p.(type) {
	case GrantedNotice:
		w.Items = p.Items
	case NotGrantedNotice:
		w.Items = p.Items
	case RequestSteps:
		w.Items = p.Items
	case ApplicationNeeded:
		w.Themes = p.Themes
	case ExpiryNotice:
		w.Mandate, w.Days = p.Mandate, p.Days
	case ExpiredNotice:
		w.Mandate = p.Mandate
	case InvalidationTask:
		w.Mandate, w.Reminder = p.Mandate, p.Reminder
	case RevokedNotice:
		w.Mandate = p.Mandate
	case GrantReminder:
		w.Days = p.Days
	case FilingReminder:
		w.Items = p.Items
	case ApprovalReminder:
		w.Since, w.Days, w.MovesOn, w.ExpiresOn = p.Since.UTC(), p.Days, p.MovesOn.String(), p.ExpiresOn.String()
	case ApproverChanged:
		w.Reason, w.From, w.FromName, w.To, w.ToName, w.Days = string(p.Reason), p.FromID, p.FromName, p.ToID, p.ToName, p.Days
	case RequestExpired:
		w.Days = p.Days
	}
	raw, _ := json.Marshal(w) // cannot fail: plain fields
	return OutboxMessage{Kind: KindOf(p), RecipientID: recipientID, RequestID: requestID, Payload: raw}
}

// Decode returns the message's typed payload. An unknown kind, a newer version or malformed JSON is an error:
// no retry will make such a message deliverable.
func (m OutboxMessage) Decode() (Payload, error) {
	if p, ok, err := decodeHandoff(m); ok { // the hand-off's kinds: handoff.go
		return p, err
	}
	if p, ok, err := decodeLife(m); ok { // joiners, leavers, continuity: lifemsgs.go
		return p, err
	}
	if p, ok, err := decodeReview(m); ok { // the reviews' kinds: review.go
		return p, err
	}
	if p, ok, err := decodeTurnReply(m); ok { // turnreply.go
		return p, err
	}
	var w wirePayload
	if len(m.Payload) > 0 && string(m.Payload) != "null" {
		if err := json.Unmarshal(m.Payload, &w); err != nil {
			return nil, fmt.Errorf("outbox message %d: malformed payload: %w", m.ID, err)
		}
	}
	if w.V > PayloadVersion {
		return nil, fmt.Errorf("outbox message %d: payload version %d is newer than this build's %d", m.ID, w.V, PayloadVersion)
	}
	switch m.Kind {
	case MsgGrantedNotice:
		return GrantedNotice{Items: w.Items}, nil
	case MsgNotGrantedNotice:
		return NotGrantedNotice{Items: w.Items}, nil
	case MsgRequestSteps:
		return RequestSteps{Items: w.Items}, nil
	case MsgGrantReminder:
		return GrantReminder{Days: w.Days}, nil
	case MsgFilingReminder:
		return FilingReminder{Items: w.Items}, nil
	case MsgApplicationNeeded:
		return ApplicationNeeded{Themes: w.Themes}, nil
	case MsgExpiryNotice:
		return ExpiryNotice{Mandate: w.Mandate, Days: w.Days}, nil
	case MsgExpiredNotice:
		return ExpiredNotice{Mandate: w.Mandate}, nil
	case MsgInvalidationTask:
		return InvalidationTask{Mandate: w.Mandate, Reminder: w.Reminder}, nil
	case MsgRevokedNotice:
		return RevokedNotice{Mandate: w.Mandate}, nil
	case MsgApprovalReminder:
		moves, err1 := optionalDate(w.MovesOn)
		expires, err2 := optionalDate(w.ExpiresOn)
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("outbox message %d: malformed payload: %w", m.ID, err)
		}
		return ApprovalReminder{Since: w.Since, Days: w.Days, MovesOn: moves, ExpiresOn: expires}, nil
	case MsgApproverChanged:
		return ApproverChanged{Reason: ReassignReason(w.Reason), FromID: w.From, FromName: w.FromName, ToID: w.To,
			ToName: w.ToName, Days: w.Days}, nil
	case MsgRequestExpired:
		return RequestExpired{Days: w.Days}, nil
	}
	for _, p := range contentless {
		if KindOf(p) == m.Kind {
			return p, nil
		}
	}
	return nil, fmt.Errorf("outbox message %d: unknown kind %q", m.ID, m.Kind)
}

// optionalDate parses a YYYY-MM-DD date of a payload; "" is the zero Date.
func optionalDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	return ParseDate(s)
}

// OutboxMessage is a message waiting to be delivered (or delivered: rows are kept for the record).
type OutboxMessage struct {
	ID          int64
	Kind        string
	RecipientID string // Entra object id; empty for MsgRefreshCards
	RequestID   int64
	Payload     json.RawMessage // the encoded Payload (see Message and Decode)
	CreatedAt   time.Time
	Attempts    int
	NextAttempt time.Time
	DeliveredAt time.Time
	LastError   string
}

// CoalesceWindow is how long after a main user's last grant-task card a new task joins their task list instead of
// arriving as a card of its own.
const CoalesceWindow = 2 * time.Minute

// TaskCards is what the outbox holds for one main user's grant-task cards, as GrantMessage needs it.
type TaskCards struct {
	// DigestWaiting: a task list for them is waiting to be delivered and not yet claimed; it will show every task
	// that is open when it is rendered.
	DigestWaiting bool
	// Recent: a task card or list for them is waiting, being delivered, or was delivered within CoalesceWindow.
	Recent bool
}

// GrantMessage is the message that tells a main user about a new grant task, so that a burst of tasks becomes one
// card updated in place instead of hundreds: a card of its own when nothing was sent to them lately; otherwise their
// task list (GrantDigest); nothing (nil) when a task list that will include the task is already waiting.
func GrantMessage(s TaskCards) Payload {
	switch {
	case s.DigestWaiting:
		return nil
	case s.Recent:
		return GrantDigest{}
	}
	return GrantTask{}
}
