package cards

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, grantGolden) }

func grantGolden() map[string]func(p i18n.Printer) *Card {
	cat := defaultCatalog()
	task := func(r domain.Request) func(p i18n.Printer) *Card {
		return func(p i18n.Printer) *Card {
			return GrantTask(p, GrantTaskInput{Catalog: cat, Request: r, OrgName: porvoo, BusinessID: "1061512-1",
				Today: adminToday, People: adminPeople})
		}
	}
	// The approver approved the ELY theme too: the main user must see that it needs a DVV application first.
	withUncovered := partlyGranted(cat)
	withUncovered.Items[2].State = domain.ItemApproved
	withUncovered.DecisionReason = ""
	return map[string]func(p i18n.Printer) *Card{
		"grant-task":    task(partlyApproved(cat)),
		"grant-partial": task(withUncovered),
		"grant-final":   task(completedRequest(cat)),
		"grant-direct": func(p i18n.Printer) *Card {
			r := partlyApproved(cat)
			r.GrantPath = domain.PathDirect
			return GrantTask(p, GrantTaskInput{Catalog: cat, Request: r, OrgName: porvoo, BusinessID: "1061512-1",
				Today: adminToday, People: adminPeople})
		},
		"grant-self": func(p i18n.Printer) *Card {
			return GrantTask(p, GrantTaskInput{Catalog: cat, Request: partlyApproved(cat), OrgName: porvoo, BusinessID: "1061512-1",
				Today: adminToday, People: adminPeople, SelfGrant: true})
		},
		// A main user who has recorded grants before: the steps are folded behind "show the steps".
		"grant-task-folded": func(p i18n.Printer) *Card {
			in := grantInput(filedRequest(cat))
			in.StepsFolded = true
			return GrantTask(p, in)
		},
		"grant-direct-folded": func(p i18n.Printer) *Card {
			r := partlyApproved(cat)
			r.GrantPath = domain.PathDirect
			in := grantInput(r)
			in.StepsFolded = true
			return GrantTask(p, in)
		},
	}
}

// filedRequest is partlyApproved on the valtuuspyyntö path, with the employee's word that they sent the request.
func filedRequest(cat *catalog.Catalog) domain.Request {
	r := partlyApproved(cat)
	r.GrantPath = domain.PathRequest
	for i := range r.Items {
		if r.Items[i].State == domain.ItemApproved {
			r.Items[i].FiledAt = adminNow
		}
	}
	return r
}

func grantInput(r domain.Request) GrantTaskInput {
	return GrantTaskInput{Catalog: defaultCatalog(), Request: r, OrgName: porvoo, BusinessID: "1061512-1", Today: adminToday, People: adminPeople}
}

func TestGrantTaskTogglesOnlyForApprovedItems(t *testing.T) {
	cat := mustCatalog(t)
	r := partlyGranted(cat) // 101 granted, 102 approved, 103 rejected
	r.Items[2].State = domain.ItemApproved
	m := decoded(t, GrantTask(bundle.Printer(domain.Finnish), grantInput(r)))
	var ids []string
	values := map[string]any{}
	for _, tg := range nodes(m, "Input.Toggle") {
		ids = append(ids, tg["id"].(string))
		values[tg["id"].(string)] = tg["value"]
	}
	if want := []string{"item_102"}; !slices.Equal(ids, want) {
		t.Errorf("toggles %v, want %v (only items approved and grantable)", ids, want)
	}
	if values["item_102"] != "true" {
		t.Errorf("a covered approved item is pre-selected, got %v", values["item_102"])
	}
	// The theme outside the valtuutusoikeus waits for the right, with the day DVV registered it to record.
	if ids := inputIDs(m); !slices.Contains(ids, RightDateInputPrefix+r.Items[2].ThemeID) {
		t.Errorf("no input to record the right for the waiting theme: %v", ids)
	}
	// The granted item shows its outcome instead.
	all := strings.Join(strs(m), "\n")
	for _, want := range []string{"Jo käsitellyt", "Myönnetty", "Voimassa 25.11.2026–30.11.2028", "Käsittelijä: Mikael Nordström"} {
		if !strings.Contains(all, want) {
			t.Errorf("card lacks %q", want)
		}
	}

	acts := nodes(m["actions"], "Action.Execute")
	if len(acts) != 2 || acts[0]["verb"] != VerbGrantDone || acts[0]["style"] != "positive" || acts[1]["verb"] != VerbGrantFailed {
		t.Fatalf("actions %v", acts)
	}
	for _, a := range acts {
		if a["data"].(map[string]any)["requestId"] != float64(42) {
			t.Errorf("action data %v", a["data"])
		}
	}
}

