package connector_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeredirect"
)

// fakeClock is a manual clock whose Sleep advances time instead of waiting.
type fakeClock struct {
	*clock.Manual

	mu      sync.Mutex
	sleeps  []time.Duration
	onSleep func(n int) error // called with the sleep count (1-based) before advancing
}

func newClock() *fakeClock {
	return &fakeClock{Manual: clock.NewManual(time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC))}
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.sleeps = append(c.sleeps, d)
	n, hook := len(c.sleeps), c.onSleep
	c.mu.Unlock()
	if hook != nil {
		if err := hook(n); err != nil {
			return err
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	return nil
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// fakeCredential issues tokens "tok-1", "tok-2", … valid for ttl from now().
type fakeCredential struct {
	now func() time.Time
	ttl time.Duration

	mu     sync.Mutex
	calls  int
	failAt map[int]error // call number → error
	scopes []string
}

func (f *fakeCredential) GetToken(ctx context.Context, opts policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.scopes = opts.Scopes
	if err := f.failAt[f.calls]; err != nil {
		return azcore.AccessToken{}, err
	}
	return azcore.AccessToken{Token: fmt.Sprintf("tok-%d", f.calls), ExpiresOn: f.now().Add(f.ttl)}, nil
}

func (f *fakeCredential) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

type setup struct {
	srv   *fakeconnector.Server
	clock *fakeClock
	cred  *fakeCredential
	c     *connector.Client
}

func newSetup(t testing.TB, edit func(*connector.Config)) *setup {
	t.Helper()
	s := &setup{srv: fakeconnector.New(t), clock: newClock()}
	s.cred = &fakeCredential{now: s.clock.Now, ttl: time.Hour}
	cfg := connector.Config{
		Credential: s.cred,
		Now:        s.clock.Now,
		Sleep:      s.clock.Sleep,
	}
	if edit != nil {
		edit(&cfg)
	}
	s.c = connector.New(cfg)
	return s
}

func msg(text string) schema.Activity {
	return schema.Activity{Type: schema.Message, Text: text}
}

func TestSendActivityReturnsID(t *testing.T) {
	s := newSetup(t, nil)
	ctx := t.Context()
	for i, want := range []string{"act-1", "act-2"} {
		id, err := s.c.SendActivity(ctx, s.srv.URL, "a:1AbC-dEf", msg(fmt.Sprintf("hei %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		if id != want {
			t.Errorf("id = %q, want %q", id, want)
		}
	}
	sent := s.srv.Sent()
	if len(sent) != 2 {
		t.Fatalf("sent %d, want 2", len(sent))
	}
	got := sent[0]
	if got.ConversationID != "a:1AbC-dEf" || got.Activity.Text != "hei 0" || got.Activity.Type != schema.Message {
		t.Errorf("recorded %+v", got)
	}
	if got.Auth != "Bearer tok-1" {
		t.Errorf("Authorization = %q", got.Auth)
	}
	if bytes.Contains(got.Raw, []byte("0001-01-01")) || bytes.Contains(got.Raw, []byte(`{}`)) {
		t.Errorf("body carries zero-value noise: %s", got.Raw)
	}
	if scopes := s.cred.scopes; len(scopes) != 1 || scopes[0] != connector.DefaultScope {
		t.Errorf("token scopes = %v", scopes)
	}
}

func TestSendActivityDefaultsTypeAndEscapesIDs(t *testing.T) {
	s := newSetup(t, nil)
	// Unusual characters must arrive as one path segment, unchanged.
	conv := "a:1x@y;z/w?q#f %"
	if _, err := s.c.SendActivity(t.Context(), s.srv.URL+"/", conv, schema.Activity{Text: "no type"}); err != nil {
		t.Fatal(err)
	}
	got := s.srv.Sent()[0]
	if got.ConversationID != conv {
		t.Errorf("conversation id arrived as %q, want %q", got.ConversationID, conv)
	}
	if got.Activity.Type != schema.Message {
		t.Errorf("type = %q, want message", got.Activity.Type)
	}
}

func TestReplyToActivity(t *testing.T) {
	s := newSetup(t, nil)
	id, err := s.c.ReplyToActivity(t.Context(), s.srv.URL, "a:1", "f:123", msg("vastaus"))
	if err != nil {
		t.Fatal(err)
	}
	got := s.srv.Sent()[0]
	if id != got.ActivityID || got.ReplyToID != "f:123" || got.Activity.ReplyToID != "f:123" {
		t.Errorf("id %q, recorded %+v", id, got)
	}
}

func TestUpdateAndDeleteActivity(t *testing.T) {
	s := newSetup(t, nil)
	ctx := t.Context()
	id, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("pending"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.c.UpdateActivity(ctx, s.srv.URL, "a:1", id, msg("approved")); err != nil {
		t.Fatal(err)
	}
	up := s.srv.Updated()
	if len(up) != 1 || up[0].ActivityID != id || up[0].Activity.ID != id || up[0].Activity.Text != "approved" || up[0].Method != http.MethodPut {
		t.Fatalf("updated = %+v", up)
	}
	if err := s.c.DeleteActivity(ctx, s.srv.URL, "a:1", id); err != nil {
		t.Fatal(err)
	}
	if del := s.srv.Deleted(); len(del) != 1 || del[0].ActivityID != id || len(del[0].Raw) != 0 {
		t.Fatalf("deleted = %+v", del)
	}
}

func TestCreateConversation(t *testing.T) {
	s := newSetup(t, nil)
	res, err := s.c.CreateConversation(t.Context(), s.srv.URL, schema.ConversationParameters{
		Bot:      schema.ChannelAccount{ID: "28:bot"},
		Members:  []schema.ChannelAccount{{ID: "29:user"}},
		TenantID: "tenant-1",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := connector.ConversationResource{ID: "a:conv-1", ServiceURL: s.srv.URL}
	if res != want {
		t.Errorf("result = %+v, want %+v", res, want)
	}
	created := s.srv.Created()
	if len(created) != 1 {
		t.Fatalf("created %d", len(created))
	}
	p := created[0].Params
	tenant, _ := p.ChannelData["tenant"].(map[string]any)
	if p.IsGroup || p.Bot.ID != "28:bot" || len(p.Members) != 1 || p.Members[0].ID != "29:user" || p.TenantID != "tenant-1" || tenant["id"] != "tenant-1" {
		t.Errorf("parameters = %+v", p)
	}
	if bytes.Contains(created[0].Raw, []byte(`"activity"`)) {
		t.Errorf("zero first activity was sent: %s", created[0].Raw)
	}
	// The conversation is usable right away.
	if _, err := s.c.SendActivity(t.Context(), res.ServiceURL, res.ID, msg("hei")); err != nil {
		t.Fatal(err)
	}
}

func TestCreateConversationRejected(t *testing.T) {
	s := newSetup(t, nil)
	// No tenant: Teams (and the fake) refuse.
	_, err := s.c.CreateConversation(t.Context(), s.srv.URL, schema.ConversationParameters{Members: []schema.ChannelAccount{{ID: "29:user"}}})
	var apiErr *connector.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Op != "CreateConversation" {
		t.Fatalf("err = %v", err)
	}
}

func TestChannelThreadAndReply(t *testing.T) {
	s := newSetup(t, nil)
	ctx := t.Context()
	const channel = "19:general@thread.tacv2"
	res, err := s.c.CreateChannelThread(ctx, s.srv.URL, "tenant-1", channel, msg("Uusi valtuutuspyyntö"))
	if err != nil {
		t.Fatal(err)
	}
	if res.ID != "19:thread-1@thread.tacv2" || res.ActivityID != "act-1" {
		t.Fatalf("thread = %+v", res)
	}
	created := s.srv.Created()[0]
	if !created.Params.IsGroup || created.Activity.Text != "Uusi valtuutuspyyntö" {
		t.Errorf("created = %+v", created)
	}
	if ch, _ := created.Params.ChannelData["channel"].(map[string]any); ch["id"] != channel {
		t.Errorf("channelData = %v", created.Params.ChannelData)
	}

	id, err := s.c.ReplyInThread(ctx, s.srv.URL, res.ID, res.ActivityID, msg("Hyväksytty"))
	if err != nil {
		t.Fatal(err)
	}
	// Teams may return the thread id with the root already attached.
	if _, err := s.c.ReplyInThread(ctx, s.srv.URL, res.ID+";messageid="+res.ActivityID, "", msg("toinen")); err != nil {
		t.Fatal(err)
	}
	sent := s.srv.Sent()
	if len(sent) != 2 {
		t.Fatalf("sent %d", len(sent))
	}
	for _, c := range sent {
		if c.ConversationID != res.ID || c.RootMessageID != res.ActivityID {
			t.Errorf("reply went to %q root %q", c.ConversationID, c.RootMessageID)
		}
	}
	if sent[0].ActivityID != id {
		t.Errorf("id %q, recorded %q", id, sent[0].ActivityID)
	}
}

func TestRetriesOn429WithRetryAfter(t *testing.T) {
	s := newSetup(t, nil)
	s.srv.FailNext(2, http.StatusTooManyRequests, "7")
	id, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei"))
	if err != nil {
		t.Fatal(err)
	}
	if id != "act-1" {
		t.Errorf("id = %q", id)
	}
	if n := len(s.srv.Calls()); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
	if got := fmt.Sprint(s.clock.Sleeps()); got != "[7s 7s]" {
		t.Errorf("slept %s, want [7s 7s]", got)
	}
}

func TestRetryAfterHTTPDateAndCap(t *testing.T) {
	s := newSetup(t, func(c *connector.Config) { c.MaxBackoff = 20 * time.Second })
	s.srv.FailNext(1, http.StatusTooManyRequests, s.clock.Now().Add(12*time.Second).Format(http.TimeFormat))
	if _, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei")); err != nil {
		t.Fatal(err)
	}
	s.srv.FailNext(1, http.StatusServiceUnavailable, "3600")
	if _, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei")); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(s.clock.Sleeps()); got != "[12s 20s]" {
		t.Errorf("slept %s, want [12s 20s]", got)
	}
}

func TestRetriesServerErrorsThenSucceeds(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504, 412} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			s := newSetup(t, func(c *connector.Config) {
				c.BaseBackoff = time.Second
				c.MaxBackoff = time.Minute
			})
			s.srv.FailNext(3, status, "")
			if _, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei")); err != nil {
				t.Fatal(err)
			}
			if n := len(s.srv.Calls()); n != 4 {
				t.Errorf("%d calls, want 4", n)
			}
			sleeps := s.clock.Sleeps()
			if len(sleeps) != 3 {
				t.Fatalf("slept %v, want 3 backoffs", sleeps)
			}
			for i, d := range sleeps {
				if ceiling := time.Second << i; d < 0 || d > ceiling {
					t.Errorf("backoff %d = %v, want within [0, %v]", i+1, d, ceiling)
				}
			}
		})
	}
}

