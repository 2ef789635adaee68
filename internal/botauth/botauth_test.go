package botauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

var baseTime = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

type fixture struct {
	idp   *fakeidp.Server
	v     *Validator
	clock *clock.Manual // shared by the validator and the fake IdP
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	clk := clock.NewManual(baseTime)
	idp := fakeidp.New(tb)
	idp.Now = clk.Now
	v, err := New(Config{
		AppID:       idp.AppID,
		MetadataURL: idp.MetadataURL,
		HTTPClient:  idp.Client(),
		Now:         clk.Now,
	})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return &fixture{idp: idp, v: v, clock: clk}
}

func (f *fixture) activity() schema.Activity {
	return schema.Activity{Type: "message", ChannelID: "msteams", ServiceURL: f.idp.ServiceURL}
}

// authenticate passes a credential provider that reports authentication as
// disabled, to show that it never weakens validation.
func (f *fixture) authenticate(act schema.Activity, header string) (auth.ClaimsIdentity, error) {
	return f.v.AuthenticateRequest(context.Background(), act, header, auth.SimpleCredentialProvider{}, "")
}

func TestAuthenticateRequest(t *testing.T) {
	f := newFixture(t)
	f.idp.AddHiddenKey("hidden")
	f.idp.AddKey("unendorsed")
	f.idp.AddKey("webchat-only", "webchat")
	now := f.clock.Now()
	appID := f.idp.AppID

	tamper := func(token string, part int) string {
		segs := strings.Split(token, ".")
		s := []byte(segs[part])
		// Change a character in the middle: the last base64 character may
		// carry only padding bits, so changing it might not change the bytes.
		i := len(s) / 2
		if s[i] == 'A' {
			s[i] = 'B'
		} else {
			s[i] = 'A'
		}
		segs[part] = string(s)
		return strings.Join(segs, ".")
	}
	valid := f.idp.Token(fakeidp.TokenOptions{})
	// A payload that claims another audience, keeping the original signature.
	otherPayload := strings.Split(f.idp.Token(fakeidp.TokenOptions{AppID: "another-bot"}), ".")[1]
	swappedPayload := strings.Split(valid, ".")
	swappedPayload[1] = otherPayload

	tests := []struct {
		name     string
		header   string
		activity func(*schema.Activity)
		want     error // nil: accepted
	}{
		{name: "valid control", header: f.idp.AuthHeader(fakeidp.TokenOptions{})},
		{name: "lower-case scheme", header: "bearer " + valid},
		{name: "no header", header: "", want: ErrMissingToken},
		{name: "blank header", header: "   ", want: ErrMissingToken},
		{name: "bearer without token", header: "Bearer ", want: ErrMissingToken},
		{name: "token without scheme", header: valid, want: errNotBearer},
		{name: "basic scheme", header: "Basic dXNlcjpwYXNz", want: errNotBearer},
		{name: "garbage", header: "Bearer not-a-jwt", want: errMalformed},
		{name: "garbage with dots", header: "Bearer a.b.c", want: errMalformed},
		{name: "four segments", header: "Bearer " + valid + ".x", want: errMalformed},
		{name: "alg none", header: f.idp.AuthHeader(fakeidp.TokenOptions{Alg: "none"}), want: errAlgorithm},
		{name: "HS256 keyed with the public key", header: f.idp.AuthHeader(fakeidp.TokenOptions{Alg: "HS256"}), want: errAlgorithm},
		{name: "RS384", header: f.idp.AuthHeader(fakeidp.TokenOptions{Alg: "RS384"}), want: errAlgorithm},
		{name: "RS512", header: f.idp.AuthHeader(fakeidp.TokenOptions{Alg: "RS512"}), want: errAlgorithm},
		{name: "PS256", header: f.idp.AuthHeader(fakeidp.TokenOptions{Alg: "PS256"}), want: errAlgorithm},
		{name: "ES256", header: f.idp.AuthHeader(fakeidp.TokenOptions{Alg: "ES256"}), want: errAlgorithm},
		{name: "no alg header", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraHeaders: map[string]any{"alg": nil}}), want: errAlgorithm},
		{name: "HS256 relabelled as RS256", header: f.idp.AuthHeader(fakeidp.TokenOptions{Alg: "HS256", ExtraHeaders: map[string]any{"alg": "RS256"}}), want: errSignature},
		{name: "crit header", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraHeaders: map[string]any{"crit": []string{"exp"}}}), want: errCritHeader},
		{name: "no kid", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraHeaders: map[string]any{"kid": nil}}), want: errNoKeyID},
		{name: "numeric kid", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraHeaders: map[string]any{"kid": 1}}), want: errNoKeyID},
		{name: "unknown kid", header: f.idp.AuthHeader(fakeidp.TokenOptions{KeyID: "hidden"}), want: errUnknownKey},
		{name: "foreign key under a trusted kid", header: f.idp.AuthHeader(fakeidp.TokenOptions{KeyID: "hidden", HeaderKeyID: fakeidp.DefaultKeyID}), want: errSignature},
		{name: "tampered signature", header: "Bearer " + tamper(valid, 2), want: errSignature},
		{name: "tampered payload", header: "Bearer " + strings.Join(swappedPayload, "."), want: errSignature},
		{name: "expired", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExpiresAt: now.Add(-6 * time.Minute)}), want: errExpired},
		{name: "exp within leeway", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExpiresAt: now.Add(-4 * time.Minute)})},
		{name: "no exp", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"exp": nil}}), want: errNoExpiry},
		{name: "exp as string", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"exp": "2099-01-01"}}), want: errNoExpiry},
		{name: "exp absurdly far", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"exp": 1e300}}), want: errNoExpiry},
		{name: "nbf beyond leeway", header: f.idp.AuthHeader(fakeidp.TokenOptions{NotBefore: now.Add(6 * time.Minute)}), want: errNotYetValid},
		{name: "nbf within leeway", header: f.idp.AuthHeader(fakeidp.TokenOptions{NotBefore: now.Add(4 * time.Minute)})},
		{name: "nbf malformed", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"nbf": "soon"}}), want: errMalformed},
		{name: "iat in the future", header: f.idp.AuthHeader(fakeidp.TokenOptions{IssuedAt: now.Add(time.Hour)}), want: errNotYetValid},
		{name: "iat in the past", header: f.idp.AuthHeader(fakeidp.TokenOptions{IssuedAt: now.Add(-time.Minute)})},
		{name: "wrong aud", header: f.idp.AuthHeader(fakeidp.TokenOptions{AppID: "another-bot"}), want: errAudience},
		{name: "aud array with app id", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"aud": []string{"x", appID}}})},
		{name: "aud array without app id", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"aud": []string{"x", "y"}}}), want: errAudience},
		{name: "aud array with non-string", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"aud": []any{appID, 7}}}), want: errAudience},
		{name: "no aud", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"aud": nil}}), want: errAudience},
		{name: "wrong iss", header: f.idp.AuthHeader(fakeidp.TokenOptions{Issuer: "https://sts.windows.net/tenant/"}), want: errIssuer},
		{name: "look-alike iss", header: f.idp.AuthHeader(fakeidp.TokenOptions{Issuer: "https://api.botframework.com.evil.example"}), want: errIssuer},
		{name: "serviceurl missing", header: f.idp.AuthHeader(fakeidp.TokenOptions{OmitServiceURL: true}), want: errServiceURL},
		{name: "serviceurl not a string", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"serviceurl": 1}}), want: errServiceURL},
		{name: "serviceurl different", header: f.idp.AuthHeader(fakeidp.TokenOptions{ServiceURL: "https://smba.trafficmanager.net/amer/"}), want: errServiceURL},
		{name: "serviceurl different case", header: f.idp.AuthHeader(fakeidp.TokenOptions{ServiceURL: strings.ToUpper(fakeidp.DefaultServiceURL)}), want: errServiceURL},
		{name: "serviceurl trailing slash differs", header: f.idp.AuthHeader(fakeidp.TokenOptions{ServiceURL: strings.TrimSuffix(fakeidp.DefaultServiceURL, "/")})},
		{
			name:     "activity without serviceUrl",
			header:   f.idp.AuthHeader(fakeidp.TokenOptions{ServiceURL: "/"}),
			activity: func(a *schema.Activity) { a.ServiceURL = "" },
			want:     errServiceURL,
		},
		{name: "key not endorsed for any channel", header: f.idp.AuthHeader(fakeidp.TokenOptions{KeyID: "unendorsed"}), want: errNotEndorsed},
		{name: "key endorsed for another channel", header: f.idp.AuthHeader(fakeidp.TokenOptions{KeyID: "webchat-only"}), want: errNotEndorsed},
		{
			name:     "activity claims a channel the key is not endorsed for",
			header:   f.idp.AuthHeader(fakeidp.TokenOptions{}),
			activity: func(a *schema.Activity) { a.ChannelID = "webchat" },
			want:     errNotEndorsed,
		},
		{
			name:     "activity without channel id",
			header:   f.idp.AuthHeader(fakeidp.TokenOptions{}),
			activity: func(a *schema.Activity) { a.ChannelID = "" },
			want:     errNotEndorsed,
		},
		{name: "oversized header", header: f.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"pad": strings.Repeat("x", DefaultMaxHeaderBytes)}}), want: errHeaderTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			act := f.activity()
			if tt.activity != nil {
				tt.activity(&act)
			}
			id, err := f.authenticate(act, tt.header)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("rejected a valid token: %v", err)
				}
				if !id.IsAuthenticated() || id.GetClaimValue("aud") != appID || id.GetClaimValue("serviceurl") == "" {
					t.Errorf("identity: authenticated=%v aud=%q serviceurl=%q",
						id.IsAuthenticated(), id.GetClaimValue("aud"), id.GetClaimValue("serviceurl"))
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if id != nil {
				t.Errorf("identity %v returned with an error", id)
			}
			// 401 versus 403 at the edge depends on exactly one sentinel matching.
			if missing, invalid := errors.Is(err, ErrMissingToken), errors.Is(err, ErrInvalidToken); missing == invalid {
				t.Errorf("err %v: ErrMissingToken=%v ErrInvalidToken=%v, want exactly one", err, missing, invalid)
			}
			assertNoTokenInError(t, err, tt.header)
		})
	}
	// The table ran on one validator: everything came from the first fetch.
	if got := f.idp.MetadataHits(); got != 1 {
		t.Errorf("metadata fetched %d times, want 1", got)
	}
}

