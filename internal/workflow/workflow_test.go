package workflow_test

import (
	"context"

	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// Demo people (docs/demo-people.md).
const (
	elina  = "7c1e4a52-0000-4000-8000-000000000001" // employee, manager Sami
	sami   = "7c1e4a52-0000-4000-8000-000000000002" // supervisor
	helena = "7c1e4a52-0000-4000-8000-000000000003" // head of Talous- ja henkilöstöpalvelut, no manager
	mikael = "7c1e4a52-0000-4000-8000-000000000004" // main user
	dina   = "7c1e4a52-0000-4000-8000-000000000005" // digituki
	oskar  = "7c1e4a52-0000-4000-8000-000000000006" // no manager
	tiina  = "7c1e4a52-0000-4000-8000-000000000007" // manager Pekka, disabled
	leo    = "7c1e4a52-0000-4000-8000-000000000009" // head of Sivistyspalvelut
)

var now = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

type fixture struct {
	svc   *workflow.Service
	db    *sqlstore.DB
	woken int
	mu    sync.Mutex
}

func newFixture(t *testing.T, db *sqlstore.DB, dir workflow.Directory) *fixture {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	if dir == nil {
		demo, err := directory.LoadDemo()
		if err != nil {
			t.Fatal(err)
		}
		dir = demo
	}
	f := &fixture{db: db}
	f.svc = &workflow.Service{Store: db.Register, Directory: dir, Catalog: cat, Now: func() time.Time { return now },
		Committed: func() { f.mu.Lock(); f.woken++; f.mu.Unlock() }}
	return f
}

func each(t *testing.T, body func(t *testing.T, f *fixture)) {
	sqltest.Each(t, func(t *testing.T, db *sqlstore.DB) { body(t, newFixture(t, db, nil)) })
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func submit(t *testing.T, f *fixture, who string, tasks ...string) domain.Request {
	t.Helper()
	r, err := f.svc.Submit(context.Background(), workflow.SubmitInput{RequesterID: who, TaskIDs: tasks,
		Justification: "Hoidan kaupungin palkanlaskentaa.", ValidUntil: date(2027, 12, 31), ActivityID: "act-submit"})
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	return r
}

func kinds(msgs []domain.OutboxMessage) map[string][]string {
	out := map[string][]string{}
	for _, m := range msgs {
		out[m.Kind] = append(out[m.Kind], m.RecipientID)
	}
	return out
}

func TestRecommendationMarksHeldPendingAndUncovered(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		rec, err := f.svc.Recommend(ctx, elina, []string{"palkkatietojen-ilmoittaminen", "business-finland-rahoitus"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rec.Needs) < 2 || !rec.Requestable() {
			t.Fatalf("needs %+v", rec.Needs)
		}
		var uncovered int
		for _, n := range rec.Needs {
			if !n.Covered {
				uncovered++
			}
			if len(n.Tasks) == 0 {
				t.Errorf("%s has no why", n.Theme.ID)
			}
		}
		if uncovered == 0 {
			t.Error("Business Finland funding is not covered by the demo organisation and must be flagged")
		}
		// Kela's three employer themes are look-alikes of each other; recommended together, none warns about another.
		kela, _ := f.svc.Recommend(ctx, elina, []string{"kela-paivarahat-kokonaan"})
		onCard := map[string]bool{}
		for _, n := range kela.Needs {
			onCard[n.Theme.ID] = true
		}
		for _, n := range kela.Needs {
			for _, la := range n.LookAlikes {
				if onCard[la.ID] {
					t.Errorf("%s warns about %s, which is on the same card", n.Theme.ID, la.ID)
				}
			}
		}
		if len(kela.Needs) < 2 {
			t.Fatalf("the Kela task should need several themes: %+v", kela.Needs)
		}
		if rec.Validity.Default.Time().Before(rec.Validity.Min.Time()) || rec.Validity.Max.Time() != date(2031, 11, 25) || rec.Validity.CappedBy != domain.CapThemePolicy { // the themes' 60 months
			t.Errorf("bounds %v %v %v", rec.Validity.Default.Time(), rec.Validity.Min.Time(), rec.Validity.Max.Time())
		}
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		rec, _ = f.svc.Recommend(ctx, elina, []string{"palkkatietojen-ilmoittaminen"})
		for _, n := range rec.Needs {
			if n.PendingReference != r.Reference() {
				t.Errorf("%s pending %q, want %q", n.Theme.ID, n.PendingReference, r.Reference())
			}
		}
		if rec.Requestable() {
			t.Error("everything is pending: nothing left to request")
		}
		if _, err := f.svc.Submit(ctx, workflow.SubmitInput{RequesterID: elina, TaskIDs: []string{"palkkatietojen-ilmoittaminen"},
			Justification: "x", ValidUntil: date(2027, 1, 1)}); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("second identical request: %v", err)
		}
	})
}