func TestClientErrorIsNotRetried(t *testing.T) {
	for _, status := range []int{400, 403, 404, 413} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			s := newSetup(t, nil)
			s.srv.FailWhen(func(fakeconnector.Call) *fakeconnector.Fault {
				return &fakeconnector.Fault{Status: status, Code: "ConversationBlockedByUser", Message: "User blocked the conversation with the bot."}
			})
			_, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei"))
			var apiErr *connector.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("err = %v, want *APIError", err)
			}
			if apiErr.StatusCode != status || apiErr.Code != "ConversationBlockedByUser" || apiErr.Op != "SendActivity" || apiErr.Retryable() {
				t.Errorf("APIError = %+v", apiErr)
			}
			if !strings.Contains(apiErr.Message, "blocked") {
				t.Errorf("message = %q", apiErr.Message)
			}
			if n := len(s.srv.Calls()); n != 1 {
				t.Errorf("%d calls, want 1", n)
			}
			if sl := s.clock.Sleeps(); len(sl) != 0 {
				t.Errorf("slept %v", sl)
			}
		})
	}
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	s := newSetup(t, func(c *connector.Config) { c.MaxAttempts = 3 })
	end := s.srv.Outage(http.StatusBadGateway, "")
	defer end()
	_, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei"))
	var apiErr *connector.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadGateway {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.srv.Calls()); n != 3 {
		t.Errorf("%d calls, want 3", n)
	}
}

