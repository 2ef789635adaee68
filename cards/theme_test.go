package cards

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// catalogOfType is the default catalog with every theme's mandate type set to mt.
func catalogOfType(t *testing.T, mt domain.MandateType) *catalog.Catalog {
	t.Helper()
	c := mustCatalog(t)
	for i := range c.Themes {
		c.Themes[i].Type = mt
	}
	return c
}

// approvedPayroll is payrollRequest after the approver approved every theme.
func approvedPayroll(cat *catalog.Catalog) domain.Request {
	r := payrollRequest(cat)
	r.State = domain.RequestApproved
	r.DecidedBy, r.DecidedAt = approverObjectID, adminNow
	for i := range r.Items {
		r.Items[i].State = domain.ItemApproved
	}
	return r
}

// A theme's mandate type comes from the catalog to every card that shows themes: set the catalog's type to each
// type in turn, and the recommendation, the approval card, the employee's request steps and the main user's grant
// task name that type and no other.
func TestThemeTypeReachesEveryThemeCard(t *testing.T) {
	for _, mt := range domain.MandateTypes {
		cat := catalogOfType(t, mt)
		pending, approved := payrollRequest(cat), approvedPayroll(cat)
		for _, l := range domain.Langs {
			p := bundle.Printer(l)
			want := p.Get("mandatetype." + string(mt))
			cards := map[string]*Card{
				"recommendation": Recommendation(p, RecommendationInput{Catalog: cat, Needs: needsFor(cat, pending.TaskIDs, nil, nil, adminNow),
					TaskIDs: pending.TaskIDs, DefaultValidUntil: adminToday.AddDate(2, 0, 0), MinValidUntil: adminToday.AddDate(0, 0, 1),
					MaxValidUntil: adminToday.AddDate(25, 0, 0)}),
				"recommendation, shortened": Recommendation(p, RecommendationInput{Catalog: cat, Needs: needsFor(cat, allTasks(cat), nil, nil, adminNow),
					TaskIDs: allTasks(cat), DefaultValidUntil: adminToday.AddDate(2, 0, 0), MinValidUntil: adminToday.AddDate(0, 0, 1),
					MaxValidUntil: adminToday.AddDate(25, 0, 0), Justification: strings.Repeat("<", MaxJustification)}),
				"approval":             Approval(p, ApprovalInput{Catalog: cat, Request: pending, Now: adminNow}),
				"approval interactive": Approval(p, ApprovalInput{Catalog: cat, Request: pending, Now: adminNow, Interactive: true}),
				"request steps":        RequestSteps(p, StepsInput{Catalog: cat, Request: approved}),
				"grant task":           GrantTask(p, GrantTaskInput{Catalog: cat, Request: approved, Today: adminToday}),
			}
			for name, c := range cards {
				text := empText(t, c)
				if !strings.Contains(text, want) {
					t.Errorf("%s, %s, themes of type %s: the card does not name the type %q", name, l, mt, want)
				}
				for _, other := range domain.MandateTypes {
					if label := p.Get("mandatetype." + string(other)); other != mt && strings.Contains(text, label) {
						t.Errorf("%s, %s, themes of type %s: the card names the type %q", name, l, mt, label)
					}
				}
			}
			if short := empText(t, cards["recommendation, shortened"]); !strings.Contains(short, p.Get("recommend.compact")) {
				t.Errorf("recommendation of every task, %s: not shortened, so the test misses the short form", l)
			}
			if !strings.Contains(empText(t, cards["recommendation, shortened"]), p.Format("theme.type.all", "type", want)) {
				t.Errorf("shortened recommendation, %s: the type of all themes is not named once", l)
			}
			// The direct grant's step that picks the type in Suomi.fi is the one for the themes' type. (On the
			// valtuuspyyntö path the employee picks it; the main user accepts what arrives.)
			direct := approved
			direct.GrantPath = domain.PathDirect
			if text := empText(t, GrantTask(p, GrantTaskInput{Catalog: cat, Request: direct, Today: adminToday})); !strings.Contains(text, p.Get("admin.grant.type."+string(mt))) {
				t.Errorf("grant task, %s: no step choosing %s", l, mt)
			}
		}
	}
}

// Themes of two types in one grant task: each type's step is there, with the note to grant them separately, and
// each theme says its own type.
func TestGrantTaskWithTwoMandateTypes(t *testing.T) {
	cat := mustCatalog(t)
	r := approvedPayroll(cat)
	r.GrantPath = domain.PathDirect // the direct grant chooses the type in Suomi.fi
	for i := range cat.Themes {
		if cat.Themes[i].ID == r.Items[1].ThemeID {
			cat.Themes[i].Type = domain.Edustamisvaltuus
		} else {
			cat.Themes[i].Type = domain.Asiointivaltuus
		}
	}
	for _, l := range domain.Langs {
		p := bundle.Printer(l)
		text := empText(t, GrantTask(p, GrantTaskInput{Catalog: cat, Request: r, Today: adminToday}))
		for _, key := range []string{"admin.grant.type.asiointivaltuus", "admin.grant.type.edustamisvaltuus", "admin.grant.type.separately"} {
			if !strings.Contains(text, p.Get(key)) {
				t.Errorf("%s: grant task lacks %s", l, key)
			}
		}
		for _, mt := range domain.MandateTypes {
			line := p.Format("theme.type", "type", p.Get("mandatetype."+string(mt)))
			if !strings.Contains(text, line) {
				t.Errorf("%s: grant task lacks %q", l, line)
			}
		}
	}
}

func allTasks(cat *catalog.Catalog) []string {
	ids := make([]string, 0, len(cat.Tasks))
	for _, task := range cat.Tasks {
		ids = append(ids, task.ID)
	}
	return ids
}

// No card picks a mandate type itself: the builders never name a type constant or a type's text.
func TestNoCardHardCodesAMandateType(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src := strings.ToLower(string(raw))
		for _, w := range []string{"domain.asiointivaltuus", "domain.edustamisvaltuus", "\"asiointivaltuus\"", "\"edustamisvaltuus\"", "mandatetype.asiointivaltuus", "mandatetype.edustamisvaltuus"} {
			if strings.Contains(src, w) {
				t.Errorf("%s names the mandate type %s; take it from the theme", f, w)
			}
		}
	}
}
