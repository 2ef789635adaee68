package alerts

// Reviews of mandates (issue 10): a review gives one reviewer, a supervisor, the active mandates to keep or
// invalidate (after a move: mover.go; in a campaign: below). Like an approval that waits, a review with undecided
// items reminds its reviewer after the policy's ApprovalReminderDays working days and moves to the alternate
// reviewer (the department head, then a main user) after ApprovalEscalationDays. A campaign runs every
// review.every_months months from review.first_on (Start schedules the next one; each schedules the one after) or
// when a main user starts one; when its deadline passes (review.answer_working_days) it closes and every main user
// gets the report, with the items nobody answered listed as unanswered: never kept or revoked silently.

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Job kinds of reviews.
const (
	KindReviewReminder   = "review_reminder"
	KindReviewEscalation = "review_escalation"
	KindReviewCampaign   = "review_campaign" // the periodic campaign starts
	KindReviewDeadline   = "review_deadline" // a campaign's deadline: it closes and the report goes out
)

func init() {
	register(KindReviewReminder, nil, reviewRemind)
	register(KindReviewEscalation, nil, reviewEscalate)
	register(KindReviewCampaign, nil, periodicCampaign)
	register(KindReviewDeadline, nil, campaignDeadline)
	describe(KindReviewCampaign, previewCampaign)
}

// reviewJob is the payload of a review's reminder and escalation: the review and the reviewer it was planned for.
type reviewJob struct {
	Review   int64  `json:"review"`
	Reviewer string `json:"reviewer"`
}

// campaignJob is the payload of a campaign's start (the day, for the periodic one) and deadline.
type campaignJob struct {
	Campaign int64  `json:"campaign,omitempty"`
	Day      string `json:"day,omitempty"`
}

// ReviewSubject is the job subject of a review.
func ReviewSubject(id int64) string { return "review/" + strconv.FormatInt(id, 10) }

// openReview stores r (its items named), audits it, plans its reminder and escalation from now, and returns the
// reviewer's card, inside tx.
func (s *Service) openReview(ctx context.Context, rt domain.ReviewTx, r *domain.Review, actor, activityID string) (domain.OutboxMessage, error) {
	if err := rt.CreateReview(ctx, r); err != nil {
		return domain.OutboxMessage{}, err
	}
	if err := reviewAudit(ctx, rt, actor, "review.opened", *r, 0, map[string]any{"items": len(r.Items)}, activityID); err != nil {
		return domain.OutboxMessage{}, err
	}
	if err := s.planReview(ctx, rt, *r, s.now()); err != nil {
		return domain.OutboxMessage{}, err
	}
	return domain.Message(r.ReviewerID, 0, domain.ReviewCard{Review: r.ID}), nil
}

// planReview schedules the reminder and the escalation of the review's current reviewer, from since.
func (s *Service) planReview(ctx context.Context, tx domain.Tx, r domain.Review, since time.Time) error {
	pol := s.Policy()
	turn := "first"
	if r.Escalated {
		turn = "escalated"
	}
	p := reviewJob{Review: r.ID, Reviewer: r.ReviewerID}
	jobs := []domain.Job{Job(KindReviewReminder, ReviewSubject(r.ID), turn, s.At(since, pol.ApprovalReminderDays), p)}
	if !r.Escalated {
		jobs = append(jobs, Job(KindReviewEscalation, ReviewSubject(r.ID), turn, s.At(since, pol.ApprovalEscalationDays), p))
	}
	for _, j := range jobs {
		if _, err := tx.Schedule(ctx, j); err != nil {
			return err
		}
	}
	return nil
}

// reviewWaiting reads the review of a reminder or escalation; ok is false when it no longer waits for the reviewer
// the job was planned for (everything decided, moved on, or its campaign closed).
func (s *Service) reviewWaiting(ctx context.Context, tx domain.Tx, job domain.Job) (domain.ReviewTx, domain.Review, bool, error) {
	var p reviewJob
	if err := decode(job, &p); err != nil {
		return nil, domain.Review{}, false, err
	}
	rt, err := domain.ReviewTxOf(tx)
	if err != nil {
		return nil, domain.Review{}, false, err
	}
	r, err := rt.Review(ctx, p.Review)
	switch {
	case domain.IsCode(err, domain.ENotFound):
		return rt, r, false, nil
	case err != nil:
		return rt, r, false, err
	}
	if !r.Open() || !strings.EqualFold(r.ReviewerID, p.Reviewer) {
		return rt, r, false, nil
	}
	if r.CampaignID != 0 {
		c, err := rt.Campaign(ctx, r.CampaignID)
		if err != nil || !c.Open() {
			return rt, r, false, err
		}
	}
	return rt, r, true, nil
}

