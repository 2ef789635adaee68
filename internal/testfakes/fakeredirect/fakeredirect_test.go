package fakeredirect

import (
	"net/http"
	"testing"
)

func TestAFollowingClientReachesTheTarget(t *testing.T) {
	s := New(t)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL+"/v1/x?y=1", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer secret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.String() != s.TargetURL+"/v1/x?y=1" {
		t.Fatalf("ended at %s with %d", resp.Request.URL, resp.StatusCode)
	}
	if s.Hits() != 1 || s.TargetHits() != 1 {
		t.Fatalf("hits %d, target hits %d; want 1 and 1", s.Hits(), s.TargetHits())
	}
	// Go's client drops Authorization only when a redirect leaves the host name, and both servers are 127.0.0.1:
	// a following client leaks the header here, which is what makes the pair a test of not following at all.
	if got := s.TargetAuthorizations(); len(got) != 1 || got[0] != "Bearer secret" {
		t.Fatalf("Authorization at the target = %q, want the header a following client resends", got)
	}
}

func TestANonFollowingClientStops(t *testing.T) {
	s := New(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || s.TargetHits() != 0 {
		t.Fatalf("status %d, target hits %d; want 307 and 0", resp.StatusCode, s.TargetHits())
	}
}
