package alerts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
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

// The demo organisation's people (docs/demo-people.md).
const (
	elina  = "7c1e4a52-0000-4000-8000-000000000001" // employee; supervisor Sami; Talous- ja henkilöstöpalvelut
	sami   = "7c1e4a52-0000-4000-8000-000000000002" // supervisor
	helena = "7c1e4a52-0000-4000-8000-000000000003" // head of Talous- ja henkilöstöpalvelut
	mikael = "7c1e4a52-0000-4000-8000-000000000004" // main user
	dina   = "7c1e4a52-0000-4000-8000-000000000005" // digituki
	oskar  = "7c1e4a52-0000-4000-8000-000000000006" // no supervisor: Leo, head of Sivistyspalvelut, decides
	leo    = "7c1e4a52-0000-4000-8000-000000000009"
)

var helsinki = func() *time.Location {
	l, err := time.LoadLocation("Europe/Helsinki")
	if err != nil {
		panic(err)
	}
	return l
}()

// at is a wall clock time in Helsinki, in May–June 2027: helatorstai (Ascension Day) is Thursday 6 May.
func at(month time.Month, day, hour, minute int) time.Time {
	return time.Date(2027, month, day, hour, minute, 0, 0, helsinki)
}

// rig is one organisation's register with the workflow, the alerts and one scheduler runner on a manual clock.
type rig struct {
	t      *testing.T
	clk    *clock.Manual
	db     *sqlstore.DB
	alerts *alerts.Service
	wf     *workflow.Service
	run    *scheduler.Runner
}

// each runs body on SQLite and PostgreSQL with a rig whose clock stands at start.
func each(t *testing.T, start time.Time, body func(t *testing.T, g *rig)) {
	sqltest.EachDSN(t, func(t *testing.T, dsn string) {
		clk := clock.NewManual(start)
		db := sqltest.OpenDSN(t, dsn, sqlstore.WithNow(clk.Now))
		cat, err := catalog.Default()
		if err != nil {
			t.Fatal(err)
		}
		dir, err := directory.LoadDemo()
		if err != nil {
			t.Fatal(err)
		}
		al := &alerts.Service{Store: db.Register, Catalog: cat, Directory: dir, Now: clk.Now}
		g := &rig{t: t, clk: clk, db: db, alerts: al,
			wf:  &workflow.Service{Store: db.Register, Directory: dir, Catalog: cat, Now: clk.Now, Alerts: al},
			run: &scheduler.Runner{Store: db.Jobs, Handlers: al.Handlers(), Now: clk.Now}}
		body(t, g)
	})
}

// submit files a payroll request for who now.
func (g *rig) submit(who string) domain.Request {
	g.t.Helper()
	r, err := g.wf.Submit(context.Background(), workflow.SubmitInput{RequesterID: who,
		TaskIDs: []string{"palkkatietojen-ilmoittaminen"}, Justification: "Ilmoitan palkat tulorekisteriin.",
		ValidUntil: time.Date(2028, 5, 31, 0, 0, 0, 0, time.UTC), ActivityID: "act-submit"})
	if err != nil {
		g.t.Fatalf("submit: %v", err)
	}
	return r
}

// runAt moves the clock to t and makes one scheduler pass.
func (g *rig) runAt(t time.Time) {
	g.t.Helper()
	g.clk.Set(t)
	if _, err := g.run.RunOnce(context.Background()); err != nil {
		g.t.Fatalf("pass at %v: %v", t, err)
	}
}

// sent lists the request's outbox messages after the first skip of them, as "kind→recipient" (recipient "" for a
// refresh of every card), in the order written.
func (g *rig) sent(id int64, skip int) []string {
	g.t.Helper()
	msgs, err := g.db.Outbox.ForRequest(context.Background(), id)
	if err != nil {
		g.t.Fatal(err)
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].ID < msgs[j].ID })
	var out []string
	for _, m := range msgs[min(skip, len(msgs)):] {
		out = append(out, m.Kind+"→"+name(m.RecipientID))
	}
	return out
}

// payload decodes the last outbox message of kind for the request.
func (g *rig) payload(id int64, kind string) domain.Payload {
	g.t.Helper()
	msgs, err := g.db.Outbox.ForRequest(context.Background(), id)
	if err != nil {
		g.t.Fatal(err)
	}
	sort.SliceStable(msgs, func(i, j int) bool { return msgs[i].ID < msgs[j].ID })
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].Kind == kind {
			p, err := msgs[i].Decode()
			if err != nil {
				g.t.Fatal(err)
			}
			return p
		}
	}
	g.t.Fatalf("no %s message", kind)
	return nil
}

