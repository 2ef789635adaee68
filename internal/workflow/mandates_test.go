package workflow_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

const payTask = "palkkatietojen-ilmoittaminen"

// grantedMandate takes a request of who's through approval (Sami for Elina), the valtuuspyyntö and the grant, and
// returns the mandate, valid until until.
func grantedMandate(t *testing.T, f *fixture, who, approver string, until time.Time, tasks ...string) domain.Mandate {
	t.Helper()
	ctx := context.Background()
	r := submit(t, f, who, tasks...)
	if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: approver, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
		t.Fatalf("decide: %v", err)
	}
	if _, err := f.svc.Filed(ctx, who, r.ID, "act-filed"); err != nil {
		t.Fatalf("filed: %v", err)
	}
	g, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: r.ID, ValidFrom: date(2026, 11, 25), ValidUntil: until})
	if err != nil {
		t.Fatalf("grant: %v", err)
	}
	ms, err := f.db.Register.MandatesByHolder(ctx, who)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.RequestID == g.ID {
			return m
		}
	}
	t.Fatalf("no mandate from request %d", g.ID)
	return domain.Mandate{}
}

func mandatesOf(f *fixture) *workflow.Mandates {
	return &workflow.Mandates{Flow: f.svc, Store: f.db.Register}
}

func auditActions(t *testing.T, f *fixture, requestID int64) []string {
	t.Helper()
	evs, err := f.db.Register.AuditForRequest(context.Background(), requestID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Action)
	}
	return out
}

func outboxKinds(t *testing.T, f *fixture, requestID int64) map[string][]string {
	t.Helper()
	msgs, err := f.db.Outbox.ForRequest(context.Background(), requestID)
	if err != nil {
		t.Fatal(err)
	}
	return kinds(msgs)
}

func TestMandateAccess(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		m := grantedMandate(t, f, elina, sami, date(2027, 1, 31), payTask)
		s := mandatesOf(f)
		for _, tc := range []struct {
			who                          string
			holder, supervisor, mainUser bool
		}{{elina, true, false, false}, {sami, false, true, false}, {mikael, false, false, true}} {
			a, err := s.Access(ctx, tc.who, m.ID)
			if err != nil || a.Holder != tc.holder || a.Supervisor != tc.supervisor || a.MainUser != tc.mainUser || a.Mandate.ID != m.ID {
				t.Errorf("Access(%s) = %+v, %v", tc.who, a, err)
			}
		}
		// Anyone else, and an id that names no mandate, learn nothing: the same refusal.
		for _, who := range []string{helena, dina, oskar, ""} {
			if _, err := s.Access(ctx, who, m.ID); domain.ErrorMessage(err) != "err.no_mandate_access" {
				t.Errorf("Access(%q) = %v", who, err)
			}
		}
		if _, err := s.Access(ctx, mikael, 999999); domain.ErrorMessage(err) != "err.no_mandate_access" {
			t.Errorf("Access(no mandate) = %v", err)
		}
	})
}

