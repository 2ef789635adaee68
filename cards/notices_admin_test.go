package cards

import (
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, adminNoticeGolden) }

func adminNoticeGolden() map[string]func(p i18n.Printer) *Card {
	cat := defaultCatalog()
	return map[string]func(p i18n.Printer) *Card{
		"application": func(p i18n.Printer) *Card {
			return ApplicationNeeded(p, ApplicationInput{Catalog: cat, Request: payrollRequest(cat), ThemeIDs: []string{"ely-valtionavustukset-hakeminen"}})
		},
		"cancelled-notice": func(p i18n.Printer) *Card {
			return CancelledNotice(p, CancelledInput{Catalog: cat, Request: cancelledRequest(cat)})
		},
	}
}

func TestApplicationNeededNamesThemesRequesterAndDVV(t *testing.T) {
	cat := mustCatalog(t)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		c := ApplicationNeeded(p, ApplicationInput{Catalog: cat, Request: payrollRequest(cat),
			ThemeIDs: []string{"ely-valtionavustukset-hakeminen", "business-finland-yritysrahoitus"}})
		m := decoded(t, c)
		all := strings.Join(strs(m), "\n")
		ely, _ := cat.Theme("ely-valtionavustukset-hakeminen")
		bf, _ := cat.Theme("business-finland-yritysrahoitus")
		for _, want := range []string{ely.Name.In(p.Lang), bf.Name.In(p.Lang), "VB-2026-0042", "Anna Virtanen",
			"Talous- ja henkilöstöpalvelut", DVVApplicationURL, ely.SuomiFiURL, bf.SuomiFiURL} {
			if !strings.Contains(all, want) {
				t.Errorf("card lacks %q", want)
			}
		}
		for _, a := range nodes(m, "Action.") {
			if a["type"] != "Action.OpenUrl" {
				t.Errorf("an information card has only links, got %v", a)
			}
		}
		if !strings.Contains(c.FallbackText, "2") {
			t.Errorf("fallback should count the themes: %q", c.FallbackText)
		}
	})
}

func TestCancelledNoticeNeedsNothing(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.English)
	m := decoded(t, CancelledNotice(p, CancelledInput{Catalog: cat, Request: cancelledRequest(cat)}))
	if a := nodes(m, "Action."); len(a) != 0 {
		t.Errorf("cancelled notice has actions %v", a)
	}
	all := strings.Join(strs(m), "\n")
	for _, want := range []string{"Anna Virtanen withdrew request VB-2026-0042", "Reporting earnings payment data", "do not need to do anything"} {
		if !strings.Contains(all, want) {
			t.Errorf("card lacks %q", want)
		}
	}
}

// adminGoldenCards are this feature's golden cards in every language.
func adminGoldenCards(t *testing.T) map[string]*Card {
	t.Helper()
	out := map[string]*Card{}
	for _, set := range []func() map[string]func(p i18n.Printer) *Card{approvalGolden, grantGolden, adminNoticeGolden, listsGolden, overviewGolden, batchGolden} {
		for name, build := range set() {
			for _, l := range domain.Langs {
				out[name+"."+string(l)] = build(bundle.Printer(l))
			}
		}
	}
	return out
}

// Every Action.Execute, including refresh, uses a verb the bot knows; every Action.ToggleVisibility names elements
// the card has.
func TestAdminCardsUseKnownVerbs(t *testing.T) {
	known := map[string]bool{
		VerbSetLanguage: true, VerbIntakeOpen: true, VerbIntakeSubmit: true, VerbRequestSubmit: true, VerbRequestCancel: true,
		VerbMyMandates: true, VerbApprovalOpen: true, VerbApprovalDecide: true, VerbGrantOpen: true, VerbGrantDone: true,
		VerbGrantFailed: true, VerbOverview: true, VerbApprovalList: true, VerbGrantList: true,
		VerbRightRecorded: true, VerbGrantDirect: true, VerbUpcoming: true, VerbGrantBatch: true, VerbGrantBatchDone: true, VerbInvalidationOpen: true,
	}
	for name, c := range adminGoldenCards(t) {
		m := decoded(t, c)
		for _, a := range nodes(m, "Action.") {
			switch a["type"] {
			case "Action.Execute":
				if v, _ := a["verb"].(string); !known[v] {
					t.Errorf("%s: unknown verb %q", name, v)
				}
			case "Action.OpenUrl":
				if u, _ := a["url"].(string); !strings.HasPrefix(u, "https://") {
					t.Errorf("%s: link %q", name, u)
				}
			case "Action.ToggleVisibility":
				targets := strs(a["targetElements"])
				if len(targets) == 0 {
					t.Errorf("%s: a toggle with no target", name)
				}
				for _, id := range targets {
					if !hasElementID(m, id) {
						t.Errorf("%s: toggle names %q, which the card does not have", name, id)
					}
				}
			default:
				t.Errorf("%s: action type %v", name, a["type"])
			}
		}
	}
}

// The identity code may be named only to tell people not to share it (the grant steps say the main user takes it
// from the HR system and must not ask for or type it in Teams).
func TestAdminCardsNeverAskForIdentityCode(t *testing.T) {
	words := []string{"henkilötunnu", "personbeteckning", "identity code", "hetu"}
	negation := map[string][]string{"fi": {"älä"}, "sv": {"inte"}, "en": {"do not"}}
	seen := 0
	for name, c := range adminGoldenCards(t) {
		lang := c.Lang
		for _, s := range strs(decoded(t, c)) {
			low := strings.ToLower(s)
			for _, w := range words {
				if !strings.Contains(low, w) {
					continue
				}
				seen++
				ok := false
				for _, n := range negation[lang] {
					if strings.Contains(low, n) {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s mentions %q without telling people not to share it: %q", name, w, s)
				}
			}
		}
	}
	if seen == 0 {
		t.Error("the grant steps should say where the identity code comes from (and that it is not typed here)")
	}
}

// hasElementID reports whether some element of v has the given id.
func hasElementID(v any, id string) bool {
	for _, n := range nodes(v, "") {
		if n["id"] == id && !strings.HasPrefix(n["type"].(string), "Input.") {
			return true
		}
	}
	return false
}
