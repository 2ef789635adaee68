package alerts_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/scheduler"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// Demo people (docs/demo-people.md).
const (
	holderElina    = "7c1e4a52-0000-4000-8000-000000000001" // employee, manager Sami
	supervisorSami = "7c1e4a52-0000-4000-8000-000000000002" // Elina's supervisor
	mainUserMikael = "7c1e4a52-0000-4000-8000-000000000004" // main user
	strangerDina   = "7c1e4a52-0000-4000-8000-000000000005"
)

const expiryTask = "palkkatietojen-ilmoittaminen"

var expiryZone = domain.OrgLocation

// fiTime is a wall clock time in Finland.
func fiTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, expiryZone)
}

// delivered is an outbox message as the test's delivery saw it.
type delivered struct {
	domain.OutboxMessage
	payload domain.Payload
}

func (s delivered) String() string {
	return fmt.Sprintf("%s→%s@%s", s.Kind, s.RecipientID[len(s.RecipientID)-2:], s.CreatedAt.In(expiryZone).Format("2006-01-02 15:04"))
}

// expiryWorld is a small organisation on a real register (SQLite or PostgreSQL) with the mandate flow, the alerts
// and a scheduler runner, all on one manual clock; a fake delivery drains the outbox.
type expiryWorld struct {
	t         *testing.T
	clk       *clock.Manual
	db        *sqlstore.DB
	alerts    *alerts.Service
	flow      *workflow.Service
	mandates  *workflow.Mandates
	runner    *scheduler.Runner
	delivered []delivered
}

func eachWorld(t *testing.T, body func(t *testing.T, w *expiryWorld)) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(fiTime(2026, 11, 25, 10, 0)) // a Wednesday, in working hours
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		cat, err := catalog.Default()
		if err != nil {
			t.Fatal(err)
		}
		dir, err := directory.LoadDemo()
		if err != nil {
			t.Fatal(err)
		}
		w := &expiryWorld{t: t, clk: clk, db: db}
		w.alerts = &alerts.Service{Store: db.Register, Catalog: cat, Directory: dir, Now: clk.Now}
		w.flow = &workflow.Service{Store: db.Register, Directory: dir, Catalog: cat, Now: clk.Now, Alerts: w.alerts}
		w.mandates = &workflow.Mandates{Flow: w.flow, Store: db.Register}
		w.runner = &scheduler.Runner{Store: db.Jobs, Handlers: w.alerts.Handlers(), Now: clk.Now}
		body(t, w)
	})
}

// grant takes Elina's request for the pay-data theme through approval and grant, valid until until, and returns the
// mandate.
func (w *expiryWorld) grant(until domain.Date) domain.Mandate {
	w.t.Helper()
	ctx := context.Background()
	r, err := w.flow.Submit(ctx, workflow.SubmitInput{RequesterID: holderElina, TaskIDs: []string{expiryTask},
		Justification: "Palkanlaskenta", ValidUntil: until.Time()})
	if err != nil {
		w.t.Fatal(err)
	}
	return w.approveAndGrant(r, domain.Today(w.clk.Now()), until)
}

