package fakeidp_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

func getJSON(t *testing.T, s *fakeidp.Server, url string, dst any) int {
	t.Helper()
	resp, err := s.Client().Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
			t.Fatalf("decode %s: %v", url, err)
		}
	}
	return resp.StatusCode
}

type jwks struct {
	Keys []struct {
		Kid          string   `json:"kid"`
		Kty          string   `json:"kty"`
		Endorsements []string `json:"endorsements"`
	} `json:"keys"`
}

func (j jwks) kids() []string {
	var out []string
	for _, k := range j.Keys {
		out = append(out, k.Kid)
	}
	return out
}

func TestServesMetadataAndKeys(t *testing.T) {
	s := fakeidp.New(t)
	s.AddKey("webchat-key", "webchat")
	s.AddHiddenKey("hidden")

	var meta struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if code := getJSON(t, s, s.MetadataURL, &meta); code != http.StatusOK {
		t.Fatalf("metadata: HTTP %d", code)
	}
	if meta.JWKSURI != s.JWKSURL || meta.Issuer != fakeidp.DefaultIssuer {
		t.Errorf("metadata = %+v", meta)
	}

	var set jwks
	getJSON(t, s, meta.JWKSURI, &set)
	if got, want := set.kids(), []string{fakeidp.DefaultKeyID, "webchat-key"}; !slices.Equal(got, want) {
		t.Errorf("JWKS kids = %v, want %v (hidden key must not be served)", got, want)
	}
	if got := set.Keys[0].Endorsements; !slices.Equal(got, []string{"msteams"}) {
		t.Errorf("default key endorsements = %v", got)
	}

	s.Publish("hidden", "msteams")
	getJSON(t, s, meta.JWKSURI, &set)
	if !slices.Contains(set.kids(), "hidden") {
		t.Errorf("published key missing: %v", set.kids())
	}
	if s.MetadataHits() != 1 || s.JWKSHits() != 2 {
		t.Errorf("hits = %d metadata, %d JWKS; want 1, 2", s.MetadataHits(), s.JWKSHits())
	}

	s.SetFailing(true)
	if code := getJSON(t, s, s.MetadataURL, &meta); code != http.StatusServiceUnavailable {
		t.Errorf("failing metadata: HTTP %d", code)
	}
}

func TestTokenIsVerifiableRS256(t *testing.T) {
	s := fakeidp.New(t)
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }

	raw := s.Token(fakeidp.TokenOptions{ExtraClaims: map[string]any{"nbf": nil, "custom": "x"}})
	claims := jwt.MapClaims{}
	tok, err := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation()).
		ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.PublicKey(fakeidp.DefaultKeyID), nil })
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if tok.Header["kid"] != fakeidp.DefaultKeyID {
		t.Errorf("kid = %v", tok.Header["kid"])
	}
	want := map[string]any{
		"iss": fakeidp.DefaultIssuer, "aud": fakeidp.DefaultAppID, "serviceurl": fakeidp.DefaultServiceURL,
		"exp": float64(now.Add(time.Hour).Unix()), "custom": "x",
	}
	for k, v := range want {
		if claims[k] != v {
			t.Errorf("claim %s = %v, want %v", k, claims[k], v)
		}
	}
	if _, ok := claims["nbf"]; ok {
		t.Error("nbf should have been deleted by a nil ExtraClaims value")
	}

	// Non-default algorithms are really what they say, so validators are
	// tested against the real thing.
	for _, alg := range []string{"RS384", "PS256", "HS256", "ES256", "none"} {
		tok, _, err := jwt.NewParser().ParseUnverified(s.Token(fakeidp.TokenOptions{Alg: alg}), jwt.MapClaims{})
		if err != nil || tok.Header["alg"] != alg {
			t.Errorf("alg %s: header %v, err %v", alg, tok.Header["alg"], err)
		}
	}
}
