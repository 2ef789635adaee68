package connector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/wait"
)

// DefaultScope is the OAuth scope of tokens for the Bot Connector service.
const DefaultScope = "https://api.botframework.com/.default"

// Config configures a Client. The zero value of every field means its default.
type Config struct {
	// Credential issues the bot's access tokens. nil sends no Authorization header: the
	// local anonymous mode against the Agents Playground.
	Credential azcore.TokenCredential
	// Scope of the tokens; default DefaultScope.
	Scope string
	// HTTPClient is reused for all calls; default a client with a tuned transport (see
	// newTransport). A given client is copied, never changed: the copy follows no redirects,
	// and gets the tuned transport when it has none of its own.
	HTTPClient *http.Client
	// CallTimeout bounds one HTTP attempt and one token fetch; default 15s. The caller's
	// ctx bounds the whole call including retries and throttling waits.
	CallTimeout time.Duration
	// MaxAttempts is the number of HTTP attempts per call; default 5.
	MaxAttempts int
	// BaseBackoff and MaxBackoff shape the retry delays: attempt n waits a random time in
	// [0, min(MaxBackoff, BaseBackoff·2^(n-1))], or Retry-After capped by MaxBackoff.
	// Defaults 500ms and 30s.
	BaseBackoff, MaxBackoff time.Duration
	// Limits is the client-side throttling; zero means DefaultRateLimits.
	Limits RateLimits
	// Now and Sleep are the clock; defaults time.Now and a timer that honours ctx.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	// Logger receives one line per attempt; default discards.
	Logger *slog.Logger
	// Observe, when set, is told of every HTTP attempt: the operation and the status (0 when no answer came).
	Observe func(op string, status int)
	// Retried, when set, is told of every retry ("retry") and of every 429 handed back to a caller that may not
	// wait ("throttled").
	Retried func(op, what string)
	// Tenant is the tenant whose budget a call spends when its context names none (WithTenant): the bot's own.
	Tenant string
	// CardData are keys added to the data of every action in the Adaptive Cards sent (stampActivity): the
	// organisation a card is from, when one bot serves several.
	CardData map[string]string
}

// Client calls the Bot Connector REST API. It is safe for concurrent use.
type Client struct {
	cfg     Config
	tokens  *tokenSource // nil in anonymous mode
	limiter *limiter     // nil when throttling is disabled
	log     *slog.Logger
}

// ConversationResource is the answer to a conversation creation.
type ConversationResource struct {
	ID         string // conversation id to send to
	ActivityID string // id of the first message, when one was sent with the creation
	ServiceURL string // serviceUrl for the new conversation
}

// New returns a Client for cfg.
func New(cfg Config) *Client {
	if cfg.Scope == "" {
		cfg.Scope = DefaultScope
	}
	cfg.HTTPClient = httpClient(cfg.HTTPClient)
	cfg.CallTimeout = wait.Or(cfg.CallTimeout, 15*time.Second)
	cfg.MaxAttempts = wait.Or(cfg.MaxAttempts, 5)
	cfg.BaseBackoff = wait.Or(cfg.BaseBackoff, 500*time.Millisecond)
	cfg.MaxBackoff = wait.Or(cfg.MaxBackoff, 30*time.Second)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = wait.Sleep
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{cfg: cfg, limiter: newLimiter(cfg.Limits, cfg.Tenant, cfg.Logger), log: cfg.Logger}
	if cfg.Credential != nil {
		c.tokens = &tokenSource{cred: cfg.Credential, scope: cfg.Scope, now: cfg.Now, timeout: cfg.CallTimeout}
	}
	return c
}

// httpClient is the client the connector uses: a copy of c (nil: a zero client) that follows
// no redirect, so a 3xx can never carry the activity and the bot's token to another
// location (attempt turns it into ErrRedirect), on the tuned transport when c has none.
func httpClient(c *http.Client) *http.Client {
	var out http.Client
	if c != nil {
		out = *c
	}
	if out.Transport == nil {
		out.Transport = newTransport()
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}

// newTransport is Go's default transport (proxy from the environment, dial timeout and TCP
// keep-alive of 30 s, HTTP/2) with a pool sized for many concurrent sends to the few
// connector hosts and bounds on the TLS handshake and the wait for response headers.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	t.TLSHandshakeTimeout = 10 * time.Second
	t.ResponseHeaderTimeout = 30 * time.Second
	t.ExpectContinueTimeout = time.Second
	return t
}