// approveAndGrant has Sami approve r, Elina file it and Mikael grant it from from until until.
func (w *expiryWorld) approveAndGrant(r domain.Request, from, until domain.Date) domain.Mandate {
	w.t.Helper()
	ctx := context.Background()
	if _, err := w.flow.Decide(ctx, workflow.DecideInput{ActorID: supervisorSami, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
		w.t.Fatal(err)
	}
	if _, err := w.flow.Filed(ctx, holderElina, r.ID, ""); err != nil {
		w.t.Fatal(err)
	}
	g, err := w.flow.Grant(ctx, workflow.GrantInput{ActorID: mainUserMikael, RequestID: r.ID, ValidFrom: from.Time(), ValidUntil: until.Time()})
	if err != nil {
		w.t.Fatal(err)
	}
	m, err := w.db.Register.Mandate(ctx, g.Items[0].MandateID)
	if err != nil {
		w.t.Fatal(err)
	}
	w.deliver()
	return m
}

// expiryCheckpoints are the wall clock times of each day at which the test runs the scheduler and delivers: before, at
// the start of, during, at the end of and after working hours (08:00–16:00).
var expiryCheckpoints = [][2]int{{6, 0}, {8, 0}, {10, 0}, {13, 0}, {15, 59}, {16, 0}, {20, 0}}

// runUntil moves the clock to until, through every checkpoint of each day on which a job may run (jumping over the
// days on which none may), running the scheduler and delivering at each.
func (w *expiryWorld) runUntil(until time.Time) {
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
		day := domain.Today(w.clk.Now())
		if d := domain.Today(next); d.After(day) {
			day = d
		}
		y, m, d := day.Time().Date()
		for _, c := range expiryCheckpoints {
			at := fiTime(y, m, d, c[0], c[1])
			if !at.After(w.clk.Now()) || at.After(until) {
				continue
			}
			w.clk.Set(at)
			if _, err := w.runner.RunOnce(ctx); err != nil {
				w.t.Fatalf("scheduler pass at %v: %v", at, err)
			}
			w.deliver()
		}
		// On to the next day with a due job (a job due late today, or retried, waits for tomorrow's expiryCheckpoints).
		tomorrow := fiTime(y, m, d+1, 0, 0)
		if tomorrow.After(until) {
			break
		}
		w.clk.Set(tomorrow)
	}
	if until.After(w.clk.Now()) {
		w.clk.Set(until)
	}
}

// deliver drains the outbox at the clock's now, recording every message.
func (w *expiryWorld) deliver() {
	w.t.Helper()
	ctx := context.Background()
	for {
		msgs, token, err := w.db.Outbox.ClaimOutbox(ctx, w.clk.Now(), 50, time.Minute)
		if err != nil {
			w.t.Fatal(err)
		}
		if len(msgs) == 0 {
			return
		}
		slices.SortFunc(msgs, func(a, b domain.OutboxMessage) int { return int(a.ID - b.ID) })
		for _, m := range msgs {
			p, err := m.Decode()
			if err != nil {
				w.t.Fatalf("message %d: %v", m.ID, err)
			}
			w.delivered = append(w.delivered, delivered{m, p})
			if err := w.db.Outbox.MarkDelivered(ctx, m.ID, token, w.clk.Now()); err != nil {
				w.t.Fatal(err)
			}
		}
	}
}

// of returns the messages of the given kinds delivered so far, in order.
func (w *expiryWorld) of(kinds ...string) []delivered {
	var out []delivered
	for _, s := range w.delivered {
		if slices.Contains(kinds, s.Kind) {
			out = append(out, s)
		}
	}
	return out
}

// auditCount counts the audit rows of a request with the action.
func (w *expiryWorld) auditCount(requestID int64, action string) int {
	w.t.Helper()
	evs, err := w.db.Register.AuditForRequest(context.Background(), requestID)
	if err != nil {
		w.t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == action {
			n++
		}
	}
	return n
}

// onlyInWorkingHours fails for any alert delivered outside working hours on a working day.
func (w *expiryWorld) onlyInWorkingHours(kinds ...string) {
	w.t.Helper()
	cal := w.alerts.Calendar()
	for _, s := range w.of(kinds...) {
		if !cal.IsWorkingTime(s.CreatedAt) {
			w.t.Errorf("%v was delivered outside working hours", s)
		}
	}
}

func expiryLines(list []delivered) []string {
	var out []string
	for _, s := range list {
		days := ""
		if n, ok := s.payload.(domain.ExpiryNotice); ok {
			days = fmt.Sprintf("/%d", n.Days)
		}
		out = append(out, s.String()+days)
	}
	return out
}

