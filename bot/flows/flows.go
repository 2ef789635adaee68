// Package flows holds the conversations: what the bot answers to each typed command and each card verb, as one
// small handler per command or verb, registered in a table. A handler gets a Turn (the activity, who sent it, in
// which language to answer) and returns cards; it never sees HTTP, tokens or the Bot Connector, so the flows are
// tested without any of them. The Teams edge (package bot) authenticates, de-duplicates and sends the replies.
package flows

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/exporter"
	"github.com/valtuusbotti/valtuusbotti/internal/hetu"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/importer"
	"github.com/valtuusbotti/valtuusbotti/internal/language"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/support"
	"github.com/valtuusbotti/valtuusbotti/internal/views"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// Turn is one incoming activity as the flows see it.
type Turn struct {
	Activity     schema.Activity
	Ref          domain.ConversationRef // the sender's reference as stored before this activity; zero on first contact
	FirstContact bool
	Lang         domain.Lang
	P            i18n.Printer
}

// Actor is the sender's Entra object id.
func (t *Turn) Actor() string { return t.Activity.From.AadObjectID }

// Personal reports whether the turn comes from the 1:1 chat with the bot, the only place for personal and
// register data: everyone in a channel or group chat reads what the bot answers there.
func (t *Turn) Personal() bool {
	ct := t.Activity.Conversation.ConversationType
	return ct == "personal" || (ct == "" && !t.Activity.Conversation.IsGroup)
}

// Result is a turn's answer: messages to post into the conversation, and for an invoke the HTTP response body.
type Result struct {
	Replies []schema.Activity
	Invoke  *InvokeResponse
}

// Register is what the flows write besides the workflow: a person's language choice and the card a request's
// status lives in.
type Register interface {
	SetLanguage(ctx context.Context, aadObjectID string, lang domain.Lang) error
	SaveCardRef(ctx context.Context, ref domain.CardRef) error
}

// Deps are the parts the flows use.
type Deps struct {
	Workflow *workflow.Service
	// Delegations sets and ends approvers' absences (who decides for them meanwhile).
	Delegations *workflow.Delegations
	Catalog     *catalog.Catalog
	Directory   domain.Directory
	Register    Register
	Views       *views.Views
	Language    *language.Resolver
	Messages    *i18n.Bundle
	State       state.Store // remembers recent welcomes
	// Alerts and Jobs list the alerts to come (main users' "upcoming reminders"); nil Alerts leaves the command out.
	Alerts *alerts.Service
	Jobs   alerts.PendingJobs
	// Support answers free text from the FAQ and runs the hand-off to the digituki channel (support.go); nil leaves
	// free text to the "I did not understand" reply.
	Support *support.Service
	Logger  *slog.Logger
	Now     func() time.Time
	// Mandates runs what people do with a mandate after its grant (renew, let it lapse, invalidate); nil leaves
	// those verbs out.
	Mandates *workflow.Mandates
	// Reviews runs reviews of mandates (the reviewer's decisions, campaigns and their report); nil leaves those
	// commands and verbs out.
	Reviews *workflow.Reviews
	// Effects tells whether a scheduled job's effects were recorded (the joiner welcome, so the generic welcome on
	// installation is not sent as well); nil sends the generic welcome always.
	Effects EffectReader
	// Imports, Exports and Files let main users import a list they send as a file and export the city's mandate
	// list and the audit trail as files in the 1:1 chat (importfile.go, exportfile.go); any of them nil leaves files
	// out. Imports is a template: each run names its main user as the actor.
	Imports *importer.Importer
	Exports *exporter.Exporter
	Files   Files
}

// EffectReader reads job_effects (sqlstore.Register implements it).
type EffectReader interface {
	EffectDone(ctx context.Context, key string) (bool, error)
}

// verbHandler answers a card verb with the card that replaces the tapped one. It returns errBadAction for data the
// bot did not put on a card, a domain error a person can act on, or an internal failure.
type verbHandler func(ctx context.Context, t *Turn, raw json.RawMessage) (*cards.Card, error)

// commandHandler answers a typed command with a card.
type commandHandler func(ctx context.Context, t *Turn) (*cards.Card, error)

// verb is a registered card verb; public verbs may be used outside the 1:1 chat.
type verb struct {
	handle verbHandler
	public bool
}

// Flows routes turns to their handlers.
type Flows struct {
	Deps
	commands map[command]commandHandler
	verbs    map[string]verb
}

// New builds the flows with their tables.
func New(d Deps) *Flows {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	f := &Flows{Deps: d, commands: map[command]commandHandler{}, verbs: map[string]verb{}}
	f.verbs[cards.VerbSetLanguage] = verb{handle: f.setLanguageVerb, public: true}
	(&employee{f}).register()
	(&approver{f}).register()
	(&mainUser{f}).register()
	(&grantPaths{f}).register()
	(&mandateLife{f}).register()
	(&upcoming{f}).register()
	(&absence{f}).register()
	(&helpdesk{f}).register()
	(&myTeam{f}).register()
	(&leaverTask{f}).register()
	(&reviewFlow{f}).register()
	if f.filesOn() {
		(&importFiles{f}).register()
	}
	return f
}

