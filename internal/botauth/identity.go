package botauth

import (
	"encoding/json"
	"maps"

	"github.com/golang-jwt/jwt/v4"
	"github.com/infracloudio/msbotbuilder-go/connector/auth"
)

// Identity is the authenticated caller: the claims of a validated channel
// token. It implements auth.ClaimsIdentity.
//
// It is used instead of auth.NewClaimIdentity because the library's
// GetClaimValue type-asserts without checking and so panics on any absent or
// non-string claim (exp, nbf, an array aud), which a request handler must
// never do.
type Identity struct {
	claims map[string]any
}

var _ auth.ClaimsIdentity = (*Identity)(nil)

// newIdentity copies the claims and reduces "aud" to the verified app id, so
// GetClaimValue("aud") works even when the token carried an audience array.
func newIdentity(c jwt.MapClaims, appID string) *Identity {
	claims := make(map[string]any, len(c))
	maps.Copy(claims, c)
	claims["aud"] = appID
	return &Identity{claims: claims}
}

// GetClaimValue returns a string claim, or a numeric claim in its JSON form
// (e.g. "exp" as "1767225600"); "" for absent or other claims.
func (id *Identity) GetClaimValue(name string) string {
	if id == nil {
		return ""
	}
	switch v := id.claims[name].(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	default:
		return ""
	}
}

// IsAuthenticated reports true: an Identity exists only for a valid token.
func (id *Identity) IsAuthenticated() bool { return id != nil }

// Claims returns a shallow copy of all claims (numbers as json.Number).
func (id *Identity) Claims() map[string]any {
	if id == nil {
		return nil
	}
	return maps.Clone(id.claims)
}

// AppID is the bot's app id the token was issued for ("aud").
func (id *Identity) AppID() string { return id.GetClaimValue("aud") }

// ServiceURL is the token's "serviceurl" claim, which matched the activity.
func (id *Identity) ServiceURL() string { return id.GetClaimValue("serviceurl") }