// reviewRemind gives the reviewer the card again, marked as a reminder.
func reviewRemind(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	rt, r, ok, err := s.reviewWaiting(ctx, tx, job)
	if !ok || err != nil {
		return nil, err
	}
	if err := reviewAudit(ctx, rt, domain.SystemActor, "review.reminded", r, 0, map[string]any{"undecided": r.Undecided()}, ""); err != nil {
		return nil, err
	}
	return []domain.OutboxMessage{domain.Message(r.ReviewerID, 0, domain.ReviewCard{Review: r.ID, Reminder: 1})}, nil
}

// reviewEscalate moves a review its reviewer has not finished to the alternate reviewer, who gets the card; the
// reviewer it left gets it too, saying who has it now and taking no decisions.
func reviewEscalate(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	rt, r, ok, err := s.reviewWaiting(ctx, tx, job)
	if !ok || err != nil {
		return nil, err
	}
	to, found, err := s.alternateReviewer(ctx, r)
	if err != nil {
		return nil, err
	}
	if !found {
		s.log().InfoContext(ctx, "nobody to escalate a review to", slog.Int64("review_id", r.ID))
		return nil, nil
	}
	from := r.ReviewerID
	if err := rt.ReassignReview(ctx, r.ID, to.ID, hetu.Redact(to.DisplayName)); err != nil {
		return nil, err
	}
	r.ReviewerID, r.ReviewerName, r.Escalated = to.ID, hetu.Redact(to.DisplayName), true
	if err := reviewAudit(ctx, rt, domain.SystemActor, "review.escalated", r, 0, map[string]any{"from": from,
		"days": s.Policy().ApprovalEscalationDays}, ""); err != nil {
		return nil, err
	}
	if err := s.planReview(ctx, rt, r, s.now()); err != nil {
		return nil, err
	}
	// The new reviewer gets the card; the one it left is told who has it now (as an escalated approval tells).
	return []domain.OutboxMessage{domain.Message(r.ReviewerID, 0, domain.ReviewCard{Review: r.ID}),
		domain.Message(from, 0, domain.ReviewCard{Review: r.ID})}, nil
}

// alternateReviewer is who reviews when the reviewer has not: the head of the review's department, then a main
// user; never the reviewer it waits for, nor the person reviewed, and only an enabled account.
func (s *Service) alternateReviewer(ctx context.Context, r domain.Review) (domain.User, bool, error) {
	org := s.Catalog.Org
	var cands []string
	if head := org.DepartmentHeads[r.Department]; head != "" {
		cands = append(cands, head)
	}
	cands = append(cands, org.MainUsers...)
	holders := map[string]bool{strings.ToLower(r.SubjectID): true}
	for _, it := range r.Items {
		holders[strings.ToLower(it.HolderID)] = true
	}
	for _, id := range cands {
		if strings.EqualFold(id, r.ReviewerID) || holders[strings.ToLower(id)] {
			continue
		}
		u, ok, err := s.reviewerUser(ctx, id)
		if err != nil || ok {
			return u, ok, err
		}
	}
	return domain.User{}, false, nil
}

// reviewerUser reads a possible reviewer from the directory: ok when they are there with an enabled account. A
// directory outage is an error, never a "no".
func (s *Service) reviewerUser(ctx context.Context, id string) (domain.User, bool, error) {
	u, err := s.Directory.User(ctx, id)
	switch {
	case domain.IsCode(err, domain.ENotFound):
		return u, false, nil
	case err != nil:
		return u, false, err
	}
	return u, u.AccountEnabled, nil
}

// reviewerFor is who reviews holder's mandates: their manager, else the head of their department, else a main
// user; never the holder. ok is false when nobody can.
func (s *Service) reviewerFor(ctx context.Context, holder domain.User, managerID string) (domain.User, bool, error) {
	org := s.Catalog.Org
	cands := []string{managerID, org.DepartmentHeads[holder.Department]}
	cands = append(cands, org.MainUsers...)
	for _, id := range cands {
		if id == "" || strings.EqualFold(id, holder.ID) {
			continue
		}
		u, ok, err := s.reviewerUser(ctx, id)
		if err != nil || ok {
			return u, ok, err
		}
	}
	return domain.User{}, false, nil
}

// ---- campaigns ------------------------------------------------------------------------------------------------

