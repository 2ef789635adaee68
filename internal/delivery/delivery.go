// Package delivery turns outbox messages into Teams messages: it renders each message kind as a card in the
// recipient's language from the request as it is now, opens the 1:1 chat (or installs the app) when the bot has
// none with the recipient, posts the card through the Bot Connector, and refreshes every card posted about a
// request when it changes. It implements outbox.Deliverer; the outbox worker decides when and how often.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/language"
	"github.com/valtuusbotti/valtuusbotti/internal/outbox"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/views"
)

// Requests reads the register's requests.
type Requests interface {
	Request(ctx context.Context, id int64) (domain.Request, error)
	RequestsAwaitingGrant(ctx context.Context) ([]domain.Request, error) // the open grant tasks, oldest first
	// For the weekly digest: active mandates ending within [from, to], and requests pending since before t.
	MandatesEnding(ctx context.Context, from, to time.Time, limit int) ([]domain.Mandate, error)
	PendingBefore(ctx context.Context, t time.Time) ([]domain.Request, error)
}

// Refs keeps people's conversation references and the cards posted to them.
type Refs interface {
	domain.Refs
	UpsertConversationRef(ctx context.Context, ref domain.ConversationRef) error
	SaveCardRef(ctx context.Context, ref domain.CardRef) error
	CardRefs(ctx context.Context, requestID int64) ([]domain.CardRef, error)
}

// Connector is the Bot Connector as delivery uses it.
type Connector interface {
	SendActivity(ctx context.Context, serviceURL, conversationID string, a schema.Activity) (string, error)
	UpdateActivity(ctx context.Context, serviceURL, conversationID, activityID string, a schema.Activity) error
	CreateConversation(ctx context.Context, serviceURL string, p schema.ConversationParameters) (connector.ConversationResource, error)
}

// Installer installs the bot's Teams app for a person, so that proactive messages can reach someone who has never
// opened the bot. Teams then sends an installationUpdate, which stores their conversation reference.
type Installer interface {
	InstallFor(ctx context.Context, userID string) error
}

// Deliverer delivers outbox messages.
type Deliverer struct {
	Requests  Requests
	Refs      Refs
	Connector Connector
	Installer Installer // optional: installs the app for recipients the bot cannot reach yet
	State     state.Store
	Views     *views.Views
	Language  *language.Resolver
	Messages  *i18n.Bundle
	Logger    *slog.Logger
	// Mandates reads the mandates the expiry and invalidation messages are about.
	Mandates views.MandateReader
	// Support is the register of hand-offs (the digituki channel's cards and relayed messages); see handoff.go.
	Support HandoffStore
	// Reviews reads the reviews and campaigns the review messages are about; see review.go.
	Reviews views.ReviewReader
}

var _ outbox.Deliverer = (*Deliverer)(nil)

// Deliver renders and posts one outbox message.
func (d *Deliverer) Deliver(ctx context.Context, m domain.OutboxMessage) error {
	payload, err := m.Decode()
	if err != nil {
		return fmt.Errorf("%w: %v", outbox.ErrPermanent, err)
	}
	if rp, ok := payload.(domain.ReviewPayload); ok { // about a review or a campaign: review.go
		return d.deliverReview(ctx, m, rp)
	}
	if id, ok := domain.MandateOf(payload); ok {
		return d.deliverMandate(ctx, m, payload, id) // about a mandate, which may have no request
	}
	if hp, ok := payload.(domain.HandoffPayload); ok { // about a hand-off, not a request: handoff.go
		return d.deliverHandoff(ctx, m, hp)
	}
	if lp, ok := payload.(domain.LifePayload); ok { // about a joiner, a leaver or the right to grant: life.go
		return d.deliverLife(ctx, m, lp)
	}
	if tr, ok := payload.(domain.TurnReply); ok { // a turn's reply held back by Teams' limits: turnreply.go
		return d.turnReply(ctx, tr)
	}
	if _, ok := payload.(domain.WeeklyDigest); ok { // about the register, not one request
		return d.weeklyDigest(ctx, m.RecipientID)
	}
	r, err := d.Requests.Request(ctx, m.RequestID)
	if err != nil {
		if domain.IsCode(err, domain.ENotFound) {
			return fmt.Errorf("%w: request %d is gone", outbox.ErrPermanent, m.RequestID)
		}
		return err
	}
	if _, ok := payload.(domain.RefreshCards); ok {
		return d.refreshCards(ctx, r)
	}
	ref, err := d.recipientRef(ctx, m.RecipientID)
	if err != nil {
		return err
	}
	if _, ok := payload.(domain.GrantDigest); ok {
		return d.grantDigest(ctx, m.RecipientID, ref)
	}
	card := d.render(ctx, d.printer(ctx, ref), payload, r, ref)
	ref, id, err := d.post(ctx, ref, card)
	if err != nil {
		return err
	}
	if m.Kind == domain.MsgApprovalRequest || m.Kind == domain.MsgGrantTask || m.Kind == domain.MsgGrantReminder {
		kind := m.Kind
		if kind == domain.MsgGrantReminder {
			kind = domain.MsgGrantTask // the reminder is the newest copy of the task card: refreshes go to it
		}
		cr := domain.CardRef{RequestID: r.ID, RecipientID: m.RecipientID, Kind: kind,
			ConversationID: ref.ConversationID, ServiceURL: ref.ServiceURL, ActivityID: id}
		if err := d.Refs.SaveCardRef(ctx, cr); err != nil {
			// The card went out; without the reference it just will not be updated later. Not worth a resend.
			d.log().WarnContext(ctx, "could not remember a posted card", slog.String("error", err.Error()))
			return nil
		}
		d.catchUp(ctx, r, payload, ref, cr)
	}
	return nil
}