func (g *rig) request(id int64) domain.Request {
	g.t.Helper()
	r, err := g.db.Register.Request(context.Background(), id)
	if err != nil {
		g.t.Fatal(err)
	}
	return r
}

// audit is the request's audit trail as "action by actor".
func (g *rig) audit(id int64) []domain.AuditEvent {
	g.t.Helper()
	rows, err := g.db.Register.AuditForRequest(context.Background(), id)
	if err != nil {
		g.t.Fatal(err)
	}
	return rows
}

func actions(rows []domain.AuditEvent) []string {
	var out []string
	for _, e := range rows {
		out = append(out, e.Action+" by "+name(e.ActorID))
	}
	return out
}

func name(id string) string {
	switch id {
	case elina:
		return "elina"
	case sami:
		return "sami"
	case helena:
		return "helena"
	case mikael:
		return "mikael"
	case dina:
		return "dina"
	case oskar:
		return "oskar"
	case leo:
		return "leo"
	}
	return id
}

func wantSent(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: sent %q, want %q", what, got, want)
	}
}

// The reminder comes N working days after the request was filed: Tuesday 4 May + 3 working days is Monday 10 May,
// because helatorstai (Thursday 6 May) is a holiday; without it the reminder would come on Friday. It comes once,
// with when the request moves on and expires, and it is in the audit trail.
func TestReminderOnTheRightWorkingDay(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		r := g.submit(elina)
		filed := len(g.sent(r.ID, 0))
		g.runAt(at(time.May, 7, 15, 59)) // Friday: three calendar working days, but one was a holiday
		g.runAt(at(time.May, 10, 9, 59))
		wantSent(t, "before Monday 10:00", g.sent(r.ID, filed))
		g.runAt(at(time.May, 10, 10, 0))
		wantSent(t, "Monday 10:00", g.sent(r.ID, filed), "approval_reminder→sami")
		g.runAt(at(time.May, 10, 11, 0))
		wantSent(t, "a second pass", g.sent(r.ID, filed), "approval_reminder→sami")

		rem := g.payload(r.ID, domain.MsgApprovalReminder).(domain.ApprovalReminder)
		if rem.Days != 3 || !rem.Since.Equal(at(time.May, 4, 10, 0)) || rem.MovesOn != domain.NewDate(2027, 5, 14) ||
			rem.ExpiresOn != domain.NewDate(2027, 6, 2) {
			t.Errorf("reminder %+v: want since 4.5. 10:00, 3 days, moves 14.5., expires 2.6.", rem)
		}
		if got := actions(g.audit(r.ID)); !slices.Equal(got, []string{"request.submitted by elina", "request.reminded by system"}) {
			t.Errorf("audit %q", got)
		}
	})
}

