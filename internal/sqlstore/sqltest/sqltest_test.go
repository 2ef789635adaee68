package sqltest

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
)

// recorder is a testing.TB that records how a helper ended instead of ending the real test.
type recorder struct {
	testing.TB
	mu      sync.Mutex
	outcome string // "skip", "fatal" or ""
	msg     string
}

func (r *recorder) end(outcome, format string, args ...any) {
	r.mu.Lock()
	r.outcome, r.msg = outcome, fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Helper()                           {}
func (r *recorder) Skipf(format string, args ...any)  { r.end("skip", format, args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.end("fatal", format, args...) }

// run calls fn with a recorder in its own goroutine, as the testing package would, and reports how it ended.
func run(t *testing.T, fn func(tb testing.TB)) (outcome, msg string) {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(r)
	}()
	<-done
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.outcome, r.msg
}

func TestPostgresDSNWithoutServer(t *testing.T) {
	for _, tt := range []struct {
		name, dsn, require, outcome, wantMsg string
	}{
		{"unset, optional", "", "", "skip", EnvPostgresDSN + " is not set"},
		{"unset, required", "", "1", "fatal", EnvPostgresDSN + " is not set"},
		{"unreachable, optional", "postgres://u:hunter2@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", "0", "skip", "unreachable"},
		{"unreachable, required", "postgres://u:hunter2@127.0.0.1:1/x?sslmode=disable&connect_timeout=5", "true", "fatal", "unreachable"},
		{"not a URL", "host=localhost user=u password=hunter2", "", "fatal", "must be a postgres:// URL"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvPostgresDSN, tt.dsn)
			t.Setenv(EnvRequireServices, tt.require)
			outcome, msg := run(t, func(tb testing.TB) { PostgresDSN(tb) })
			if outcome != tt.outcome || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("PostgresDSN ended with %s %q, want %s containing %q", outcome, msg, tt.outcome, tt.wantMsg)
			}
			if strings.Contains(msg, "hunter2") {
				t.Errorf("message %q reveals the password", msg)
			}
		})
	}
}

func TestOpenGivesMigratedSQLite(t *testing.T) {
	db := Open(t)
	if _, err := db.People.ConversationRef(t.Context(), "nobody"); !domain.IsCode(err, domain.ENotFound) {
		t.Fatalf("ConversationRef on a fresh database: %v, want not_found (tables must exist)", err)
	}
}

func TestEachRunsEveryDialect(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	Each(t, func(t *testing.T, db *sqlstore.DB) {
		mu.Lock()
		seen = append(seen, db.Dialect())
		mu.Unlock()
	})
	if len(seen) == 0 || seen[0] != "sqlite" {
		t.Errorf("Each ran on %v, want sqlite first", seen)
	}
	if RequireServices() && len(seen) != 2 {
		t.Errorf("Each ran on %v with services required, want sqlite and postgres", seen)
	}
}