// A mandate ending on Sunday 7.3.2027: its 60-day notice falls on Epiphany (Wednesday 6.1., a holiday) and comes
// the next morning; the 30-day one on Friday 5.2.; the 7-day one on Sunday 28.2. and comes on Monday; the end
// notice the morning after the last day (a Monday). Each notice goes to Elina and her supervisor Sami at the start
// of working hours, the end notice to Elina alone, and nothing at any other time.
func TestExpiryNoticesAtEachOffset(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		m := w.grant(domain.NewDate(2027, 3, 7))
		ctx := context.Background()
		for _, key := range []string{"expiry/mandate/%d/60", "expiry/mandate/%d/30", "expiry/mandate/%d/7", "expired/mandate/%d/end"} {
			if _, err := w.db.Jobs.Job(ctx, fmt.Sprintf(key, m.ID)); err != nil {
				t.Errorf("job %s: %v", fmt.Sprintf(key, m.ID), err)
			}
		}
		w.runUntil(fiTime(2027, 3, 9, 23, 0))
		got := expiryLines(w.of(domain.MsgExpiryNotice, domain.MsgExpiredNotice))
		want := []string{
			"expiry_notice→01@2027-01-07 08:00/60", "expiry_notice→02@2027-01-07 08:00/60",
			"expiry_notice→01@2027-02-05 08:00/30", "expiry_notice→02@2027-02-05 08:00/30",
			"expiry_notice→01@2027-03-01 08:00/7", "expiry_notice→02@2027-03-01 08:00/7",
			"expired_notice→01@2027-03-08 08:00",
		}
		if !slices.Equal(got, want) {
			t.Errorf("notices:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		for _, s := range w.of(domain.MsgExpiryNotice, domain.MsgExpiredNotice) {
			if id, _ := domain.MandateOf(s.payload); id != m.ID || s.RequestID != m.RequestID {
				t.Errorf("%v is about mandate %d, request %d", s, id, s.RequestID)
			}
		}
		w.onlyInWorkingHours(domain.MsgExpiryNotice, domain.MsgExpiredNotice)
		if n := w.auditCount(m.RequestID, "mandate.expiry_notice"); n != 3 {
			t.Errorf("%d expiry notices audited, want 3", n)
		}
		if n := w.auditCount(m.RequestID, "mandate.expired"); n != 1 {
			t.Errorf("%d expiries audited, want 1", n)
		}
		// Running the scheduler again sends nothing more.
		before := len(w.delivered)
		w.runUntil(fiTime(2027, 3, 20, 20, 0))
		if len(w.delivered) != before {
			t.Errorf("more messages after the end: %v", w.delivered[before:])
		}
	})
}

// A mandate granted for a short time gets only the notices whose day has not passed.
func TestShortMandateSkipsPassedOffsets(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		m := w.grant(domain.NewDate(2027, 1, 4)) // 40 days: the 60-day offset has passed already
		ctx := context.Background()
		if _, err := w.db.Jobs.Job(ctx, fmt.Sprintf("expiry/mandate/%d/60", m.ID)); !domain.IsCode(err, domain.ENotFound) {
			t.Errorf("the 60-day notice was scheduled: %v", err)
		}
		w.runUntil(fiTime(2027, 1, 6, 12, 0))
		got := expiryLines(w.of(domain.MsgExpiryNotice, domain.MsgExpiredNotice))
		// 30 days before: Saturday 5.12.2026 → Monday 7.12. (Sunday 6.12. is Independence Day); 7 days before:
		// Monday 28.12.; the end: Tuesday 5.1.2027.
		want := []string{
			"expiry_notice→01@2026-12-07 08:00/30", "expiry_notice→02@2026-12-07 08:00/30",
			"expiry_notice→01@2026-12-28 08:00/7", "expiry_notice→02@2026-12-28 08:00/7",
			"expired_notice→01@2027-01-05 08:00",
		}
		if !slices.Equal(got, want) {
			t.Errorf("notices:\n got %v\nwant %v", got, want)
		}
	})
}

