package cards

import (
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, lifeGolden) }

var (
	lifeToday = time.Date(2027, 3, 15, 0, 0, 0, 0, time.UTC)
	lifeSince = time.Date(2027, 3, 15, 6, 0, 0, 0, time.UTC)
)

// leaverMandates are two mandates of a leaver.
func leaverMandates() []domain.Mandate {
	d := func(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }
	return []domain.Mandate{
		{ID: 7, HolderID: "7c1e4a52-0000-4000-8000-000000000001", HolderName: "Elina Lindholm", ThemeID: "tulorekisteri-palkkatiedot-ilmoittaminen",
			ValidFrom: d(2026, 11, 25), ValidUntil: d(2027, 12, 31), State: domain.MandateActive},
		{ID: 8, HolderID: "7c1e4a52-0000-4000-8000-000000000001", HolderName: "Elina Lindholm", ThemeID: "tilastokeskus-tiedonkeruut",
			ValidFrom: d(2026, 11, 25), ValidUntil: d(2027, 12, 31), State: domain.MandateActive},
	}
}

func lifeGolden() map[string]func(p i18n.Printer) *Card {
	cat := defaultCatalog()
	ms := leaverMandates()
	leaver := func(reminder int, open, done []domain.Mandate) func(p i18n.Printer) *Card {
		return func(p i18n.Printer) *Card {
			return LeaverTask(p, LeaverTaskInput{Catalog: cat, PersonID: ms[0].HolderID, Name: "Elina Lindholm", Open: open,
				Done: done, Reminder: reminder, Today: lifeToday, Since: lifeSince, MayConfirm: true})
		}
	}
	alert := func(a domain.ContinuityAlert) func(p i18n.Printer) *Card {
		return func(p i18n.Printer) *Card { return ContinuityAlert(p, ContinuityInput{Catalog: cat, Alert: a}) }
	}
	return map[string]func(p i18n.Printer) *Card{
		"joiner-welcome": func(p i18n.Printer) *Card {
			return JoinerWelcome(p, JoinerWelcomeInput{Catalog: cat, Roles: []string{"palkkasihteeri"}})
		},
		"joiner-welcome-norole": func(p i18n.Printer) *Card { return JoinerWelcome(p, JoinerWelcomeInput{Catalog: cat}) },
		"joiner-notice": func(p i18n.Printer) *Card {
			return JoinerNotice(p, JoinerNoticeInput{Catalog: cat, Notice: domain.JoinerNotice{Person: "x", Name: "Noora Uusi",
				JobTitle: "Palkkasihteeri", Department: "Talous- ja henkilöstöpalvelut", Roles: []string{"palkkasihteeri"}}})
		},
		"joiner-notice-norole": func(p i18n.Printer) *Card {
			return JoinerNotice(p, JoinerNoticeInput{Catalog: cat, Notice: domain.JoinerNotice{Person: "x", Name: "Olli Opettaja",
				JobTitle: "Rehtori", Department: "Sivistyspalvelut"}})
		},
		"leaver-task":          leaver(0, ms, nil),
		"leaver-task-reminder": leaver(2, ms[1:], ms[:1]),
		"leaver-task-final":    leaver(0, nil, ms),
		"continuity-few": alert(domain.ContinuityAlert{Reason: domain.ContinuityFewHolders,
			Themes: []string{"tilastokeskus-tiedonkeruut"}}),
		"continuity-ending": alert(domain.ContinuityAlert{Reason: domain.ContinuityRightEnding, Holder: "h",
			HolderName: "Helena Åberg", Themes: []string{"vero-veroasiat", "tulorekisteri-palkkatiedot-ilmoittaminen"},
			Until: domain.NewDate(2027, 4, 30)}),
		"continuity-left": alert(domain.ContinuityAlert{Reason: domain.ContinuityHolderLeft, Holder: "h",
			HolderName: "Helena Åberg", Themes: []string{"vero-veroasiat"}, Until: domain.NewDate(2028, 6, 30)}),
		"continuity-moved": alert(domain.ContinuityAlert{Reason: domain.ContinuityHolderMoved, Holder: "h",
			HolderName: "Helena Åberg", Themes: []string{"vero-veroasiat"}, Until: domain.NewDate(2028, 6, 30)}),
		"myteam": func(p i18n.Printer) *Card {
			r := payrollRequest(cat)
			return MyTeam(p, MyTeamInput{Catalog: cat, Today: lifeToday, Members: []TeamMember{
				{User: domain.User{DisplayName: "Elina Lindholm", JobTitle: "Palkkasihteeri"}, Mandates: ms, Requests: []domain.Request{r}, OpenReviews: 2},
				{User: domain.User{DisplayName: "Noora Uusi", JobTitle: "Palkkasihteeri"}},
			}})
		},
		"myteam-none": func(p i18n.Printer) *Card { return MyTeam(p, MyTeamInput{Catalog: cat, Today: lifeToday}) },
		// One mandate of a leaver's task opened from the mandate list: the bot opened it, not a person.
		"leaver-single-task": func(p i18n.Printer) *Card {
			return InvalidationTask(p, InvalidationTaskInput{Catalog: cat, View: MandateView{Mandate: ms[0], Today: lifeToday,
				Invalidation: domain.Invalidation{MandateID: ms[0].ID, RequestedBy: domain.SystemActor,
					RequestedRole: domain.InvalidationByMainUser, RequestedAt: lifeSince, Reason: "Lähtenyt"}},
				OrgName: porvoo, BusinessID: "1061512-1", MayConfirm: true})
		},
	}
}

