// Package fakeredirect tests that a client does not follow redirects: a pair of loopback servers, the first of which
// answers every request with 307 Temporary Redirect to the same path and query on the second, which records what
// reaches it (above all whether an Authorization header did).
package fakeredirect

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Server is the redirecting server; its target is another loopback server (another port, so another origin).
type Server struct {
	URL       string // the redirecting server's root, e.g. http://127.0.0.1:40001
	TargetURL string // where it redirects to

	mu          sync.Mutex
	hits        int
	targetHits  int
	targetAuths []string
}

// New starts both servers for the duration of tb.
func New(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{}
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.targetHits++
		if a := r.Header.Get("Authorization"); a != "" {
			s.targetAuths = append(s.targetAuths, a)
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}))
	tb.Cleanup(target.Close)
	from := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits++
		s.mu.Unlock()
		http.Redirect(w, r, target.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	tb.Cleanup(from.Close)
	s.URL, s.TargetURL = from.URL, target.URL
	return s
}

// Hits is how many requests reached the redirecting server.
func (s *Server) Hits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits
}

// TargetHits is how many requests reached the redirect's target: zero when the client did not follow.
func (s *Server) TargetHits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.targetHits
}

// TargetAuthorizations are the Authorization headers that reached the target.
func (s *Server) TargetAuthorizations() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.targetAuths...)
}