func TestSubmitValidation(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ok := workflow.SubmitInput{RequesterID: elina, TaskIDs: []string{"palkkatietojen-ilmoittaminen"}, Justification: "Palkanlaskenta", ValidUntil: date(2027, 6, 30)}
		cases := map[string]func(in *workflow.SubmitInput){
			"err.justification_required": func(in *workflow.SubmitInput) { in.Justification = "  " },
			"err.justification_too_long": func(in *workflow.SubmitInput) { in.Justification = strings.Repeat("ä", 1001) },
			"err.justification_hetu":     func(in *workflow.SubmitInput) { in.Justification = "hetu 131052-308T" },
			"err.valid_until_range":      func(in *workflow.SubmitInput) { in.ValidUntil = date(2026, 11, 25) },
			"err.no_tasks":               func(in *workflow.SubmitInput) { in.TaskIDs = nil },
			"err.unknown_task":           func(in *workflow.SubmitInput) { in.TaskIDs = []string{"hack-the-planet"} },
			"err.unknown_role":           func(in *workflow.SubmitInput) { in.RoleID = "nope" },
		}
		for key, edit := range cases {
			in := ok
			edit(&in)
			_, err := f.svc.Submit(context.Background(), in)
			if !domain.IsCode(err, domain.EInvalid) || domain.ErrorMessage(err) != key {
				t.Errorf("%s: got %v", key, err)
			}
		}
		tooLong := ok
		tooLong.ValidUntil = date(2051, 11, 26)
		if _, err := f.svc.Submit(context.Background(), tooLong); domain.ErrorMessage(err) != "err.valid_until_range" {
			t.Errorf("over 25 years: %v", err)
		}
		if n, _ := f.db.Outbox.PendingOutbox(context.Background()); n != 0 {
			t.Fatalf("refused requests enqueued %d messages", n)
		}
	})
}

// fakeDir lets a test give someone an impossible org chart (their own manager).
type fakeDir struct {
	workflow.Directory
	manager map[string]string
}

func (d fakeDir) Manager(ctx context.Context, id string) (domain.User, error) {
	if m, ok := d.manager[id]; ok {
		return d.Directory.User(ctx, m)
	}
	return d.Directory.Manager(ctx, id)
}

func TestApproverResolution(t *testing.T) {
	demo, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		who      string
		dir      workflow.Directory
		approver string
		basis    domain.ApproverBasis
	}{
		{"manager", elina, demo, sami, domain.ApproverManager},
		{"no manager: department head", oskar, demo, leo, domain.ApproverDepartmentHead},
		{"manager disabled: department head", tiina, demo, leo, domain.ApproverDepartmentHead},
		{"manager is the requester: department head", sami, fakeDir{demo, map[string]string{sami: sami}}, helena, domain.ApproverDepartmentHead},
		{"department head without manager: main user", helena, demo, mikael, domain.ApproverMainUser},
		{"main user: own manager", mikael, demo, helena, domain.ApproverManager},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, sqltest.Open(t), tc.dir)
			u, err := tc.dir.User(context.Background(), tc.who)
			if err != nil {
				t.Fatal(err)
			}
			got, basis, err := f.svc.ResolveApprover(context.Background(), u)
			if err != nil || got.ID != tc.approver || basis != tc.basis {
				t.Fatalf("approver %s (%s), %v; want %s (%s)", got.ID, basis, err, tc.approver, tc.basis)
			}
		})
	}
	// The only main user asking, with no manager and heading no department he could be routed to: nobody.
	f := newFixture(t, sqltest.Open(t), fakeDir{demo, map[string]string{mikael: mikael}})
	f.svc.Catalog.Org.DepartmentHeads = map[string]string{}
	u, _ := demo.User(context.Background(), mikael)
	if _, _, err := f.svc.ResolveApprover(context.Background(), u); domain.ErrorMessage(err) != "err.no_approver" {
		t.Fatalf("want no approver, got %v", err)
	}
}

