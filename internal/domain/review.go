package domain

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// A review (katselmointi) asks one reviewer, a supervisor, to keep or invalidate each of a set of active mandates:
// after a person moved (their new supervisor reviews that person's mandates), or in a periodic review campaign
// (each supervisor reviews their people's mandates). Each item is decided once; an "invalidate" opens the main
// users' invalidation task of the mandate. Items nobody decided are reported when the campaign's deadline passes,
// never kept or revoked silently.

// ReviewKind says why a review exists.
type ReviewKind string

// Review kinds.
const (
	ReviewMover    ReviewKind = "mover"    // a person's department, job title or manager changed
	ReviewCampaign ReviewKind = "campaign" // part of a periodic (or on-demand) review campaign
)

// ReviewDecision is a reviewer's choice for one item.
type ReviewDecision string

// Review decisions; "" while the item waits.
const (
	ReviewKeep       ReviewDecision = "keep"
	ReviewInvalidate ReviewDecision = "invalidate"
)

// Valid reports whether d is one of the decisions.
func (d ReviewDecision) Valid() bool { return d == ReviewKeep || d == ReviewInvalidate }

// Review is one reviewer's set of mandates to keep or invalidate.
type Review struct {
	ID           int64
	Kind         ReviewKind
	CampaignID   int64  // 0 for a mover's review
	SubjectID    string // the person who moved (mover); "" for a campaign's review
	ReviewerID   string
	ReviewerName string
	Department   string // whose department head the review escalates to
	// The job before and after the move (mover only), as the directory had them.
	OldDepartment, OldTitle, NewDepartment, NewTitle string
	Escalated                                        bool // moved to the alternate reviewer once
	CreatedAt                                        time.Time
	Items                                            []ReviewItem
}

// ReviewItem is one mandate of a review and its decision.
type ReviewItem struct {
	ID         int64
	ReviewID   int64
	MandateID  int64
	HolderID   string
	HolderName string
	ThemeID    string
	ValidUntil time.Time // civil date
	Decision   ReviewDecision
	DecidedBy  string
	DecidedAt  time.Time
}

// Open reports whether some item still waits for its decision.
func (r Review) Open() bool { return r.Undecided() > 0 }

// Undecided counts the items without a decision.
func (r Review) Undecided() int {
	n := 0
	for _, it := range r.Items {
		if it.Decision == "" {
			n++
		}
	}
	return n
}

// CheckDecisions applies the rules of a reviewer's submit: only the review's reviewer decides; every item named
// must be one of this review's items, still undecided, with a valid decision; at least one item. Card data naming
// another review's item, or a decided one, is refused whole: nothing is recorded.
func (r Review) CheckDecisions(actor string, decisions map[int64]ReviewDecision) error {
	switch {
	case actor == "" || !strings.EqualFold(actor, r.ReviewerID):
		return Errorf(EForbidden, "review.err.not_reviewer")
	case len(decisions) == 0:
		return Errorf(EInvalid, "review.err.nothing_chosen")
	}
	items := map[int64]ReviewItem{}
	for _, it := range r.Items {
		items[it.ID] = it
	}
	for id, d := range decisions {
		it, ok := items[id]
		switch {
		case !ok:
			return Errorf(EForbidden, "review.err.not_in_review")
		case !d.Valid():
			return Errorf(EInvalid, "review.err.bad_decision")
		case it.Decision != "":
			return Errorf(EConflict, "review.err.decided")
		}
	}
	return nil
}

// Campaign is one round of the periodic review: every supervisor reviews their people's active mandates by the
// deadline; then the main users get the report and the unanswered items are listed in it.
type Campaign struct {
	ID        int64
	StartedBy string // a main user's id, or SystemActor for the periodic one
	StartedAt time.Time
	Deadline  time.Time
	ClosedAt  time.Time // zero while it runs
}

// Open reports whether the campaign runs.
func (c Campaign) Open() bool { return c.ID != 0 && c.ClosedAt.IsZero() }

// ReviewPolicy is the organisation's periodic review (organisation.yaml review): a campaign every EveryMonths
// months from FirstOn, answered within AnswerWorkingDays working days. EveryMonths 0 means no periodic campaign
// (a main user may still start one).
type ReviewPolicy struct {
	EveryMonths       int    `json:"every_months" yaml:"every_months"`
	FirstOn           string `json:"first_on" yaml:"first_on"` // YYYY-MM-DD, required with EveryMonths
	AnswerWorkingDays int    `json:"answer_working_days" yaml:"answer_working_days"`
}

// AnswerDays is AnswerWorkingDays with its default, 15 working days.
func (p ReviewPolicy) AnswerDays() int {
	if p.AnswerWorkingDays <= 0 {
		return 15
	}
	return p.AnswerWorkingDays
}

// Validate checks the policy: no negative numbers, and a first day for a periodic campaign.
func (p ReviewPolicy) Validate() error {
	switch {
	case p.EveryMonths < 0 || p.EveryMonths > 60:
		return fmt.Errorf("review.every_months must be between 0 and 60, not %d", p.EveryMonths)
	case p.AnswerWorkingDays < 0 || p.AnswerWorkingDays > 120:
		return fmt.Errorf("review.answer_working_days must be between 0 and 120, not %d", p.AnswerWorkingDays)
	case p.EveryMonths > 0 && p.FirstOn == "":
		return fmt.Errorf("review.first_on is required with review.every_months")
	}
	if p.FirstOn != "" {
		if _, err := ParseDate(p.FirstOn); err != nil {
			return fmt.Errorf("review.first_on: %v", err)
		}
	}
	return nil
}

