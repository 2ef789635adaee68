package workflow_test

import (
	"context"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// Segregation of duties: with another main user, nobody records the grant of their own request; the sole main
// user may, only with an explicit confirmation, and the grant is flagged in the audit trail and the overview.
func TestSelfGrant(t *testing.T) {
	grant := func(f *fixture, actor string, id int64, confirm bool) (domain.Request, error) {
		return f.svc.Grant(context.Background(), workflow.GrantInput{ActorID: actor, RequestID: id, ValidFrom: date(2026, 11, 25),
			ValidUntil: date(2027, 12, 31), ConfirmSelfGrant: confirm})
	}
	approve := func(t *testing.T, f *fixture, approver string, id int64) {
		t.Helper()
		if _, err := f.svc.Decide(context.Background(), workflow.DecideInput{ActorID: approver, RequestID: id, Decision: domain.ApproveAll}); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("two main users", func(t *testing.T) {
		each(t, func(t *testing.T, f *fixture) {
			f.svc.Catalog.Org.MainUsers = []string{mikael, elina}
			r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
			approve(t, f, sami, r.ID)
			for _, confirm := range []bool{false, true} {
				if _, err := grant(f, elina, r.ID, confirm); domain.ErrorMessage(err) != "err.self_grant" || !domain.IsCode(err, domain.EForbidden) {
					t.Fatalf("own grant with another main user (confirm %v): %v", confirm, err)
				}
			}
			if ms, _ := f.svc.Store.MandatesByHolder(context.Background(), elina); len(ms) != 0 {
				t.Fatalf("refused self-grant created %d mandates", len(ms))
			}
			if _, err := grant(f, mikael, r.ID, false); err != nil {
				t.Fatalf("the other main user: %v", err)
			}
		})
	})
	t.Run("one main user", func(t *testing.T) {
		each(t, func(t *testing.T, f *fixture) {
			ctx := context.Background()
			r := submit(t, f, mikael, "palkkatietojen-ilmoittaminen") // Mikael is the only main user
			approve(t, f, r.ApproverID, r.ID)
			if _, err := grant(f, mikael, r.ID, false); domain.ErrorMessage(err) != "err.self_grant_confirm" {
				t.Fatalf("own grant without confirmation: %v", err)
			}
			if got, _ := f.svc.Store.Request(ctx, r.ID); got.State != domain.RequestApproved {
				t.Fatalf("a refused self-grant changed the request: %s", got.State)
			}
			if _, err := grant(f, mikael, r.ID, true); err != nil {
				t.Fatalf("confirmed self-grant: %v", err)
			}
			audit, _ := f.svc.Store.AuditForRequest(ctx, r.ID)
			flagged := 0
			for _, e := range audit {
				if e.Action == "request.granted.self" {
					flagged++
				}
			}
			ov, err := f.svc.Overview(ctx, mikael)
			if flagged != 1 || err != nil || ov.SelfGranted != 1 {
				t.Fatalf("flagged audit rows %d, overview self-granted %d (%v)", flagged, ov.SelfGranted, err)
			}
		})
	})
}
