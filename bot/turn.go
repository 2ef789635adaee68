package bot

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

// turn is one incoming activity with what the handlers need to know about its sender.
type turn struct {
	act          schema.Activity
	ref          domain.ConversationRef // as stored before this activity; zero on first contact
	firstContact bool
	lang         domain.Lang
	p            i18n.Printer
}

// invokeReply is what the bot remembers of an answered invoke, so that a retry of the same activity gets the same
// answer instead of a second effect.
type invokeReply struct {
	Status int             `json:"status"`
	Body   json.RawMessage `json:"body"`
}

const invokeActivity = "invoke"

// handle runs one authenticated activity. A returned error means nothing the caller can fix: the channel gets
// 500 and may retry, and de-duplication lets that retry through.
func (b *Bot) handle(ctx context.Context, act schema.Activity) (*response, error) {
	var dedupKey string
	if act.ID != "" {
		dedupKey = "activity:" + act.ChannelID + ":" + act.Conversation.ID + ":" + act.ID
		if act.Type == invokeActivity {
			if raw, err := b.cfg.State.Get(ctx, "reply:"+dedupKey); err == nil {
				var r invokeReply
				if json.Unmarshal(raw, &r) == nil {
					return &response{Status: r.Status, Body: r.Body}, nil
				}
			} else if !errors.Is(err, state.ErrNotFound) {
				return nil, err
			}
		}
		dup, err := state.Seen(ctx, b.cfg.State, dedupKey, b.cfg.DedupTTL)
		if err != nil {
			return nil, err
		}
		if dup {
			b.log.DebugContext(ctx, "duplicate activity ignored", slog.String("activity_id", act.ID))
			if act.Type == invokeActivity {
				// The first delivery is still being answered; Teams shows this instead of an error.
				return invokeMessage(http.StatusOK, "…"), nil
			}
			return nil, nil
		}
	}
	if over, err := b.overLimit(ctx, act); err != nil {
		return nil, err
	} else if over {
		b.log.WarnContext(ctx, "turn limit exceeded; activity dropped", slog.String("user", pseudonym(act.From.AadObjectID)))
		if act.Type == invokeActivity {
			return invokeError(http.StatusTooManyRequests, "TooManyRequests", "…"), nil
		}
		return nil, nil
	}
	resp, err := b.route(ctx, act)
	if err != nil {
		if dedupKey != "" {
			// Forget the activity so that the channel's retry is processed, not dropped.
			if derr := b.cfg.State.Delete(context.WithoutCancel(ctx), dedupKey); derr != nil {
				b.log.WarnContext(ctx, "could not clear de-duplication key", slog.String("error", derr.Error()))
			}
		}
		return nil, err
	}
	if dedupKey != "" && act.Type == invokeActivity && resp != nil {
		raw, _ := json.Marshal(invokeReply{Status: resp.Status, Body: resp.Body})
		if err := b.cfg.State.Set(ctx, "reply:"+dedupKey, raw, b.cfg.DedupTTL); err != nil {
			b.log.WarnContext(ctx, "could not remember invoke reply", slog.String("error", err.Error()))
		}
	}
	return resp, nil
}

// overLimit counts the person's activities in the current minute (in the shared state, so all replicas count
// together) and reports whether this one is over the limit.
func (b *Bot) overLimit(ctx context.Context, act schema.Activity) (bool, error) {
	aad := act.From.AadObjectID
	if aad == "" {
		return false, nil
	}
	n, err := b.cfg.State.Incr(ctx, "turns:"+aad, time.Minute)
	if err != nil {
		return false, err
	}
	return n > int64(b.cfg.TurnsPerMinute), nil
}

func (b *Bot) route(ctx context.Context, act schema.Activity) (*response, error) {
	t, err := b.begin(ctx, act)
	if err != nil {
		return nil, err
	}
	switch act.Type {
	case schema.Message:
		return nil, b.onMessage(ctx, t)
	case invokeActivity:
		return b.onInvoke(ctx, t)
	case schema.ConversationUpdate:
		return nil, b.onConversationUpdate(ctx, t)
	case "installationUpdate":
		return nil, b.onInstallationUpdate(ctx, t)
	default:
		b.log.DebugContext(ctx, "activity type not handled", slog.String("activity_type", string(act.Type)))
		return nil, nil
	}
}

// begin stores the sender's conversation reference and picks their language.
func (b *Bot) begin(ctx context.Context, act schema.Activity) (*turn, error) {
	t := &turn{act: act}
	aad := act.From.AadObjectID
	if aad != "" {
		ref, err := b.cfg.Register.ConversationRef(ctx, aad)
		switch {
		case err == nil:
			t.ref = ref
		case domain.IsCode(err, domain.ENotFound):
			t.firstContact = true
		default:
			return nil, err
		}
		if err := b.cfg.Register.UpsertConversationRef(ctx, refFrom(act)); err != nil {
			return nil, err
		}
		// Messages may be waiting for this person: they reach the bot for the first time, from a new personal chat,
		// or (re)install the app.
		newChat := isPersonal(act) && act.Conversation.ID != t.ref.ConversationID
		if b.cfg.Reachable != nil && (t.firstContact || newChat || act.Type == "installationUpdate") {
			b.cfg.Reachable(ctx, aad)
		}
	}
	t.lang = i18n.Choose(b.languageOf(ctx, aad, t.ref), act.Locale, b.cfg.Catalog.Org.DefaultLanguage)
	t.p = b.cfg.Messages.Printer(t.lang)
	return t, nil
}

