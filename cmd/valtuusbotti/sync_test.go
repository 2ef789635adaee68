package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// `valtuusbotti sync -dry-run` prints the events the next sync would act on and changes nothing: run twice, it
// prints the same; `sync` then acts on exactly those, and a dry run after it has nothing left.
func TestSyncCommandDryRun(t *testing.T) {
	ctx := context.Background()
	demo, err := os.ReadFile("../../internal/directory/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "people.yaml")
	if err := os.WriteFile(path, demo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VALTUUS_DATABASE_URL", "sqlite:"+filepath.Join(dir, "sync.db"))
	t.Setenv("VALTUUS_DIRECTORY_FILE", path)
	cfg, err := config.FromEnv(nil)
	if err != nil {
		t.Fatal(err)
	}
	opt := app.Options{Now: clock.NewManual(time.Time{}).Now}
	sync := func(dry bool) string {
		t.Helper()
		var out bytes.Buffer
		if err := syncDirectory(ctx, &out, cfg, opt, dry); err != nil {
			t.Fatalf("sync (dry %v): %v", dry, err)
		}
		return out.String()
	}
	if got := sync(false); got != "synced: first sync, 9 people recorded as the baseline (no joiner events for them), 0 event(s); 0 job(s) scheduled\n" {
		t.Fatalf("baseline: %q", got)
	}
	const sami = "7c1e4a52-0000-4000-8000-000000000002"
	text := string(demo)
	at := strings.Index(text, "id: "+sami)
	line := strings.Index(text[at:], "account_enabled: true")
	edited := text[:at+line] + "account_enabled: false" + text[at+line+len("account_enabled: true"):]
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	want := "leaver  2026-11-25  Sami Virtanen <sami.virtanen@porvoo.example> (" + sami + "): account disabled\n" +
		"dry run: 1 event(s), 1 people changed; nothing was changed\n"
	for i := 0; i < 2; i++ {
		if got := sync(true); got != want {
			t.Fatalf("dry run %d:\n%s\nwant\n%s", i+1, got, want)
		}
	}
	if got := sync(false); !strings.HasPrefix(got, "leaver  2026-11-25  Sami Virtanen") ||
		!strings.HasSuffix(got, "synced: 1 event(s), 1 people changed; 1 job(s) scheduled\n") {
		t.Fatalf("sync: %q", got)
	}
	if got := sync(true); got != "dry run: 0 event(s), 0 people changed; nothing was changed\n" {
		t.Fatalf("dry run after the sync: %q", got)
	}
}

// -h prints the flags and succeeds; an unknown flag or an argument is a usage error (exit status 2).
func TestSyncCommandUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"sync", "-h"}, &out, &errOut); err != nil || !strings.Contains(errOut.String(), "-dry-run") {
		t.Fatalf("-h: %v %q", err, errOut.String())
	}
	for _, args := range [][]string{{"sync", "-bogus"}, {"sync", "now"}} {
		if err := run(context.Background(), args, &out, &errOut); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}
