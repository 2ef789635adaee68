package catalog

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

func TestDefaultCatalog(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	if got := len(c.Themes); got != 22 {
		t.Errorf("themes = %d, want the 21 themes of valtuusasiat.csv and Valtiokonttori's", got)
	}
	if n := len(c.Tasks); n < 20 || n > 30 {
		t.Errorf("tasks = %d, want 20..30", n)
	}
	if c.Org.BusinessID != "1061512-1" || c.Org.Name.SV != "Borgå stad" || c.Org.DefaultLanguage != domain.Finnish {
		t.Errorf("organisation = %+v", c.Org)
	}
	if !c.Org.IsMainUser("7c1e4a52-0000-4000-8000-000000000004") {
		t.Errorf("Mikael Nordström is not a main user")
	}
	for dept, head := range map[string]string{
		"Talous- ja henkilöstöpalvelut": "7c1e4a52-0000-4000-8000-000000000003",
		"Sivistyspalvelut":              "7c1e4a52-0000-4000-8000-000000000009",
	} {
		if got := c.Org.DepartmentHeads[dept]; got != head {
			t.Errorf("head of %s = %q, want %q", dept, got, head)
		}
	}

	// Display names, copied from valtuusasiat.csv.
	for id, want := range map[string]domain.Text{
		"vero-veroasiat":                           {FI: "Veroasioiden hoitaminen", SV: "Skatteärenden", EN: "Managing of tax affairs"},
		"vero-veroilmoittaminen":                   {FI: "Veroilmoittaminen", SV: "Deklarering", EN: "Filing of tax returns and other reports"},
		"tulorekisteri-palkkatiedot-ilmoittaminen": {FI: "Palkkatietojen ilmoittaminen", SV: "Anmälan om löneuppgifter", EN: "Reporting earnings payment data"},
		"tulorekisteri-etuustiedot-katselu":        {FI: "Etuustietojen katselu", SV: "Granskning av förmånsuppgifter", EN: "Browsing benefits payment data"},
	} {
		th, ok := c.Theme(id)
		if !ok {
			t.Errorf("theme %q missing", id)
			continue
		}
		if th.Name != want {
			t.Errorf("theme %q name = %+v, want %+v", id, th.Name, want)
		}
	}
	// Suomi.fi's names are marked as such only where they were confirmed: the Incomes Register's Swedish names are
	// (vero.fi names them as Suomi.fi's), the Tax Administration's Swedish ones are not, and exactly these themes
	// have no confirmed Finnish name.
	if th, _ := c.Theme("tulorekisteri-palkkatiedot-ilmoittaminen"); th.OfficialName.SV != "Anmälan om löneuppgifter" {
		t.Errorf("Palkkatietojen ilmoittaminen official sv = %q", th.OfficialName.SV)
	}
	if th, _ := c.Theme("vero-veroasiat"); th.OfficialName.SV != "" || th.OwnName.SV != "Skatteärenden" {
		t.Errorf("Veroasioiden hoitaminen: Swedish name %+v / %+v, want it marked as not Suomi.fi's", th.OfficialName, th.OwnName)
	}
	var noOfficialFI []string
	for _, th := range c.Themes {
		if th.OfficialName.FI == "" {
			noOfficialFI = append(noOfficialFI, th.ID)
		}
	}
	if want := []string{"ansiotulot-maksajan-palkkatietojen-tilaus", "business-finland-yritysrahoitus", "valtiokonttori-kuntatalous"}; !reflect.DeepEqual(noOfficialFI, want) {
		t.Errorf("themes without a confirmed Finnish name = %v, want %v", noOfficialFI, want)
	}

	// The intake card shows every task with an everyday example (the catalog check holds all three languages).
	// It follows the task's own first-person words ("Hoidan… – esim. kun tarkistan…"), so it never turns to "you".
	for _, task := range c.Tasks {
		if task.Example.FI == "" {
			t.Errorf("task %q has no example: the intake card shows one after every task's name", task.ID)
		}
		for _, w := range strings.Fields(strings.ToLower(task.Example.FI + " " + task.Example.SV + " " + task.Example.EN)) {
			if slices.Contains([]string{"sinä", "sinun", "sinulle", "työtäsi", "du", "dig", "din", "ditt", "dina", "you", "your"}, strings.Trim(w, ",.")) {
				t.Errorf("task %q: the example speaks to the reader (%q); write it in the first person, as the task is", task.ID, w)
			}
		}
	}

	kela, ok := c.Theme("kela-etuustiedot-maksuvaatimukset")
	if !ok || kela.Name.FI != "Etuustietojen katselu ja maksuvaatimusten rekisteröinti" {
		t.Fatalf("Kela's Kelmu theme missing or renamed: %+v", kela)
	}
	// Mandate types as the agencies describe them: Kela asks for an asiointivaltuus for Kelmu, and the Luvat ja
	// valvonta authority-side theme reaches officials as an edustamisvaltuus.
	if kela.Type != domain.Asiointivaltuus {
		t.Errorf("Kelmu theme type = %q, want %q", kela.Type, domain.Asiointivaltuus)
	}
	if lv, _ := c.Theme("luvat-ja-valvonta-viranomaiskasittely"); lv.Type != domain.Edustamisvaltuus {
		t.Errorf("Luvat ja valvonta theme type = %q, want %q", lv.Type, domain.Edustamisvaltuus)
	}
	// Kela's warning from domain.md must show both ways.
	if !slices.Contains(kela.LookAlikes, "tulorekisteri-etuustiedot-katselu") {
		t.Errorf("Kelmu theme does not warn about the Incomes Register's Etuustietojen katselu")
	}
	if ir, _ := c.Theme("tulorekisteri-etuustiedot-katselu"); !slices.Contains(ir.LookAlikes, kela.ID) {
		t.Errorf("Incomes Register's Etuustietojen katselu does not warn about Kela's theme")
	}

	// Every theme is reachable from some task, and the "needs a new DVV application" path is demonstrable: some
	// themes are not covered, and each of them is reachable too.
	var all []string
	for _, task := range c.Tasks {
		all = append(all, task.ID)
	}
	needs := c.ThemesFor(all)
	if len(needs) != len(c.Themes) {
		var missing []string
		for _, th := range c.Themes {
			if !slices.ContainsFunc(needs, func(n ThemeNeed) bool { return n.Theme.ID == th.ID }) {
				missing = append(missing, th.ID)
			}
		}
		t.Errorf("themes no task implies: %v", missing)
	}
	var uncovered []string
	for _, n := range needs {
		if !n.Covered {
			uncovered = append(uncovered, n.Theme.ID)
		}
	}
	if len(uncovered) < 2 || len(uncovered) > 3 {
		t.Errorf("uncovered themes = %v, want 2 or 3", uncovered)
	}
	if len(c.Org.CoveredThemes)+len(uncovered) != len(c.Themes) {
		t.Errorf("covered %d + uncovered %d != %d themes", len(c.Org.CoveredThemes), len(uncovered), len(c.Themes))
	}
	// Municipal finance reporting goes to Valtiokonttori, and only there: the finance manager's role includes it,
	// and no task names municipal finance ("kuntatalou") while implying another agency's theme.
	if needs := c.ThemesFor([]string{"kuntatalouden-raportointi"}); len(needs) != 1 || needs[0].Theme.ID != "valtiokonttori-kuntatalous" ||
		!strings.HasPrefix(needs[0].Theme.Agency.FI, "Valtiokonttori") {
		t.Errorf("municipal finance reporting needs %v, want Valtiokonttori's theme only", needIDs(needs))
	}
	if fm, _ := c.Role("talouspaallikko"); !slices.Contains(fm.Tasks, "kuntatalouden-raportointi") {
		t.Errorf("the finance manager's role lacks municipal finance reporting")
	}
	for _, task := range c.Tasks {
		if !strings.Contains(strings.ToLower(task.Name.FI), "kuntatalou") {
			continue
		}
		for _, id := range task.Themes {
			if th, _ := c.Theme(id); !strings.HasPrefix(th.Agency.FI, "Valtiokonttori") {
				t.Errorf("task %s is about municipal finance but implies %s (%s)", task.ID, id, th.Agency.FI)
			}
		}
	}
	grants, ok := c.Role("avustuskoordinaattori")
	if !ok {
		t.Fatal("role avustuskoordinaattori missing")
	}
	if needs := c.ThemesFor(grants.Tasks); !slices.ContainsFunc(needs, func(n ThemeNeed) bool { return !n.Covered }) {
		t.Errorf("the grants coordinator's role needs no uncovered theme; the DVV application path is not demonstrable")
	}
}

