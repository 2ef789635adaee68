package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

// CardKindRequestStatus is the requester's own status card (the one their submit turned into), kept as a CardRef
// so decisions and grants update it in place.
const CardKindRequestStatus = "request_status"

// Deliverer renders outbox messages as cards in each recipient's language and posts them through the Bot
// Connector, opening the 1:1 chat first when the bot has none with the recipient. It implements outbox.Deliverer.
func (b *Bot) Deliver(ctx context.Context, m domain.OutboxMessage) error {
	if b.cfg.Cards == nil || b.cfg.Workflow == nil {
		return errors.New("bot: no card store or workflow configured")
	}
	r, err := b.cfg.Workflow.Store.Request(ctx, m.RequestID)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return fmt.Errorf("%w: request %d is gone", outbox.ErrPermanent, m.RequestID)
		}
		return err
	}
	if m.Kind == domain.MsgRefreshCards {
		return b.refreshCards(ctx, r)
	}
	ref, err := b.cfg.Register.ConversationRef(ctx, m.RecipientID)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			// The person has never talked to the bot: install the app for them (at most hourly), which makes Teams
			// send an installationUpdate that stores their reference; the retry then delivers.
			b.installFor(ctx, m.RecipientID)
			return fmt.Errorf("%w: no conversation reference", outbox.ErrRecipientUnreachable)
		}
		return err
	}
	p := b.printerFor(ctx, ref)
	card, err := b.renderMessage(ctx, p, m, r, ref)
	if err != nil {
		return err
	}
	if ref.ConversationID == "" {
		if ref, err = b.openPersonalChat(ctx, ref); err != nil {
			return err
		}
	}
	id, err := b.cfg.Sender.SendActivity(ctx, ref.ServiceURL, ref.ConversationID, cardActivity(card))
	if err != nil {
		return unreachableIfGone(err)
	}
	if m.Kind == domain.MsgApprovalRequest || m.Kind == domain.MsgGrantTask {
		if err := b.cfg.Cards.SaveCardRef(ctx, domain.CardRef{RequestID: r.ID, RecipientID: m.RecipientID, Kind: m.Kind,
			ConversationID: ref.ConversationID, ServiceURL: ref.ServiceURL, ActivityID: id}); err != nil {
			// The card went out; without the reference it just will not be updated later. Not worth a resend.
			b.log.WarnContext(ctx, "could not remember a posted card", slog.String("error", err.Error()))
		}
	}
	return nil
}

// installFor asks Graph to install the app for a person, once an hour at most whatever the retries.
func (b *Bot) installFor(ctx context.Context, userID string) {
	if b.cfg.Installer == nil {
		return
	}
	if dup, err := state.Seen(ctx, b.cfg.State, "install:"+userID, time.Hour); err != nil || dup {
		return
	}
	if err := b.cfg.Installer.InstallFor(ctx, userID); err != nil {
		b.log.WarnContext(ctx, "could not install the app for a recipient", slog.String("user", pseudonym(userID)), slog.String("error", err.Error()))
		return
	}
	b.log.InfoContext(ctx, "installed the app for a recipient", slog.String("user", pseudonym(userID)))
}

// unreachableIfGone sorts the connector's refusals: a conversation that is gone or closed to the bot (the app was
// uninstalled, the user blocked it: 403/404) makes the message wait until the person reaches the bot again; a 400
// is our own mistake, which no retry fixes.
func unreachableIfGone(err error) error {
	var api *connector.APIError
	if !errors.As(err, &api) {
		return err
	}
	switch api.StatusCode {
	case http.StatusForbidden, http.StatusNotFound:
		return fmt.Errorf("%w: %v", outbox.ErrRecipientUnreachable, err)
	case http.StatusBadRequest:
		return fmt.Errorf("%w: %v", outbox.ErrPermanent, err)
	}
	return err
}

// openPersonalChat creates the 1:1 conversation with a person the bot knows only from elsewhere (a channel, an
// install), and remembers it.
func (b *Bot) openPersonalChat(ctx context.Context, ref domain.ConversationRef) (domain.ConversationRef, error) {
	if b.cfg.Opener == nil {
		return ref, errors.New("bot: cannot create conversations")
	}
	params := schema.ConversationParameters{
		Bot:         schema.ChannelAccount{ID: ref.BotID},
		Members:     []schema.ChannelAccount{{ID: ref.UserID}},
		TenantID:    ref.TenantID,
		ChannelData: map[string]any{"tenant": map[string]any{"id": ref.TenantID}},
	}
	res, err := b.cfg.Opener.CreateConversation(ctx, ref.ServiceURL, params)
	if err != nil {
		return ref, unreachableIfGone(err)
	}
	ref.ConversationID, ref.ConversationType = res.ID, "personal"
	if res.ServiceURL != "" {
		ref.ServiceURL = res.ServiceURL
	}
	if err := b.cfg.Register.UpsertConversationRef(ctx, ref); err != nil {
		return ref, err
	}
	return ref, nil
}

func (b *Bot) printerFor(ctx context.Context, ref domain.ConversationRef) i18n.Printer {
	return b.cfg.Messages.Printer(i18n.Choose(b.languageOf(ctx, ref.AADObjectID, ref), ref.Locale, b.cfg.Catalog.Org.DefaultLanguage))
}

// payloadItems reads the item ids of a notice's payload.
func payloadItems(raw json.RawMessage) []int64 {
	var p struct {
		Items []int64 `json:"items"`
	}
	_ = json.Unmarshal(raw, &p)
	return p.Items
}