// The welcome opens the intake with the one role profile that matches; with several or none, the intake opens
// without one. It promises only the intake.
func TestJoinerWelcomeOpensTheIntake(t *testing.T) {
	cat := mustCatalog(t)
	for roles, want := range map[string]string{"palkkasihteeri": "palkkasihteeri", "": "", "palkkasihteeri,kirjanpitaja": ""} {
		var ids []string
		if roles != "" {
			ids = strings.Split(roles, ",")
		}
		c := JoinerWelcome(bundle.Printer(domain.Finnish), JoinerWelcomeInput{Catalog: cat, Roles: ids})
		if len(c.Actions) != 1 || c.Actions[0].Verb != VerbIntakeOpen || c.Actions[0].Data.(IntakeData).RoleID != want {
			t.Errorf("roles %q: actions %+v", roles, c.Actions)
		}
	}
}

// The leaver's task lists every open mandate as a ticked toggle and confirms them with one verb naming the leaver
// and those mandates; a reader who is not a main user gets the list without the form.
func TestLeaverTaskConfirmsEveryMandate(t *testing.T) {
	cat := mustCatalog(t)
	ms := leaverMandates()
	eachLang(t, func(t *testing.T, p i18n.Printer) {
		c := LeaverTask(p, LeaverTaskInput{Catalog: cat, PersonID: ms[0].HolderID, Name: "Elina Lindholm", Open: ms,
			Today: lifeToday, Since: lifeSince, MayConfirm: true})
		m := decoded(t, c)
		toggles := nodes(m, "Input.Toggle")
		if len(toggles) != 2 || toggles[0]["id"] != "mandate_7" || toggles[1]["id"] != "mandate_8" || toggles[0]["value"] != "true" {
			t.Errorf("toggles: %v", toggles)
		}
		if len(c.Actions) != 1 || c.Actions[0].Verb != VerbLeaverDone {
			t.Fatalf("actions: %+v", c.Actions)
		}
		if d := c.Actions[0].Data.(LeaverData); d.PersonID != ms[0].HolderID || len(d.Mandates) != 2 {
			t.Errorf("data: %+v", d)
		}
		all := strings.Join(strs(m), "\n")
		basket := map[domain.Lang]string{domain.Finnish: "valintakori", domain.Swedish: "urvalskorg", domain.English: "selection basket"}[p.Lang]
		if !strings.Contains(all, basket) || !strings.Contains(all, SuomiFiMandatesURL) {
			t.Errorf("the steps lack the selection basket or the link:\n%s", all)
		}
		ro := LeaverTask(p, LeaverTaskInput{Catalog: cat, Name: "Elina Lindholm", Open: ms, Today: lifeToday, Since: lifeSince})
		if len(ro.Actions) != 0 || len(nodes(decoded(t, ro), "Input.")) != 0 {
			t.Errorf("a reader who is not a main user got the form")
		}
	})
}

