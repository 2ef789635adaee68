package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
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

	if err := os.WriteFile(path, []byte(accountDisabled(t, string(demo), sami)), 0o600); err != nil {
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

// accountDisabled is the directory file text with the person's account_enabled (the first after their id) false.
func accountDisabled(t *testing.T, text, id string) string {
	t.Helper()
	at := strings.Index(text, "id: "+id)
	line := strings.Index(text[max(at, 0):], "account_enabled: true")
	if at < 0 || line < 0 {
		t.Fatalf("%s's entry not found in the directory file", id)
	}
	line += at
	return text[:line] + "account_enabled: false" + text[line+len("account_enabled: true"):]
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

// Two replicas of the service (one deployment: one PostgreSQL, one Redis and its key prefix), each watching the
// same directory file and running its own scheduler and outbox: every edit is seen by both, each event's job is
// scheduled once, by one of them, and handled once, by one of them. Elina's account disabled gives the main user
// Mikael one invalidation task for her mandate; Oskar's new job title gives Leo, the head of his department (Oskar
// has no manager), one review card of Oskar's mandate.
func TestDirectorySyncTwoReplicas(t *testing.T) {
	redisURL := os.Getenv("VALTUUS_TEST_REDIS_URL")
	if redisURL == "" {
		if os.Getenv(sqltest.EnvRequireServices) == "1" {
			t.Fatal("VALTUUS_TEST_REDIS_URL is not set")
		}
		t.Skip("VALTUUS_TEST_REDIS_URL is not set")
	}
	dsn := sqltest.PostgresDSN(t)
	demo, err := os.ReadFile("../directory/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "people.yaml")
	if err := os.WriteFile(path, demo, 0o600); err != nil {
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("valtuusbotti-test-dirsync-%d:", time.Now().UnixNano())
	opt := func(env map[string]string, _ *app.Options) {
		env["VALTUUS_DATABASE_URL"], env["VALTUUS_REDIS_URL"], env["VALTUUS_DIRECTORY_FILE"] = dsn, redisURL, path
		env["VALTUUS_REDIS_PREFIX"] = prefix
	}
	reps := []*harness{newHarness(t, fastOutbox, fastAlerts, withoutRateLimits, opt),
		newHarness(t, fastOutbox, fastAlerts, withoutRateLimits, opt)}
	ctx := context.Background()
	for i, h := range reps { // each replica's sync at start is over before the file changes
		eventually(t, fmt.Sprintf("replica %d's first sync", i+1), func() bool { return len(syncLogs(t, h, "start")) == 1 })
	}
	if st, err := reps[0].app.DB.DirSync().State(ctx, "1061512-1"); err != nil || st.BaselineAt.IsZero() {
		t.Fatalf("no baseline: %+v %v", st, err)
	}
	// Everyone's chat is known (through the first replica, so every card reaches its fake connector whichever
	// replica delivers it); Elina holds a granted mandate, Oskar an imported one.
	h := reps[0]
	for _, u := range []string{elina, sami, mikael, leo} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 4, 5*time.Second)
	grantUntil(t, h, domain.Today(h.clock.Now()).AddDays(300).String())
	om := domain.Mandate{HolderID: oskar, HolderName: "Oskar Berg", Department: "Sivistyspalvelut", ThemeID: "vero-veroasiat",
		ValidFrom: h.clock.Now(), ValidUntil: h.clock.Now().AddDate(1, 0, 0), State: domain.MandateActive}
	if err := h.app.DB.Register.InTx(ctx, func(tx domain.Tx) error { return tx.CreateMandate(ctx, &om) }); err != nil {
		t.Fatal(err)
	}

	text := string(demo)
	edits := []func(string) string{
		func(s string) string { return accountDisabled(t, s, elina) }, // a leaver
		func(s string) string { // a mover
			return strings.Replace(s, "job_title: Koulusihteeri", "job_title: Opintosihteeri", 1)
		},
	}
	for n, edit := range edits {
		text = edit(text)
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		for i, h := range reps {
			eventually(t, fmt.Sprintf("replica %d's sync of edit %d", i+1, n+1), func() bool {
				return len(syncLogs(t, h, "file changed")) > n
			})
		}
	}
	scheduled := 0
	for _, h := range reps {
		for _, l := range syncLogs(t, h, "") {
			scheduled += l.Jobs
		}
	}
	if scheduled != 2 {
		t.Fatalf("the replicas scheduled %d jobs together, want 2", scheduled)
	}

	cardsTo := func(who, verb string) int {
		n := 0
		for _, c := range sentTo(h.conn.Sent(), who) {
			if len(c.Activity.Attachments) == 1 && strings.Contains(cardText(card(t, c)), verb) {
				n++
			}
		}
		return n
	}
	eventually(t, "the leaver's task and the mover's review", func() bool {
		return cardsTo(mikael, `"verb":"leaverDone"`) > 0 && cardsTo(leo, `"verb":"reviewSubmit"`) > 0
	})
	// Both replicas keep polling: a second run or a second delivery would show within these passes.
	time.Sleep(500 * time.Millisecond)
	for _, h := range reps {
		h.waitOutbox(t)
	}
	if n := cardsTo(mikael, `"verb":"leaverDone"`); n != 1 {
		t.Errorf("Mikael got %d invalidation tasks for the leaver, want 1", n)
	}
	if n := cardsTo(leo, `"verb":"reviewSubmit"`); n != 1 {
		t.Errorf("Leo got %d review cards for the mover, want 1", n)
	}
	audited := map[string]int{}
	if err := h.app.DB.Register.EachAudit(ctx, sqlstore.AuditFilter{}, func(e domain.AuditEvent) error {
		audited[e.Action]++
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if audited["directory.leaver"] != 1 || audited["review.opened"] != 1 {
		t.Errorf("handled: %d leaver, %d review opened; want one each", audited["directory.leaver"], audited["review.opened"])
	}
	key := "dir_leaver/" + elina + "/" + h.clock.Now().UTC().Format("2006-01-02")
	if job, err := h.app.DB.Jobs.Job(ctx, key); err != nil || job.DoneAt.IsZero() || job.Attempts != 1 {
		t.Errorf("the leaver's job: done %v after %d attempts (%v), want done at the first", !job.DoneAt.IsZero(), job.Attempts, err)
	}
}

type syncLog struct {
	Trigger string `json:"trigger"`
	Jobs    int    `json:"jobs"`
	Skipped string `json:"skipped"`
}

// syncLogs are the replica's "directory synced" log lines, of one trigger ("" for all).
func syncLogs(t *testing.T, h *harness, trigger string) []syncLog {
	t.Helper()
	var out []syncLog
	for _, line := range strings.Split(h.logs.String(), "\n") {
		if !strings.Contains(line, `"msg":"directory synced"`) {
			continue
		}
		var l syncLog
		if err := json.Unmarshal([]byte(line), &l); err != nil {
			t.Fatal(err)
		}
		if trigger == "" || l.Trigger == trigger {
			out = append(out, l)
		}
	}
	return out
}
