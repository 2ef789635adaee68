package botauth

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeredirect"
)

// TestKeyFetchesFollowNoRedirect: neither the metadata nor the JWKS fetch follows a redirect, not even to the same
// host, so the origin of the keys cannot be moved by one; the fetch fails naming the redirect.
func TestKeyFetchesFollowNoRedirect(t *testing.T) {
	r := fakeredirect.New(t)
	metadata := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"jwks_uri": "` + r.URL + `/keys"}`))
	}))
	t.Cleanup(metadata.Close)

	for name, metadataURL := range map[string]string{
		"metadata": r.URL + "/metadata",
		"jwks":     metadata.URL + "/metadata",
	} {
		t.Run(name, func(t *testing.T) {
			before := r.Hits()
			caller := &http.Client{}
			v, err := New(Config{AppID: "app", MetadataURL: metadataURL, HTTPClient: caller})
			if err != nil {
				t.Fatal(err)
			}
			err = v.Refresh(t.Context())
			if err == nil || !strings.Contains(err.Error(), "HTTP 307: redirect not followed") {
				t.Fatalf("Refresh = %v, want an error naming the refused redirect", err)
			}
			if got := r.TargetAuthorizations(); r.TargetHits() != 0 || len(got) != 0 {
				t.Fatalf("the redirect was followed: %d requests, Authorization %q", r.TargetHits(), got)
			}
			if n := r.Hits() - before; n != 1 {
				t.Errorf("%d requests to the redirecting server, want 1", n)
			}
			if caller.CheckRedirect != nil {
				t.Error("New changed the caller's http.Client")
			}
		})
	}
}
