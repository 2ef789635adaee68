// Package fakeidp is an in-process fake of the Bot Framework identity provider
// (login.botframework.com) for tests: it serves the OpenID metadata document and
// a JWKS whose keys carry Bot Framework "endorsements", and it mints signed
// channel tokens like the ones the Bot Connector sends to a bot.
//
// Typical use:
//
//	idp := fakeidp.New(t)
//	v, _ := botauth.New(botauth.Config{AppID: idp.AppID, MetadataURL: idp.MetadataURL, HTTPClient: idp.Client()})
//	header := idp.AuthHeader(fakeidp.TokenOptions{}) // valid for idp.AppID and idp.ServiceURL
//
// It is a test helper: it fails the test (tb.Fatalf) on misuse instead of
// returning errors, so mint tokens on the test goroutine (the server itself
// and its hit counters are safe for concurrent use).
package fakeidp

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// Paths served, mirroring login.botframework.com.
const (
	MetadataPath = "/v1/.well-known/openidconfiguration"
	JWKSPath     = "/v1/.well-known/keys"
)

// Defaults that make TokenOptions{} produce a token valid for a Teams activity.
const (
	DefaultIssuer     = "https://api.botframework.com"
	DefaultAppID      = "00000000-0000-4000-8000-0000000b0770"
	DefaultServiceURL = "https://smba.trafficmanager.net/emea/"
	DefaultKeyID      = "fakeidp-key-1"
	ChannelMSTeams    = "msteams"
)

// Server is a running fake identity provider. Fields are read-only after New,
// except Now, which a test may replace before issuing tokens.
type Server struct {
	URL         string // base URL of the httptest server
	MetadataURL string // URL + MetadataPath: give this to the validator
	JWKSURL     string // URL + JWKSPath, as advertised in the metadata
	Issuer      string // "iss" of minted tokens and "issuer" of the metadata
	AppID       string // default "aud" of minted tokens
	ServiceURL  string // default "serviceurl" claim of minted tokens

	// Now is the clock used for default token times (default time.Now).
	// Set it before the server is used concurrently.
	Now func() time.Time

	tb  testing.TB
	srv *httptest.Server

	mu        sync.Mutex
	keys      map[string]*signingKey // every key that can sign, by kid
	published []string               // kids served in the JWKS, in order
	failing   bool

	metadataHits atomic.Int64
	jwksHits     atomic.Int64
}

type signingKey struct {
	priv         *rsa.PrivateKey
	endorsements []string
}

// New starts a fake IdP with one published RSA-2048 key (DefaultKeyID,
// endorsed for "msteams"). The server is closed by tb.Cleanup.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{
		Issuer:     DefaultIssuer,
		AppID:      DefaultAppID,
		ServiceURL: DefaultServiceURL,
		Now:        time.Now,
		tb:         tb,
		keys:       map[string]*signingKey{},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+MetadataPath, s.serveMetadata)
	mux.HandleFunc("GET "+JWKSPath, s.serveJWKS)
	s.srv = httptest.NewServer(mux)
	tb.Cleanup(s.srv.Close)

	s.URL = s.srv.URL
	s.MetadataURL = s.URL + MetadataPath
	s.JWKSURL = s.URL + JWKSPath
	s.AddKey(DefaultKeyID, ChannelMSTeams)
	return s
}

// Client returns an HTTP client suitable for talking to the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// AddKey creates a new signing key served in the JWKS from now on, endorsed
// for the given channel ids (none: a key the validator must refuse for any
// channel).
func (s *Server) AddKey(kid string, endorsements ...string) {
	s.tb.Helper()
	s.addKey(kid, true, endorsements)
}

// AddHiddenKey creates a key that can sign tokens but is not in the JWKS, so
// tokens signed with it carry a kid the validator cannot resolve.
func (s *Server) AddHiddenKey(kid string) {
	s.tb.Helper()
	s.addKey(kid, false, nil)
}

// Publish starts serving a key previously added with AddHiddenKey, as happens
// when the real IdP rolls over to a new key.
func (s *Server) Publish(kid string, endorsements ...string) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.keyLocked(kid)
	for _, p := range s.published {
		if p == kid {
			s.tb.Fatalf("fakeidp: Publish(%q): already published", kid)
		}
	}
	k.endorsements = append([]string(nil), endorsements...)
	s.published = append(s.published, kid)
}

