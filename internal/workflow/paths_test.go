package workflow_test

import (
	"context"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// The direct grant: the organisation's policy, or a switch from the valtuuspyyntö path; the mandate records it.
func TestDirectGrantPath(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.svc.Catalog.Org.Grant = domain.GrantPolicy{Path: domain.PathDirect, IdentityCodeFrom: domain.Text{FI: "HR", SV: "HR", EN: "HR"}}
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		d, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll})
		if err != nil || d.GrantPath != domain.PathDirect {
			t.Fatalf("decided on %q: %v", d.GrantPath, err)
		}
		msgs, _ := f.db.Outbox.ForRequest(ctx, r.ID)
		if k := kinds(msgs); len(k[domain.MsgGrantTask]) != 1 || len(k[domain.MsgRequestSteps]) != 0 {
			t.Fatalf("outbox on the direct path: %v", k)
		}
		if _, err := f.svc.Filed(ctx, elina, r.ID, ""); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("filing on the direct path: %v", err)
		}
		g, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: r.ID, ValidFrom: f.svc.Today().Time(), ValidUntil: date(2027, 12, 31)})
		if err != nil || g.State != domain.RequestCompleted {
			t.Fatalf("grant: %v", err)
		}
		ms, _ := f.db.Register.MandatesByHolder(ctx, elina)
		if len(ms) != 1 || ms[0].GrantPath != domain.PathDirect {
			t.Fatalf("register %+v", ms)
		}
	})
}

func TestSwitchToDirectGrantWhenTheEmployeeCannotFile(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
			t.Fatal(err)
		}
		f.svc.Catalog.Org.Grant.DirectFallback = false
		f.svc.Catalog.Org.Grant.Path = domain.PathRequest
		if _, err := f.svc.GrantDirectly(ctx, elina, r.ID, ""); !domain.IsCode(err, domain.EForbidden) {
			t.Fatalf("switch where the organisation does not allow it: %v", err)
		}
		f.svc.Catalog.Org.Grant.DirectFallback = true
		if _, err := f.svc.GrantDirectly(ctx, dina, r.ID, ""); !domain.IsCode(err, domain.EForbidden) {
			t.Fatalf("a stranger switching: %v", err)
		}
		d, err := f.svc.GrantDirectly(ctx, elina, r.ID, "act-direct")
		if err != nil || d.GrantPath != domain.PathDirect {
			t.Fatalf("switch: %q %v", d.GrantPath, err)
		}
		msgs, _ := f.db.Outbox.ForRequest(ctx, r.ID)
		if k := kinds(msgs); len(k[domain.MsgGrantTask]) != 1 || k[domain.MsgGrantTask][0] != mikael {
			t.Fatalf("outbox after the switch: %v", k)
		}
		audit, _ := f.db.Register.AuditForRequest(ctx, r.ID)
		if last := audit[len(audit)-1]; last.Action != "request.path.direct" || !strings.Contains(string(last.After), `"grant_path":"direct"`) {
			t.Fatalf("audit %s %s", last.Action, last.After)
		}
	})
}

