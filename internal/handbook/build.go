package handbook

import (
	"slices"
	"strconv"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// digestHorizonDays is how far ahead the main users' weekly digest lists ending mandates (a test keeps it equal to
// delivery.DigestHorizonDays, which this package does not import).
const digestHorizonDays = 60

// Options choose the handbook's language and where people's names come from.
type Options struct {
	// Lang is the handbook's language; an invalid or empty one takes the organisation's default language.
	Lang domain.Lang
	// Names gives a person's display name for an Entra object id, "" when unknown. Nil: the handbook names people
	// by their ids only.
	Names func(id string) string
	// CatalogDir is the folder the catalog was loaded from (VALTUUS_CATALOG_DIR), "" for the embedded catalog.
	CatalogDir string
}

// builder holds what every section needs.
type builder struct {
	c     *catalog.Catalog
	p     i18n.Printer
	lang  domain.Lang
	pol   domain.AlertPolicy // with defaults
	names func(string) string
}

// Build writes the handbook of the catalog's organisation in the options' language. The texts come from msgs
// (handbook.* keys), with the organisation's support contact filled in.
func Build(c *catalog.Catalog, msgs *i18n.Bundle, opt Options) *Doc {
	lang := opt.Lang
	if !lang.Valid() {
		lang = c.Org.DefaultLanguage
	}
	if !lang.Valid() {
		lang = domain.Finnish
	}
	b := &builder{c: c, p: msgs.WithSupport(c.Org.Support).Printer(lang), lang: lang,
		pol: c.Org.Alerts.Defaults(), names: opt.Names}
	return &Doc{
		Lang:  string(lang),
		Title: b.p.Format("handbook.title", "org", c.Org.Name.In(lang)),
		Lead:  b.lead(opt.CatalogDir),
		Sections: []Section{
			b.organisation(), b.responsibilities(), b.process(), b.contacts(), b.grant(), b.right(), b.alerts(),
			b.roleMatrix(), b.taskMatrix(), b.themes(),
		},
	}
}

func (b *builder) lead(dir string) []Para {
	source := P(b.p.Get("handbook.lead.source.embedded"))
	if dir != "" {
		source = Para{T(b.p.Get("handbook.lead.source.dir") + " "), C(dir)}
	}
	files := Para{T(b.p.Get("handbook.lead.files") + " ")}
	for i, f := range []string{"organisation.yaml", "themes.yaml", "tasks.yaml", "roles.yaml"} {
		if i > 0 {
			files = append(files, T(", "))
		}
		files = append(files, C(f))
	}
	lead := []Para{
		P(b.p.Format("handbook.lead.generated", "org", b.c.Org.Name.In(b.lang))),
		P(b.p.Get("handbook.lead.edit")),
		append(files, T(".")),
		source,
	}
	if b.anyPlanned() {
		lead = append(lead, P(b.p.Get("handbook.lead.planned")))
	}
	return lead
}

// organisation is the assignor: its names, business id, default language and support contact.
func (b *builder) organisation() Section {
	o := b.c.Org
	var names []string
	for _, l := range domain.Langs {
		if n := o.Name.Exact(l); n != "" && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	rows := [][]Para{
		b.settingRow("handbook.org.name", P(strings.Join(names, " / ")), "name"),
		b.settingRow("handbook.org.business_id", P(o.BusinessID), "business_id"),
		b.settingRow("handbook.org.default_language", P(b.p.Get("handbook.lang."+string(o.DefaultLanguage))), "default_language"),
		b.settingRow("handbook.org.support", P(o.Support.In(b.lang)), "support"),
	}
	return Section{ID: "organisaatio", Title: b.p.Get("handbook.org.title"), Blocks: []Block{
		P(b.p.Get("handbook.org.intro")),
		Table{Head: b.heads("handbook.col.setting", "handbook.col.value", "handbook.col.key"), Rows: rows},
	}}
}

// settingRow is a row of a settings table: what it is, its value and the key that sets it.
func (b *builder) settingRow(labelKey string, value Para, keys ...string) []Para {
	var k Para
	for i, key := range keys {
		if i > 0 {
			k = append(k, T(", "))
		}
		k = append(k, C(key))
	}
	if len(keys) == 0 {
		k = P("–")
	}
	return []Para{P(b.p.Get(labelKey)), value, k}
}

func (b *builder) heads(keys ...string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = b.p.Get(k)
	}
	return out
}

// person names someone by their display name and Entra object id, or by the id alone.
func (b *builder) person(id string) Para {
	if b.names != nil {
		if n := strings.TrimSpace(b.names(id)); n != "" {
			return Para{T(n + " "), T("("), C(id), T(")")}
		}
	}
	return Para{C(id)}
}

// persons names several people in one cell.
func (b *builder) persons(ids []string) Para {
	if len(ids) == 0 {
		return P(b.p.Get("handbook.none"))
	}
	var out Para
	for i, id := range ids {
		if i > 0 {
			out = append(out, T("; "))
		}
		out = append(out, b.person(id)...)
	}
	return out
}

// themeName is the theme as the handbook names it: the display name in the handbook's language, linked to its page,
// with Suomi.fi's Finnish name beside it when that differs (Suomi.fi finds a theme by its Finnish name).
func (b *builder) themeName(t domain.Theme) Para {
	out := Para{{Text: t.Name.In(b.lang), Link: t.SuomiFiURL}}
	if fi := t.OfficialName.Exact(domain.Finnish); fi != "" && fi != t.Name.In(b.lang) {
		out = append(out, T(" ("+b.p.Format("handbook.theme.suomifi_name", "name", fi)+")"))
	}
	if t.Hidden {
		out = append(out, T(" "+b.p.Get("handbook.theme.hidden")))
	}
	return out
}

// themeList names the given themes in one cell, separated by semicolons, by their names only (the theme table has
// the links and Suomi.fi's names).
func (b *builder) themeList(ids []string) Para {
	var out Para
	for _, id := range ids {
		t, ok := b.c.Theme(id)
		if !ok {
			continue // validation refuses unknown ids; nothing outside the catalog is ever named
		}
		if len(out) > 0 {
			out = append(out, T("; "))
		}
		out = append(out, T(t.Name.In(b.lang)))
		if t.Hidden {
			out = append(out, T(" "+b.p.Get("handbook.theme.hidden")))
		}
	}
	if len(out) == 0 {
		return P(b.p.Get("handbook.none"))
	}
	return out
}

func itoa(n int) string { return strconv.Itoa(n) }

// days joins numbers of days: "60, 30, 7".
func days(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = itoa(n)
	}
	return strings.Join(s, ", ")
}
