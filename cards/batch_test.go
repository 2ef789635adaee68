package cards

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, batchGolden) }

// queued is an approved request of someone else than Anna, on the given path, with one or two themes still to grant
// (item ids from itemBase), filed in Suomi.fi or not.
func queued(cat *catalog.Catalog, id int64, name string, path domain.GrantPath, filed bool, itemBase int64, themes ...string) domain.Request {
	r := partlyApproved(cat)
	r.ID, r.RequesterName, r.GrantPath = id, name, path
	r.RequesterID = fmt.Sprintf("7c1e4a52-0000-4000-8000-0000000001%02d", id)
	r.RequesterMail = strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@porvoo.fi"
	r.RequesterDepartment, r.RequesterJobTitle = "Sivistyspalvelut", "Koulusihteeri"
	r.DecisionReason = ""
	r.Items = nil
	for i, th := range themes {
		it := domain.RequestItem{ID: itemBase + int64(i), ThemeID: th, Covered: cat.Org.Covers(th), State: domain.ItemApproved}
		if filed {
			it.FiledAt = adminNow
		}
		r.Items = append(r.Items, it)
	}
	return r
}

const (
	themeIncomes = "tulorekisteri-palkkatiedot-ilmoittaminen"
	themeKela    = "kela-tyonantaja-etuuksien-hakeminen"
)

// batchQueue is the main users' queue: two requests whose valtuuspyynnöt have arrived (Anna's and Leena's), one
// still waiting for its valtuuspyyntö, and two on the direct path.
func batchQueue(cat *catalog.Catalog) []domain.Request {
	return []domain.Request{
		queued(cat, 38, "Leena Korpela", domain.PathRequest, true, 380, themeIncomes),
		filedRequest(cat),
		queued(cat, 44, "Oskar Berg", domain.PathRequest, false, 440, themeIncomes),
		queued(cat, 45, "Sofia Holmström", domain.PathDirect, false, 450, themeIncomes, themeKela),
		queued(cat, 47, "Mikko Lindqvist", domain.PathDirect, false, 470, themeKela),
	}
}

func batchInput(path domain.GrantPath, rs []domain.Request) GrantBatchInput {
	return GrantBatchInput{Catalog: defaultCatalog(), Path: path, Requests: rs, OrgName: porvoo, BusinessID: "1061512-1",
		Today: adminToday, Reader: mainUserObjectID, People: adminPeople}
}

// batchAfterSubmit is the valtuuspyyntö batch card after a submit: Leena's theme was recorded, Anna's refused.
func batchAfterSubmit(cat *catalog.Catalog, p i18n.Printer) GrantBatchInput {
	queue := batchQueue(cat)
	leena := queue[0]
	leena.Items[0].State, leena.Items[0].GrantedFrom, leena.Items[0].GrantedUntil = domain.ItemGranted, adminToday, leena.ValidUntil
	leena.Items[0].GrantedBy, leena.State = mainUserObjectID, domain.RequestCompleted
	in := batchInput(domain.PathRequest, append([]domain.Request{}, queue[1:]...))
	in.Results = []BatchResult{
		{Request: leena, ItemIDs: []int64{380}},
		{Request: queue[1], ItemIDs: []int64{101, 102}, Error: p.Get("err.valid_until_after_approved")},
	}
	return in
}

func batchGolden() map[string]func(p i18n.Printer) *Card {
	cat := defaultCatalog()
	return map[string]func(p i18n.Printer) *Card{
		"grant-batch-request": func(p i18n.Printer) *Card { return GrantBatch(p, batchInput(domain.PathRequest, batchQueue(cat))) },
		"grant-batch-direct-folded": func(p i18n.Printer) *Card {
			in := batchInput(domain.PathDirect, batchQueue(cat))
			in.StepsFolded = true
			return GrantBatch(p, in)
		},
		"grant-batch-results": func(p i18n.Printer) *Card { return GrantBatch(p, batchAfterSubmit(cat, p)) },
		"grant-batch-empty":   func(p i18n.Printer) *Card { return GrantBatch(p, batchInput(domain.PathDirect, nil)) },
		"grants-batch": func(p i18n.Printer) *Card {
			return GrantTasks(p, GrantListInput{Catalog: cat, Requests: batchQueue(cat), Now: adminNow})
		},
	}
}

