package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// HandoffState is where a question handed to the support network stands.
type HandoffState string

// Hand-off states: open until a supporter takes it, taken while they talk with the employee, then closed (with a
// resolution) or cancelled by the employee.
const (
	HandoffOpen      HandoffState = "open"
	HandoffTaken     HandoffState = "taken"
	HandoffClosed    HandoffState = "closed"
	HandoffCancelled HandoffState = "cancelled"
)

// Turn is one line of the conversation before the hand-off, shown to the supporters so the employee need not
// repeat themselves: what the employee wrote, or what the bot answered.
type Turn struct {
	FromBot bool   `json:"bot,omitempty"`
	Text    string `json:"text"`
}

// MaxTurns is how many of the last turns a hand-off carries.
const MaxTurns = 6

// Handoff is a question handed from an employee's 1:1 chat to the organisation's digituki channel: the card in the
// channel, then the conversation relayed between the employee's chat and the card's thread.
type Handoff struct {
	ID           int64
	EmployeeID   string
	EmployeeName string
	Department   string
	Lang         Lang // the employee's language
	Question     string
	Turns        []Turn
	State        HandoffState
	TakenBy      string // the supporter's Entra object id
	TakenByName  string
	TakenAt      time.Time
	ClosedBy     string
	ClosedAt     time.Time
	Resolution   string
	AskID        int64 // the question the FAQ answered before, if any
	// Where the card is: the channel, and once posted, its thread's conversation id, the service URL and the card's
	// activity id (the thread's root).
	ChannelID      string
	ThreadID       string
	ServiceURL     string
	CardActivityID string
	Reminders      int
	CreatedAt      time.Time
	UpdatedAt      time.Time
	Version        int
}

// Active reports whether the hand-off still relays messages: open or taken.
func (h Handoff) Active() bool { return h.State == HandoffOpen || h.State == HandoffTaken }

// Take gives the hand-off to the supporter: only an open one can be taken, once (the first tap wins; a later one
// is a conflict that names nothing, the caller shows who took it).
func (h *Handoff) Take(by, name string, now time.Time) error {
	if h.State != HandoffOpen {
		return Errorf(EConflict, "handoff.err.not_open")
	}
	if by == "" {
		return Errorf(EInvalid, "handoff.err.no_actor")
	}
	if by == h.EmployeeID {
		return Errorf(EForbidden, "handoff.err.own")
	}
	h.State, h.TakenBy, h.TakenByName, h.TakenAt = HandoffTaken, by, name, now
	return nil
}

// Close ends the hand-off with a resolution: the supporter who took it, or the employee, may close it while it is
// taken; the employee may also close an open one (they found the answer).
func (h *Handoff) Close(by, resolution string, now time.Time) error {
	switch {
	case !h.Active():
		return Errorf(EConflict, "handoff.err.closed")
	case by != h.EmployeeID && (h.State != HandoffTaken || by != h.TakenBy):
		return Errorf(EForbidden, "handoff.err.not_yours")
	}
	r, err := ResolutionText.Check(resolution)
	if err != nil {
		return err
	}
	h.State, h.ClosedBy, h.ClosedAt, h.Resolution = HandoffClosed, by, now, r
	return nil
}

// Cancel withdraws the question: only the employee, while nobody has closed it.
func (h *Handoff) Cancel(by string, now time.Time) error {
	switch {
	case by != h.EmployeeID:
		return Errorf(EForbidden, "handoff.err.not_yours")
	case !h.Active():
		return Errorf(EConflict, "handoff.err.closed")
	}
	h.State, h.ClosedBy, h.ClosedAt = HandoffCancelled, by, now
	return nil
}

// MayRelay reports whether a message from who in the hand-off's thread goes to the employee: only the supporter
// who took it, while it is taken.
func (h Handoff) MayRelay(who string) bool { return h.State == HandoffTaken && who == h.TakenBy }

// HandoffMessage is one message relayed through a hand-off: to the channel thread from the employee, or to the
// employee from the supporter. It has passed the identity-code guard.
type HandoffMessage struct {
	ID         int64
	HandoffID  int64
	AuthorID   string
	AuthorName string
	ToEmployee bool
	Text       string
	CreatedAt  time.Time
}

// ChannelRecipient is the outbox recipient of messages into a Teams channel: not a person, so it can never be
// confused with an Entra object id.
func ChannelRecipient(channelID string) string { return "channel:" + channelID }

// ChannelRef is how the bot posts into a channel of a team it is installed in, learnt from an activity there.
type ChannelRef struct {
	ChannelID  string // 19:…@thread.tacv2
	TeamID     string
	ServiceURL string
	TenantID   string
	BotID      string
	UpdatedAt  time.Time
}

// SupportTx is the write side of the answers and the hand-off inside one transaction.
type SupportTx interface {
	CreateHandoff(ctx context.Context, h *Handoff) error
	// Handoff reads a hand-off inside the transaction (ENotFound).
	Handoff(ctx context.Context, id int64) (Handoff, error)
	// UpdateHandoff writes h's mutable fields if the stored version is still h.Version (else EConflict), then
	// increments h.Version.
	UpdateHandoff(ctx context.Context, h *Handoff) error
	AddHandoffMessage(ctx context.Context, m *HandoffMessage) error
	// EnqueueHandoff adds an outbox message about the hand-off, due now.
	EnqueueHandoff(ctx context.Context, handoffID int64, m OutboxMessage) error
	// AppendHandoffAudit adds an audit row about the hand-off (e.HandoffID is taken from handoffID).
	AppendHandoffAudit(ctx context.Context, handoffID int64, e AuditEvent) error
	CreateProposal(ctx context.Context, p *FAQProposal) error
	Proposal(ctx context.Context, id int64) (FAQProposal, error)
	// UpdateProposal writes p's state and texts if the stored version is still p.Version (else EConflict).
	UpdateProposal(ctx context.Context, p *FAQProposal) error
	LinkAsk(ctx context.Context, askID, handoffID int64) error
	Schedule(ctx context.Context, job Job) (bool, error)
}