// NextCampaign is the first campaign day on or after today: FirstOn plus a multiple of EveryMonths; false when
// there is no periodic campaign.
func (p ReviewPolicy) NextCampaign(today Date) (Date, bool) {
	if p.EveryMonths <= 0 {
		return Date{}, false
	}
	first, err := ParseDate(p.FirstOn)
	if err != nil {
		return Date{}, false
	}
	d := first
	for k := 1; d.Before(today); k++ {
		d = DateOf(first.Time().AddDate(0, k*p.EveryMonths, 0))
	}
	return d, true
}

// ReviewTx is the register's write side of reviews inside one transaction (the store's Tx implements it; ReviewTxOf
// gives it).
type ReviewTx interface {
	MandateTx
	// CreateReview inserts r with its items and sets their IDs and r.CreatedAt.
	CreateReview(ctx context.Context, r *Review) error
	// Review reads a review with its items; ENotFound when none.
	Review(ctx context.Context, id int64) (Review, error)
	// DecideReviewItem records the item's decision if it has none yet (else EConflict).
	DecideReviewItem(ctx context.Context, it ReviewItem) error
	// ReassignReview gives the review to another reviewer and marks it escalated.
	ReassignReview(ctx context.Context, id int64, reviewerID, reviewerName string) error
	// CreateCampaign inserts c and sets its ID and StartedAt; EConflict while another campaign is open.
	CreateCampaign(ctx context.Context, c *Campaign) error
	Campaign(ctx context.Context, id int64) (Campaign, error) // ENotFound
	// CloseCampaign closes an open campaign (EConflict when closed already).
	CloseCampaign(ctx context.Context, id int64) error
	// CampaignReviews reads the reviews of a campaign with their items.
	CampaignReviews(ctx context.Context, campaignID int64) ([]Review, error)
	// ActiveMandates reads the active mandates not ended on today, of holder (every holder when "").
	ActiveMandates(ctx context.Context, holder string, today Date) ([]Mandate, error)
}

// ReviewTxOf gives the review side of a transaction of the register.
func ReviewTxOf(tx Tx) (ReviewTx, error) {
	rt, ok := tx.(ReviewTx)
	if !ok {
		return nil, fmt.Errorf("domain: %T has no review side", tx)
	}
	return rt, nil
}

// Review outbox kinds.
const (
	MsgReviewCard   = "review_card"   // the reviewer's card (Reminder 0), or its reminder
	MsgReviewReport = "review_report" // a main user: a campaign's report
)

// The review payloads.
type (
	// ReviewCard gives the reviewer the review's card; Reminder counts the reminders (0 for the card itself).
	ReviewCard struct {
		payload
		Review   int64
		Reminder int
	}
	// ReviewReport gives a main user the report of campaign Campaign.
	ReviewReport struct {
		payload
		Campaign int64
	}
)

// ReviewPayload is a payload about a review or a campaign; delivery renders these apart from requests.
type ReviewPayload interface {
	Payload
	reviewPayload()
}

func (ReviewCard) reviewPayload()   {}
func (ReviewReport) reviewPayload() {}

type reviewWire struct {
	V        int   `json:"v"`
	Review   int64 `json:"review,omitempty"`
	Reminder int   `json:"reminder,omitempty"`
	Campaign int64 `json:"campaign,omitempty"`
}

func reviewKind(p Payload) string {
	switch p.(type) {
	case ReviewCard:
		return MsgReviewCard
	case ReviewReport:
		return MsgReviewReport
	}
	return ""
}

// reviewMessage is the outbox message for recipient with a review payload.
func reviewMessage(recipientID string, p ReviewPayload) OutboxMessage {
	w := reviewWire{V: PayloadVersion}
	switch p := p.(type) {
	case ReviewCard:
		w.Review, w.Reminder = p.Review, p.Reminder
	case ReviewReport:
		w.Campaign = p.Campaign
	}
	raw, _ := json.Marshal(w) // cannot fail: plain fields
	return OutboxMessage{Kind: reviewKind(p), RecipientID: recipientID, Payload: raw}
}

// decodeReview reads a review payload; ok is false for the other kinds.
func decodeReview(m OutboxMessage) (p Payload, ok bool, err error) {
	if m.Kind != MsgReviewCard && m.Kind != MsgReviewReport {
		return nil, false, nil
	}
	var w reviewWire
	if err := json.Unmarshal(m.Payload, &w); err != nil {
		return nil, true, fmt.Errorf("outbox message %d: malformed payload: %w", m.ID, err)
	}
	if w.V > PayloadVersion {
		return nil, true, fmt.Errorf("outbox message %d: payload version %d is newer than this build's %d", m.ID, w.V, PayloadVersion)
	}
	if m.Kind == MsgReviewCard {
		return ReviewCard{Review: w.Review, Reminder: w.Reminder}, true, nil
	}
	return ReviewReport{Campaign: w.Campaign}, true, nil
}
