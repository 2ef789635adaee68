package app_test

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

func TestGreetingGetsWelcomeCardInTheLocaleLanguage(t *testing.T) {
	h := newHarness(t)
	h.send(h.activity("message", elina, "fi-FI", "hei"))
	sent := h.conn.WaitForSent(t, 1, 5*time.Second)
	c := card(t, sent[0])
	if c["lang"] != "fi" || c["version"] != "1.5" || !contains(cardText(c), "Olen Valtuusbotti", "Porvoon kaupunki", "Elina") {
		t.Fatalf("want a Finnish welcome card greeting Elina, got %s", cardText(c))
	}
	if sent[0].ConversationID != "a:personal-"+elina || sent[0].Auth != "Bearer outbound-token" || sent[0].Activity.ReplyToID == "" {
		t.Errorf("reply went to %q with auth %q replyTo %q", sent[0].ConversationID, sent[0].Auth, sent[0].Activity.ReplyToID)
	}

	h.send(h.activity("message", helena, "sv-SE", "?"))
	sent = h.conn.WaitForSent(t, 2, 5*time.Second)
	c = card(t, sent[1])
	if c["lang"] != "sv" || !contains(cardText(c), "Jag är Valtuusbotti", "Borgå stad", "Helena") {
		t.Fatalf("want a Swedish welcome card, got %s", cardText(c))
	}
}

// The Agents Playground (and some Teams clients) always say en-US: the greeting's own language decides then.
func TestGreetingLanguageBeatsClientLocale(t *testing.T) {
	h := newHarness(t)
	for i, tc := range []struct{ text, lang, phrase string }{
		{"hei", "fi", "Olen Valtuusbotti"}, {"Hej!", "sv", "Jag är Valtuusbotti"}, {"help", "en", "I am Valtuusbotti"},
		{"?", "en", "I am Valtuusbotti"}, // no language in the word: the locale decides
	} {
		h.send(h.activity("message", elina, "en-US", tc.text))
		c := card(t, h.conn.WaitForSent(t, i+1, 5*time.Second)[i])
		if c["lang"] != tc.lang || !contains(cardText(c), tc.phrase) {
			t.Fatalf("%q: card in %v: %s", tc.text, c["lang"], cardText(c))
		}
	}
}

func TestConversationReferenceStored(t *testing.T) {
	h := newHarness(t)
	h.send(h.activity("message", elina, "fi-FI", "apua"))
	ref, err := h.app.DB.People.ConversationRef(t.Context(), elina)
	if err != nil {
		t.Fatal(err)
	}
	if ref.ConversationID != "a:personal-"+elina || ref.ServiceURL != h.conn.URL || ref.TenantID != tenant ||
		ref.UserID != "29:"+elina || ref.Locale != "fi-FI" || ref.BotID != botName || ref.ChannelID != "msteams" {
		t.Fatalf("stored reference %+v", ref)
	}
	// A later message from a channel keeps the personal conversation for proactive messages.
	act := h.activity("message", elina, "fi-FI", "<at>Valtuusbotti</at> help")
	act["conversation"] = map[string]any{"id": "19:channel@thread.tacv2;messageid=1", "conversationType": "channel", "isGroup": true, "tenantId": tenant}
	h.send(act)
	ref, _ = h.app.DB.People.ConversationRef(t.Context(), elina)
	if ref.ConversationID != "a:personal-"+elina {
		t.Fatalf("channel message overwrote the personal conversation: %+v", ref)
	}
}

