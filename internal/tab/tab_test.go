package tab_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/botauth"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/tab"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// People of the demo directory: Mikael is the main user, Sami supervises Elina, Oskar has no role.
const (
	elina  = "7c1e4a52-0000-4000-8000-000000000001"
	sami   = "7c1e4a52-0000-4000-8000-000000000002"
	mikael = "7c1e4a52-0000-4000-8000-000000000004"
	oskar  = "7c1e4a52-0000-4000-8000-000000000006"

	appID  = "3f6a9b1c-1111-4222-8333-444455556666"
	tenant = "0b1e2c3d-aaaa-4bbb-8ccc-ddddeeeeffff"
	host   = "valtuusbotti.example.fi"
)

var now = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

type fixture struct {
	srv *httptest.Server
	idp *fakeidp.Server
	cat *catalog.Catalog
}

// newFixture serves the tab with SSO (or the local mode) over a SQLite register holding one mandate each for
// Elina, Oskar and Mikael.
func newFixture(t *testing.T, local bool) *fixture {
	t.Helper()
	clk := clock.NewManual(now)
	db := sqltest.Open(t, sqlstore.WithNow(clk.Now))
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	theme := cat.Themes[0].ID
	for _, p := range []struct{ id, name string }{{elina, "Elina Lindholm"}, {oskar, "Oskar Berg"}, {mikael, "Mikael Nordström"}} {
		m := domain.Mandate{HolderID: p.id, HolderName: p.name, Department: "Talous", ThemeID: theme,
			ValidFrom: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC),
			State: domain.MandateActive}
		if err := db.Register.InTx(t.Context(), func(tx workflow.Tx) error { return tx.CreateMandate(t.Context(), &m) }); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{idp: fakeidp.New(t), cat: cat}
	f.idp.Now = clk.Now
	cfg := tab.Config{Register: db.Register, Directory: dir, Catalog: cat, Languages: db.People,
		Messages: i18n.MustLoad(), Now: clk.Now, Local: local}
	if !local {
		keys, err := botauth.New(botauth.Config{AppID: appID, MetadataURL: f.idp.MetadataURL, HTTPClient: f.idp.Client(), Now: clk.Now})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Keys, cfg.AppID, cfg.TenantID, cfg.Host = keys, appID, tenant, host
	}
	h, err := tab.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// token mints an Entra access token as Teams SSO gives the tab, changed by the overrides (nil deletes a claim).
func (f *fixture) token(oid string, over map[string]any) string {
	claims := map[string]any{"tid": tenant, "scp": "access_as_user", "oid": oid, "ver": "2.0"}
	for k, v := range over {
		claims[k] = v
	}
	return f.idp.Token(fakeidp.TokenOptions{Issuer: "https://login.microsoftonline.com/" + tenant + "/v2.0",
		AppID: appID, OmitServiceURL: true, ExtraClaims: claims})
}

func (f *fixture) get(t *testing.T, path string, header map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.srv.URL+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body map[string]any
	raw, _ := io.ReadAll(res.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("GET %s: %d %q is not JSON", path, res.StatusCode, raw)
	}
	return res.StatusCode, body
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

func TestTokenChecks(t *testing.T) {
	f := newFixture(t, false)
	for name, tc := range map[string]struct {
		header map[string]string
		status int
		code   string
	}{
		"main user":        {bearer(f.token(mikael, nil)), 200, ""},
		"v1 issuer":        {bearer(f.token(mikael, map[string]any{"iss": "https://sts.windows.net/" + tenant + "/"})), 200, ""},
		"api audience":     {bearer(f.token(mikael, map[string]any{"aud": "api://" + host + "/botid-" + appID})), 200, ""},
		"missing":          {nil, 401, "missing_token"},
		"not bearer":       {map[string]string{"Authorization": "Basic abc"}, 401, "invalid_token"},
		"expired":          {bearer(f.token(mikael, map[string]any{"exp": now.Add(-time.Hour).Unix()})), 401, "expired_token"},
		"wrong audience":   {bearer(f.token(mikael, map[string]any{"aud": "api://" + host + "/botid-00000000-1111-4222-8333-444455556666"})), 401, "wrong_audience"},
		"other host":       {bearer(f.token(mikael, map[string]any{"aud": "api://evil.example.com/botid-" + appID})), 401, "wrong_audience"},
		"other tenant":     {bearer(f.token(mikael, map[string]any{"tid": "99999999-aaaa-4bbb-8ccc-ddddeeeeffff", "iss": "https://login.microsoftonline.com/99999999-aaaa-4bbb-8ccc-ddddeeeeffff/v2.0"})), 401, "wrong_tenant"},
		"tid mismatch":     {bearer(f.token(mikael, map[string]any{"tid": "99999999-aaaa-4bbb-8ccc-ddddeeeeffff"})), 401, "wrong_tenant"},
		"bot issuer":       {bearer(f.token(mikael, map[string]any{"iss": "https://api.botframework.com"})), 401, "wrong_issuer"},
		"no scope":         {bearer(f.token(mikael, map[string]any{"scp": nil})), 401, "missing_scope"},
		"other scope":      {bearer(f.token(mikael, map[string]any{"scp": "User.Read"})), 401, "missing_scope"},
		"no oid":           {bearer(f.token(mikael, map[string]any{"oid": nil})), 401, "invalid_token"},
		"not yet valid":    {bearer(f.token(mikael, map[string]any{"nbf": now.Add(time.Hour).Unix()})), 401, "invalid_token"},
		"HS256 confusion":  {bearer(f.idp.Token(fakeidp.TokenOptions{Alg: "HS256", Issuer: "https://login.microsoftonline.com/" + tenant + "/v2.0", AppID: appID, ExtraClaims: map[string]any{"tid": tenant, "scp": "access_as_user", "oid": mikael}})), 401, "invalid_token"},
		"unsigned":         {bearer(f.idp.Token(fakeidp.TokenOptions{Alg: "none", Issuer: "https://login.microsoftonline.com/" + tenant + "/v2.0", AppID: appID, ExtraClaims: map[string]any{"tid": tenant, "scp": "access_as_user", "oid": mikael}})), 401, "invalid_token"},
		"tampered payload": {bearer(tamper(f.token(oskar, nil), mikael)), 401, "invalid_token"},
		"no role":          {bearer(f.token(oskar, nil)), 403, "no_role"},
		"local header":     {map[string]string{tab.LocalHeader: mikael}, 401, "missing_token"},
	} {
		status, body := f.get(t, "/tab/api/me", tc.header)
		if status != tc.status || (tc.code != "" && body["error"] != tc.code) {
			t.Errorf("%s: %d %v, want %d %s", name, status, body, tc.status, tc.code)
		}
		if status != 200 && (body["message"] == "" || body["message"] == nil) {
			t.Errorf("%s: the refusal says nothing: %v", name, body)
		}
	}
	// The refusal of a person with no role says why, in their language.
	_, body := f.get(t, "/tab/api/me?locale=sv-SE", bearer(f.token(oskar, nil)))
	if msg, _ := body["message"].(string); !strings.Contains(msg, "huvudanvändare") {
		t.Errorf("no role in Swedish = %q", msg)
	}
}

// tamper swaps the payload of a signed token for one naming someone else, keeping the signature.
func tamper(tok, oid string) string {
	parts := strings.Split(tok, ".")
	return parts[0] + "." + strings.TrimRight(b64(`{"oid":"`+oid+`"}`), "=") + "." + parts[2]
}

func TestScopeOfMainUserAndSupervisor(t *testing.T) {
	f := newFixture(t, false)
	holders := func(tok string) []string {
		status, body := f.get(t, "/tab/api/register", bearer(tok))
		if status != 200 {
			t.Fatalf("register: %d %v", status, body)
		}
		var out []string
		for _, it := range body["items"].([]any) {
			out = append(out, it.(map[string]any)["holder_name"].(string))
		}
		return out
	}
	if got := holders(f.token(mikael, nil)); strings.Join(got, ",") != "Elina Lindholm,Mikael Nordström,Oskar Berg" {
		t.Errorf("main user sees %q", got)
	}
	if got := holders(f.token(sami, nil)); strings.Join(got, ",") != "Elina Lindholm" {
		t.Errorf("supervisor sees %q", got)
	}
	if status, body := f.get(t, "/tab/api/person/"+elina, bearer(f.token(sami, nil))); status != 200 ||
		body["person"].(map[string]any)["name"] != "Elina Lindholm" || len(body["mandates"].([]any)) != 1 {
		t.Errorf("supervisor's own person: %d %v", status, body)
	}
	if status, body := f.get(t, "/tab/api/person/"+oskar, bearer(f.token(sami, nil))); status != 403 || body["error"] != "not_in_scope" {
		t.Errorf("supervisor opens someone else's person: %d %v", status, body)
	}
	status, body := f.get(t, "/tab/api/summary", bearer(f.token(sami, nil)))
	if c := body["counts"].(map[string]any); status != 200 || c["active"] != float64(1) {
		t.Errorf("supervisor's summary: %d %v", status, body)
	}
	status, body = f.get(t, "/tab/api/summary", bearer(f.token(mikael, nil)))
	if c := body["counts"].(map[string]any); status != 200 || c["active"] != float64(3) || len(body["months"].([]any)) != 12 {
		t.Errorf("main user's summary: %d %v", status, body)
	}
	if status, body := f.get(t, "/tab/api/register?state=lost", bearer(f.token(mikael, nil))); status != 400 {
		t.Errorf("a bad filter: %d %v", status, body)
	}
	if status, body := f.get(t, "/tab/api/register?q=lind&limit=1", bearer(f.token(mikael, nil))); status != 200 || len(body["items"].([]any)) != 1 || body["next"] != nil {
		t.Errorf("a name search: %d %v", status, body)
	}
}

func TestLocalModeIsLoopbackOnly(t *testing.T) {
	f := newFixture(t, true)
	if status, body := f.get(t, "/tab/api/me", map[string]string{tab.LocalHeader: mikael}); status != 200 || body["role"] != "main_user" {
		t.Errorf("local main user: %d %v", status, body)
	}
	if status, body := f.get(t, "/tab/api/me", nil); status != 401 {
		t.Errorf("local without a person: %d %v", status, body)
	}
	// A request that did not come from this machine is refused, whatever it says.
	h := f.srv.Config.Handler
	req := httptest.NewRequest(http.MethodGet, "/tab/api/me", nil)
	req.RemoteAddr = "10.1.2.3:4567"
	req.Header.Set(tab.LocalHeader, mikael)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "local_mode_loopback_only") {
		t.Errorf("local mode from another machine: %d %s", rec.Code, rec.Body)
	}
	// The page offers the main user and a supervisor to act as.
	res, err := f.srv.Client().Get(f.srv.URL + "/tab/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{`data-mode="local"`, "Mikael Nordström", "Sami Virtanen"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("local page lacks %q", want)
		}
	}
}

