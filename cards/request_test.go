package cards

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Fixtures of the employee-side cards: Elina Virtanen, a payroll clerk in Porvoo's finance and HR services, on
// 25 November 2026. Helpers here carry an "emp" prefix because other features' tests share the package.

var (
	empNow   = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	empToday = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	empCat   = empMustCatalog()
)

func empMustCatalog() *catalog.Catalog {
	c, err := catalog.Default()
	if err != nil {
		panic(err)
	}
	return c
}

// empLiveLink matches a markdown link whose closing bracket is not escaped.
var empLiveLink = regexp.MustCompile(`(^|[^\\])\]\(https?://`)

func empDay(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// The payroll clerk's tasks: the role's two tasks plus an employment-policy grant, whose ELY theme the city's
// valtuutusoikeus does not cover.
var empTasks = []string{"palkkatietojen-ilmoittaminen", "kela-paivarahat-kokonaan", "tyollisyyspoliittinen-avustus"}

// empMandates are what Elina already holds: the Incomes Register reporting theme, a browsing theme that ends in 12
// days, a Tax theme that ended in October, one revoked long ago, and a Statistics Finland theme that starts next week.
func empMandates() []domain.Mandate {
	return []domain.Mandate{
		{ID: 7, HolderName: "Elina Virtanen", ThemeID: "tulorekisteri-palkkatiedot-ilmoittaminen",
			ValidFrom: empDay(2025, 4, 1), ValidUntil: empDay(2028, 3, 31), State: domain.MandateActive},
		{ID: 8, HolderName: "Elina Virtanen", ThemeID: "tulorekisteri-palkkatiedot-katselu",
			ValidFrom: empDay(2024, 1, 8), ValidUntil: empDay(2026, 12, 7), State: domain.MandateActive},
		{ID: 9, HolderName: "Elina Virtanen", ThemeID: "vero-veroilmoittaminen",
			ValidFrom: empDay(2024, 10, 1), ValidUntil: empDay(2026, 10, 31), State: domain.MandateActive},
		{ID: 10, HolderName: "Elina Virtanen", ThemeID: "vero-veroasiat",
			ValidFrom: empDay(2023, 1, 2), ValidUntil: empDay(2025, 12, 31), State: domain.MandateRevoked,
			UpdatedAt: time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)},
		{ID: 11, HolderName: "Elina Virtanen", ThemeID: "tilastokeskus-tiedonkeruut",
			ValidFrom: empDay(2026, 12, 1), ValidUntil: empDay(2029, 11, 30), State: domain.MandateActive},
	}
}

// empOpenRequest is an earlier request, VB-2026-0038, still waiting for the approver: it asks for Kela's payment
// data theme.
func empOpenRequest() domain.Request {
	return domain.Request{
		ID: 38, RequesterName: "Elina Virtanen", State: domain.RequestPending,
		ApproverName: "Pekka Lindholm", ApproverBasis: domain.ApproverManager,
		CreatedAt: time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC), ValidUntil: empDay(2029, 11, 30),
		Items: []domain.RequestItem{
			{ID: 381, ThemeID: "kela-tyonantaja-etuusmaksutiedot-katselu", Covered: true, State: domain.ItemPending},
		},
	}
}

