package cards

import (
	"slices"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, empNoticesGolden) }

// empGrantedTwo is the request after both approved Kela themes were granted (the decisions theme was approved too).
func empGrantedTwo() domain.Request {
	r := empAllApproved()
	r.State = domain.RequestCompleted
	for i := range 2 {
		r.Items[i].State = domain.ItemGranted
		r.Items[i].GrantedFrom = empDay(2026, 11, 27)
		r.Items[i].GrantedUntil = empDay(2029, 11, 30)
	}
	r.Items[2].State = domain.ItemNotGranted
	r.Items[2].NotGrantedReason = "Kaupungin valtuutusoikeus ei kata tätä valtuusasiaa. Hakemus DVV:lle on tehty 26.11.2026."
	return r
}

func empNoticesGolden() map[string]func(p i18n.Printer) *Card {
	return map[string]func(p i18n.Printer) *Card{
		"steps": func(p i18n.Printer) *Card {
			return RequestSteps(p, StepsInput{Catalog: empCat, Request: empDecided(), OrgName: porvoo, BusinessID: "1061512-1"})
		},
		"decision-approved": func(p i18n.Printer) *Card {
			return DecisionNotice(p, NoticeInput{Catalog: empCat, Request: empAllApproved()})
		},
		"decision-partly": func(p i18n.Printer) *Card {
			return DecisionNotice(p, NoticeInput{Catalog: empCat, Request: empDecided()})
		},
		"decision-rejected": func(p i18n.Printer) *Card {
			return DecisionNotice(p, NoticeInput{Catalog: empCat, Request: empAllRejected()})
		},
		"granted": func(p i18n.Printer) *Card {
			return GrantedNotice(p, NoticeInput{Catalog: empCat, Request: empGrantedTwo(), ItemIDs: []int64{421, 422}})
		},
		"notgranted": func(p i18n.Printer) *Card {
			return NotGrantedNotice(p, NoticeInput{Catalog: empCat, Request: empGrantedTwo(), ItemIDs: []int64{423}})
		},
	}
}

func TestRequestStepsFollowSuomiFi(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		c := RequestSteps(p, StepsInput{Catalog: empCat, Request: empDecided(), OrgName: porvoo, BusinessID: "1061512-1"})
		text := empText(t, c)
		for _, want := range []string{"1061512-1", porvoo.In(p.Lang), Date(p.Lang, empDay(2029, 11, 30)),
			p.Format("steps.filed.hint", "button", p.Get("steps.filed.button"))} {
			if !strings.Contains(text, want) {
				t.Errorf("steps lack %q", want)
			}
		}
		name := func(id string) string { th, _ := empCat.Theme(id); return th.Name.In(p.Lang) }
		if !strings.Contains(text, name("kela-tyonantaja-etuuksien-hakeminen")) {
			t.Error("the approved theme is not named")
		}
		if strings.Contains(text, name("kela-tyonantaja-etuuspaatokset-tarkastelu")) {
			t.Error("the rejected theme must not be in the steps")
		}
		// The ELY theme is approved but not covered: it is listed apart, not among the themes to request.
		var steps, waiting string
		for _, ct := range empNodes(empDecode(t, c), "Container") {
			s := empText(t, &Card{Type: "AdaptiveCard", Version: "1.5", Body: []Element{empRaw(ct)}})
			switch ct["style"] {
			case "emphasis":
				steps = s
			case "warning":
				waiting = s
			}
		}
		if strings.Contains(steps, name("ely-valtionavustukset-hakeminen")) || !strings.Contains(waiting, name("ely-valtionavustukset-hakeminen")) {
			t.Errorf("uncovered theme placement: steps %q waiting %q", steps, waiting)
		}
		if p.Lang != domain.Finnish && !strings.Contains(text, "Palvelussuhteeseen liittyvien etuuksien hakeminen") {
			t.Error("the Finnish theme name helps the search in Suomi.fi and is missing")
		}
		var urls []string
		for _, a := range empNodes(empDecode(t, c), "Action.OpenUrl") {
			urls = append(urls, a["url"].(string))
		}
		if len(urls) != 1 || !strings.HasPrefix(urls[0], "https://www.suomi.fi/") {
			t.Errorf("open Suomi.fi link: %v", urls)
		}
	})
	// Organisation details fall back to the catalog.
	c := RequestSteps(bundle.Printer(domain.Finnish), StepsInput{Catalog: empCat, Request: empDecided()})
	if !strings.Contains(empText(t, c), empCat.Org.BusinessID) {
		t.Error("business ID does not fall back to the catalog")
	}
	// Nothing approved: no steps at all.
	c = RequestSteps(bundle.Printer(domain.Finnish), StepsInput{Catalog: empCat, Request: empAllRejected()})
	if strings.Contains(empText(t, c), "Pyydä valtuutta") {
		t.Error("steps shown for a rejected request")
	}
}

