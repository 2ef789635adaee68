package workflow_test

import (
	"context"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// leaving is the demo directory with one person on a fixed-term contract ending on a given day.
type leaving struct {
	workflow.Directory
	who string
	on  time.Time
}

func (d leaving) User(ctx context.Context, id string) (domain.User, error) {
	u, err := d.Directory.User(ctx, id)
	if err == nil && id == d.who {
		u.LeaveDate = &d.on
	}
	return u, err
}

// The end of a fixed-term contract caps the requested end date, with the reason; a contract that ends before any
// mandate could start refuses the request; the theme's own policy caps it for everyone else.
func TestContractEndCapsTheRequestedValidity(t *testing.T) {
	demo, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	summerEnd := time.Date(2027, 8, 31, 0, 0, 0, 0, time.UTC)
	f := newFixture(t, sqltest.Open(t), leaving{demo, elina, summerEnd})
	rec, err := f.svc.Recommend(ctx, elina, []string{"palkkatietojen-ilmoittaminen"})
	if err != nil {
		t.Fatal(err)
	}
	if v := rec.Validity; v.Max.Time() != summerEnd || v.CappedBy != domain.CapContractEnd || v.Default.After(v.Max) {
		t.Fatalf("validity for a summer worker %+v", v)
	}
	for until, want := range map[time.Time]string{summerEnd.AddDate(0, 0, 1): "err.valid_until_range", summerEnd: ""} {
		_, err := f.svc.Submit(ctx, workflow.SubmitInput{RequesterID: elina, TaskIDs: []string{"palkkatietojen-ilmoittaminen"},
			Justification: "Kesätyö palkanlaskennassa.", ValidUntil: until})
		if domain.ErrorMessage(err) != want && !(want == "" && err == nil) {
			t.Fatalf("until %v: %v, want %q", until, err, want)
		}
	}
	// Another person, for whom the theme's own policy (60 months) sets the latest end date.
	rec, _ = f.svc.Recommend(ctx, dina, []string{"palkkatietojen-ilmoittaminen"})
	if v := rec.Validity; v.CappedBy != domain.CapThemePolicy || v.CapTheme != "tulorekisteri-palkkatiedot-ilmoittaminen" {
		t.Fatalf("validity by policy %+v", v)
	}
	// A contract that ended already: nothing can be requested.
	gone := newFixture(t, sqltest.Open(t), leaving{demo, elina, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	_, err = gone.svc.Submit(ctx, workflow.SubmitInput{RequesterID: elina, TaskIDs: []string{"palkkatietojen-ilmoittaminen"},
		Justification: "Palkanlaskenta.", ValidUntil: summerEnd})
	if domain.ErrorMessage(err) != "err.contract_ends" {
		t.Fatalf("after the contract: %v", err)
	}
}