func TestGrantTaskInputsValidateOnTheClient(t *testing.T) {
	cat := mustCatalog(t)
	m := decoded(t, GrantTask(bundle.Printer(domain.English), grantInput(partlyApproved(cat))))
	dates := map[string]map[string]any{}
	for _, d := range nodes(m, "Input.Date") {
		dates[d["id"].(string)] = d
	}
	from, until := dates[ValidFromInput], dates[ValidUntilInput]
	if from == nil || until == nil {
		t.Fatalf("date inputs %v", dates)
	}
	for d, min := range map[*map[string]any]string{&from: "2026-10-26", &until: "2026-11-25"} {
		if (*d)["isRequired"] != true || (*d)["errorMessage"] == nil || (*d)["label"] == nil || (*d)["min"] != min || (*d)["max"] != "2051-11-25" {
			t.Errorf("date input %v: want required, labelled, min %s (a start may be recorded up to 30 days late), max today+25y", *d, min)
		}
	}
	if from["value"] != "2026-11-25" || until["value"] != "2028-11-30" {
		t.Errorf("defaults from %v until %v", from["value"], until["value"])
	}
	reason := nodes(m, "Input.Text")
	if len(reason) != 1 || reason[0]["id"] != ReasonInput || reason[0]["maxLength"] != float64(MaxReason) {
		t.Errorf("reason input %v", reason)
	}
}

func TestGrantDatesKeepWithinSuomiFiLimits(t *testing.T) {
	today := adminToday
	cases := []struct {
		name      string
		requested time.Time
		want      string
	}{
		{"requested", time.Date(2028, 11, 30, 0, 0, 0, 0, time.UTC), "2028-11-30"},
		{"already past: the main user must choose", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), ""},
		{"none", time.Time{}, ""},
		{"beyond 25 years: clamped", time.Date(2060, 1, 1, 0, 0, 0, 0, time.UTC), "2051-11-25"},
	}
	for _, tc := range cases {
		f, u, m := domain.GrantDefaults(domain.DateOf(today), domain.DateOf(tc.requested))
		from, until, maxDate := f.Time(), u.Time(), m.Time()
		if InputDate(from) != "2026-11-25" || InputDate(until) != tc.want || InputDate(maxDate) != "2051-11-25" {
			t.Errorf("%s: from %s until %q max %s", tc.name, InputDate(from), InputDate(until), InputDate(maxDate))
		}
	}
}

func TestGrantTaskFinalHasNothingToPress(t *testing.T) {
	cat := mustCatalog(t)
	for _, l := range domain.Langs {
		c := GrantTask(bundle.Printer(l), grantInput(completedRequest(cat)))
		m := decoded(t, c)
		if a := nodes(m, "Action."); len(a) != 0 {
			t.Errorf("%s: final grant card has actions %v", l, a)
		}
		if ids := inputIDs(m); len(ids) != 0 {
			t.Errorf("%s: final grant card has inputs %v", l, ids)
		}
		all := strings.Join(strs(m), "\n")
		if !strings.Contains(all, "Kelan työnantajapalvelu vaatii tarkenteen") {
			t.Errorf("%s: the not-granted reason is missing", l)
		}
	}
}