// The auth table: every case gets its status, nothing is stored or sent for a refused activity, and the valid
// control gets a reply.
func TestInboundAuthentication(t *testing.T) {
	h := newHarness(t)
	h.idp.AddHiddenKey("unknown-kid")
	h.idp.AddKey("skype-only", "skype")
	now := h.clock.Now()
	valid := h.token(fakeidp.TokenOptions{})
	parts := strings.Split(strings.TrimPrefix(valid, "Bearer "), ".")
	tampered := "Bearer " + parts[0] + "." + parts[1] + "." + flip(parts[2])
	cases := []struct {
		name   string
		auth   string
		body   any
		status int
	}{
		{"no header", "", nil, http.StatusUnauthorized},
		{"garbage", "Bearer not.a.jwt", nil, http.StatusForbidden},
		{"not bearer", "Basic dXNlcjpwYXNz", nil, http.StatusForbidden},
		{"alg none", h.token(fakeidp.TokenOptions{Alg: "none"}), nil, http.StatusForbidden},
		{"HS256 with the public key", h.token(fakeidp.TokenOptions{Alg: "HS256"}), nil, http.StatusForbidden},
		{"unknown kid", h.token(fakeidp.TokenOptions{KeyID: "unknown-kid"}), nil, http.StatusForbidden},
		{"expired", h.token(fakeidp.TokenOptions{ExpiresAt: now.Add(-6 * time.Minute), NotBefore: now.Add(-time.Hour)}), nil, http.StatusForbidden},
		{"nbf beyond leeway", h.token(fakeidp.TokenOptions{NotBefore: now.Add(6 * time.Minute)}), nil, http.StatusForbidden},
		{"wrong aud", h.token(fakeidp.TokenOptions{AppID: "99999999-0000-4000-8000-000000000000"}), nil, http.StatusForbidden},
		{"wrong iss", h.token(fakeidp.TokenOptions{Issuer: "https://sts.windows.net/evil/"}), nil, http.StatusForbidden},
		{"serviceurl missing", h.token(fakeidp.TokenOptions{OmitServiceURL: true}), nil, http.StatusForbidden},
		{"serviceurl different", h.token(fakeidp.TokenOptions{ServiceURL: "https://smba.trafficmanager.net/emea/"}), nil, http.StatusForbidden},
		{"key not endorsed for msteams", h.token(fakeidp.TokenOptions{KeyID: "skype-only"}), nil, http.StatusForbidden},
		{"tampered signature", tampered, nil, http.StatusForbidden},
		{"oversized header", "Bearer " + strings.Repeat("a", 20<<10) + ".b.c", nil, http.StatusForbidden},
		{"oversized body", valid, oversized(h), http.StatusRequestEntityTooLarge},
		{"malformed JSON", valid, `{"type":"message",`, http.StatusBadRequest},
		{"not an object", valid, `[1,2,3]`, http.StatusBadRequest},
		{"no type", valid, `{"serviceUrl":"` + h.conn.URL + `","conversation":{"id":"x"}}`, http.StatusBadRequest},
		{"another tenant", valid, otherTenant(h), http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := tc.body
			if body == nil {
				body = h.activity("message", mikael, "fi-FI", "hei")
			}
			status, _ := h.post(body, tc.auth)
			if status != tc.status {
				t.Fatalf("status %d, want %d", status, tc.status)
			}
		})
	}
	if n := len(h.conn.Calls()); n != 0 {
		t.Fatalf("refused activities caused %d connector calls", n)
	}
	if _, err := h.app.DB.People.ConversationRef(t.Context(), mikael); !domain.IsCode(err, domain.ENotFound) {
		t.Fatalf("a refused activity stored a conversation reference: %v", err)
	}
	t.Run("valid control", func(t *testing.T) {
		if status, body := h.post(h.activity("message", mikael, "fi-FI", "hei"), valid); status != http.StatusOK {
			t.Fatalf("status %d: %s", status, body)
		}
		h.conn.WaitForSent(t, 1, 5*time.Second)
	})
	if strings.Contains(h.logs.String(), strings.TrimPrefix(valid, "Bearer ")[:40]) {
		t.Error("a token reached the log")
	}
}

func flip(sig string) string {
	b := []byte(sig)
	if b[5] == 'A' {
		b[5] = 'B'
	} else {
		b[5] = 'A'
	}
	return string(b)
}

// otherTenant is a valid activity from a user of another Entra tenant where the app was installed.
func otherTenant(h *harness) map[string]any {
	a := h.activity("message", mikael, "fi-FI", "hei")
	a["conversation"] = map[string]any{"id": "a:personal-x", "conversationType": "personal", "tenantId": "99999999-0000-4000-8000-000000000000"}
	a["channelData"] = map[string]any{"tenant": map[string]any{"id": "99999999-0000-4000-8000-000000000000"}}
	return a
}

func oversized(h *harness) map[string]any {
	a := h.activity("message", mikael, "fi-FI", strings.Repeat("x", 300<<10))
	return a
}

func TestRetriedActivityAnsweredOnce(t *testing.T) {
	h := newHarness(t)
	act := h.activity("message", elina, "fi-FI", "hei")
	var wg sync.WaitGroup
	for i := 0; i < 5; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.post(act, h.token(fakeidp.TokenOptions{}))
		}()
	}
	wg.Wait()
	h.send(h.activity("message", elina, "fi-FI", "apua")) // a new activity is answered
	if n := len(h.conn.WaitForSent(t, 2, 5*time.Second)); n != 2 {
		t.Fatalf("%d replies, want 2 (one for the retried activity, one for the next)", n)
	}
	time.Sleep(0) // nothing more may arrive: every request above has returned, and replies are sent within the turn
	if n := len(h.conn.Sent()); n != 2 {
		t.Fatalf("%d replies, want 2", n)
	}
}

