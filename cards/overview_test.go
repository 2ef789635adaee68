package cards

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, overviewGolden) }

// busyOverview is the city on an ordinary week: 263 mandates, a few ending soon, some work waiting.
func busyOverview() domain.Overview {
	return domain.Overview{
		RequestsByState: map[domain.RequestState]int{
			domain.RequestPending: 4, domain.RequestApproved: 3, domain.RequestCompleted: 118, domain.RequestRejected: 9,
			// cancelled: none, and the card must still say 0
		},
		ActiveMandates:    263,
		EndingWithin30:    6,
		EndingWithin90:    17,
		OpenGrantTasks:    5,
		OpenInvalidations: 6,
		TopDepartments: []domain.DepartmentCount{
			{Department: "Talous- ja henkilöstöpalvelut", Mandates: 71},
			{Department: "Sivistyspalvelut", Mandates: 54},
			{Department: "Kaupunkikehitys", Mandates: 38},
			{Department: "Konsernihallinto", Mandates: 33},
			{Department: "Elinvoimapalvelut", Mandates: 29},
			{Department: "Tietohallinto", Mandates: 12},
			{Department: "", Mandates: 4},
		},
	}
}

// invalidationQueue is six open invalidation tasks, oldest first: a leaver's, a supervisor's request, a main user's
// and three more (the overview names five).
func invalidationQueue() []domain.MandateLife {
	task := func(id int64, name, department, theme, by string, role domain.InvalidationRole, at time.Time) domain.MandateLife {
		return domain.MandateLife{Today: domain.DateOf(adminToday),
			Mandate: domain.Mandate{ID: id, HolderID: fmt.Sprintf("7c1e4a52-0000-4000-8000-%012d", 100+id),
				HolderName: name, Department: department, ThemeID: theme, State: domain.MandateActive,
				ValidFrom: time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
			Invalidation: domain.Invalidation{MandateID: id, RequestedBy: by, RequestedRole: role, RequestedAt: at, Reason: "Lähti"}}
	}
	return []domain.MandateLife{
		task(71, "Pekka Laine", "Sivistyspalvelut", "kela-tyonantaja-etuuksien-hakeminen", domain.SystemActor,
			domain.InvalidationByMainUser, time.Date(2026, 11, 3, 6, 0, 0, 0, time.UTC)),
		task(64, "Anna Virtanen", "Talous- ja henkilöstöpalvelut", "tulorekisteri-palkkatiedot-ilmoittaminen", mandateBoss,
			domain.InvalidationBySupervisor, time.Date(2026, 11, 18, 9, 30, 0, 0, time.UTC)),
		task(80, "Jussi *Kallio*", "", "vero-veroasiat", mandateMain, domain.InvalidationByMainUser,
			time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)),
		task(81, "Jussi *Kallio*", "", "vero-veroilmoittaminen", mandateMain, domain.InvalidationByMainUser,
			time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)),
		task(90, "Tuula Salo", "Kaupunkikehitys", "tilastokeskus-tiedonkeruut", mandateMain, domain.InvalidationByMainUser,
			time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)),
		task(91, "Tuula Salo", "Kaupunkikehitys", "ely-valtionavustukset-hakeminen", mandateMain, domain.InvalidationByMainUser,
			time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)),
	}
}

func overviewGolden() map[string]func(p i18n.Printer) *Card {
	return map[string]func(p i18n.Printer) *Card{
		"overview": func(p i18n.Printer) *Card {
			return Overview(p, OverviewInput{Overview: busyOverview(), Today: adminToday, Catalog: defaultCatalog(),
				Ending: weeklyInput(defaultCatalog()).Ending, Oldest: grantQueue(defaultCatalog())})
		},
		"overview-invalidations": func(p i18n.Printer) *Card {
			return Overview(p, OverviewInput{Overview: busyOverview(), Today: adminToday, Catalog: defaultCatalog(),
				Invalidations: invalidationQueue()})
		},
		"overview-quiet": func(p i18n.Printer) *Card { return Overview(p, OverviewInput{Today: adminToday}) },
	}
}

func TestOverviewShowsEveryStateWithZeros(t *testing.T) {
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		m := decoded(t, Overview(p, OverviewInput{Overview: busyOverview(), Today: adminToday}))
		facts := map[string]string{}
		for _, fs := range nodes(m, "FactSet") {
			for _, f := range fs["facts"].([]any) {
				f := f.(map[string]any)
				facts[f["title"].(string)] = f["value"].(string)
			}
		}
		want := map[domain.RequestState]string{domain.RequestPending: "4", domain.RequestApproved: "3",
			domain.RequestCompleted: "118", domain.RequestRejected: "9", domain.RequestCancelled: "0"}
		for s, n := range want {
			if got := facts[p.Get("admin.reqstate."+string(s))]; got != n {
				t.Errorf("state %s shows %q, want %q", s, got, n)
			}
		}
		if facts[p.Get("admin.overview.active")] != "263" || facts[p.Get("admin.overview.ending90")] != "17" {
			t.Errorf("mandate facts %v", facts)
		}
		if facts[p.Get("admin.overview.invalidation_tasks")] != "6" {
			t.Errorf("open invalidation tasks show %q, want 6", facts[p.Get("admin.overview.invalidation_tasks")])
		}
		if len(facts) != 5+5+MaxOverviewDepartments {
			t.Errorf("%d facts: departments should be capped at %d", len(facts), MaxOverviewDepartments)
		}
	})
}

