package cards

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, empRecommendGolden) }

// empRecommendInput is the payroll clerk's recommendation: the Incomes Register theme is already held, Kela's
// payment data theme is already requested in VB-2026-0038, two Kela themes and the ELY grant theme (not covered by
// the city's valtuutusoikeus) are new.
func empRecommendInput(taskIDs []string) RecommendationInput {
	return RecommendationInput{
		Catalog:           empCat,
		Needs:             needsFor(empCat, taskIDs, empMandates(), []domain.Request{empOpenRequest()}, empNow),
		RoleID:            "palkkasihteeri",
		TaskIDs:           taskIDs,
		DefaultValidUntil: empToday.AddDate(0, 36, 0),
		MinValidUntil:     empToday.AddDate(0, 0, 1),
		MaxValidUntil:     empToday.AddDate(25, 0, 0),
	}
}

func empRecommendGolden() map[string]func(p i18n.Printer) *Card {
	return map[string]func(p i18n.Printer) *Card{
		"recommend": func(p i18n.Printer) *Card { return Recommendation(p, empRecommendInput(empTasks)) },
		"recommend-error": func(p i18n.Printer) *Card {
			in := empRecommendInput(empTasks)
			in.Justification = "Hoidan Kelan työnantajapäivärahat."
			in.Error = empServerError(p, "Päättymispäivän on oltava huomenna tai myöhemmin ja enintään 25 vuoden päästä.",
				"Slutdatumet ska vara i morgon eller senare och högst 25 år framåt.",
				"The end date must be tomorrow or later and at most 25 years ahead.")
			return Recommendation(p, in)
		},
		"recommend-nothing": func(p i18n.Printer) *Card {
			return Recommendation(p, empRecommendInput([]string{"palkkatietojen-ilmoittaminen", "kela-maksutietojen-seuranta"}))
		},
	}
}

func TestNeedsForHeldAndPending(t *testing.T) {
	mandates := empMandates()
	mandates = append(mandates,
		// Ended yesterday: not held.
		domain.Mandate{ID: 20, ThemeID: "kela-tyonantaja-etuuksien-hakeminen", State: domain.MandateActive,
			ValidFrom: empDay(2023, 11, 24), ValidUntil: empDay(2026, 11, 24)},
		// Revoked: not held.
		domain.Mandate{ID: 21, ThemeID: "ely-valtionavustukset-hakeminen", State: domain.MandateRevoked,
			ValidFrom: empDay(2026, 1, 1), ValidUntil: empDay(2027, 12, 31)},
		// Two of the same theme: the later end wins.
		domain.Mandate{ID: 22, ThemeID: "tulorekisteri-palkkatiedot-ilmoittaminen", State: domain.MandateActive,
			ValidFrom: empDay(2026, 1, 1), ValidUntil: empDay(2029, 1, 31)},
	)
	cancelled := empRequest()
	cancelled.ID, cancelled.State = 30, domain.RequestCancelled
	rejectedItem := empOpenRequest()
	rejectedItem.ID = 31
	rejectedItem.State = domain.RequestApproved
	rejectedItem.Items = []domain.RequestItem{{ID: 311, ThemeID: "kela-tyonantaja-etuuspaatokset-tarkastelu",
		State: domain.ItemRejected, Covered: true}}

	needs := needsFor(empCat, empTasks, mandates, []domain.Request{cancelled, rejectedItem, empOpenRequest()}, empNow)
	got := map[string]Need{}
	var order []string
	for _, n := range needs {
		got[n.Theme.ID] = n
		order = append(order, n.Theme.ID)
	}
	want := []string{
		"tulorekisteri-palkkatiedot-ilmoittaminen",
		"kela-tyonantaja-etuuksien-hakeminen",
		"kela-tyonantaja-etuusmaksutiedot-katselu",
		"kela-tyonantaja-etuuspaatokset-tarkastelu",
		"ely-valtionavustukset-hakeminen",
	}
	if !slices.Equal(order, want) {
		t.Fatalf("needs %v, want %v (catalog order)", order, want)
	}
	if h := got["tulorekisteri-palkkatiedot-ilmoittaminen"].Held; h == nil || h.ID != 22 {
		t.Errorf("held = %+v, want the mandate ending latest (22)", h)
	}
	for _, id := range []string{"kela-tyonantaja-etuuksien-hakeminen", "ely-valtionavustukset-hakeminen",
		"kela-tyonantaja-etuuspaatokset-tarkastelu"} {
		if !got[id].Requestable() {
			t.Errorf("%s should be requestable: %+v %q", id, got[id].Held, got[id].PendingReference)
		}
	}
	if ref := got["kela-tyonantaja-etuusmaksutiedot-katselu"].PendingReference; ref != "VB-2026-0038" {
		t.Errorf("pending reference %q, want VB-2026-0038", ref)
	}
	if got["ely-valtionavustukset-hakeminen"].Covered || !got["kela-tyonantaja-etuuksien-hakeminen"].Covered {
		t.Error("coverage must follow the organisation's covered themes")
	}
	for id, n := range got {
		for _, la := range n.LookAlikes {
			if _, onCard := got[la.ID]; onCard {
				t.Errorf("%s warns about %s, which is recommended on the same card", id, la.ID)
			}
		}
	}
	if n := got["kela-tyonantaja-etuuksien-hakeminen"]; len(n.Tasks) != 1 || n.Tasks[0].ID != "kela-paivarahat-kokonaan" {
		t.Errorf("why: %+v", n.Tasks)
	}
}