// A theme outside the organisation's valtuutusoikeus waits for the right: the main users are asked to apply to
// DVV once per theme, nothing is closed, and when a main user records the right the item continues to the steps.
func TestItemWaitsForTheRightToGrantAndContinues(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const theme = "business-finland-yritysrahoitus"
		first := submit(t, f, elina, "palkkatietojen-ilmoittaminen", "business-finland-rahoitus")
		second := submit(t, f, dina, "business-finland-rahoitus")
		for _, r := range []domain.Request{first, second} {
			if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: r.ApproverID, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := f.db.Register.Request(ctx, first.ID)
		var waiting *domain.RequestItem
		for i := range got.Items {
			if got.Items[i].ThemeID == theme {
				waiting = &got.Items[i]
			}
		}
		if waiting == nil || !waiting.AwaitingRight() || got.State != domain.RequestApproved {
			t.Fatalf("request %+v", got)
		}
		m1, _ := f.db.Outbox.ForRequest(ctx, first.ID)
		m2, _ := f.db.Outbox.ForRequest(ctx, second.ID)
		if k1, k2 := kinds(m1), kinds(m2); len(k1[domain.MsgApplicationNeeded]) != 1 || len(k2[domain.MsgApplicationNeeded]) != 0 {
			t.Fatalf("application tasks: first %v, second %v", k1, k2)
		}
		// Nobody can grant it yet, and only a main user records the right, for a real theme, not in the future.
		if _, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: second.ID, ValidFrom: f.svc.Today().Time(), ValidUntil: date(2027, 12, 31)}); domain.ErrorMessage(err) != "err.awaiting_right" {
			t.Fatalf("granting before the right: %v", err)
		}
		bad := []workflow.RightInput{
			{ActorID: elina, ThemeID: theme, RegisteredOn: f.svc.Today()},
			{ActorID: mikael, ThemeID: "no-such-theme", RegisteredOn: f.svc.Today()},
			{ActorID: mikael, ThemeID: theme, RegisteredOn: f.svc.Today().AddDays(1)},
			{ActorID: mikael, ThemeID: "vero-veroasiat", RegisteredOn: f.svc.Today()},
		}
		for _, in := range bad {
			if _, err := f.svc.RecordRight(ctx, in); err == nil {
				t.Fatalf("recorded %+v", in)
			}
		}
		moved, err := f.svc.RecordRight(ctx, workflow.RightInput{ActorID: mikael, ThemeID: theme, RegisteredOn: f.svc.Today(), ActivityID: "act-right"})
		if err != nil || moved != 2 {
			t.Fatalf("moved %d: %v", moved, err)
		}
		if _, err := f.svc.RecordRight(ctx, workflow.RightInput{ActorID: mikael, ThemeID: theme, RegisteredOn: f.svc.Today()}); !domain.IsCode(err, domain.EConflict) {
			t.Fatalf("recording twice: %v", err)
		}
		got, _ = f.db.Register.Request(ctx, first.ID)
		for _, it := range got.Items {
			if !it.Grantable() {
				t.Fatalf("item %s still waits", it.ThemeID)
			}
		}
		m1, _ = f.db.Outbox.ForRequest(ctx, first.ID)
		steps := 0
		for _, m := range m1 {
			if p, _ := m.Decode(); m.Kind == domain.MsgRequestSteps {
				if ids := p.(domain.RequestSteps).Items; len(ids) == 1 && ids[0] == waiting.ID {
					steps++
				}
			}
		}
		if steps != 1 {
			t.Fatalf("the requester got %d steps messages for the theme that waited", steps)
		}
		audit, _ := f.db.Register.AuditForRequest(ctx, first.ID)
		if last := audit[len(audit)-1]; last.Action != "request.right_registered" || last.ActorID != mikael {
			t.Fatalf("audit %s", last.Action)
		}
		// A request for the theme made now is covered from the start.
		third := submit(t, f, sami, "business-finland-rahoitus")
		if !third.Items[0].Covered {
			t.Fatalf("a new request after the right is not covered")
		}
	})
}

// A holder's right that has ended covers nothing (issue 10.6): when every holder whose right names a theme has
// passed their end date, a request for it is outside every holder's right and waits for the right to grant like a
// theme never registered, the main users are asked to apply, and a main user can record that DVV registered it,
// after which it continues. The same request with one holder still in force is covered.
func TestItemWaitsWhenTheHoldersRightHasEnded(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		const theme = "tulorekisteri-palkkatiedot-ilmoittaminen"
		org := &f.svc.Catalog.Org
		if len(org.HoldersOf(theme, f.svc.Today(), nil)) == 0 {
			t.Fatalf("the catalog has no holder of %s", theme)
		}
		holders := org.RightHolders
		org.RightHolders = nil
		for _, h := range holders {
			h.Until = f.svc.Today().AddDays(-1) // every right ended yesterday
			org.RightHolders = append(org.RightHolders, h)
		}
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen")
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
			t.Fatal(err)
		}
		got, _ := f.db.Register.Request(ctx, r.ID)
		if len(got.Items) != 1 || got.Items[0].ThemeID != theme || !got.Items[0].AwaitingRight() {
			t.Fatalf("the item does not wait for the right: %+v", got.Items)
		}
		msgs, _ := f.db.Outbox.ForRequest(ctx, r.ID)
		if k := kinds(msgs); len(k[domain.MsgApplicationNeeded]) != 1 || len(k[domain.MsgRequestSteps]) != 0 {
			t.Fatalf("outbox: %v", k)
		}
		moved, err := f.svc.RecordRight(ctx, workflow.RightInput{ActorID: mikael, ThemeID: theme, RegisteredOn: f.svc.Today()})
		if err != nil || moved != 1 {
			t.Fatalf("recording the registered right: moved %d, %v", moved, err)
		}
		if got, _ = f.db.Register.Request(ctx, r.ID); !got.Items[0].Grantable() {
			t.Fatalf("the item still waits after the right was recorded: %+v", got.Items[0])
		}

		// One holder's right in force again: a request for the theme is covered from the start.
		org.RightHolders[0].Until = f.svc.Today()
		if !org.RightHolders[0].Covers(theme) {
			t.Fatalf("the first holder does not hold %s", theme)
		}
		if r := submit(t, f, dina, "palkkatietojen-ilmoittaminen"); !r.Items[0].Covered {
			t.Fatalf("a request with a holder in force is not covered: %+v", r.Items[0])
		}
	})
}
