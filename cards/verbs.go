package cards

import "github.com/valtuusbotti/valtuusbotti/internal/domain"

// The Action.Execute verbs of the mandate flow and the data each carries. The bot treats all card data as
// untrusted input: it decodes it strictly (unknown fields refused), re-validates every value, and takes the actor's
// identity only from the authenticated activity, never from the card.
const (
	VerbIntakeOpen     = "intakeOpen"     // open the intake card; data: IntakeData (a RoleID ticks the role's tasks, TaskIDs those tasks instead); inputs: RoleInput
	VerbIntakeSubmit   = "intakeSubmit"   // inputs: RoleInput, "tasks_<areaID>" multi-selects; data: IntakeData (the card's role, no tasks)
	VerbRequestSubmit  = "requestSubmit"  // inputs: JustificationInput, ValidUntilInput; data: SubmitData
	VerbRequestCancel  = "requestCancel"  // data: CancelData (without Confirm it asks first)
	VerbRequestStatus  = "requestStatus"  // show the requester's status card of a request; data: RequestData
	VerbMyMandates     = "myMandates"     // data: {}
	VerbApprovalOpen   = "approvalOpen"   // show the approval card of a request (refresh, or from the pending list); data: RequestData
	VerbApprovalDecide = "approvalDecide" // inputs: ReasonInput, "item_<itemID>" toggles; data: DecideData
	VerbGrantOpen      = "grantOpen"      // show the grant task card; data: RequestData
	VerbGrantDone      = "grantDone"      // inputs: ValidFromInput, ValidUntilInput, "item_<itemID>" toggles; data: RequestData
	VerbGrantFailed    = "grantFailed"    // inputs: ReasonInput, "item_<itemID>" toggles; data: RequestData
	VerbOverview       = "overview"       // data: {}
	VerbApprovalList   = "approvalList"   // the approver's list of requests waiting for their decision; data: {}
	VerbGrantList      = "grantList"      // the main users' list of open grant tasks; data: {}
	VerbRequestFiled   = "requestFiled"   // the employee sent the valtuuspyyntö in Suomi.fi; data: RequestData
	VerbGrantDirect    = "grantDirect"    // grant directly instead of through a valtuuspyyntö; data: RequestData
	VerbUpcoming       = "upcoming"       // the main users' list of alerts to come; data: {}
	VerbRightRecorded  = "rightRecorded"  // DVV registered the right to grant a theme; inputs: RightDateInputPrefix+theme; data: RightData
	// VerbGrantBatch shows the batch card of one grant path ("grant in one go"); data: BatchData. From the batch
	// card itself (its refresh) the card's inputs come along and are ignored.
	VerbGrantBatch = "grantBatch"
	// VerbGrantBatchDone records the ticked items of a batch card as granted, one request at a time; inputs:
	// "item_<itemID>" toggles, BatchFromInputPrefix/BatchUntilInputPrefix + request id, ConfirmSelfInput; data:
	// BatchDoneData.
	VerbGrantBatchDone = "grantBatchDone"

	// A mandate's life after its grant (expiry and invalidation).
	VerbMandateRenew        = "mandateRenew"        // Renew on an expiry notice; data: MandateData
	VerbMandateLapse        = "mandateLapse"        // Let it lapse on an expiry notice; data: MandateData
	VerbMandateList         = "mandateList"         // the mandates a main user or supervisor may ask to invalidate; data: MandateListData
	VerbInvalidationOpen    = "invalidationOpen"    // the invalidation form (or the open task) of a mandate; data: MandateData
	VerbInvalidationRequest = "invalidationRequest" // open (main user) or ask for (supervisor) the task; inputs: ReasonInput; data: MandateData
	VerbInvalidationDone    = "invalidationDone"    // a main user invalidated it in Suomi.fi; inputs: InvalidatedOnInput; data: MandateData
)

// The verbs of delegation: an approver who is away names a colleague to decide for them (issue 8).
const (
	VerbDelegationOpen = "delegationOpen" // show the approver's absence and substitute card; data: {}
	VerbDelegationSet  = "delegationSet"  // inputs: DelegateInput, ValidFromInput, ValidUntilInput; data: {}
	VerbDelegationEnd  = "delegationEnd"  // end a delegation before its last day; data: DelegationData
)

