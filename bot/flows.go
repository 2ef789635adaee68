package bot

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

// Words that open the welcome card, with the language each is written in ("" when it says nothing about that).
// People greet in their own language whatever their Teams client is set to, so when someone has not chosen a
// language, a Finnish "hei" gets a Finnish answer even from an English client.
var helpWords = map[string]domain.Lang{
	"apua": domain.Finnish, "ohje": domain.Finnish, "hei": domain.Finnish, "moi": domain.Finnish,
	"moikka": domain.Finnish, "terve": domain.Finnish, "aloita": domain.Finnish, "kieli": domain.Finnish,
	"hjälp": domain.Swedish, "hej": domain.Swedish, "hejsan": domain.Swedish, "börja": domain.Swedish, "språk": domain.Swedish,
	"help": domain.English, "hello": domain.English, "hi": domain.English, "start": domain.English, "language": domain.English,
	"?": "",
}

// Phrases that choose a language.
var languageWords = map[string]domain.Lang{
	"suomi": domain.Finnish, "suomeksi": domain.Finnish, "finnish": domain.Finnish, "in finnish": domain.Finnish, "på finska": domain.Finnish, "finska": domain.Finnish,
	"svenska": domain.Swedish, "ruotsi": domain.Swedish, "ruotsiksi": domain.Swedish, "swedish": domain.Swedish, "in swedish": domain.Swedish, "på svenska": domain.Swedish,
	"english": domain.English, "englanti": domain.English, "englanniksi": domain.English, "engelska": domain.English, "in english": domain.English, "på engelska": domain.English,
}

func (b *Bot) onMessage(ctx context.Context, t *turn) error {
	text := t.act.Text
	// The guard runs before anything else looks at the text, and the text goes nowhere: not to the database,
	// not to the log.
	if hetu.Contains(text) {
		b.log.InfoContext(ctx, "message with a personal identity code refused; text discarded", slog.String("activity_id", t.act.ID))
		return b.reply(ctx, t, textActivity(t.p.Get("hetu.refused")))
	}
	if len(t.act.Value) > 0 && strings.TrimSpace(text) == "" {
		// Action.Submit from an old or foreign card: this bot's cards use Action.Execute only.
		return b.reply(ctx, t, textActivity(t.p.Get("error.invalid_action")))
	}
	cmd := normalise(text)
	if lang, ok := languageCommand(cmd); ok {
		return b.setLanguage(ctx, t, lang, false)
	}
	if c, lang := matchCommand(cmd); c != cmdNone && b.cfg.Workflow != nil {
		b.writtenIn(ctx, t, lang)
		return b.onCommand(ctx, t, c)
	}
	if lang, ok := helpWords[cmd]; ok || t.firstContact {
		b.writtenIn(ctx, t, lang)
		return b.sendWelcome(ctx, t)
	}
	return b.reply(ctx, t, textActivity(t.p.Get("fallback.unknown")))
}

// languageCommand understands "svenska", "kieli ruotsi", "language: english" and the like.
func languageCommand(cmd string) (domain.Lang, bool) {
	if l, ok := languageWords[cmd]; ok {
		return l, true
	}
	for _, prefix := range []string{"kieli", "språk", "language", "lang"} {
		if rest, ok := strings.CutPrefix(cmd, prefix); ok {
			rest = strings.Trim(rest, " :=")
			if l, ok := languageWords[rest]; ok {
				return l, true
			}
			if l := domain.Lang(rest); l.Valid() {
				return l, true
			}
		}
	}
	return "", false
}

func (b *Bot) welcomeCard(ctx context.Context, t *turn, p i18n.Printer) *cards.Card {
	in := cards.WelcomeInput{FirstName: b.firstName(ctx, t), OrgName: b.cfg.Catalog.Org.Name,
		Flow: b.cfg.Workflow != nil, MainUser: b.cfg.Catalog.Org.IsMainUser(t.act.From.AadObjectID)}
	if b.cfg.Workflow != nil && t.act.From.AadObjectID != "" {
		if waiting, err := b.cfg.Workflow.PendingApprovals(ctx, t.act.From.AadObjectID); err == nil && len(waiting) > 0 {
			in.Approver = true
		}
	}
	return cards.Welcome(p, in)
}

