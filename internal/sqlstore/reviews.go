package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Reviews of mandates (migration 0015): a mover's review and the reviews of a campaign, their items and decisions.
// Tx implements domain.ReviewTx; the Register reads them outside a transaction for cards and reports.

var _ domain.ReviewTx = (*Tx)(nil)

const reviewColumns = `id, kind, campaign_id, subject_id, reviewer_id, reviewer_name, department, old_department,
    old_title, new_department, new_title, escalated, created_at`

const reviewItemColumns = `id, review_id, mandate_id, holder_id, holder_name, theme_id, valid_until, decision,
    decided_by, decided_at`

const campaignColumns = `id, started_by, started_at, deadline, closed_at`

// CreateReview inserts r and its items and sets their IDs and r.CreatedAt (the clock's now). A review needs a
// reviewer and at least one item (EInvalid).
func (t *Tx) CreateReview(ctx context.Context, r *domain.Review) error {
	const op = "sqlstore.CreateReview"
	if r.ReviewerID == "" || len(r.Items) == 0 {
		return opError(op, domain.Errorf(domain.EInvalid, "a review needs a reviewer and at least one mandate"))
	}
	now := t.db.nowUTC()
	err := t.tx.QueryRowContext(ctx, `
INSERT INTO reviews (kind, campaign_id, subject_id, reviewer_id, reviewer_name, department, old_department, old_title,
    new_department, new_title, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
RETURNING id`, string(r.Kind), idArg(r.CampaignID), r.SubjectID, r.ReviewerID, r.ReviewerName, r.Department,
		r.OldDepartment, r.OldTitle, r.NewDepartment, r.NewTitle, t.db.timeArg(now)).Scan(&r.ID)
	if err != nil {
		return opError(op, err)
	}
	r.CreatedAt = now
	for i := range r.Items {
		it := &r.Items[i]
		it.ReviewID = r.ID
		err := t.tx.QueryRowContext(ctx, `
INSERT INTO review_items (review_id, mandate_id, holder_id, holder_name, theme_id, valid_until)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id`, r.ID, it.MandateID, it.HolderID, it.HolderName, it.ThemeID, dateArg(it.ValidUntil)).Scan(&it.ID)
		if err != nil {
			return opError(op, err)
		}
	}
	return nil
}

// Review reads a review with its items inside the transaction; ENotFound when there is none.
func (t *Tx) Review(ctx context.Context, id int64) (domain.Review, error) {
	return reviewByID(ctx, t.tx, id)
}

// Review reads a review with its items; ENotFound when there is none.
func (db *Register) Review(ctx context.Context, id int64) (domain.Review, error) {
	return reviewByID(ctx, db.read, id)
}