// Let it lapse after the first notice: no more notices, the remaining notice jobs cancelled, the choice recorded;
// on the end date the register records the expiry but tells nobody.
func TestLetItLapseStopsNotices(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		m := w.grant(domain.NewDate(2027, 3, 7))
		w.runUntil(fiTime(2027, 1, 7, 10, 0))
		if n := len(w.of(domain.MsgExpiryNotice)); n != 2 {
			t.Fatalf("%d notices before the choice, want 2", n)
		}
		ctx := context.Background()
		if _, err := w.mandates.LetLapse(ctx, holderElina, m.ID, "act-lapse"); err != nil {
			t.Fatal(err)
		}
		if _, err := w.mandates.LetLapse(ctx, supervisorSami, m.ID, "act-lapse-2"); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("the supervisor's second choice = %v, want a conflict", err)
		}
		for _, days := range []int{30, 7} {
			j, err := w.db.Jobs.Job(ctx, fmt.Sprintf("expiry/mandate/%d/%d", m.ID, days))
			if err != nil || j.CancelledAt.IsZero() {
				t.Errorf("the %d-day notice job: %+v, %v", days, j, err)
			}
		}
		w.runUntil(fiTime(2027, 3, 10, 20, 0))
		if got := expiryLines(w.of(domain.MsgExpiryNotice, domain.MsgExpiredNotice)); len(got) != 2 {
			t.Errorf("notices after letting it lapse: %v", got)
		}
		if n := w.auditCount(m.RequestID, "mandate.lapse"); n != 1 {
			t.Errorf("%d lapses audited", n)
		}
		if n := w.auditCount(m.RequestID, "mandate.expired"); n != 1 {
			t.Errorf("%d expiries audited", n)
		}
		if got, _ := w.db.Register.Mandate(ctx, m.ID); got.LapseBy != holderElina {
			t.Errorf("mandate after lapse: %+v", got)
		}
	})
}

// Renew a week before the 30-day notice: the renewal goes to Sami for approval, the 30-day notice finds it waiting
// (six working days, before the approval would move on) and is not sent, and once granted from the old end date the
// new mandate has notices of its own and the old one's stop, with no end notice.
func TestRenewalGoesThroughApprovalAndExtends(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		old := w.grant(domain.NewDate(2027, 3, 7))
		w.runUntil(fiTime(2027, 1, 29, 10, 0))
		r, err := w.mandates.Renew(ctx, workflow.RenewInput{ActorID: holderElina, MandateID: old.ID, ActivityID: "act-renew"})
		if err != nil {
			t.Fatal(err)
		}
		w.deliver()
		if got := w.of(domain.MsgApprovalRequest); len(got) != 2 || got[1].RequestID != r.ID || got[1].RecipientID != supervisorSami {
			t.Fatalf("approval requests: %v", got)
		}
		// While the renewal waits for Sami, the 30-day notice finds it and sends nothing.
		w.runUntil(fiTime(2027, 2, 8, 10, 0))
		if n := len(w.of(domain.MsgExpiryNotice)); n != 2 {
			t.Errorf("%d notices while the renewal waits, want the first 2 only", n)
		}
		renewed := w.approveAndGrant(r, domain.NewDate(2027, 3, 7), domain.DateOf(r.ValidUntil))
		if !renewed.ValidFrom.Equal(old.ValidUntil) || renewed.ValidUntil.Before(old.ValidUntil.AddDate(1, 0, 0)) {
			t.Errorf("the renewal %v–%v does not extend %v–%v", renewed.ValidFrom, renewed.ValidUntil, old.ValidFrom, old.ValidUntil)
		}
		// The old mandate's last notice is cancelled; the new one's are planned.
		if j, err := w.db.Jobs.Job(ctx, fmt.Sprintf("expiry/mandate/%d/7", old.ID)); err != nil || j.CancelledAt.IsZero() {
			t.Errorf("the old 7-day notice: %+v, %v", j, err)
		}
		for _, days := range []int{60, 30, 7} {
			j, err := w.db.Jobs.Job(ctx, fmt.Sprintf("expiry/mandate/%d/%d", renewed.ID, days))
			want := w.alerts.OnDay(domain.DateOf(renewed.ValidUntil).AddDays(-days))
			if err != nil || !j.DueAt.Equal(want) {
				t.Errorf("the new %d-day notice: %+v, %v; want due %v", days, j, err, want)
			}
		}
		w.runUntil(fiTime(2027, 3, 10, 20, 0))
		if got := expiryLines(w.of(domain.MsgExpiryNotice, domain.MsgExpiredNotice)); len(got) != 2 {
			t.Errorf("notices of the renewed mandate: %v", got)
		}
		if n := w.auditCount(old.RequestID, "mandate.expired"); n != 1 {
			t.Errorf("%d expiries of the old mandate audited", n)
		}
		if n := w.auditCount(old.RequestID, "mandate.renewal_requested"); n != 1 {
			t.Errorf("%d renewal requests audited", n)
		}
		w.onlyInWorkingHours(domain.MsgExpiryNotice, domain.MsgExpiredNotice)
	})
}

