package connector

import (
	"context"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"golang.org/x/sync/singleflight"
)

// refreshMargin is how long before expiry a cached token is replaced.
const refreshMargin = 5 * time.Minute

// tokenSource caches the bot's access token and refreshes it with one request at a time.
type tokenSource struct {
	cred    azcore.TokenCredential
	scope   string
	now     func() time.Time
	timeout time.Duration // bound on one GetToken call, which outlives any single caller

	group singleflight.Group

	mu        sync.Mutex
	tok       azcore.AccessToken
	refreshAt time.Time
}

// token returns a usable access token, fetching one when none is cached or the cached one
// is due for refresh. Concurrent callers share one fetch; each stops waiting when its own
// ctx ends without cancelling the fetch for the others.
func (t *tokenSource) token(ctx context.Context) (string, error) {
	t.mu.Lock()
	tok, refreshAt := t.tok, t.refreshAt
	t.mu.Unlock()
	now := t.now()
	if tok.Token != "" && now.Before(refreshAt) {
		return tok.Token, nil
	}

	ch := t.group.DoChan("token", func() (any, error) {
		// A fetch that finished while this one was being set up already did the work.
		t.mu.Lock()
		cur, curRefresh := t.tok, t.refreshAt
		t.mu.Unlock()
		if cur.Token != "" && t.now().Before(curRefresh) {
			return cur.Token, nil
		}
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.timeout)
		defer cancel()
		fetchedAt := t.now()
		nt, err := t.cred.GetToken(fctx, policy.TokenRequestOptions{Scopes: []string{t.scope}})
		if err != nil {
			return "", err
		}
		t.mu.Lock()
		t.tok, t.refreshAt = nt, refreshTime(nt, fetchedAt)
		t.mu.Unlock()
		return nt.Token, nil
	})
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			// A refresh ahead of expiry failed: the old token still works for now.
			if tok.Token != "" && now.Before(tok.ExpiresOn) {
				return tok.Token, nil
			}
			return "", r.Err
		}
		return r.Val.(string), nil
	}
}

// invalidate drops the cached token if it is still the one the connector rejected.
func (t *tokenSource) invalidate(rejected string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok.Token == rejected {
		t.tok = azcore.AccessToken{}
		t.refreshAt = time.Time{}
	}
}

// refreshTime is when to replace tok: refreshMargin before expiry, but no later than the
// credential's own RefreshOn hint and no earlier than half of a short token's lifetime.
func refreshTime(tok azcore.AccessToken, fetchedAt time.Time) time.Time {
	at := tok.ExpiresOn.Add(-refreshMargin)
	if half := fetchedAt.Add(tok.ExpiresOn.Sub(fetchedAt) / 2); at.Before(half) {
		at = half
	}
	if !tok.RefreshOn.IsZero() && tok.RefreshOn.Before(at) {
		at = tok.RefreshOn
	}
	return at
}