func TestDecisionNoticeOutcomes(t *testing.T) {
	p := bundle.Printer(domain.English)
	for _, tc := range []struct {
		name    string
		r       domain.Request
		outcome string
		intake  bool
	}{
		{"approved", empAllApproved(), "approved", false},
		{"partly", empDecided(), "partly", true},
		{"rejected", empAllRejected(), "rejected", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DecisionNotice(p, NoticeInput{Catalog: empCat, Request: tc.r})
			text := empText(t, c)
			if want := p.Format("decisionnotice.title."+tc.outcome, "ref", "VB-2026-0042"); !strings.Contains(text, want) {
				t.Errorf("title %q missing", want)
			}
			if tc.r.DecisionReason != "" && !strings.Contains(text, tc.r.DecisionReason) {
				t.Error("the approver's reason is missing")
			}
			if got := slices.Contains(empVerbs(t, c), VerbIntakeOpen); got != tc.intake {
				t.Errorf("intake action %v, want %v", got, tc.intake)
			}
			if got := strings.Contains(text, p.Get("decisionnotice.next.request")); got == (tc.outcome == "rejected") {
				t.Errorf("next steps for approval shown=%v on a %s decision", got, tc.outcome)
			}
			rows := strings.Count(text, p.Get("emp.item.approved")) + strings.Count(text, p.Get("emp.item.rejected"))
			if rows < len(tc.r.Items) {
				t.Errorf("%d item states shown, want %d", rows, len(tc.r.Items))
			}
		})
	}
	// ItemIDs narrow the notice.
	c := DecisionNotice(p, NoticeInput{Catalog: empCat, Request: empDecided(), ItemIDs: []int64{421}})
	if text := empText(t, c); strings.Contains(text, "Viewing decisions on employment-related benefits") ||
		!strings.Contains(text, p.Format("decisionnotice.title.approved", "ref", "VB-2026-0042")) {
		t.Errorf("a notice about item 421 only: %s", text)
	}
}

func TestGrantedNoticeShowsDatesAndNoAcceptance(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		c := GrantedNotice(p, NoticeInput{Catalog: empCat, Request: empGrantedTwo()})
		text := empText(t, c)
		want := p.Format("emp.valid_range", "from", Date(p.Lang, empDay(2026, 11, 27)), "until", Date(p.Lang, empDay(2029, 11, 30)))
		if strings.Count(text, want) != 2 {
			t.Errorf("want two themes in force %q: %s", want, text)
		}
		if !strings.Contains(text, p.Get("grantednotice.no_accept")) {
			t.Error("the card must say the mandate needs no acceptance")
		}
		if strings.Contains(text, "Työllisyyden") || strings.Contains(text, "employment, environment") {
			t.Error("a not-granted theme appears in the granted notice")
		}
	})
	p := bundle.Printer(domain.English)
	one := GrantedNotice(p, NoticeInput{Catalog: empCat, Request: empGrantedTwo(), ItemIDs: []int64{422}})
	if text := empText(t, one); !strings.Contains(text, p.Get("grantednotice.title.one")) ||
		strings.Contains(text, "Applying for employment-related benefits") {
		t.Errorf("a notice about item 422 only: %s", text)
	}
}

func TestNotGrantedNoticeShowsReasonAndWhomToAsk(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		r := empGrantedTwo()
		c := NotGrantedNotice(p, NoticeInput{Catalog: empCat, Request: r})
		text := empText(t, c)
		for _, want := range []string{r.Items[2].NotGrantedReason, p.Get("notgrantednotice.next"), "VB-2026-0042"} {
			if !strings.Contains(text, want) {
				t.Errorf("missing %q", want)
			}
		}
		th, _ := empCat.Theme("kela-tyonantaja-etuuksien-hakeminen")
		if strings.Contains(text, th.Name.In(p.Lang)) {
			t.Error("a granted theme appears in the not-granted notice")
		}
	})
}
