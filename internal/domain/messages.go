package domain

import (
	"encoding/json"
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
	MsgGrantReminder     = "grant_reminder"     // main users: a grant task has waited (the task card, marked)
	MsgFilingReminder    = "filing_reminder"    // the requester: the valtuuspyyntö has not been sent (the steps, marked)
	MsgWeeklyDigest      = "weekly_digest"      // a main user's weekly list of what is open and what ends soon
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
)

// contentless are the payloads that carry nothing but their kind.
var contentless = []Payload{ApprovalRequest{}, DecisionNotice{}, GrantTask{}, GrantDigest{}, CancelledNotice{}, RefreshCards{},
	WeeklyDigest{}}

// KindOf is the outbox kind of a payload.
func KindOf(p Payload) string {
	if k := handoffKind(p); k != "" { // the hand-off's kinds: handoff.go
		return k
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
	case GrantReminder:
		return MsgGrantReminder
	case FilingReminder:
		return MsgFilingReminder
	case WeeklyDigest:
		return MsgWeeklyDigest
	}
	panic(fmt.Sprintf("domain: %T is not an outbox payload", p)) // unreachable: Payload is sealed
}

// wirePayload is the stored JSON of every payload: a version and the fields some kinds use.
type wirePayload struct {
	V      int      `json:"v"`
	Days   int      `json:"days,omitempty"`
	Items  []int64  `json:"items,omitempty"`
	Themes []string `json:"themes,omitempty"`
}

// Message is an outbox message for recipient about request, with its payload encoded.
func Message(recipientID string, requestID int64, p Payload) OutboxMessage {
	if hp, ok := p.(HandoffPayload); ok { // about a hand-off, not a request: handoff.go
		return HandoffMessageFor(recipientID, hp)
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
	case GrantReminder:
		w.Days = p.Days
	case FilingReminder:
		w.Items = p.Items
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
	}
	for _, p := range contentless {
		if KindOf(p) == m.Kind {
			return p, nil
		}
	}
	return nil, fmt.Errorf("outbox message %d: unknown kind %q", m.ID, m.Kind)
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
