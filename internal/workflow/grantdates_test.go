package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// A grant's dates are bound to the approval: not before it, not beyond the approved end date, not already over.
// Each bound refuses with its own message and changes nothing.
func TestGrantDatesWithinTheApproval(t *testing.T) {
	each(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		r := submit(t, f, elina, "palkkatietojen-ilmoittaminen") // asks until 2027-12-31; now is 2026-11-25
		if _, err := f.svc.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
			t.Fatal(err)
		}
		cases := map[string]struct{ from, until time.Time }{
			"err.valid_from_before_approval": {date(2026, 11, 20), date(2027, 6, 30)},
			"err.valid_until_after_approved": {date(2026, 11, 25), date(2028, 1, 1)},
			"err.valid_until_range":          {date(2026, 11, 25), date(9999, 12, 31)},
			"err.valid_until_before_from":    {date(2026, 11, 25), date(2026, 11, 25)},
		}
		for key, c := range cases {
			_, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: r.ID, ValidFrom: c.from, ValidUntil: c.until})
			if domain.ErrorMessage(err) != key || !domain.IsCode(err, domain.EInvalid) {
				t.Errorf("%s: got %v", key, err)
			}
		}
		if got, _ := f.svc.Store.Request(ctx, r.ID); got.State != domain.RequestApproved || got.Items[0].State != domain.ItemApproved {
			t.Fatalf("a refused grant changed the request: %+v", got)
		}
		if ms, _ := f.svc.Store.MandatesByHolder(ctx, elina); len(ms) != 0 {
			t.Fatalf("a refused grant created mandates: %+v", ms)
		}
		// The approved end date itself is fine.
		if _, err := f.svc.Grant(ctx, workflow.GrantInput{ActorID: mikael, RequestID: r.ID, ValidFrom: date(2026, 11, 25), ValidUntil: date(2027, 12, 31)}); err != nil {
			t.Fatal(err)
		}
	})
}

// A grant recorded late, after the mandate already ended in Suomi.fi, is refused: an expired grant is no grant.
func TestExpiredGrantRefused(t *testing.T) {
	r := domain.Request{State: domain.RequestApproved, DecidedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC),
		ValidUntil: time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)}
	today := domain.NewDate(2026, 2, 1)
	err := r.CheckGrantDates(today, domain.NewDate(2026, 1, 5), domain.NewDate(2026, 1, 31))
	if domain.ErrorMessage(err) != "err.valid_until_past" {
		t.Fatalf("got %v", err)
	}
	if err := r.CheckGrantDates(today, domain.NewDate(2026, 1, 5), domain.NewDate(2026, 2, 1)); err != nil {
		t.Fatalf("ending today is still a grant: %v", err)
	}
}