// firstName greets people by the name the directory knows, or the one Teams sent.
func (b *Bot) firstName(ctx context.Context, t *turn) string {
	name := t.act.From.Name
	if id := t.act.From.AadObjectID; id != "" {
		if u, err := b.cfg.Directory.User(ctx, id); err == nil && u.DisplayName != "" {
			name = u.DisplayName
		} else if err != nil && !domain.IsCode(err, domain.ENotFound) {
			b.log.WarnContext(ctx, "directory lookup failed", slog.String("error", err.Error()))
		}
	}
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

func (b *Bot) sendWelcome(ctx context.Context, t *turn) error {
	return b.reply(ctx, t, cardActivity(b.welcomeCard(ctx, t, t.p)))
}

// setLanguage stores the person's choice. From a card (viaCard) the answer is the welcome card again in the new
// language; from a typed command it is a short confirmation.
func (b *Bot) setLanguage(ctx context.Context, t *turn, lang domain.Lang, viaCard bool) error {
	if t.act.From.AadObjectID == "" {
		return domain.Errorf(domain.EInvalid, "no user id")
	}
	if err := b.cfg.Register.SetLanguage(ctx, t.act.From.AadObjectID, lang); err != nil {
		return err
	}
	t.lang = lang
	t.p = b.cfg.Messages.Printer(lang)
	if viaCard {
		return nil
	}
	return b.reply(ctx, t, textActivity(t.p.Get("language.changed")))
}

// welcomeOnce sends the welcome card unless it was sent moments ago: installing the app makes Teams send both an
// installationUpdate and a conversationUpdate, and the person should see one card.
func (b *Bot) welcomeOnce(ctx context.Context, t *turn) error {
	if t.act.From.AadObjectID == "" || !isPersonal(t.act) {
		return nil
	}
	dup, err := state.Seen(ctx, b.cfg.State, "welcomed:"+t.act.From.AadObjectID, 10*time.Minute)
	if err != nil || dup {
		return err
	}
	return b.sendWelcome(ctx, t)
}

func (b *Bot) onConversationUpdate(ctx context.Context, t *turn) error {
	for _, m := range t.act.MembersAdded {
		if m.ID == t.act.Recipient.ID {
			return b.welcomeOnce(ctx, t)
		}
	}
	return nil
}

func (b *Bot) onInstallationUpdate(ctx context.Context, t *turn) error {
	switch t.act.Action {
	case "add", "add-upgrade":
		return b.welcomeOnce(ctx, t)
	case "remove", "remove-upgrade":
		b.log.InfoContext(ctx, "app removed by a user", slog.String("user", pseudonym(t.act.From.AadObjectID)),
			slog.String("conversation_type", t.act.Conversation.ConversationType))
	}
	return nil
}

// executeAction is the value of an adaptiveCard/action invoke.
type executeAction struct {
	Action struct {
		Type string          `json:"type"`
		Verb string          `json:"verb"`
		Data json.RawMessage `json:"data"`
	} `json:"action"`
	Trigger string `json:"trigger"`
}

func (b *Bot) onInvoke(ctx context.Context, t *turn) (*response, error) {
	if t.act.Name != "adaptiveCard/action" {
		b.log.DebugContext(ctx, "invoke not handled", slog.String("name", t.act.Name))
		return &response{Status: http.StatusNotImplemented, Body: []byte(`{}`)}, nil
	}
	raw, _ := json.Marshal(t.act.Value)
	var v executeAction
	if err := json.Unmarshal(raw, &v); err != nil || v.Action.Type != "Action.Execute" {
		return invokeError(http.StatusBadRequest, "BadRequest", t.p.Get("error.invalid_action")), nil
	}
	switch v.Action.Verb {
	case cards.VerbSetLanguage:
		var d cards.LanguageData
		if err := strictJSON(v.Action.Data, &d); err != nil || !d.Lang.Valid() {
			return invokeError(http.StatusBadRequest, "BadRequest", t.p.Get("language.invalid")), nil
		}
		if err := b.setLanguage(ctx, t, d.Lang, true); err != nil {
			return nil, err
		}
		return invokeCard(b.welcomeCard(ctx, t, t.p)), nil
	default:
		if resp, ok, err := b.onMandateVerb(ctx, t, v.Action.Verb, v.Action.Data); ok || err != nil {
			return resp, err
		}
		b.log.InfoContext(ctx, "unknown card verb", slog.String("verb", truncate(v.Action.Verb, 40)))
		return invokeError(http.StatusBadRequest, "BadRequest", t.p.Get("error.invalid_action")), nil
	}
}

// strictJSON decodes card data refusing unknown fields: data the bot did not put on a card is tampering or an old card.
func strictJSON(raw json.RawMessage, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
