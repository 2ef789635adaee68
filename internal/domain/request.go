package domain

import (
	"encoding/json"
	"fmt"
	"time"
)

// RequestState is where a mandate request stands.
type RequestState string

// Request states. A request waits for its approver, then either ends (rejected, cancelled) or waits for the main
// users to grant its approved items; it is completed when every approved item is granted or could not be granted.
const (
	RequestPending   RequestState = "pending"   // waiting for the approver
	RequestApproved  RequestState = "approved"  // at least one item approved; grant tasks open
	RequestRejected  RequestState = "rejected"  // every item rejected
	RequestCancelled RequestState = "cancelled" // withdrawn by the requester before the decision
	RequestCompleted RequestState = "completed" // every approved item granted or not granted
)

// Open reports whether the request still needs someone to act.
func (s RequestState) Open() bool { return s == RequestPending || s == RequestApproved }

// ItemState is where one theme of a request stands.
type ItemState string

// Item states.
const (
	ItemPending    ItemState = "pending"     // waiting for the approver
	ItemApproved   ItemState = "approved"    // approved; waiting for a main user to grant it in Suomi.fi
	ItemRejected   ItemState = "rejected"    // the approver said no
	ItemGranted    ItemState = "granted"     // granted in Suomi.fi; a mandate is in the register
	ItemNotGranted ItemState = "not_granted" // a main user could not grant it (reason recorded)
	ItemCancelled  ItemState = "cancelled"   // the requester withdrew the request
)

// GrantPath is how the mandates of an approved request are granted in Suomi.fi: one path per request, chosen by the
// organisation (Organisation.Grant) when the request is approved.
type GrantPath string

// Grant paths.
const (
	// PathRequest: the employee files a valtuuspyyntö in Suomi.fi and a main user accepts it. The henkilötunnus
	// never leaves Suomi.fi. The default.
	PathRequest GrantPath = "valtuuspyynto"
	// PathDirect: a main user grants directly, with the person's henkilötunnus from the source the organisation's
	// policy names (never through the bot).
	PathDirect GrantPath = "direct"
)

// Valid reports whether p is a known grant path.
func (p GrantPath) Valid() bool { return p == PathRequest || p == PathDirect }

// ApproverBasis says why a person is the approver of a request.
type ApproverBasis string

// Approver bases, in the order they are tried.
const (
	ApproverManager        ApproverBasis = "manager"         // the requester's manager in the directory
	ApproverDepartmentHead ApproverBasis = "department_head" // no usable manager: the department head from the organisation settings
	ApproverMainUser       ApproverBasis = "main_user"       // no department head either: a main user
)

// Request is an employee's request for one or more mandate themes.
type Request struct {
	ID int64

	RequesterID         string // Entra object id
	RequesterName       string // display name at the time of the request (the grant task needs it)
	RequesterMail       string
	RequesterDepartment string
	RequesterJobTitle   string

	ApproverID    string
	ApproverName  string
	ApproverBasis ApproverBasis
	// Reassigned records why the approver changed since the request was filed (escalated, delegated, returned);
	// zero while the approver is the one the approver rule chose.
	Reassigned Reassignment

	State         RequestState
	Justification string
	RoleID        string    // role profile the employee picked, if any
	TaskIDs       []string  // the "what I do" items that led to the themes
	ValidUntil    time.Time // requested end date (a civil date at 00:00 UTC)
	GrantPath     GrantPath // set when the request is approved; "" before
	// ValidFrom is the day the mandates are to start when the request says so (a renewal starts on the end date of
	// the mandate it renews); zero means from the day they are granted.
	ValidFrom time.Time
	// RenewsMandateID is the mandate a renewal request renews; 0 for a new request.
	RenewsMandateID int64

	DecidedBy      string
	DecidedAt      time.Time
	DecisionReason string // required when anything is rejected

	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int // optimistic concurrency: every update must name the version it read

	Items []RequestItem
}

// Reference is the human reference of the request, e.g. "VB-2026-0042": the year it was made and its id.
func (r Request) Reference() string { return fmt.Sprintf("VB-%d-%04d", r.CreatedAt.Year(), r.ID) }

// Item returns the item with the given id.
func (r *Request) Item(id int64) (*RequestItem, bool) {
	for i := range r.Items {
		if r.Items[i].ID == id {
			return &r.Items[i], true
		}
	}
	return nil, false
}

// RequestItem is one mandate theme within a request.
type RequestItem struct {
	ID      int64
	ThemeID string
	TaskIDs []string // why: the tasks that need this theme
	// Covered: the organisation's valtuutusoikeus covers the theme. An approved item that is not covered waits for
	// the right to grant (AwaitingRight) and becomes covered when a main user records that DVV registered it.
	Covered bool
	State   ItemState
	FiledAt time.Time // when the employee said they sent the valtuuspyyntö for it (PathRequest); zero before

	GrantedFrom      time.Time // civil dates, set when granted
	GrantedUntil     time.Time
	GrantedBy        string
	NotGrantedReason string
	MandateID        int64 // the register entry created by the grant
}