// toggleIDs are the ids of a card's Input.Toggle elements, with whether each starts on.
func toggleIDs(v any) map[string]bool {
	out := map[string]bool{}
	for _, tg := range nodes(v, "Input.Toggle") {
		out[tg["id"].(string)] = tg["value"] == "true"
	}
	return out
}

// batchDoneData is the data of the card's submit button.
func batchDoneData(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	for _, a := range nodes(m["actions"], "Action.Execute") {
		if a["verb"] == VerbGrantBatchDone {
			return a["data"].(map[string]any)
		}
	}
	t.Fatalf("no %s action", VerbGrantBatchDone)
	return nil
}

// The batch card groups the grantable items by path: the valtuuspyyntö card lists only the requests whose
// valtuuspyyntö has arrived, the direct card only direct ones; each person and theme has a toggle of its own, each
// request its own dates; the steps are shown once; the submit names exactly the requests listed.
func TestGrantBatchGroupsByPath(t *testing.T) {
	cat := mustCatalog(t)
	cases := []struct {
		path     domain.GrantPath
		toggles  []string
		requests []float64
		people   []string
		absent   []string
		steps    int
	}{
		{domain.PathRequest, []string{"item_101", "item_102", "item_380"}, []float64{38, 42}, []string{"Leena Korpela · VB-2026-0038", "Anna Virtanen · VB-2026-0042"},
			[]string{"Oskar Berg", "Sofia Holmström", "Mikko Lindqvist"}, 5},
		{domain.PathDirect, []string{"item_450", "item_451", "item_470"}, []float64{45, 47}, []string{"Sofia Holmström · VB-2026-0045", "Mikko Lindqvist · VB-2026-0047"},
			[]string{"Oskar Berg", "Leena Korpela", "Anna Virtanen"}, 7},
	}
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		for _, tc := range cases {
			m := decoded(t, GrantBatch(p, batchInput(tc.path, batchQueue(cat))))
			toggles := toggleIDs(m)
			var ids []string
			for id, on := range toggles {
				ids = append(ids, id)
				if !on {
					t.Errorf("%s: %s starts off; every theme listed is ticked", tc.path, id)
				}
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tc.toggles) {
				t.Errorf("%s: toggles %v, want %v", tc.path, ids, tc.toggles)
			}
			data := batchDoneData(t, m)
			var reqs []float64
			for _, id := range data["requestIds"].([]any) {
				reqs = append(reqs, id.(float64))
			}
			if data["path"] != string(tc.path) || !slices.Equal(reqs, tc.requests) {
				t.Errorf("%s: submit data %v", tc.path, data)
			}
			var dates []string
			for _, d := range nodes(m, "Input.Date") {
				dates = append(dates, d["id"].(string))
			}
			slices.Sort(dates)
			var want []string
			for _, id := range tc.requests {
				want = append(want, fmt.Sprintf("%s%d", BatchFromInputPrefix, int(id)), fmt.Sprintf("%s%d", BatchUntilInputPrefix, int(id)))
			}
			slices.Sort(want)
			if !slices.Equal(dates, want) {
				t.Errorf("%s: date inputs %v, want %v", tc.path, dates, want)
			}
			if n := len(numberedSteps(m)); n != tc.steps {
				t.Errorf("%s: %d numbered steps, want the path's %d once", tc.path, n, tc.steps)
			}
			all := strings.Join(strs(m), "\n")
			for _, who := range tc.people {
				if !strings.Contains(all, who) {
					t.Errorf("%s: the card lacks %q", tc.path, who)
				}
			}
			for _, who := range tc.absent {
				if strings.Contains(all, who) {
					t.Errorf("%s: %s is not in this session but shows on the card", tc.path, who)
				}
			}
			// Each toggle names the person and the theme, so that no two read alike.
			for _, tg := range nodes(m, "Input.Toggle") {
				title := tg["title"].(string)
				if !strings.Contains(title, " – ") {
					t.Errorf("%s: toggle %q does not name person and theme", tc.path, title)
				}
			}
		}
	})
}

