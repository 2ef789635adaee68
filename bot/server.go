package bot

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/core"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/bot/flows"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/language"
	"github.com/valtuusbotti/valtuusbotti/internal/logctx"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

// Register keeps people's conversation references, so proactive messages can reach them.
type Register interface {
	domain.Refs
	// RememberConversationRef stores ref (see sqlstore.People.UpsertConversationRef) and reports whether
	// messages wait for the person.
	RememberConversationRef(ctx context.Context, ref domain.ConversationRef) (waiting bool, err error)
}

// Sender posts activities through the Bot Connector service.
type Sender interface {
	SendActivity(ctx context.Context, serviceURL, conversationID string, a schema.Activity) (string, error)
}

// Config wires a Bot.
type Config struct {
	// AppID is the bot's Entra app id. Empty means local anonymous mode: no token is checked, which the
	// configuration allows only on a loopback listener, and replies may only go to loopback service URLs.
	AppID     string
	Validator auth.TokenValidator // required unless AppID is empty
	// TenantID, when set, is the only Entra tenant whose activities are served: the bot belongs to one city, and
	// its people, approvals and register must not be reachable from another tenant that installed the app.
	TenantID string

	Register Register
	State    state.Store
	Sender   Sender
	Flows    *flows.Flows       // the conversations
	Language *language.Resolver // which language each person is answered in
	Messages *i18n.Bundle
	// Reachable, when set, is told when messages may wait for a person the bot can now reach (it stored their
	// reference and messages wait, or they installed the app again), so that those messages go out now.
	Reachable func(ctx context.Context, aadObjectID string)
	// Channels, when set, keeps the reference of every channel the bot hears from (channels.go).
	Channels ChannelRegister

	Logger       *slog.Logger
	Now          func() time.Time
	MaxBodyBytes int64         // default 256 KiB
	DedupTTL     time.Duration // how long an activity id is remembered; default 1 h (Teams retries within minutes)
	ReplyTimeout time.Duration // bound on sending replies within a turn; default 10 s
	// TurnsPerMinute caps how many activities one person may send in a minute (a stuck client, a script); the
	// excess is acknowledged and dropped. Default 60.
	TurnsPerMinute int
	// Observe, when set, is told of every activity answered: its type, the HTTP status and how long it took; and
	// Refused of every activity refused before its turn, with the refusal's fixed reason (metrics).
	Observe func(activityType string, status int, d time.Duration)
	Refused func(reason string)
	// Unavailable, when set, is told of every turn that failed because a dependency (the database, Microsoft
	// Graph) was unavailable, whose person was asked to try again.
	Unavailable func()

	// Queue, when set, takes the replies Teams' limits hold back longer than ReplyWait (default 50 ms); without it
	// a reply waits for its slot up to ReplyTimeout. Throttled, when set, is told how many replies went to it.
	Queue     ReplyQueue
	ReplyWait time.Duration
	Throttled func(n int)

	// TypingAfter is how long a message's turn may take before the person is shown the typing indicator; default
	// 1.5 s, negative: never. Delay runs f after d unless stopped first, and stop reports whether it stopped f
	// (default time.AfterFunc; tests fire it themselves).
	TypingAfter time.Duration
	Delay       func(d time.Duration, f func()) (stop func() bool)
}

// Bot handles Bot Framework activities. It is safe for concurrent use.
type Bot struct {
	cfg     Config
	adapter *core.BotFrameworkAdapter
	log     *slog.Logger
}

