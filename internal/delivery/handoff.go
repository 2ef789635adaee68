package delivery

// The hand-off's messages: the card in the digituki channel (posted as a new thread, then updated in place to the
// hand-off's current state), the messages relayed into that thread and to the employee (each after the ones
// written before it: a relay waits while an earlier one to the same recipient is undelivered), the notices to the
// employee, the reminders in the thread and the proposals to the main users.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
)

// HandoffStore is the register of hand-offs as delivery reads and writes it (sqlstore.Support).
type HandoffStore interface {
	Handoff(ctx context.Context, id int64) (domain.Handoff, error)
	HandoffMessage(ctx context.Context, id int64) (domain.HandoffMessage, error)
	SetHandoffThread(ctx context.Context, id int64, threadID, serviceURL, activityID string) error
	ChannelRef(ctx context.Context, channelID string) (domain.ChannelRef, error)
	EarlierPending(ctx context.Context, handoffID int64, recipientID string, outboxID int64, kinds ...string) (bool, error)
	Proposal(ctx context.Context, id int64) (domain.FAQProposal, error)
}

// ChannelConnector posts into Teams channels (the connector client does).
type ChannelConnector interface {
	CreateChannelThread(ctx context.Context, serviceURL, tenantID, channelID string, a schema.Activity) (connector.ConversationResource, error)
	ReplyInThread(ctx context.Context, serviceURL, threadConversationID, rootMessageID string, a schema.Activity) (string, error)
}

// errNotYet makes a hand-off message wait for the ones before it; the outbox tries it again shortly.
var errNotYet = errors.New("an earlier message of the hand-off is not delivered yet")

// orderedKinds are the hand-off messages that go out in the order written, per recipient.
var orderedKinds = []string{domain.MsgHandoffRelay, domain.MsgHandoffNotice}

// deliverHandoff delivers a hand-off or proposal message.
func (d *Deliverer) deliverHandoff(ctx context.Context, m domain.OutboxMessage, p domain.HandoffPayload) error {
	if d.Support == nil {
		return fmt.Errorf("%w: no hand-off store", outbox.ErrPermanent)
	}
	if pr, ok := p.(domain.ProposalReview); ok {
		return d.proposalReview(ctx, m.RecipientID, pr)
	}
	h, err := d.Support.Handoff(ctx, p.HandoffID())
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return fmt.Errorf("%w: hand-off %d is gone", outbox.ErrPermanent, p.HandoffID())
		}
		return err
	}
	if m.Kind == domain.MsgHandoffRelay || m.Kind == domain.MsgHandoffNotice {
		if wait, err := d.Support.EarlierPending(ctx, h.ID, m.RecipientID, m.ID, orderedKinds...); err != nil {
			return err
		} else if wait {
			return errNotYet
		}
	}
	switch pl := p.(type) {
	case domain.HandoffCard:
		return d.handoffCard(ctx, h)
	case domain.HandoffReminder:
		return d.intoThread(ctx, h, schema.Activity{Type: schema.Message, TextFormat: "plain",
			Text: d.channelPrinter().Format("handoff.reminder", "minutes", fmt.Sprint(pl.Minutes), "name", h.EmployeeName)})
	case domain.HandoffRelay:
		msg, err := d.Support.HandoffMessage(ctx, pl.Message)
		if err != nil {
			return err
		}
		if !msg.ToEmployee {
			return d.intoThread(ctx, h, relayActivity(msg))
		}
		return d.toPerson(ctx, m.RecipientID, func(ref domain.ConversationRef) schema.Activity { return relayActivity(msg) })
	case domain.HandoffNotice:
		return d.toPerson(ctx, m.RecipientID, func(ref domain.ConversationRef) schema.Activity {
			return cards.HandoffNotice(d.printer(ctx, ref), h, pl.Event).Activity()
		})
	}
	return fmt.Errorf("%w: unknown hand-off payload %T", outbox.ErrPermanent, p)
}

// relayActivity is a relayed message: plain text (never markdown: people typed it) after the author's name.
func relayActivity(m domain.HandoffMessage) schema.Activity {
	return schema.Activity{Type: schema.Message, TextFormat: "plain", Text: m.AuthorName + ": " + m.Text}
}

