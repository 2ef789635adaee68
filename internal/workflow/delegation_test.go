package workflow_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// delegations is the fixture's delegation service, with the alerts that move requests.
func (f *fixture) delegations(t *testing.T) *workflow.Delegations {
	f.svc.Alerts = &alerts.Service{Store: f.db.Register, Catalog: f.svc.Catalog, Directory: f.svc.Directory,
		Now: f.svc.Now}
	return &workflow.Delegations{Workflow: f.svc, Alerts: f.svc.Alerts.(*alerts.Service)}
}

var today = domain.DateOf(now)

// Helena (head of Talous- ja henkilöstöpalvelut) is away and names Sami: Mikael's waiting request moves to Sami, new
// ones go to him, but Sami's own request stays with Helena; everything is audited.
func TestDelegationRoutesNewAndOpenApprovals(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		ds := f.delegations(t)
		own := submit(t, f, sami, "palkkatietojen-ilmoittaminen")
		other := submit(t, f, mikael, "palkkatietojen-ilmoittaminen")
		if own.ApproverID != helena || other.ApproverID != helena {
			t.Fatalf("approvers %s %s", own.ApproverID, other.ApproverID)
		}
		d, moved, err := ds.Set(ctx, workflow.DelegationInput{ActorID: helena, DelegateID: sami, From: today,
			Until: today.AddDays(9), ActivityID: "act-away"})
		if err != nil {
			t.Fatal(err)
		}
		if moved != 1 || d.ID == 0 || d.DelegateName != "Sami Virtanen" || d.ApproverName != "Helena Åberg" {
			t.Fatalf("moved %d, delegation %+v", moved, d)
		}
		r, _ := f.svc.Store.Request(ctx, other.ID)
		if r.ApproverID != sami || r.Reassigned.Reason != domain.ReassignDelegated || r.Reassigned.FromID != helena ||
			r.ApproverBasis != domain.ApproverManager {
			t.Errorf("Mikael's request: %s %+v basis %s", r.ApproverID, r.Reassigned, r.ApproverBasis)
		}
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: helena, RequestID: other.ID, Decision: domain.ApproveAll}); !domain.IsCode(err, domain.EForbidden) {
			t.Errorf("Helena decided a request she delegated: %v", err)
		}
		if r, _ := f.svc.Store.Request(ctx, own.ID); r.ApproverID != helena || r.Reassigned.Reason != "" {
			t.Errorf("Sami's own request went to %s (%+v)", r.ApproverID, r.Reassigned)
		}
		msgs, _ := f.db.Outbox.ForRequest(ctx, other.ID)
		if k := kinds(msgs); !slices.Equal(k[domain.MsgApprovalRequest], []string{helena, sami}) ||
			!slices.Equal(k[domain.MsgApproverChanged], []string{mikael}) || len(k[domain.MsgRefreshCards]) != 1 {
			t.Errorf("messages %v", k)
		}
		audit, _ := f.svc.Store.AuditForRequest(ctx, other.ID)
		if last := audit[len(audit)-1]; last.Action != "request.delegated" || last.ActorID != helena || last.ActivityID != "act-away" {
			t.Errorf("audit %s by %s (%s)", last.Action, last.ActorID, last.ActivityID)
		}

		// New requests during the absence: to Sami, unless Sami asks.
		newer := submit(t, f, mikael, "kela-paivarahojen-hakeminen")
		if newer.ApproverID != sami || newer.Reassigned.Reason != domain.ReassignDelegated || newer.Reassigned.FromID != helena {
			t.Errorf("a new request goes to %s (%+v)", newer.ApproverID, newer.Reassigned)
		}
		if u, basis, err := f.svc.ResolveApprover(ctx, domain.User{ID: mikael, Department: "Tietohallinto"}); err != nil || u.ID != sami || basis != domain.ApproverManager {
			t.Errorf("ResolveApprover: %s %s %v", u.ID, basis, err)
		}
		ownNew := submit(t, f, sami, "kela-paivarahojen-hakeminen")
		if ownNew.ApproverID != helena {
			t.Errorf("Sami's new request goes to %s", ownNew.ApproverID)
		}

		// Helena is back: the requests still open under the delegation go back, new ones go to her.
		list, err := ds.Of(ctx, helena)
		if err != nil || len(list) != 1 || list[0].ID != d.ID {
			t.Fatalf("Of: %+v %v", list, err)
		}
		ended, back, err := ds.End(ctx, helena, d.ID, "act-back")
		if err != nil || back != 2 || ended.EndedBy != helena {
			t.Fatalf("end: back %d, %+v, %v", back, ended, err)
		}
		for _, id := range []int64{other.ID, newer.ID} {
			r, _ := f.svc.Store.Request(ctx, id)
			if r.ApproverID != helena || r.Reassigned.Reason != domain.ReassignReturned || r.Reassigned.FromID != sami {
				t.Errorf("request %d after the end: %s %+v", id, r.ApproverID, r.Reassigned)
			}
		}
		if r := submit(t, f, mikael, "etuustietojen-ilmoittaminen"); r.ApproverID != helena {
			t.Errorf("after the end a new request goes to %s", r.ApproverID)
		}
		if _, _, err := ds.End(ctx, helena, d.ID, ""); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("ending twice: %v", err)
		}
		if list, _ := ds.Of(ctx, helena); len(list) != 0 {
			t.Errorf("an ended delegation is listed: %+v", list)
		}
	})
}