// New checks the configuration and builds the bot.
func New(cfg Config) (*Bot, error) {
	if cfg.AppID != "" && cfg.Validator == nil {
		return nil, errors.New("bot: a token validator is required when an app id is set")
	}
	if cfg.Register == nil || cfg.State == nil || cfg.Flows == nil || cfg.Language == nil || cfg.Messages == nil || cfg.Sender == nil {
		return nil, errors.New("bot: register, state, flows, language, messages and sender are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 256 << 10
	}
	if cfg.DedupTTL <= 0 {
		cfg.DedupTTL = time.Hour
	}
	if cfg.ReplyTimeout <= 0 {
		cfg.ReplyTimeout = 10 * time.Second
	}
	if cfg.TypingAfter == 0 {
		cfg.TypingAfter = 1500 * time.Millisecond
	}
	if cfg.Delay == nil {
		cfg.Delay = func(d time.Duration, f func()) func() bool { return time.AfterFunc(d, f).Stop }
	}
	if cfg.ReplyWait <= 0 {
		cfg.ReplyWait = 50 * time.Millisecond
	}
	if cfg.TurnsPerMinute <= 0 {
		cfg.TurnsPerMinute = 60
	}
	b := &Bot{cfg: cfg, log: cfg.Logger}
	if cfg.AppID != "" {
		// msbotbuilder-go's adapter carries the settings and our validator; its own validator and connector client
		// are not used (see platform.md for why).
		b.adapter = &core.BotFrameworkAdapter{
			AdapterSetting: core.AdapterSetting{
				AppID:              cfg.AppID,
				CredentialProvider: auth.SimpleCredentialProvider{AppID: cfg.AppID},
			},
			TokenValidator: cfg.Validator,
		}
	}
	return b, nil
}

// Anonymous reports whether the bot runs without checking tokens (local mode).
func (b *Bot) Anonymous() bool { return b.cfg.AppID == "" }

// ServeHTTP handles POST /api/messages.
func (b *Bot) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := b.cfg.Now()
	if r.Method == http.MethodHead {
		// The Agents Playground probes the endpoint with HEAD before it posts anything.
		w.WriteHeader(http.StatusOK)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, http.StatusMethodNotAllowed, "only POST is accepted")
		return
	}
	// Every line logged about this activity, by any component, carries its turn id (logctx.Handler).
	r = r.WithContext(logctx.With(r.Context(), slog.String("turn_id", newTurnID())))
	ctx := r.Context()
	act, he := b.readActivity(w, r)
	if he != nil {
		if b.cfg.Refused != nil {
			b.cfg.Refused(he.msg)
		}
		b.refuse(w, r, he)
		return
	}
	status := http.StatusOK
	if b.cfg.Observe != nil {
		defer func() { b.cfg.Observe(string(act.Type), status, b.cfg.Now().Sub(start)) }()
	}
	resp, err := b.handle(ctx, act)
	attrs := []slog.Attr{
		slog.String("activity_type", string(act.Type)),
		slog.String("activity_id", act.ID),
		slog.String("conversation_type", act.Conversation.ConversationType),
		slog.String("user", domain.Pseudonym(act.From.AadObjectID)),
		slog.Duration("duration", b.cfg.Now().Sub(start)),
	}
	var refused *httpError
	if errors.As(err, &refused) {
		// The turn found that the activity cannot be answered (say, its conversation does not exist), or another
		// replica is handling it (errInProgress: come back later).
		if refused.status == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "5")
		}
		status = refused.status
		b.refuse(w, r, refused, attrs...)
		return
	}
	if err != nil {
		b.log.LogAttrs(ctx, slog.LevelError, "turn failed", append(attrs, slog.String("error", err.Error()))...)
		status = http.StatusInternalServerError
		writeError(w, status, "internal error")
		return
	}
	b.log.LogAttrs(ctx, slog.LevelDebug, "turn done", attrs...)
	if resp == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	status = resp.Status
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// newTurnID is a short random id that ties together the log lines of one turn (not a secret: no crypto needed).
func newTurnID() string {
	return strconv.FormatUint(rand.Uint64(), 16)
}

// refuse answers an activity the caller must fix with its status and what is wrong, in the Bot Framework's error
// shape, and logs it with the detail the caller does not see.
func (b *Bot) refuse(w http.ResponseWriter, r *http.Request, he *httpError, attrs ...slog.Attr) {
	attrs = append(attrs, slog.Int("status", he.status), slog.String("reason", he.msg))
	if he.detail != "" {
		attrs = append(attrs, slog.String("detail", he.detail))
	}
	b.log.LogAttrs(r.Context(), levelFor(he.status), "activity refused", attrs...)
	writeError(w, he.status, he.msg)
}

// writeError writes {"error":{"code","message"}}, the shape of the Bot Framework's own error answers.
func writeError(w http.ResponseWriter, status int, msg string) {
	code := strings.ReplaceAll(http.StatusText(status), " ", "")
	writeJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelWarn
}

// Authenticate checks an activity's token (and tenant) as a turn does, for a router in front of several bots that
// must know who is asking before it answers for them (app.Deployment); nil in the anonymous mode.
func (b *Bot) Authenticate(ctx context.Context, act schema.Activity, authHeader string) error {
	if b.Anonymous() {
		return nil
	}
	if strings.TrimSpace(authHeader) == "" {
		return errors.New("no Authorization header")
	}
	if _, err := b.adapter.TokenValidator.AuthenticateRequest(ctx, act, authHeader, b.adapter.CredentialProvider, b.adapter.ChannelService); err != nil {
		return err
	}
	if b.cfg.TenantID != "" && !strings.EqualFold(tenantOf(act), b.cfg.TenantID) {
		return errOtherTenant
	}
	return nil
}

// errOtherTenant refuses an activity whose token is good but whose tenant is not the bot's.
var errOtherTenant = errors.New("activity from another tenant")

// Reply sends activities into the conversation in came from, as a turn's replies go (the router's own answers).
func (b *Bot) Reply(ctx context.Context, in schema.Activity, out ...schema.Activity) error {
	return b.reply(ctx, in, out)
}
