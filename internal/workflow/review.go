package workflow

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Reviews runs what people do with reviews of mandates (issue 10): the reviewer keeps or invalidates each item of
// their review; a main user starts a review campaign and reads its report. Who may decide comes from the register
// (the review's reviewer), never from card data: an item of another review, a decided item or another person's
// review is refused whole and nothing is recorded. Every decision has its audit row; an "invalidate" opens the
// mandate's invalidation task for the main users, as a supervisor's request on the mandate list does
// (Mandates.openInvalidation), in the same transaction.
type Reviews struct {
	Mandates *Mandates
	Store    ReviewStore
	// Campaigns starts a campaign inside a transaction (alerts.Service implements it).
	Campaigns CampaignStarter
}

// ReviewStore reads reviews and campaigns (sqlstore.Register implements it).
type ReviewStore interface {
	Review(ctx context.Context, id int64) (domain.Review, error)
	Campaign(ctx context.Context, id int64) (domain.Campaign, error)
	LatestCampaign(ctx context.Context) (domain.Campaign, error)
	CampaignReviews(ctx context.Context, campaignID int64) ([]domain.Review, error)
	// OpenReviewItems counts the holder's mandates a review still waits for a decision on.
	OpenReviewItems(ctx context.Context, holderID string) (int, error)
}

// CampaignStarter starts a review campaign inside tx and returns the reviewers' cards.
type CampaignStarter interface {
	StartCampaign(ctx context.Context, tx domain.Tx, actor, activityID string) (domain.Campaign, []domain.OutboxMessage, error)
	// CampaignDeadline is when a campaign started at from must be answered.
	CampaignDeadline(from time.Time) time.Time
}

// ReviewDecisionInput is a reviewer's submit: a decision per item id (the items left out stay open).
type ReviewDecisionInput struct {
	ActorID    string
	ReviewID   int64
	Decisions  map[int64]domain.ReviewDecision
	ActivityID string
}

// ReviewOutcome is what a submit did: the review after it, and how many invalidation tasks it opened.
type ReviewOutcome struct {
	Review  domain.Review
	Kept    int
	Tasks   int // invalidation tasks opened
	Already int // "invalidate" on a mandate whose task was open already, or that is no longer in force
}

// Review reads a review for actor: its reviewer, or a main user. Anyone else, and an id that names no review, get
// the same EForbidden.
func (s *Reviews) Review(ctx context.Context, actorID string, id int64) (domain.Review, error) {
	r, err := s.Store.Review(ctx, id)
	if domain.IsCode(err, domain.ENotFound) {
		return r, forbidden("review.err.not_reviewer")
	}
	if err != nil {
		return r, err
	}
	if actorID == "" || (actorID != r.ReviewerID && !s.Mandates.Flow.IsMainUser(actorID)) {
		return domain.Review{}, forbidden("review.err.not_reviewer")
	}
	return r, nil
}

// Decide records the reviewer's decisions, each once, with an audit row per item; every "invalidate" opens the
// mandate's invalidation task (unless one is open already, or the mandate is no longer in force: the decision is
// then recorded and the audit row says so). A repeated submit of the same items is EConflict and records nothing.
func (s *Reviews) Decide(ctx context.Context, in ReviewDecisionInput) (ReviewOutcome, error) {
	const op = "workflow.DecideReview"
	f := s.Mandates.Flow
	today := f.Today()
	var out ReviewOutcome
	err := f.Store.InTx(ctx, func(tx Tx) error {
		out = ReviewOutcome{}
		rt, err := domain.ReviewTxOf(tx)
		if err != nil {
			return err
		}
		r, err := rt.Review(ctx, in.ReviewID)
		if domain.IsCode(err, domain.ENotFound) {
			return forbidden("review.err.not_reviewer")
		}
		if err != nil {
			return err
		}
		if err := r.CheckDecisions(in.ActorID, in.Decisions); err != nil {
			return err
		}
		if r.CampaignID != 0 {
			c, err := rt.Campaign(ctx, r.CampaignID)
			if err != nil {
				return err
			}
			if !c.Open() {
				return conflict("review.err.campaign_closed")
			}
		}
		for _, it := range r.Items {
			d, ok := in.Decisions[it.ID]
			if !ok {
				continue
			}
			it.Decision, it.DecidedBy = d, in.ActorID
			if err := rt.DecideReviewItem(ctx, it); err != nil {
				return err
			}
			if err := s.applyDecision(ctx, rt, r, it, today, in.ActivityID, &out); err != nil {
				return err
			}
		}
		out.Review, err = rt.Review(ctx, r.ID)
		return err
	})
	if err != nil {
		return out, domain.Wrap(op, err)
	}
	f.committed()
	f.log().InfoContext(ctx, "review decided", slog.Int64("review_id", in.ReviewID), slog.Int("kept", out.Kept),
		slog.Int("tasks", out.Tasks))
	return out, nil
}