func TestLoadDirMatchesDefault(t *testing.T) {
	want, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadDir("data")
	if err != nil {
		t.Fatalf("LoadDir: %v", err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadDir(data) differs from Default()")
	}

	_, err = LoadDir(t.TempDir() + "/nope")
	if !domain.IsCode(err, domain.EInvalid) || !strings.Contains(err.Error(), "catalog directory") {
		t.Errorf("LoadDir(missing) = %v, want an invalid catalog directory error", err)
	}
	_, err = LoadDir(t.TempDir())
	if le := loadError(t, err); len(le.Problems) != 4 {
		t.Errorf("empty directory: %d problems, want 4 missing files:\n%v", len(le.Problems), err)
	}
}

// The smallest valid catalog; broken catalogs are built from it by replacing snippets.
const (
	baseThemes = `themes:
  - id: alpha
    official_name: {fi: Alfa, sv: Alfa på svenska}
    own_name: {en: Alpha}
    agency: {fi: Virasto, sv: Verket, en: Agency}
    description: {fi: Kuvaus, sv: Beskrivning, en: Description}
    type: asiointivaltuus
    suomi_fi_url: https://www.suomi.fi/alpha
    sources: [https://www.suomi.fi/alpha]
    default_validity_months: 24
    max_validity_months: 60
    checked: 2026-12-03
    look_alikes: [beta]
    look_alike_warning: {fi: Varo, sv: Akta dig, en: Beware}
  - id: beta
    official_name: {fi: Beeta, sv: Beta på svenska, en: Beta}
    agency: {fi: Virasto, sv: Verket, en: Agency}
    description: {fi: Kuvaus, sv: Beskrivning, en: Description}
    type: asiointivaltuus
    suomi_fi_url: https://www.suomi.fi/beta
    default_validity_months: 36
    max_validity_months: 300
    checked: 2026-11-30
  - id: gamma
    official_name: {fi: Gamma}
    own_name: {sv: Gamma på svenska, en: Gamma}
    agency: {fi: Virasto, sv: Verket, en: Agency}
    description: {fi: Kuvaus, sv: Beskrivning, en: Description}
    type: asiointivaltuus
    suomi_fi_url: https://www.suomi.fi/gamma
    default_validity_months: 12
    max_validity_months: 12
    checked: 2025-01-15
    specifier_hint: {fi: Tarkenne, sv: Specifikation, en: Specifier}
`
	baseTasks = `areas:
  - id: area-one
    name: {fi: Alue, sv: Område, en: Area}
  - id: area-two
    name: {fi: Toinen, sv: Annat, en: Other}
tasks:
  - id: t1
    area: area-one
    name: {fi: Teen yhtä, sv: Jag gör ett, en: I do one}
    name_for_approver: {fi: tekee yhtä, sv: gör ett, en: does one}
    themes: [alpha, beta]
  - id: t2
    area: area-one
    name: {fi: Teen toista, sv: Jag gör annat, en: I do another}
    name_for_approver: {fi: tekee toista, sv: gör annat, en: does another}
    themes: [beta, gamma]
  - id: t3
    area: area-two
    name: {fi: Teen kolmatta, sv: Jag gör tredje, en: I do a third}
    name_for_approver: {fi: tekee kolmatta, sv: gör tredje, en: does a third}
    themes: [gamma]
`
	baseRoles = `roles:
  - id: r1
    name: {fi: Rooli, sv: Roll, en: Role}
    tasks: [t1, t2]
`
	baseOrg = `name: {fi: Porvoon kaupunki, sv: Borgå stad, en: City of Porvoo}
business_id: 1061512-1
default_language: fi
main_users: [7c1e4a52-0000-4000-8000-000000000004]
department_heads:
  Sivistyspalvelut: 7c1e4a52-0000-4000-8000-000000000009
covered_themes: [alpha, beta]
`
)

func baseFS() fstest.MapFS {
	return fstest.MapFS{
		"themes.yaml":       {Data: []byte(baseThemes)},
		"tasks.yaml":        {Data: []byte(baseTasks)},
		"roles.yaml":        {Data: []byte(baseRoles)},
		"organisation.yaml": {Data: []byte(baseOrg)},
	}
}

// edit replaces old with new in a file of fsys, failing the test when old is not there (so a case cannot silently
// test the unbroken catalog).
func edit(t *testing.T, fsys fstest.MapFS, file, old, new string) {
	t.Helper()
	s := string(fsys[file].Data)
	if !strings.Contains(s, old) {
		t.Fatalf("%s does not contain %q", file, old)
	}
	fsys[file] = &fstest.MapFile{Data: []byte(strings.Replace(s, old, new, 1))}
}

func loadError(t *testing.T, err error) *LoadError {
	t.Helper()
	if err == nil {
		t.Fatal("loaded without error")
	}
	if !domain.IsCode(err, domain.EInvalid) {
		t.Errorf("error kind = %q, want %q", domain.ErrorCode(err), domain.EInvalid)
	}
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("error %v does not wrap a *LoadError", err)
	}
	return le
}

