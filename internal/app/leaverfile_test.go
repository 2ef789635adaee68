package app_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Issue 10's acceptance through the running service: with the demo directory in a file, Elina holds a mandate;
// her account is disabled by editing the file, without a restart; the sync raises her leaver event, the scheduler
// runs it, and the main user Mikael gets one invalidation task for her mandate in his chat, which names the
// leaver's task verb. A second scheduler pass sends nothing more.
func TestDirectoryFileEditGivesTheLeaversInvalidationTask(t *testing.T) {
	demo, err := os.ReadFile("../directory/demo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "people.yaml")
	if err := os.WriteFile(path, demo, 0o600); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, fastOutbox, withoutRateLimits, func(env map[string]string, _ *app.Options) {
		env["VALTUUS_DIRECTORY_FILE"] = path
	})
	ctx := context.Background()
	eventually(t, "the baseline", func() bool {
		st, err := h.app.DB.DirSync().State(ctx, "1061512-1")
		return err == nil && !st.BaselineAt.IsZero()
	})
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 3, 5*time.Second)
	m := grantUntil(t, h, domain.Today(h.clock.Now()).AddDays(300).String())

	if err := os.WriteFile(path, []byte(accountDisabled(t, string(demo), elina)), 0o600); err != nil {
		t.Fatal(err)
	}
	key := "dir_leaver/" + elina + "/" + h.clock.Now().UTC().Format("2006-01-02")
	eventually(t, "the leaver job", func() bool {
		_, err := h.app.DB.Jobs.Job(ctx, key)
		return err == nil
	})
	before := len(sentTo(h.conn.Sent(), mikael))
	if _, err := h.app.Scheduler.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitOutbox(t)
	sent := sentTo(h.conn.Sent(), mikael)
	if len(sent) != before+1 {
		t.Fatalf("Mikael got %d messages after the edit, want the one task", len(sent)-before)
	}
	if c := cardText(card(t, sent[len(sent)-1])); !contains(c, "leaverDone", "mandate") {
		t.Fatalf("Mikael's task: %s", c)
	}
	if job, err := h.app.DB.Jobs.Job(ctx, key); err != nil || job.DoneAt.IsZero() {
		t.Fatalf("leaver job %+v %v", job, err)
	}
	if _, err := h.app.Scheduler.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitOutbox(t)
	if n := len(sentTo(h.conn.Sent(), mikael)); n != len(sent) {
		t.Fatalf("%d more messages to Mikael after a second pass", n-len(sent))
	}
	if got, err := h.app.DB.Register.Mandate(ctx, m.ID); err != nil || got.State != domain.MandateActive {
		t.Fatalf("the mandate stays active until a main user confirms: %+v %v", got, err)
	}
}
