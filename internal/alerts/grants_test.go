package alerts_test

import (
	"context"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// The demo people (elina, sami, mikael) and helsinki are declared in approvals_test.go.

// world is a small organisation with the alerts wired as in the service, on a manual clock.
type world struct {
	t      *testing.T
	clk    *clock.Manual
	db     *sqlstore.DB
	flow   *workflow.Service
	alerts *alerts.Service
	runner *scheduler.Runner
}

func newWorld(t *testing.T, db *sqlstore.DB, clk *clock.Manual) *world {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	a := &alerts.Service{Store: db.Register, Catalog: cat, Directory: dir, Now: clk.Now}
	w := &world{t: t, clk: clk, db: db, alerts: a,
		flow:   &workflow.Service{Store: db.Register, Directory: dir, Catalog: cat, Now: clk.Now, Alerts: a},
		runner: &scheduler.Runner{Store: db.Jobs, Handlers: a.Handlers(), Now: clk.Now}}
	return w
}

// at moves the clock to a Finnish wall-clock time and runs a scheduler pass.
func (w *world) at(y int, m time.Month, d, hh, mm int) {
	w.t.Helper()
	w.clk.Set(time.Date(y, m, d, hh, mm, 0, 0, helsinki))
	if _, err := w.runner.RunOnce(context.Background()); err != nil {
		w.t.Fatal(err)
	}
}

// sent counts the outbox messages of kind to recipient.
func (w *world) sent(kind, recipient string, requestID int64) int {
	w.t.Helper()
	msgs, err := w.db.Outbox.ForRequest(context.Background(), requestID)
	if err != nil {
		w.t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Kind == kind && m.RecipientID == recipient {
			n++
		}
	}
	return n
}

func (w *world) approved(task string) domain.Request {
	w.t.Helper()
	ctx := context.Background()
	r, err := w.flow.Submit(ctx, workflow.SubmitInput{RequesterID: elina, TaskIDs: []string{task},
		Justification: "Palkanlaskenta.", ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		w.t.Fatal(err)
	}
	if r, err = w.flow.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
		w.t.Fatal(err)
	}
	return r
}

// The employee who has not sent the valtuuspyyntö is reminded once, after the policy's working days; once she
// has, the main users are reminded of the task after their working days and every working day after, skipping a
// public holiday and waiting for working hours, until it is done.
func TestGrantAndFilingReminders(t *testing.T) {
	clk := clock.NewManual(time.Time{})
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		// Approved on Wednesday 2 December 2026 at 15:50: the reminder falls due two working days later, on Friday
		// at 15:50, ten minutes before working hours end.
		clk.Set(time.Date(2026, 12, 2, 15, 50, 0, 0, helsinki))
		w := newWorld(t, db, clk)
		r := w.approved("palkkatietojen-ilmoittaminen")

		w.at(2026, 12, 4, 15, 0) // not yet due
		w.at(2026, 12, 4, 17, 0) // due, but after working hours: it waits
		w.at(2026, 12, 5, 12, 0) // Saturday
		if n := w.sent(domain.MsgFilingReminder, elina, r.ID); n != 0 {
			t.Fatalf("filing reminders outside working hours: %d", n)
		}
		w.at(2026, 12, 7, 8, 5)
		w.at(2026, 12, 7, 9, 0) // a second pass sends nothing more
		if n := w.sent(domain.MsgFilingReminder, elina, r.ID); n != 1 {
			t.Fatalf("filing reminders: %d, want 1", n)
		}

		// She sends it on Monday at 9:00; three working days later (Thursday 10 Dec, 9:00) the main user is reminded,
		// then every working day: Friday, and (after the weekend) Monday.
		if _, err := w.flow.Filed(ctx, elina, r.ID, ""); err != nil {
			t.Fatal(err)
		}
		w.at(2026, 12, 9, 12, 0)
		if n := w.sent(domain.MsgGrantReminder, mikael, r.ID); n != 0 {
			t.Fatalf("grant reminder too early: %d", n)
		}
		w.at(2026, 12, 10, 9, 5)
		w.at(2026, 12, 11, 9, 5)
		w.at(2026, 12, 12, 10, 0) // Saturday
		if n := w.sent(domain.MsgGrantReminder, mikael, r.ID); n != 2 {
			t.Fatalf("grant reminders by Saturday: %d, want 2", n)
		}
		// Granted on Monday before the pass: the chain ends.
		clk.Set(time.Date(2026, 12, 14, 8, 30, 0, 0, helsinki))
		if _, err := w.flow.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: r.ID,
			ValidFrom: time.Date(2026, 12, 14, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		w.at(2026, 12, 14, 9, 30)
		w.at(2026, 12, 15, 9, 30)
		if n := w.sent(domain.MsgGrantReminder, mikael, r.ID); n != 2 {
			t.Fatalf("grant reminders after the grant: %d, want 2", n)
		}
	})
}

// A job that runs twice (its claim lost after the effects committed) has its effects once.
func TestFilingReminderEffectsOnce(t *testing.T) {
	clk := clock.NewManual(time.Time{})
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk.Set(time.Date(2026, 12, 2, 10, 0, 0, 0, helsinki))
		w := newWorld(t, db, clk)
		r := w.approved("palkkatietojen-ilmoittaminen")
		clk.Set(time.Date(2026, 12, 4, 10, 5, 0, 0, helsinki))
		jobs, _, err := db.Jobs.ClaimDue(ctx, clk.Now(), alerts.Kinds(), 10, time.Minute)
		if err != nil || len(jobs) != 1 || jobs[0].Kind != alerts.KindFilingRemind {
			t.Fatalf("due %v: %v", jobs, err)
		}
		h := w.alerts.Handlers()[jobs[0].Kind]
		for range 2 {
			if err := h(ctx, jobs[0]); err != nil {
				t.Fatal(err)
			}
		}
		if n := w.sent(domain.MsgFilingReminder, elina, r.ID); n != 1 {
			t.Fatalf("%d reminders from two runs", n)
		}
	})
}

// Every main user's weekly digest goes out on the first working morning of the week, and the next one follows.
func TestWeeklyDigest(t *testing.T) {
	clk := clock.NewManual(time.Time{})
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		clk.Set(time.Date(2026, 12, 2, 10, 0, 0, 0, helsinki)) // a Wednesday
		w := newWorld(t, db, clk)
		if err := w.alerts.Start(ctx, db.Jobs); err != nil {
			t.Fatal(err)
		}
		if err := w.alerts.Start(ctx, db.Jobs); err != nil { // a second replica starting: nothing doubles
			t.Fatal(err)
		}
		digests := func() int {
			msgs, _ := db.Outbox.ForRecipient(ctx, mikael)
			n := 0
			for _, m := range msgs {
				if m.Kind == domain.MsgWeeklyDigest && m.RecipientID == mikael {
					n++
				}
			}
			return n
		}
		w.at(2026, 12, 6, 12, 0) // Sunday
		if n := digests(); n != 0 {
			t.Fatalf("digest before Monday: %d", n)
		}
		w.at(2026, 12, 7, 8, 1)
		w.at(2026, 12, 8, 8, 1)
		if n := digests(); n != 1 {
			t.Fatalf("digests in the first week: %d", n)
		}
		// Christmas week 2026: Thursday 24 and Friday 25 are holidays, Monday 28 December a working day.
		for _, d := range []int{14, 21, 28} {
			w.at(2026, 12, d, 8, 1)
		}
		if n := digests(); n != 4 {
			t.Fatalf("digests by 28 December: %d, want 4", n)
		}
	})
}