// empNeedContainers maps each theme's name to its block on the recommendation card.
func empNeedContainers(t *testing.T, p i18n.Printer, c *Card) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, ct := range empNodes(empDecode(t, c), "Container") {
		items, _ := ct["items"].([]any)
		if len(items) == 0 || ct["style"] != "emphasis" {
			continue
		}
		if first, ok := items[0].(map[string]any); ok && first["size"] == "Medium" {
			out[first["text"].(string)] = ct
		}
	}
	return out
}

func TestRecommendationFlagsPerTheme(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		in := empRecommendInput(empTasks)
		c := Recommendation(p, in)
		l := p.Lang
		blocks := empNeedContainers(t, p, c)
		if len(blocks) != 5 {
			t.Fatalf("%d theme blocks, want 5", len(blocks))
		}
		name := func(id string) string { th, _ := empCat.Theme(id); return th.Name.In(p.Lang) }
		text := func(id string) string {
			b, ok := blocks[name(id)]
			if !ok {
				t.Fatalf("no block for %s", id)
			}
			return empText(t, &Card{Type: "AdaptiveCard", Version: "1.5", Body: []Element{empRaw(b)}})
		}
		notCovered := p.Get("recommend.not_covered.title")
		for id, want := range map[string]bool{
			"ely-valtionavustukset-hakeminen":           true,
			"kela-tyonantaja-etuuksien-hakeminen":       false,
			"tulorekisteri-palkkatiedot-ilmoittaminen":  false,
			"kela-tyonantaja-etuuspaatokset-tarkastelu": false,
		} {
			if got := strings.Contains(text(id), notCovered); got != want {
				t.Errorf("%s: DVV flag %v, want %v", id, got, want)
			}
		}
		held := text("tulorekisteri-palkkatiedot-ilmoittaminen")
		if !strings.Contains(held, Date(p.Lang, empDay(2028, 3, 31))) {
			t.Errorf("held theme should say until when: %s", held)
		}
		if !strings.Contains(text("kela-tyonantaja-etuusmaksutiedot-katselu"), "VB-2026-0038") {
			t.Error("pending theme should name the open request")
		}
		// A theme warns, by name and in a warning container, about exactly the look-alikes that are not on the card;
		// Kela's employer themes are recommended together here, so they do not warn about each other.
		for _, n := range in.Needs {
			warned := ""
			for _, ct := range empNodes(blocks[name(n.Theme.ID)], "Container") {
				if ct["style"] == "warning" {
					warned += empText(t, &Card{Type: "AdaptiveCard", Version: "1.5", Body: []Element{empRaw(ct)}})
				}
			}
			if len(n.LookAlikes) == 0 && strings.Contains(warned, p.Get("recommend.lookalike")[:10]) {
				t.Errorf("%s warns about look-alikes that are all on the card", n.Theme.ID)
			}
			for _, la := range n.LookAlikes {
				if n.Requestable() && !strings.Contains(warned, la.Name.In(l)) {
					t.Errorf("%s does not warn about its look-alike %s", n.Theme.ID, la.ID)
				}
			}
		}
		kela, _ := empCat.Theme("kela-tyonantaja-etuuksien-hakeminen")
		if !strings.Contains(text(kela.ID), p.Get("mandatetype."+string(kela.Type))) {
			t.Error("the mandate type is not named")
		}
	})
}

// empRaw wraps decoded JSON so it can be put back into a card for empText.
type empRawElement map[string]any

func (empRawElement) elementType() string { return "raw" }

func empRaw(m map[string]any) Element { return empRawElement(m) }