func payloadThemes(raw json.RawMessage) []string {
	var p struct {
		Themes []string `json:"themes"`
	}
	_ = json.Unmarshal(raw, &p)
	return p.Themes
}

// renderMessage builds the card an outbox message stands for, from the request as it is now, for the recipient
// whose conversation reference is ref.
func (b *Bot) renderMessage(ctx context.Context, p i18n.Printer, m domain.OutboxMessage, r domain.Request, ref domain.ConversationRef) (*cards.Card, error) {
	cat := b.cfg.Catalog
	switch m.Kind {
	case domain.MsgApprovalRequest:
		return b.approvalView(ctx, p, r, ref.UserID, false, ""), nil // the recipient is the approver
	case domain.MsgGrantTask:
		return b.grantView(ctx, p, r, ""), nil
	case domain.MsgDecisionNotice:
		return cards.DecisionNotice(p, cards.NoticeInput{Catalog: cat, Request: r}), nil
	case domain.MsgRequestSteps:
		return cards.RequestSteps(p, cards.StepsInput{Catalog: cat, Request: r, OrgName: cat.Org.Name, BusinessID: cat.Org.BusinessID}), nil
	case domain.MsgGrantedNotice:
		return cards.GrantedNotice(p, cards.NoticeInput{Catalog: cat, Request: r, ItemIDs: payloadItems(m.Payload)}), nil
	case domain.MsgNotGrantedNotice:
		return cards.NotGrantedNotice(p, cards.NoticeInput{Catalog: cat, Request: r, ItemIDs: payloadItems(m.Payload)}), nil
	case domain.MsgApplicationNeeded:
		return cards.ApplicationNeeded(p, cards.ApplicationInput{Catalog: cat, Request: r, ThemeIDs: payloadThemes(m.Payload)}), nil
	case domain.MsgCancelledNotice:
		return cards.CancelledNotice(p, cards.CancelledInput{Catalog: cat, Request: r}), nil
	default:
		return nil, fmt.Errorf("%w: unknown outbox kind %q", outbox.ErrPermanent, m.Kind)
	}
}

// grantView is the main users' grant task card for a request as it is now.
func (b *Bot) grantView(ctx context.Context, p i18n.Printer, r domain.Request, errText string) *cards.Card {
	return cards.GrantTask(p, cards.GrantTaskInput{Catalog: b.cfg.Catalog, Request: r, OrgName: b.cfg.Catalog.Org.Name,
		BusinessID: b.cfg.Catalog.Org.BusinessID, Today: b.cfg.Workflow.Today(), Error: errText, People: b.people(ctx, r)})
}

// approvalView is the approval card for a request as it is now: interactive only for the approver of a pending
// request, final once decided.
func (b *Bot) approvalView(ctx context.Context, p i18n.Printer, r domain.Request, approverUserID string, interactive bool, errText string) *cards.Card {
	return cards.Approval(p, cards.ApprovalInput{Catalog: b.cfg.Catalog, Request: r, ApproverUserID: approverUserID,
		Interactive: interactive, Error: errText, Now: b.cfg.Now(), People: b.people(ctx, r)})
}

// people names who decided and who granted, so cards show names rather than object ids.
func (b *Bot) people(ctx context.Context, r domain.Request) map[string]string {
	ids := []string{r.DecidedBy}
	for _, it := range r.Items {
		ids = append(ids, it.GrantedBy)
	}
	out := map[string]string{}
	for _, id := range ids {
		if id == "" || out[id] != "" {
			continue
		}
		if u, err := b.cfg.Directory.User(ctx, id); err == nil {
			out[id] = u.DisplayName
		}
	}
	return out
}

// teamsUserID is the person's "29:" id, which card refresh needs; "" when the bot has never heard from them.
func (b *Bot) teamsUserID(ctx context.Context, aad string) string {
	ref, err := b.cfg.Register.ConversationRef(ctx, aad)
	if err != nil {
		return ""
	}
	return ref.UserID
}

// refreshCards puts the request's current state into every card the bot posted about it, so nobody is left with
// live buttons on a decided request. PUT is idempotent, so a retry after a partial failure is harmless.
func (b *Bot) refreshCards(ctx context.Context, r domain.Request) error {
	refs, err := b.cfg.Cards.CardRefs(ctx, r.ID)
	if err != nil {
		return err
	}
	var failed error
	for _, cr := range refs {
		pref, err := b.cfg.Register.ConversationRef(ctx, cr.RecipientID)
		if err != nil && !domain.IsCode(err, domain.ENotFound) {
			return err
		}
		p := b.printerFor(ctx, pref)
		var card *cards.Card
		switch cr.Kind {
		case domain.MsgApprovalRequest:
			card = b.approvalView(ctx, p, r, pref.UserID, false, "")
		case domain.MsgGrantTask:
			card = b.grantView(ctx, p, r, "")
		case CardKindRequestStatus:
			card = cards.RequestStatus(p, cards.RequestStatusInput{Catalog: b.cfg.Catalog, Request: r, Now: b.cfg.Now()})
		default:
			continue
		}
		if err := b.cfg.Sender.UpdateActivity(ctx, cr.ServiceURL, cr.ConversationID, cr.ActivityID, cardActivity(card)); err != nil {
			var api *connector.APIError
			if errors.As(err, &api) && (api.StatusCode == http.StatusNotFound || api.StatusCode == http.StatusForbidden) {
				continue // the message or chat is gone; nothing to update
			}
			failed = errors.Join(failed, err)
		}
	}
	return failed
}
