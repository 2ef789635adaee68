package alerts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
	"github.com/valtuusbotti/valtuusbotti/internal/worktime"
)

// A year of a small organisation, 2027, on an injected clock with scheduler passes through every day (at night,
// before, during and after working hours): every alert of the herätteet goes out on the right working day and never
// in quiet hours. It walks one request that waits for its approver over Epiphany, is reminded, escalates and is
// approved by the department head; its employee's valtuuspyyntö reminder; the grant task's reminders; the mandate's
// expiry notices at 60 (moved over Vappu and a weekend) and 30 days, a renewal that goes through approval and
// extends it (so the 7-day notice is not sent); a second mandate left to lapse (no more notices); a request nobody
// decides, which expires; an invalidation task reminded until confirmed; and the weekly digests.
func TestAYearOfAlerts(t *testing.T) {
	each(t, time.Date(2027, 1, 4, 8, 30, 0, 0, helsinki), func(t *testing.T, g *rig) {
		ctx := context.Background()
		day := func(m time.Month, d, h, min int) time.Time { return time.Date(2027, m, d, h, min, 0, 0, helsinki) }
		mandates := &workflow.Mandates{Flow: g.wf, Store: g.db.Register}
		if err := g.alerts.Start(ctx, g.db.Jobs); err != nil { // as at start-up: the first weekly digest
			t.Fatal(err)
		}
		var walked time.Time
		// walk makes the scheduler's passes from the last one up to until: every day at night, just before and
		// after the start of working hours, during them, just before and after their end.
		walk := func(until time.Time) {
			t.Helper()
			if walked.IsZero() {
				walked = g.clk.Now()
			}
			for d := walked; !d.After(until); d = d.Add(time.Hour) {
				if h := d.In(helsinki).Hour(); h == 2 || h == 7 || h == 8 || h == 9 || h == 11 || h == 13 || h == 15 || h == 16 || h == 20 {
					g.runAt(d)
				}
			}
			walked = until
			g.clk.Set(until)
		}
		submit := func(who, task string, until time.Time) domain.Request {
			t.Helper()
			r, err := g.wf.Submit(ctx, workflow.SubmitInput{RequesterID: who, TaskIDs: []string{task},
				Justification: "Työtehtävät vaativat.", ValidUntil: until})
			if err != nil {
				t.Fatalf("submit %s: %v", task, err)
			}
			return r
		}
		decide := func(who string, id int64) {
			t.Helper()
			if _, err := g.wf.Decide(ctx, workflow.DecideInput{ActorID: who, RequestID: id, Decision: domain.ApproveAll}); err != nil {
				t.Fatalf("decide %d by %s: %v", id, name(who), err)
			}
		}
		grant := func(id int64, from, until time.Time) domain.Request {
			t.Helper()
			r, err := g.wf.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: id, ValidFrom: from, ValidUntil: until})
			if err != nil {
				t.Fatalf("grant %d: %v", id, err)
			}
			return r
		}
		// when lists the Finnish times at which the outbox got messages of kind to who about request id (any request
		// when id is 0).
		when := func(kind, who string, id int64) []string {
			t.Helper()
			msgs, err := g.db.Outbox.ForRecipient(ctx, who)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, m := range msgs {
				if m.Kind == kind && (id == 0 || m.RequestID == id) {
					out = append(out, m.CreatedAt.In(helsinki).Format("2.1. 15"))
				}
			}
			return out
		}
		want := func(what string, got []string, w ...string) {
			t.Helper()
			if strings.Join(got, ", ") != strings.Join(w, ", ") {
				t.Errorf("%s: %v, want %v", what, got, w)
			}
		}

		// January: Elina's request waits for Sami over Epiphany (Wednesday 6 January), is reminded on the third
		// working day, moves to the department head on the seventh and is approved by her.
		a := submit(elina, "palkkatietojen-ilmoittaminen", time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC))
		walk(day(time.January, 20, 10, 0))
		want("Sami's reminder", when(domain.MsgApprovalReminder, sami, a.ID), "8.1. 08") // due 8:30, the time of filing
		if r, _ := g.db.Register.Request(ctx, a.ID); r.ApproverID != helena {
			t.Fatalf("after seven working days the request should be Helena's, it is %s's", name(r.ApproverID))
		}
		want("the escalation told Sami", when(domain.MsgApproverChanged, sami, a.ID), "14.1. 08")
		want("Helena's reminder", when(domain.MsgApprovalReminder, helena, a.ID), "19.1. 08")
		decide(helena, a.ID)
		// Elina is reminded to send her valtuuspyyntö on the second working day; she sends it on Monday 25th.
		walk(day(time.January, 25, 9, 0))
		want("Elina's valtuuspyyntö reminder", when(domain.MsgFilingReminder, elina, a.ID), "22.1. 11") // due at 10:00, the first pass after it
		if _, err := g.wf.Filed(ctx, elina, a.ID, ""); err != nil {
			t.Fatal(err)
		}
		// The grant task reminds Mikael on the third working day (Thursday 28th) and daily after, until he grants on
		// Monday 1 February before the day's reminder.
		walk(day(time.February, 1, 8, 30))
		want("Mikael's grant reminders", when(domain.MsgGrantReminder, mikael, a.ID), "28.1. 09", "29.1. 09")
		granted := grant(a.ID, time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC))
		mA := granted.Items[0].MandateID

		// February: a second request of Elina's, approved and granted directly for a mandate ending 30 September, and
		// Oskar's request nobody decides.
		b := submit(elina, "palkkatietojen-tarkistus", time.Date(2027, 9, 30, 0, 0, 0, 0, time.UTC))
		decide(sami, b.ID)
		if _, err := g.wf.GrantDirectly(ctx, mikael, b.ID, ""); err != nil {
			t.Fatal(err)
		}
		mB := grant(b.ID, time.Date(2027, 2, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 9, 30, 0, 0, 0, 0, time.UTC)).Items[0].MandateID
		walk(day(time.February, 8, 9, 0))
		c := submit(oskar, "palkkatietojen-ilmoittaminen", time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC))

		// March–May: Oskar's request expires after twenty working days (Easter does not count) and he is told.
		walk(day(time.May, 3, 9, 0))
		if r, _ := g.db.Register.Request(ctx, c.ID); !r.Expired() {
			t.Fatalf("Oskar's request: %s, want expired", r.State)
		}
		if got := when(domain.MsgRequestExpired, oskar, c.ID); len(got) != 1 {
			t.Errorf("Oskar was told %d times that his request expired", len(got))
		}
		// The first mandate's 60-day notice: 1 May is Vappu and a Saturday, so Monday 3 May at the start of the day.
		want("60-day notice to Elina", when(domain.MsgExpiryNotice, elina, 0)[:1], "3.5. 08")
		want("60-day notice to Sami", when(domain.MsgExpiryNotice, sami, 0)[:1], "3.5. 08")

		// At the 30-day notice (Monday 31 May) Elina renews; Sami approves, she sends the valtuuspyyntö and Mikael
		// grants the renewal from the old end date: the 7-day notice is not sent.
		walk(day(time.May, 31, 10, 0))
		renewal, err := mandates.Renew(ctx, workflow.RenewInput{ActorID: elina, MandateID: mA})
		if err != nil {
			t.Fatal(err)
		}
		decide(sami, renewal.ID)
		if _, err := g.wf.Filed(ctx, elina, renewal.ID, ""); err != nil {
			t.Fatal(err)
		}
		renewed := grant(renewal.ID, time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC), time.Date(2028, 6, 30, 0, 0, 0, 0, time.UTC))
		mR := renewed.Items[0].MandateID
		if m, _ := g.db.Register.Mandate(ctx, mR); domain.DateOf(m.ValidFrom).String() != "2027-06-30" || domain.DateOf(m.ValidUntil).String() != "2028-06-30" {
			t.Fatalf("the renewal should extend the mandate from its old end: %s–%s", domain.DateOf(m.ValidFrom), domain.DateOf(m.ValidUntil))
		}

		// August: the second mandate's 60-day notice (1 August is a Sunday: Monday 2nd); Elina lets it lapse, so
		// no 30- or 7-day notice follows.
		walk(day(time.August, 2, 10, 0))
		if _, err := mandates.LetLapse(ctx, elina, mB, ""); err != nil {
			t.Fatal(err)
		}

		// October: Mikael opens an invalidation task for the renewed mandate; it reminds him after three working
		// days and every working day until he confirms it on Tuesday 12 October.
		walk(day(time.October, 4, 10, 0))
		if _, err := mandates.RequestInvalidation(ctx, workflow.InvalidationInput{ActorID: mikael, MandateID: mR,
			Reason: "Tehtävät siirtyivät toiselle."}); err != nil {
			t.Fatal(err)
		}
		walk(day(time.October, 12, 12, 0))
		if _, err := mandates.ConfirmInvalidation(ctx, workflow.ConfirmInput{ActorID: mikael, MandateID: mR,
			InvalidatedOn: domain.DateOf(time.Date(2027, 10, 12, 0, 0, 0, 0, time.UTC))}); err != nil {
			t.Fatal(err)
		}
		walk(day(time.December, 31, 18, 0))

		want("Elina's expiry notices", when(domain.MsgExpiryNotice, elina, 0), "3.5. 08", "31.5. 08", "2.8. 08")
		want("the end of the first mandate", when(domain.MsgExpiredNotice, elina, 0))
		// The task on opening; its reminders from the third working day at the first pass after 10:00, every
		// working day (not the weekend of 9–10 October) until the confirmation on the 12th after the day's reminder.
		want("the invalidation task and its reminders", when(domain.MsgInvalidationTask, mikael, 0),
			"4.10. 10", "7.10. 11", "8.10. 11", "11.10. 11", "12.10. 11")
		if got := when(domain.MsgRevokedNotice, elina, 0); len(got) != 1 {
			t.Errorf("Elina was told %d times of the invalidation", len(got))
		}
		if m, _ := g.db.Register.Mandate(ctx, mR); m.State != domain.MandateRevoked {
			t.Errorf("the renewed mandate is %s after the invalidation", m.State)
		}
		// The weekly digest on the first working morning of every week after the start: Easter Monday and
		// Independence Day (Monday 6 December) move theirs to the Tuesday.
		cal := worktime.Calendar{WorkStart: 8 * time.Hour, WorkEnd: 16 * time.Hour}
		var weeks []string
		for monday := domain.DateOf(time.Date(2027, 1, 11, 0, 0, 0, 0, time.UTC)); monday.Before(domain.DateOf(time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC))); monday = monday.AddDays(7) {
			for d := monday; d.Before(monday.AddDays(5)); d = d.AddDays(1) {
				if cal.IsWorkingDay(d) {
					weeks = append(weeks, fmt.Sprintf("%d.%d. 08", d.Time().Day(), int(d.Time().Month())))
					break
				}
			}
		}
		want("Mikael's weekly digests", when(domain.MsgWeeklyDigest, mikael, 0), weeks...)
		if !strings.Contains(strings.Join(weeks, " "), "30.3. 08") || !strings.Contains(strings.Join(weeks, " "), "7.12. 08") {
			t.Fatalf("the expected weeks miss the holiday Tuesdays: %v", weeks)
		}
		quietHours(t, g, cal)
	})
}

// quietHours checks that every alert message of the year was written in working hours on a working day.
func quietHours(t *testing.T, g *rig, cal worktime.Calendar) {
	t.Helper()
	alertKinds := map[string]bool{domain.MsgApprovalReminder: true, domain.MsgApproverChanged: true, domain.MsgRequestExpired: true,
		domain.MsgFilingReminder: true, domain.MsgGrantReminder: true, domain.MsgExpiryNotice: true, domain.MsgExpiredNotice: true,
		domain.MsgInvalidationTask: true, domain.MsgWeeklyDigest: true}
	n := 0
	for _, who := range []string{elina, sami, helena, mikael, oskar, leo} {
		msgs, err := g.db.Outbox.ForRecipient(context.Background(), who)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			if alertKinds[m.Kind] && m.RequestID >= 0 {
				n++
				if !cal.IsWorkingTime(m.CreatedAt) {
					t.Errorf("%s to %s at %s: outside working hours", m.Kind, name(who), m.CreatedAt.In(helsinki).Format("Mon 2.1. 15:04"))
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("only %d alerts in a year", n)
	}
}