func TestRecommendationInputsAndSubmit(t *testing.T) {
	p := bundle.Printer(domain.Finnish)
	in := empRecommendInput(empTasks)
	in.Justification = "Hoidan palkat."
	m := empDecode(t, Recommendation(p, in))
	inputs := map[string]map[string]any{}
	for _, i := range empNodes(m, "Input.Text", "Input.Date") {
		inputs[i["id"].(string)] = i
	}
	j := inputs[JustificationInput]
	if j == nil || j["isRequired"] != true || j["isMultiline"] != true || j["maxLength"] != float64(MaxJustification) ||
		j["label"] == nil || j["errorMessage"] == nil || j["value"] != "Hoidan palkat." {
		t.Errorf("justification input: %v", j)
	}
	d := inputs[ValidUntilInput]
	if d == nil || d["isRequired"] != true || d["min"] != "2026-11-26" || d["max"] != "2051-11-25" ||
		d["value"] != "2029-11-25" || d["label"] == nil || d["errorMessage"] == nil {
		t.Errorf("valid-until input: %v", d)
	}
	var submit, change map[string]any
	for _, a := range empNodes(m, "Action.Execute") {
		switch a["verb"] {
		case VerbRequestSubmit:
			submit = a
		case VerbIntakeOpen:
			change = a
		}
	}
	if submit == nil {
		t.Fatal("no submit")
	}
	data := submit["data"].(map[string]any)
	var tasks []string
	for _, x := range data["taskIds"].([]any) {
		tasks = append(tasks, x.(string))
	}
	if data["roleId"] != "palkkasihteeri" || !slices.Equal(tasks, empTasks) {
		t.Errorf("submit data %v", data)
	}
	if data["themeIds"] != nil {
		t.Error("the card must not carry theme ids: the bot recomputes them")
	}
	if change == nil || change["associatedInputs"] != "none" {
		t.Errorf("change-my-answers must skip validation: %v", change)
	}
}

func TestRecommendationWithNothingLeftHasNoSubmit(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		c := Recommendation(p, empRecommendInput([]string{"palkkatietojen-ilmoittaminen", "kela-maksutietojen-seuranta"}))
		verbs := empVerbs(t, c)
		if slices.Contains(verbs, VerbRequestSubmit) || !slices.Contains(verbs, VerbMyMandates) {
			t.Errorf("verbs %v: want my mandates and no submit", verbs)
		}
		if n := len(empNodes(empDecode(t, c), "Input.Text", "Input.Date")); n != 0 {
			t.Errorf("%d inputs on a card with nothing to request", n)
		}
		if !strings.Contains(empText(t, c), p.Get("recommend.nothing_left")) {
			t.Error("the card does not say why there is nothing to send")
		}
	})
	// No themes at all (an empty selection that slipped through) still gives a way back.
	c := Recommendation(bundle.Printer(domain.English), RecommendationInput{Catalog: empCat})
	if !slices.Contains(empVerbs(t, c), VerbIntakeOpen) || slices.Contains(empVerbs(t, c), VerbRequestSubmit) {
		t.Errorf("empty recommendation verbs %v", empVerbs(t, c))
	}
}

// Every theme of the catalog at once, in every language: the card stays under the size limit.
func TestLargestRecommendationFits(t *testing.T) {
	var all []string
	for _, task := range empCat.Tasks {
		all = append(all, task.ID)
	}
	for _, l := range domain.Langs {
		in := empRecommendInput(all)
		in.Needs = needsFor(empCat, all, nil, nil, empNow)
		// The worst typed text for JSON: every character escaped to six bytes.
		in.Justification = strings.Repeat("<", MaxJustification)
		in.Error = strings.Repeat("Tarkista perustelu. ", 10)
		c := Recommendation(bundle.Printer(l), in)
		raw, err := c.JSON()
		if err != nil {
			t.Fatalf("%s with %d themes: %v", l, len(in.Needs), err)
		}
		if len(in.Needs) < 10 {
			t.Fatalf("only %d themes: the test needs at least 10", len(in.Needs))
		}
		// Every theme is still there, with its DVV flag where it needs one, and the form is intact.
		p := bundle.Printer(l)
		if got := len(empNeedContainers(t, p, c)); got != len(in.Needs) {
			t.Errorf("%s: %d theme blocks, want %d", l, got, len(in.Needs))
		}
		uncovered := 0
		for _, n := range in.Needs {
			if !n.Covered {
				uncovered++
			}
		}
		if got := strings.Count(empText(t, c), p.Get("recommend.not_covered.title")); got != uncovered {
			t.Errorf("%s: %d DVV flags, want %d", l, got, uncovered)
		}
		if !slices.Contains(empVerbs(t, c), VerbRequestSubmit) {
			t.Errorf("%s: the submit is gone", l)
		}
		t.Logf("%s: %d themes, %d bytes", l, len(in.Needs), len(raw))
	}
}