func TestGrantTaskStepsAreExactAndNeverAskForTheIdentityCode(t *testing.T) {
	cat := mustCatalog(t)
	hr := map[domain.Lang]string{domain.Finnish: "henkilöstöpalveluilta", domain.Swedish: "personaltjänsterna", domain.English: "HR services"}
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		r := partlyApproved(cat)
		r.GrantPath = domain.PathDirect
		m := decoded(t, GrantTask(p, grantInput(r)))
		var steps []string
		for _, tb := range nodes(m, "TextBlock") {
			s := tb["text"].(string)
			if len(s) > 3 && s[0] >= '1' && s[0] <= '9' && s[1] == '.' && s[2] == ' ' {
				steps = append(steps, s)
			}
		}
		if len(steps) != 8 {
			t.Fatalf("%d numbered steps, want 8: %q", len(steps), steps)
		}
		for i, s := range steps {
			if !strings.HasPrefix(s, string(rune('1'+i))+". ") {
				t.Errorf("step %d is numbered %q", i+1, s[:3])
			}
		}
		if !strings.Contains(steps[1], "1061512-1") || !strings.Contains(steps[1], porvoo.In(p.Lang)) {
			t.Errorf("step 2 must name the organisation and its business ID: %q", steps[1])
		}
		if !strings.Contains(steps[3], "Anna Virtanen") || !strings.Contains(steps[3], hr[p.Lang]) {
			t.Errorf("step 4 must name the person and say where the identity code comes from (the organisation's policy): %q", steps[3])
		}
		if !strings.Contains(steps[5], Date(p.Lang, adminToday)) || !strings.Contains(steps[5], Date(p.Lang, time.Date(2028, 11, 30, 0, 0, 0, 0, time.UTC))) {
			t.Errorf("step 6 must give the validity: %q", steps[5])
		}
		all := strings.Join(strs(m), "\n")
		for _, want := range []string{"Palkkatietojen ilmoittaminen", SuomiFiMandatesURL, p.Get("admin.grant.path.direct"), "anna.virtanen@porvoo.fi"} {
			if p.Lang != domain.Finnish && want == "Palkkatietojen ilmoittaminen" {
				want = map[domain.Lang]string{domain.Swedish: "Anmälan om löneuppgifter", domain.English: "Reporting earnings payment data"}[p.Lang]
			}
			if !strings.Contains(all, want) {
				t.Errorf("card lacks %q", want)
			}
		}
		// The rejected ELY theme is not a task for the main user.
		if strings.Contains(all, "ELY") {
			t.Error("a rejected theme shows on the grant task")
		}
	})
}

func TestGrantTaskShowsTheThemeWaitingForTheRight(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.Swedish)
	r := partlyApproved(cat)
	r.Items[2].State = domain.ItemApproved
	m := decoded(t, GrantTask(p, grantInput(r)))
	waiting := 0
	for _, c := range nodes(m, "Container") {
		text := strings.Join(strs(c), "\n")
		if c["style"] == "attention" && strings.Contains(text, p.Get("admin.grant.waiting.heading")) {
			waiting++
			if !strings.Contains(text, "Ansöka om statsunderstöd för sysselsättning, miljö, företag och transport") {
				t.Error("the waiting section does not name the ELY theme")
			}
			if acts := nodes(c, "Action.Execute"); len(acts) != 1 || acts[0]["verb"] != VerbRightRecorded {
				t.Errorf("the waiting section's actions %v", acts)
			}
		}
	}
	if waiting != 1 {
		t.Errorf("%d waiting sections, want 1", waiting)
	}
}

// On the valtuuspyyntö path nobody is told about a henkilötunnus: the main user accepts the employee's request.
func TestValtuuspyyntoPathNeverMentionsTheIdentityCode(t *testing.T) {
	cat := mustCatalog(t)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		r := partlyApproved(cat)
		r.GrantPath = domain.PathRequest
		filed := r
		filed.Items = slices.Clone(r.Items)
		filed.Items[0].FiledAt = adminToday
		cards := []*Card{GrantTask(p, grantInput(r)), GrantTask(p, grantInput(filed)),
			RequestSteps(p, StepsInput{Catalog: cat, Request: r}), RequestSteps(p, StepsInput{Catalog: cat, Request: filed}),
			DecisionNotice(p, NoticeInput{Catalog: cat, Request: r})}
		for i, c := range cards {
			all := strings.ToLower(strings.Join(strs(decoded(t, c)), "\n"))
			for _, word := range []string{"henkilötunnus", "personbeteckning", "identity code"} {
				if strings.Contains(all, word) {
					t.Errorf("card %d mentions %q", i, word)
				}
			}
		}
	})
}