func TestBaseCatalogLoads(t *testing.T) {
	c, err := Load(baseFS())
	if err != nil {
		t.Fatalf("base catalog: %v", err)
	}
	if len(c.Themes) != 3 || len(c.Tasks) != 3 || len(c.Roles) != 1 {
		t.Errorf("loaded %d themes, %d tasks, %d roles", len(c.Themes), len(c.Tasks), len(c.Roles))
	}
}

func TestLoadReportsProblems(t *testing.T) {
	type want struct{ file, text string } // each problem starts with file+":" and contains text
	tests := []struct {
		name   string
		break_ func(t *testing.T, fsys fstest.MapFS)
		want   []want
	}{
		{
			name: "YAML syntax error names the file and skips references into it",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				fsys["tasks.yaml"] = &fstest.MapFile{Data: []byte("tasks: [t1,\n")}
			},
			want: []want{{"tasks.yaml", "tasks.yaml:"}},
		},
		{
			name:   "missing file",
			break_: func(t *testing.T, fsys fstest.MapFS) { delete(fsys, "roles.yaml") },
			want:   []want{{"roles.yaml", "roles.yaml: file is missing"}},
		},
		{
			name: "empty file",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				fsys["organisation.yaml"] = &fstest.MapFile{Data: []byte("# nothing\n")}
			},
			want: []want{{"organisation.yaml", "file is empty"}},
		},
		{
			name: "top level is not a mapping",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				fsys["themes.yaml"] = &fstest.MapFile{Data: []byte("- alpha\n")}
			},
			want: []want{{"themes.yaml", "the top level must be a mapping"}},
		},
		{
			name: "two YAML documents",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				fsys["roles.yaml"] = &fstest.MapFile{Data: []byte(baseRoles + "---\nroles: []\n")}
			},
			want: []want{{"roles.yaml", "only one YAML document is allowed"}},
		},
		{
			name: "a periodic review without its first day",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "organisation.yaml", "default_language: fi\n", "default_language: fi\nreview:\n  every_months: 12\n")
			},
			want: []want{{"organisation.yaml", "review.first_on is required with review.every_months"}},
		},
		{
			name: "duplicate YAML key",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "organisation.yaml", "default_language: fi\n", "default_language: fi\ndefault_language: sv\n")
			},
			want: []want{{"organisation.yaml", `mapping key "default_language" already defined`}},
		},
		{
			name: "unknown fields are rejected, all of them",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "    default_validity_months: 36\n", "    default_validity_months: 36\n    colour: red\n")
				edit(t, fsys, "tasks.yaml", "    themes: [gamma]\n", "    themes: [gamma]\n    owner: me\n")
				edit(t, fsys, "organisation.yaml", "default_language: fi\n", "default_language: fi\ntimezone: Europe/Helsinki\n")
			},
			want: []want{
				{"themes.yaml", `theme "beta": unknown field "colour"`},
				{"tasks.yaml", `task "t3": unknown field "owner"`},
				{"organisation.yaml", `timezone: unknown field "timezone"`},
			},
		},
		{
			name: "wrong value type is reported, and validation still goes on",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "default_validity_months: 12", "default_validity_months: many")
			},
			want: []want{
				{"themes.yaml", `theme "gamma": cannot unmarshal !!str ` + "`many`" + ` into int`},
				{"themes.yaml", `theme "gamma": default_validity_months 0 is out of range 1..300`},
			},
		},
		{
			name: "duplicate, invalid and missing ids",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "  - id: gamma\n", "  - id: beta\n")
				edit(t, fsys, "tasks.yaml", "  - id: area-two\n", "  - id: Area_Two\n")
				edit(t, fsys, "roles.yaml", "  - id: r1\n", "  - id: \"\"\n")
			},
			want: []want{
				{"themes.yaml", `theme "beta": duplicate id, first defined at line 15`},
				{"tasks.yaml", `area "Area_Two": id "Area_Two" is not lower-case kebab-case`},
				{"tasks.yaml", `task "t2": unknown theme "gamma"`},
				{"tasks.yaml", `task "t3": unknown area "area-two"`},
				{"tasks.yaml", `task "t3": unknown theme "gamma"`},
				{"roles.yaml", `role #1: id is missing`},
			},
		},
		{
			name: "missing translations",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "official_name: {fi: Beeta, sv: Beta på svenska, en: Beta}", "official_name: {fi: Beeta, en: Beta}")
				edit(t, fsys, "themes.yaml", "    description: {fi: Kuvaus, sv: Beskrivning, en: Description}\n    type: asiointivaltuus\n    suomi_fi_url: https://www.suomi.fi/gamma", "    type: asiointivaltuus\n    suomi_fi_url: https://www.suomi.fi/gamma")
				edit(t, fsys, "themes.yaml", "specifier_hint: {fi: Tarkenne, sv: Specifikation, en: Specifier}", "specifier_hint: {fi: Tarkenne, sv: \"  \"}")
				edit(t, fsys, "tasks.yaml", "name: {fi: Alue, sv: Område, en: Area}", "name: {fi: Alue}")
				edit(t, fsys, "tasks.yaml", "name: {fi: Teen yhtä, sv: Jag gör ett, en: I do one}", "name: {sv: Jag gör ett}")
				edit(t, fsys, "roles.yaml", "name: {fi: Rooli, sv: Roll, en: Role}", "name: {}")
				edit(t, fsys, "organisation.yaml", "en: City of Porvoo", "en: \"\"")
			},
			want: []want{
				{"themes.yaml", `theme "beta": name is missing in sv: give official_name (as Suomi.fi shows it) or own_name (ours)`},
				{"themes.yaml", `theme "gamma": description is missing`},
				{"themes.yaml", `theme "gamma": specifier_hint is missing in sv, en`},
				{"tasks.yaml", `area "area-one": name is missing in sv, en`},
				{"tasks.yaml", `task "t1": name is missing in fi, en`},
				{"roles.yaml", `role "r1": name is missing`},
				{"organisation.yaml", `name is missing in en`},
			},
		},
		{
			name: "names: official or our own per language, the Finnish official name required, copied exactly",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "own_name: {en: Alpha}", "own_name: {sv: Alfa enligt oss, en: Alpha}")
				edit(t, fsys, "themes.yaml", "official_name: {fi: Beeta, sv: Beta på svenska, en: Beta}", "official_name: {fi: \" Beeta\", sv: Beta på svenska, en: Beta}")
				edit(t, fsys, "themes.yaml", "    official_name: {fi: Gamma}\n", "")
			},
			want: []want{
				{"themes.yaml", `theme "alpha": own_name.sv is set beside official_name.sv: give a language either Suomi.fi's name or our own, not both`},
				{"themes.yaml", `theme "beta": official_name.fi " Beeta" has surrounding spaces`},
				{"themes.yaml", `theme "gamma": official_name.fi is missing: give the Finnish name exactly as Suomi.fi shows it`},
			},
		},
		{
			name: "duplicate theme name in one language",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "en: Gamma}", "en: alpha}")
			},
			want: []want{{"themes.yaml", `theme "gamma": name.en "alpha" is also the name of theme "alpha"`}},
		},
		{
			name: "URLs must be https",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "suomi_fi_url: https://www.suomi.fi/beta", "suomi_fi_url: http://www.suomi.fi/beta")
				edit(t, fsys, "themes.yaml", "sources: [https://www.suomi.fi/alpha]", "sources: [https://www.suomi.fi/alpha, ftp://example.org/x, /relative]")
				edit(t, fsys, "themes.yaml", "    suomi_fi_url: https://www.suomi.fi/gamma\n", "")
			},
			want: []want{
				{"themes.yaml", `theme "alpha": sources[1] "ftp://example.org/x" must use https`},
				{"themes.yaml", `theme "alpha": sources[2] "/relative" must use https`},
				{"themes.yaml", `theme "beta": suomi_fi_url "http://www.suomi.fi/beta" must use https`},
				{"themes.yaml", `theme "gamma": suomi_fi_url is missing`},
			},
		},
		{
			name: "mandate type missing or unknown",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "    type: asiointivaltuus\n    suomi_fi_url: https://www.suomi.fi/alpha", "    suomi_fi_url: https://www.suomi.fi/alpha")
				edit(t, fsys, "themes.yaml", "    type: asiointivaltuus\n    suomi_fi_url: https://www.suomi.fi/beta", "    type: valtakirja\n    suomi_fi_url: https://www.suomi.fi/beta")
				edit(t, fsys, "themes.yaml", "    type: asiointivaltuus\n    suomi_fi_url: https://www.suomi.fi/gamma", "    type: edustamisvaltuus\n    suomi_fi_url: https://www.suomi.fi/gamma")
			},
			want: []want{
				{"themes.yaml", `theme "alpha": type is missing: give the mandate type employees receive, one of asiointivaltuus, edustamisvaltuus`},
				{"themes.yaml", `theme "beta": type "valtakirja" is not a mandate type: use one of asiointivaltuus, edustamisvaltuus`},
			},
		},
		{
			name: "default validity out of 1..300 months",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "default_validity_months: 24", "default_validity_months: 0")
				edit(t, fsys, "themes.yaml", "default_validity_months: 36", "default_validity_months: 301")
				edit(t, fsys, "themes.yaml", "default_validity_months: 12", "default_validity_months: 300")
			},
			want: []want{
				{"themes.yaml", `theme "alpha": default_validity_months 0 is out of range 1..300`},
				{"themes.yaml", `theme "beta": default_validity_months 301 is out of range 1..300`},
				{"themes.yaml", `theme "gamma": default_validity_months 300 is longer than max_validity_months 12`},
			},
		},
		{
			name: "max validity missing, out of range, shorter than the default",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "    max_validity_months: 60\n", "")
				edit(t, fsys, "themes.yaml", "max_validity_months: 300", "max_validity_months: 301")
				edit(t, fsys, "themes.yaml", "max_validity_months: 12", "max_validity_months: 6")
			},
			want: []want{
				{"themes.yaml", `theme "alpha": max_validity_months is missing: give the longest validity the organisation grants, 1..300 months`},
				{"themes.yaml", `theme "beta": max_validity_months 301 is out of range 1..300`},
				{"themes.yaml", `theme "gamma": default_validity_months 12 is longer than max_validity_months 6`},
			},
		},
		{
			name: "checked date missing or not a date",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "    checked: 2026-12-03\n", "")
				edit(t, fsys, "themes.yaml", "checked: 2026-11-30", "checked: 2026-13-01")
				edit(t, fsys, "themes.yaml", "checked: 2025-01-15", "checked: 15.1.2025")
			},
			want: []want{
				{"themes.yaml", `theme "alpha": checked is missing: give the day the theme was last checked against its sources, as YYYY-MM-DD`},
				{"themes.yaml", `theme "beta": checked "2026-13-01" is not a date: write it as YYYY-MM-DD`},
				{"themes.yaml", `theme "gamma": checked "15.1.2025" is not a date: write it as YYYY-MM-DD`},
			},
		},
		{
			name: "look-alikes: unknown, itself, twice, warning",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "look_alikes: [beta]", "look_alikes: [beta, alpha, beta, omega]")
				edit(t, fsys, "themes.yaml", "    default_validity_months: 36\n", "    default_validity_months: 36\n    look_alikes: [gamma]\n")
				edit(t, fsys, "themes.yaml", "    default_validity_months: 12\n", "    default_validity_months: 12\n    look_alike_warning: {fi: Varo}\n")
			},
			want: []want{
				{"themes.yaml", `theme "alpha": look_alikes lists the theme itself`},
				{"themes.yaml", `theme "alpha": look_alikes lists "beta" twice`},
				{"themes.yaml", `theme "alpha": look_alikes: unknown theme "omega"`},
				{"themes.yaml", `theme "beta": look_alike_warning is missing`},
				{"themes.yaml", `theme "gamma": look_alike_warning is set but look_alikes is empty`},
			},
		},
		{
			name: "tasks: unknown theme and area, no themes, hidden theme, repeated theme",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "tasks.yaml", "themes: [alpha, beta]", "themes: [alpha, foo, alpha]")
				edit(t, fsys, "tasks.yaml", "    area: area-two\n", "    area: nowhere\n")
				edit(t, fsys, "tasks.yaml", "themes: [beta, gamma]", "themes: []")
				edit(t, fsys, "themes.yaml", "    default_validity_months: 12\n", "    default_validity_months: 12\n    hidden: true\n")
			},
			want: []want{
				{"tasks.yaml", `task "t1": unknown theme "foo"`},
				{"tasks.yaml", `task "t1": themes lists "alpha" twice`},
				{"tasks.yaml", `task "t2": has no themes`},
				{"tasks.yaml", `task "t3": unknown area "nowhere"`},
				{"tasks.yaml", `task "t3": theme "gamma" is hidden`},
			},
		},
		{
			name: "tasks: the approver's wording is missing or in the first person",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "tasks.yaml", "    name_for_approver: {fi: tekee yhtä, sv: gör ett, en: does one}\n", "")
				edit(t, fsys, "tasks.yaml", "{fi: tekee toista, sv: gör annat, en: does another}", "{fi: tekee toista, sv: Jag gör annat, en: I do another}")
				edit(t, fsys, "tasks.yaml", "{fi: tekee kolmatta, sv: gör tredje, en: does a third}", "{fi: tekee kolmatta, en: does a third}")
			},
			want: []want{
				{"tasks.yaml", `task "t1": name_for_approver is missing`},
				{"tasks.yaml", `task "t2": name_for_approver in sv starts with "Jag"`},
				{"tasks.yaml", `task "t2": name_for_approver in en starts with "I"`},
				{"tasks.yaml", `task "t3": name_for_approver is missing in sv`},
			},
		},
		{
			name: "tasks: an example is optional, but then in every language and starting in lower case",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "tasks.yaml", "    name_for_approver: {fi: tekee yhtä, sv: gör ett, en: does one}\n",
					"    name_for_approver: {fi: tekee yhtä, sv: gör ett, en: does one}\n    example: {fi: joka maanantai, en: every Monday}\n")
				edit(t, fsys, "tasks.yaml", "    name_for_approver: {fi: tekee toista, sv: gör annat, en: does another}\n",
					"    name_for_approver: {fi: tekee toista, sv: gör annat, en: does another}\n    example: {fi: joka päivä, sv: Varje dag, en: every day}\n")
			},
			want: []want{
				{"tasks.yaml", `task "t1": example is missing in sv`},
				{"tasks.yaml", `task "t2": example.sv "Varje dag" starts in upper case`},
			},
		},
		{
			name: "tasks: missing area and empty lists",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				fsys["tasks.yaml"] = &fstest.MapFile{Data: []byte("areas: []\ntasks:\n  - id: lonely\n    name: {fi: a, sv: b, en: c}\n    name_for_approver: {fi: a, sv: b, en: c}\n    themes: [alpha]\n")}
				fsys["roles.yaml"] = &fstest.MapFile{Data: []byte("roles: []\n")}
			},
			want: []want{
				{"tasks.yaml", `tasks.yaml:1: no areas`},
				{"tasks.yaml", `task "lonely": area is missing`},
			},
		},
		{
			name: "roles: no tasks, unknown task",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "roles.yaml", "tasks: [t1, t2]", "tasks: [t1, t9]\n  - id: r2\n    name: {fi: Toinen, sv: Annan, en: Other}\n    tasks: []")
			},
			want: []want{
				{"roles.yaml", `role "r1": unknown task "t9"`},
				{"roles.yaml", `role "r2": has no tasks`},
			},
		},
		{
			name: "organisation: business id, language, people and themes",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				fsys["organisation.yaml"] = &fstest.MapFile{Data: []byte(`name: {fi: Porvoon kaupunki, sv: Borgå stad, en: City of Porvoo}
business_id: 1061512-2
default_language: de
main_users: [mikael@porvoo.example, 7c1e4a52-0000-4000-8000-000000000005, 7C1E4A52-0000-4000-8000-000000000005, 42]
department_heads:
  Sivistyspalvelut: Leo Sundqvist
  "": 7c1e4a52-0000-4000-8000-000000000003
covered_themes: [alpha, delta, alpha]
`)}
			},
			want: []want{
				{"organisation.yaml", `organisation.yaml:2: business_id: "1061512-2" is not a valid Y-tunnus`},
				{"organisation.yaml", `organisation.yaml:3: default_language: "de" must be fi, sv or en`},
				{"organisation.yaml", `main_users: "mikael@porvoo.example" is not an Entra object id (GUID)`},
				{"organisation.yaml", `main_users: lists "7C1E4A52-0000-4000-8000-000000000005" twice`},
				{"organisation.yaml", `main_users: "42" is not an Entra object id (GUID)`},
				{"organisation.yaml", `organisation.yaml:7: department_heads: has an empty department name`},
				{"organisation.yaml", `organisation.yaml:6: department_heads: head of "Sivistyspalvelut": "Leo Sundqvist" is not an Entra object id`},
				{"organisation.yaml", `covered_themes: unknown theme "delta"`},
				{"organisation.yaml", `covered_themes: lists "alpha" twice`},
			},
		},
		{
			name: "organisation: required fields missing",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				fsys["organisation.yaml"] = &fstest.MapFile{Data: []byte("name: {fi: Kunta, sv: Kommun, en: Municipality}\nmain_users: []\n")}
			},
			want: []want{
				{"organisation.yaml", `business_id: is missing`},
				{"organisation.yaml", `default_language: is missing`},
				{"organisation.yaml", `organisation.yaml:2: main_users: is empty`},
			},
		},
		{
			name: "problems in every file are reported at once",
			break_: func(t *testing.T, fsys fstest.MapFS) {
				edit(t, fsys, "themes.yaml", "default_validity_months: 24", "default_validity_months: 400")
				edit(t, fsys, "tasks.yaml", "themes: [gamma]", "themes: [zeta]")
				edit(t, fsys, "roles.yaml", "tasks: [t1, t2]", "tasks: [t1, t7]")
				edit(t, fsys, "organisation.yaml", "business_id: 1061512-1", "business_id: 1061512")
			},
			want: []want{
				{"themes.yaml", `theme "alpha": default_validity_months 400`},
				{"tasks.yaml", `task "t3": unknown theme "zeta"`},
				{"roles.yaml", `role "r1": unknown task "t7"`},
				{"organisation.yaml", `business_id: "1061512" is not a valid Y-tunnus`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := baseFS()
			tt.break_(t, fsys)
			_, err := Load(fsys)
			le := loadError(t, err)
			if len(le.Problems) != len(tt.want) {
				t.Fatalf("got %d problems, want %d:\n%v", len(le.Problems), len(tt.want), err)
			}
			for i, w := range tt.want {
				got := le.Problems[i].String()
				if le.Problems[i].File != w.file || !strings.HasPrefix(got, w.file+":") || !strings.Contains(got, w.text) {
					t.Errorf("problem %d = %q, want file %s and text %q", i, got, w.file, w.text)
				}
			}
			if !strings.Contains(err.Error(), le.Problems[0].String()) {
				t.Errorf("error text %q does not list the problems", err.Error())
			}
		})
	}
}