// StartCampaign starts a review campaign inside tx: every supervisor gets one review of their people's active
// mandates (a person without a manager: their department head, else a main user), and the deadline is planned. It
// returns the reviewers' cards. While another campaign runs it is EConflict (review.err.campaign_open).
func (s *Service) StartCampaign(ctx context.Context, tx domain.Tx, actor, activityID string) (domain.Campaign, []domain.OutboxMessage, error) {
	rt, err := domain.ReviewTxOf(tx)
	if err != nil {
		return domain.Campaign{}, nil, err
	}
	c := domain.Campaign{StartedBy: actor, Deadline: s.CampaignDeadline(s.now())}
	if err := rt.CreateCampaign(ctx, &c); err != nil {
		return c, nil, err
	}
	ms, err := rt.ActiveMandates(ctx, "", s.today())
	if err != nil {
		return c, nil, err
	}
	byReviewer := map[string]*domain.Review{}
	var order []string
	for _, m := range ms {
		rev, ok, err := s.campaignReviewer(ctx, m)
		if err != nil {
			return c, nil, err
		}
		if !ok {
			s.log().WarnContext(ctx, "nobody to review a mandate", slog.Int64("mandate_id", m.ID))
			continue
		}
		r := byReviewer[rev.ID]
		if r == nil {
			r = &domain.Review{Kind: domain.ReviewCampaign, CampaignID: c.ID, ReviewerID: rev.ID,
				ReviewerName: hetu.Redact(rev.DisplayName), Department: rev.Department}
			byReviewer[rev.ID] = r
			order = append(order, rev.ID)
		}
		r.Items = append(r.Items, itemOf(m))
	}
	var msgs []domain.OutboxMessage
	for _, id := range order {
		msg, err := s.openReview(ctx, rt, byReviewer[id], actor, activityID)
		if err != nil {
			return c, nil, err
		}
		msgs = append(msgs, msg)
	}
	after, _ := json.Marshal(map[string]any{"campaign_id": c.ID, "deadline": c.Deadline, "reviews": len(order), "mandates": len(ms)})
	if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: actor, Action: "review.campaign_started",
		Before: json.RawMessage("null"), After: after, ActivityID: activityID}); err != nil {
		return c, nil, err
	}
	_, err = tx.Schedule(ctx, Job(KindReviewDeadline, "campaign/"+strconv.FormatInt(c.ID, 10), "deadline", c.Deadline,
		campaignJob{Campaign: c.ID}))
	return c, msgs, err
}

// CampaignDeadline is when a campaign started at from must be answered: review.answer_working_days working days
// later, at the start of working hours.
func (s *Service) CampaignDeadline(from time.Time) time.Time {
	return s.At(from, s.Catalog.Org.Review.AnswerDays())
}

// campaignReviewer is who reviews m in a campaign: the holder's manager in the directory, else the head of their
// department, else a main user (reviewerFor).
func (s *Service) campaignReviewer(ctx context.Context, m domain.Mandate) (domain.User, bool, error) {
	holder, err := s.Directory.User(ctx, m.HolderID)
	if domain.IsCode(err, domain.ENotFound) {
		holder = domain.User{ID: m.HolderID, DisplayName: m.HolderName, Department: m.Department}
	} else if err != nil {
		return domain.User{}, false, err
	}
	mgr, err := s.Directory.Manager(ctx, m.HolderID)
	if err != nil && !domain.IsCode(err, domain.ENotFound) {
		return domain.User{}, false, err
	}
	return s.reviewerFor(ctx, holder, mgr.ID)
}

// itemOf is the review item of mandate m.
func itemOf(m domain.Mandate) domain.ReviewItem {
	return domain.ReviewItem{MandateID: m.ID, HolderID: m.HolderID, HolderName: m.HolderName, ThemeID: m.ThemeID,
		ValidUntil: m.ValidUntil}
}

// campaignJobOn is the periodic campaign of day d.
func (s *Service) campaignJobOn(d domain.Date) domain.Job {
	return Job(KindReviewCampaign, "periodic", d.String(), s.OnDay(d), campaignJob{Day: d.String()})
}

// startReviews schedules the next periodic campaign, if the organisation has one (called by Start).
func (s *Service) startReviews(ctx context.Context, jobs Scheduler) error {
	d, ok := s.Catalog.Org.Review.NextCampaign(s.today())
	if !ok {
		return nil
	}
	_, err := jobs.Schedule(ctx, s.campaignJobOn(d))
	return err
}

