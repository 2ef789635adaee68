package delivery

import (
	"context"
	"fmt"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
)

// deliverLife renders and posts a message about a joiner, a leaver or the continuity of the right to grant, in the
// recipient's language. A newcomer the bot has never heard from is reached as any such recipient (recipientRef:
// the app is installed for them and the message waits for their chat). A leaver's task whose mandates were all
// confirmed meanwhile is not sent.
func (d *Deliverer) deliverLife(ctx context.Context, m domain.OutboxMessage, lp domain.LifePayload) error {
	ref, err := d.recipientRef(ctx, m.RecipientID)
	if err != nil {
		return err
	}
	p := d.printer(ctx, ref)
	cat := d.Views.Catalog
	var card *cards.Card
	switch pl := lp.(type) {
	case domain.JoinerWelcome:
		card = cards.JoinerWelcome(p, cards.JoinerWelcomeInput{Catalog: cat, Roles: pl.Roles})
	case domain.JoinerNotice:
		card = cards.JoinerNotice(p, cards.JoinerNoticeInput{Catalog: cat, Notice: pl})
	case domain.ContinuityAlert:
		card = cards.ContinuityAlert(p, cards.ContinuityInput{Catalog: cat, Alert: pl})
	case domain.LeaverTask:
		if d.Mandates == nil {
			return fmt.Errorf("%w: no mandate reader for a %s message", outbox.ErrPermanent, m.Kind)
		}
		open := false
		card, err = d.Views.LeaverTask(ctx, p, d.Mandates, pl.Person, pl.Name, pl.Mandates, pl.Reminder,
			cat.Org.IsMainUser(m.RecipientID), "")
		if err != nil {
			return err
		}
		for _, id := range pl.Mandates {
			if inv, err := d.Mandates.Invalidation(ctx, id); err == nil && inv.Open() {
				open = true
			}
		}
		if !open {
			return nil // confirmed meanwhile: nothing to do
		}
	default:
		return fmt.Errorf("%w: %T is no life message", outbox.ErrPermanent, lp)
	}
	_, _, err = d.post(ctx, ref, card)
	return err
}