// errBadAction is card data the bot did not write: tampering, or a card from another version.
var errBadAction = errors.New("flows: invalid card action")

// filesOn reports whether the file flows (import and export in the 1:1 chat) are assembled.
func (f *Flows) filesOn() bool { return f.Imports != nil && f.Exports != nil && f.Files != nil }

// Message answers a message activity.
func (f *Flows) Message(ctx context.Context, t *Turn) (Result, error) {
	if fd, ok := sentFile(t.Activity); ok && f.filesOn() && !hetu.Contains(t.Activity.Text) {
		return (&importFiles{f}).receive(ctx, t, fd)
	}
	reply, err := f.onMessage(ctx, t)
	if err != nil || reply == nil {
		return Result{}, err
	}
	return Result{Replies: []schema.Activity{*reply}}, nil
}

// Invoke answers an invoke activity (Action.Execute from a card).
func (f *Flows) Invoke(ctx context.Context, t *Turn) (Result, error) {
	if t.Activity.Name == FileConsentInvoke && f.filesOn() {
		return (&fileOffers{f}).consent(ctx, t)
	}
	if t.Activity.Name != "adaptiveCard/action" {
		f.Logger.DebugContext(ctx, "invoke not handled", slog.String("name", truncate(t.Activity.Name, 40)))
		// Only Universal Actions are handled: any other invoke asks for something the bot does not offer, which is
		// the sender's error, not the server's (a 5xx would also make the channel retry it).
		return Result{Invoke: &InvokeResponse{Status: http.StatusBadRequest,
			Body: []byte(`{"error":{"code":"BadRequest","message":"unsupported invoke"}}`)}}, nil
	}
	resp, err := f.onAction(ctx, t)
	if err != nil {
		return Result{}, err
	}
	return Result{Invoke: resp}, nil
}

// onAction runs the verb of an Action.Execute and turns its outcome into the invoke response.
func (f *Flows) onAction(ctx context.Context, t *Turn) (*InvokeResponse, error) {
	raw, _ := json.Marshal(t.Activity.Value)
	var v executeAction
	if err := json.Unmarshal(raw, &v); err != nil || v.Action.Type != "Action.Execute" {
		return invokeError(http.StatusBadRequest, t.P.Get("error.invalid_action")), nil
	}
	h, ok := f.verbs[v.Action.Verb]
	if !ok {
		// The verb comes from card data: log that it was unknown, never what it said.
		f.Logger.InfoContext(ctx, "unknown card verb", slog.Int("verb_length", len(v.Action.Verb)))
		return invokeError(http.StatusBadRequest, t.P.Get("error.invalid_action")), nil
	}
	if !h.public && !t.Personal() {
		return invokeError(http.StatusForbidden, t.P.Get("private.invoke")), nil
	}
	c, err := h.handle(ctx, t, v.Action.Data)
	switch {
	case err == nil:
		return invokeCard(c), nil
	case errors.Is(err, errBadAction):
		return invokeError(http.StatusBadRequest, t.P.Get("error.invalid_action")), nil
	}
	if msg, ok := userError(t.P, err); ok {
		return invokeError(statusFor(err), msg), nil
	}
	return nil, err
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

// command answers a typed command, or the reason it cannot be answered.
func (f *Flows) command(ctx context.Context, t *Turn, c command) (*schema.Activity, error) {
	if !t.Personal() {
		return f.privateChat(t), nil
	}
	card, err := f.commands[c](ctx, t)
	if err != nil {
		if msg, ok := userError(t.P, err); ok {
			return textReply(msg), nil
		}
		return nil, err
	}
	return activity(card), nil
}

// userError turns a workflow error a person can act on into their language; ok is false for internal failures.
func userError(p i18n.Printer, err error) (string, bool) {
	switch domain.ErrorCode(err) {
	case domain.EInvalid, domain.EForbidden, domain.EConflict, domain.ENotFound:
		// Rules name the refusal with a message key ("err.not_approver"); anything else is not for people to read.
		if key := domain.ErrorMessage(err); strings.Contains(key, ".") && !strings.ContainsAny(key, " :") {
			return p.Get(key), true
		}
		return p.Get("error.invalid_action"), true
	}
	return "", false
}

// errorStatus is the status an invoke error response carries for each kind of refusal; anything else is 400.
var errorStatus = map[string]int{
	domain.EForbidden: http.StatusForbidden, domain.EConflict: http.StatusConflict, domain.ENotFound: http.StatusNotFound,
}

func statusFor(err error) int {
	if s, ok := errorStatus[domain.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusBadRequest
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
