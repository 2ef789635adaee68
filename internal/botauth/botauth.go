// Package botauth authenticates inbound Bot Framework requests: it validates
// the channel JWT that the Bot Connector (Teams) sends in the Authorization
// header, as described in "Authentication with the Bot Connector API".
//
// Validator implements msbotbuilder-go's auth.TokenValidator and replaces the
// library's stock validator, which refetches metadata on every request,
// ignores endorsements and clock skew, races on its key cache and panics on
// tokens without a serviceurl claim.
//
// Accepted tokens are RS256 only, signed by a key from the Bot Framework JWKS
// that is endorsed for the activity's channel, with iss, aud, exp/nbf (with
// leeway) and serviceurl checked. A missing token yields ErrMissingToken (HTTP
// 401 at the edge); every other failure wraps ErrInvalidToken (HTTP 403).
//
// The OpenID metadata and the JWKS are fetched without following any redirect,
// even to the same host: a 3xx fails the fetch, and the keys cached so far stay.
package botauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/schema"
	"golang.org/x/sync/singleflight"
)

// Defaults for Config.
const (
	DefaultMetadataURL    = "https://login.botframework.com/v1/.well-known/openidconfiguration"
	DefaultIssuer         = "https://api.botframework.com"
	DefaultLeeway         = 5 * time.Minute
	DefaultMaxHeaderBytes = 16 << 10
	defaultHTTPTimeout    = 10 * time.Second
)

// Key cache policy. Not configurable on purpose: they are protocol hygiene,
// not deployment choices.
const (
	// keysMaxAge is how long a fetched key set is used before a request
	// triggers a refresh. Microsoft rotates keys with overlap, so a day is
	// plenty; the unknown-kid path covers rotations in between.
	keysMaxAge = 24 * time.Hour
	// minRefetchInterval bounds request-triggered fetches globally (not per
	// kid: an attacker can mint unlimited fresh kids, so a per-kid limit would
	// still let garbage tokens turn us into an amplifier against the IdP).
	minRefetchInterval = 30 * time.Second
)

// Sentinel errors. Test with errors.Is.
var (
	// ErrMissingToken: no Authorization header or an empty bearer token.
	ErrMissingToken = errors.New("botauth: missing bearer token")
	// ErrInvalidToken: any other authentication failure.
	ErrInvalidToken = errors.New("botauth: invalid token")
)

// Reasons, each wrapping ErrInvalidToken. They are fixed strings on purpose:
// nothing from the request (token, kid, alg, claims) ends up in an error,
// since errors get logged.
var (
	errHeaderTooLarge   = fmt.Errorf("%w: authorization header too large", ErrInvalidToken)
	errNotBearer        = fmt.Errorf("%w: authorization scheme is not Bearer", ErrInvalidToken)
	errMalformed        = fmt.Errorf("%w: malformed token", ErrInvalidToken)
	errAlgorithm        = fmt.Errorf("%w: signing algorithm not allowed", ErrInvalidToken)
	errCritHeader       = fmt.Errorf("%w: unsupported critical header", ErrInvalidToken)
	errNoKeyID          = fmt.Errorf("%w: token has no key id", ErrInvalidToken)
	errUnknownKey       = fmt.Errorf("%w: signing key not found", ErrInvalidToken)
	errKeysUnavailable  = fmt.Errorf("%w: signing keys unavailable", ErrInvalidToken)
	errSignature        = fmt.Errorf("%w: invalid signature", ErrInvalidToken)
	errIssuer           = fmt.Errorf("%w: wrong issuer", ErrInvalidToken)
	errAudience         = fmt.Errorf("%w: wrong audience", ErrInvalidToken)
	errNoExpiry         = fmt.Errorf("%w: token has no valid exp", ErrInvalidToken)
	errExpired          = fmt.Errorf("%w: token expired", ErrInvalidToken)
	errNotYetValid      = fmt.Errorf("%w: token not yet valid", ErrInvalidToken)
	errServiceURL       = fmt.Errorf("%w: serviceurl claim does not match the activity", ErrInvalidToken)
	errNotEndorsed      = fmt.Errorf("%w: signing key not endorsed for the channel", ErrInvalidToken)
	errInternalKeyCheck = fmt.Errorf("%w: key lookup failed", ErrInvalidToken)
)

// Config configures a Validator. Zero fields take the documented defaults.
type Config struct {
	AppID          string           // required: the bot's Microsoft App ID, the expected "aud"
	MetadataURL    string           // OpenID metadata; default DefaultMetadataURL
	Issuer         string           // expected "iss"; default DefaultIssuer
	Leeway         time.Duration    // clock skew allowed on exp, nbf and iat; default 5m
	HTTPClient     *http.Client     // copied, never changed, and made to follow no redirect; default: a 10 s timeout
	Now            func() time.Time // clock for exp/nbf/iat and the key cache; default time.Now
	Logger         *slog.Logger     // key fetch events only, never tokens; default: discard
	MaxHeaderBytes int              // longer Authorization headers are rejected unparsed; default 16 KiB
}