// applyDecision audits one decided item and, for "invalidate", opens the mandate's invalidation task.
func (s *Reviews) applyDecision(ctx context.Context, rt domain.ReviewTx, r domain.Review, it domain.ReviewItem, today domain.Date, activityID string, out *ReviewOutcome) error {
	extra := map[string]any{"item_id": it.ID, "decision": it.Decision}
	if it.Decision == domain.ReviewKeep {
		out.Kept++
		return alerts.ReviewAudit(ctx, rt, it.DecidedBy, "review.kept", r, it.MandateID, extra, activityID)
	}
	m, err := rt.Mandate(ctx, it.MandateID)
	if err != nil {
		return err
	}
	_, err = rt.Invalidation(ctx, m.ID)
	open := err == nil
	if err != nil && !domain.IsCode(err, domain.ENotFound) {
		return err
	}
	if open || m.State != domain.MandateActive || m.Ended(today) {
		out.Already++
		extra["task"] = "none: already open or no longer in force"
		return alerts.ReviewAudit(ctx, rt, it.DecidedBy, "review.invalidate", r, it.MandateID, extra, activityID)
	}
	extra["task"] = "opened"
	if err := alerts.ReviewAudit(ctx, rt, it.DecidedBy, "review.invalidate", r, it.MandateID, extra, activityID); err != nil {
		return err
	}
	role := domain.InvalidationBySupervisor
	if s.Mandates.Flow.IsMainUser(it.DecidedBy) {
		role = domain.InvalidationByMainUser
	}
	reason := "Katselmointi / Granskning / Review " + strconv.FormatInt(r.ID, 10)
	if err := s.Mandates.openInvalidation(ctx, rt, m, it.DecidedBy, role, reason, activityID); err != nil {
		return err
	}
	out.Tasks++
	return nil
}

// StartCampaign starts a review campaign now: main users only, and only while no other campaign runs (EConflict).
func (s *Reviews) StartCampaign(ctx context.Context, actorID, activityID string) (domain.Campaign, error) {
	f := s.Mandates.Flow
	if !f.IsMainUser(actorID) {
		return domain.Campaign{}, forbidden("err.not_main_user")
	}
	var c domain.Campaign
	err := f.Store.InTx(ctx, func(tx Tx) error {
		var msgs []domain.OutboxMessage
		var err error
		if c, msgs, err = s.Campaigns.StartCampaign(ctx, tx, actorID, activityID); err != nil {
			return err
		}
		return enqueue(ctx, tx, msgs...)
	})
	if err != nil {
		return c, domain.Wrap("workflow.StartCampaign", err)
	}
	f.committed()
	return c, nil
}

// CampaignReport is a campaign with its reviews, for the report.
type CampaignReport struct {
	Campaign domain.Campaign
	Reviews  []domain.Review
}

// Report reads a campaign's report (the newest campaign when id is 0): main users only.
func (s *Reviews) Report(ctx context.Context, actorID string, id int64) (CampaignReport, error) {
	if !s.Mandates.Flow.IsMainUser(actorID) {
		return CampaignReport{}, forbidden("err.not_main_user")
	}
	return LoadCampaignReport(ctx, s.Store, id)
}

// LoadCampaignReport reads a campaign (the newest when id is 0) with its reviews.
func LoadCampaignReport(ctx context.Context, st ReviewStore, id int64) (CampaignReport, error) {
	var c domain.Campaign
	var err error
	if id == 0 {
		c, err = st.LatestCampaign(ctx)
	} else {
		c, err = st.Campaign(ctx, id)
	}
	if err != nil {
		return CampaignReport{}, err
	}
	rs, err := st.CampaignReviews(ctx, c.ID)
	return CampaignReport{Campaign: c, Reviews: rs}, err
}
