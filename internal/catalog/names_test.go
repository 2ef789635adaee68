package catalog

import (
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

func TestMatchKey(t *testing.T) {
	for in, want := range map[string]string{
		"Palkkatietojen ilmoittaminen":          "palkkatietojen ilmoittaminen",
		"  PALKKATIETOJEN\u00a0 ilmoittaminen ": "palkkatietojen ilmoittaminen",
		"Palkkatietojen\tilmoittaminen\n":       "palkkatietojen ilmoittaminen",
		"Palkka\u200btietojen ilmoittaminen":    "palkkatietojen ilmoittaminen",
		"Tulorekisteri / palkkatiedot":          "tulorekisteri/palkkatiedot",
		"Tulorekisteri/palkkatiedot":            "tulorekisteri/palkkatiedot",
		"Kelmu – palvelu":                       "kelmu-palvelu",
		"loki-, rajapinta- ja":                  "loki-,rajapinta-ja",
		"\"Veroasiat\"":                         "veroasiat",
		"ＫＥＬＭＵ":                                 "kelmu",
		"Anmälan om löneuppgifter":              "anmälan om löneuppgifter",
		"ÅBO":                                   "åbo",
		"":                                      "",
		" \u00a0 ":                              "",
	} {
		if got := MatchKey(in); got != want {
			t.Errorf("MatchKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// The names main users write in their lists find the catalog's theme: exactly, in any case and spacing, in Swedish,
// by a synonym, and with a typo (flagged for checking); anything else finds nothing.
func TestThemeNamed(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, theme string
		how         NameMatch
	}{
		{"Palkkatietojen ilmoittaminen", "tulorekisteri-palkkatiedot-ilmoittaminen", MatchName},
		{"palkkatietojen  ILMOITTAMINEN\u00a0", "tulorekisteri-palkkatiedot-ilmoittaminen", MatchName},
		{"Anmälan om löneuppgifter", "tulorekisteri-palkkatiedot-ilmoittaminen", MatchName},
		{"tulorekisteri-palkkatiedot-ilmoittaminen", "tulorekisteri-palkkatiedot-ilmoittaminen", MatchName},
		{"Skatteärenden", "vero-veroasiat", MatchName},
		{"Kelmu", "kela-etuustiedot-maksuvaatimukset", MatchSynonym},
		{"KELMU", "kela-etuustiedot-maksuvaatimukset", MatchSynonym},
		{"Veroasiat", "vero-veroasiat", MatchSynonym},
		{"Tulorekisteri/palkkatiedot", "tulorekisteri-palkkatiedot-ilmoittaminen", MatchSynonym},
		{"Palkkatietojen ilmoitaminen", "tulorekisteri-palkkatiedot-ilmoittaminen", MatchSimilar},  // one letter
		{"Palkkatiet ojen ilmoittamine", "tulorekisteri-palkkatiedot-ilmoittaminen", MatchSimilar}, // two
		{"Veroasioiden hoitamienn", "vero-veroasiat", MatchSimilar},                                // a swap and one more
		{"Kelmuu palvelu", "kela-etuustiedot-maksuvaatimukset", MatchSimilar},                      // Kelmu-palvelu
		{"Kelmy", "kela-etuustiedot-maksuvaatimukset", MatchSimilar},                               // short: one letter
		{"Etuustietojen katselu ja maksuvaatimusten rekisteröinti", "kela-etuustiedot-maksuvaatimukset", MatchName},
		{"Etuustietojen katselu", "tulorekisteri-etuustiedot-katselu", MatchName}, // the look-alike stays apart
	} {
		m, ok := c.ThemeNamed(tt.name)
		if !ok || m.Theme.ID != tt.theme || m.How != tt.how {
			t.Errorf("ThemeNamed(%q) = %s %d %v, want %s %d", tt.name, m.Theme.ID, m.How, ok, tt.theme, tt.how)
		}
	}
	for _, name := range []string{"", "Kahvinkeitto", "Palkkatietojen ilmoittaminen ja muuta", "Kel", "Palkkatiet ojen ilmoitammien",
		"Vero"} {
		if m, ok := c.ThemeNamed(name); ok {
			t.Errorf("ThemeNamed(%q) = %s (%d), want none", name, m.Theme.ID, m.How)
		}
	}
}

// A typo as close to two themes is no match: the import never chooses between themes.
func TestThemeNamedRefusesATie(t *testing.T) {
	c := &Catalog{Themes: []domain.Theme{
		{ID: "a", OfficialName: domain.Text{FI: "Abcdefgh"}},
		{ID: "b", OfficialName: domain.Text{FI: "Abcdefgi"}},
	}}
	if m, ok := c.ThemeNamed("Abcdefgx"); ok {
		t.Errorf("a tie matched %s", m.Theme.ID)
	}
	if m, ok := c.ThemeNamed("abcdefgh"); !ok || m.Theme.ID != "a" || m.How != MatchName {
		t.Errorf("exact = %+v %v", m, ok)
	}
}

// A synonym points at one theme only: never another theme's name, id or synonym, nor empty.
func TestSynonymsAreValidated(t *testing.T) {
	for name, tt := range map[string]struct{ synonyms, want string }{
		"another theme's name":      {"[Beeta]", `"Beeta" is already a name or synonym of theme "beta"`},
		"another theme's id":        {"[gamma]", `"gamma" is already a name or synonym of theme "gamma"`},
		"its own name":              {"[alfa]", `"alfa" is the theme's own name or id already`},
		"empty":                     {`[" "]`, "an empty synonym"},
		"twice, in another spacing": {"[Kelmu, \" kelmu \"]", `" kelmu " is listed twice`},
	} {
		fsys := baseFS()
		edit(t, fsys, "themes.yaml", "    look_alikes: [beta]\n", "    look_alikes: [beta]\n    synonyms: "+tt.synonyms+"\n")
		_, err := Load(fsys)
		if le := loadError(t, err); !strings.Contains(le.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", name, le, tt.want)
		}
	}
	fsys := baseFS()
	edit(t, fsys, "themes.yaml", "    look_alikes: [beta]\n", "    look_alikes: [beta]\n    synonyms: [Kelmu, \"A / B\"]\n")
	c, err := Load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if m, ok := c.ThemeNamed("a/b"); !ok || m.Theme.ID != "alpha" || m.How != MatchSynonym || m.Name != "A / B" {
		t.Errorf("ThemeNamed(a/b) = %+v %v", m, ok)
	}
}