func TestRenewGoesThroughApproval(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		old := grantedMandate(t, f, elina, sami, date(2027, 1, 31), payTask)
		s := mandatesOf(f)
		// Only the holder and their supervisor renew.
		for _, who := range []string{mikael, helena, dina} {
			if _, err := s.Renew(ctx, workflow.RenewInput{ActorID: who, MandateID: old.ID}); !domain.IsCode(err, domain.EForbidden) {
				t.Errorf("Renew by %s = %v", who, err)
			}
		}
		r, err := s.Renew(ctx, workflow.RenewInput{ActorID: sami, MandateID: old.ID, ActivityID: "act-renew"})
		if err != nil {
			t.Fatal(err)
		}
		if r.RequesterID != elina || r.ApproverID != sami || r.RenewsMandateID != old.ID || r.State != domain.RequestPending {
			t.Errorf("renewal = %+v", r)
		}
		// It starts on the old end date and runs the theme's default validity (36 months) from there.
		if !r.ValidFrom.Equal(date(2027, 1, 31)) || !r.ValidUntil.Equal(date(2030, 1, 31)) {
			t.Errorf("renewal validity %v–%v", r.ValidFrom, r.ValidUntil)
		}
		if len(r.Items) != 1 || r.Items[0].ThemeID != old.ThemeID || !slices.Contains(r.Items[0].TaskIDs, payTask) {
			t.Errorf("renewal items = %+v", r.Items)
		}
		orig, _ := f.db.Register.Request(ctx, old.RequestID)
		if r.Justification != orig.Justification {
			t.Errorf("justification %q, want the original's %q", r.Justification, orig.Justification)
		}
		if got := auditActions(t, f, r.ID); !slices.Equal(got, []string{"request.submitted"}) {
			t.Errorf("renewal's audit = %v", got)
		}
		if got := auditActions(t, f, old.RequestID); !slices.Contains(got, "mandate.renewal_requested") {
			t.Errorf("old request's audit = %v", got)
		}
		if got := outboxKinds(t, f, r.ID); !slices.Equal(got[domain.MsgApprovalRequest], []string{sami}) {
			t.Errorf("renewal's messages = %v", got)
		}
		// A second tap (the holder's own card now) files nothing.
		before, _ := f.db.Register.RequestsByRequester(ctx, elina, 0)
		if _, err := s.Renew(ctx, workflow.RenewInput{ActorID: elina, MandateID: old.ID}); domain.ErrorMessage(err) != "err.renewal_exists" {
			t.Errorf("second Renew = %v", err)
		}
		if after, _ := f.db.Register.RequestsByRequester(ctx, elina, 0); len(after) != len(before) {
			t.Errorf("%d requests after the second tap, %d before", len(after), len(before))
		}
		// Approved and granted from the old end date: the new mandate continues the old one.
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Filed(ctx, elina, r.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: r.ID, ValidFrom: r.ValidFrom, ValidUntil: r.ValidUntil}); err != nil {
			t.Fatal(err)
		}
		a, err := s.Access(ctx, elina, old.ID)
		if err != nil || !a.Renewed() || a.MayRenew() {
			t.Errorf("after the grant: renewed %v, may renew %v, %v", a.Renewed(), a.MayRenew(), err)
		}
		ms, _ := f.db.Register.MandatesByHolder(ctx, elina)
		if len(ms) != 2 || !ms[1].ValidFrom.Equal(old.ValidUntil) || !ms[1].ValidUntil.Equal(date(2030, 1, 31)) {
			t.Errorf("mandates after the renewal: %+v", ms)
		}
	})
}

func TestLetLapse(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		m := grantedMandate(t, f, elina, sami, date(2027, 1, 31), payTask)
		s := mandatesOf(f)
		for _, who := range []string{mikael, dina} {
			if _, err := s.LetLapse(ctx, who, m.ID, ""); !domain.IsCode(err, domain.EForbidden) {
				t.Errorf("LetLapse by %s = %v", who, err)
			}
		}
		a, err := s.LetLapse(ctx, elina, m.ID, "act-lapse")
		if err != nil || a.Mandate.LapseBy != elina || a.MayLapse() {
			t.Fatalf("LetLapse = %+v, %v", a.Mandate, err)
		}
		if _, err := s.LetLapse(ctx, sami, m.ID, ""); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("second LetLapse = %v", err)
		}
		if got := auditActions(t, f, m.RequestID); len(slices.DeleteFunc(got, func(a string) bool { return a != "mandate.lapse" })) != 1 {
			t.Errorf("audit = %v, want one mandate.lapse", got)
		}
	})
}

