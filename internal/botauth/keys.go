package botauth

import (
	"context"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

const (
	// maxDocumentBytes caps metadata and JWKS bodies (the real ones are a few KiB).
	maxDocumentBytes = 1 << 20
	// RSA modulus bounds: below 2048 bits is too weak; far above 4096 only
	// makes each signature check expensive.
	minRSABits = 2048
	maxRSABits = 8192
	// fetchFlight is the singleflight key shared by all request-triggered fetches.
	fetchFlight = "fetch"
)

// errRateLimited means a request-triggered fetch was skipped because another
// one happened less than minRefetchInterval ago.
var errRateLimited = errors.New("botauth: key fetch rate limited")

// signingKey is one usable key from the JWKS.
type signingKey struct {
	pub          *rsa.PublicKey
	endorsements []string // channel ids this key may sign for, e.g. "msteams"
}

// endorses reports whether the key may sign for channelID. Unlike the
// Microsoft SDKs, an empty channel id is not waved through: Teams always sends
// one, and an activity without one should not bypass the check.
func (k *signingKey) endorses(channelID string) bool {
	return channelID != "" && slices.Contains(k.endorsements, channelID)
}

// keySet is an immutable snapshot of the JWKS.
type keySet struct {
	byKID     map[string]*signingKey
	fetchedAt time.Time
}

// Refresh fetches the metadata and keys now, regardless of the cache and the
// refetch rate limit. Call it at start-up or from a readiness probe; it is
// optional, as keys are otherwise fetched on first use. On failure the
// previously cached keys (if any) stay in use.
func (v *Validator) Refresh(ctx context.Context) error {
	v.mu.Lock()
	v.lastAttempt = v.now()
	v.mu.Unlock()
	if err := v.fetch(ctx); err != nil {
		return fmt.Errorf("botauth: refresh keys: %w", err)
	}
	return nil
}

func (v *Validator) currentKeys() *keySet {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.keys
}

// signingKey returns the key for kid, fetching keys when there are none yet,
// when kid is unknown (the IdP may have rolled over to a new key) or, in the
// background, when the cache is older than keysMaxAge.
func (v *Validator) signingKey(ctx context.Context, kid string) (*signingKey, error) {
	if ks := v.currentKeys(); ks != nil {
		if k, ok := ks.byKID[kid]; ok {
			if v.now().Sub(ks.fetchedAt) >= keysMaxAge {
				// Stale but still valid as far as we know: refresh without
				// making this request wait. DoChan's channel is buffered, so
				// ignoring it leaks nothing.
				v.flight.DoChan(fetchFlight, func() (any, error) { return nil, v.limitedFetch(ctx) })
			}
			return k, nil
		}
	}

	// A request that is already gone must not start a fetch on its behalf.
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", errKeysUnavailable, err)
	}
	// Concurrent callers share one fetch, and limitedFetch refuses to fetch
	// more than once per minRefetchInterval, so a flood of tokens with made-up
	// kids costs the IdP at most one request pair per interval.
	select {
	case <-v.flight.DoChan(fetchFlight, func() (any, error) { return nil, v.limitedFetch(ctx) }):
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: %w", errKeysUnavailable, ctx.Err())
	}
	// Whatever the fetch's outcome (including rate limited), another one may
	// have brought the key in: look again.
	ks := v.currentKeys()
	if ks == nil {
		return nil, errKeysUnavailable
	}
	if k, ok := ks.byKID[kid]; ok {
		return k, nil
	}
	return nil, errUnknownKey
}

// limitedFetch fetches unless a fetch was attempted less than
// minRefetchInterval ago. It runs detached from the caller's cancellation
// because other requests may be waiting on the same flight.
func (v *Validator) limitedFetch(ctx context.Context) error {
	v.mu.Lock()
	now := v.now()
	if d := now.Sub(v.lastAttempt); !v.lastAttempt.IsZero() && d >= 0 && d < minRefetchInterval {
		v.mu.Unlock()
		return errRateLimited
	}
	v.lastAttempt = now
	v.mu.Unlock()

	err := v.fetch(context.WithoutCancel(ctx))
	if err != nil {
		// Logged here, once per fetch, rather than once per waiting request.
		v.log.WarnContext(ctx, "bot framework key fetch failed", "error", err)
	}
	return err
}

// fetch downloads the metadata document and the JWKS it points to and, if
// the JWKS holds at least one usable key, replaces the cached key set.
func (v *Validator) fetch(ctx context.Context) error {
	// Bound the fetch even if the injected HTTP client has no timeout.
	ctx, cancel := context.WithTimeout(ctx, defaultHTTPTimeout)
	defer cancel()

	var meta struct {
		JWKSURI string `json:"jwks_uri"`
	}
	if err := v.getJSON(ctx, v.metadataURL, &meta); err != nil {
		return fmt.Errorf("fetch metadata: %w", err)
	}
	jwksURL, err := v.checkJWKSURL(meta.JWKSURI)
	if err != nil {
		return fmt.Errorf("fetch metadata: %w", err)
	}
	var doc jwksDocument
	if err := v.getJSON(ctx, jwksURL, &doc); err != nil {
		return fmt.Errorf("fetch keys: %w", err)
	}
	keys, skipped := doc.signingKeys()
	if len(keys) == 0 {
		// Keep the old keys rather than locking everybody out.
		return fmt.Errorf("fetch keys: no usable RSA signing keys in %s (%d skipped)", jwksURL, skipped)
	}

	v.mu.Lock()
	v.keys = &keySet{byKID: keys, fetchedAt: v.now()}
	v.mu.Unlock()
	v.log.InfoContext(ctx, "bot framework signing keys refreshed", "keys", len(keys), "skipped_keys", skipped)
	return nil
}