func TestOutageThenRecovery(t *testing.T) {
	s := newSetup(t, nil)
	end := s.srv.Outage(http.StatusServiceUnavailable, "1")
	s.clock.onSleep = func(n int) error {
		if n == 3 {
			end()
		}
		return nil
	}
	if _, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei")); err != nil {
		t.Fatal(err)
	}
	calls := s.srv.Calls()
	if len(calls) != 4 || calls[3].Status != http.StatusCreated {
		t.Errorf("calls:\n%s", s.srv)
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	s := newSetup(t, nil)
	end := s.srv.Outage(http.StatusServiceUnavailable, "")
	defer end()
	ctx, cancel := context.WithCancel(t.Context())
	s.clock.onSleep = func(int) error {
		cancel()
		return nil
	}
	_, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("hei"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var apiErr *connector.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("err = %v, want it to keep the last 503", err)
	}
	if n := len(s.srv.Calls()); n != 1 {
		t.Errorf("%d calls after cancel, want 1", n)
	}
}

func TestCancelledContextSendsNothing(t *testing.T) {
	s := newSetup(t, nil)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("hei")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.srv.Calls()); n != 0 {
		t.Errorf("%d calls", n)
	}
}

// flakyTransport fails the first n round trips without reaching the server.
type flakyTransport struct {
	mu   sync.Mutex
	n    int
	next http.RoundTripper
}