// empRequest is request VB-2026-0042 as it stands right after it was sent.
func empRequest() domain.Request {
	return domain.Request{
		ID:                  42,
		RequesterID:         "7c1e4a52-0000-4000-8000-000000000001",
		RequesterName:       "Elina Virtanen",
		RequesterDepartment: "Talous- ja henkilöstöpalvelut",
		RequesterJobTitle:   "Palkkasihteeri",
		ApproverID:          "7c1e4a52-0000-4000-8000-000000000002",
		ApproverName:        "Pekka Lindholm",
		ApproverBasis:       domain.ApproverManager,
		State:               domain.RequestPending,
		Justification:       "Hoidan palkanlaskennan ja Kelan työnantajapäivärahat, ja haen työllisyyspoliittista avustusta palkkatukihankkeisiin.",
		RoleID:              "palkkasihteeri",
		TaskIDs:             empTasks,
		ValidUntil:          empDay(2029, 11, 30),
		CreatedAt:           time.Date(2026, 11, 25, 9, 12, 0, 0, time.UTC),
		Items: []domain.RequestItem{
			{ID: 421, ThemeID: "kela-tyonantaja-etuuksien-hakeminen", Covered: true, State: domain.ItemPending,
				TaskIDs: []string{"kela-paivarahat-kokonaan"}},
			{ID: 422, ThemeID: "kela-tyonantaja-etuuspaatokset-tarkastelu", Covered: true, State: domain.ItemPending,
				TaskIDs: []string{"kela-paivarahat-kokonaan"}},
			{ID: 423, ThemeID: "ely-valtionavustukset-hakeminen", Covered: false, State: domain.ItemPending,
				TaskIDs: []string{"tyollisyyspoliittinen-avustus"}},
		},
	}
}

// empDecided is the request after the approver approved the Kela themes and rejected the decisions theme.
func empDecided() domain.Request {
	r := empRequest()
	r.State = domain.RequestApproved
	r.DecidedBy = r.ApproverID
	r.DecidedAt = time.Date(2026, 11, 26, 14, 5, 0, 0, time.UTC)
	r.DecisionReason = "Päätöstietoja katselee tiimissämme vain palkkahallinnon esihenkilö."
	r.Items[0].State = domain.ItemApproved
	r.Items[1].State = domain.ItemRejected
	r.Items[2].State = domain.ItemApproved
	return r
}

func empAllApproved() domain.Request {
	r := empDecided()
	r.DecisionReason = ""
	r.Items[1].State = domain.ItemApproved
	return r
}

func empAllRejected() domain.Request {
	r := empDecided()
	r.State = domain.RequestRejected
	r.DecisionReason = "Tehtäväsi eivät vaadi näitä valtuuksia: Kela-asiat hoitaa palkkahallinnon esihenkilö."
	for i := range r.Items {
		r.Items[i].State = domain.ItemRejected
	}
	return r
}

// empCompleted is the decided request after the main user granted the Kela theme and could not grant the ELY one.
func empCompleted() domain.Request {
	r := empDecided()
	r.State = domain.RequestCompleted
	r.Items[0].State = domain.ItemGranted
	r.Items[0].GrantedFrom = empDay(2026, 11, 27)
	r.Items[0].GrantedUntil = empDay(2029, 11, 30)
	r.Items[0].MandateID = 12
	r.Items[2].State = domain.ItemNotGranted
	r.Items[2].NotGrantedReason = "Kaupungin valtuutusoikeus ei kata tätä valtuusasiaa. Hakemus DVV:lle on tehty 26.11.2026."
	return r
}

func init() { goldenSets = append(goldenSets, empRequestGolden) }

func empRequestGolden() map[string]func(p i18n.Printer) *Card {
	return map[string]func(p i18n.Printer) *Card{
		"request-pending": func(p i18n.Printer) *Card {
			return RequestStatus(p, RequestStatusInput{Catalog: empCat, Request: empRequest(), Now: empNow})
		},
		"request-partly": func(p i18n.Printer) *Card {
			return RequestStatus(p, RequestStatusInput{Catalog: empCat, Request: empDecided(), Now: empNow.AddDate(0, 0, 1)})
		},
		"request-completed": func(p i18n.Printer) *Card {
			r := empCompleted()
			r.ApproverName, r.ApproverBasis = "Helena Åberg", domain.ApproverDepartmentHead
			return RequestStatus(p, RequestStatusInput{Catalog: empCat, Request: r, Now: empNow.AddDate(0, 0, 3)})
		},
	}
}

