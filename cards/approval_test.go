package cards

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Fixtures of the supervisor and main-user cards: the City of Porvoo's real catalog, a payroll clerk's request for
// three themes of which one (ELY Centre subsidies) the city's valtuutusoikeus does not cover, and fixed dates.
var (
	adminNow   = time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	adminToday = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
)

const (
	approverObjectID = "7c1e4a52-0000-4000-8000-000000000003" // Helena Åberg, head of finance and HR
	mainUserObjectID = "7c1e4a52-0000-4000-8000-000000000004" // Mikael Nordström, main user
	approverTeamsID  = "29:1Jx9-helena-aberg-teams-id"
)

var adminPeople = map[string]string{mainUserObjectID: "Mikael Nordström"}

func mustCatalog(t testing.TB) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// defaultCatalog is for the golden builders, which have no testing.TB.
func defaultCatalog() *catalog.Catalog {
	c, err := catalog.Default()
	if err != nil {
		panic(err)
	}
	return c
}

// payrollRequest is Anna Virtanen's pending request: Incomes Register pay data, Kela's employer allowances, and
// ELY Centre subsidies (not covered by the city's valtuutusoikeus).
func payrollRequest(cat *catalog.Catalog) domain.Request {
	item := func(id int64, theme, task string) domain.RequestItem {
		return domain.RequestItem{ID: id, ThemeID: theme, TaskIDs: []string{task}, Covered: cat.Org.Covers(theme), State: domain.ItemPending}
	}
	return domain.Request{
		ID:                  42,
		RequesterID:         "7c1e4a52-0000-4000-8000-000000000001",
		RequesterName:       "Anna Virtanen",
		RequesterMail:       "anna.virtanen@porvoo.fi",
		RequesterDepartment: "Talous- ja henkilöstöpalvelut",
		RequesterJobTitle:   "Palkkasihteeri",
		ApproverID:          approverObjectID,
		ApproverName:        "Helena Åberg",
		ApproverBasis:       domain.ApproverManager,
		State:               domain.RequestPending,
		Justification: "Aloitin palkkasihteerinä 1.11. Ilmoitan palkat tulorekisteriin ja haen Kelalta päivärahat " +
			"palkallisilta poissaoloilta. Lisäksi haen työllisyyspoliittista avustusta palkkatukihankkeelle.",
		RoleID:     "palkkasihteeri",
		TaskIDs:    []string{"palkkatietojen-ilmoittaminen", "kela-paivarahojen-hakeminen", "tyollisyyspoliittinen-avustus"},
		ValidUntil: time.Date(2028, 11, 30, 0, 0, 0, 0, time.UTC),
		CreatedAt:  time.Date(2026, 11, 23, 8, 15, 0, 0, time.UTC),
		UpdatedAt:  time.Date(2026, 11, 23, 8, 15, 0, 0, time.UTC),
		Version:    1,
		Items: []domain.RequestItem{
			item(101, "tulorekisteri-palkkatiedot-ilmoittaminen", "palkkatietojen-ilmoittaminen"),
			item(102, "kela-tyonantaja-etuuksien-hakeminen", "kela-paivarahojen-hakeminen"),
			item(103, "ely-valtionavustukset-hakeminen", "tyollisyyspoliittinen-avustus"),
		},
	}
}

const elyRejectReason = "Työllisyyspoliittinen avustus haetaan keskitetysti työllisyyspalveluista, joten palkkasihteeri ei tarvitse tätä."

// partlyApproved: the first two themes approved, the ELY theme rejected with a reason.
func partlyApproved(cat *catalog.Catalog) domain.Request {
	r := payrollRequest(cat)
	r.State = domain.RequestApproved
	r.DecidedBy = approverObjectID
	r.DecidedAt = time.Date(2026, 11, 24, 13, 5, 0, 0, time.UTC)
	r.DecisionReason = elyRejectReason
	r.Items[0].State, r.Items[1].State, r.Items[2].State = domain.ItemApproved, domain.ItemApproved, domain.ItemRejected
	return r
}

