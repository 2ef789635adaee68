package flows

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

// onMessage answers typed text: a personal identity code is refused before anything else looks at the text;
// then a language choice, a command, a greeting, or a short "I did not understand".
func (f *Flows) onMessage(ctx context.Context, t *Turn) (*schema.Activity, error) {
	text := t.Activity.Text
	// The text goes nowhere: not to the database, not to the log.
	if hetu.Contains(text) {
		f.Logger.InfoContext(ctx, "message with a personal identity code refused; text discarded", slog.String("activity_id", t.Activity.ID))
		return textReply(t.P.Get("hetu.refused")), nil
	}
	if t.Activity.Value != nil && strings.TrimSpace(text) == "" {
		// Action.Submit from an old or foreign card: this bot's cards use Action.Execute only.
		return textReply(t.P.Get("error.invalid_action")), nil
	}
	cmd := normalise(text)
	if reply, done, err := (&helpdesk{f}).beforeCommands(ctx, t, cmd); done || err != nil {
		return reply, err // a hand-off's message, or a question the FAQ answers (support.go)
	}
	if lang, ok := languageCommand(cmd); ok {
		if err := f.setLanguage(ctx, t, lang); err != nil {
			return nil, err
		}
		return textReply(t.P.Get("language.changed")), nil
	}
	if ef, lang, bad, ok := parseExport(cmd); ok && f.filesOn() {
		f.writtenIn(ctx, t, lang)
		return (&fileOffers{f}).exportCommand(ctx, t, ef, bad) // exportfile.go
	}
	if c, lang := matchCommand(cmd); c != cmdNone {
		f.writtenIn(ctx, t, lang)
		return f.command(ctx, t, c)
	}
	if lang, ok := helpWords[cmd]; ok || t.FirstContact {
		f.writtenIn(ctx, t, lang)
		return f.welcome(ctx, t), nil
	}
	if f.Support != nil && t.Personal() && t.Actor() != "" {
		return (&helpdesk{f}).answer(ctx, t, text) // free text is a question (support.go)
	}
	return textReply(t.P.Get("fallback.unknown")), nil
}

// writtenIn lets the language a command was written in carry to the turns that follow.
func (f *Flows) writtenIn(ctx context.Context, t *Turn, lang domain.Lang) {
	if f.Language.WrittenIn(ctx, t.Ref, t.Actor(), lang) {
		t.Lang, t.P = lang, f.Messages.Printer(lang)
	}
}

// welcome is the welcome card in the 1:1 chat; elsewhere it would tell the whole channel the person's name and
// roles, so there the answer is the invitation to talk in private.
func (f *Flows) welcome(ctx context.Context, t *Turn) *schema.Activity {
	if !t.Personal() {
		return f.privateChat(t)
	}
	return activity(f.welcomeCard(ctx, t))
}

func (f *Flows) welcomeCard(ctx context.Context, t *Turn) *cards.Card {
	actor := t.Actor()
	in := cards.WelcomeInput{FirstName: f.firstName(ctx, t), OrgName: f.Catalog.Org.Name, Flow: true,
		MainUser: f.Catalog.Org.IsMainUser(actor)}
	if actor != "" {
		if waiting, err := f.Workflow.HasPendingApprovals(ctx, actor); err == nil && waiting {
			in.Approver = true
		}
	}
	return cards.Welcome(t.P, in)
}

// privateChat answers a personal or register command outside the 1:1 chat: nothing personal, only the way there.
func (f *Flows) privateChat(t *Turn) *schema.Activity {
	return activity(cards.PrivateChat(t.P, t.Activity.Recipient.ID))
}

// firstName greets people by the name the directory knows, or the one Teams sent.
func (f *Flows) firstName(ctx context.Context, t *Turn) string {
	name := t.Activity.From.Name
	if id := t.Actor(); id != "" {
		if u, err := f.Directory.User(ctx, id); err == nil && u.DisplayName != "" {
			name = u.DisplayName
		} else if err != nil && !domain.IsCode(err, domain.ENotFound) {
			f.Logger.WarnContext(ctx, "directory lookup failed", slog.String("error", err.Error()))
		}
	}
	if fields := strings.Fields(name); len(fields) > 0 {
		return fields[0]
	}
	return ""
}

// setLanguage stores the person's choice and answers in it from now on.
func (f *Flows) setLanguage(ctx context.Context, t *Turn, lang domain.Lang) error {
	if t.Actor() == "" {
		return domain.Errorf(domain.EInvalid, "no user id")
	}
	if err := f.Register.SetLanguage(ctx, t.Actor(), lang); err != nil {
		return err
	}
	t.Lang, t.P = lang, f.Messages.Printer(lang)
	return nil
}

// setLanguageVerb is the language buttons of the welcome card: the welcome card again, in the new language.
func (f *Flows) setLanguageVerb(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error) {
	var d cards.LanguageData
	if err := strictJSON(raw, &d); err != nil || !d.Lang.Valid() {
		return nil, domain.Errorf(domain.EInvalid, "language.invalid")
	}
	if err := f.setLanguage(ctx, t, d.Lang); err != nil {
		return nil, err
	}
	if !t.Personal() {
		return cards.PrivateChat(t.P, t.Activity.Recipient.ID), nil
	}
	return f.welcomeCard(ctx, t), nil
}

// Joined answers the bot being added to a conversation (conversationUpdate with the bot among the members added,
// or installationUpdate add): the welcome card, once, in the 1:1 chat. Installing the app makes Teams send both
// activities, and the person should see one card.
func (f *Flows) Joined(ctx context.Context, t *Turn) (Result, error) {
	if t.Actor() == "" || !t.Personal() {
		return Result{}, nil
	}
	if f.Effects != nil { // a newcomer whose joiner welcome installed the app has that welcome already
		if done, err := f.Effects.EffectDone(ctx, domain.JoinerWelcomeKey(t.Actor())); err != nil || done {
			return Result{}, err
		}
	}
	dup, err := state.Seen(ctx, f.State, "welcomed:"+t.Actor(), 10*time.Minute)
	if err != nil || dup {
		return Result{}, err
	}
	return Result{Replies: []schema.Activity{*activity(f.welcomeCard(ctx, t))}}, nil
}