func TestDecisionAuthorisationAndEffects(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen", "business-finland-rahoitus")
		if r.ApproverID != sami || r.State != domain.RequestPending || len(r.Items) < 2 {
			t.Fatalf("request %+v", r)
		}
		msgs, _ := f.db.Outbox.ForRequest(ctx, r.ID)
		k := kinds(msgs)
		if len(k[domain.MsgApprovalRequest]) != 1 || k[domain.MsgApprovalRequest][0] != sami || len(k) != 1 {
			t.Fatalf("outbox after submit: %v", k)
		}
		for _, stranger := range []string{elina, dina, mikael, helena} {
			_, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: stranger, RequestID: r.ID, Decision: domain.ApproveAll})
			if !domain.IsCode(err, domain.EForbidden) {
				t.Fatalf("%s approving: %v", stranger, err)
			}
		}
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.RejectAll}); domain.ErrorMessage(err) != "err.reason_required" {
			t.Fatalf("reject without reason: %v", err)
		}
		if got, _ := f.db.Register.Request(ctx, r.ID); got.State != domain.RequestPending || got.Version != r.Version {
			t.Fatalf("refused decisions changed the request: %+v", got)
		}
		approve := map[int64]bool{r.Items[0].ID: true}
		d, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ByItem, Approve: approve, Reason: "Business Finland ei kuulu tehtäviisi", ActivityID: "act-decide"})
		if err != nil {
			t.Fatal(err)
		}
		if d.State != domain.RequestApproved || d.Items[0].State != domain.ItemApproved || d.Items[1].State != domain.ItemRejected || d.DecidedBy != sami {
			t.Fatalf("decided %+v", d)
		}
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("second decision: %v", err)
		}
		msgs, _ = f.db.Outbox.ForRequest(ctx, r.ID)
		k = kinds(msgs)
		// The valtuuspyyntö path: the requester gets the steps; the main users nothing until she says she sent it.
		if len(k[domain.MsgDecisionNotice]) != 1 || len(k[domain.MsgGrantTask]) != 0 ||
			len(k[domain.MsgRefreshCards]) != 1 || len(k[domain.MsgRequestSteps]) != 1 || k[domain.MsgRequestSteps][0] != elina {
			t.Fatalf("outbox after decision: %v", k)
		}
		if _, err := f.svc.Filed(ctx, mikael, r.ID, "act-filed"); !domain.IsCode(err, domain.EForbidden) {
			t.Fatalf("someone else saying it was sent: %v", err)
		}
		if _, err := f.svc.Filed(ctx, elina, r.ID, "act-filed"); err != nil {
			t.Fatal(err)
		}
		msgs, _ = f.db.Outbox.ForRequest(ctx, r.ID)
		if k = kinds(msgs); len(k[domain.MsgGrantTask]) != 1 || k[domain.MsgGrantTask][0] != mikael {
			t.Fatalf("outbox after filing: %v", k)
		}
		audit, _ := f.db.Register.AuditForRequest(ctx, r.ID)
		if len(audit) != 3 || audit[2].Action != "request.filed" || audit[1].Action != "request.approved" || audit[1].ActorID != sami || audit[1].ActivityID != "act-decide" ||
			!strings.Contains(string(audit[1].Before), `"pending"`) || !strings.Contains(string(audit[1].After), `"approved"`) {
			t.Fatalf("audit %+v", audit)
		}
	})
}

func TestConcurrentApprovalsDecideOnce(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins, conflicts := 0, 0
		for i := 0; i < 50; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case domain.IsCode(err, domain.EConflict):
					conflicts++
				default:
					t.Errorf("unexpected: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || conflicts != 49 {
			t.Fatalf("%d decisions and %d conflicts, want 1 and 49", wins, conflicts)
		}
		msgs, _ := f.db.Outbox.ForRequest(ctx, r.ID)
		k := kinds(msgs)
		if len(k[domain.MsgRequestSteps]) != 1 || len(k[domain.MsgDecisionNotice]) != 1 {
			t.Fatalf("outbox %v", k)
		}
		audit, _ := f.db.Register.AuditForRequest(ctx, r.ID)
		if len(audit) != 2 {
			t.Fatalf("%d audit rows, want 2", len(audit))
		}
	})
}