// weeklyDigest posts a main user's weekly digest, rendered from the register now.
func (d *Deliverer) weeklyDigest(ctx context.Context, recipientID string) error {
	ref, err := d.recipientRef(ctx, recipientID)
	if err != nil {
		return err
	}
	now := d.Views.Now()
	today := domain.Today(now)
	grants, err := d.Requests.RequestsAwaitingGrant(ctx)
	if err != nil {
		return err
	}
	ending, err := d.Requests.MandatesEnding(ctx, today.Time(), today.AddDays(DigestHorizonDays).Time(), 0)
	if err != nil {
		return err
	}
	waiting, err := d.Requests.PendingBefore(ctx, now.AddDate(0, 0, -7))
	if err != nil {
		return err
	}
	card := cards.WeeklyDigest(d.printer(ctx, ref), cards.DigestInput{Catalog: d.Views.Catalog, Grants: grants,
		Ending: ending, Approval: waiting, Horizon: DigestHorizonDays, Now: now})
	if _, _, err := d.post(ctx, ref, card); err != nil {
		return err
	}
	return nil
}

// DigestHorizonDays is how far ahead the weekly digest lists mandates that end.
const DigestHorizonDays = 60

// DigestLife is how long a main user's task list is updated in place; after it, the next burst of tasks posts a new
// list at the bottom of the chat, where the person will see it.
const DigestLife = 10 * time.Minute

// grantDigest posts the main user's list of open grant tasks, or updates the list posted to them within DigestLife,
// so that a burst of tasks is one card. The list is rendered from the register now, so it holds every task open at
// this moment, including those whose announcements were folded into it.
func (d *Deliverer) grantDigest(ctx context.Context, recipientID string, ref domain.ConversationRef) error {
	rs, err := d.Requests.RequestsAwaitingGrant(ctx)
	if err != nil {
		return err
	}
	card := cards.GrantDigest(d.printer(ctx, ref), cards.GrantListInput{Catalog: d.Views.Catalog, Requests: rs, Now: d.Views.Now()})
	key := "grantdigest:" + recipientID
	if raw, err := d.State.Get(ctx, key); err == nil {
		var posted domain.CardRef
		if json.Unmarshal(raw, &posted) == nil {
			err := d.Connector.UpdateActivity(ctx, posted.ServiceURL, posted.ConversationID, posted.ActivityID, card.Activity())
			if s := connectorStatus(err); err == nil || (s != http.StatusNotFound && s != http.StatusForbidden) {
				return err // updated, or a failure worth a retry
			}
		}
	} else if !errors.Is(err, state.ErrNotFound) {
		return err
	}
	ref, id, err := d.post(ctx, ref, card)
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(domain.CardRef{RecipientID: recipientID, Kind: domain.MsgGrantDigest,
		ConversationID: ref.ConversationID, ServiceURL: ref.ServiceURL, ActivityID: id}) // cannot fail: plain fields
	if err := d.State.Set(ctx, key, raw, DigestLife); err != nil {
		// Posted; the next burst will just post a new list instead of updating this one.
		d.log().WarnContext(ctx, "could not remember a posted task list", slog.String("error", err.Error()))
	}
	return nil
}