func TestOverviewAttentionOnlyWhenMandatesEndSoon(t *testing.T) {
	p := bundle.Printer(domain.Finnish)
	count := func(o domain.Overview) int {
		n := 0
		for _, c := range nodes(decoded(t, Overview(p, OverviewInput{Overview: o, Today: adminToday})), "Container") {
			if c["style"] == "attention" {
				n++
			}
		}
		return n
	}
	if n := count(busyOverview()); n != 1 {
		t.Errorf("%d attention boxes with 6 mandates ending, want 1", n)
	}
	quiet := busyOverview()
	quiet.EndingWithin30 = 0
	if n := count(quiet); n != 0 {
		t.Errorf("%d attention boxes with nothing ending, want 0", n)
	}
	if all := strings.Join(strs(decoded(t, Overview(p, OverviewInput{Overview: busyOverview(), Today: adminToday}))), "\n"); !strings.Contains(all, "6 valtuutta päättyy 30 päivän kuluessa") {
		t.Error("the alert should count the mandates")
	}
}

func TestOverviewActions(t *testing.T) {
	c := Overview(bundle.Printer(domain.English), OverviewInput{Overview: busyOverview(), Today: adminToday})
	if len(c.Actions) != 2 || c.Actions[0].Verb != VerbGrantList || c.Actions[1].Verb != VerbOverview {
		t.Errorf("actions %+v", c.Actions)
	}
	if c.Actions[0].Style != "positive" {
		t.Error("open grant tasks should stand out when there are some")
	}
	if q := Overview(bundle.Printer(domain.English), OverviewInput{Today: adminToday}); q.Actions[0].Style != "" {
		t.Error("no emphasis when there is nothing to do")
	}
}

// The overview names the mandates ending first and the oldest open grant tasks, each with a button that opens it.
func TestOverviewIsActionable(t *testing.T) {
	cat := mustCatalog(t)
	in := OverviewInput{Overview: busyOverview(), Today: adminToday, Catalog: cat, Ending: weeklyInput(cat).Ending, Oldest: grantQueue(cat)}
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		m := decoded(t, Overview(p, in))
		all := strings.Join(strs(m), "\n")
		for _, want := range []string{p.Get("admin.overview.ending_soonest"), p.Get("admin.overview.oldest_tasks"),
			in.Ending[0].HolderName, in.Oldest[0].Reference(), Date(p.Lang, in.Ending[0].ValidUntil)} {
			if !strings.Contains(all, want) {
				t.Errorf("overview lacks %q", want)
			}
		}
		verbs := map[string]int{}
		for _, a := range nodes(m, "Action.Execute") {
			verbs[a["verb"].(string)]++
		}
		if verbs[VerbInvalidationOpen] != min(len(in.Ending), OverviewRows) || verbs[VerbGrantOpen] != min(len(in.Oldest), OverviewRows) {
			t.Errorf("row buttons %v", verbs)
		}
	})
}

// The overview names the oldest open invalidation tasks, the first OverviewRows of them oldest first, each with the
// person, the theme's name and how long it has waited, and a button that opens the task.
func TestOverviewNamesOldestInvalidationTasks(t *testing.T) {
	cat := mustCatalog(t)
	queue := invalidationQueue()
	in := OverviewInput{Overview: busyOverview(), Today: adminToday, Catalog: cat, Invalidations: queue}
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		m := decoded(t, Overview(p, in))
		all := strings.Join(strs(m), "\n")
		for _, want := range []string{p.Get("admin.overview.oldest_invalidations"), "Pekka Laine", "Anna Virtanen",
			lookupTheme(cat, queue[0].Mandate.ThemeID).Name.In(p.Lang), `Jussi \*Kallio\*`,
			p.Format("admin.overview.invalidation_age", "age", plural(p, "admin.age.days", 22)),
			p.Format("admin.overview.invalidation_age", "age", p.Get("admin.age.today"))} {
			if !strings.Contains(all, want) {
				t.Errorf("overview lacks %q", want)
			}
		}
		if strings.Contains(all, lookupTheme(cat, queue[5].Mandate.ThemeID).Name.In(p.Lang)) {
			t.Errorf("overview names a sixth task")
		}
		var opened []float64
		for _, a := range nodes(m, "Action.Execute") {
			if a["verb"] == VerbInvalidationOpen {
				opened = append(opened, a["data"].(map[string]any)["mandateId"].(float64))
			}
		}
		if want := []float64{71, 64, 80, 81, 90}; !slices.Equal(opened, want) {
			t.Errorf("the rows' buttons open %v, want %v", opened, want)
		}
	})
	if q := strings.Join(strs(decoded(t, Overview(bundle.Printer(domain.English), OverviewInput{Today: adminToday}))), "\n"); strings.Contains(q, "Invalidation tasks") {
		t.Error("no heading without invalidation tasks")
	}
}
