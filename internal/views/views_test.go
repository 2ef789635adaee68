package views

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

const (
	elina  = "7c1e4a52-0000-4000-8000-000000000001"
	mikael = "7c1e4a52-0000-4000-8000-000000000004"
)

// grants is a GrantHistory with fixed counts per person, or a failure.
type grants struct {
	n   map[string]int
	err error
}

func (g grants) MandatesGrantedBy(_ context.Context, id string) (int, error) { return g.n[id], g.err }

func testViews(t *testing.T, g GrantHistory) *Views {
	t.Helper()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	return &Views{Catalog: cat, Directory: dir, Now: func() time.Time { return now }, Grants: g}
}

// approved is Elina's approved request on the direct path, one theme to grant.
func approved() domain.Request {
	return domain.Request{ID: 7, RequesterID: elina, RequesterName: "Elina Lindholm", State: domain.RequestApproved,
		GrantPath: domain.PathDirect, ValidUntil: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC),
		DecidedAt: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC),
		Items:     []domain.RequestItem{{ID: 1, ThemeID: "tulorekisteri-palkkatiedot-ilmoittaminen", Covered: true, State: domain.ItemApproved}}}
}

func folded(t *testing.T, c *cards.Card) bool {
	t.Helper()
	raw, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Contains(string(raw), `"Action.ToggleVisibility"`) && strings.Contains(string(raw), `"id":"`+cards.StepsElementID+`"`)
}

// The grant task folds the Suomi.fi steps only for a main user who has recorded a grant before; the first time,
// without a history, or when the history cannot be read, the steps are open.
func TestGrantFoldsStepsAfterTheFirstGrant(t *testing.T) {
	ctx := context.Background()
	p := i18n.MustLoad().Printer(domain.Finnish)
	for name, tc := range map[string]struct {
		g    GrantHistory
		want bool
	}{
		"first grant":        {grants{n: map[string]int{"someone-else": 4}}, false},
		"granted before":     {grants{n: map[string]int{mikael: 1}}, true},
		"history unreadable": {grants{n: map[string]int{mikael: 1}, err: errors.New("database down")}, false},
		"no history":         {nil, false},
	} {
		v := testViews(t, tc.g)
		if got := folded(t, v.Grant(ctx, p, approved(), mikael, "")); got != tc.want {
			t.Errorf("%s: folded %v, want %v", name, got, tc.want)
		}
	}
}