func TestInvalidation(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		m := grantedMandate(t, f, elina, sami, date(2027, 1, 31), payTask)
		s := mandatesOf(f)
		ask := func(who, reason string) error {
			_, err := s.RequestInvalidation(ctx, workflow.InvalidationInput{ActorID: who, MandateID: m.ID, Reason: reason})
			return err
		}
		for who, want := range map[string]string{elina: "err.not_main_user_or_supervisor", dina: "err.no_mandate_access", helena: "err.no_mandate_access"} {
			if err := ask(who, "Ei tarvita"); domain.ErrorMessage(err) != want {
				t.Errorf("RequestInvalidation by %s = %v, want %s", who, err, want)
			}
		}
		for reason, want := range map[string]string{"": "err.invalidation_reason_required", "  ": "err.invalidation_reason_required", "Hetu 131052-308T": "err.reason_hetu"} {
			if err := ask(sami, reason); domain.ErrorMessage(err) != want {
				t.Errorf("reason %q: %v, want %s", reason, err, want)
			}
		}
		if err := ask(sami, "Siirtyi toiseen yksikköön"); err != nil {
			t.Fatal(err)
		}
		if err := ask(mikael, "Tuplana"); domain.ErrorMessage(err) != "err.invalidation_exists" {
			t.Errorf("second task = %v", err)
		}
		if got := outboxKinds(t, f, m.RequestID); !slices.Equal(got[domain.MsgInvalidationTask], []string{mikael}) {
			t.Errorf("messages = %v", got)
		}
		a, _ := s.Access(ctx, mikael, m.ID)
		if !a.MayConfirm() || a.Invalidation.RequestedRole != domain.InvalidationBySupervisor || a.Invalidation.Reason != "Siirtyi toiseen yksikköön" {
			t.Errorf("task = %+v", a.Invalidation)
		}

		confirm := func(who string, on domain.Date) error {
			_, err := s.ConfirmInvalidation(ctx, workflow.ConfirmInput{ActorID: who, MandateID: m.ID, InvalidatedOn: on})
			return err
		}
		today := domain.Today(now)
		if err := confirm(sami, today); domain.ErrorMessage(err) != "err.not_main_user" {
			t.Errorf("confirmed by the supervisor: %v", err)
		}
		if err := confirm(mikael, today.AddDays(1)); domain.ErrorMessage(err) != "err.invalidated_on_future" {
			t.Errorf("a day in the future: %v", err)
		}
		if err := confirm(mikael, today); err != nil {
			t.Fatal(err)
		}
		if err := confirm(mikael, today); domain.ErrorMessage(err) != "err.invalidation_confirmed" {
			t.Errorf("second confirmation = %v", err)
		}
		got, _ := f.db.Register.Mandate(ctx, m.ID)
		if got.State != domain.MandateRevoked {
			t.Errorf("mandate after the confirmation: %+v", got)
		}
		if got := outboxKinds(t, f, m.RequestID); !slices.Equal(got[domain.MsgRevokedNotice], []string{elina}) {
			t.Errorf("messages = %v", got)
		}
		actions := auditActions(t, f, m.RequestID)
		for _, want := range []string{"mandate.invalidation_requested", "mandate.revoked"} {
			if n := len(slices.DeleteFunc(slices.Clone(actions), func(a string) bool { return a != want })); n != 1 {
				t.Errorf("%d × %s in %v", n, want, actions)
			}
		}
		// A revoked mandate is not renewed, left to lapse or invalidated again.
		if _, err := s.Renew(ctx, workflow.RenewInput{ActorID: elina, MandateID: m.ID}); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("Renew after revocation = %v", err)
		}
		if _, err := s.LetLapse(ctx, elina, m.ID, ""); !domain.IsCode(err, domain.EConflict) {
			t.Errorf("LetLapse after revocation = %v", err)
		}
	})
}

func TestMandateList(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		e := grantedMandate(t, f, elina, sami, date(2027, 1, 31), payTask)
		sm := grantedMandate(t, f, sami, helena, date(2027, 6, 30), payTask)
		s := mandatesOf(f)
		ids := func(who string) []int64 {
			l, err := s.List(ctx, who)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, m := range l.Mandates {
				out = append(out, m.ID)
			}
			slices.Sort(out)
			return out
		}
		if got := ids(mikael); !slices.Equal(got, []int64{e.ID, sm.ID}) {
			t.Errorf("main user's list = %v", got)
		}
		if got := ids(sami); !slices.Equal(got, []int64{e.ID}) {
			t.Errorf("Sami's list = %v", got)
		}
		if got := ids(helena); !slices.Equal(got, []int64{sm.ID}) {
			t.Errorf("Helena's list = %v", got)
		}
		if got := ids(dina); len(got) != 0 {
			t.Errorf("Dina's list = %v", got)
		}
	})
}