// catchUp updates a card just posted if its request changed while it was rendered and sent: the refresh that change
// caused may have run before the card was remembered (messages to different people go out in parallel). Any change
// after this check finds the card remembered and refreshes it itself.
func (d *Deliverer) catchUp(ctx context.Context, posted domain.Request, payload domain.Payload, ref domain.ConversationRef, cr domain.CardRef) {
	now, err := d.Requests.Request(ctx, posted.ID)
	if err != nil || now.Version == posted.Version {
		return
	}
	card := d.render(ctx, d.printer(ctx, ref), payload, now, ref)
	if err := d.Connector.UpdateActivity(ctx, cr.ServiceURL, cr.ConversationID, cr.ActivityID, card.Activity()); err != nil {
		d.log().WarnContext(ctx, "could not bring a posted card up to date", slog.String("error", err.Error()))
	}
}

// render builds the card a message stands for, from the request as it is now, for the recipient whose
// conversation reference is ref.
func (d *Deliverer) render(ctx context.Context, p i18n.Printer, payload domain.Payload, r domain.Request, ref domain.ConversationRef) *cards.Card {
	cat := d.Views.Catalog
	switch pl := payload.(type) {
	case domain.ApprovalRequest:
		// The recipient is the approver; if the request moved on before delivery, the card says who decides now.
		return d.Views.ApprovalCopy(ctx, p, r, ref.AADObjectID, ref.UserID)
	case domain.ApprovalReminder:
		if r.State != domain.RequestPending || r.ApproverID != ref.AADObjectID {
			return d.Views.ApprovalCopy(ctx, p, r, ref.AADObjectID, ref.UserID) // decided or moved meanwhile
		}
		return cards.ApprovalReminder(p, cards.ReminderInput{Catalog: cat, Request: r, Reminder: pl})
	case domain.ApproverChanged:
		return cards.ApproverChanged(p, cards.ApproverChangedInput{Catalog: cat, Request: r, Change: pl, Reader: ref.AADObjectID})
	case domain.RequestExpired:
		return cards.RequestExpired(p, cards.ExpiredInput{Catalog: cat, Request: r, Days: pl.Days})
	case domain.GrantTask:
		return d.Views.Grant(ctx, p, r, ref.AADObjectID, "")
	case domain.GrantReminder:
		return cards.Marked(d.Views.Grant(ctx, p, r, ref.AADObjectID, ""), p.Format("admin.grant.reminder", "days", strconv.Itoa(pl.Days)))
	case domain.FilingReminder:
		return cards.Marked(cards.RequestSteps(p, cards.StepsInput{Catalog: cat, Request: r, ItemIDs: pl.Items}), p.Get("steps.reminder"))
	case domain.DecisionNotice:
		return cards.DecisionNotice(p, cards.NoticeInput{Catalog: cat, Request: r})
	case domain.RequestSteps:
		return cards.RequestSteps(p, cards.StepsInput{Catalog: cat, Request: r, OrgName: cat.Org.Name, BusinessID: cat.Org.BusinessID, ItemIDs: pl.Items})
	case domain.GrantedNotice:
		return cards.GrantedNotice(p, cards.NoticeInput{Catalog: cat, Request: r, ItemIDs: pl.Items})
	case domain.NotGrantedNotice:
		return cards.NotGrantedNotice(p, cards.NoticeInput{Catalog: cat, Request: r, ItemIDs: pl.Items})
	case domain.ApplicationNeeded:
		return cards.ApplicationNeeded(p, cards.ApplicationInput{Catalog: cat, Request: r, ThemeIDs: pl.Themes})
	default: // domain.CancelledNotice; Decode admits no other kind
		return cards.CancelledNotice(p, cards.CancelledInput{Catalog: cat, Request: r})
	}
}

func (d *Deliverer) printer(ctx context.Context, ref domain.ConversationRef) i18n.Printer {
	return d.Messages.Printer(d.Language.For(ctx, ref, ""))
}

func (d *Deliverer) log() *slog.Logger {
	if d.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return d.Logger
}

// installFor asks Graph to install the app for a person, once an hour at most whatever the retries.
func (d *Deliverer) installFor(ctx context.Context, userID string) {
	if d.Installer == nil {
		return
	}
	if dup, err := state.Seen(ctx, d.State, "install:"+userID, time.Hour); err != nil || dup {
		return
	}
	if err := d.Installer.InstallFor(ctx, userID); err != nil {
		d.log().WarnContext(ctx, "could not install the app for a recipient", slog.String("user", domain.Pseudonym(userID)), slog.String("error", err.Error()))
		return
	}
	d.log().InfoContext(ctx, "installed the app for a recipient", slog.String("user", domain.Pseudonym(userID)))
}