// A delegation that starts later moves nothing now; someone else's delegation cannot be ended; the rules refuse
// oneself, an unknown or disabled colleague, bad dates and overlaps.
func TestDelegationRefusals(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		ds := f.delegations(t)
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		later, moved, err := ds.Set(ctx, workflow.DelegationInput{ActorID: sami, DelegateID: helena, From: today.AddDays(5), Until: today.AddDays(9)})
		if err != nil || moved != 0 {
			t.Fatalf("a later delegation: moved %d, %v", moved, err)
		}
		if got, _ := f.svc.Store.Request(ctx, r.ID); got.ApproverID != sami {
			t.Errorf("moved before the absence began: %s", got.ApproverID)
		}
		for key, in := range map[string]workflow.DelegationInput{
			"err.delegate_self":        {ActorID: sami, DelegateID: sami, From: today, Until: today},
			"err.delegate_unavailable": {ActorID: sami, DelegateID: "7c1e4a52-0000-4000-8000-000000000008", From: today, Until: today}, // Pekka: disabled
			"err.delegation_dates":     {ActorID: sami, DelegateID: dina, From: today.AddDays(-1), Until: today},
			"err.delegation_overlaps":  {ActorID: sami, DelegateID: dina, From: today.AddDays(9), Until: today.AddDays(12)},
			"err.unknown_user":         {ActorID: "7c1e4a52-0000-4000-8000-0000000000ff", DelegateID: dina, From: today, Until: today},
		} {
			if _, _, err := ds.Set(ctx, in); domain.ErrorMessage(err) != key {
				t.Errorf("%s: got %v", key, err)
			}
		}
		if _, _, err := ds.Set(ctx, workflow.DelegationInput{ActorID: sami, DelegateID: "no such person", From: today, Until: today}); domain.ErrorMessage(err) != "err.delegate_unavailable" {
			t.Errorf("an id that is not one: %v", err)
		}
		if _, _, err := ds.End(ctx, helena, later.ID, ""); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("Helena ended Sami's delegation: %v", err)
		}
		if _, back, err := ds.End(ctx, sami, later.ID, ""); err != nil || back != 0 {
			t.Errorf("ending a delegation before it began: %d %v", back, err)
		}
	})
}

func TestDelegationCandidates(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ds := f.delegations(t)
		for who, want := range map[string][]string{
			sami:                                   {helena, mikael},       // supervisor Helena; Mikael reports to Helena too and is the main user
			elina:                                  {sami, helena, mikael}, // supervisor, head of department, main user
			oskar:                                  {leo, mikael},          // no supervisor; head of Sivistyspalvelut; main user
			"7c1e4a52-0000-4000-8000-000000000007": {leo, mikael},          // Tiina: her supervisor Pekka is disabled
		} {
			us, err := ds.Candidates(context.Background(), who)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range us {
				got = append(got, u.ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("candidates of %s: %v, want %v", who, got, want)
			}
		}
	})
}

// auditTap records the audit rows written through the store's transactions (delegations belong to no request, so
// AuditForRequest does not list them).
type auditTap struct {
	workflow.Store
	rows []domain.AuditEvent
}

func (a *auditTap) InTx(ctx context.Context, fn func(tx workflow.Tx) error) error {
	var mine []domain.AuditEvent
	err := a.Store.InTx(ctx, func(tx workflow.Tx) error {
		mine = nil
		return fn(tappedTx{tx, &mine})
	})
	if err == nil {
		a.rows = append(a.rows, mine...)
	}
	return err
}

type tappedTx struct {
	workflow.Tx
	rows *[]domain.AuditEvent
}

func (t tappedTx) AppendAudit(ctx context.Context, e domain.AuditEvent) error {
	*t.rows = append(*t.rows, e)
	return t.Tx.AppendAudit(ctx, e)
}

// The audit rows of a delegation name the approver, the delegate and the period.
func TestDelegationAudited(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		tap := &auditTap{Store: f.svc.Store}
		f.svc.Store = tap
		ds := f.delegations(t)
		d, _, err := ds.Set(ctx, workflow.DelegationInput{ActorID: sami, DelegateID: dina, From: today, Until: today.AddDays(3), ActivityID: "a1"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := ds.End(ctx, sami, d.ID, "a2"); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range tap.rows {
			var after map[string]any
			_ = json.Unmarshal(e.After, &after)
			if after["delegate_id"] != dina || after["approver_id"] != sami || after["until"] != today.AddDays(3).String() {
				t.Errorf("%s: after %v", e.Action, after)
			}
			if e.ActorID != sami || e.RequestID != 0 {
				t.Errorf("%s by %s about request %d", e.Action, e.ActorID, e.RequestID)
			}
			got = append(got, e.Action+" "+e.ActivityID)
		}
		if !slices.Equal(got, []string{"delegation.set a1", "delegation.ended a2"}) {
			t.Errorf("audit %v", got)
		}
	})
}