func rejectedRequest(cat *catalog.Catalog) domain.Request {
	r := payrollRequest(cat)
	r.State = domain.RequestRejected
	r.DecidedBy = approverObjectID
	r.DecidedAt = time.Date(2026, 11, 24, 13, 5, 0, 0, time.UTC)
	r.DecisionReason = "Tehtävät siirtyvät tammikuussa palvelukeskukselle, joten valtuuksia ei tarvita."
	for i := range r.Items {
		r.Items[i].State = domain.ItemRejected
	}
	return r
}

func cancelledRequest(cat *catalog.Catalog) domain.Request {
	r := payrollRequest(cat)
	r.State = domain.RequestCancelled
	r.UpdatedAt = time.Date(2026, 11, 24, 7, 45, 0, 0, time.UTC)
	for i := range r.Items {
		r.Items[i].State = domain.ItemCancelled
	}
	return r
}

// partlyGranted: Incomes Register granted by the main user; Kela still to grant.
func partlyGranted(cat *catalog.Catalog) domain.Request {
	r := partlyApproved(cat)
	r.Items[0].State = domain.ItemGranted
	r.Items[0].GrantedFrom = adminToday
	r.Items[0].GrantedUntil = r.ValidUntil
	r.Items[0].GrantedBy = mainUserObjectID
	r.Items[0].MandateID = 7
	return r
}

// completedRequest: Incomes Register granted, Kela could not be granted.
func completedRequest(cat *catalog.Catalog) domain.Request {
	r := partlyGranted(cat)
	r.State = domain.RequestCompleted
	r.Items[1].State = domain.ItemNotGranted
	r.Items[1].GrantedBy = mainUserObjectID
	r.Items[1].NotGrantedReason = "Kelan työnantajapalvelu vaatii tarkenteen, jota ei vielä ole. Selvitän Kelan kanssa ja palaan asiaan."
	return r
}

func init() { goldenSets = append(goldenSets, approvalGolden) }

func approvalGolden() map[string]func(p i18n.Printer) *Card {
	cat := defaultCatalog()
	view := func(r domain.Request, interactive bool) func(p i18n.Printer) *Card {
		return func(p i18n.Printer) *Card {
			return Approval(p, ApprovalInput{Catalog: cat, Request: r, ApproverUserID: approverTeamsID,
				Interactive: interactive, Now: adminNow, People: adminPeople})
		}
	}
	return map[string]func(p i18n.Printer) *Card{
		"approval-base":        view(payrollRequest(cat), false),
		"approval-interactive": view(payrollRequest(cat), true),
		"approval-partly":      view(partlyApproved(cat), false),
		"approval-rejected":    view(rejectedRequest(cat), false),
		"approval-cancelled":   view(cancelledRequest(cat), true),
		"approval-completed":   view(completedRequest(cat), false),
	}
}

// ---- helpers for behavioural tests ----

// decoded is a card as Teams receives it: generic JSON.
func decoded(t *testing.T, c *Card) map[string]any {
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

// nodes returns every JSON object in v (depth first) whose "type" starts with prefix.
func nodes(v any, prefix string) []map[string]any {
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["type"].(string); ok && strings.HasPrefix(s, prefix) {
				out = append(out, x)
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

// strs returns every string value in v.
func strs(v any) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			out = append(out, x)
		case map[string]any:
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

func inputIDs(m map[string]any) []string {
	var ids []string
	for _, n := range nodes(m, "Input.") {
		ids = append(ids, n["id"].(string))
	}
	return ids
}

func eachLang(t *testing.T, f func(t *testing.T, p i18n.Printer)) {
	for _, l := range domain.Langs {
		t.Run(string(l), func(t *testing.T) { f(t, bundle.Printer(l)) })
	}
}

// ---- behavioural tests ----

func TestApprovalBaseIsReadOnlyWithOneOpenButton(t *testing.T) {
	cat := mustCatalog(t)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		m := decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: payrollRequest(cat), ApproverUserID: approverTeamsID, Now: adminNow}))
		if ids := inputIDs(m); len(ids) != 0 {
			t.Errorf("base view has inputs %v", ids)
		}
		acts := nodes(m["actions"], "Action.")
		if len(acts) != 1 || acts[0]["verb"] != VerbApprovalOpen || acts[0]["title"] != p.Get("admin.approval.open") {
			t.Fatalf("base view actions = %v, want one %s", acts, VerbApprovalOpen)
		}
		if data := acts[0]["data"].(map[string]any); data["requestId"] != float64(42) {
			t.Errorf("open action data %v", data)
		}
		for _, a := range nodes(m["body"], "Action.Execute") {
			t.Errorf("unexpected action in the body: %v", a)
		}
	})
}