// checkJWKSURL requires an absolute URL, and https whenever the metadata came
// over https, so a tampered metadata field cannot downgrade the key fetch.
func (v *Validator) checkJWKSURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", errors.New("jwks_uri missing or not an absolute http(s) URL")
	}
	if u.Scheme == "http" && strings.HasPrefix(v.metadataURL, "https:") {
		return "", errors.New("jwks_uri is not https")
	}
	return u.String(), nil
}

// fetchClient is the client for the metadata and the keys: a copy of c (nil: one with a
// 10 s timeout) that follows no redirect, not even to the same host. The documents come
// from exactly the configured metadata URL and the jwks_uri it names, over https, so a
// redirect (which Microsoft's endpoints do not send) cannot move where the keys that
// authenticate every request come from; getJSON reports it as an error instead.
func fetchClient(c *http.Client) *http.Client {
	out := http.Client{Timeout: defaultHTTPTimeout}
	if c != nil {
		out = *c
	}
	out.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &out
}

func (v *Validator) getJSON(ctx context.Context, rawURL string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.httpClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10)) // lets the connection be reused
		if resp.StatusCode >= 300 && resp.StatusCode < 400 {
			return fmt.Errorf("GET %s: HTTP %d: redirect not followed", rawURL, resp.StatusCode)
		}
		return fmt.Errorf("GET %s: HTTP %d", rawURL, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1))
	if err != nil {
		return fmt.Errorf("GET %s: read body: %w", rawURL, err)
	}
	if len(body) > maxDocumentBytes {
		return fmt.Errorf("GET %s: body larger than %d bytes", rawURL, maxDocumentBytes)
	}
	if err := json.Unmarshal(body, dst); err != nil {
		return fmt.Errorf("GET %s: decode JSON: %w", rawURL, err)
	}
	return nil
}

// jwksDocument keeps keys raw so one odd key (an unknown kty, a malformed
// field) is skipped instead of failing the whole set.
type jwksDocument struct {
	Keys []json.RawMessage `json:"keys"`
}

// jsonWebKey holds the JWK fields we use, plus Bot Framework's endorsements.
type jsonWebKey struct {
	Kty          string   `json:"kty"`
	Use          string   `json:"use"`
	Alg          string   `json:"alg"`
	Kid          string   `json:"kid"`
	N            string   `json:"n"`
	E            string   `json:"e"`
	Endorsements []string `json:"endorsements"`
}

// signingKeys returns the usable RSA signature keys by kid and how many
// entries were skipped. On a duplicate kid the first entry wins.
func (d jwksDocument) signingKeys() (map[string]*signingKey, int) {
	keys := make(map[string]*signingKey, len(d.Keys))
	skipped := 0
	for _, raw := range d.Keys {
		var k jsonWebKey
		if err := json.Unmarshal(raw, &k); err != nil ||
			k.Kty != "RSA" || k.Kid == "" ||
			(k.Use != "" && k.Use != "sig") ||
			(k.Alg != "" && k.Alg != "RS256") {
			skipped++
			continue
		}
		if _, dup := keys[k.Kid]; dup {
			skipped++
			continue
		}
		pub, err := rsaPublicKey(k.N, k.E)
		if err != nil {
			skipped++
			continue
		}
		keys[k.Kid] = &signingKey{pub: pub, endorsements: slices.Clone(k.Endorsements)}
	}
	return keys, skipped
}

// rsaPublicKey decodes the base64url big-endian modulus and exponent of an
// RSA JWK (RFC 7518 §6.3.1).
func rsaPublicKey(n64, e64 string) (*rsa.PublicKey, error) {
	nb, err := decodeBase64URL(n64)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	eb, err := decodeBase64URL(e64)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	n := new(big.Int).SetBytes(nb)
	if bits := n.BitLen(); bits < minRSABits || bits > maxRSABits {
		return nil, fmt.Errorf("modulus of %d bits", bits)
	}
	if len(eb) == 0 || len(eb) > 4 {
		return nil, errors.New("exponent size")
	}
	e := 0
	for _, b := range eb {
		e = e<<8 | int(b)
	}
	// Even or tiny exponents are never legitimate; crypto/rsa would reject
	// some of them only at verification time.
	if e < 3 || e%2 == 0 || e > 1<<31-1 {
		return nil, errors.New("exponent value")
	}
	return &rsa.PublicKey{N: n, E: e}, nil
}

// decodeBase64URL accepts unpadded (as RFC 7518 requires) or padded input.
func decodeBase64URL(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