// Validator validates Bot Framework channel tokens. It is safe for concurrent
// use; create one per process and share it, so the key cache is shared.
type Validator struct {
	appID          string
	metadataURL    string
	issuer         string
	leeway         time.Duration
	maxHeaderBytes int
	httpClient     *http.Client
	now            func() time.Time
	log            *slog.Logger
	parser         *jwt.Parser

	// flight collapses concurrent key fetches into one.
	flight singleflight.Group

	// verified are tokens whose signature checked out (verified.go).
	verified verifiedTokens

	mu          sync.Mutex
	keys        *keySet   // nil until the first successful fetch
	lastAttempt time.Time // last request-triggered or explicit fetch, for rate limiting
}

var _ auth.TokenValidator = (*Validator)(nil)

// New returns a Validator. It does no I/O: keys are fetched on first use or by
// an explicit Refresh.
func New(cfg Config) (*Validator, error) {
	v := &Validator{
		appID:          strings.TrimSpace(cfg.AppID),
		metadataURL:    cfg.MetadataURL,
		issuer:         cfg.Issuer,
		leeway:         cfg.Leeway,
		maxHeaderBytes: cfg.MaxHeaderBytes,
		httpClient:     fetchClient(cfg.HTTPClient),
		now:            cfg.Now,
		log:            cfg.Logger,
	}
	if v.appID == "" {
		return nil, errors.New("botauth: new validator: AppID is required")
	}
	if v.metadataURL == "" {
		v.metadataURL = DefaultMetadataURL
	}
	if u, err := url.Parse(v.metadataURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("botauth: new validator: MetadataURL %q is not an absolute http(s) URL", v.metadataURL)
	}
	if v.issuer == "" {
		v.issuer = DefaultIssuer
	}
	switch {
	case v.leeway < 0:
		return nil, errors.New("botauth: new validator: Leeway must not be negative")
	case v.leeway == 0:
		v.leeway = DefaultLeeway
	}
	switch {
	case v.maxHeaderBytes < 0:
		return nil, errors.New("botauth: new validator: MaxHeaderBytes must not be negative")
	case v.maxHeaderBytes == 0:
		v.maxHeaderBytes = DefaultMaxHeaderBytes
	}
	if v.now == nil {
		v.now = time.Now
	}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	// Claims are validated by hand below (golang-jwt v4 has no leeway), so the
	// parser only checks structure, algorithm and signature. JSON numbers keep
	// exp/nbf exact instead of rounding through float64.
	v.parser = jwt.NewParser(
		jwt.WithValidMethods([]string{"RS256"}),
		jwt.WithJSONNumber(),
		jwt.WithoutClaimsValidation(),
	)
	return v, nil
}

// AuthenticateRequest validates authHeader for activity and returns the
// token's claims as an *Identity.
//
// credentials and channelService are ignored: the expected audience is
// Config.AppID, so a credential provider that reports authentication as
// "disabled" cannot switch validation off (the unauthenticated local mode is
// decided at the HTTP edge, not here), and other clouds are supported by
// configuring MetadataURL and Issuer.
func (v *Validator) AuthenticateRequest(ctx context.Context, activity schema.Activity, authHeader string, _ auth.CredentialProvider, _ string) (auth.ClaimsIdentity, error) {
	id, err := v.authenticate(ctx, activity, authHeader)
	if err != nil {
		return nil, fmt.Errorf("botauth: authenticate request: %w", err)
	}
	return id, nil
}

func (v *Validator) authenticate(ctx context.Context, activity schema.Activity, authHeader string) (*Identity, error) {
	// Check the size before anything else touches the header.
	if len(authHeader) > v.maxHeaderBytes {
		return nil, errHeaderTooLarge
	}
	raw, err := bearerToken(authHeader)
	if err != nil {
		return nil, err
	}

	var claims jwt.MapClaims
	var key *signingKey // the key that verified the signature
	if e, ok := v.verified.get(raw); ok && v.keyCurrent(e.kid, e.key) {
		claims, key = e.claims, e.key
	} else if claims, key, err = v.verify(ctx, raw); err != nil {
		return nil, err
	}
	if err := v.checkClaims(claims, activity); err != nil {
		return nil, err
	}
	// The channel id is only trustworthy if the key that signed this token is
	// endorsed for it; otherwise a token for one channel could be replayed with
	// an activity claiming another.
	if !key.endorses(activity.ChannelID) {
		return nil, errNotEndorsed
	}
	return newIdentity(claims, v.appID), nil
}