// languageHintTTL is how long the language a person last wrote in counts when they have chosen none.
const languageHintTTL = 30 * 24 * time.Hour

// languageOf is the person's own language: the one they chose, else the one they last wrote a command in (a
// Finnish speaker whose Teams is in English types "hei", and the cards they then tap must stay Finnish).
func (b *Bot) languageOf(ctx context.Context, aad string, ref domain.ConversationRef) domain.Lang {
	if ref.Language.Valid() || aad == "" {
		return ref.Language
	}
	raw, err := b.cfg.State.Get(ctx, "langhint:"+aad)
	if err != nil {
		return ""
	}
	return domain.Lang(raw)
}

// writtenIn notes the language a person's command was written in, for the turns that follow, unless they have
// chosen a language themselves (the choice wins).
func (b *Bot) writtenIn(ctx context.Context, t *turn, lang domain.Lang) {
	if !lang.Valid() || t.ref.Language.Valid() {
		return
	}
	t.lang, t.p = lang, b.cfg.Messages.Printer(lang)
	if aad := t.act.From.AadObjectID; aad != "" {
		if err := b.cfg.State.Set(ctx, "langhint:"+aad, []byte(lang), languageHintTTL); err != nil {
			b.log.WarnContext(ctx, "could not remember the language", slog.String("error", err.Error()))
		}
	}
}

// refFrom extracts what proactive messages need. Only a personal conversation is worth keeping as the person's
// conversation id: group chats and channels are not where a private reminder belongs.
func refFrom(act schema.Activity) domain.ConversationRef {
	ref := domain.ConversationRef{
		AADObjectID:      act.From.AadObjectID,
		UserID:           act.From.ID,
		UserName:         act.From.Name,
		BotID:            act.Recipient.ID,
		ConversationType: act.Conversation.ConversationType,
		ServiceURL:       act.ServiceURL,
		TenantID:         tenantOf(act),
		ChannelID:        act.ChannelID,
		Locale:           act.Locale,
	}
	if isPersonal(act) {
		ref.ConversationID = act.Conversation.ID
	}
	return ref
}

func isPersonal(act schema.Activity) bool {
	ct := act.Conversation.ConversationType
	return ct == "personal" || (ct == "" && !act.Conversation.IsGroup)
}

func tenantOf(act schema.Activity) string {
	if act.Conversation.TenantID != "" {
		return act.Conversation.TenantID
	}
	if tenant, ok := act.ChannelData["tenant"].(map[string]any); ok {
		if id, ok := tenant["id"].(string); ok {
			return id
		}
	}
	return ""
}

var mentionRE = regexp.MustCompile(`(?s)<at>.*?</at>`)
var tagRE = regexp.MustCompile(`<[^>]*>`)

// normalise turns message text into a command word: mentions and markup removed, lower case, no trailing marks.
func normalise(text string) string {
	text = mentionRE.ReplaceAllString(text, " ")
	text = tagRE.ReplaceAllString(text, " ")
	text = strings.ToLower(strings.Join(strings.Fields(text), " "))
	if trimmed := strings.Trim(text, " !?.,;:"); trimmed != "" {
		return trimmed
	}
	return text // a lone "?" is a command too

}

// reply sends activities into the conversation the turn came from.
func (b *Bot) reply(ctx context.Context, t *turn, out ...schema.Activity) error {
	ctx, cancel := b.withTimeout(ctx)
	defer cancel()
	for _, a := range out {
		a.Type = schema.Message
		a.ReplyToID = t.act.ID
		a.From = t.act.Recipient
		a.Recipient = t.act.From
		a.Conversation = t.act.Conversation
		a.ChannelID = t.act.ChannelID
		a.ServiceURL = t.act.ServiceURL
		if _, err := b.cfg.Sender.SendActivity(ctx, t.act.ServiceURL, t.act.Conversation.ID, a); err != nil {
			return domain.Wrap("reply", err)
		}
	}
	return nil
}

func textActivity(s string) schema.Activity { return schema.Activity{Text: s, TextFormat: "plain"} }

func cardActivity(c *cards.Card) schema.Activity {
	return schema.Activity{
		Summary:     c.FallbackText,
		Attachments: []schema.Attachment{{ContentType: cards.ContentType, Content: c}},
	}
}

// invokeCard is the invoke response that replaces the tapped card with c for the person who tapped.
func invokeCard(c *cards.Card) *response {
	body, _ := json.Marshal(map[string]any{"statusCode": http.StatusOK, "type": cards.ContentType, "value": c})
	return &response{Status: http.StatusOK, Body: body}
}

// invokeMessage is an invoke response that shows a short text instead of changing the card.
func invokeMessage(status int, text string) *response {
	body, _ := json.Marshal(map[string]any{"statusCode": status, "type": "application/vnd.microsoft.activity.message", "value": text})
	return &response{Status: http.StatusOK, Body: body}
}

// invokeError is the Universal Actions error response: Teams shows the message on the card.
func invokeError(status int, code, message string) *response {
	body, _ := json.Marshal(map[string]any{"statusCode": status, "type": "application/vnd.microsoft.error",
		"value": map[string]string{"code": code, "message": message}})
	return &response{Status: http.StatusOK, Body: body}
}
