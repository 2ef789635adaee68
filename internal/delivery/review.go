package delivery

import (
	"context"
	"fmt"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
)

// deliverReview renders and posts a message about a review (the reviewer's card or its reminder) or a campaign
// (its report), from the register as it is now.
func (d *Deliverer) deliverReview(ctx context.Context, m domain.OutboxMessage, payload domain.ReviewPayload) error {
	if d.Reviews == nil {
		return fmt.Errorf("%w: no review reader for a %s message", outbox.ErrPermanent, m.Kind)
	}
	ref, err := d.recipientRef(ctx, m.RecipientID)
	if err != nil {
		return err
	}
	p := d.printer(ctx, ref)
	var card *cards.Card
	switch pl := payload.(type) {
	case domain.ReviewCard:
		r, err := d.Reviews.Review(ctx, pl.Review)
		if domain.IsCode(err, domain.ENotFound) {
			return fmt.Errorf("%w: review %d is gone", outbox.ErrPermanent, pl.Review)
		}
		if err != nil {
			return err
		}
		card, err = d.Views.Review(ctx, p, d.Reviews, r, m.RecipientID, pl.Reminder, "", "")
		if err != nil {
			return err
		}
	case domain.ReviewReport:
		if card, err = d.Views.ReviewReport(ctx, p, d.Reviews, pl.Campaign); err != nil {
			return err
		}
	default:
		return fmt.Errorf("%w: %T is no review message", outbox.ErrPermanent, payload)
	}
	_, _, err = d.post(ctx, ref, card)
	return err
}
