package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// Demo people (docs/demo-people.md).
const (
	elina   = "7c1e4a52-0000-4000-8000-000000000001"
	helena  = "7c1e4a52-0000-4000-8000-000000000003"
	mikael  = "7c1e4a52-0000-4000-8000-000000000004"
	tenant  = "d3b0c0de-0000-4000-8000-000000000000"
	botName = "28:" + fakeidp.DefaultAppID
)

// staticCredential stands in for azidentity: the connector only needs some token.
type staticCredential struct{ calls atomic.Int32 }

func (c *staticCredential) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	c.calls.Add(1)
	return azcore.AccessToken{Token: "outbound-token", ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// syncBuffer collects log output from concurrent handlers.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is the real service on 127.0.0.1:0 with a fake identity provider and a fake Bot Connector.
type harness struct {
	t      testing.TB
	idp    *fakeidp.Server
	conn   *fakeconnector.Server
	app    *app.App
	url    string
	logs   *syncBuffer
	dbPath string
	seq    atomic.Int64
	stop   func() // shuts the service down (also done at cleanup)
	clock  *clock.Running
	runID  string
}

type option func(env map[string]string, o *app.Options)

// withoutRateLimits lets benchmarks measure the bot rather than Teams' per-conversation limits or the per-person
// turn limit.
func withoutRateLimits(_ map[string]string, o *app.Options) {
	o.RateLimits.Disabled = true
	o.TurnsPerMinute = 1 << 30
}

func newHarness(t testing.TB, opts ...option) *harness {
	t.Helper()
	h := &harness{t: t, idp: fakeidp.New(t), conn: fakeconnector.New(t), logs: &syncBuffer{}, runID: strconv.FormatInt(time.Now().UnixNano(), 36),
		clock: clock.NewRunning(time.Time{})}
	h.idp.Now = h.clock.Now // tokens are issued on the service's clock, whatever today's date is
	h.dbPath = filepath.Join(t.TempDir(), "bot.db")
	return h.start(opts...)
}

// withDB points the service at an existing database file (a restart).
func withDB(path string) option {
	return func(env map[string]string, _ *app.Options) { env["VALTUUS_DATABASE_URL"] = "sqlite:" + path }
}

// start boots the service for h; a test may call it again (with withDB) to restart on the same database.
func (h *harness) start(opts ...option) *harness {
	t := h.t
	env := map[string]string{
		"VALTUUS_BOT_APP_ID":          fakeidp.DefaultAppID,
		"VALTUUS_BOT_TENANT_ID":       tenant,
		"VALTUUS_CLIENT_SECRET":       "not-used-the-test-injects-a-credential",
		"VALTUUS_OPENID_METADATA_URL": h.idp.MetadataURL,
		"VALTUUS_DATABASE_URL":        "sqlite:" + h.dbPath,
		"VALTUUS_LOG_LEVEL":           "debug",
		"VALTUUS_LOG_FORMAT":          "json",
		"VALTUUS_REDIS_PREFIX":        "valtuusbotti-test-" + h.runID + ":", // runs sharing a Redis never see each other's keys
	}
	aopts := app.Options{
		Logger:     slog.New(slog.NewJSONHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Credential: &staticCredential{},
		Now:        h.clock.Now,
	}
	for _, o := range opts {
		o(env, &aopts)
	}
	cfg, err := config.FromEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := app.New(ctx, cfg, aopts)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Serve(ctx, l) }()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
				t.Errorf("serve: %v", err)
			}
			a.Close()
		})
	}
	t.Cleanup(h.stop)
	h.app = a
	h.url = "http://" + l.Addr().String()
	return h
}

// activity builds a Teams-shaped activity from a demo person in their personal chat with the bot.
func (h *harness) activity(typ, user, locale, text string) map[string]any {
	n := h.seq.Add(1)
	return map[string]any{
		"type":       typ,
		"id":         fmt.Sprintf("%s%06d", h.runID, n), // unique across runs: a real Redis remembers ids for an hour
		"timestamp":  "2026-11-25T08:00:00.000Z",
		"serviceUrl": h.conn.URL,
		"channelId":  "msteams",
		"from":       map[string]any{"id": "29:" + user, "name": "Teams User", "aadObjectId": user},
		"conversation": map[string]any{"id": "a:personal-" + user, "conversationType": "personal",
			"tenantId": tenant},
		"recipient":   map[string]any{"id": botName, "name": "Valtuusbotti"},
		"locale":      locale,
		"text":        text,
		"channelData": map[string]any{"tenant": map[string]any{"id": tenant}},
	}
}

// post sends an activity with the given Authorization header and returns status and body.
func (h *harness) post(act any, auth string) (int, []byte) {
	h.t.Helper()
	var body []byte
	switch v := act.(type) {
	case []byte:
		body = v
	case string:
		body = []byte(v)
	default:
		var err error
		if body, err = json.Marshal(v); err != nil {
			h.t.Fatal(err)
		}
	}
	req, err := http.NewRequest(http.MethodPost, h.url+"/api/messages", bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// token is a valid Bot Framework token for activities whose serviceUrl is the fake connector.
func (h *harness) token(o fakeidp.TokenOptions) string {
	if o.ServiceURL == "" {
		o.ServiceURL = h.conn.URL
	}
	return h.idp.AuthHeader(o)
}

// send posts an authenticated activity and requires 200.
func (h *harness) send(act map[string]any) []byte {
	h.t.Helper()
	status, body := h.post(act, h.token(fakeidp.TokenOptions{}))
	if status != http.StatusOK {
		h.t.Fatalf("status %d: %s", status, body)
	}
	return body
}

// card returns the Adaptive Card attached to a sent activity.
func card(t testing.TB, c fakeconnector.Call) map[string]any {
	t.Helper()
	if len(c.Activity.Attachments) != 1 || c.Activity.Attachments[0].ContentType != "application/vnd.microsoft.card.adaptive" {
		t.Fatalf("expected one adaptive card, got %s", c.Raw)
	}
	raw, _ := json.Marshal(c.Activity.Attachments[0].Content)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func cardText(m map[string]any) string {
	raw, _ := json.Marshal(m)
	return string(raw)
}

func contains(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