// After M working days the request moves to the requester's head of department, who is reminded in turn and
// after M more to a main user; both approvers and the requester are told, every card is updated, and the audit
// trail has the approver before and after. After K working days from filing the undecided request expires.
func TestEscalationThenExpiry(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		r := g.submit(elina)
		seen := len(g.sent(r.ID, 0))
		next := func(what string, when time.Time, want ...string) {
			t.Helper()
			g.runAt(when)
			got := g.sent(r.ID, seen)
			wantSent(t, what, got, want...)
			seen += len(got)
		}
		next("Sami's reminder", at(time.May, 10, 10, 0), "approval_reminder→sami")
		next("nothing on Thursday", at(time.May, 13, 15, 0))
		next("escalation on Friday 14 May", at(time.May, 14, 10, 0),
			"refresh_cards→", "approval_request→helena", "approver_changed→elina", "approver_changed→sami")
		got := g.request(r.ID)
		if got.ApproverID != helena || got.ApproverBasis != domain.ApproverDepartmentHead || got.State != domain.RequestPending ||
			got.Reassigned.Reason != domain.ReassignEscalated || got.Reassigned.FromID != sami {
			t.Fatalf("after escalation: approver %s basis %s %+v", name(got.ApproverID), got.ApproverBasis, got.Reassigned)
		}
		ch := g.payload(r.ID, domain.MsgApproverChanged).(domain.ApproverChanged)
		if ch.Reason != domain.ReassignEscalated || ch.FromID != sami || ch.ToID != helena || ch.Days != 7 || ch.ToName != "Helena Åberg" {
			t.Errorf("approver changed %+v", ch)
		}
		rows := g.audit(r.ID)
		last := rows[len(rows)-1]
		var before, after map[string]any
		_ = json.Unmarshal(last.Before, &before)
		_ = json.Unmarshal(last.After, &after)
		if last.Action != "request.escalated" || last.ActorID != domain.SystemActor || before["approver_id"] != sami ||
			after["approver_id"] != helena || after["reassigned"] != "escalated" {
			t.Errorf("audit %s by %s: before %v after %v", last.Action, last.ActorID, before, after)
		}
		if err := g.wfDecide(sami, r.ID); !domain.IsCode(err, domain.EForbidden) {
			t.Errorf("Sami decided after the request moved: %v", err)
		}

		next("Helena's reminder three working days later", at(time.May, 19, 10, 0), "approval_reminder→helena")
		next("to a main user after seven more", at(time.May, 25, 10, 0),
			"refresh_cards→", "approval_request→mikael", "approver_changed→elina", "approver_changed→helena")
		if got := g.request(r.ID); got.ApproverID != mikael || got.ApproverBasis != domain.ApproverMainUser {
			t.Fatalf("second escalation: %s %s", name(got.ApproverID), got.ApproverBasis)
		}
		next("Mikael's reminder", at(time.May, 28, 10, 0), "approval_reminder→mikael")
		next("the day before expiry", at(time.June, 1, 15, 59))
		next("expiry on 2 June, 20 working days after filing", at(time.June, 2, 10, 0),
			"refresh_cards→", "request_expired→elina")
		got = g.request(r.ID)
		if !got.Expired() || got.DecidedBy != domain.SystemActor || got.Items[0].State != domain.ItemCancelled {
			t.Errorf("after expiry: state %s by %q items %v", got.State, got.DecidedBy, got.Items[0].State)
		}
		if exp := g.payload(r.ID, domain.MsgRequestExpired).(domain.RequestExpired); exp.Days != 20 {
			t.Errorf("expired notice %+v", exp)
		}
		wantActions := []string{"request.submitted by elina", "request.reminded by system", "request.escalated by system",
			"request.reminded by system", "request.escalated by system", "request.reminded by system", "request.expired by system"}
		if got := actions(g.audit(r.ID)); !slices.Equal(got, wantActions) {
			t.Errorf("audit\n got %q\nwant %q", got, wantActions)
		}
		next("Mikael's escalation finds it expired", at(time.June, 10, 10, 0))
		// Asking again works: the expired request holds no theme open.
		if again := g.submit(elina); again.ID == r.ID {
			t.Error("no new request")
		}
	})
}

func (g *rig) wfDecide(actor string, id int64) error {
	_, err := g.wf.Decide(context.Background(), workflow.DecideInput{ActorID: actor, RequestID: id, Decision: domain.ApproveAll})
	return err
}

// An alert that falls due outside working hours waits for the next working moment: nothing is sent in the
// evening, at night or on a weekend.
func TestNothingSentOutsideWorkingHours(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		r := g.submit(elina)
		filed := len(g.sent(r.ID, 0))
		for _, when := range []time.Time{at(time.May, 10, 18, 0), at(time.May, 11, 3, 0), at(time.May, 11, 7, 59)} {
			g.runAt(when)
			wantSent(t, when.Format("Mon 2.1. 15:04"), g.sent(r.ID, filed))
		}
		g.runAt(at(time.May, 11, 8, 0))
		wantSent(t, "Tuesday 08:00", g.sent(r.ID, filed), "approval_reminder→sami")
		// The escalation falls due on Friday 14 May at 10:00; the first pass after it is on Saturday.
		g.runAt(at(time.May, 15, 12, 0))
		g.runAt(at(time.May, 16, 12, 0))
		wantSent(t, "the weekend", g.sent(r.ID, filed), "approval_reminder→sami")
		if got := g.request(r.ID); got.ApproverID != sami {
			t.Fatal("escalated on a weekend")
		}
		g.runAt(at(time.May, 17, 8, 0))
		if got := g.request(r.ID); got.ApproverID != helena {
			t.Errorf("not escalated on Monday morning: %s", name(got.ApproverID))
		}
	})
}

