package botauth

import (
	"context"
	"crypto/rsa"
)

// PublicKey returns the RSA signing key kid of the configured metadata's JWKS, with the same cache, refresh and
// rate limit as the bot's own tokens. It lets another token check (the tab's Entra SSO tokens, whose keys carry no
// endorsements) share this key handling: build a Validator on that issuer's metadata URL and ask it for keys. The
// error wraps ErrInvalidToken.
func (v *Validator) PublicKey(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	k, err := v.signingKey(ctx, kid)
	if err != nil {
		return nil, err
	}
	return k.pub, nil
}