func (f *flakyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := f.n > 0
	f.n--
	f.mu.Unlock()
	if fail {
		return nil, errors.New("connection reset by peer")
	}
	return f.next.RoundTrip(r)
}

func TestRetriesTransportErrors(t *testing.T) {
	ft := &flakyTransport{n: 2, next: http.DefaultTransport}
	s := newSetup(t, func(c *connector.Config) { c.HTTPClient = &http.Client{Transport: ft} })
	if _, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:secret-conv", msg("hei")); err != nil {
		t.Fatal(err)
	}
	if n := len(s.srv.Calls()); n != 1 {
		t.Errorf("%d calls reached the server, want 1", n)
	}
	if n := len(s.clock.Sleeps()); n != 2 {
		t.Errorf("%d backoffs, want 2", n)
	}

	ft.n = 100
	_, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:secret-conv", msg("hei"))
	if err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "secret-conv") {
		t.Errorf("error names the conversation: %v", err)
	}
}

func TestTokenCachedAndRefreshed(t *testing.T) {
	s := newSetup(t, nil)
	ctx := t.Context()
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			_, err := s.c.SendActivity(ctx, s.srv.URL, fmt.Sprintf("a:%d", i), msg("hei"))
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := s.cred.Calls(); n != 1 {
		t.Errorf("credential called %d times for 20 concurrent calls, want 1", n)
	}

	s.clock.Advance(50 * time.Minute) // still outside the 5-minute refresh margin
	if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("hei")); err != nil {
		t.Fatal(err)
	}
	if n := s.cred.Calls(); n != 1 {
		t.Errorf("credential called %d times before the refresh margin, want 1", n)
	}

	s.clock.Advance(6 * time.Minute) // 4 minutes before expiry
	if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("hei")); err != nil {
		t.Fatal(err)
	}
	if n := s.cred.Calls(); n != 2 {
		t.Errorf("credential called %d times after the refresh margin, want 2", n)
	}
	sent := s.srv.Sent()
	if last := sent[len(sent)-1].Auth; last != "Bearer tok-2" {
		t.Errorf("Authorization after refresh = %q", last)
	}
}

func TestTokenRefreshFailureKeepsValidToken(t *testing.T) {
	s := newSetup(t, nil)
	s.cred.failAt = map[int]error{2: errors.New("login.microsoftonline.com unreachable"), 3: errors.New("still unreachable")}
	ctx := t.Context()
	if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("hei")); err != nil {
		t.Fatal(err)
	}
	s.clock.Advance(57 * time.Minute) // due for refresh, not expired
	if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("hei")); err != nil {
		t.Fatalf("refresh failure with a valid token failed the call: %v", err)
	}
	if auth := s.srv.Sent()[1].Auth; auth != "Bearer tok-1" {
		t.Errorf("Authorization = %q, want the still valid tok-1", auth)
	}
	s.clock.Advance(5 * time.Minute) // expired
	_, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("hei"))
	if err == nil || !strings.Contains(err.Error(), "still unreachable") {
		t.Fatalf("err = %v, want the credential's error", err)
	}
	if n := len(s.srv.Sent()); n != 2 {
		t.Errorf("sent %d with an expired token", n)
	}
}