// Each language's display name is Suomi.fi's where the catalog has it, else our own; an unconfirmed Finnish name
// may stand in as own_name.fi, and then no official Finnish name is claimed.
func TestThemeNames(t *testing.T) {
	fsys := baseFS()
	edit(t, fsys, "themes.yaml", "    official_name: {fi: Gamma}\n    own_name: {sv: Gamma på svenska, en: Gamma}", "    own_name: {fi: Gamma meidän, sv: Gamma på svenska, en: Gamma}")
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	alpha, _ := c.Theme("alpha")
	if want := (domain.Text{FI: "Alfa", SV: "Alfa på svenska", EN: "Alpha"}); alpha.Name != want {
		t.Errorf("alpha name = %+v, want %+v", alpha.Name, want)
	}
	if alpha.OfficialName.EN != "" || alpha.OwnName.EN != "Alpha" {
		t.Errorf("alpha's English name must stay marked as ours: %+v / %+v", alpha.OfficialName, alpha.OwnName)
	}
	gamma, _ := c.Theme("gamma")
	if gamma.Name.FI != "Gamma meidän" || gamma.OfficialName != (domain.Text{}) {
		t.Errorf("gamma = %+v, official %+v: an unconfirmed Finnish name must not become official", gamma.Name, gamma.OfficialName)
	}
}

