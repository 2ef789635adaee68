package cards

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, listsGolden) }

// pendingRequests are three requests waiting for Helena Åberg, oldest first.
func pendingRequests(cat *catalog.Catalog) []domain.Request {
	a := payrollRequest(cat)
	b := payrollRequest(cat)
	b.ID, b.RequesterName, b.RequesterJobTitle = 47, "Mikko Lindqvist", "Kirjanpitäjä"
	b.CreatedAt = time.Date(2026, 11, 24, 15, 0, 0, 0, time.UTC)
	b.Items = b.Items[:1]
	c := payrollRequest(cat)
	c.ID, c.RequesterName, c.RequesterJobTitle = 51, "Sofia Holmström", "Talouspäällikkö"
	c.CreatedAt = time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	c.Items = c.Items[:2]
	return []domain.Request{a, b, c}
}

// grantQueue is the main users' queue: Anna's partly granted request and an older one for a school secretary.
func grantQueue(cat *catalog.Catalog) []domain.Request {
	old := partlyApproved(cat)
	old.ID, old.RequesterName, old.RequesterDepartment = 38, "Leena Korpela", "Sivistyspalvelut"
	old.CreatedAt = time.Date(2026, 11, 12, 10, 0, 0, 0, time.UTC)
	old.DecidedAt = time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC)
	return []domain.Request{old, partlyGranted(cat)}
}

func listsGolden() map[string]func(p i18n.Printer) *Card {
	cat := defaultCatalog()
	return map[string]func(p i18n.Printer) *Card{
		"pending": func(p i18n.Printer) *Card {
			return PendingApprovals(p, PendingInput{Catalog: cat, Requests: pendingRequests(cat), Now: adminNow})
		},
		"pending-empty": func(p i18n.Printer) *Card { return PendingApprovals(p, PendingInput{Now: adminNow}) },
		"grants": func(p i18n.Printer) *Card {
			return GrantTasks(p, GrantListInput{Catalog: cat, Requests: grantQueue(cat), Now: adminNow})
		},
		"grants-empty": func(p i18n.Printer) *Card { return GrantTasks(p, GrantListInput{Now: adminNow}) },
		"grants-digest": func(p i18n.Printer) *Card {
			return GrantDigest(p, GrantListInput{Catalog: cat, Requests: grantQueue(cat), Now: adminNow})
		},
		"weekly-digest": func(p i18n.Printer) *Card { return WeeklyDigest(p, weeklyInput(cat)) },
		"upcoming": func(p i18n.Printer) *Card {
			return Upcoming(p, UpcomingInput{Days: 30, Rows: []UpcomingRow{
				{At: adminNow.Add(24 * time.Hour), To: []string{"Elina Lindholm"}, What: "muistutus lähettää valtuuspyyntö"},
				{At: adminNow.Add(120 * time.Hour), To: []string{"Mikael Nordström"}, What: "viikon katsaus"}}})
		},
		"upcoming-empty": func(p i18n.Printer) *Card { return Upcoming(p, UpcomingInput{Days: 30}) },
		"grant-reminder": func(p i18n.Printer) *Card {
			return Marked(GrantTask(p, grantInput(grantQueue(cat)[0])), p.Format("admin.grant.reminder", "days", "4"))
		},
	}
}

func TestPendingApprovalsRows(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.Finnish)
	m := decoded(t, PendingApprovals(p, PendingInput{Catalog: cat, Requests: pendingRequests(cat), Now: adminNow}))
	var ids []float64
	for _, a := range nodes(m["body"], "Action.Execute") {
		if a["verb"] != VerbApprovalOpen {
			t.Errorf("row action verb %v", a["verb"])
		}
		ids = append(ids, a["data"].(map[string]any)["requestId"].(float64))
	}
	if !slices.Equal(ids, []float64{42, 47, 51}) {
		t.Errorf("rows %v", ids)
	}
	all := strings.Join(strs(m), "\n")
	for _, want := range []string{"VB-2026-0042 · Anna Virtanen", "3 valtuusasiaa · 2 päivää sitten", "1 valtuusasia · 1 päivä sitten", "2 valtuusasiaa · tänään", "3 pyyntöä odottaa päätöstäsi.",
		"Palkkatietojen ilmoittaminen; Palvelussuhteeseen liittyvien etuuksien hakeminen; Työllisyyden"} {
		if !strings.Contains(all, want) {
			t.Errorf("list lacks %q", want)
		}
	}
}

