package botauth

import (
	"sync"

	"github.com/golang-jwt/jwt/v4"
)

// maxVerified bounds the tokens remembered as verified; when full, the memory starts over (one RS256 verification
// per token again).
const maxVerified = 1024

// verifiedTokens remembers tokens whose signature and form checked out. Bot Framework sends the same token with
// every activity for up to an hour, and verifying RS256 and parsing the JWT again is a tenth of a turn's CPU. Only
// the exact bytes of a verified token hit; its claims are still checked against each activity and the clock
// (checkClaims, endorsements), and a token whose key is no longer among the current keys is verified again.
type verifiedTokens struct {
	mu sync.Mutex
	m  map[string]verified
}

type verified struct {
	claims jwt.MapClaims // read-only once stored
	kid    string
	key    *signingKey
}

func (c *verifiedTokens) get(raw string) (verified, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[raw]
	return e, ok
}

func (c *verifiedTokens) put(raw string, e verified) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxVerified {
		c.m = make(map[string]verified, 64)
	}
	c.m[raw] = e
}

// keyCurrent reports whether kid still names key among the keys the validator holds now.
func (v *Validator) keyCurrent(kid string, key *signingKey) bool {
	ks := v.currentKeys()
	return ks != nil && ks.byKID[kid] == key
}