func TestGrantOnlyByMainUsers(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		if _, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: r.ID, ValidFrom: date(2026, 11, 25), ValidUntil: date(2027, 12, 31)}); domain.ErrorMessage(err) != "err.not_grantable" {
			t.Fatalf("grant before approval: %v", err)
		}
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{sami, elina, helena} {
			if _, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: who, RequestID: r.ID, ValidFrom: date(2026, 11, 25), ValidUntil: date(2027, 12, 31)}); !domain.IsCode(err, domain.EForbidden) {
				t.Fatalf("%s granting: %v", who, err)
			}
		}
		for name, in := range map[string]workflow.GrantInput{
			"err.valid_from_past":         {ValidFrom: date(2026, 10, 1), ValidUntil: date(2027, 1, 1)},
			"err.valid_until_before_from": {ValidFrom: date(2026, 12, 1), ValidUntil: date(2026, 12, 1)},
			"err.valid_until_range":       {ValidFrom: date(2026, 12, 1), ValidUntil: date(2051, 12, 2)},
			"err.dates_required":          {},
		} {
			in.ActorID, in.RequestID = mikael, r.ID
			if _, err := f.svc.Grant(ctx, in); domain.ErrorMessage(err) != name {
				t.Errorf("%s: %v", name, err)
			}
		}
		g, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: r.ID, ValidFrom: date(2026, 11, 25), ValidUntil: date(2027, 12, 31), ActivityID: "act-grant"})
		if err != nil {
			t.Fatal(err)
		}
		if g.State != domain.RequestCompleted {
			t.Fatalf("state %s", g.State)
		}
		ms, _ := f.db.Register.MandatesByHolder(ctx, elina)
		if len(ms) != len(r.Items) || ms[0].ValidFrom != date(2026, 11, 25) || ms[0].GrantedBy != mikael || ms[0].State != domain.MandateActive {
			t.Fatalf("mandates %+v", ms)
		}
		if _, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: r.ID, ValidFrom: date(2026, 11, 26), ValidUntil: date(2027, 12, 31)}); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("granting twice: %v", err)
		}
		if ms2, _ := f.db.Register.MandatesByHolder(ctx, elina); len(ms2) != len(ms) {
			t.Fatal("a second grant created mandates")
		}
		audit, _ := f.db.Register.AuditForRequest(ctx, r.ID)
		var grants int
		for _, a := range audit {
			if a.Action == "mandate.granted" && a.MandateID != 0 && a.ActivityID == "act-grant" {
				grants++
			}
		}
		if grants != len(r.Items) {
			t.Fatalf("%d mandate.granted audit rows", grants)
		}
		msgs, _ := f.db.Outbox.ForRequest(ctx, r.ID)
		if k := kinds(msgs); len(k[domain.MsgGrantedNotice]) != 1 || k[domain.MsgGrantedNotice][0] != elina {
			t.Fatalf("outbox %v", k)
		}
		ov, err := f.svc.Overview(ctx, mikael)
		if err != nil || ov.ActiveMandates != len(r.Items) || ov.RequestsByState[domain.RequestCompleted] != 1 {
			t.Fatalf("overview %+v %v", ov, err)
		}
		if _, err := f.svc.Overview(ctx, elina); !domain.IsCode(err, domain.EForbidden) {
			t.Fatalf("overview for an employee: %v", err)
		}
	})
}

func TestNotGrantedAndCancel(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		if _, err := f.svc.Cancel(ctx, sami, r.ID, ""); !domain.IsCode(err, domain.EForbidden) {
			t.Fatalf("approver cancelling: %v", err)
		}
		c, err := f.svc.Cancel(ctx, elina, r.ID, "act-cancel")
		if err != nil || c.State != domain.RequestCancelled || c.Items[0].State != domain.ItemCancelled {
			t.Fatalf("cancel: %+v %v", c, err)
		}
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("deciding a cancelled request: %v", err)
		}
		msgs, _ := f.db.Outbox.ForRequest(ctx, r.ID)
		if k := kinds(msgs); len(k[domain.MsgCancelledNotice]) != 1 || k[domain.MsgCancelledNotice][0] != sami {
			t.Fatalf("outbox %v", k)
		}

		r2 := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r2.ID, Decision: domain.ApproveAll}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Cancel(ctx, elina, r2.ID, ""); domain.ErrorMessage(err) != "err.not_pending" {
			t.Fatalf("cancel after approval: %v", err)
		}
		if _, err := f.svc.NotGranted(ctx, workflow.NotGrantedInput{ActorID: mikael, RequestID: r2.ID}); domain.ErrorMessage(err) != "err.reason_required" {
			t.Fatalf("not granted without reason: %v", err)
		}
		ng, err := f.svc.NotGranted(ctx, workflow.NotGrantedInput{ActorID: mikael, RequestID: r2.ID, Reason: "Valtuutusoikeus puuttuu"})
		if err != nil || ng.State != domain.RequestCompleted || ng.Items[0].State != domain.ItemNotGranted || ng.Items[0].NotGrantedReason == "" {
			t.Fatalf("not granted: %+v %v", ng, err)
		}
	})
}

func TestViewAccess(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		for who, want := range map[string]bool{sami: true, elina: false, mikael: false} {
			a, err := f.svc.View(ctx, who, r.ID)
			if err != nil || a.CanDecide != want {
				t.Errorf("%s: %+v %v", who, a.CanDecide, err)
			}
		}
		if _, err := f.svc.View(ctx, dina, r.ID); !domain.IsCode(err, domain.EForbidden) {
			t.Errorf("stranger view: %v", err)
		}
		if _, err := f.svc.View(ctx, sami, 999999); !domain.IsCode(err, domain.EForbidden) {
			t.Errorf("unknown request: %v", err)
		}
		if f.woken == 0 {
			t.Error("the outbox was never woken")
		}
	})
}