func TestGrantTasksRows(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.English)
	m := decoded(t, GrantTasks(p, GrantListInput{Catalog: cat, Requests: grantQueue(cat), Now: adminNow}))
	for _, a := range nodes(m["body"], "Action.Execute") {
		if a["verb"] != VerbGrantOpen {
			t.Errorf("row action verb %v", a["verb"])
		}
	}
	all := strings.Join(strs(m), "\n")
	for _, want := range []string{
		"VB-2026-0038 · Leena Korpela", "Reporting earnings payment data; Applying for employment-related benefits", "Sivistyspalvelut · 2 mandate themes to grant · approved 9 days ago",
		"Talous- ja henkilöstöpalvelut · 1 mandate theme to grant · approved 1 day ago",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("list lacks %q", want)
		}
	}
}

func TestListsAreBounded(t *testing.T) {
	cat := mustCatalog(t)
	var many []domain.Request
	for i := range 27 {
		r := partlyApproved(cat)
		r.ID = int64(100 + i)
		many = append(many, r)
	}
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		for name, c := range map[string]*Card{
			"pending": PendingApprovals(p, PendingInput{Requests: many, Now: adminNow}),
			"grants":  GrantTasks(p, GrantListInput{Requests: many, Now: adminNow}),
		} {
			m := decoded(t, c)
			if n := len(nodes(m["body"], "Action.Execute")); n != MaxListRows {
				t.Errorf("%s: %d rows, want %d", name, n, MaxListRows)
			}
			if all := strings.Join(strs(m), "\n"); !strings.Contains(all, p.Format("admin.list.more", "n", "7")) {
				t.Errorf("%s: no \"and 7 more\"", name)
			}
		}
	})
}

func TestListsEmptyAndRefresh(t *testing.T) {
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		for verb, c := range map[string]*Card{
			VerbApprovalList: PendingApprovals(p, PendingInput{Now: adminNow}),
			VerbGrantList:    GrantTasks(p, GrantListInput{Now: adminNow}),
		} {
			m := decoded(t, c)
			if rows := nodes(m["body"], "Action."); len(rows) != 0 {
				t.Errorf("empty list has rows %v", rows)
			}
			if len(c.Actions) != 1 || c.Actions[0].Verb != verb {
				t.Errorf("refresh action %+v, want %s", c.Actions, verb)
			}
			if fmt.Sprint(m["actions"].([]any)[0].(map[string]any)["data"]) != "map[]" {
				t.Errorf("list refresh data should be {}, got %v", m["actions"])
			}
			if len(c.Body) != 2 {
				t.Errorf("empty list should be a heading and one sentence, got %d elements", len(c.Body))
			}
		}
	})
}

// weeklyInput is a digest with something in every section.
func weeklyInput(cat *catalog.Catalog) DigestInput {
	c := completedRequest(cat)
	var ending []domain.Mandate
	for _, it := range c.Items {
		if it.State == domain.ItemGranted {
			m := c.MandateFor(&it)
			m.ValidUntil = adminNow.AddDate(0, 0, 20)
			ending = append(ending, m)
		}
	}
	return DigestInput{Catalog: cat, Grants: grantQueue(cat), Ending: ending, Approval: pendingRequests(cat), Horizon: 60, Now: adminNow}
}

func TestWeeklyDigestListsEverySection(t *testing.T) {
	cat := mustCatalog(t)
	in := weeklyInput(cat)
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		all := strings.Join(strs(decoded(t, WeeklyDigest(p, in))), "\n")
		for _, want := range []string{p.Get("digest.why"), p.Format("digest.grants", "n", strconv.Itoa(len(in.Grants))),
			p.Format("digest.ending", "n", strconv.Itoa(len(in.Ending)), "days", "60"),
			p.Format("digest.approvals", "n", strconv.Itoa(len(in.Approval))), in.Grants[0].Reference(), in.Approval[0].Reference(),
			Date(p.Lang, in.Ending[0].ValidUntil)} {
			if !strings.Contains(all, want) {
				t.Errorf("digest lacks %q", want)
			}
		}
	})
}