// Unpublish withdraws a published key from the JWKS (the key itself still signs tokens): a rollover that retires
// a key.
func (s *Server) Unpublish(kid string) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range s.published {
		if p == kid {
			s.published = append(s.published[:i:i], s.published[i+1:]...)
			return
		}
	}
	s.tb.Fatalf("fakeidp: Unpublish(%q): not published", kid)
}

func (s *Server) addKey(kid string, publish bool, endorsements []string) {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if kid == "" {
		s.tb.Fatalf("fakeidp: empty key id")
	}
	if _, dup := s.keys[kid]; dup {
		s.tb.Fatalf("fakeidp: key %q already exists", kid)
	}
	// Each kid of one server gets a distinct RSA key, so a signature made with
	// one kid can never verify under another by accident.
	s.keys[kid] = &signingKey{priv: pooledRSAKey(len(s.keys)), endorsements: append([]string(nil), endorsements...)}
	if publish {
		s.published = append(s.published, kid)
	}
}

// SetFailing makes the metadata and JWKS endpoints answer 503 (true) or work
// again (false), to test behaviour while the IdP is down.
func (s *Server) SetFailing(failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = failing
}

// MetadataHits reports how many times the metadata document was requested.
func (s *Server) MetadataHits() int { return int(s.metadataHits.Load()) }

// JWKSHits reports how many times the JWKS was requested.
func (s *Server) JWKSHits() int { return int(s.jwksHits.Load()) }

// PublicKey returns the public half of the key with the given kid.
func (s *Server) PublicKey(kid string) *rsa.PublicKey {
	s.tb.Helper()
	return &s.key(kid).priv.PublicKey
}

func (s *Server) key(kid string) *signingKey {
	s.tb.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.keyLocked(kid)
}

// keyLocked returns the key with kid, failing the test when there is none. s.mu must be held.
func (s *Server) keyLocked(kid string) *signingKey {
	s.tb.Helper()
	k, ok := s.keys[kid]
	if !ok {
		s.tb.Fatalf("fakeidp: no key %q", kid)
	}
	return k
}

func (s *Server) isFailing() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failing
}

func (s *Server) serveMetadata(w http.ResponseWriter, _ *http.Request) {
	s.metadataHits.Add(1)
	if s.isFailing() {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	// The fields login.botframework.com publishes; validators only need jwks_uri.
	writeJSON(w, map[string]any{
		"issuer":                                s.Issuer,
		"authorization_endpoint":                "https://invalid.botframework.com",
		"jwks_uri":                              s.JWKSURL,
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"private_key_jwt"},
	})
}

// jwk is one entry of the JWKS, with Bot Framework's extra "endorsements".
type jwk struct {
	Kty          string   `json:"kty"`
	Use          string   `json:"use"`
	Kid          string   `json:"kid"`
	N            string   `json:"n"`
	E            string   `json:"e"`
	Endorsements []string `json:"endorsements"`
}

func (s *Server) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	s.jwksHits.Add(1)
	s.mu.Lock()
	failing := s.failing
	keys := make([]jwk, 0, len(s.published))
	for _, kid := range s.published {
		k := s.keys[kid]
		keys = append(keys, jwk{
			Kty:          "RSA",
			Use:          "sig",
			Kid:          kid,
			N:            base64.RawURLEncoding.EncodeToString(k.priv.N.Bytes()),
			E:            base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.priv.E)).Bytes()),
			Endorsements: append([]string{}, k.endorsements...), // [] rather than null when empty
		})
	}
	s.mu.Unlock()
	if failing {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, map[string]any{"keys": keys})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // a failed write just fails the client's read
}

// TokenOptions describe a token to mint. The zero value gives a valid channel
// token for s.AppID and s.ServiceURL, valid from one minute ago for one hour.
type TokenOptions struct {
	AppID      string // "aud"; default s.AppID
	ServiceURL string // "serviceurl"; default s.ServiceURL
	Issuer     string // "iss"; default s.Issuer
	KeyID      string // signing key; default DefaultKeyID

	// HeaderKeyID, when set, is written as the "kid" header instead of KeyID:
	// a token signed by one key that claims to come from another (forgery).
	HeaderKeyID string

	ExpiresAt time.Time // "exp"; default Now()+1h
	NotBefore time.Time // "nbf"; default Now()-1m
	IssuedAt  time.Time // "iat"; omitted when zero (Bot Framework omits it)

	OmitServiceURL bool

	// Alg is the signing algorithm: "" or "RS256" (default), "RS384", "RS512",
	// "PS256" (all with the RSA key), "HS256" (HMAC keyed with the PEM of the
	// RSA public key: the classic algorithm-confusion attack), "ES256" (a
	// throwaway P-256 key) or "none" (unsigned).
	Alg string

	// ExtraClaims are set after the standard ones and override them; a nil
	// value deletes the claim (e.g. "exp": nil for a token without expiry).
	ExtraClaims map[string]any
	// ExtraHeaders likewise override or (nil) delete JOSE header fields
	// ("kid": nil, "crit": [...]); the signature still uses Alg and KeyID.
	ExtraHeaders map[string]any
}