// A realistic recommendation (about ten themes) keeps every explanation; only an outsized one is shortened.
func TestRealisticRecommendationIsNotShortened(t *testing.T) {
	var ids []string
	for _, task := range empCat.Tasks[:11] {
		ids = append(ids, task.ID)
	}
	in := empRecommendInput(ids)
	in.Needs = needsFor(empCat, ids, nil, nil, empNow)
	if len(in.Needs) < 10 {
		t.Fatalf("only %d themes", len(in.Needs))
	}
	for _, l := range domain.Langs {
		p := bundle.Printer(l)
		text := empText(t, Recommendation(p, in))
		if strings.Contains(text, p.Get("recommend.compact")) {
			t.Errorf("%s: %d themes were shortened", l, len(in.Needs))
		}
		for _, n := range in.Needs {
			if w := n.Theme.LookAlikeWarning.In(l); w != "" && len(n.LookAlikes) > 0 && !strings.Contains(text, w) {
				t.Errorf("%s: %s lost its look-alike explanation", l, n.Theme.ID)
			}
		}
	}
}

// needsFor works out the needs of the selected tasks: the themes they imply (catalog order), with the employee's
// mandates that are active and not ended on today (the organisation's civil date; only its year, month and day
// count), and their open requests that already ask for a theme. It mirrors workflow.Recommend for
// building test fixtures; the bot uses the workflow's own.
func needsFor(c *catalog.Catalog, taskIDs []string, mandates []domain.Mandate, requests []domain.Request, today time.Time) []Need {
	today = domain.Civil(today)
	var out []Need
	for _, tn := range c.ThemesFor(taskIDs) {
		var lookAlikes []domain.Theme
		for _, la := range c.LookAlikes(tn.Theme.ID) {
			if !slices.Contains(taskThemes(c, taskIDs), la.ID) {
				lookAlikes = append(lookAlikes, la)
			}
		}
		n := Need{Theme: tn.Theme, Tasks: tn.Tasks, Covered: tn.Covered, LookAlikes: lookAlikes}
		for i := range mandates {
			m := mandates[i]
			if m.ThemeID != tn.Theme.ID || m.State != domain.MandateActive || m.ValidUntil.Before(today) {
				continue
			}
			if n.Held == nil || m.ValidUntil.After(n.Held.ValidUntil) {
				n.Held = &m
			}
		}
		for _, r := range requests {
			if n.PendingReference != "" || !r.State.Open() {
				continue
			}
			for _, it := range r.Items {
				if it.ThemeID == tn.Theme.ID && (it.State == domain.ItemPending || it.State == domain.ItemApproved) {
					n.PendingReference = r.Reference()
					break
				}
			}
		}
		out = append(out, n)
	}
	return out
}

func taskThemes(c *catalog.Catalog, taskIDs []string) []string {
	var ids []string
	for _, tn := range c.ThemesFor(taskIDs) {
		ids = append(ids, tn.Theme.ID)
	}
	return ids
}

// The latest end date says why it is what it is, and the card says what differs for people without Finnish bank
// codes and for fixed-term workers.
func TestRecommendationExplainsTheValidityCap(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		in := empRecommendInput(empTasks)
		plain := empText(t, Recommendation(p, in))
		for _, key := range []string{"recommend.know.foreign", "recommend.know.fixed_term"} {
			if !strings.Contains(plain, p.Get(key)) {
				t.Errorf("card lacks %s", key)
			}
		}
		if strings.Contains(plain, p.Format("recommend.cap.contract_end", "date", Date(p.Lang, in.MaxValidUntil))) {
			t.Error("a cap reason without a cap")
		}
		in.MaxValidUntil, in.CappedBy = empDay(2027, 8, 31), domain.CapContractEnd
		if text := empText(t, Recommendation(p, in)); !strings.Contains(text, p.Format("recommend.cap.contract_end", "date", Date(p.Lang, in.MaxValidUntil))) {
			t.Errorf("the contract end is not given as the reason: %s", text)
		}
		th, _ := empCat.Theme("tulorekisteri-palkkatiedot-ilmoittaminen")
		in.CappedBy, in.CapTheme = domain.CapThemePolicy, th
		want := p.Format("recommend.cap.theme_policy", "date", Date(p.Lang, in.MaxValidUntil), "theme", th.Name.In(p.Lang), "months", strconv.Itoa(th.MaxValidityMonths))
		if text := empText(t, Recommendation(p, in)); !strings.Contains(text, want) {
			t.Errorf("the theme's policy is not given as the reason")
		}
	})
}