func TestUnauthorizedRefetchesTokenOnce(t *testing.T) {
	s := newSetup(t, nil)
	s.srv.RequireToken("tok-2") // tok-1 was revoked
	if _, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei")); err != nil {
		t.Fatal(err)
	}
	if n := s.cred.Calls(); n != 2 {
		t.Errorf("credential called %d times, want 2", n)
	}
	if sl := s.clock.Sleeps(); len(sl) != 0 {
		t.Errorf("slept %v before the token retry", sl)
	}

	s.srv.RequireToken("never")
	_, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei"))
	var apiErr *connector.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusUnauthorized {
		t.Fatalf("err = %v, want 401", err)
	}
	if n := len(s.srv.Calls()); n != 4 {
		t.Errorf("%d calls, want 4 (one token retry per call)", n)
	}
}

func TestAnonymousModeSendsNoToken(t *testing.T) {
	s := newSetup(t, func(c *connector.Config) { c.Credential = nil })
	if _, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:1", msg("hei")); err != nil {
		t.Fatal(err)
	}
	if auth := s.srv.Sent()[0].Auth; auth != "" {
		t.Errorf("Authorization = %q, want none", auth)
	}
}

func TestRefusesTokenOverPlainHTTP(t *testing.T) {
	s := newSetup(t, nil)
	_, err := s.c.SendActivity(t.Context(), "http://smba.example.invalid/emea/", "a:1", msg("hei"))
	if err == nil || !strings.Contains(err.Error(), "plain http") {
		t.Fatalf("err = %v", err)
	}
	if n := s.cred.Calls(); n != 0 {
		t.Errorf("fetched a token for a refused call")
	}
}

func TestRateLimiterDelaysEighthMessage(t *testing.T) {
	s := newSetup(t, nil) // default limits: 7 per second per conversation
	ctx := t.Context()
	for i := range 8 {
		if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
		wantSleeps := 0
		if i == 7 {
			wantSleeps = 1
		}
		if n := len(s.clock.Sleeps()); n != wantSleeps {
			t.Fatalf("after message %d: %d waits, want %d", i+1, n, wantSleeps)
		}
	}
	if got := fmt.Sprint(s.clock.Sleeps()); got != "[1s]" {
		t.Errorf("waits %s, want [1s]", got)
	}
	// Another conversation is not held up.
	if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:2", msg("x")); err != nil {
		t.Fatal(err)
	}
	if n := len(s.clock.Sleeps()); n != 1 {
		t.Errorf("other conversation waited")
	}
	if n := len(s.srv.Sent()); n != 9 {
		t.Errorf("sent %d, want 9", n)
	}
}

func TestRateLimitWaitRespectsContext(t *testing.T) {
	s := newSetup(t, func(c *connector.Config) {
		c.Limits = connector.RateLimits{PerConversation: []connector.Window{{Limit: 1, Per: time.Hour}}}
	})
	ctx, cancel := context.WithCancel(t.Context())
	if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("1")); err != nil {
		t.Fatal(err)
	}
	s.clock.onSleep = func(int) error { cancel(); return context.Canceled }
	if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("2")); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if n := len(s.srv.Calls()); n != 1 {
		t.Errorf("%d calls", n)
	}
}