func TestLanguageChoiceFromCardWinsOverLocale(t *testing.T) {
	h := newHarness(t)
	h.send(h.activity("message", elina, "fi-FI", "hei"))
	inv := h.activity("invoke", elina, "fi-FI", "")
	inv["name"] = "adaptiveCard/action"
	inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "setLanguage", "data": map[string]any{"lang": "sv"}}, "trigger": "manual"}
	body := h.send(inv)
	var resp struct {
		StatusCode int            `json:"statusCode"`
		Type       string         `json:"type"`
		Value      map[string]any `json:"value"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	if resp.StatusCode != 200 || resp.Type != "application/vnd.microsoft.card.adaptive" || resp.Value["lang"] != "sv" {
		t.Fatalf("invoke response %s", body)
	}
	// Teams still says fi-FI; the person's own choice wins.
	h.send(h.activity("message", elina, "fi-FI", "apua"))
	sent := h.conn.WaitForSent(t, 2, 5*time.Second)
	if c := card(t, sent[1]); c["lang"] != "sv" {
		t.Fatalf("after choosing Swedish the card is %v", c["lang"])
	}
	ref, _ := h.app.DB.People.ConversationRef(t.Context(), elina)
	if ref.Language != domain.Swedish {
		t.Fatalf("stored language %q", ref.Language)
	}
	// Typed command back to Finnish.
	h.send(h.activity("message", elina, "sv-SE", "kieli suomi"))
	sent = h.conn.WaitForSent(t, 3, 5*time.Second)
	if !strings.Contains(sent[2].Activity.Text, "suomea") {
		t.Fatalf("confirmation %q", sent[2].Activity.Text)
	}
}

func TestTamperedCardDataRefused(t *testing.T) {
	h := newHarness(t)
	for _, data := range []any{
		map[string]any{"lang": "de"},
		map[string]any{"lang": "sv", "userId": mikael},
		"sv",
	} {
		inv := h.activity("invoke", elina, "fi-FI", "")
		inv["name"] = "adaptiveCard/action"
		inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "setLanguage", "data": data}}
		body := h.send(inv)
		if !strings.Contains(string(body), `"type":"application/vnd.microsoft.error"`) {
			t.Fatalf("data %v: response %s", data, body)
		}
	}
	inv := h.activity("invoke", elina, "fi-FI", "")
	inv["name"] = "adaptiveCard/action"
	inv["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": "grantEverything"}}
	if body := h.send(inv); !strings.Contains(string(body), "application/vnd.microsoft.error") {
		t.Fatalf("unknown verb: %s", body)
	}
	ref, _ := h.app.DB.People.ConversationRef(t.Context(), elina)
	if ref.Language != "" {
		t.Fatalf("tampered data changed the language to %q", ref.Language)
	}
}

func TestPersonalIdentityCodeNeverStoredOrLogged(t *testing.T) {
	h := newHarness(t)
	const code = "131052-308T"
	h.send(h.activity("message", elina, "fi-FI", "hetuni on "+code+", tarvitsenko sitä?"))
	sent := h.conn.WaitForSent(t, 1, 5*time.Second)
	if !strings.Contains(sent[0].Activity.Text, "henkilötunnuksen") {
		t.Fatalf("reply %q", sent[0].Activity.Text)
	}
	h.app.Close() // flush SQLite (WAL) so the files hold everything written
	for _, f := range []string{h.dbPath, h.dbPath + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if strings.Contains(string(raw), code) || strings.Contains(string(raw), "131052") {
			t.Fatalf("%s contains the identity code", f)
		}
	}
	if strings.Contains(h.logs.String(), "131052") {
		t.Fatal("the log contains the identity code")
	}
	if strings.Contains(string(sent[0].Raw), "131052") {
		t.Fatal("the reply echoes the identity code")
	}
}

func TestInstallWelcomesOnce(t *testing.T) {
	h := newHarness(t)
	inst := h.activity("installationUpdate", elina, "fi-FI", "")
	inst["action"] = "add"
	h.send(inst)
	upd := h.activity("conversationUpdate", elina, "fi-FI", "")
	upd["membersAdded"] = []any{map[string]any{"id": botName}}
	h.send(upd)
	h.conn.WaitForSent(t, 1, 5*time.Second)
	other := h.activity("messageReaction", elina, "fi-FI", "")
	h.send(other) // unknown types are accepted and ignored
	if n := len(h.conn.Sent()); n != 1 {
		t.Fatalf("%d welcome messages, want 1", n)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	h := newHarness(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get(h.url + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", p, resp.StatusCode)
		}
	}
	_ = h.app.DB.Close()
	resp, err := http.Get(h.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("readyz with a closed database: %d", resp.StatusCode)
	}
	resp, _ = http.Get(h.url + "/api/messages")
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET /api/messages: %d", resp.StatusCode)
	}
}

// A client that floods the bot is cut off after the per-minute limit: the excess is acknowledged (so Teams does not
// retry it) and dropped, and other people are not affected.
func TestTurnLimitPerPerson(t *testing.T) {
	h := newHarness(t, func(_ map[string]string, o *app.Options) { o.RateLimits.Disabled = true })
	for i := 0; i < 70; i++ {
		h.send(h.activity("message", elina, "fi-FI", "hei"))
	}
	if n := len(h.conn.Sent()); n != 60 {
		t.Fatalf("%d replies to 70 messages in a minute, want 60", n)
	}
	h.send(h.activity("message", mikael, "fi-FI", "hei"))
	if n := len(h.conn.Sent()); n != 61 {
		t.Fatalf("another person was limited too: %d replies", n)
	}
}