// The valtuuspyyntö batch card never mentions the identity code: the main user accepts requests that have arrived.
func TestGrantBatchOnTheRequestPathNeverMentionsTheIdentityCode(t *testing.T) {
	cat := mustCatalog(t)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		all := strings.ToLower(strings.Join(strs(decoded(t, GrantBatch(p, batchInput(domain.PathRequest, batchQueue(cat))))), "\n"))
		for _, word := range []string{"henkilötunnus", "personbeteckning", "identity code"} {
			if strings.Contains(all, word) {
				t.Errorf("mentions %q", word)
			}
		}
	})
}

// Segregation of duties on the batch card: while another main user can record it, the reader's own request is
// left out (and the card says so); the sole main user sees it with the warning and the confirmation to tick.
func TestGrantBatchOwnRequest(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.Finnish)
	queue := batchQueue(cat)
	in := batchInput(domain.PathDirect, queue)
	in.Reader = queue[3].RequesterID // Sofia is a main user too

	m := decoded(t, GrantBatch(p, in))
	all := strings.Join(strs(m), "\n")
	if strings.Contains(all, "Sofia Holmström") || !strings.Contains(all, p.Get("admin.batch.own_left_out")) {
		t.Errorf("another main user can record Sofia's request: it must be left out, with the note")
	}
	if _, ok := toggleIDs(m)[ConfirmSelfInput]; ok {
		t.Error("a confirmation for a request not on the card")
	}
	if got := batchDoneData(t, m)["requestIds"]; fmt.Sprint(got) != "[47]" {
		t.Errorf("submit names %v, want only Mikko's request", got)
	}

	in.SoleMainUser = true
	m = decoded(t, GrantBatch(p, in))
	all = strings.Join(strs(m), "\n")
	if !strings.Contains(all, "Sofia Holmström") || !strings.Contains(all, p.Get("admin.grant.self.text")) {
		t.Error("the sole main user's own request must be listed with the warning")
	}
	if on, ok := toggleIDs(m)[ConfirmSelfInput]; !ok || on {
		t.Errorf("the sole main user must tick the confirmation on purpose: present %v, on %v", ok, on)
	}
}

// After a submit the card says, request by request, what was recorded and what was refused and why; the refused
// request stays on the card to try again, the recorded one does not.
func TestGrantBatchShowsEachOutcome(t *testing.T) {
	cat := mustCatalog(t)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		m := decoded(t, GrantBatch(p, batchAfterSubmit(cat, p)))
		body := m["body"].([]any)
		heading := -1
		for i, e := range body {
			if tb, ok := e.(map[string]any); ok && tb["text"] == p.Get("admin.batch.results.heading") {
				heading = i
			}
		}
		if heading < 0 || heading+2 >= len(body) {
			t.Fatalf("no results section")
		}
		leena, anna := body[heading+1].(map[string]any), body[heading+2].(map[string]any)
		lt, at := strings.Join(strs(leena), "\n"), strings.Join(strs(anna), "\n")
		if !strings.Contains(lt, "Leena Korpela") || !strings.Contains(lt, p.Get("admin.itemstate.granted")) ||
			!strings.Contains(lt, p.Format("admin.item.granted.period", "from", Date(p.Lang, adminToday), "until", Date(p.Lang, time.Date(2028, 11, 30, 0, 0, 0, 0, time.UTC)))) ||
			leena["style"] == "attention" {
			t.Errorf("Leena's outcome: %q", lt)
		}
		if !strings.Contains(at, "Anna Virtanen") || !strings.Contains(at, p.Get("err.valid_until_after_approved")) ||
			!strings.Contains(at, p.Get("admin.itemstate.approved")) || anna["style"] != "attention" {
			t.Errorf("Anna's outcome: %q", at)
		}
		if ids := toggleIDs(m); len(ids) != 2 || !ids["item_101"] || !ids["item_102"] {
			t.Errorf("toggles after the submit %v, want Anna's two themes to try again", ids)
		}
		// A theme the main user left unticked stays unticked on the card that answers.
		in := batchAfterSubmit(cat, p)
		in.Unticked = []int64{102}
		if ids := toggleIDs(decoded(t, GrantBatch(p, in))); !ids["item_101"] || ids["item_102"] {
			t.Errorf("toggles with 102 left unticked: %v", ids)
		}
	})
}