func TestProblemLinesPointAtTheEntry(t *testing.T) {
	fsys := baseFS()
	// gamma starts at line 24 of baseThemes; the unknown field lands on line 34, inside gamma.
	edit(t, fsys, "themes.yaml", "    specifier_hint:", "    bogus: 1\n    specifier_hint:")
	edit(t, fsys, "themes.yaml", "default_validity_months: 12", "default_validity_months: 0")
	_, err := Load(fsys)
	le := loadError(t, err)
	want := []Problem{
		{File: "themes.yaml", Line: 34, Entry: `theme "gamma"`, Message: `unknown field "bogus"`},
		{File: "themes.yaml", Line: 24, Entry: `theme "gamma"`, Message: "default_validity_months 0 is out of range 1..300 (Suomi.fi allows at most 25 years)"},
	}
	if !reflect.DeepEqual(le.Problems, want) {
		t.Errorf("problems =\n%#v\nwant\n%#v", le.Problems, want)
	}
	if got, want := le.Problems[0].String(), `themes.yaml:34: theme "gamma": unknown field "bogus"`; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got, want := (Problem{File: "roles.yaml", Message: "file is missing"}).String(), "roles.yaml: file is missing"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func mustLoadBase(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load(baseFS())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func needIDs(needs []ThemeNeed) []string {
	var out []string
	for _, n := range needs {
		ids := make([]string, 0, len(n.Tasks))
		for _, task := range n.Tasks {
			ids = append(ids, task.ID)
		}
		cov := "uncovered"
		if n.Covered {
			cov = "covered"
		}
		out = append(out, n.Theme.ID+"("+strings.Join(ids, ",")+") "+cov)
	}
	return out
}

func TestThemesFor(t *testing.T) {
	c := mustLoadBase(t)
	tests := []struct {
		name  string
		tasks []string
		want  []string
	}{
		{"none", nil, nil},
		{"unknown only", []string{"nope"}, nil},
		{"one task", []string{"t3"}, []string{"gamma(t3) uncovered"}},
		{"de-duplicated with every reason", []string{"t1", "t2"}, []string{"alpha(t1) covered", "beta(t1,t2) covered", "gamma(t2) uncovered"}},
		{"order and repeats of the input do not matter", []string{"t2", "nope", "t1", "t2", "t1"}, []string{"alpha(t1) covered", "beta(t1,t2) covered", "gamma(t2) uncovered"}},
		{"all", []string{"t3", "t2", "t1"}, []string{"alpha(t1) covered", "beta(t1,t2) covered", "gamma(t2,t3) uncovered"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := needIDs(c.ThemesFor(tt.tasks)); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ThemesFor(%v) = %v, want %v", tt.tasks, got, tt.want)
			}
		})
	}
	// The needs carry the full theme, not just its id.
	if n := c.ThemesFor([]string{"t1"}); n[0].Theme.Name.SV != "Alfa på svenska" || n[0].Tasks[0].Name.EN != "I do one" {
		t.Errorf("ThemesFor lost data: %+v", n[0])
	}
}

func TestLookups(t *testing.T) {
	c := mustLoadBase(t)
	if th, ok := c.Theme("beta"); !ok || th.Name.FI != "Beeta" || th.DefaultValidityMonths != 36 || th.MaxValidityMonths != 300 ||
		th.Checked != domain.NewDate(2026, time.November, 30) {
		t.Errorf("Theme(beta) = %+v, %v", th, ok)
	}
	if _, ok := c.Theme("nope"); ok {
		t.Errorf("Theme(nope) found")
	}
	if task, ok := c.Task("t2"); !ok || !reflect.DeepEqual(task.Themes, []string{"beta", "gamma"}) {
		t.Errorf("Task(t2) = %+v, %v", task, ok)
	}
	if _, ok := c.Task("alpha"); ok {
		t.Errorf("Task(alpha) found: ids of different kinds must not mix")
	}
	if r, ok := c.Role("r1"); !ok || !reflect.DeepEqual(r.Tasks, []string{"t1", "t2"}) {
		t.Errorf("Role(r1) = %+v, %v", r, ok)
	}
	if a, ok := c.Area("area-two"); !ok || a.Name.SV != "Annat" {
		t.Errorf("Area(area-two) = %+v, %v", a, ok)
	}
	if got := c.LookAlikes("alpha"); len(got) != 1 || got[0].ID != "beta" {
		t.Errorf("LookAlikes(alpha) = %+v", got)
	}
	if got := c.LookAlikes("gamma"); len(got) != 0 {
		t.Errorf("LookAlikes(gamma) = %+v", got)
	}

	var groups []string
	for _, g := range c.TasksByArea() {
		ids := make([]string, 0, len(g.Tasks))
		for _, task := range g.Tasks {
			ids = append(ids, task.ID)
		}
		groups = append(groups, g.Area.ID+":"+strings.Join(ids, ","))
	}
	if want := []string{"area-one:t1,t2", "area-two:t3"}; !reflect.DeepEqual(groups, want) {
		t.Errorf("TasksByArea = %v, want %v", groups, want)
	}
}

func TestTasksByAreaSkipsEmptyAreas(t *testing.T) {
	fsys := baseFS()
	edit(t, fsys, "tasks.yaml", "    area: area-two\n", "    area: area-one\n")
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.TasksByArea(); len(got) != 1 || got[0].Area.ID != "area-one" || len(got[0].Tasks) != 3 {
		t.Errorf("TasksByArea = %+v", got)
	}
}

func TestValidBusinessID(t *testing.T) {
	valid := []string{
		"1061512-1", // City of Porvoo
		"0201256-6", // City of Helsinki
		"0112038-9", // Nokia Oyj
		"0000000-0", // sum divisible by 11: check digit 0
	}
	for _, id := range valid {
		if !ValidBusinessID(id) {
			t.Errorf("ValidBusinessID(%q) = false, want true", id)
		}
	}
	invalid := []string{
		"", "1061512-2", "1061512-0", "0201256-5", // wrong check digit
		"0000006-0", "0000006-1", "0000006-9", // remainder 1: never issued
		"10615121", "1061512_1", "106151-1", "01061512-1", "1061512-", "1061512-11",
		" 1061512-1", "1061512-1 ", "1061512-1\n", "106151a-1", "1061512-a", "FI10615121",
		"١٠٦١٥١٢-١", // Arabic-Indic digits are not ASCII digits
	}
	for _, id := range invalid {
		if ValidBusinessID(id) {
			t.Errorf("ValidBusinessID(%q) = true, want false", id)
		}
	}
}

func TestValidID(t *testing.T) {
	for _, id := range []string{"a", "vero-veroasiat", "t1", "kela-2024-x", strings.Repeat("a", 80)} {
		if !ValidID(id) {
			t.Errorf("ValidID(%q) = false", id)
		}
	}
	for _, id := range []string{"", "-a", "a-", "a--b", "A", "vero_veroasiat", "vero veroasiat", "päivärahat", strings.Repeat("a", 81)} {
		if ValidID(id) {
			t.Errorf("ValidID(%q) = true", id)
		}
	}
}

func TestValidGUID(t *testing.T) {
	for _, s := range []string{"7c1e4a52-0000-4000-8000-000000000004", "7C1E4A52-ABCD-4000-8000-00000000000F"} {
		if !validGUID(s) {
			t.Errorf("validGUID(%q) = false", s)
		}
	}
	for _, s := range []string{"", "7c1e4a52000040008000000000000004", "7c1e4a52-0000-4000-8000-00000000000g", "{7c1e4a52-0000-4000-8000-000000000004}", "7c1e4a52-0000-4000-8000_000000000004"} {
		if validGUID(s) {
			t.Errorf("validGUID(%q) = true", s)
		}
	}
}
