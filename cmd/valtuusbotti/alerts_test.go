package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/config"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// `valtuusbotti alerts` on a register with known requests lists exactly the alerts due, in the organisation's
// language, and sends nothing.
func TestAlertsCommandListsTheExpectedAlerts(t *testing.T) {
	ctx := context.Background()
	helsinki, _ := time.LoadLocation("Europe/Helsinki")
	clk := clock.NewManual(time.Date(2026, 12, 2, 9, 0, 0, 0, helsinki)) // a Wednesday
	t.Setenv("VALTUUS_DATABASE_URL", "sqlite:"+filepath.Join(t.TempDir(), "alerts.db"))
	cfg, err := config.FromEnv(nil)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(ctx, cfg, app.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	const elina, sami = "7c1e4a52-0000-4000-8000-000000000001", "7c1e4a52-0000-4000-8000-000000000002"
	r, err := a.Workflow.Submit(ctx, workflow.SubmitInput{RequesterID: elina, TaskIDs: []string{"palkkatietojen-ilmoittaminen"},
		Justification: "Palkanlaskenta.", ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Workflow.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
		t.Fatal(err)
	}
	// A second request waits for Sami's decision.
	if _, err := a.Workflow.Submit(ctx, workflow.SubmitInput{RequesterID: elina, TaskIDs: []string{"veroasiat-omavero"},
		Justification: "Verot.", ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if err := a.Alerts.Start(ctx, a.DB.Jobs); err != nil {
		t.Fatal(err)
	}
	pendingBefore, _ := a.DB.Outbox.PendingOutbox(ctx)
	a.Close()

	var out bytes.Buffer
	if err := listAlerts(ctx, &out, cfg, app.Options{Now: clk.Now}, "2026-12-03", 7); err != nil {
		t.Fatal(err)
	}
	want := "2026-12-04 09:00  filing.remind        Elina Lindholm: muistutus lähettää valtuuspyyntö, pyyntö VB-2026-0001 (Elina Lindholm)\n" +
		"2026-12-07 08:00  digest.weekly        Mikael Nordström: viikon katsaus\n" +
		"2026-12-07 09:00  approval_reminder    Sami Virtanen: muistutus hyväksyttävästä pyynnöstä VB-2026-0002 (Elina Lindholm)\n"
	if out.String() != want {
		t.Fatalf("alerts listed:\n%s\nwant:\n%s", out.String(), want)
	}
	// Nothing was sent or scheduled by listing.
	b, err := app.New(ctx, cfg, app.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if n, _ := b.DB.Outbox.PendingOutbox(ctx); n != pendingBefore {
		t.Fatalf("listing changed the outbox: %d messages, was %d", n, pendingBefore)
	}
	// A day with nothing due says so; a bad day is refused.
	out.Reset()
	if err := listAlerts(ctx, &out, cfg, app.Options{Now: clk.Now}, "2026-12-05", 1); err != nil || !strings.Contains(out.String(), "Ei herätteitä") {
		t.Fatalf("empty day: %q %v", out.String(), err)
	}
	if err := listAlerts(ctx, &out, cfg, app.Options{Now: clk.Now}, "5.12.2026", 1); err == nil {
		t.Fatal("a bad -at must be refused")
	}
}