// Token mints a signed JWT.
func (s *Server) Token(o TokenOptions) string {
	s.tb.Helper()
	now := s.Now()
	claims := jwt.MapClaims{
		"iss":        orDefault(o.Issuer, s.Issuer),
		"aud":        orDefault(o.AppID, s.AppID),
		"serviceurl": orDefault(o.ServiceURL, s.ServiceURL),
		"exp":        orTime(o.ExpiresAt, now.Add(time.Hour)).Unix(),
		"nbf":        orTime(o.NotBefore, now.Add(-time.Minute)).Unix(),
	}
	if !o.IssuedAt.IsZero() {
		claims["iat"] = o.IssuedAt.Unix()
	}
	if o.OmitServiceURL {
		delete(claims, "serviceurl")
	}
	for k, v := range o.ExtraClaims {
		if v == nil {
			delete(claims, k)
			continue
		}
		claims[k] = v
	}

	kid := orDefault(o.KeyID, DefaultKeyID)
	priv := s.key(kid).priv
	var (
		method jwt.SigningMethod
		key    any = priv
	)
	switch o.Alg {
	case "", "RS256":
		method = jwt.SigningMethodRS256
	case "RS384":
		method = jwt.SigningMethodRS384
	case "RS512":
		method = jwt.SigningMethodRS512
	case "PS256":
		method = jwt.SigningMethodPS256
	case "HS256":
		method = jwt.SigningMethodHS256
		der, err := x509.MarshalPKIXPublicKey(&priv.PublicKey)
		if err != nil {
			s.tb.Fatalf("fakeidp: marshal public key: %v", err)
		}
		key = pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	case "ES256":
		method = jwt.SigningMethodES256
		key = pooledECKey()
	case "none":
		method = jwt.SigningMethodNone
		key = jwt.UnsafeAllowNoneSignatureType
	default:
		s.tb.Fatalf("fakeidp: unsupported alg %q", o.Alg)
	}

	tok := jwt.NewWithClaims(method, claims)
	tok.Header["kid"] = orDefault(o.HeaderKeyID, kid)
	for k, v := range o.ExtraHeaders {
		if v == nil {
			delete(tok.Header, k)
			continue
		}
		tok.Header[k] = v
	}
	signed, err := tok.SignedString(key)
	if err != nil {
		s.tb.Fatalf("fakeidp: sign token: %v", err)
	}
	return signed
}

// AuthHeader returns "Bearer " + s.Token(o), the Authorization header value.
func (s *Server) AuthHeader(o TokenOptions) string {
	s.tb.Helper()
	return "Bearer " + s.Token(o)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orTime(v, def time.Time) time.Time {
	if v.IsZero() {
		return def
	}
	return v
}

// RSA key generation takes hundreds of milliseconds under -race, so keys are
// generated once per process and shared by every Server (each Server still
// gives each of its kids a different key). A package-level cache is acceptable
// here because this is a test helper and the keys are immutable.
var keyPool struct {
	mu  sync.Mutex
	rsa []*rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

// pooledRSAKey returns the i-th pooled key, generating keys up to i on demand.
func pooledRSAKey(i int) *rsa.PrivateKey {
	keyPool.mu.Lock()
	defer keyPool.mu.Unlock()
	for len(keyPool.rsa) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("fakeidp: generate RSA key: " + err.Error()) // crypto/rand failing is not recoverable
		}
		keyPool.rsa = append(keyPool.rsa, k)
	}
	return keyPool.rsa[i]
}

func pooledECKey() *ecdsa.PrivateKey {
	keyPool.mu.Lock()
	defer keyPool.mu.Unlock()
	if keyPool.ec == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic("fakeidp: generate EC key: " + err.Error())
		}
		keyPool.ec = k
	}
	return keyPool.ec
}