// Requests with many themes each: the card lists fewer of them rather than grow past MaxBytes, and counts the rest.
func TestGrantBatchKeepsWithinTheSizeLimit(t *testing.T) {
	cat := mustCatalog(t)
	themes := []string{"vero-veroasiat", "vero-veroilmoittaminen", themeIncomes, "tulorekisteri-palkkatiedot-katselu",
		"tulorekisteri-etuustiedot-ilmoittaminen", "tulorekisteri-etuustiedot-katselu", themeKela}
	var many []domain.Request
	for i := range MaxBatchRequests {
		many = append(many, queued(cat, int64(60+i), "Henkilö Numero "+fmt.Sprint(i), domain.PathDirect, false, int64(600+10*i), themes...))
	}
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		c := GrantBatch(p, batchInput(domain.PathDirect, many))
		if _, err := c.JSON(); err != nil {
			t.Fatal(err)
		}
		m := decoded(t, c)
		n := len(batchDoneData(t, m)["requestIds"].([]any))
		if n == 0 || n >= MaxBatchRequests {
			t.Fatalf("%d requests listed; want fewer than %d, at least one", n, MaxBatchRequests)
		}
		if all := strings.Join(strs(m), "\n"); !strings.Contains(all, p.Format("admin.list.more", "n", fmt.Sprint(MaxBatchRequests-n))) {
			t.Error("the requests left out are not counted")
		}
		if got := len(toggleIDs(m)); got != n*len(themes) {
			t.Errorf("%d toggles for %d requests of %d themes", got, n, len(themes))
		}
	})
}

// A batch card of the most requests it lists, each with two themes, stays within the size Teams accepts, in every
// language; the requests beyond it are counted.
func TestGrantBatchIsBounded(t *testing.T) {
	cat := mustCatalog(t)
	var many []domain.Request
	for i := range MaxBatchRequests + 3 {
		many = append(many, queued(cat, int64(60+i), "Henkilö Numero "+fmt.Sprint(i), domain.PathDirect, false, int64(600+10*i), themeIncomes, themeKela))
	}
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		for _, folded := range []bool{false, true} {
			in := batchInput(domain.PathDirect, many)
			in.StepsFolded = folded
			c := GrantBatch(p, in)
			raw, err := c.JSON()
			if err != nil {
				t.Fatal(err)
			}
			m := decoded(t, c)
			if n := len(batchDoneData(t, m)["requestIds"].([]any)); n != MaxBatchRequests {
				t.Errorf("%d requests listed, want %d", n, MaxBatchRequests)
			}
			if all := strings.Join(strs(m), "\n"); !strings.Contains(all, p.Format("admin.list.more", "n", "3")) {
				t.Error("the requests left out are not counted")
			}
			t.Logf("%s folded=%v: %d bytes", p.Lang, folded, len(raw))
		}
	})
}

// The task list offers "grant in one go" for each path with at least two requests for one Suomi.fi session, and
// not otherwise.
func TestGrantTasksOfferTheBatch(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.Swedish)
	offers := func(rs []domain.Request) []string {
		var paths []string
		for _, a := range nodes(decoded(t, GrantTasks(p, GrantListInput{Catalog: cat, Requests: rs, Now: adminNow}))["body"], "Action.Execute") {
			if a["verb"] == VerbGrantBatch {
				paths = append(paths, a["data"].(map[string]any)["path"].(string))
				if a["title"] != "Ge på en gång" {
					t.Errorf("button %q", a["title"])
				}
			}
		}
		return paths
	}
	queue := batchQueue(cat)
	if got := offers(queue); !slices.Equal(got, []string{string(domain.PathRequest), string(domain.PathDirect)}) {
		t.Errorf("offers %v, want both paths", got)
	}
	// One valtuuspyyntö arrived (Oskar's has not): one request's own card is enough.
	if got := offers([]domain.Request{queue[0], queue[2], queue[3], queue[4]}); !slices.Equal(got, []string{string(domain.PathDirect)}) {
		t.Errorf("offers %v, want the direct path only", got)
	}
	if got := offers(grantQueue(cat)); len(got) != 0 {
		t.Errorf("offers %v for requests whose valtuuspyyntö has not arrived", got)
	}
}
