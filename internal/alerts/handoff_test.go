package alerts_test

import (
	"context"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// Working minutes skip the evening and the weekend: 30 minutes from Friday 15:50 (work ends at 16:00) are Monday
// 08:20; within working hours they are just 30 minutes; from a Saturday they start on Monday morning.
func TestAfterWorkingTime(t *testing.T) {
	w := newWorld(t, sqltest.Open(t), clock.NewManual(time.Time{}))
	for _, c := range []struct{ from, want time.Time }{
		{time.Date(2026, 11, 27, 15, 50, 0, 0, helsinki), time.Date(2026, 11, 30, 8, 20, 0, 0, helsinki)},
		{time.Date(2026, 11, 25, 9, 0, 0, 0, helsinki), time.Date(2026, 11, 25, 9, 30, 0, 0, helsinki)},
		{time.Date(2026, 11, 28, 12, 0, 0, 0, helsinki), time.Date(2026, 11, 30, 8, 30, 0, 0, helsinki)},
	} {
		if got := w.alerts.AfterWorkingTime(c.from, 30*time.Minute); !got.Equal(c.want) {
			t.Errorf("30 working minutes after %s: %s, want %s", c.from, got.In(helsinki), c.want)
		}
	}
}

// An untaken hand-off reminds the channel after the reminder time and then again, at most the organisation's
// number of times; a taken one stops the chain.
func TestHandoffReminders(t *testing.T) {
	clk := clock.NewManual(time.Date(2026, 11, 25, 9, 0, 0, 0, helsinki))
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		w := newWorld(t, db, clk)
		clk.Set(time.Date(2026, 11, 25, 9, 0, 0, 0, helsinki))
		h := domain.Handoff{EmployeeID: elina, Lang: domain.Finnish, Question: "auton avaimet", ChannelID: "19:c@thread.tacv2"}
		s := db.Support()
		if err := s.InTx(ctx, func(tx domain.SupportTx) error {
			if err := tx.CreateHandoff(ctx, &h); err != nil {
				return err
			}
			_, err := tx.Schedule(ctx, alerts.HandoffReminderJob(w.alerts, h.ID, 1, clk.Now()))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		reminders := func() int {
			out, _ := db.Outbox.ForRecipient(ctx, domain.ChannelRecipient(h.ChannelID))
			return len(out)
		}
		w.at(2026, 11, 25, 9, 20)
		if n := reminders(); n != 0 {
			t.Fatalf("%d reminders before the time", n)
		}
		w.at(2026, 11, 25, 9, 31)
		w.at(2026, 11, 25, 10, 2)
		if n := reminders(); n != 2 {
			t.Fatalf("%d reminders after an hour, want 2", n)
		}
		if err := s.InTx(ctx, func(tx domain.SupportTx) error {
			cur, _ := tx.Handoff(ctx, h.ID)
			if err := cur.Take(mikael, "Mikael", clk.Now()); err != nil {
				return err
			}
			return tx.UpdateHandoff(ctx, &cur)
		}); err != nil {
			t.Fatal(err)
		}
		w.at(2026, 11, 25, 11, 0)
		w.at(2026, 11, 25, 12, 0)
		if n := reminders(); n != 2 {
			t.Fatalf("%d reminders after the take, want still 2", n)
		}
	})
}