// empDecode turns a card into generic JSON for the behavioural tests.
func empDecode(t *testing.T, c *Card) map[string]any {
	t.Helper()
	raw, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// empNodes returns every object in v whose "type" is one of types, in document order.
func empNodes(v any, types ...string) []map[string]any {
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ty, ok := x["type"].(string); ok {
				for _, want := range types {
					if ty == want {
						out = append(out, x)
					}
				}
			}
			for _, k := range []string{"body", "items", "columns", "actions", "inlines", "facts", "choices"} {
				if vv, ok := x[k]; ok {
					walk(vv)
				}
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

// empText is every piece of text in the card a person can read, joined by newlines.
func empText(t *testing.T, c *Card) string {
	t.Helper()
	raw, err := c.JSON()
	if err != nil {
		t.Fatal(err)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, vv := range x {
				if s, ok := vv.(string); ok && (k == "text" || k == "title" || k == "value" || k == "label" ||
					k == "placeholder" || k == "errorMessage" || k == "fallbackText") {
					b.WriteString(s)
					b.WriteByte('\n')
				}
				walk(vv)
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	walk(v)
	return b.String()
}

// empVerbs lists the verbs of the Action.Execute actions in the card.
func empVerbs(t *testing.T, c *Card) []string {
	t.Helper()
	var out []string
	for _, a := range empNodes(empDecode(t, c), "Action.Execute") {
		out = append(out, a["verb"].(string))
	}
	return out
}

func empEachLang(t *testing.T, f func(t *testing.T, p i18n.Printer)) {
	for _, l := range domain.Langs {
		t.Run(string(l), func(t *testing.T) { f(t, bundle.Printer(l)) })
	}
}

// empAllCards builds every employee card in every state the fixtures cover, for the rules that hold for all.
func empAllCards(p i18n.Printer) map[string]*Card {
	out := map[string]*Card{}
	for _, set := range []func() map[string]func(p i18n.Printer) *Card{
		empRequestGolden, empIntakeGolden, empRecommendGolden, empNoticesGolden, empMyMandatesGolden,
	} {
		for name, build := range set() {
			out[name] = build(p)
		}
	}
	return out
}

// Every action is an Action.Execute with a verb of verbs.go whose data decodes strictly into that verb's struct,
// or an Action.OpenUrl to an https address.
func TestEmployeeCardsUseOnlyKnownVerbsAndData(t *testing.T) {
	decodeInto := map[string]func() any{
		VerbIntakeOpen:    func() any { return &IntakeData{} },
		VerbIntakeSubmit:  func() any { return &IntakeData{} },
		VerbRequestSubmit: func() any { return &SubmitData{} },
		VerbRequestCancel: func() any { return &RequestData{} },
		VerbMyMandates:    func() any { return &struct{}{} },
		VerbRequestFiled:  func() any { return &RequestData{} },
		VerbGrantDirect:   func() any { return &RequestData{} },
	}
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		for name, c := range empAllCards(p) {
			for _, a := range empNodes(empDecode(t, c), "Action.Execute", "Action.OpenUrl", "Action.Submit",
				"Action.ShowCard", "Action.ToggleVisibility") {
				switch a["type"] {
				case "Action.OpenUrl":
					if u, _ := a["url"].(string); !strings.HasPrefix(u, "https://") {
						t.Errorf("%s: OpenUrl to %q", name, u)
					}
					continue
				case "Action.Execute":
				default:
					t.Errorf("%s: action type %v", name, a["type"])
					continue
				}
				verb, _ := a["verb"].(string)
				mk, ok := decodeInto[verb]
				if !ok {
					t.Errorf("%s: verb %q is not an employee verb of verbs.go", name, verb)
					continue
				}
				raw, _ := json.Marshal(a["data"])
				dec := json.NewDecoder(strings.NewReader(string(raw)))
				dec.DisallowUnknownFields()
				if err := dec.Decode(mk()); err != nil {
					t.Errorf("%s: %s data %s: %v", name, verb, raw, err)
				}
				if a["title"] == nil || a["title"] == "" {
					t.Errorf("%s: %s action without a title", name, verb)
				}
			}
		}
	})
}

// No employee card asks for, shows or hints at a personal identity code.
func TestEmployeeCardsNeverMentionTheIdentityCode(t *testing.T) {
	empEachLang(t, func(t *testing.T, p i18n.Printer) {
		for name, c := range empAllCards(p) {
			text := strings.ToLower(empText(t, c))
			for _, bad := range []string{"henkilötunnus", "hetu", "personbeteckning", "identity code", "social security"} {
				if strings.Contains(text, bad) {
					t.Errorf("%s mentions %q", name, bad)
				}
			}
		}
	})
}

func TestRequestStatusCancelOnlyWhilePending(t *testing.T) {
	for _, tc := range []struct {
		name   string
		r      domain.Request
		cancel bool
	}{
		{"pending", empRequest(), true},
		{"approved", empDecided(), false},
		{"rejected", empAllRejected(), false},
		{"completed", empCompleted(), false},
		{"cancelled", func() domain.Request { r := empRequest(); r.State = domain.RequestCancelled; return r }(), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := RequestStatus(bundle.Printer(domain.English), RequestStatusInput{Catalog: empCat, Request: tc.r, Now: empNow})
			var cancels []map[string]any
			for _, a := range empNodes(empDecode(t, c), "Action.Execute") {
				if a["verb"] == VerbRequestCancel {
					cancels = append(cancels, a)
				}
			}
			if got := len(cancels) == 1; got != tc.cancel {
				t.Fatalf("%d cancel buttons, want cancel=%v", len(cancels), tc.cancel)
			}
			if tc.cancel {
				if id := cancels[0]["data"].(map[string]any)["requestId"]; id != float64(tc.r.ID) {
					t.Errorf("cancel names request %v, want %d", id, tc.r.ID)
				}
			}
			if !strings.Contains(empText(t, c), tc.r.Reference()) {
				t.Errorf("reference %s missing", tc.r.Reference())
			}
		})
	}
}

func TestRequestStatusExplainsTheApprover(t *testing.T) {
	p := bundle.Printer(domain.English)
	seen := map[string]bool{}
	for _, basis := range []domain.ApproverBasis{domain.ApproverManager, domain.ApproverDepartmentHead, domain.ApproverMainUser} {
		r := empRequest()
		r.ApproverBasis = basis
		text := empText(t, RequestStatus(p, RequestStatusInput{Catalog: empCat, Request: r, Now: empNow}))
		why := p.Format("emp.basis."+string(basis), "name", "Pekka Lindholm")
		if !strings.Contains(text, why) {
			t.Errorf("%s: %q missing", basis, why)
		}
		seen[why] = true
	}
	if len(seen) != 3 {
		t.Error("the three approver bases must read differently")
	}
}

// Typed text (the approver's reason, the main user's reason, the justification) goes into a TextRun, never into a
// markdown TextBlock, so a typed link stays inert.
func TestEmployeeTypedTextIsNotMarkdown(t *testing.T) {
	link := "[avaa](https://evil.example/login)"
	r := empCompleted()
	r.Justification = "Katso " + link
	r.DecisionReason = "**Ei** " + link
	r.Items[2].NotGrantedReason = "Syy " + link
	r.ApproverName = "Pekka [Lindholm](https://evil.example)"
	p := bundle.Printer(domain.Finnish)
	for name, c := range map[string]*Card{
		"status":     RequestStatus(p, RequestStatusInput{Catalog: empCat, Request: r, Now: empNow}),
		"decision":   DecisionNotice(p, NoticeInput{Catalog: empCat, Request: r}),
		"notgranted": NotGrantedNotice(p, NoticeInput{Catalog: empCat, Request: r}),
	} {
		m := empDecode(t, c)
		for _, tb := range empNodes(m, "TextBlock") {
			if s := tb["text"].(string); empLiveLink.MatchString(s) {
				t.Errorf("%s: live markdown link in a TextBlock: %q", name, s)
			}
		}
		found := false
		for _, run := range empNodes(m, "TextRun") {
			if strings.Contains(run["text"].(string), link) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: the typed text is missing", name)
		}
	}
}