// DelegateInput is the delegation card's choice of the colleague who decides (an Entra object id).
const DelegateInput = "delegate"

// DelegationData names a delegation (VerbDelegationEnd).
type DelegationData struct {
	DelegationID int64 `json:"delegationId"`
}

// Input ids shared by the cards and the bot.
const (
	RoleInput          = "role"
	TaskInputPrefix    = "tasks_" // + area id: a multi-select ChoiceSet of task ids (comma-separated value)
	JustificationInput = "justification"
	ValidFromInput     = "validFrom"
	ValidUntilInput    = "validUntil"
	ReasonInput        = "reason"
	ItemInputPrefix    = "item_"       // + item id: an Input.Toggle, "true"/"false"
	ConfirmSelfInput   = "confirmSelf" // the sole main user confirms recording their own grant: "true"/"false"
	// RightDateInputPrefix + theme id: the day DVV registered the right to grant the theme (one input per theme).
	RightDateInputPrefix = "registeredOn_"
	// InvalidatedOnInput is the day a main user invalidated a mandate in Suomi.fi (Input.Date).
	InvalidatedOnInput = "invalidatedOn"
	// BatchFromInputPrefix and BatchUntilInputPrefix + request id: the dates used in Suomi.fi for one request's
	// themes on the batch card (one pair per request).
	BatchFromInputPrefix  = "validFrom_"
	BatchUntilInputPrefix = "validUntil_"
)

// Limits the cards state to the client and the bot enforces again (see domain/limits.go).
const (
	MaxJustification = domain.MaxJustification
	MaxReason        = domain.MaxReason
)

// IntakeData is the data of VerbIntakeOpen and VerbIntakeSubmit: the role the card was built with. The
// recommendation's "change my answers" (VerbIntakeOpen) also carries the tasks it was made from, so the intake opens
// with them ticked again; the intake's own buttons never carry tasks (the ticks are inputs).
type IntakeData struct {
	RoleID  string   `json:"roleId,omitempty"`
	TaskIDs []string `json:"taskIds,omitempty"`
}

// SubmitData is the data of VerbRequestSubmit: what the recommendation was made from. The bot recomputes the themes
// from the tasks; it never takes theme ids from the card.
type SubmitData struct {
	RoleID  string   `json:"roleId,omitempty"`
	TaskIDs []string `json:"taskIds"`
}

// RightData names the theme whose right to grant a main user records (VerbRightRecorded).
type RightData struct {
	ThemeID string `json:"themeId"`
}

// BatchData names the grant path of a batch card (VerbGrantBatch).
type BatchData struct {
	Path domain.GrantPath `json:"path"`
}

// BatchDoneData is the data of VerbGrantBatchDone: the grant path and the requests the batch card listed, in order.
// The bot checks every request against the actor's rights and every ticked item against the request it belongs to.
type BatchDoneData struct {
	Path       domain.GrantPath `json:"path"`
	RequestIDs []int64          `json:"requestIds"`
}

// CancelData is the data of VerbRequestCancel: the first tap (Confirm false) asks whether to cancel; the
// confirmation card's button sends Confirm true.
type CancelData struct {
	RequestID int64 `json:"requestId"`
	Confirm   bool  `json:"confirm,omitempty"`
}

// RequestData names a request.
type RequestData struct {
	RequestID int64 `json:"requestId"`
}

// Decisions of VerbApprovalDecide.
const (
	DecisionApproveAll = domain.ApproveAll
	DecisionRejectAll  = domain.RejectAll
	DecisionByItem     = domain.ByItem // approve the items whose toggle is on, reject the rest
)

// DecideData is the data of VerbApprovalDecide.
type DecideData struct {
	RequestID int64               `json:"requestId"`
	Decision  domain.DecisionKind `json:"decision"`
}

// MandateData names a mandate. The bot checks the actor's rights to it on every tap.
type MandateData struct {
	MandateID int64 `json:"mandateId"`
}

// MandateListData is the page of the mandate list: the index of its first mandate.
type MandateListData struct {
	Offset int `json:"offset,omitempty"`
}