// When the scheduler was down all day (no pass until 20:00 on Friday 5.2., the 30-day notice's day), the due notices
// wait for Monday morning instead of going out in the evening, and the overdue 60-day notice, superseded by the
// 30-day one, is not delivered at all.
func TestNoticesAfterAnOutageWaitForWorkingHours(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		m := w.grant(domain.NewDate(2027, 3, 7))
		w.clk.Set(fiTime(2027, 2, 5, 20, 0))
		if _, err := w.runner.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		w.deliver()
		if got := w.of(domain.MsgExpiryNotice); len(got) != 0 {
			t.Fatalf("delivered in the evening: %v", got)
		}
		w.runUntil(fiTime(2027, 2, 8, 12, 0))
		got := expiryLines(w.of(domain.MsgExpiryNotice))
		want := []string{"expiry_notice→01@2027-02-08 08:00/30", "expiry_notice→02@2027-02-08 08:00/30"}
		if !slices.Equal(got, want) {
			t.Errorf("notices after the outage:\n got %v\nwant %v", got, want)
		}
		if n := w.auditCount(m.RequestID, "mandate.expiry_notice"); n != 1 {
			t.Errorf("%d notices audited, want 1", n)
		}
		w.onlyInWorkingHours(domain.MsgExpiryNotice)
	})
}

// The preview (valtuusbotti alerts, "upcoming reminders") lists a mandate's notices and its end where the scheduler
// will send them, and nothing once its holder chose to let it lapse.
func TestPreviewListsExpiryAlerts(t *testing.T) {
	eachWorld(t, func(t *testing.T, w *expiryWorld) {
		ctx := context.Background()
		m := w.grant(domain.NewDate(2027, 3, 7))
		p := i18n.MustLoad().Printer(domain.English)
		lines := func() []string {
			list, err := w.alerts.Preview(ctx, w.db.Jobs, w.clk.Now(), 120, p)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, a := range list {
				if a.Kind == alerts.KindExpiry || a.Kind == alerts.KindExpired {
					out = append(out, fmt.Sprintf("%s %s %d %s", a.At.In(expiryZone).Format("2006-01-02 15:04"), a.Kind, len(a.To), a.What))
				}
			}
			return out
		}
		want := []string{
			"2027-01-07 08:00 expiry 2 mandate ends on 7 Mar 2027: Elina Lindholm, Reporting earnings payment data",
			"2027-02-05 08:00 expiry 2 mandate ends on 7 Mar 2027: Elina Lindholm, Reporting earnings payment data",
			"2027-03-01 08:00 expiry 2 mandate ends on 7 Mar 2027: Elina Lindholm, Reporting earnings payment data",
			"2027-03-08 08:00 expired 1 notice of an ended mandate: Elina Lindholm, Reporting earnings payment data (ended on 7 Mar 2027)",
		}
		if got := lines(); !slices.Equal(got, want) {
			t.Errorf("preview:\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
		}
		if _, err := w.mandates.LetLapse(ctx, holderElina, m.ID, ""); err != nil {
			t.Fatal(err)
		}
		if got := lines(); len(got) != 0 {
			t.Errorf("preview after letting it lapse: %v", got)
		}
	})
}