// channelPrinter is the language of the digituki channel: the organisation's.
func (d *Deliverer) channelPrinter() i18n.Printer {
	return d.Messages.Printer(d.Views.Catalog.Org.DefaultLanguage)
}

// handoffCard posts the hand-off's card as a new thread in the channel, or updates the posted card to the current
// state. A card posted while the hand-off changed is brought up to date at once (the refresh that change caused may
// have found no card yet).
func (d *Deliverer) handoffCard(ctx context.Context, h domain.Handoff) error {
	card := cards.HandoffChannel(d.channelPrinter(), cards.HandoffChannelInput{Handoff: h, Now: d.Views.Now()})
	if h.CardActivityID != "" {
		err := d.Connector.UpdateActivity(ctx, h.ServiceURL, h.ThreadID, h.CardActivityID, card.Activity())
		return unreachableIfGone(err)
	}
	ref, err := d.Support.ChannelRef(ctx, h.ChannelID)
	if team := d.Views.Catalog.Org.Digituki.TeamID; domain.IsCode(err, domain.ENotFound) && team != "" {
		ref, err = d.Support.ChannelRef(ctx, team) // the bot heard from another channel of the team: enough to post
	}
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return fmt.Errorf("%w: the bot has not heard from the digituki channel yet", outbox.ErrRecipientUnreachable)
		}
		return err
	}
	cc, ok := d.Connector.(ChannelConnector)
	if !ok {
		return fmt.Errorf("%w: the connector cannot post into channels", outbox.ErrPermanent)
	}
	res, err := cc.CreateChannelThread(ctx, ref.ServiceURL, ref.TenantID, h.ChannelID, card.Activity())
	if err != nil {
		return unreachableIfGone(err)
	}
	if err := d.Support.SetHandoffThread(ctx, h.ID, res.ID, res.ServiceURL, res.ActivityID); err != nil {
		return err
	}
	if now, err := d.Support.Handoff(ctx, h.ID); err == nil && now.Version != h.Version {
		card = cards.HandoffChannel(d.channelPrinter(), cards.HandoffChannelInput{Handoff: now, Now: d.Views.Now()})
		if err := d.Connector.UpdateActivity(ctx, res.ServiceURL, res.ID, res.ActivityID, card.Activity()); err != nil {
			d.log().WarnContext(ctx, "could not bring a posted hand-off card up to date", slog.String("error", err.Error()))
		}
	}
	return nil
}

// intoThread posts into the hand-off card's thread; before the card is posted it waits.
func (d *Deliverer) intoThread(ctx context.Context, h domain.Handoff, a schema.Activity) error {
	if h.ThreadID == "" || h.CardActivityID == "" {
		return errNotYet
	}
	cc, ok := d.Connector.(ChannelConnector)
	if !ok {
		return fmt.Errorf("%w: the connector cannot post into channels", outbox.ErrPermanent)
	}
	_, err := cc.ReplyInThread(ctx, h.ServiceURL, h.ThreadID, h.CardActivityID, a)
	return unreachableIfGone(err)
}

// toPerson posts into a person's 1:1 chat, opening it when needed.
func (d *Deliverer) toPerson(ctx context.Context, recipientID string, build func(ref domain.ConversationRef) schema.Activity) error {
	ref, err := d.recipientRef(ctx, recipientID)
	if err != nil {
		return err
	}
	if ref.ConversationID == "" {
		if ref, err = d.openPersonalChat(ctx, ref); err != nil {
			return err
		}
	}
	_, err = d.Connector.SendActivity(ctx, ref.ServiceURL, ref.ConversationID, build(ref))
	return unreachableIfGone(err)
}

// proposalReview asks a main user to approve a proposed FAQ entry; one decided meanwhile is not sent.
func (d *Deliverer) proposalReview(ctx context.Context, recipientID string, pr domain.ProposalReview) error {
	p, err := d.Support.Proposal(ctx, pr.Proposal)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return fmt.Errorf("%w: proposal %d is gone", outbox.ErrPermanent, pr.Proposal)
		}
		return err
	}
	if p.State != domain.ProposalPending {
		return nil
	}
	return d.toPerson(ctx, recipientID, func(ref domain.ConversationRef) schema.Activity {
		return cards.ProposalReview(d.printer(ctx, ref), cards.ProposalInput{Proposal: p}).Activity()
	})
}