func TestConcurrentUse(t *testing.T) {
	// Real clock; limits high enough not to wait, so this exercises locking under -race.
	srv := fakeconnector.New(t)
	cred := &fakeCredential{now: time.Now, ttl: time.Hour}
	c := connector.New(connector.Config{
		Credential: cred,
		Limits:     connector.RateLimits{PerTenant: connector.TenantBudget(100000)},
	})
	ctx := t.Context()
	const workers, each = 8, 25
	ids := make(chan string, workers*each)
	errs := make(chan error, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				conv := fmt.Sprintf("a:%d-%d", w, i)
				id, err := c.SendActivity(ctx, srv.URL, conv, msg("hei"))
				if err != nil {
					errs <- err
					return
				}
				if i%5 == 0 {
					if err := c.UpdateActivity(ctx, srv.URL, conv, id, msg("päivitetty")); err != nil {
						errs <- err
						return
					}
				}
				ids <- id
			}
		})
	}
	wg.Wait()
	close(ids)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Errorf("duplicate id %s", id)
		}
		seen[id] = true
	}
	if len(seen) != workers*each || len(srv.Sent()) != workers*each || len(srv.Updated()) != workers*each/5 {
		t.Errorf("ids %d, sent %d, updated %d", len(seen), len(srv.Sent()), len(srv.Updated()))
	}
	if n := cred.Calls(); n != 1 {
		t.Errorf("credential called %d times", n)
	}
}

func TestLogsCarryNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	s := newSetup(t, func(c *connector.Config) {
		c.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	})
	s.srv.FailNext(1, http.StatusTooManyRequests, "1")
	if _, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:private-conv", msg("Henkilötunnus 010101-123N")); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, secret := range []string{"tok-1", "010101-123N", "Henkilötunnus", "private-conv"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"op=SendActivity", "status=429", "status=201", "attempt=2", "duration="} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

func TestRejectsBadArguments(t *testing.T) {
	s := newSetup(t, nil)
	ctx := t.Context()
	checks := map[string]error{}
	_, checks["send without conversation"] = s.c.SendActivity(ctx, s.srv.URL, "", msg("x"))
	_, checks["send to bad serviceUrl"] = s.c.SendActivity(ctx, "not a url", "a:1", msg("x"))
	checks["update without id"] = s.c.UpdateActivity(ctx, s.srv.URL, "a:1", "", msg("x"))
	_, checks["thread reply without root"] = s.c.ReplyInThread(ctx, s.srv.URL, "19:x@thread.tacv2", "", msg("x"))
	_, checks["thread without channel"] = s.c.CreateChannelThread(ctx, s.srv.URL, "t", "", msg("x"))
	for name, err := range checks {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if n := len(s.srv.Calls()); n != 0 {
		t.Errorf("%d calls for invalid arguments", n)
	}
}

func BenchmarkSendActivity(b *testing.B) {
	srv := fakeconnector.New(b)
	c := connector.New(connector.Config{
		Credential: &fakeCredential{now: time.Now, ttl: time.Hour},
		Limits:     connector.RateLimits{Disabled: true},
	})
	ctx := b.Context()
	a := schema.Activity{
		Type: schema.Message,
		Attachments: []schema.Attachment{{
			ContentType: "application/vnd.microsoft.card.adaptive",
			Content:     map[string]any{"type": "AdaptiveCard", "version": "1.5", "body": []any{map[string]any{"type": "TextBlock", "text": "Valtuutuspyyntö"}}},
		}},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.SendActivity(ctx, srv.URL, "a:1", a); err != nil {
			b.Fatal(err)
		}
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	callers := map[string]*http.Client{
		"default client": nil,
		// A zero client follows redirects by itself, and resends Authorization to the same host name.
		"caller's client": {},
	}
	for name, hc := range callers {
		t.Run(name, func(t *testing.T) {
			r := fakeredirect.New(t)
			s := newSetup(t, func(c *connector.Config) { c.HTTPClient = hc })
			_, err := s.c.SendActivity(t.Context(), r.URL, "a:1", msg("hei"))
			if !errors.Is(err, connector.ErrRedirect) || !strings.Contains(err.Error(), "HTTP 307") {
				t.Fatalf("err = %v, want ErrRedirect naming the 307", err)
			}
			if got := r.TargetAuthorizations(); len(got) != 0 || r.TargetHits() != 0 {
				t.Fatalf("the redirect was followed: %d requests, Authorization %q", r.TargetHits(), got)
			}
			if n := r.Hits(); n != 1 {
				t.Errorf("%d requests to the redirecting server, want 1 (a redirect is not retried)", n)
			}
			if hc != nil && hc.CheckRedirect != nil {
				t.Error("New changed the caller's http.Client")
			}
		})
	}
}
