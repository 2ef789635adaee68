package alerts_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// A year of a small organisation's directory, from 25.11.2026, on an injected clock with scheduler passes through
// every day that has a job: one joiner gets one welcome and their supervisor one notice; one leaver, whose leave
// day (Monday 15.3.2027) the sync saw in December, gets one invalidation task for both of her mandates on that day
// and not before, reminded after three working days and then daily until the main user confirms both on Friday
// 19.3., then nothing more; and the continuity check warns once that a theme in use (Statistics Finland's data
// collections) has only one holder of the right to grant, and once, 90 days ahead, that Helena's right ends on
// 30.4.2027 (Saturday 30.1. is no working day: Monday 1.2. at the start of working hours).
func TestAYearOfJoinersLeaversAndContinuity(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		org := &w.alerts.Catalog.Org
		for i := range org.RightHolders {
			if org.RightHolders[i].ID == headHelena {
				org.RightHolders[i].Until = domain.NewDate(2027, 4, 30)
			}
		}
		if err := w.alerts.Start(ctx, w.db.Jobs); err != nil {
			t.Fatal(err)
		}
		pay := w.grant(domain.NewDate(2027, 12, 31))
		r, err := w.flow.Submit(ctx, workflow.SubmitInput{RequesterID: holderElina, TaskIDs: []string{"tilastokeskuksen-tiedonkeruut"},
			Justification: "Tilastot", ValidUntil: domain.NewDate(2027, 12, 31).Time()})
		if err != nil {
			t.Fatal(err)
		}
		stats := w.approveAndGrant(r, domain.Today(w.clk.Now()), domain.NewDate(2027, 12, 31))
		w.jumpUntil(fiTime(2026, 12, 1, 9, 0))

		w.event(domain.Joiner, newcomer, nil, person(newcomer, "Noora Uusi", "Talous- ja henkilöstöpalvelut", "Palkkasihteeri", supervisorSami),
			domain.NewDate(2026, 12, 1))
		w.jumpUntil(fiTime(2026, 12, 10, 9, 0))
		// The sync sees Elina's leave day in advance: the work is due on that day.
		elina := person(holderElina, "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "Palkkasihteeri", supervisorSami)
		left := *elina
		day := domain.NewDate(2027, 3, 15).Time()
		left.LeaveDate = &day
		w.event(domain.Leaver, holderElina, elina, &left, domain.NewDate(2027, 3, 15))
		dir := &movedDirectory{Directory: w.alerts.Directory, changed: map[string]domain.User{holderElina: left.User}}
		w.alerts.Directory = dir

		w.jumpUntil(fiTime(2027, 3, 14, 23, 0))
		if got := w.of(domain.MsgLeaverTask); len(got) != 0 {
			t.Fatalf("leaver tasks before the leave day: %v", got)
		}
		w.jumpUntil(fiTime(2027, 3, 19, 12, 0))
		if n, err := w.mandates.ConfirmLeaver(ctx, workflow.LeaverConfirmInput{ActorID: mainUserMikael, PersonID: holderElina,
			MandateIDs: []int64{pay.ID}, InvalidatedOn: domain.NewDate(2027, 3, 19)}); err != nil || n != 1 {
			t.Fatalf("confirm: %d, %v", n, err)
		}
		// The other one through the single mandate's task card (the mandate list's): the leaver is not told either.
		if _, err := w.mandates.ConfirmInvalidation(ctx, workflow.ConfirmInput{ActorID: mainUserMikael, MandateID: stats.ID,
			InvalidatedOn: domain.NewDate(2027, 3, 19)}); err != nil {
			t.Fatalf("confirm the second through its own card: %v", err)
		}
		// A second tap (or another main user) records nothing.
		if _, err := w.mandates.ConfirmLeaver(ctx, workflow.LeaverConfirmInput{ActorID: mainUserMikael, PersonID: holderElina,
			MandateIDs: []int64{pay.ID, stats.ID}, InvalidatedOn: domain.NewDate(2027, 3, 19)}); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("second confirmation: %v", err)
		}
		w.jumpUntil(fiTime(2027, 11, 24, 20, 0))

		var lines []string
		for _, d := range w.of(domain.MsgJoinerWelcome, domain.MsgJoinerNotice, domain.MsgLeaverTask, domain.MsgContinuityAlert) {
			extra := ""
			switch p := d.payload.(type) {
			case domain.LeaverTask:
				extra = fmt.Sprintf("#%d/%d", p.Reminder, len(p.Mandates))
			case domain.ContinuityAlert:
				extra = fmt.Sprintf("/%s%v", p.Reason, p.Themes)
			}
			lines = append(lines, d.String()+extra)
		}
		want := []string{
			"continuity_alert→04@2026-11-25 10:00/few_holders[tilastokeskus-tiedonkeruut]",
			"joiner_welcome→a1@2026-12-01 09:00", "joiner_notice→02@2026-12-01 09:00",
			"continuity_alert→04@2027-02-01 08:00/right_ending[" + joinThemes(org, headHelena) + "]",
			"leaver_task→04@2027-03-15 08:00#0/2",
			"leaver_task→04@2027-03-18 08:00#1/2", "leaver_task→04@2027-03-19 08:00#2/2",
		}
		if !slices.Equal(lines, want) {
			t.Errorf("the year's messages:\n got %q\nwant %q", lines, want)
		}
		for _, m := range []domain.Mandate{pay, stats} {
			got, err := w.db.Register.Mandate(ctx, m.ID)
			if err != nil || got.State != domain.MandateRevoked {
				t.Errorf("mandate %d after the confirmation: %+v, %v", m.ID, got.State, err)
			}
		}
		// The leaver is not told (she has left), and no expiry notice is sent for an invalidated mandate.
		if got := w.of(domain.MsgRevokedNotice, domain.MsgExpiryNotice, domain.MsgExpiredNotice); len(got) != 0 {
			t.Errorf("notices to the leaver: %v", got)
		}
		for action, want := range map[string]int{"directory.joiner": 1, "directory.leaver": 1,
			"directory.leaver_reminded": 2, "continuity.alert": 2, "mandate.revoked": 2} {
			if n := w.actions(action); n != want {
				t.Errorf("%d × %s audited, want %d", n, action, want)
			}
		}
		w.onlyInWorkingHours(domain.MsgLeaverTask, domain.MsgContinuityAlert, domain.MsgJoinerWelcome)
	})
}

