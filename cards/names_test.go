package cards

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// namesRequest is an approved request for themes whose names differ in what is confirmed: the Incomes Register's
// (official in fi, sv and en), Kela's (official only in Finnish), Business Finland's (official only in English)
// and a theme the catalog no longer has.
func namesRequest(cat *catalog.Catalog) domain.Request {
	r := approvedPayroll(cat)
	r.Items = []domain.RequestItem{
		{ID: 1, ThemeID: "tulorekisteri-palkkatiedot-ilmoittaminen", Covered: true, State: domain.ItemApproved},
		{ID: 2, ThemeID: "kela-tyonantaja-etuuksien-hakeminen", Covered: true, State: domain.ItemApproved},
		{ID: 3, ThemeID: "business-finland-yritysrahoitus", Covered: true, State: domain.ItemApproved},
		{ID: 4, ThemeID: "poistunut-valtuusasia", Covered: true, State: domain.ItemApproved},
	}
	return r
}

// textNode is one piece of text a card shows, with whether it is bold.
type textNode struct {
	text string
	bold bool
}

func textNodes(t *testing.T, c *Card) []textNode {
	t.Helper()
	raw, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var out []textNode
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for _, k := range []string{"text", "title", "value"} {
				if s, ok := x[k].(string); ok {
					out = append(out, textNode{text: s, bold: x["weight"] == "Bolder"})
				}
			}
			for _, vv := range x {
				walk(vv)
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	walk(v)
	return out
}

// The cards that send someone to Suomi.fi or DVV (the employee's request steps; the main user's grant task, its
// section waiting for the right to grant, the batch card and the notice asking for an application to DVV) show each
// theme's official Finnish name in bold, and its official Swedish name in bold for a Swedish reader, with
// the Finnish one beside it; a name that is not Suomi.fi's is never shown as one: it appears only in the line that
// says it is not confirmed in Suomi.fi.
func TestSearchCardsShowOfficialNamesOnly(t *testing.T) {
	cat := mustCatalog(t)
	r := namesRequest(cat)
	direct := namesRequest(cat)
	direct.GrantPath = domain.PathDirect
	// The same themes waiting for the organisation's right to grant them: the task card's waiting section and the
	// notice asking for an application to DVV name them.
	waiting := namesRequest(cat)
	var themeIDs []string
	for i := range waiting.Items {
		waiting.Items[i].Covered = false
		themeIDs = append(themeIDs, waiting.Items[i].ThemeID)
	}
	for _, l := range domain.Langs {
		p := bundle.Printer(l)
		for name, c := range map[string]*Card{
			"request steps": RequestSteps(p, StepsInput{Catalog: cat, Request: r}),
			"grant task":    GrantTask(p, GrantTaskInput{Catalog: cat, Request: r, Today: adminToday}),
			"grant batch": GrantBatch(p, GrantBatchInput{Catalog: cat, Path: domain.PathDirect, Requests: []domain.Request{direct},
				Today: adminToday}),
			"waiting for the right": GrantTask(p, GrantTaskInput{Catalog: cat, Request: waiting, Today: adminToday}),
			"application needed":    ApplicationNeeded(p, ApplicationInput{Catalog: cat, Request: waiting, ThemeIDs: themeIDs}),
		} {
			nodes := textNodes(t, c)
			has := func(want string, bold bool) bool {
				for _, n := range nodes {
					if (bold && n.bold && n.text == want) || (!bold && n.text == want) {
						return true
					}
				}
				return false
			}
			for _, it := range r.Items[:3] {
				th, _ := cat.Theme(it.ThemeID)
				fi, sv := th.OfficialName.FI, th.OfficialName.SV
				switch {
				case l == domain.Swedish && sv != "":
					if !has(sv, true) || !has(p.Format("theme.name.finnish", "name", fi), false) {
						t.Errorf("%s, sv: %s: want %q in bold and the Finnish %q beside it", name, th.ID, sv, fi)
					}
				case l == domain.English && th.OfficialName.EN != "" && fi != "":
					if !has(th.OfficialName.EN, true) || !has(p.Format("theme.name.finnish", "name", fi), false) {
						t.Errorf("%s, en: %s: want the official English and Finnish names", name, th.ID)
					}
				case fi != "":
					if !has(fi, true) {
						t.Errorf("%s, %s: %s: the official Finnish name %q is not shown in bold", name, l, th.ID, fi)
					}
				default: // no confirmed Finnish name: the official one there is, and a note that the Finnish one is not confirmed
					if !has(th.OfficialName.EN, true) || !has(p.Get("theme.name.no_finnish"), false) {
						t.Errorf("%s, %s: %s: want the official English name and the unconfirmed-Finnish note", name, l, th.ID)
					}
				}
				// Every name of our own appears only in the line marking it as not confirmed, never in bold.
				for _, ol := range domain.Langs {
					own := th.OwnName.Exact(ol)
					if own == "" {
						continue
					}
					for _, n := range nodes {
						if strings.Contains(n.text, own) && (n.bold || n.text != p.Format("theme.name.own", "name", own)) {
							t.Errorf("%s, %s: %s: our own name %q is shown as %q (bold %v)", name, l, th.ID, own, n.text, n.bold)
						}
					}
				}
			}
			// A theme the catalog no longer has: no name is claimed as Suomi.fi's.
			if !has(p.Get("theme.name.unconfirmed"), false) || has("poistunut-valtuusasia", true) {
				t.Errorf("%s, %s: the unknown theme is not marked as unconfirmed", name, l)
			}
		}
	}
}