func TestPageAndAssetsAreServedHere(t *testing.T) {
	f := newFixture(t, false)
	for path, want := range map[string]string{
		"/tab/":               `src="/tab/static/vendor/MicrosoftTeams.min.js"`,
		"/tab/static/app.js":  "getAuthToken",
		"/tab/static/app.css": ":focus-visible",
		"/tab/static/vendor/MicrosoftTeams.min.js": "authentication",
	} {
		res, err := f.srv.Client().Get(f.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d, lacks %q", path, res.StatusCode, want)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("GET %s: CSP %q", path, csp)
		}
	}
	// The page loads nothing from anywhere else.
	res, _ := f.srv.Client().Get(f.srv.URL + "/tab/")
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if strings.Contains(string(page), "http://") || strings.Contains(string(page), "https://") {
		t.Errorf("the page names another origin:\n%s", page)
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// The management model is everyone's: a main user, a supervisor and a person with no role read it in their
// language, as a page with no script; without a token it is refused like the rest of the API.
func TestHandbookForEveryone(t *testing.T) {
	f := newFixture(t, false)
	for _, tc := range []struct {
		who, oid, locale, want string
	}{
		{"main user", mikael, "fi-FI", "Suomi.fi-valtuuksien hallintamalli"},
		{"supervisor", sami, "sv-SE", "Förvaltningsmodell för Suomi.fi-fullmakter"},
		{"no role", oskar, "en-GB", "Management model for Suomi.fi mandates"},
	} {
		res, body := f.raw(t, "/tab/api/handbook?locale="+tc.locale, bearer(f.token(tc.oid, nil)))
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %s", tc.who, res.StatusCode, body)
			continue
		}
		lang := tc.locale[:2]
		org := f.cat.Org.Name.In(domain.Lang(lang))
		for _, want := range []string{`<html lang="` + lang + `">`, "<h1>" + tc.want, org} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the handbook lacks %q", tc.who, want)
			}
		}
		if strings.Contains(strings.ToLower(body), "<script") {
			t.Errorf("%s: the handbook has a script", tc.who)
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", tc.who, ct)
		}
		csp := res.Header.Get("Content-Security-Policy")
		if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: headers %v", tc.who, res.Header)
		}
	}
	// The main user is named from the directory.
	if _, body := f.raw(t, "/tab/api/handbook", bearer(f.token(mikael, nil))); !strings.Contains(body, "Mikael Nordström") {
		t.Errorf("the handbook does not name the main user")
	}
	// The tab page's policy lets the handbook's own inline style through, and no other.
	res, body := f.raw(t, "/tab/api/handbook", bearer(f.token(oskar, nil)))
	_, css, _ := strings.Cut(body, "<style>")
	css, _, _ = strings.Cut(css, "</style>")
	sum := sha256.Sum256([]byte(css))
	hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	page, _ := f.raw(t, "/tab/", nil)
	if csp := page.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "style-src 'self' "+hash+";") ||
		!strings.Contains(res.Header.Get("Content-Security-Policy"), "style-src "+hash+";") {
		t.Errorf("the handbook's style %s is not allowed: page %q, handbook %q", hash, csp, res.Header.Get("Content-Security-Policy"))
	}
	for name, header := range map[string]map[string]string{
		"missing": nil,
		"invalid": {"Authorization": "Bearer " + tamper(f.token(oskar, nil), mikael)},
		"local":   {tab.LocalHeader: mikael},
	} {
		status, body := f.get(t, "/tab/api/handbook", header)
		if status != 401 || body["message"] == "" || body["message"] == nil {
			t.Errorf("%s token: %d %v", name, status, body)
		}
	}
}

// In the local mode a person with no role reads the handbook too; the page links to it.
func TestHandbookLocalMode(t *testing.T) {
	f := newFixture(t, true)
	res, body := f.raw(t, "/tab/api/handbook?locale=sv", map[string]string{tab.LocalHeader: oskar})
	if res.StatusCode != 200 || !strings.Contains(body, "Förvaltningsmodell") {
		t.Errorf("local handbook: %d", res.StatusCode)
	}
	_, page := f.raw(t, "/tab/?locale=fi", nil)
	if !strings.Contains(page, `href="#handbook">Hallintamalli</a>`) || !strings.Contains(page, `sandbox="allow-popups allow-popups-to-escape-sandbox"`) {
		t.Errorf("the page does not link to the handbook:\n%s", page)
	}
}

// raw GETs path and returns the response (its body read) and its body.
func (f *fixture) raw(t *testing.T, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, f.srv.URL+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res, string(raw)
}