func reviewByID(ctx context.Context, q querier, id int64) (domain.Review, error) {
	const op = "sqlstore.Review"
	r, err := scanReview(q.QueryRowContext(ctx, `SELECT `+reviewColumns+` FROM reviews WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, opError(op, domain.Errorf(domain.ENotFound, "review.err.not_found"))
	}
	if err != nil {
		return r, opError(op, err)
	}
	r.Items, err = queryAll(ctx, q, op, `SELECT `+reviewItemColumns+` FROM review_items WHERE review_id = $1 ORDER BY id`,
		scanReviewItem, id)
	return r, err
}

func scanReview(row interface{ Scan(...any) error }) (domain.Review, error) {
	var r domain.Review
	err := row.Scan(&r.ID, (*string)(&r.Kind), idScanner{&r.CampaignID}, &r.SubjectID, &r.ReviewerID, &r.ReviewerName,
		&r.Department, &r.OldDepartment, &r.OldTitle, &r.NewDepartment, &r.NewTitle, &r.Escalated, timeScanner{&r.CreatedAt})
	return r, err
}

func scanReviewItem(rows *sql.Rows) (domain.ReviewItem, error) {
	var it domain.ReviewItem
	err := rows.Scan(&it.ID, &it.ReviewID, &it.MandateID, &it.HolderID, &it.HolderName, &it.ThemeID,
		dateScanner{&it.ValidUntil}, (*string)(&it.Decision), &it.DecidedBy, timeScanner{&it.DecidedAt})
	return it, err
}

// DecideReviewItem records it.Decision by it.DecidedBy (at it.DecidedAt, or the clock's now) if the item has no
// decision yet; a decided (or unknown) item is EConflict and nothing changes.
func (t *Tx) DecideReviewItem(ctx context.Context, it domain.ReviewItem) error {
	const op = "sqlstore.DecideReviewItem"
	if !it.Decision.Valid() || it.DecidedBy == "" {
		return opError(op, domain.Errorf(domain.EInvalid, "a decision needs keep or invalidate and who decided"))
	}
	at := it.DecidedAt
	if at.IsZero() {
		at = t.db.nowUTC()
	}
	n, err := changedRows(ctx, t.tx, `
UPDATE review_items SET decision = $3, decided_by = $4, decided_at = $5
WHERE id = $1 AND review_id = $2 AND decision = ''`, it.ID, it.ReviewID, string(it.Decision), it.DecidedBy, t.db.timeArg(at))
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		return opError(op, domain.Errorf(domain.EConflict, "review.err.decided"))
	}
	return nil
}

// ReassignReview gives the review to another reviewer and marks it escalated (ENotFound for no review).
func (t *Tx) ReassignReview(ctx context.Context, id int64, reviewerID, reviewerName string) error {
	const op = "sqlstore.ReassignReview"
	n, err := changedRows(ctx, t.tx, `UPDATE reviews SET reviewer_id = $2, reviewer_name = $3, escalated = TRUE WHERE id = $1`,
		id, reviewerID, reviewerName)
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		return opError(op, domain.Errorf(domain.ENotFound, "review.err.not_found"))
	}
	return nil
}

// CreateCampaign inserts c (StartedAt becomes the clock's now) and sets its ID; EConflict while another campaign
// is open.
func (t *Tx) CreateCampaign(ctx context.Context, c *domain.Campaign) error {
	const op = "sqlstore.CreateCampaign"
	if c.StartedBy == "" || c.Deadline.IsZero() {
		return opError(op, domain.Errorf(domain.EInvalid, "a campaign needs who started it and a deadline"))
	}
	var open int
	if err := t.tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_campaigns WHERE open_slot = 'open'`).Scan(&open); err != nil {
		return opError(op, err)
	}
	if open > 0 {
		return opError(op, domain.Errorf(domain.EConflict, "review.err.campaign_open"))
	}
	now := t.db.nowUTC()
	err := t.tx.QueryRowContext(ctx, `
INSERT INTO review_campaigns (started_by, started_at, deadline, open_slot) VALUES ($1, $2, $3, 'open') RETURNING id`,
		c.StartedBy, t.db.timeArg(now), t.db.timeArg(c.Deadline.UTC())).Scan(&c.ID)
	if err != nil {
		if classify(err) == domain.EConflict {
			return opError(op, domain.Errorf(domain.EConflict, "review.err.campaign_open"))
		}
		return opError(op, err)
	}
	c.StartedAt = now
	return nil
}

// Campaign reads a campaign inside the transaction (ENotFound).
func (t *Tx) Campaign(ctx context.Context, id int64) (domain.Campaign, error) {
	return campaignByID(ctx, t.tx, id)
}

// Campaign reads a campaign (ENotFound).
func (db *Register) Campaign(ctx context.Context, id int64) (domain.Campaign, error) {
	return campaignByID(ctx, db.read, id)
}

// LatestCampaign reads the newest campaign; ENotFound when there has been none.
func (db *Register) LatestCampaign(ctx context.Context) (domain.Campaign, error) {
	const op = "sqlstore.LatestCampaign"
	c, err := scanCampaign(db.read.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM review_campaigns ORDER BY id DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return c, opError(op, domain.Errorf(domain.ENotFound, "review.err.no_campaign"))
	}
	return c, opError(op, err)
}

func campaignByID(ctx context.Context, q querier, id int64) (domain.Campaign, error) {
	const op = "sqlstore.Campaign"
	c, err := scanCampaign(q.QueryRowContext(ctx, `SELECT `+campaignColumns+` FROM review_campaigns WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, opError(op, domain.Errorf(domain.ENotFound, "review.err.no_campaign"))
	}
	return c, opError(op, err)
}

func scanCampaign(row interface{ Scan(...any) error }) (domain.Campaign, error) {
	var c domain.Campaign
	err := row.Scan(&c.ID, &c.StartedBy, timeScanner{&c.StartedAt}, timeScanner{&c.Deadline}, timeScanner{&c.ClosedAt})
	return c, err
}

// CloseCampaign closes an open campaign at the clock's now; EConflict when it is closed already.
func (t *Tx) CloseCampaign(ctx context.Context, id int64) error {
	const op = "sqlstore.CloseCampaign"
	n, err := changedRows(ctx, t.tx, `UPDATE review_campaigns SET closed_at = $2, open_slot = NULL WHERE id = $1 AND closed_at IS NULL`,
		id, t.db.timeArg(t.db.nowUTC()))
	if err != nil {
		return opError(op, err)
	}
	if n == 0 {
		return opError(op, domain.Errorf(domain.EConflict, "review.err.campaign_closed"))
	}
	return nil
}

// OpenReviewItems counts the holder's mandates that a review still waits for a decision on: an undecided item of a
// mover's review, or of a campaign that has not closed (the supervisor's view, "tiimini").
func (db *Register) OpenReviewItems(ctx context.Context, holderID string) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `
SELECT COUNT(*) FROM review_items i JOIN reviews r ON r.id = i.review_id
LEFT JOIN review_campaigns c ON c.id = r.campaign_id
WHERE i.holder_id = $1 AND i.decision = '' AND (r.campaign_id IS NULL OR c.closed_at IS NULL)`, holderID).Scan(&n)
	return n, opError("sqlstore.OpenReviewItems", err)
}

// CampaignReviews reads the reviews of a campaign with their items, by reviewer name.
func (t *Tx) CampaignReviews(ctx context.Context, campaignID int64) ([]domain.Review, error) {
	return campaignReviews(ctx, t.tx, campaignID)
}

// CampaignReviews reads the reviews of a campaign with their items, by reviewer name.
func (db *Register) CampaignReviews(ctx context.Context, campaignID int64) ([]domain.Review, error) {
	return campaignReviews(ctx, db.read, campaignID)
}

func campaignReviews(ctx context.Context, q querier, campaignID int64) ([]domain.Review, error) {
	const op = "sqlstore.CampaignReviews"
	rs, err := queryAll(ctx, q, op, `SELECT `+reviewColumns+` FROM reviews WHERE campaign_id = $1 ORDER BY reviewer_name, id`,
		func(rows *sql.Rows) (domain.Review, error) { return scanReview(rows) }, campaignID)
	if err != nil {
		return nil, err
	}
	items, err := queryAll(ctx, q, op, `
SELECT i.`+reviewItemColumns[len("id, "):]+`, i.id FROM review_items i JOIN reviews r ON r.id = i.review_id
WHERE r.campaign_id = $1 ORDER BY i.id`, func(rows *sql.Rows) (domain.ReviewItem, error) {
		var it domain.ReviewItem
		err := rows.Scan(&it.ReviewID, &it.MandateID, &it.HolderID, &it.HolderName, &it.ThemeID,
			dateScanner{&it.ValidUntil}, (*string)(&it.Decision), &it.DecidedBy, timeScanner{&it.DecidedAt}, &it.ID)
		return it, err
	}, campaignID)
	if err != nil {
		return nil, err
	}
	byID := map[int64]int{}
	for i, r := range rs {
		byID[r.ID] = i
	}
	for _, it := range items {
		rs[byID[it.ReviewID]].Items = append(rs[byID[it.ReviewID]].Items, it)
	}
	return rs, nil
}

// ActiveMandates reads, inside the transaction, the active mandates that have not ended on today, of holder (of
// everyone when holder is ""), by holder name, holder and end date.
func (t *Tx) ActiveMandates(ctx context.Context, holder string, today domain.Date) ([]domain.Mandate, error) {
	return queryAll(ctx, t.tx, "sqlstore.ActiveMandates", `
SELECT `+mandateColumns+` FROM mandates
WHERE state = 'active' AND valid_until >= $1 AND ($2 = '' OR holder_id = $2)
ORDER BY holder_name, holder_id, valid_until, id`, scanMandates, dateArg(today.Time()), holder)
}