// Hand-off outbox kinds. Each is about one hand-off (outbox.handoff_id), rendered at delivery time.
const (
	MsgHandoffCard     = "handoff_card"     // post the card into the channel, or update it to the current state
	MsgHandoffRelay    = "handoff_relay"    // one relayed message, into the thread or to the employee
	MsgHandoffNotice   = "handoff_notice"   // the employee is told it was taken, closed or cancelled
	MsgHandoffReminder = "handoff_reminder" // the channel is reminded of a question nobody took
	MsgProposalReview  = "proposal_review"  // a main user is asked to approve a proposed FAQ entry
)

// The hand-off notices to the employee.
const (
	NoticeTaken  = "taken"
	NoticeClosed = "closed"
)

// The hand-off payloads.
type (
	// HandoffCard posts or refreshes the channel card.
	HandoffCard struct {
		payload
		Handoff int64
	}
	// HandoffRelay delivers message Message of the hand-off.
	HandoffRelay struct {
		payload
		Handoff, Message int64
	}
	// HandoffNotice tells the employee Event (NoticeTaken, NoticeClosed).
	HandoffNotice struct {
		payload
		Handoff int64
		Event   string
	}
	// HandoffReminder reminds the channel, the N-th time, of a question nobody has taken for Minutes.
	HandoffReminder struct {
		payload
		Handoff int64
		N       int
		Minutes int
	}
	// ProposalReview asks a main user to approve proposal Proposal.
	ProposalReview struct {
		payload
		Proposal int64
	}
)

// HandoffPayload is a payload about a hand-off or a proposal; delivery renders these apart from requests.
type HandoffPayload interface {
	Payload
	HandoffID() int64
}

func (p HandoffCard) HandoffID() int64     { return p.Handoff }
func (p HandoffRelay) HandoffID() int64    { return p.Handoff }
func (p HandoffNotice) HandoffID() int64   { return p.Handoff }
func (p HandoffReminder) HandoffID() int64 { return p.Handoff }
func (p ProposalReview) HandoffID() int64  { return 0 }

// handoffWire is the stored JSON of the hand-off payloads.
type handoffWire struct {
	V        int    `json:"v"`
	Handoff  int64  `json:"handoff,omitempty"`
	Message  int64  `json:"message,omitempty"`
	Event    string `json:"event,omitempty"`
	N        int    `json:"n,omitempty"`
	Minutes  int    `json:"minutes,omitempty"`
	Proposal int64  `json:"proposal,omitempty"`
}

// handoffKind is the kind of a hand-off payload, or "" for any other payload.
func handoffKind(p Payload) string {
	switch p.(type) {
	case HandoffCard:
		return MsgHandoffCard
	case HandoffRelay:
		return MsgHandoffRelay
	case HandoffNotice:
		return MsgHandoffNotice
	case HandoffReminder:
		return MsgHandoffReminder
	case ProposalReview:
		return MsgProposalReview
	}
	return ""
}

// HandoffMessageFor is the outbox message for recipient with a hand-off payload.
func HandoffMessageFor(recipientID string, p HandoffPayload) OutboxMessage {
	w := handoffWire{V: PayloadVersion}
	switch p := p.(type) {
	case HandoffCard:
		w.Handoff = p.Handoff
	case HandoffRelay:
		w.Handoff, w.Message = p.Handoff, p.Message
	case HandoffNotice:
		w.Handoff, w.Event = p.Handoff, p.Event
	case HandoffReminder:
		w.Handoff, w.N, w.Minutes = p.Handoff, p.N, p.Minutes
	case ProposalReview:
		w.Proposal = p.Proposal
	}
	raw, _ := json.Marshal(w) // cannot fail: plain fields
	return OutboxMessage{Kind: handoffKind(p), RecipientID: recipientID, Payload: raw}
}

// decodeHandoff reads a hand-off payload; ok is false for the other kinds.
func decodeHandoff(m OutboxMessage) (p Payload, ok bool, err error) {
	var w handoffWire
	switch m.Kind {
	case MsgHandoffCard, MsgHandoffRelay, MsgHandoffNotice, MsgHandoffReminder, MsgProposalReview:
	default:
		return nil, false, nil
	}
	if err := json.Unmarshal(m.Payload, &w); err != nil {
		return nil, true, fmt.Errorf("outbox message %d: malformed payload: %w", m.ID, err)
	}
	if w.V > PayloadVersion {
		return nil, true, fmt.Errorf("outbox message %d: payload version %d is newer than this build's %d", m.ID, w.V, PayloadVersion)
	}
	switch m.Kind {
	case MsgHandoffCard:
		return HandoffCard{Handoff: w.Handoff}, true, nil
	case MsgHandoffRelay:
		return HandoffRelay{Handoff: w.Handoff, Message: w.Message}, true, nil
	case MsgHandoffNotice:
		return HandoffNotice{Handoff: w.Handoff, Event: w.Event}, true, nil
	case MsgHandoffReminder:
		return HandoffReminder{Handoff: w.Handoff, N: w.N, Minutes: w.Minutes}, true, nil
	}
	return ProposalReview{Proposal: w.Proposal}, true, nil
}
