package connector

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
)

func TestEndpoint(t *testing.T) {
	tests := []struct {
		base     string
		segments []string
		want     string
	}{
		{"https://smba.trafficmanager.net/emea/", []string{"v3", "conversations", "a:1Xyz-AbC", "activities"},
			"https://smba.trafficmanager.net/emea/v3/conversations/a:1Xyz-AbC/activities"},
		{"https://smba.trafficmanager.net/emea", []string{"v3", "conversations", "a:1", "activities"},
			"https://smba.trafficmanager.net/emea/v3/conversations/a:1/activities"},
		{"https://smba.trafficmanager.net/", []string{"v3", "conversations"},
			"https://smba.trafficmanager.net/v3/conversations"},
		{"https://smba.trafficmanager.net", []string{"v3", "conversations"},
			"https://smba.trafficmanager.net/v3/conversations"},
		{"https://smba.trafficmanager.net/amer/?x=1#frag", []string{"v3", "conversations", "19:abc@thread.tacv2;messageid=1700000000000", "activities"},
			"https://smba.trafficmanager.net/amer/v3/conversations/19:abc@thread.tacv2%3Bmessageid=1700000000000/activities"},
		{"http://127.0.0.1:3978", []string{"v3", "conversations", "a/b?c#d %", "activities", "1"},
			"http://127.0.0.1:3978/v3/conversations/a%2Fb%3Fc%23d%20%25/activities/1"},
	}
	for _, tt := range tests {
		u, err := endpoint(tt.base, tt.segments...)
		if err != nil {
			t.Errorf("endpoint(%q): %v", tt.base, err)
			continue
		}
		if got := u.String(); got != tt.want {
			t.Errorf("endpoint(%q, %q) = %s, want %s", tt.base, tt.segments, got, tt.want)
		}
	}
	for _, bad := range []string{"", "smba.trafficmanager.net/emea", "ftp://x/", "https://", "://x"} {
		if _, err := endpoint(bad, "v3"); err == nil {
			t.Errorf("endpoint(%q) accepted", bad)
		}
	}
}

func TestTokenAllowed(t *testing.T) {
	for raw, want := range map[string]bool{
		"https://smba.trafficmanager.net/emea/": true,
		"http://127.0.0.1:3978/":                true,
		"http://[::1]:3978/":                    true,
		"http://localhost:56150/":               true,
		"http://smba.trafficmanager.net/":       false,
		"http://10.0.0.5/":                      false,
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := tokenAllowed(u); got != want {
			t.Errorf("tokenAllowed(%s) = %v, want %v", raw, got, want)
		}
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":     0,
		"7":    7 * time.Second,
		" 3 ":  3 * time.Second,
		"0":    0,
		"-5":   0,
		"soon": 0,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Minute).Format(http.TimeFormat):     0,
		"99999999999": 24 * time.Hour,
	} {
		if got := parseRetryAfter(v, now); got != want {
			t.Errorf("parseRetryAfter(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	c := New(Config{BaseBackoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	for attempt := 1; attempt <= 40; attempt++ {
		ceiling := min(time.Second, 100*time.Millisecond<<min(attempt-1, 20))
		for range 50 {
			if d := c.backoff(attempt, 0); d < 0 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [0, %v]", attempt, d, ceiling)
			}
		}
	}
	if d := c.backoff(1, 5*time.Second); d != time.Second {
		t.Errorf("Retry-After above MaxBackoff gives %v, want the cap 1s", d)
	}
	if d := c.backoff(1, 300*time.Millisecond); d != 300*time.Millisecond {
		t.Errorf("Retry-After gives %v, want 300ms", d)
	}
	// Full jitter: the delays are spread, not all at the ceiling.
	seen := map[time.Duration]bool{}
	for range 50 {
		seen[c.backoff(4, 0)] = true
	}
	if len(seen) < 10 {
		t.Errorf("only %d distinct delays in 50 draws", len(seen))
	}
}

func TestRefreshTime(t *testing.T) {
	now := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		tok  azcore.AccessToken
		want time.Time
	}{
		{"hour-long token: 5 min before expiry", azcore.AccessToken{ExpiresOn: now.Add(time.Hour)}, now.Add(55 * time.Minute)},
		{"short token: half its life", azcore.AccessToken{ExpiresOn: now.Add(4 * time.Minute)}, now.Add(2 * time.Minute)},
		{"credential hint wins when earlier", azcore.AccessToken{ExpiresOn: now.Add(time.Hour), RefreshOn: now.Add(30 * time.Minute)}, now.Add(30 * time.Minute)},
	}
	for _, tt := range tests {
		if got := refreshTime(tt.tok, now); !got.Equal(tt.want) {
			t.Errorf("%s: refresh at %v, want %v", tt.name, got.Sub(now), tt.want.Sub(now))
		}
	}
}

func TestAPIErrorRetryable(t *testing.T) {
	for code, want := range map[int]bool{
		429: true, 412: true, 500: true, 502: true, 503: true, 504: true,
		400: false, 401: false, 403: false, 404: false, 413: false, 501: false,
	} {
		if got := (&APIError{StatusCode: code}).Retryable(); got != want {
			t.Errorf("Retryable(%d) = %v, want %v", code, got, want)
		}
	}
}

func TestHTTPClientIsACopyOnATunedTransport(t *testing.T) {
	tuned := func(c *http.Client) bool {
		tr, ok := c.Transport.(*http.Transport)
		return ok && tr != http.DefaultTransport && tr.MaxIdleConnsPerHost >= 64 && tr.ResponseHeaderTimeout > 0 && tr.TLSHandshakeTimeout > 0
	}
	if c := httpClient(nil); !tuned(c) || c.CheckRedirect == nil {
		t.Errorf("default client: transport %#v, CheckRedirect set %v", c.Transport, c.CheckRedirect != nil)
	}
	given := &http.Client{Timeout: 7 * time.Second}
	c := httpClient(given)
	if c == given || given.CheckRedirect != nil || given.Transport != nil {
		t.Error("the caller's client was changed instead of copied")
	}
	if !tuned(c) || c.Timeout != 7*time.Second || c.CheckRedirect == nil {
		t.Errorf("copy of a client without a transport: %+v", c)
	}
	own := roundTripFunc(func(*http.Request) (*http.Response, error) { return nil, nil })
	if c := httpClient(&http.Client{Transport: own}); c.Transport == nil || tuned(c) {
		t.Error("a caller's own transport was replaced")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