// A decision stops the rest: no reminder, escalation or expiry after it. So does a withdrawal.
func TestADecisionStopsTheRest(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		decided, withdrawn := g.submit(elina), g.submit(oskar)
		g.clk.Set(at(time.May, 7, 9, 0))
		if err := g.wfDecide(sami, decided.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := g.wf.Cancel(context.Background(), oskar, withdrawn.ID, ""); err != nil {
			t.Fatal(err)
		}
		before := map[int64]int{decided.ID: len(g.sent(decided.ID, 0)), withdrawn.ID: len(g.sent(withdrawn.ID, 0))}
		for d := 10; d <= 31; d++ {
			g.runAt(at(time.May, d, 12, 0))
		}
		for _, when := range []time.Time{at(time.June, 2, 12, 0), at(time.June, 30, 12, 0)} {
			g.runAt(when)
		}
		for id, n := range before {
			var approvals []string // the approval alerts; the employee's own reminder to send her valtuuspyyntö (grants.go) may follow the approval
			for _, m := range g.sent(id, n) {
				if !strings.HasPrefix(m, "filing_reminder") {
					approvals = append(approvals, m)
				}
			}
			wantSent(t, fmt.Sprintf("request %d", id), approvals)
		}
		if r := g.request(decided.ID); r.State != domain.RequestApproved || r.ApproverID != sami {
			t.Errorf("decided request: %s with %s", r.State, name(r.ApproverID))
		}
		if r := g.request(withdrawn.ID); r.State != domain.RequestCancelled || r.Expired() {
			t.Errorf("withdrawn request: %s expired %v", r.State, r.Expired())
		}
		for _, id := range []int64{decided.ID, withdrawn.ID} {
			for _, e := range g.audit(id) {
				if e.ActorID == domain.SystemActor {
					t.Errorf("request %d: %s by the system after the decision", id, e.Action)
				}
			}
		}
	})
}

// Oskar has no supervisor: Leo decides as head of department, so the request moves straight to a main user.
func TestEscalationSkipsTheHeadWhoDecidesAlready(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		r := g.submit(oskar)
		if r.ApproverID != leo || r.ApproverBasis != domain.ApproverDepartmentHead {
			t.Fatalf("approver %s %s", name(r.ApproverID), r.ApproverBasis)
		}
		g.runAt(at(time.May, 14, 10, 0))
		if got := g.request(r.ID); got.ApproverID != mikael || got.ApproverBasis != domain.ApproverMainUser {
			t.Errorf("escalated to %s %s", name(got.ApproverID), got.ApproverBasis)
		}
	})
}

// The only main user asking for their own mandates: nobody else may decide, so the request does not move (never
// to its requester) and expires in time.
func TestNeverEscalatedToTheRequester(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		r := g.submit(mikael) // Mikael's supervisor is Helena, the head of department and the only other candidate
		if r.ApproverID != helena {
			t.Fatalf("approver %s", name(r.ApproverID))
		}
		seen := len(g.sent(r.ID, 0))
		g.runAt(at(time.May, 14, 10, 0))
		got := g.request(r.ID)
		if got.ApproverID == mikael {
			t.Fatal("escalated to the requester")
		}
		// Helena was the manager; the head of department is Helena too and the only main user is the requester.
		if got.ApproverID != helena {
			t.Errorf("escalated to %s", name(got.ApproverID))
		}
		wantSent(t, "no escalation", g.sent(r.ID, seen), "approval_reminder→helena")
		rem := g.payload(r.ID, domain.MsgApprovalReminder).(domain.ApprovalReminder)
		if !rem.MovesOn.IsZero() {
			t.Errorf("the reminder promises a move on %v that cannot happen", rem.MovesOn)
		}
	})
}

// A job run twice (its claim lost after the effects committed) has its effects once.
func TestAlertEffectsOnce(t *testing.T) {
	each(t, at(time.May, 4, 10, 0), func(t *testing.T, g *rig) {
		r := g.submit(elina)
		filed := len(g.sent(r.ID, 0))
		g.runAt(at(time.May, 14, 10, 0))
		after := g.sent(r.ID, filed)
		handlers := g.alerts.Handlers()
		key := alerts.KindApprovalEscalation + "/" + alerts.RequestSubject(r.ID) + "/v1"
		payload, _ := json.Marshal(map[string]any{"request": r.ID, "approver": sami, "since": at(time.May, 4, 10, 0)})
		job := domain.Job{Kind: alerts.KindApprovalEscalation, Key: key, Payload: payload}
		if err := handlers[alerts.KindApprovalEscalation](context.Background(), job); err != nil {
			t.Fatal(err)
		}
		wantSent(t, "the same escalation again", g.sent(r.ID, filed), after...)
		if !strings.Contains(strings.Join(after, " "), "approval_request→helena") {
			t.Errorf("escalation %q", after)
		}
	})
}
