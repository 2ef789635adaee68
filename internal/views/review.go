package views

import (
	"context"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// ReviewReader reads reviews and their campaigns (sqlstore.Register).
type ReviewReader interface {
	Review(ctx context.Context, id int64) (domain.Review, error)
	Campaign(ctx context.Context, id int64) (domain.Campaign, error)
	CampaignReviews(ctx context.Context, campaignID int64) ([]domain.Review, error)
}

// Review is the review's card for reader as it is now: interactive only for its reviewer while it takes decisions
// (a campaign's review until the campaign closes), with the campaign's deadline.
func (v *Views) Review(ctx context.Context, p i18n.Printer, rr ReviewReader, r domain.Review, reader string, reminder int, saved, errText string) (*cards.Card, error) {
	in := cards.ReviewInput{Catalog: v.Catalog, Review: r, Reminder: reminder, Saved: saved, Error: errText,
		MayDecide: reader != "" && reader == r.ReviewerID, Reader: reader}
	if r.CampaignID != 0 {
		c, err := rr.Campaign(ctx, r.CampaignID)
		if err != nil {
			return nil, err
		}
		in.Deadline, in.MayDecide = c.Deadline, in.MayDecide && c.Open()
	}
	return cards.Review(p, in), nil
}

// ReviewReport is the report card of campaign id.
func (v *Views) ReviewReport(ctx context.Context, p i18n.Printer, rr ReviewReader, id int64) (*cards.Card, error) {
	c, err := rr.Campaign(ctx, id)
	if err != nil {
		return nil, err
	}
	rs, err := rr.CampaignReviews(ctx, id)
	if err != nil {
		return nil, err
	}
	return cards.ReviewReport(p, cards.ReviewReportInput{Catalog: v.Catalog, Campaign: c, Reviews: rs}), nil
}