// SendActivity posts a to the conversation (POST /v3/conversations/{id}/activities) and
// returns the new activity's id, which UpdateActivity needs later. An empty a.Type is sent
// as "message". The id is empty if the service answered 2xx without one.
func (c *Client) SendActivity(ctx context.Context, serviceURL, conversationID string, a schema.Activity) (string, error) {
	const op = "SendActivity"
	if conversationID == "" {
		return "", opErr(op, errors.New("empty conversation id"))
	}
	return c.postActivity(ctx, op, serviceURL, conversationID, a, "v3", "conversations", conversationID, "activities")
}

// ReplyToActivity posts a as a reply to activity replyToID
// (POST /v3/conversations/{id}/activities/{replyToId}) and returns the new activity's id.
func (c *Client) ReplyToActivity(ctx context.Context, serviceURL, conversationID, replyToID string, a schema.Activity) (string, error) {
	const op = "ReplyToActivity"
	if conversationID == "" || replyToID == "" {
		return "", opErr(op, errors.New("empty conversation or reply-to id"))
	}
	if a.ReplyToID == "" {
		a.ReplyToID = replyToID
	}
	return c.postActivity(ctx, op, serviceURL, conversationID, a, "v3", "conversations", conversationID, "activities", replyToID)
}

// ReplyInThread posts a into the channel thread whose root message is rootMessageID
// (POST /v3/conversations/{conv};messageid={root}/activities) and returns the new
// activity's id. threadConversationID may already carry the ";messageid=" suffix, as the id
// CreateChannelThread returns from Teams does; then rootMessageID is not appended again.
func (c *Client) ReplyInThread(ctx context.Context, serviceURL, threadConversationID, rootMessageID string, a schema.Activity) (string, error) {
	const op = "ReplyInThread"
	if threadConversationID == "" {
		return "", opErr(op, errors.New("empty conversation id"))
	}
	conv := threadConversationID
	if !strings.Contains(conv, ";messageid=") {
		if rootMessageID == "" {
			return "", opErr(op, errors.New("empty root message id"))
		}
		conv += ";messageid=" + rootMessageID
	}
	return c.postActivity(ctx, op, serviceURL, conv, a, "v3", "conversations", conv, "activities")
}

func (c *Client) postActivity(ctx context.Context, op, serviceURL, conversationID string, a schema.Activity, segments ...string) (string, error) {
	u, err := endpoint(serviceURL, segments...)
	if err != nil {
		return "", opErr(op, err)
	}
	if a.Type == "" {
		a.Type = schema.Message
	}
	body, err := MarshalActivity(stampActivity(a, c.cfg.CardData))
	if err != nil {
		return "", opErr(op, fmt.Errorf("encode activity: %w", err))
	}
	var res schema.ResourceResponse
	err = c.do(ctx, call{op: op, method: http.MethodPost, url: u, body: body, convKey: conversationKey(conversationID)}, &res)
	return res.ID, err
}

// UpdateActivity replaces activity activityID with a
// (PUT /v3/conversations/{id}/activities/{activityId}), e.g. to take the buttons off a
// decided card. An empty a.ID is set to activityID, an empty a.Type to "message".
func (c *Client) UpdateActivity(ctx context.Context, serviceURL, conversationID, activityID string, a schema.Activity) error {
	const op = "UpdateActivity"
	u, err := activityEndpoint(op, serviceURL, conversationID, activityID)
	if err != nil {
		return err
	}
	if a.ID == "" {
		a.ID = activityID
	}
	if a.Type == "" {
		a.Type = schema.Message
	}
	body, err := MarshalActivity(stampActivity(a, c.cfg.CardData))
	if err != nil {
		return opErr(op, fmt.Errorf("encode activity: %w", err))
	}
	return c.do(ctx, call{op: op, method: http.MethodPut, url: u, body: body, convKey: conversationKey(conversationID)}, nil)
}

// DeleteActivity deletes activity activityID
// (DELETE /v3/conversations/{id}/activities/{activityId}).
func (c *Client) DeleteActivity(ctx context.Context, serviceURL, conversationID, activityID string) error {
	const op = "DeleteActivity"
	u, err := activityEndpoint(op, serviceURL, conversationID, activityID)
	if err != nil {
		return err
	}
	return c.do(ctx, call{op: op, method: http.MethodDelete, url: u, convKey: conversationKey(conversationID)}, nil)
}

