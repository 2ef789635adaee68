package app_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// With the demo directory in a file, the running service records a baseline at start; editing the file (Sami's
// account disabled) schedules his leaver job without a restart, once.
func TestDirectoryFileEditRaisesLeaver(t *testing.T) {
	const sami = "7c1e4a52-0000-4000-8000-000000000002"
	demo, err := os.ReadFile("../directory/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "people.yaml")
	if err := os.WriteFile(path, demo, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, func(env map[string]string, _ *app.Options) { env["VALTUUS_DIRECTORY_FILE"] = path })
	ctx := context.Background()
	store := h.app.DB.DirSync()
	eventually(t, "the baseline", func() bool {
		st, err := store.State(ctx, "1061512-1")
		return err == nil && !st.BaselineAt.IsZero()
	})

	// Sami's entry: the account_enabled line after his id.
	text := string(demo)
	at := strings.Index(text, "id: "+sami)
	line := strings.Index(text[at:], "account_enabled: true")
	if at < 0 || line < 0 {
		t.Fatal("Sami's entry not found in the demo file")
	}
	edited := text[:at+line] + "account_enabled: false" + text[at+line+len("account_enabled: true"):]
	if err := os.WriteFile(path, []byte(edited), 0o600); err != nil {
		t.Fatal(err)
	}
	key := "dir_leaver/" + sami + "/" + h.clock.Now().UTC().Format("2006-01-02")
	var job domain.Job
	eventually(t, "the leaver job", func() bool {
		job, err = h.app.DB.Jobs.Job(ctx, key)
		return err == nil
	})
	var ev domain.DirectoryEvent
	if err := json.Unmarshal(job.Payload, &ev); err != nil || ev.Kind != domain.Leaver || ev.Before == nil ||
		!ev.Before.AccountEnabled || ev.After == nil || ev.After.AccountEnabled {
		t.Fatalf("leaver job payload %s: %v", job.Payload, err)
	}
	pending, err := h.app.DB.Jobs.PendingUntil(ctx, h.clock.Now().AddDate(10, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var dir []string
	for _, j := range pending {
		if strings.HasPrefix(j.Kind, "dir_") {
			dir = append(dir, j.Key)
		}
	}
	if len(dir) != 1 {
		t.Fatalf("directory jobs %q: want the leaver's only", dir)
	}
	// The service's own directory sees the edit at once.
	if u, err := h.app.Workflow.Directory.User(ctx, sami); err != nil || u.AccountEnabled {
		t.Fatalf("directory after the edit: %+v %v", u, err)
	}
}

// eventually polls cond every 20 ms until it holds, failing the test after 20 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s never came", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
