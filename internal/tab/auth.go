package tab

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
)

// KeySource gives the RSA key a token names (kid), from the tenant's JWKS; botauth.Validator built on the tenant's
// OpenID configuration is one, with its cache and refetch limit.
type KeySource interface {
	PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, error)
}

// Scope is the delegated permission the tab's token must carry (the Entra app exposes it).
const Scope = "access_as_user"

// leeway is the clock skew allowed on exp and nbf.
const leeway = 2 * time.Minute

// authError is a refused request: its HTTP status and a fixed code (never text from the token).
type authError struct {
	status int
	code   string
}

func (e *authError) Error() string { return "tab: " + e.code }

var (
	errMissingToken = &authError{http.StatusUnauthorized, "missing_token"}
	errBadToken     = &authError{http.StatusUnauthorized, "invalid_token"}
	errExpired      = &authError{http.StatusUnauthorized, "expired_token"}
	errAudience     = &authError{http.StatusUnauthorized, "wrong_audience"}
	errIssuer       = &authError{http.StatusUnauthorized, "wrong_issuer"}
	errTenant       = &authError{http.StatusUnauthorized, "wrong_tenant"}
	errScope        = &authError{http.StatusUnauthorized, "missing_scope"}
	errNoRole       = &authError{http.StatusForbidden, "no_role"}
	errNotYours     = &authError{http.StatusForbidden, "not_in_scope"}
	errNotLocal     = &authError{http.StatusForbidden, "local_mode_loopback_only"}
)

// tokenChecker validates the Entra access tokens Teams SSO (getAuthToken) gives the tab.
type tokenChecker struct {
	keys      KeySource
	tenant    string   // tid, lower case
	issuers   []string // the v2 and v1 issuer of the tenant
	audiences []string // the app id, and api://<host>/botid-<app id> and api://<host>/<app id> for the tab host
	now       func() time.Time
	parser    *jwt.Parser
}

func newTokenChecker(keys KeySource, appID, tenant, host string, now func() time.Time) *tokenChecker {
	appID, tenant, host = strings.ToLower(appID), strings.ToLower(tenant), strings.ToLower(host)
	auds := []string{appID}
	if host != "" {
		auds = append(auds, "api://"+host+"/botid-"+appID, "api://"+host+"/"+appID)
	}
	return &tokenChecker{
		keys:   keys,
		tenant: tenant,
		issuers: []string{
			"https://login.microsoftonline.com/" + tenant + "/v2.0",
			"https://sts.windows.net/" + tenant + "/",
		},
		audiences: auds,
		now:       now,
		parser: jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithJSONNumber(),
			jwt.WithoutClaimsValidation()),
	}
}

// check validates the Authorization header and returns the caller's Entra object id.
func (c *tokenChecker) check(ctx context.Context, header string) (string, error) {
	if len(header) > 16<<10 {
		return "", errBadToken
	}
	scheme, raw, _ := strings.Cut(strings.TrimSpace(header), " ")
	raw = strings.TrimSpace(raw)
	if scheme == "" || raw == "" {
		return "", errMissingToken
	}
	if !strings.EqualFold(scheme, "Bearer") {
		return "", errBadToken
	}
	tok, err := c.parser.Parse(raw, func(t *jwt.Token) (any, error) {
		if _, crit := t.Header["crit"]; crit {
			return nil, errBadToken
		}
		kid, _ := t.Header["kid"].(string)
		if kid == "" {
			return nil, errBadToken
		}
		return c.keys.PublicKey(ctx, kid)
	})
	if err != nil {
		return "", errBadToken
	}
	claims, ok := tok.Claims.(jwt.MapClaims)
	if !ok {
		return "", errBadToken
	}
	if iss, _ := claims["iss"].(string); !slices.Contains(c.issuers, strings.ToLower(iss)) {
		// The tenant is part of the issuer: another tenant's token fails here or on tid below.
		if tid, _ := claims["tid"].(string); tid != "" && !strings.EqualFold(tid, c.tenant) {
			return "", errTenant
		}
		return "", errIssuer
	}
	if tid, _ := claims["tid"].(string); !strings.EqualFold(tid, c.tenant) {
		return "", errTenant
	}
	if !audienceOK(claims["aud"], c.audiences) {
		return "", errAudience
	}
	now := c.now()
	exp, ok := numericDate(claims["exp"])
	if !ok {
		return "", errBadToken
	}
	if now.After(exp.Add(leeway)) {
		return "", errExpired
	}
	if raw, present := claims["nbf"]; present {
		nbf, ok := numericDate(raw)
		if !ok || nbf.Add(-leeway).After(now) {
			return "", errBadToken
		}
	}
	scp, _ := claims["scp"].(string)
	if !slices.Contains(strings.Fields(scp), Scope) {
		return "", errScope
	}
	oid, _ := claims["oid"].(string)
	id, ok := directory.CanonicalID(oid)
	if !ok {
		return "", errBadToken
	}
	return id, nil
}

func audienceOK(aud any, allowed []string) bool {
	switch a := aud.(type) {
	case string:
		return slices.Contains(allowed, strings.ToLower(a))
	case []any:
		for _, e := range a {
			if s, ok := e.(string); ok && slices.Contains(allowed, strings.ToLower(s)) {
				return true
			}
		}
	}
	return false
}

func numericDate(v any) (time.Time, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	return time.Unix(int64(f), 0), true
}

// LocalHeader names the person a local-mode request acts as (the page sets it from its person selector).
const LocalHeader = "X-Valtuus-As"

// localCaller returns the person a request in local mode acts as: only from a loopback address, as the bot's
// anonymous mode.
func localCaller(r *http.Request) (string, error) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		return "", errNotLocal
	}
	id, ok := directory.CanonicalID(strings.TrimSpace(r.Header.Get(LocalHeader)))
	if !ok {
		return "", errMissingToken
	}
	return id, nil
}