func TestApprovalInteractiveHasTogglesReasonAndDecisions(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.Finnish)
	m := decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: payrollRequest(cat), ApproverUserID: approverTeamsID, Interactive: true, Now: adminNow}))

	toggles := nodes(m, "Input.Toggle")
	var ids []string
	for _, tg := range toggles {
		ids = append(ids, tg["id"].(string))
		if tg["value"] != "true" || tg["valueOn"] != "true" || tg["valueOff"] != "false" {
			t.Errorf("toggle %v: want value/valueOn true, valueOff false", tg)
		}
	}
	if want := []string{"item_101", "item_102", "item_103"}; !slices.Equal(ids, want) {
		t.Errorf("toggles %v, want %v", ids, want)
	}
	if toggles[0]["title"] != "Palkkatietojen ilmoittaminen" {
		t.Errorf("toggle title %q, want the theme's Suomi.fi name", toggles[0]["title"])
	}
	texts := nodes(m, "Input.Text")
	if len(texts) != 1 || texts[0]["id"] != ReasonInput || texts[0]["maxLength"] != float64(MaxReason) || texts[0]["label"] == nil {
		t.Errorf("reason input %v", texts)
	}

	acts := nodes(m["actions"], "Action.Execute")
	var got []string
	for _, a := range acts {
		if a["verb"] != VerbApprovalDecide {
			t.Errorf("decision action verb %v", a["verb"])
		}
		d := a["data"].(map[string]any)
		if d["requestId"] != float64(42) {
			t.Errorf("decision data %v", d)
		}
		got = append(got, fmt.Sprint(d["decision"], "/", a["style"]))
	}
	want := []string{string(DecisionApproveAll) + "/positive", string(DecisionByItem) + "/<nil>", string(DecisionRejectAll) + "/destructive"}
	if !slices.Equal(got, want) {
		t.Errorf("decisions %v, want %v", got, want)
	}
}

func TestApprovalRefreshTargetsOnlyTheApprover(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.Swedish)
	for _, interactive := range []bool{false, true} {
		c := Approval(p, ApprovalInput{Catalog: cat, Request: payrollRequest(cat), ApproverUserID: approverTeamsID, Interactive: interactive, Now: adminNow})
		if c.Refresh == nil {
			t.Fatalf("interactive=%v: no refresh", interactive)
		}
		if !slices.Equal(c.Refresh.UserIDs, []string{approverTeamsID}) {
			t.Errorf("interactive=%v: userIds %v, want exactly the approver", interactive, c.Refresh.UserIDs)
		}
		if c.Refresh.Action.Type != "Action.Execute" || c.Refresh.Action.Verb != VerbApprovalOpen {
			t.Errorf("refresh action %+v", c.Refresh.Action)
		}
		if d, ok := c.Refresh.Action.Data.(RequestData); !ok || d.RequestID != 42 {
			t.Errorf("refresh data %#v", c.Refresh.Action.Data)
		}
	}
	// Unknown approver id: no refresh at all (an empty userIds list would make Teams offer a manual refresh to all).
	c := Approval(p, ApprovalInput{Catalog: cat, Request: payrollRequest(cat), Now: adminNow})
	if c.Refresh != nil {
		t.Errorf("refresh without an approver id: %+v", c.Refresh)
	}
	if len(c.Actions) != 1 || c.Actions[0].Verb != VerbApprovalOpen {
		t.Errorf("the manual open button must remain: %+v", c.Actions)
	}
}