// periodicCampaign starts the periodic campaign and schedules the next one. While an earlier campaign still runs
// it starts none (the audit trail says so).
func periodicCampaign(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p campaignJob
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	day, _ := domain.ParseDate(p.Day)
	if next, ok := s.Catalog.Org.Review.NextCampaign(day.AddDays(1)); ok {
		if _, err := tx.Schedule(ctx, s.campaignJobOn(next)); err != nil {
			return nil, err
		}
	}
	_, msgs, err := s.StartCampaign(ctx, tx, domain.SystemActor, "")
	if domain.IsCode(err, domain.EConflict) {
		after, _ := json.Marshal(map[string]any{"day": p.Day})
		return nil, tx.AppendAudit(ctx, domain.AuditEvent{ActorID: domain.SystemActor, Action: "review.campaign_skipped",
			Before: json.RawMessage("null"), After: after})
	}
	return msgs, err
}

// campaignDeadline closes the campaign and gives every main user its report: who confirmed what, what was
// invalidated, and the items nobody answered.
func campaignDeadline(s *Service, ctx context.Context, tx domain.Tx, job domain.Job) ([]domain.OutboxMessage, error) {
	var p campaignJob
	if err := decode(job, &p); err != nil {
		return nil, err
	}
	rt, err := domain.ReviewTxOf(tx)
	if err != nil {
		return nil, err
	}
	c, err := rt.Campaign(ctx, p.Campaign)
	if domain.IsCode(err, domain.ENotFound) || (err == nil && !c.Open()) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := rt.CloseCampaign(ctx, c.ID); err != nil {
		return nil, err
	}
	rs, err := rt.CampaignReviews(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{"keep": 0, "invalidate": 0, "unanswered": 0}
	var silent []string
	for _, r := range rs {
		if r.Open() {
			silent = append(silent, r.ReviewerID)
		}
		for _, it := range r.Items {
			switch it.Decision {
			case "":
				counts["unanswered"]++
			default:
				counts[string(it.Decision)]++
			}
		}
	}
	after, _ := json.Marshal(map[string]any{"campaign_id": c.ID, "kept": counts["keep"], "invalidated": counts["invalidate"],
		"unanswered": counts["unanswered"], "reviewers_not_answered": silent})
	if err := tx.AppendAudit(ctx, domain.AuditEvent{ActorID: domain.SystemActor, Action: "review.campaign_closed",
		Before: json.RawMessage("null"), After: after}); err != nil {
		return nil, err
	}
	var msgs []domain.OutboxMessage
	for _, mu := range s.Catalog.Org.MainUsers {
		msgs = append(msgs, domain.Message(mu, 0, domain.ReviewReport{Campaign: c.ID}))
	}
	return msgs, nil
}

// previewCampaign is what the periodic campaign would do at job.RunAt: a card to the supervisors, and the next one.
func previewCampaign(s *Service, ctx context.Context, job domain.Job, p i18n.Printer) ([]Alert, []domain.Job, error) {
	var pl campaignJob
	if err := decode(job, &pl); err != nil {
		return nil, nil, err
	}
	var next []domain.Job
	if day, err := domain.ParseDate(pl.Day); err == nil {
		if d, ok := s.Catalog.Org.Review.NextCampaign(day.AddDays(1)); ok {
			next = append(next, s.campaignJobOn(d))
		}
	}
	return []Alert{{To: s.Catalog.Org.MainUsers, What: p.Get("review.preview.campaign")}}, next, nil
}

// reviewAudit appends the audit row of a review (about one of its mandates when mandateID is set).
func reviewAudit(ctx context.Context, tx domain.Tx, actor, action string, r domain.Review, mandateID int64, extra map[string]any, activityID string) error {
	after := map[string]any{"review_id": r.ID, "kind": r.Kind, "reviewer_id": r.ReviewerID}
	if r.CampaignID != 0 {
		after["campaign_id"] = r.CampaignID
	}
	if r.SubjectID != "" {
		after["subject_id"] = r.SubjectID
	}
	for k, v := range extra {
		after[k] = v
	}
	raw, _ := json.Marshal(after)
	return tx.AppendAudit(ctx, domain.AuditEvent{ActorID: actor, Action: action, MandateID: mandateID,
		Before: json.RawMessage("null"), After: raw, ActivityID: activityID})
}

// ReviewAudit is reviewAudit for the workflow's decisions.
func ReviewAudit(ctx context.Context, tx domain.Tx, actor, action string, r domain.Review, mandateID int64, extra map[string]any, activityID string) error {
	return reviewAudit(ctx, tx, actor, action, r, mandateID, extra, activityID)
}
