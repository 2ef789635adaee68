package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

const holdersOrg = `granting_right_holders:
  - id: 7c1e4a52-0000-4000-8000-000000000004
    until: 2029-12-31
    themes: [alpha, beta]
  - id: 7c1e4a52-0000-4000-8000-000000000003
    until: 2027-04-30
    themes: [beta]
`

// With holders, the covered themes are the holders' themes together (one truth): a theme outside every holder's
// right is not covered, so its request waits for the right to grant as before.
func TestHoldersDeriveTheCoveredThemes(t *testing.T) {
	fsys := baseFS()
	edit(t, fsys, "organisation.yaml", "covered_themes: [alpha, beta]\n", holdersOrg)
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Org.CoveredThemes, []string{"alpha", "beta"}) || c.Org.Covers("gamma") || !c.Org.Covers("alpha") {
		t.Errorf("covered themes %v", c.Org.CoveredThemes)
	}
	h, ok := c.Org.RightHolder("7C1E4A52-0000-4000-8000-000000000003")
	if !ok || h.Until != domain.NewDate(2027, 4, 30) || !slices.Equal(h.Themes, []string{"beta"}) {
		t.Errorf("holder: %+v, %v", h, ok)
	}
	// Alpha has one holder, beta two until Helena's right ends on 30.4.2027.
	day := domain.NewDate(2027, 4, 30)
	if got := c.Org.ThinThemes([]string{"alpha", "beta", "alpha"}, day, nil); !slices.Equal(got, []string{"alpha"}) {
		t.Errorf("thin themes on the last day: %v", got)
	}
	if got := c.Org.ThinThemes([]string{"alpha", "beta"}, day.AddDays(1), nil); !slices.Equal(got, []string{"alpha", "beta"}) {
		t.Errorf("thin themes the day after: %v", got)
	}
	gone := func(id string) bool { return id == "7c1e4a52-0000-4000-8000-000000000004" }
	if got := c.Org.ThinThemes([]string{"beta"}, domain.NewDate(2027, 1, 1), gone); !slices.Equal(got, []string{"beta"}) {
		t.Errorf("thin themes when a holder left: %v", got)
	}
	if !h.EndsWithin(domain.NewDate(2027, 1, 30), 90) || h.EndsWithin(domain.NewDate(2027, 1, 29), 90) {
		t.Errorf("the 90 days before 30.4.2027 start on 30.1.2027")
	}
	// A right covers its themes until its last day: alpha until Mikael's ends (31.12.2029), then nothing.
	for d, want := range map[domain.Date]bool{domain.NewDate(2029, 12, 31): true, domain.NewDate(2030, 1, 1): false} {
		if got := c.Org.CoversOn("alpha", d); got != want {
			t.Errorf("alpha covered on %s: %v, want %v", d, got, want)
		}
	}
	if c.Org.CoversOn("gamma", domain.NewDate(2027, 1, 1)) {
		t.Errorf("gamma, no holder's theme, is covered")
	}
}

// The embedded organisation names its holders, and the covered themes are theirs.
func TestDefaultOrganisationHasHolders(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Org.RightHolders) < 2 || !slices.Equal(c.Org.CoveredThemes, domain.HolderCoverage(c.Org.RightHolders)) {
		t.Errorf("holders %d, covered %v", len(c.Org.RightHolders), c.Org.CoveredThemes)
	}
}

// Every mistake in the holders is reported with its line, and both lists at once are refused.
func TestHoldersAreValidated(t *testing.T) {
	fsys := baseFS()
	edit(t, fsys, "organisation.yaml", "covered_themes: [alpha, beta]\n", `covered_themes: [alpha]
granting_right_holders:
  - id: mikael
    until: 2029-12-31
    themes: [alpha, delta, alpha]
  - id: 7c1e4a52-0000-4000-8000-000000000003
    until: 30.4.2027
    themes: []
  - id: 7C1E4A52-0000-4000-8000-000000000003
    until: 2027-04-30
    themes: [beta]
`)
	_, err := Load(fsys)
	le := loadError(t, err)
	all := le.Error()
	for _, want := range []string{
		"covered_themes: must not be written together with granting_right_holders",
		`"mikael" is not an Entra object id`,
		`themes lists "alpha" twice`,
		`unknown theme "delta"`,
		`until "30.4.2027" must be the last day of the right as YYYY-MM-DD`,
		"names no themes",
		`lists "7C1E4A52-0000-4000-8000-000000000003" twice`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("errors lack %q:\n%s", want, all)
		}
	}
}

// A job title points to the role profiles whose name (in any language, without a remark in brackets) is the same
// words, or the title's words with more around them, or the other way round; parts of words never match.
func TestRolesForJobTitle(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	ids := func(title string) []string {
		var out []string
		for _, r := range c.RolesForJobTitle(title) {
			out = append(out, r.ID)
		}
		return out
	}
	for title, want := range map[string][]string{
		"Palkkasihteeri":                 {"palkkasihteeri"},
		"  PALKKASIHTEERI ":              {"palkkasihteeri"},
		"Vastaava palkkasihteeri":        {"palkkasihteeri"},
		"Lönesekreterare":                {"palkkasihteeri"},
		"Payroll clerk (part-time)":      {"palkkasihteeri"},
		"Palkkahallinnon esihenkilö":     {"palkkahallinnon-esihenkilo"},
		"Etuusasioiden käsittelijä":      {"etuusasioiden-kasittelija"},
		"Sihteeri":                       nil, // a part of "palkkasihteeri" is another job
		"Tietohallintopäällikkö":         nil,
		"":                               nil,
		"Talouspäällikkö / Kirjanpitäjä": {"kirjanpitaja", "talouspaallikko"},
	} {
		got := ids(title)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%q → %v, want %v", title, got, want)
		}
	}
}