func TestApprovalFinalViewsHaveNothingToPress(t *testing.T) {
	cat := mustCatalog(t)
	reqs := map[string]domain.Request{
		"partly": partlyApproved(cat), "rejected": rejectedRequest(cat), "cancelled": cancelledRequest(cat),
		"completed": completedRequest(cat), "granted": partlyGranted(cat),
	}
	for name, r := range reqs {
		for _, interactive := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/interactive=%v", name, interactive), func(t *testing.T) {
				c := Approval(bundle.Printer(domain.English), ApprovalInput{Catalog: cat, Request: r,
					ApproverUserID: approverTeamsID, Interactive: interactive, Now: adminNow})
				m := decoded(t, c)
				if c.Refresh != nil || m["refresh"] != nil {
					t.Error("final view has a refresh")
				}
				if a := nodes(m, "Action."); len(a) != 0 {
					t.Errorf("final view has actions %v", a)
				}
				if ids := inputIDs(m); len(ids) != 0 {
					t.Errorf("final view has inputs %v", ids)
				}
			})
		}
	}
}

func TestApprovalFinalShowsOutcomeWhoWhenAndReason(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.English)
	all := strings.Join(strs(decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: partlyApproved(cat), Now: adminNow}))), "\n")
	for _, want := range []string{
		"Request VB-2026-0042 was partly approved", "Helena Åberg", "24 Nov 2026", elyRejectReason,
		"Reporting earnings payment data", "Approved – waiting to be granted in Suomi.fi", "Rejected",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("final card lacks %q", want)
		}
	}
	// A granted item says from, until and who; a not granted one says why.
	all = strings.Join(strs(decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: completedRequest(cat), Now: adminNow, People: adminPeople}))), "\n")
	for _, want := range []string{"Request VB-2026-0042 is complete", "Valid 25 Nov 2026–30 Nov 2028", "Handled by Mikael Nordström",
		"Not granted", "Kelan työnantajapalvelu vaatii tarkenteen"} {
		if !strings.Contains(all, want) {
			t.Errorf("completed card lacks %q", want)
		}
	}
}