// verify checks the token's signature and form (not yet its claims) and remembers it as verified.
func (v *Validator) verify(ctx context.Context, raw string) (jwt.MapClaims, *signingKey, error) {
	var key *signingKey // the key that verified the signature
	var kid string
	token, err := v.parser.Parse(raw, func(t *jwt.Token) (any, error) {
		// Reached only for alg RS256 (WithValidMethods runs first).
		if _, ok := t.Header["crit"]; ok {
			// RFC 7515 §4.1.11: we understand no extensions, so must reject.
			return nil, errCritHeader
		}
		kid, _ = t.Header["kid"].(string)
		if kid == "" {
			return nil, errNoKeyID
		}
		k, err := v.signingKey(ctx, kid)
		if err != nil {
			return nil, err
		}
		key = k
		return k.pub, nil
	})
	if err != nil {
		return nil, nil, classifyParseError(token, err)
	}
	claims, ok := token.Claims.(jwt.MapClaims)
	if !ok || key == nil {
		return nil, nil, errInternalKeyCheck // unreachable with the parser above; never trust a nil key
	}
	v.verified.put(raw, verified{claims: claims, kid: kid, key: key})
	return claims, key, nil
}

// bearerToken extracts the token from "Bearer <token>". The scheme is matched
// case-insensitively (RFC 9110 §11.1).
func bearerToken(header string) (string, error) {
	header = strings.TrimSpace(header)
	if header == "" {
		return "", ErrMissingToken
	}
	scheme, token, _ := strings.Cut(header, " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errNotBearer
	}
	token = strings.TrimSpace(token)
	if token == "" {
		return "", ErrMissingToken
	}
	return token, nil
}

// classifyParseError maps golang-jwt errors to our fixed reasons, so that no
// attacker-controlled text (such as an alg value) is propagated.
func classifyParseError(token *jwt.Token, err error) error {
	var ve *jwt.ValidationError
	if errors.As(err, &ve) && ve.Inner != nil {
		// Errors returned by our key func are already reasons.
		if errors.Is(ve.Inner, ErrInvalidToken) {
			return ve.Inner
		}
	}
	if token != nil {
		if alg, ok := token.Header["alg"].(string); ok && alg != "RS256" {
			return errAlgorithm
		}
	}
	if ve != nil && ve.Errors&jwt.ValidationErrorSignatureInvalid != 0 {
		return errSignature
	}
	if ve != nil && ve.Errors&jwt.ValidationErrorUnverifiable != 0 {
		// e.g. no alg header at all.
		return errAlgorithm
	}
	return errMalformed
}

func (v *Validator) checkClaims(c jwt.MapClaims, activity schema.Activity) error {
	if iss, _ := c["iss"].(string); iss != v.issuer {
		return errIssuer
	}
	if !audienceContains(c["aud"], v.appID) {
		return errAudience
	}

	now := v.now()
	exp, ok := numericDate(c["exp"])
	if !ok {
		return errNoExpiry
	}
	if now.After(exp.Add(v.leeway)) {
		return errExpired
	}
	// nbf and iat are optional, but if present they must be well-formed.
	for _, name := range []string{"nbf", "iat"} {
		raw, present := c[name]
		if !present {
			continue
		}
		t, ok := numericDate(raw)
		if !ok {
			return errMalformed
		}
		if t.Add(-v.leeway).After(now) {
			return errNotYetValid
		}
	}

	if su, _ := c["serviceurl"].(string); su == "" || !sameServiceURL(su, activity.ServiceURL) {
		return errServiceURL
	}
	return nil
}

// audienceContains accepts "aud" as a string or an array of strings (RFC 7519
// §4.1.3). An array with a non-string member is malformed and rejected.
func audienceContains(aud any, appID string) bool {
	switch a := aud.(type) {
	case string:
		return a == appID
	case []any:
		found := false
		for _, e := range a {
			s, ok := e.(string)
			if !ok {
				return false
			}
			found = found || s == appID
		}
		return found
	default:
		return false
	}
}

// numericDate converts a JSON NumericDate (seconds, possibly fractional) to a
// time. Values outside ±10^11 s (year ~5000) are treated as malformed, which
// also keeps the conversion clear of float→int overflow.
func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number) // the parser uses WithJSONNumber
	if !ok {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f < -1e11 || f > 1e11 {
		return time.Time{}, false
	}
	sec := int64(f)
	return time.Unix(sec, int64((f-float64(sec))*1e9)), true
}

// sameServiceURL compares exactly, except that one trailing slash is
// ignored: Teams sends "https://smba.trafficmanager.net/emea/" while some
// channels drop the slash, and both denote the same endpoint. No other
// normalisation (case, ports, paths) is done, so nothing lookalike passes.
func sameServiceURL(claim, activity string) bool {
	if activity == "" {
		return false
	}
	return strings.TrimSuffix(claim, "/") == strings.TrimSuffix(activity, "/")
}