// activityEndpoint is the URL of one existing activity, /v3/conversations/{id}/activities/{activityId}.
func activityEndpoint(op, serviceURL, conversationID, activityID string) (*url.URL, error) {
	if conversationID == "" || activityID == "" {
		return nil, opErr(op, errors.New("empty conversation or activity id"))
	}
	u, err := endpoint(serviceURL, "v3", "conversations", conversationID, "activities", activityID)
	if err != nil {
		return nil, opErr(op, err)
	}
	return u, nil
}

// CreateConversation opens a conversation (POST /v3/conversations). For a proactive 1:1
// chat pass Bot, Members: [{ID: the user's 29: id or Entra object id}] and TenantID;
// channelData.tenant.id is filled from TenantID when missing. p.Activity, when not zero,
// is sent as the first message (an empty Type becomes "message").
func (c *Client) CreateConversation(ctx context.Context, serviceURL string, p schema.ConversationParameters) (ConversationResource, error) {
	const op = "CreateConversation"
	if p.TenantID != "" && p.ChannelData["tenant"] == nil {
		cd := maps.Clone(p.ChannelData)
		if cd == nil {
			cd = make(map[string]any)
		}
		cd["tenant"] = map[string]any{"id": p.TenantID}
		p.ChannelData = cd
	}
	return c.createConversation(ctx, op, serviceURL, p)
}

// CreateChannelThread starts a new thread in Teams channel channelID (19:…@thread.tacv2)
// with a as its root message (POST /v3/conversations with isGroup and
// channelData.channel.id). The result's ID, with ActivityID as root, is what ReplyInThread
// takes.
func (c *Client) CreateChannelThread(ctx context.Context, serviceURL, tenantID, channelID string, a schema.Activity) (ConversationResource, error) {
	const op = "CreateChannelThread"
	if channelID == "" {
		return ConversationResource{}, opErr(op, errors.New("empty channel id"))
	}
	cd := map[string]any{"channel": map[string]any{"id": channelID}}
	if tenantID != "" {
		cd["tenant"] = map[string]any{"id": tenantID}
	}
	p := schema.ConversationParameters{IsGroup: true, TenantID: tenantID, ChannelData: cd, Activity: a}
	if p.Activity.Type == "" {
		p.Activity.Type = schema.Message
	}
	return c.createConversation(ctx, op, serviceURL, p)
}

func (c *Client) createConversation(ctx context.Context, op, serviceURL string, p schema.ConversationParameters) (ConversationResource, error) {
	u, err := endpoint(serviceURL, "v3", "conversations")
	if err != nil {
		return ConversationResource{}, opErr(op, err)
	}
	if p.Activity.Type == "" && !reflect.ValueOf(p.Activity).IsZero() {
		p.Activity.Type = schema.Message
	}
	p.Activity = stampActivity(p.Activity, c.cfg.CardData)
	body, err := Marshal(p)
	if err != nil {
		return ConversationResource{}, opErr(op, fmt.Errorf("encode parameters: %w", err))
	}
	var res schema.ConversationResourceResponse
	// A conversation that does not exist yet has no per-conversation budget to spend.
	if err := c.do(ctx, call{op: op, method: http.MethodPost, url: u, body: body}, &res); err != nil {
		return ConversationResource{}, err
	}
	if res.ServiceURL == "" {
		res.ServiceURL = serviceURL
	}
	return ConversationResource{ID: res.ID, ActivityID: res.ActivityID, ServiceURL: res.ServiceURL}, nil
}

// endpoint joins serviceURL (with or without a trailing slash or a path such as /emea/)
// and path segments, each escaped on its own: conversation ids hold ':', '@' and ';'.
func endpoint(serviceURL string, segments ...string) (*url.URL, error) {
	base, err := url.Parse(serviceURL)
	if err != nil {
		return nil, fmt.Errorf("invalid serviceUrl: %w", err)
	}
	if (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("invalid serviceUrl %q: want an absolute http(s) URL", serviceURL)
	}
	raw := strings.TrimRight(base.EscapedPath(), "/")
	for _, s := range segments {
		raw += "/" + url.PathEscape(s)
	}
	p, err := url.PathUnescape(raw)
	if err != nil {
		return nil, fmt.Errorf("invalid serviceUrl path: %w", err)
	}
	return &url.URL{Scheme: base.Scheme, Host: base.Host, Path: p, RawPath: raw}, nil
}

// tokenAllowed reports whether a bearer token may be sent to u: over https, or over plain
// http only to a loopback host (tests, local tools).
func tokenAllowed(u *url.URL) bool {
	if u.Scheme == "https" {
		return true
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
