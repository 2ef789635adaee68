package delivery

import (
	"context"
	"fmt"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
	"github.com/valtuusbotti/valtuusbotti/internal/views"
)

// deliverMandate renders and posts a message about a mandate (an expiry notice, the end of a mandate, an
// invalidation task or its reminder, the notice that it was invalidated) from the mandate as it is now.
func (d *Deliverer) deliverMandate(ctx context.Context, m domain.OutboxMessage, payload domain.Payload, id int64) error {
	if d.Mandates == nil {
		return fmt.Errorf("%w: no mandate reader for a %s message", outbox.ErrPermanent, m.Kind)
	}
	l, err := views.LoadLife(ctx, d.Mandates, id, domain.Today(d.Views.Now()))
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return fmt.Errorf("%w: mandate %d is gone", outbox.ErrPermanent, id)
		}
		return err
	}
	ref, err := d.recipientRef(ctx, m.RecipientID)
	if err != nil {
		return err
	}
	card, err := d.mandateCard(ctx, ref, payload, l, m.RecipientID)
	if err != nil {
		return err
	}
	_, _, err = d.post(ctx, ref, card)
	return err
}

// mandateCard is the card a mandate message stands for, in the recipient's language.
func (d *Deliverer) mandateCard(ctx context.Context, ref domain.ConversationRef, payload domain.Payload, l domain.MandateLife, recipient string) (*cards.Card, error) {
	p := d.printer(ctx, ref)
	switch pl := payload.(type) {
	case domain.ExpiryNotice:
		return d.Views.Expiry(ctx, p, l, recipient, ""), nil
	case domain.ExpiredNotice:
		return d.Views.Expired(ctx, p, l), nil
	case domain.RevokedNotice:
		return d.Views.Revoked(ctx, p, l), nil
	case domain.InvalidationTask:
		others, err := views.OtherMandates(ctx, d.Mandates, l.Mandate, l.Today)
		if err != nil {
			return nil, err
		}
		return d.Views.InvalidationTask(ctx, p, l, recipient, pl.Reminder, others, ""), nil
	}
	return nil, fmt.Errorf("%w: %T is no mandate message", outbox.ErrPermanent, payload)
}