// numberedSteps are the texts of the numbered steps ("1. …") in v, in order.
func numberedSteps(v any) []string {
	var steps []string
	for _, tb := range nodes(v, "TextBlock") {
		s := tb["text"].(string)
		if len(s) > 3 && s[0] >= '1' && s[0] <= '9' && s[1] == '.' && s[2] == ' ' {
			steps = append(steps, s)
		}
	}
	return steps
}

// hiddenContainers are the containers of v that start hidden (isVisible false).
func hiddenContainers(v any) []map[string]any {
	var out []map[string]any
	for _, c := range nodes(v, "Container") {
		if vis, ok := c["isVisible"]; ok && vis == false {
			out = append(out, c)
		}
	}
	return out
}

// The Suomi.fi steps are open the first time a main user grants; once they have recorded a grant, the same steps
// are folded behind one "show the steps" toggle, on both paths, while the heading, the Suomi.fi button and every
// input stay in view.
func TestGrantTaskStepsFoldAfterTheFirstGrant(t *testing.T) {
	cat := mustCatalog(t)
	direct := partlyApproved(cat)
	direct.GrantPath = domain.PathDirect
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		for name, r := range map[string]domain.Request{"valtuuspyyntö": filedRequest(cat), "direct": direct} {
			in := grantInput(r)
			open := decoded(t, GrantTask(p, in))
			in.StepsFolded = true
			folded := decoded(t, GrantTask(p, in))

			if n := nodes(open, "Action.ToggleVisibility"); len(n) != 0 || len(hiddenContainers(open)) != 0 {
				t.Errorf("%s: the first time the steps must be open, with no toggle: %v", name, n)
			}
			steps := numberedSteps(open)
			if len(steps) < 5 {
				t.Fatalf("%s: open card has %d steps", name, len(steps))
			}
			hidden := hiddenContainers(folded)
			if len(hidden) != 1 || hidden[0]["id"] != StepsElementID {
				t.Fatalf("%s: want one hidden container %q, got %v", name, StepsElementID, hidden)
			}
			if got := numberedSteps(hidden[0]); !slices.Equal(got, steps) {
				t.Errorf("%s: the folded steps differ from the open ones:\n got %q\nwant %q", name, got, steps)
			}
			if got := numberedSteps(folded); len(got) != len(steps) {
				t.Errorf("%s: steps outside the folded container: %q", name, got)
			}
			toggles := nodes(folded, "Action.ToggleVisibility")
			if len(toggles) != 1 || toggles[0]["title"] != p.Get("admin.grant.steps.show") ||
				!slices.Equal(strs(toggles[0]["targetElements"]), []string{StepsElementID}) {
				t.Errorf("%s: toggle %v", name, toggles)
			}
			// Nothing but the steps is hidden: the heading, the inputs and the buttons stay in view.
			inHidden := strings.Join(strs(hidden[0]), "\n")
			for _, want := range []string{p.Get("admin.grant.steps.heading"), p.Get("admin.grant.accept.heading"), p.Get("admin.grant.open_suomifi")} {
				if strings.Contains(inHidden, want) {
					t.Errorf("%s: %q is hidden with the steps", name, want)
				}
			}
			if ids := inputIDs(hidden[0]); len(ids) != 0 || !slices.Equal(inputIDs(folded), inputIDs(open)) {
				t.Errorf("%s: folding changed the inputs: hidden %v, folded %v, open %v", name, ids, inputIDs(folded), inputIDs(open))
			}
			if name == "direct" && len(nodes(folded, "Action.OpenUrl")) != 1 {
				t.Errorf("direct: the Suomi.fi button is gone when folded")
			}
		}
	})
}