// jumpUntil moves the clock from one due job to the next up to until, running the scheduler and delivering at each
// (jobs that fall outside working hours defer themselves, and the clock follows them): a year with a daily job in
// a few hundred passes instead of runUntil's seven a day.
func (w *expiryWorld) jumpUntil(until time.Time) {
	w.t.Helper()
	ctx := context.Background()
	for {
		next, ok, err := w.db.Jobs.NextRun(ctx)
		if err != nil {
			w.t.Fatal(err)
		}
		if !ok || next.After(until) {
			break
		}
		if next.After(w.clk.Now()) {
			w.clk.Set(next)
		}
		n, err := w.runner.RunOnce(ctx)
		if err != nil {
			w.t.Fatalf("scheduler pass at %v: %v", w.clk.Now(), err)
		}
		w.deliver()
		if n == 0 { // due but not claimable yet (a retry's backoff): let a minute pass
			w.clk.Set(w.clk.Now().Add(time.Minute))
		}
	}
	if until.After(w.clk.Now()) {
		w.clk.Set(until)
	}
	w.deliver()
}

// joinThemes is the holder's themes as the alert lists them.
func joinThemes(org *domain.Organisation, id string) string {
	h, _ := org.RightHolder(id)
	return fmt.Sprint(h.Themes)[1 : len(fmt.Sprint(h.Themes))-1]
}
