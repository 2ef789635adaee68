package directory

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A watched file is read again when it changes; a broken edit is reported and the last good version stays in use;
// a round over an unchanged file reports nothing.
func TestFileWatch(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "people.yaml")
	write := func(s string, sec int) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		mod := time.Date(2026, 1, 1, 0, 0, sec, 0, time.UTC)
		if err := os.Chtimes(path, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	const id = "7c1e4a52-0000-4000-8000-000000000001"
	good := "- id: " + id + "\n  display_name: Elina\n  mail: elina@porvoo.example\n"
	write(good, 1)
	w, err := WatchFile(path)
	if err != nil {
		t.Fatal(err)
	}
	d, err := w.Delta(ctx, "")
	if err != nil || !d.Full || len(d.Changes) != 1 || d.Changes[0].Fields != AllFields || !d.Changes[0].Person.AccountEnabled {
		t.Fatalf("first round %+v %v", d, err)
	}
	if d2, err := w.Delta(ctx, d.Link); err != nil || len(d2.Changes) != 0 || d2.Link != d.Link {
		t.Fatalf("unchanged file: %+v %v", d2, err)
	}
	write(good, 2) // touched only
	if changed, err := w.Reload(); changed || err != nil {
		t.Fatalf("touched: %v %v", changed, err)
	}
	write("- id: not-a-guid\n", 3)
	if _, err := w.Reload(); err == nil || !strings.Contains(err.Error(), "GUID") {
		t.Fatalf("broken edit: %v", err)
	}
	if u, err := w.User(ctx, id); err != nil || u.DisplayName != "Elina" {
		t.Fatalf("the last good version: %+v %v", u, err)
	}
	write(good+"  account_enabled: false\n", 4)
	if changed, err := w.Reload(); !changed || err != nil {
		t.Fatalf("fixed edit: %v %v", changed, err)
	}
	if u, _ := w.User(ctx, id); u.AccountEnabled {
		t.Fatal("the edit is not in use")
	}
	if d3, err := w.Delta(ctx, d.Link); err != nil || !d3.Full || d3.Link == d.Link || d3.Changes[0].Person.AccountEnabled {
		t.Fatalf("round after the edit: %+v %v", d3, err)
	}
}