// AwaitingRight reports whether the item is approved but waits for the organisation's right to grant its theme.
func (it RequestItem) AwaitingRight() bool { return it.State == ItemApproved && !it.Covered }

// Grantable reports whether a main user can grant the item in Suomi.fi now.
func (it RequestItem) Grantable() bool { return it.State == ItemApproved && it.Covered }

// MandateState is the state of a mandate in the organisation's register.
type MandateState string

// Mandate states. Expiry is derived from ValidUntil; the state records what people did.
const (
	MandateActive  MandateState = "active"
	MandateRevoked MandateState = "revoked"
)

// Mandate is an asiointivaltuus the organisation has granted to a person, as the register knows it.
type Mandate struct {
	ID         int64
	HolderID   string // Entra object id
	HolderName string
	Department string
	ThemeID    string
	ValidFrom  time.Time // civil dates at 00:00 UTC
	ValidUntil time.Time
	State      MandateState
	RequestID  int64 // the request that led to it; 0 for imported mandates
	ItemID     int64
	GrantedBy  string
	GrantPath  GrantPath // how it was granted; "" for imported mandates
	CreatedAt  time.Time
	UpdatedAt  time.Time
	// OpenEnded: the source named no end ("toistaiseksi"). ValidUntil then holds Suomi.fi's longest validity,
	// OpenEndedUntil(ValidFrom), so that every mandate has an end date to sort and remind by.
	OpenEnded  bool
	RevokedOn  time.Time // the day a revoked mandate was invalidated in Suomi.fi (civil date); zero when unknown
	HolderMail string    // lower case; for a person the directory does not know, HolderID is this address too
	Notes      string    // the imported list's notes (never a personal identity code)
	// LapseBy and LapseAt record who chose to let the mandate end without renewal, and when ("" and zero when
	// nobody did): no more expiry notices are sent for it.
	LapseBy string
	LapseAt time.Time
}

// OpenEndedUntil is the end an open-ended mandate starting on from is recorded with: Suomi.fi's longest validity.
func OpenEndedUntil(from Date) Date { return from.AddYears(MaxMandateYears) }

// GrantingRight is a theme DVV added to the organisation's valtuutusoikeus, as a main user recorded it.
type GrantingRight struct {
	ThemeID      string
	RegisteredOn Date // the day DVV registered it
	RecordedBy   string
	RecordedAt   time.Time
}

// AuditEvent is one row of the append-only audit trail: who did what, when, to which request or mandate, what it
// looked like before and after, and which Teams activity caused it.
type AuditEvent struct {
	ID         int64
	At         time.Time
	ActorID    string // Entra object id, or "system"
	Action     string // e.g. "request.submitted", "request.approved", "mandate.granted"
	RequestID  int64
	MandateID  int64
	Before     json.RawMessage // JSON snapshot or null
	After      json.RawMessage
	ActivityID string // the Bot Framework activity that caused it, if any
}

// CardRequestStatus is the CardRef kind of the requester's own status card (the one their submit turned into),
// kept so decisions and grants update it in place. Other card refs carry the outbox kind that posted them.
const CardRequestStatus = "request_status"

// CardRef remembers a card the bot posted, so it can be updated when its request changes.
type CardRef struct {
	RequestID      int64
	RecipientID    string
	Kind           string // the outbox kind that posted it, e.g. MsgApprovalRequest, MsgGrantTask
	ConversationID string
	ServiceURL     string
	ActivityID     string
	UpdatedAt      time.Time
}

// Overview is the main users' picture of the register.
type Overview struct {
	RequestsByState map[RequestState]int
	ActiveMandates  int
	EndingWithin30  int
	EndingWithin90  int
	OpenGrantTasks  int // approved items waiting for a grant
	SelfGranted     int // mandates in force that their holder recorded as granted (the sole main user)
	// OpenInvalidations counts the invalidation tasks not yet confirmed: mandates a main user is to invalidate in
	// Suomi.fi (asked for by a main user or a supervisor, a review, or opened when the assignee left).
	OpenInvalidations int
	// EndingSoonest are the mandates in force that end first, OldestTasks the open grant tasks and
	// OldestInvalidations the open invalidation tasks (each with its mandate) that have waited longest: a few of
	// each, for the overview to name.
	EndingSoonest       []Mandate
	OldestTasks         []Request
	OldestInvalidations []MandateLife
	TopDepartments      []DepartmentCount
}

// DepartmentCount is the number of active mandates in one department.
type DepartmentCount struct {
	Department string
	Mandates   int
}