// assertNoTokenInError fails if err is not one of the fixed messages, or if
// any token segment of header appears in it.
func assertNoTokenInError(t *testing.T, err error, header string) {
	t.Helper()
	if !isFixedMessage(err) {
		t.Fatalf("error %q is not one of the fixed messages", err)
	}
	_, token, _ := strings.Cut(strings.TrimSpace(header), " ")
	for _, seg := range strings.Split(token, ".") {
		if len(seg) >= 8 && strings.Contains(err.Error(), seg) {
			t.Fatalf("error %q contains part of the token", err)
		}
	}
}

// isFixedMessage reports whether err's text comes from the fixed vocabulary,
// which by construction cannot carry request data.
func isFixedMessage(err error) bool {
	reasons := []error{
		ErrMissingToken, errHeaderTooLarge, errNotBearer, errMalformed, errAlgorithm, errCritHeader,
		errNoKeyID, errUnknownKey, errKeysUnavailable, errSignature, errIssuer, errAudience, errNoExpiry,
		errExpired, errNotYetValid, errServiceURL, errNotEndorsed, errInternalKeyCheck,
	}
	for _, r := range reasons {
		if err.Error() == "botauth: authenticate request: "+r.Error() {
			return true
		}
	}
	return false
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func TestIdentityClaims(t *testing.T) {
	f := newFixture(t)
	header := f.idp.AuthHeader(fakeidp.TokenOptions{
		ExtraClaims: map[string]any{"aud": []string{"other", f.idp.AppID}, "tid": "tenant-1"},
	})
	ci, err := f.authenticate(f.activity(), header)
	if err != nil {
		t.Fatal(err)
	}
	id, ok := ci.(*Identity)
	if !ok {
		t.Fatalf("identity type %T, want *Identity", ci)
	}
	checks := map[string]string{
		"aud":        f.idp.AppID, // reduced from the array to the verified audience
		"tid":        "tenant-1",
		"exp":        fmt.Sprint(baseTime.Add(time.Hour).Unix()),
		"serviceurl": f.idp.ServiceURL,
		"absent":     "", // the library's DefaultClaimIdentity would panic here
	}
	for name, want := range checks {
		if got := id.GetClaimValue(name); got != want {
			t.Errorf("GetClaimValue(%q) = %q, want %q", name, got, want)
		}
	}
	if id.AppID() != f.idp.AppID || id.ServiceURL() != f.idp.ServiceURL {
		t.Errorf("AppID()=%q ServiceURL()=%q", id.AppID(), id.ServiceURL())
	}
	claims := id.Claims()
	claims["tid"] = "changed"
	if id.GetClaimValue("tid") != "tenant-1" {
		t.Error("Claims() exposed the identity's own map")
	}
	var nilID *Identity
	if nilID.IsAuthenticated() || nilID.GetClaimValue("aud") != "" || nilID.Claims() != nil {
		t.Error("nil *Identity must be unauthenticated and empty")
	}
}

func TestNewValidatesConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no app id":             {},
		"blank app id":          {AppID: "  "},
		"relative metadata URL": {AppID: "a", MetadataURL: "/v1/.well-known/openidconfiguration"},
		"ftp metadata URL":      {AppID: "a", MetadataURL: "ftp://login.botframework.com/x"},
		"negative leeway":       {AppID: "a", Leeway: -time.Second},
		"negative max header":   {AppID: "a", MaxHeaderBytes: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: New accepted %+v", name, cfg)
		}
	}
	v, err := New(Config{AppID: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if v.metadataURL != DefaultMetadataURL || v.issuer != DefaultIssuer || v.leeway != DefaultLeeway ||
		v.maxHeaderBytes != DefaultMaxHeaderBytes || v.httpClient.Timeout != defaultHTTPTimeout {
		t.Errorf("defaults not applied: %+v", v)
	}
}

func TestMaxHeaderBytesConfigurable(t *testing.T) {
	f := newFixture(t)
	header := f.idp.AuthHeader(fakeidp.TokenOptions{})
	v, err := New(Config{AppID: f.idp.AppID, MetadataURL: f.idp.MetadataURL, HTTPClient: f.idp.Client(), Now: f.clock.Now, MaxHeaderBytes: len(header) - 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.AuthenticateRequest(context.Background(), f.activity(), header, nil, ""); !errors.Is(err, errHeaderTooLarge) {
		t.Fatalf("err = %v, want errHeaderTooLarge", err)
	}
	if f.idp.MetadataHits() != 0 {
		t.Error("an oversized header caused a key fetch")
	}
}

func TestLeewayConfigurable(t *testing.T) {
	f := newFixture(t)
	v, err := New(Config{AppID: f.idp.AppID, MetadataURL: f.idp.MetadataURL, HTTPClient: f.idp.Client(), Now: f.clock.Now, Leeway: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	header := f.idp.AuthHeader(fakeidp.TokenOptions{ExpiresAt: baseTime.Add(-2 * time.Minute)})
	if _, err := v.AuthenticateRequest(context.Background(), f.activity(), header, nil, ""); !errors.Is(err, errExpired) {
		t.Fatalf("err = %v, want errExpired with a 1 minute leeway", err)
	}
}

func TestKeysAreCached(t *testing.T) {
	f := newFixture(t)
	header := f.idp.AuthHeader(fakeidp.TokenOptions{})
	for i := range 50 {
		if _, err := f.authenticate(f.activity(), header); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		f.clock.Advance(time.Minute) // well inside keysMaxAge, past minRefetchInterval
	}
	if m, k := f.idp.MetadataHits(), f.idp.JWKSHits(); m != 1 || k != 1 {
		t.Errorf("fetched metadata %d and JWKS %d times for 50 requests, want 1 and 1", m, k)
	}
}

func TestFirstUseConcurrentFetchesOnce(t *testing.T) {
	f := newFixture(t)
	header := f.idp.AuthHeader(fakeidp.TokenOptions{})
	errs := make(chan error, 64)
	var start sync.WaitGroup
	start.Add(1)
	var wg sync.WaitGroup
	for range cap(errs) {
		wg.Go(func() {
			start.Wait()
			_, err := f.authenticate(f.activity(), header)
			errs <- err
		})
	}
	start.Done()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent first use: %v", err)
		}
	}
	if m, k := f.idp.MetadataHits(), f.idp.JWKSHits(); m != 1 || k != 1 {
		t.Errorf("fetched metadata %d and JWKS %d times, want 1 and 1", m, k)
	}
}

func TestKeyRolloverPickedUpByRefetch(t *testing.T) {
	f := newFixture(t)
	if err := f.v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.idp.AddHiddenKey("next")
	next := f.idp.AuthHeader(fakeidp.TokenOptions{KeyID: "next"})

	// The IdP does not serve the key yet: refetching cannot help.
	f.clock.Advance(minRefetchInterval)
	if _, err := f.authenticate(f.activity(), next); !errors.Is(err, errUnknownKey) {
		t.Fatalf("unpublished key: err = %v, want errUnknownKey", err)
	}
	if got := f.idp.JWKSHits(); got != 2 {
		t.Fatalf("JWKS hits = %d, want 2 (Refresh + one refetch for the unknown kid)", got)
	}

	// The IdP rolls over, but we fetched moments ago: the refetch is rate limited.
	f.idp.Publish("next", "msteams")
	f.clock.Advance(minRefetchInterval - time.Second)
	if _, err := f.authenticate(f.activity(), next); !errors.Is(err, errUnknownKey) {
		t.Fatalf("within the refetch interval: err = %v, want errUnknownKey", err)
	}
	if got := f.idp.JWKSHits(); got != 2 {
		t.Fatalf("JWKS hits = %d, want still 2", got)
	}

	// Once the interval has passed, the unknown kid triggers a refetch that finds it.
	f.clock.Advance(time.Second)
	if _, err := f.authenticate(f.activity(), f.idp.AuthHeader(fakeidp.TokenOptions{KeyID: "next"})); err != nil {
		t.Fatalf("after rollover: %v", err)
	}
	if m, k := f.idp.MetadataHits(), f.idp.JWKSHits(); m != 3 || k != 3 {
		t.Errorf("hits = %d metadata, %d JWKS; want 3 and 3", m, k)
	}
	// The old key keeps working, without further fetches.
	if _, err := f.authenticate(f.activity(), f.idp.AuthHeader(fakeidp.TokenOptions{})); err != nil || f.idp.JWKSHits() != 3 {
		t.Errorf("old key after rollover: err %v, JWKS hits %d", err, f.idp.JWKSHits())
	}
}

func TestRefetchStormIsBounded(t *testing.T) {
	f := newFixture(t)
	if err := f.v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Each request carries a different made-up kid, so a per-kid limit would
	// not stop it; tokens are minted up front because fakeidp is not meant to
	// be called from other goroutines.
	headers := make([]string, 200)
	for i := range headers {
		headers[i] = f.idp.AuthHeader(fakeidp.TokenOptions{HeaderKeyID: fmt.Sprintf("garbage-%d", i)})
	}
	storm := func() {
		t.Helper()
		var wg sync.WaitGroup
		for _, h := range headers {
			wg.Go(func() {
				if _, err := f.authenticate(f.activity(), h); !errors.Is(err, errUnknownKey) {
					t.Errorf("garbage kid: err = %v, want errUnknownKey", err)
				}
			})
		}
		wg.Wait()
	}

	storm() // right after Refresh: no fetch at all
	if got := f.idp.JWKSHits(); got != 1 {
		t.Fatalf("JWKS hits = %d after a storm right after Refresh, want 1", got)
	}
	f.clock.Advance(minRefetchInterval)
	storm() // one shared refetch for the whole storm
	storm()
	if m, k := f.idp.MetadataHits(), f.idp.JWKSHits(); m != 2 || k != 2 {
		t.Fatalf("hits = %d metadata, %d JWKS after storms, want 2 and 2", m, k)
	}
	f.clock.Advance(minRefetchInterval)
	storm()
	if got := f.idp.JWKSHits(); got != 3 {
		t.Fatalf("JWKS hits = %d, want 3 (one per interval)", got)
	}
}

// waitFor polls cond until it holds or a generous deadline passes; used for
// the background refresh, whose completion has no other observable signal.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestStaleKeysRefreshedInBackground(t *testing.T) {
	f := newFixture(t)
	if _, err := f.authenticate(f.activity(), f.idp.AuthHeader(fakeidp.TokenOptions{})); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(keysMaxAge)
	// Stale keys still validate; the request does not wait for the refresh.
	if _, err := f.authenticate(f.activity(), f.idp.AuthHeader(fakeidp.TokenOptions{})); err != nil {
		t.Fatalf("with stale keys: %v", err)
	}
	waitFor(t, "background JWKS refresh", func() bool { return f.idp.JWKSHits() == 2 })
	waitFor(t, "refreshed key set", func() bool { return f.clock.Now().Sub(f.v.currentKeys().fetchedAt) == 0 })
	if _, err := f.authenticate(f.activity(), f.idp.AuthHeader(fakeidp.TokenOptions{})); err != nil || f.idp.JWKSHits() != 2 {
		t.Errorf("after refresh: err %v, JWKS hits %d (want no further fetch)", err, f.idp.JWKSHits())
	}
}

func TestIdPOutageKeepsCachedKeys(t *testing.T) {
	f := newFixture(t)
	if err := f.v.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.idp.SetFailing(true)
	if err := f.v.Refresh(context.Background()); err == nil {
		t.Fatal("Refresh succeeded against a failing IdP")
	}
	if f.v.currentKeys() == nil {
		t.Fatal("a failed refresh dropped the cached keys")
	}

	f.clock.Advance(keysMaxAge)
	header := f.idp.AuthHeader(fakeidp.TokenOptions{})
	if _, err := f.authenticate(f.activity(), header); err != nil {
		t.Fatalf("stale keys during outage: %v", err)
	}
	waitFor(t, "background refresh attempt", func() bool { return f.idp.MetadataHits() == 3 })
	// Further requests in the same interval neither fail nor hammer the IdP.
	for range 20 {
		if _, err := f.authenticate(f.activity(), header); err != nil {
			t.Fatalf("stale keys during outage: %v", err)
		}
	}
	if got := f.idp.MetadataHits(); got != 3 {
		t.Errorf("metadata hits = %d during outage, want 3", got)
	}
}

func TestIdPDownAtStart(t *testing.T) {
	f := newFixture(t)
	f.idp.SetFailing(true)
	header := f.idp.AuthHeader(fakeidp.TokenOptions{})
	for range 3 {
		if _, err := f.authenticate(f.activity(), header); !errors.Is(err, errKeysUnavailable) {
			t.Fatalf("err = %v, want errKeysUnavailable", err)
		}
	}
	if got := f.idp.MetadataHits(); got != 1 {
		t.Errorf("metadata hits = %d, want 1 (later attempts rate limited)", got)
	}
	f.idp.SetFailing(false)
	if err := f.v.Refresh(context.Background()); err != nil {
		t.Fatalf("Refresh after recovery: %v", err)
	}
	if _, err := f.authenticate(f.activity(), header); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestCanceledContextStartsNoFetch(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := f.v.AuthenticateRequest(ctx, f.activity(), f.idp.AuthHeader(fakeidp.TokenOptions{}), nil, "")
	if !errors.Is(err, errKeysUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want errKeysUnavailable and context.Canceled", err)
	}
	if f.idp.MetadataHits() != 0 {
		t.Error("a canceled request started a fetch")
	}
}

func TestConcurrentUse(t *testing.T) {
	f := newFixture(t)
	f.idp.AddHiddenKey("hidden")
	type req struct {
		header string
		want   error
	}
	reqs := []req{
		{f.idp.AuthHeader(fakeidp.TokenOptions{ExpiresAt: baseTime.Add(48 * time.Hour)}), nil},
		{f.idp.AuthHeader(fakeidp.TokenOptions{KeyID: "hidden"}), errUnknownKey},
		{f.idp.AuthHeader(fakeidp.TokenOptions{AppID: "other"}), errAudience},
		{f.idp.AuthHeader(fakeidp.TokenOptions{Alg: "HS256"}), errAlgorithm},
		{"Bearer garbage", errMalformed},
		{"", ErrMissingToken},
	}
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Go(func() {
			for i := range 25 {
				r := reqs[(g+i)%len(reqs)]
				if g == 0 {
					// Move time along (past refetch intervals and keysMaxAge) while others validate.
					f.clock.Advance(time.Hour)
				}
				_, err := f.authenticate(f.activity(), r.header)
				if (r.want == nil && err != nil) || (r.want != nil && !errors.Is(err, r.want)) {
					t.Errorf("goroutine %d: err = %v, want %v", g, err, r.want)
				}
			}
		})
	}
	wg.Wait()
}

func TestParseJWKS(t *testing.T) {
	f := newFixture(t)
	pub := f.idp.PublicKey(fakeidp.DefaultKeyID)
	n := b64(pub.N.Bytes())
	small := b64(make([]byte, 128)) // 0 bits
	doc := fmt.Sprintf(`{"keys":[
		{"kty":"RSA","kid":"ok","n":%q,"e":"AQAB","endorsements":["msteams","webchat"]},
		{"kty":"RSA","kid":"padded","n":%q,"e":"AQAB="},
		{"kty":"RSA","kid":"ok","n":%q,"e":"AQAB","endorsements":["dup"]},
		{"kty":"EC","kid":"ec","crv":"P-256","x":"AA","y":"AA"},
		{"kty":"RSA","kid":"enc","use":"enc","n":%q,"e":"AQAB"},
		{"kty":"RSA","kid":"rs512","alg":"RS512","n":%q,"e":"AQAB"},
		{"kty":"RSA","kid":"weak","n":%q,"e":"AQAB"},
		{"kty":"RSA","kid":"even-e","n":%q,"e":"AQAA"},
		{"kty":"RSA","kid":"bad-b64","n":"***","e":"AQAB"},
		{"kty":"RSA","kid":"bad-endorsements","n":%q,"e":"AQAB","endorsements":[1]},
		{"kty":"RSA","n":%q,"e":"AQAB"},
		"not an object"
	]}`, n, n, n, n, n, small, n, n, n)
	var d jwksDocument
	if err := jsonUnmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	keys, skipped := d.signingKeys()
	if len(keys) != 2 || keys["ok"] == nil || keys["padded"] == nil || skipped != 10 {
		t.Fatalf("keys %v, skipped %d; want ok and padded, 10 skipped", keys, skipped)
	}
	if !keys["ok"].pub.Equal(pub) || !keys["ok"].endorses("webchat") || keys["ok"].endorses("dup") || keys["padded"].endorses("msteams") {
		t.Errorf("key ok = %+v", keys["ok"])
	}
}

func TestCheckJWKSURL(t *testing.T) {
	v, err := New(Config{AppID: "a"}) // https metadata
	if err != nil {
		t.Fatal(err)
	}
	for raw, ok := range map[string]bool{
		"https://login.botframework.com/v1/.well-known/keys": true,
		"http://login.botframework.com/v1/.well-known/keys":  false, // downgrade
		"/v1/.well-known/keys":                               false,
		"":                                                   false,
		"file:///etc/passwd":                                 false,
	} {
		if _, err := v.checkJWKSURL(raw); (err == nil) != ok {
			t.Errorf("checkJWKSURL(%q): err = %v, want ok=%v", raw, err, ok)
		}
	}
}

// FuzzAuthenticate checks that no header/activity combination panics, that
// every failure maps to exactly one sentinel, that no error echoes the token,
// and that anything accepted really matches the activity.
func FuzzAuthenticate(f *testing.F) {
	fx := newFixture(f)
	fx.idp.AddKey("webchat-only", "webchat")
	valid := fx.idp.AuthHeader(fakeidp.TokenOptions{})
	for _, h := range []string{
		valid,
		"", "Bearer", "Bearer ", "bearer x", "Basic abc", "Bearer a.b.c", "Bearer ..", "Bearer a.b.c.d",
		fx.idp.AuthHeader(fakeidp.TokenOptions{Alg: "none"}),
		fx.idp.AuthHeader(fakeidp.TokenOptions{Alg: "HS256"}),
		fx.idp.AuthHeader(fakeidp.TokenOptions{KeyID: "webchat-only"}),
		fx.idp.AuthHeader(fakeidp.TokenOptions{OmitServiceURL: true}),
		fx.idp.AuthHeader(fakeidp.TokenOptions{ExtraClaims: map[string]any{"aud": []any{1, nil}, "exp": "x", "nbf": []int{1}}}),
		fx.idp.AuthHeader(fakeidp.TokenOptions{ExtraHeaders: map[string]any{"kid": []string{"x"}, "crit": nil}}),
		"Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6e319.e30.AAAA",
	} {
		f.Add(h, "msteams", fakeidp.DefaultServiceURL)
	}
	f.Add(valid, "webchat", "https://smba.trafficmanager.net/emea")
	f.Add(valid, "", "")

	f.Fuzz(func(t *testing.T, header, channelID, serviceURL string) {
		act := schema.Activity{ChannelID: channelID, ServiceURL: serviceURL}
		id, err := fx.authenticate(act, header)
		if err != nil {
			if id != nil {
				t.Fatalf("identity with error %v", err)
			}
			if errors.Is(err, ErrMissingToken) == errors.Is(err, ErrInvalidToken) {
				t.Fatalf("err %v matches neither or both sentinels", err)
			}
			if !isFixedMessage(err) {
				t.Fatalf("error %q is not one of the fixed messages", err)
			}
			return
		}
		if channelID != "msteams" && channelID != "webchat" {
			t.Fatalf("accepted channel %q", channelID)
		}
		if !sameServiceURL(id.GetClaimValue("serviceurl"), serviceURL) || id.GetClaimValue("aud") != fx.idp.AppID {
			t.Fatalf("accepted a token for another service URL or app")
		}
	})
}

func BenchmarkAuthenticate(b *testing.B) {
	f := newFixture(b)
	header := f.idp.AuthHeader(fakeidp.TokenOptions{})
	act := f.activity()
	if _, err := f.authenticate(act, header); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := f.v.AuthenticateRequest(context.Background(), act, header, nil, ""); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