func TestApprovalNeverShowsObjectIDs(t *testing.T) {
	cat := mustCatalog(t)
	r := completedRequest(cat)
	r.DecidedBy = "0f0e0d0c-1111-4222-8333-444455556666" // somebody the card cannot name
	raw, err := Approval(bundle.Printer(domain.Finnish), ApprovalInput{Catalog: cat, Request: r, Now: adminNow}).JSON()
	if err != nil {
		t.Fatal(err)
	}
	if guid := regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-`); guid.Match(raw) {
		t.Errorf("card shows an object id: %s", guid.Find(raw))
	}
	if name := personName("Mikael Nordström", r, nil); name != "Mikael Nordström" {
		t.Errorf("a stored display name must show as is, got %q", name)
	}
}

// The approver reads the requester's tasks in the third person, about the requester, in every language: never the
// employee's own first-person words from the intake card. Several tasks read as one sentence; without a name the
// card says "the requester".
func TestApprovalSaysTasksInThirdPerson(t *testing.T) {
	cat := mustCatalog(t)
	r := payrollRequest(cat)
	r.Items[0].TaskIDs = []string{"palkkatietojen-ilmoittaminen", "palkkatietojen-tarkistus"}
	want := map[domain.Lang][]string{
		domain.Finnish: {"Miksi: Anna Virtanen ilmoittaa palkkatiedot tulorekisteriin ja korjaa virheelliset ilmoitukset; tarkistaa tulorekisteriin ilmoitettuja palkkatietoja (vain katselu)."},
		domain.Swedish: {"Varför: Anna Virtanen anmäler löneuppgifter till inkomstregistret och rättar felaktiga anmälningar; kontrollerar "},
		domain.English: {"Why: Anna Virtanen reports pay data to the Incomes Register and corrects wrong reports; checks pay data "},
	}
	for _, l := range domain.Langs {
		p := bundle.Printer(l)
		for _, interactive := range []bool{false, true} {
			all := strings.Join(strs(decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: r, Interactive: interactive, Now: adminNow}))), "\n")
			for _, w := range want[l] {
				if !strings.Contains(all, w) {
					t.Errorf("%s: card lacks %q:\n%s", l, w, all)
				}
			}
			for _, id := range r.Items[0].TaskIDs {
				task, _ := cat.Task(id)
				if first := task.Name.In(l); strings.Contains(all, first) {
					t.Errorf("%s: card shows the employee's own words %q", l, first)
				}
			}
		}
	}
	r.RequesterName = ""
	all := strings.Join(strs(decoded(t, Approval(bundle.Printer(domain.Finnish), ApprovalInput{Catalog: cat, Request: r, Now: adminNow}))), "\n")
	if !strings.Contains(all, "Miksi: pyytäjä ilmoittaa palkkatiedot") {
		t.Errorf("without a name the card must say pyytäjä:\n%s", all)
	}
}

func TestApprovalShowsWhyAndNotCovered(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.Finnish)
	m := decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: payrollRequest(cat), Now: adminNow}))
	all := strings.Join(strs(m), "\n")
	for _, want := range []string{
		"Anna Virtanen", "Palkkasihteeri", "Talous- ja henkilöstöpalvelut", "VB-2026-0042", "30.11.2028",
		"Miksi: Anna Virtanen ilmoittaa palkkatiedot tulorekisteriin", "Työllisyyden, ympäristön, elinkeinotoiminnan ja liikenteen valtionavustusten hakeminen",
		"Elinvoimakeskukset (ent. ELY-keskukset)", "2 päivää sitten",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("card lacks %q", want)
		}
	}
	// Exactly one theme (ELY) is flagged as not covered, in an attention container.
	flagged := 0
	for _, c := range nodes(m, "Container") {
		if c["style"] == "attention" && strings.Contains(strings.Join(strs(c), "\n"), p.Get("admin.theme.not_covered")) {
			flagged++
		}
	}
	if flagged != 1 {
		t.Errorf("%d themes flagged as not covered, want 1", flagged)
	}
}

// Typed text (justification, reasons) must never become live markdown: it goes into a TextRun, not a TextBlock.
func TestTypedTextIsNotMarkdown(t *testing.T) {
	cat := mustCatalog(t)
	r := partlyApproved(cat)
	link := "[avaa](https://evil.example/login)"
	r.Justification = "Katso ohje " + link
	r.DecisionReason = "**Ei** " + link
	r.State = domain.RequestPending
	for _, c := range []*Card{
		Approval(bundle.Printer(domain.Finnish), ApprovalInput{Catalog: cat, Request: r, Now: adminNow}),
		Approval(bundle.Printer(domain.Finnish), ApprovalInput{Catalog: cat, Request: partlyApprovedWithReason(cat, "**Ei** "+link), Now: adminNow}),
	} {
		m := decoded(t, c)
		found := false
		for _, tb := range nodes(m, "TextBlock") {
			if strings.Contains(tb["text"].(string), "evil.example") {
				t.Errorf("typed text in a markdown TextBlock: %q", tb["text"])
			}
		}
		for _, run := range nodes(m, "TextRun") {
			if strings.Contains(run["text"].(string), link) {
				found = true
			}
		}
		if !found {
			t.Error("typed text missing from the card")
		}
	}
}

func partlyApprovedWithReason(cat *catalog.Catalog, reason string) domain.Request {
	r := partlyApproved(cat)
	r.DecisionReason = reason
	return r
}

func TestApprovalShowsServerError(t *testing.T) {
	cat := mustCatalog(t)
	const msg = "Kirjoita perustelu, kun hylkäät valtuusasian."
	m := decoded(t, Approval(bundle.Printer(domain.Finnish), ApprovalInput{Catalog: cat, Request: payrollRequest(cat),
		ApproverUserID: approverTeamsID, Interactive: true, Error: msg, Now: adminNow}))
	body := m["body"].([]any)
	box, ok := body[2].(map[string]any)
	if !ok || box["style"] != "attention" || !strings.Contains(strings.Join(strs(box), ""), msg) {
		t.Errorf("error should be an attention box right under the intro, got %v", body[2])
	}
}

func TestApprovalBasisExplained(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.English)
	r := payrollRequest(cat)
	r.ApproverBasis = domain.ApproverDepartmentHead
	all := strings.Join(strs(decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: r, Now: adminNow}))), "\n")
	if !strings.Contains(all, p.Get("admin.approval.basis.department_head")) {
		t.Error("a department head should be told why they get the request")
	}
	r.ApproverBasis = domain.ApproverManager
	all = strings.Join(strs(decoded(t, Approval(p, ApprovalInput{Catalog: cat, Request: r, Now: adminNow}))), "\n")
	if strings.Contains(all, "head of department") {
		t.Error("a manager needs no explanation")
	}
}

// A request for ten themes with the longest justification still fits, in every view and language.
func TestLargestApprovalAndGrantCardsFit(t *testing.T) {
	cat := mustCatalog(t)
	r := bigRequest(cat, 10)
	for _, l := range domain.Langs {
		p := bundle.Printer(l)
		for name, c := range map[string]*Card{
			"base":        Approval(p, ApprovalInput{Catalog: cat, Request: r, ApproverUserID: approverTeamsID, Now: adminNow}),
			"interactive": Approval(p, ApprovalInput{Catalog: cat, Request: r, ApproverUserID: approverTeamsID, Interactive: true, Error: strings.Repeat("e", 200), Now: adminNow}),
			"grant":       GrantTask(p, GrantTaskInput{Catalog: cat, Request: approveAll(r), OrgName: porvoo, BusinessID: "1061512-1", Today: adminToday}),
			"final":       Approval(p, ApprovalInput{Catalog: cat, Request: approveAll(r), Now: adminNow}),
		} {
			raw, err := c.JSON()
			if err != nil {
				t.Errorf("%s/%s: %v", l, name, err)
				continue
			}
			if n := strings.Count(string(raw), "Input.Toggle"); name == "interactive" && n != 10 || name == "grant" && n != 10 {
				t.Errorf("%s/%s: %d toggles, want 10", l, name, n)
			}
			t.Logf("%s/%s: %d bytes", l, name, len(raw))
		}
	}
}

// bigRequest asks for the first n themes of the catalog, each with every task that needs it, and the longest
// justification allowed.
func bigRequest(cat *catalog.Catalog, n int) domain.Request {
	r := payrollRequest(cat)
	r.Justification = strings.Repeat("Perustelu, joka on mahdollisimman pitkä. ", MaxJustification/41)[:MaxJustification]
	r.Items = nil
	for i, th := range cat.Themes[:n] {
		var tasks []string
		for _, task := range cat.Tasks {
			if slices.Contains(task.Themes, th.ID) {
				tasks = append(tasks, task.ID)
			}
		}
		r.Items = append(r.Items, domain.RequestItem{ID: int64(200 + i), ThemeID: th.ID, TaskIDs: tasks,
			Covered: cat.Org.Covers(th.ID), State: domain.ItemPending})
	}
	return r
}

func approveAll(r domain.Request) domain.Request {
	r.State = domain.RequestApproved
	r.DecidedBy = approverObjectID
	r.DecidedAt = adminNow
	r.Items = slices.Clone(r.Items)
	for i := range r.Items {
		r.Items[i].State = domain.ItemApproved
	}
	return r
}

// A theme the catalog no longer has still renders, by its id.
func TestApprovalSurvivesUnknownTheme(t *testing.T) {
	cat := mustCatalog(t)
	r := payrollRequest(cat)
	r.Items[0].ThemeID = "removed-theme"
	r.Items[0].TaskIDs = []string{"no-such-task"}
	all := strings.Join(strs(decoded(t, Approval(bundle.Printer(domain.Swedish), ApprovalInput{Catalog: cat, Request: r, Interactive: true, Now: adminNow}))), "\n")
	if !strings.Contains(all, "removed-theme") {
		t.Error("unknown theme should show by its id")
	}
}
