package alerts_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// An invalidation task Sami asks for on Tuesday 22.12.2026 reminds the main users after three working days (Christmas
// Eve, Christmas Day, Boxing Day and the weekend do not count: Tuesday 29.12.) and then every working day (not New
// Year's Day or Epiphany) at the hour it was asked, until Mikael confirms it on Thursday 7.1.2027; the mandate is then
// revoked, Elina is told, and neither reminders nor expiry notices follow.
func TestInvalidationRemindedUntilConfirmed(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		m := w.grant(domain.NewDate(2027, 3, 7))
		w.clk.Set(fiTime(2026, 12, 22, 10, 0))
		in := workflow.InvalidationInput{ActorID: supervisorSami, MandateID: m.ID, Reason: "Siirtyy toiseen yksikköön", ActivityID: "act-inv"}
		if _, err := w.mandates.RequestInvalidation(ctx, in); err != nil {
			t.Fatal(err)
		}
		// A double tap, or a main user at the same moment, opens no second task.
		in.ActorID = mainUserMikael
		if _, err := w.mandates.RequestInvalidation(ctx, in); domain.ErrorMessage(err) != "err.invalidation_exists" {
			t.Errorf("second request = %v", err)
		}
		w.deliver()
		w.runUntil(fiTime(2027, 1, 7, 12, 0))
		var got []string
		for _, s := range w.of(domain.MsgInvalidationTask) {
			got = append(got, fmt.Sprintf("%v#%d", s, s.payload.(domain.InvalidationTask).Reminder))
		}
		want := []string{
			"invalidation_task→04@2026-12-22 10:00#0",
			"invalidation_task→04@2026-12-29 10:00#1", "invalidation_task→04@2026-12-30 10:00#2",
			"invalidation_task→04@2026-12-31 10:00#3", "invalidation_task→04@2027-01-04 10:00#4",
			"invalidation_task→04@2027-01-05 10:00#5", "invalidation_task→04@2027-01-07 10:00#6",
		}
		if !slices.Equal(got, want) {
			t.Errorf("task and reminders:\n got %v\nwant %v", got, want)
		}
		// While the task is open the 60-day expiry notice (due 7.1.) is pointless and not delivered.
		if n := len(w.of(domain.MsgExpiryNotice)); n != 0 {
			t.Errorf("%d expiry notices while the invalidation task is open", n)
		}

		// Only a main user confirms; a second tap records nothing.
		confirm := workflow.ConfirmInput{ActorID: supervisorSami, MandateID: m.ID, InvalidatedOn: domain.NewDate(2027, 1, 7), ActivityID: "act-done"}
		if _, err := w.mandates.ConfirmInvalidation(ctx, confirm); !domain.IsCode(err, domain.EForbidden) {
			t.Errorf("confirmed by the supervisor: %v", err)
		}
		confirm.ActorID = mainUserMikael
		if _, err := w.mandates.ConfirmInvalidation(ctx, confirm); err != nil {
			t.Fatal(err)
		}
		if _, err := w.mandates.ConfirmInvalidation(ctx, confirm); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("second confirmation = %v", err)
		}
		w.deliver()
		if got := w.of(domain.MsgRevokedNotice); len(got) != 1 || got[0].RecipientID != holderElina {
			t.Errorf("revoked notices: %v", got)
		}
		if got, _ := w.db.Register.Mandate(ctx, m.ID); got.State != domain.MandateRevoked {
			t.Errorf("mandate after the confirmation: %+v", got)
		}
		for _, key := range []string{"expiry/mandate/%d/30", "expiry/mandate/%d/7", "expired/mandate/%d/end"} {
			if j, err := w.db.Jobs.Job(ctx, fmt.Sprintf(key, m.ID)); err != nil || j.CancelledAt.IsZero() {
				t.Errorf("%s after the revocation: %+v, %v", fmt.Sprintf(key, m.ID), j, err)
			}
		}
		before := len(w.delivered)
		w.runUntil(fiTime(2027, 3, 10, 20, 0))
		if len(w.delivered) != before {
			t.Errorf("messages after the confirmation: %v", w.delivered[before:])
		}
		for action, want := range map[string]int{"mandate.invalidation_requested": 1, "mandate.invalidation_reminded": 6,
			"mandate.revoked": 1, "mandate.expired": 0, "mandate.expiry_notice": 0} {
			if n := w.auditCount(m.RequestID, action); n != want {
				t.Errorf("%d × %s audited, want %d", n, action, want)
			}
		}
		w.onlyInWorkingHours(domain.MsgInvalidationTask)
	})
}

// Nobody but a main user or the holder's supervisor opens a task, whatever the card says; nothing is written for
// the refused ones.
func TestInvalidationRefusedForOthers(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		m := w.grant(domain.NewDate(2027, 3, 7))
		for _, who := range []string{holderElina, strangerDina, ""} {
			if _, err := w.mandates.RequestInvalidation(ctx, workflow.InvalidationInput{ActorID: who, MandateID: m.ID, Reason: "x"}); !domain.IsCode(err, domain.EForbidden) {
				t.Errorf("opened by %q: %v", who, err)
			}
		}
		if _, err := w.db.Register.Invalidation(ctx, m.ID); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("a refused request left a task: %v", err)
		}
		if _, err := w.db.Jobs.Job(ctx, fmt.Sprintf("invalidation/mandate/%d/1", m.ID)); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("a refused request scheduled a reminder: %v", err)
		}
	})
}

// The preview follows an open task's reminders, working day after working day, and lists none once it is confirmed.
func TestPreviewListsInvalidationReminders(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		m := w.grant(domain.NewDate(2027, 3, 7))
		w.clk.Set(fiTime(2026, 12, 22, 10, 0))
		if _, err := w.mandates.RequestInvalidation(ctx, workflow.InvalidationInput{ActorID: mainUserMikael, MandateID: m.ID, Reason: "Ei tarvita"}); err != nil {
			t.Fatal(err)
		}
		p := i18n.MustLoad().Printer(domain.Finnish)
		days := func() []string {
			list, err := w.alerts.Preview(ctx, w.db.Jobs, w.clk.Now(), 10, p)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range list {
				if a.Kind == alerts.KindInvalidation {
					out = append(out, a.At.In(expiryZone).Format("01-02 15:04"))
				}
			}
			return out
		}
		if got, want := days(), []string{"12-29 10:00", "12-30 10:00", "12-31 10:00"}; !slices.Equal(got, want) {
			t.Errorf("reminders in the preview: %v, want %v", got, want)
		}
		if _, err := w.mandates.ConfirmInvalidation(ctx, workflow.ConfirmInput{ActorID: mainUserMikael, MandateID: m.ID, InvalidatedOn: domain.NewDate(2026, 12, 22)}); err != nil {
			t.Fatal(err)
		}
		if got := days(); len(got) != 0 {
			t.Errorf("reminders after the confirmation: %v", got)
		}
	})
}