// unreachableIfGone sorts the connector's refusals: a conversation that is gone or closed to the bot (the app was
// uninstalled, the user blocked it: 403/404) makes the message wait until the person reaches the bot again; a 400
// is our own mistake, which no retry fixes.
func unreachableIfGone(err error) error {
	switch connectorStatus(err) {
	case http.StatusForbidden, http.StatusNotFound:
		return fmt.Errorf("%w: %v", outbox.ErrRecipientUnreachable, err)
	case http.StatusBadRequest:
		return fmt.Errorf("%w: %v", outbox.ErrPermanent, err)
	}
	return err
}

// connectorStatus is the HTTP status of a Bot Connector refusal, or 0.
func connectorStatus(err error) int {
	var api *connector.APIError
	if errors.As(err, &api) {
		return api.StatusCode
	}
	return 0
}

// recipientRef is the conversation reference of a recipient. One the bot has never heard from makes it install
// the app for them (at most hourly), which makes Teams send an installationUpdate that stores their reference; until
// then the message waits for its recipient (ErrRecipientUnreachable) and the retry delivers it.
func (d *Deliverer) recipientRef(ctx context.Context, recipientID string) (domain.ConversationRef, error) {
	ref, err := d.Refs.ConversationRef(ctx, recipientID)
	if domain.IsCode(err, domain.ENotFound) {
		d.installFor(ctx, recipientID)
		return ref, fmt.Errorf("%w: no conversation reference", outbox.ErrRecipientUnreachable)
	}
	return ref, err
}

// post sends card into the person's 1:1 chat, opening it first when the bot has none, and returns the reference
// used and the posted activity's id.
func (d *Deliverer) post(ctx context.Context, ref domain.ConversationRef, card *cards.Card) (domain.ConversationRef, string, error) {
	if ref.ConversationID == "" {
		var err error
		if ref, err = d.openPersonalChat(ctx, ref); err != nil {
			return ref, "", err
		}
	}
	id, err := d.Connector.SendActivity(ctx, ref.ServiceURL, ref.ConversationID, card.Activity())
	if err != nil {
		return ref, "", unreachableIfGone(err)
	}
	return ref, id, nil
}

// openPersonalChat creates the 1:1 conversation with a person the bot knows only from elsewhere (a channel, an
// install), and remembers it.
func (d *Deliverer) openPersonalChat(ctx context.Context, ref domain.ConversationRef) (domain.ConversationRef, error) {
	params := schema.ConversationParameters{
		Bot:         schema.ChannelAccount{ID: ref.BotID},
		Members:     []schema.ChannelAccount{{ID: ref.UserID}},
		TenantID:    ref.TenantID,
		ChannelData: map[string]any{"tenant": map[string]any{"id": ref.TenantID}},
	}
	res, err := d.Connector.CreateConversation(ctx, ref.ServiceURL, params)
	if err != nil {
		return ref, unreachableIfGone(err)
	}
	ref.ConversationID, ref.ConversationType = res.ID, "personal"
	if res.ServiceURL != "" {
		ref.ServiceURL = res.ServiceURL
	}
	return ref, d.Refs.UpsertConversationRef(ctx, ref)
}

// refreshCards puts the request's current state into every card the bot posted about it, so nobody is left with
// live buttons on a decided request. PUT is idempotent, so a retry after a partial failure is harmless.
func (d *Deliverer) refreshCards(ctx context.Context, r domain.Request) error {
	refs, err := d.Refs.CardRefs(ctx, r.ID)
	if err != nil {
		return err
	}
	var failed error
	for _, cr := range refs {
		pref, err := d.Refs.ConversationRef(ctx, cr.RecipientID)
		if err != nil && !domain.IsCode(err, domain.ENotFound) {
			return err
		}
		p := d.printer(ctx, pref)
		var card *cards.Card
		switch cr.Kind {
		case domain.MsgApprovalRequest:
			card = d.Views.ApprovalCopy(ctx, p, r, cr.RecipientID, pref.UserID) // the approver's, or a moved copy
		case domain.MsgGrantTask:
			card = d.Views.Grant(ctx, p, r, cr.RecipientID, "")
		case domain.CardRequestStatus:
			card = d.Views.Status(p, r)
		default:
			continue
		}
		err = d.Connector.UpdateActivity(ctx, cr.ServiceURL, cr.ConversationID, cr.ActivityID, card.Activity())
		if s := connectorStatus(err); err != nil && s != http.StatusNotFound && s != http.StatusForbidden {
			failed = errors.Join(failed, err) // 404/403: the message or chat is gone; nothing to update
		}
	}
	return failed
}
