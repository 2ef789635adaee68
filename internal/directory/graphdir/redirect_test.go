package graphdir

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakegraph"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeredirect"
)

func TestRedirectsAreNotFollowed(t *testing.T) {
	calls := map[string]func(g *Graph) error{
		"User": func(g *Graph) error { _, err := g.User(t.Context(), pekka); return err },
		"InstallApp": func(g *Graph) error {
			return g.installApp(t.Context(), pekka, "8e1c2f6a-0000-4000-8000-00000000a001", func(ctx context.Context, d time.Duration) error { return nil })
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			r := fakeredirect.New(t)
			caller := &http.Client{Timeout: 30 * time.Second}
			g, err := New(Config{Credential: &fakegraph.Credential{Token: token}, BaseURL: r.URL + "/v1.0", HTTPClient: caller})
			if err != nil {
				t.Fatal(err)
			}
			err = call(g)
			if !errors.Is(err, ErrRedirect) || domain.ErrorCode(err) != domain.EInternal || !strings.Contains(err.Error(), "redirect") {
				t.Fatalf("err = %v, want an EInternal ErrRedirect", err)
			}
			if got := r.TargetAuthorizations(); len(got) != 0 || r.TargetHits() != 0 {
				t.Fatalf("the redirect was followed: %d requests, Authorization %q", r.TargetHits(), got)
			}
			if n := r.Hits(); n != 1 {
				t.Errorf("%d requests to the redirecting server, want 1 (a redirect is not retried)", n)
			}
			if caller.CheckRedirect != nil || caller.Transport != nil {
				t.Error("New changed the caller's http.Client")
			}
		})
	}
}