// A person with no reports is told so; the view lists each person's mandates with their end and waiting requests.
func TestMyTeamListsPeopleMandatesAndRequests(t *testing.T) {
	cat := mustCatalog(t)
	p := bundle.Printer(domain.English)
	none := strings.Join(strs(decoded(t, MyTeam(p, MyTeamInput{Catalog: cat, Today: lifeToday}))), "\n")
	if !strings.Contains(none, "no team to show") {
		t.Errorf("empty view: %s", none)
	}
	ms := leaverMandates()
	all := strings.Join(strs(decoded(t, MyTeam(p, MyTeamInput{Catalog: cat, Today: lifeToday, Members: []TeamMember{
		{User: domain.User{DisplayName: "Elina Lindholm"}, Mandates: ms, Requests: []domain.Request{payrollRequest(cat)}}}}))), "\n")
	for _, want := range []string{"Elina Lindholm", "31 Dec 2027", "VB-2026-0042", "Waiting for approval"} {
		if !strings.Contains(all, want) {
			t.Errorf("view lacks %q:\n%s", want, all)
		}
	}
}

func init() { evilSets = append(evilSets, lifeEvil) }

// lifeEvil are the joiner, leaver, continuity and team cards built from hostile directory data.
func lifeEvil() map[string]evilCard {
	cat := defaultCatalog()
	ms := leaverMandates()
	for i := range ms {
		ms[i].HolderName = evil("holder")
	}
	return map[string]evilCard{
		"life-joiner-welcome": {"JoinerWelcome", nil, func(p i18n.Printer) *Card {
			return JoinerWelcome(p, JoinerWelcomeInput{Catalog: cat, Roles: []string{"palkkasihteeri"}})
		}},
		"life-joiner-notice": {"JoinerNotice", []string{"name", "jobtitle", "department"}, func(p i18n.Printer) *Card {
			return JoinerNotice(p, JoinerNoticeInput{Catalog: cat, Notice: domain.JoinerNotice{Name: evil("name"),
				JobTitle: evil("jobtitle"), Department: evil("department"), Roles: []string{"palkkasihteeri"}}})
		}},
		"life-leaver-task": {"LeaverTask", []string{"name"}, func(p i18n.Printer) *Card {
			return LeaverTask(p, LeaverTaskInput{Catalog: cat, PersonID: "x", Name: evil("name"), Open: ms,
				Today: lifeToday, Since: lifeSince, MayConfirm: true})
		}},
		"life-continuity": {"ContinuityAlert", []string{"holder"}, func(p i18n.Printer) *Card {
			return ContinuityAlert(p, ContinuityInput{Catalog: cat, Alert: domain.ContinuityAlert{
				Reason: domain.ContinuityHolderLeft, HolderName: evil("holder"), Themes: []string{"vero-veroasiat"}}})
		}},
		"life-myteam": {"MyTeam", []string{"name", "jobtitle"}, func(p i18n.Printer) *Card {
			return MyTeam(p, MyTeamInput{Catalog: cat, Today: lifeToday, Members: []TeamMember{
				{User: domain.User{DisplayName: evil("name"), JobTitle: evil("jobtitle")}, Mandates: ms}}})
		}},
	}
}
