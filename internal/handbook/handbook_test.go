package handbook

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/delivery"
	"github.com/valtuusbotti/valtuusbotti/internal/directory"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
	"github.com/valtuusbotti/valtuusbotti/internal/sheet"
)

var update = flag.Bool("update", false, "rewrite docs/hallintamalli-kasikirja.md from the embedded catalog")

// committed is the example handbook in docs/: the embedded catalog (the City of Porvoo) in Finnish, with the demo
// directory's names.
const committed = "../../docs/hallintamalli-kasikirja.md"

var msgs = i18n.MustLoad()

// demoNames names people from the embedded demo directory.
func demoNames(t *testing.T) func(string) string {
	t.Helper()
	dir, err := directory.LoadDemo()
	if err != nil {
		t.Fatal(err)
	}
	return func(id string) string {
		u, err := dir.User(context.Background(), id)
		if err != nil {
			return ""
		}
		return u.DisplayName
	}
}

func render(t *testing.T, d *Doc, html bool) string {
	t.Helper()
	var b bytes.Buffer
	write := d.Markdown
	if html {
		write = d.HTML
	}
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// The Finnish handbook of the embedded catalog is committed as an example; it must be what the code writes today.
func TestCommittedHandbookIsCurrent(t *testing.T) {
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	want := render(t, Build(c, msgs, Options{Lang: domain.Finnish, Names: demoNames(t)}), false)
	if *update {
		if err := os.WriteFile(committed, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatalf("%v (write it with: go test ./internal/handbook -run TestCommittedHandbookIsCurrent -update)", err)
	}
	if string(got) != want {
		t.Errorf("%s is stale: the catalog or the texts changed. Regenerate it with:\n\tgo test ./internal/handbook -run TestCommittedHandbookIsCurrent -update", filepath.Base(committed))
	}
}

// settingKeys lists every setting of organisation.yaml by its YAML path ("alerts.approval_reminder_days"), found
// by reflection: a setting added to domain.Organisation is missing from the handbook until the handbook shows it.
func settingKeys(t reflect.Type, prefix string) []string {
	var out []string
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || name == "" {
			continue
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeFor[domain.Text]() {
			out = append(out, settingKeys(f.Type, prefix+name+".")...)
			continue
		}
		out = append(out, prefix+name)
	}
	return out
}

// Every theme, area, task, role and organisation setting of the configuration appears in the handbook, in every
// language and both formats; every person the configuration names appears by id.
func TestHandbookShowsTheWholeConfiguration(t *testing.T) {
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	keys := settingKeys(reflect.TypeFor[domain.Organisation](), "")
	if len(keys) < 15 || !slices.Contains(keys, "alerts.expiry_notice_days") || !slices.Contains(keys, "grant.identity_code_from") {
		t.Fatalf("the settings found by reflection look wrong: %v", keys)
	}
	for _, lang := range domain.Langs {
		d := Build(c, msgs, Options{Lang: lang})
		md, page := render(t, d, false), render(t, d, true)
		for _, k := range keys {
			if !strings.Contains(md, "`"+k+"`") || !strings.Contains(page, "<code>"+k+"</code>") {
				t.Errorf("%s: the setting %s does not appear", lang, k)
			}
		}
		for _, want := range configurationWords(c, lang) {
			if !strings.Contains(md, mdText(want)) || !strings.Contains(page, htmlPara(P(want))) {
				t.Errorf("%s: %q does not appear", lang, want)
			}
		}
		// The embedded organisation.yaml sets no alert values: each shows the default, marked as such.
		if n := strings.Count(md, msgs.Printer(lang).Get("handbook.default")+" |"); n != 8 {
			t.Errorf("%s: %d alert values marked as the default, want 8", lang, n)
		}
	}
}

// configurationWords are the names and values of the catalog a reader must find in the handbook in lang.
func configurationWords(c *catalog.Catalog, lang domain.Lang) []string {
	o := c.Org
	out := []string{o.Name.In(lang), o.BusinessID, o.Support.In(lang), o.Grant.IdentityCodeFrom.In(lang)}
	out = append(out, o.MainUsers...)
	for dept, head := range o.DepartmentHeads {
		out = append(out, dept, head)
	}
	for _, th := range c.Themes {
		out = append(out, th.ID, th.Name.In(lang), th.Agency.In(lang))
	}
	for _, a := range c.Areas {
		out = append(out, a.Name.In(lang))
	}
	for _, task := range c.Tasks {
		out = append(out, task.ID, task.Name.In(lang))
	}
	for _, r := range c.Roles {
		out = append(out, r.ID, r.Name.In(lang))
	}
	return out
}

// A small catalog of imaginary themes, unlike the embedded one in every setting.
func fixture(org string) fstest.MapFS {
	theme := func(id, fi, sv, en, extra string) string {
		return `
  - id: ` + id + `
    official_name: {fi: ` + fi + `}
    own_name: {sv: ` + sv + `, en: ` + en + `}
    agency: {fi: Kuvitteellinen virasto, sv: Påhittad myndighet, en: Imaginary Agency}
    description: {fi: Kuvaus., sv: Beskrivning., en: Description.}
    type: asiointivaltuus
    suomi_fi_url: https://example.fi/` + id + `
    checked: 2026-12-03
    default_validity_months: 11
    max_validity_months: 13
` + extra
	}
	return fstest.MapFS{
		"themes.yaml": {Data: []byte("themes:" +
			theme("alfa", "Alfan valtuusasia", "Alfas ärende", "Alfa theme", "") +
			theme("beeta", "Beetan valtuusasia", "Betas ärende", "Beta theme", "") +
			theme("gamma", "Gamman valtuusasia", "Gammas ärende", "Gamma theme", "    hidden: true\n"))},
		"tasks.yaml": {Data: []byte(`areas:
  - id: ala
    name: {fi: Kuvitteellinen alue, sv: Påhittat område, en: Imaginary area}
tasks:
  - id: yksi
    area: ala
    name: {fi: Teen ensimmäistä, sv: Jag gör det första, en: I do the first}
    name_for_approver: {fi: tekee ensimmäistä, sv: gör det första, en: does the first}
    themes: [alfa]
  - id: kaksi
    area: ala
    name: {fi: Teen toista, sv: Jag gör det andra, en: I do the second}
    name_for_approver: {fi: tekee toista, sv: gör det andra, en: does the second}
    themes: [alfa, beeta]
`)},
		"roles.yaml": {Data: []byte(`roles:
  - id: kokeilija
    name: {fi: Kokeilija, sv: Försökare, en: Tester}
    tasks: [yksi]
`)},
		"organisation.yaml": {Data: []byte(org)},
	}
}

const fixtureOrg = `name: {fi: Kuvitteellinen kunta, sv: Påhittad kommun, en: Imaginary Municipality}
business_id: 0201256-6
default_language: sv
main_users: [11111111-1111-4111-8111-111111111111, 22222222-2222-4222-8222-222222222222]
department_heads: {}
covered_themes: [alfa]
grant:
  path: direct
  identity_code_from: {fi: Henkilöstöpalvelut kertoo sen., sv: Personaltjänsterna berättar den., en: HR services tell it.}
support: {fi: Tukipiste 123, sv: Stödpunkt 123, en: Help desk 123}
alerts:
  work_start: "07:30"
  work_end: "15:45"
  approval_reminder_days: 4
  approval_escalation_days: 9
  approval_expiry_days: 23
  grant_reminder_days: 5
  filing_reminder_days: 6
  expiry_notice_days: [45, 15, 3]
`

func loadFixture(t *testing.T, org string) *catalog.Catalog {
	t.Helper()
	c, err := catalog.Load(fixture(org))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The handbook names nothing that is not in the configuration: generated from an imaginary catalog, it shows that
// catalog's themes, tasks, roles and values, and none of the embedded catalog's.
func TestHandbookShowsOnlyTheConfiguration(t *testing.T) {
	c := loadFixture(t, fixtureOrg)
	def, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range domain.Langs {
		md := render(t, Build(c, msgs, Options{Lang: lang}), false)
		for _, want := range append(configurationWords(c, lang), "07:30–15:45", "45, 15, 3") {
			if !strings.Contains(md, mdText(want)) {
				t.Errorf("%s: %q does not appear", lang, want)
			}
		}
		for _, unwanted := range configurationWords(def, lang) {
			if strings.Contains(md, mdText(unwanted)) {
				t.Errorf("%s: %q of the embedded catalog appears in another organisation's handbook", lang, unwanted)
			}
		}
		p := msgs.Printer(lang)
		for _, want := range []string{p.Format("handbook.alerts.workdays", "n", "4"), p.Format("handbook.alerts.workdays", "n", "9"),
			p.Format("handbook.alerts.workdays_filed", "n", "23"), p.Format("handbook.alerts.workdays_daily", "n", "5")} {
			if !strings.Contains(md, "| "+want+" |") {
				t.Errorf("%s: the alert time %q does not appear", lang, want)
			}
		}
		if strings.Contains(md, p.Get("handbook.default")+" |") {
			t.Errorf("%s: a value set in organisation.yaml is marked as the default", lang)
		}
		if links := strings.Count(md, "https://example.fi/"); links != 6 {
			t.Errorf("%s: %d theme links, want two per theme (6): the right to grant and the theme table", lang, links)
		}
	}
}

// The handbook follows the configuration, not a fixed text: the grant path decides whether the employee files a
// valtuuspyyntö, department heads decide whether they approve, two main users satisfy the continuity rule.
func TestHandbookFollowsThePolicy(t *testing.T) {
	p := msgs.Printer(domain.Finnish)
	direct := render(t, Build(loadFixture(t, fixtureOrg), msgs, Options{Lang: domain.Finnish}), false)
	for _, want := range []string{p.Get("handbook.step.direct.label"), p.Get("handbook.grant.fallback.moot"),
		p.Get("handbook.alerts.unused_direct"), p.Get("handbook.contacts.no_heads"), "Jatkuvuus: valtuutusoikeus on 2",
		p.Get("handbook.alerts.unused_channel"), p.Get("handbook.contacts.no_channel"), p.Get("handbook.contacts.help")[:20]} {
		if !strings.Contains(direct, mdText(want)) {
			t.Errorf("direct path: %q missing", want)
		}
	}
	for _, unwanted := range []string{p.Get("handbook.step.file.label"), p.Get("handbook.raci.file"), "n_file"} {
		if strings.Contains(direct, unwanted) {
			t.Errorf("direct path without a valtuuspyyntö, yet %q appears", unwanted)
		}
	}
	if !strings.Contains(direct, "| "+p.Get("handbook.raci.approve")+" | I | A/R | – | R |") {
		t.Error("without department heads the head of department must have no part in approvals")
	}

	org := strings.Replace(fixtureOrg, "path: direct", "path: valtuuspyynto\n  direct_fallback: false", 1)
	org = strings.Replace(org, "department_heads: {}", "department_heads: {Kulttuuri: 33333333-3333-4333-8333-333333333333}", 1)
	org = strings.Replace(org, "main_users: [11111111-1111-4111-8111-111111111111, 22222222-2222-4222-8222-222222222222]", "main_users: [11111111-1111-4111-8111-111111111111]", 1)
	org += "digituki: {team_id: \"19:tiimi@thread.tacv2\", channel_id: \"19:kanava@thread.tacv2\", reminder_minutes: 45}\n"
	request := render(t, Build(loadFixture(t, org), msgs, Options{Lang: domain.Finnish}), false)
	for _, want := range []string{"`19:kanava@thread.tacv2`", "`19:tiimi@thread.tacv2`",
		p.Format("handbook.alerts.handoff_every", "n", "45", "m", "3") + " " + p.Get("handbook.default"),
		p.Format("handbook.contacts.handoff", "n", "0")[:40], p.Get("handbook.step.file.label"), p.Get("handbook.grant.fallback.no"), "n_approve -->|\"" +
			p.Get("handbook.edge.approved") + "\"| n_file", "Toimialajohtaja: Kulttuuri", "Jatkuvuus: pääkäyttäjiä on 1",
		"| " + p.Get("handbook.raci.approve") + " | I | A/R | R | R |"} {
		if !strings.Contains(request, want) {
			t.Errorf("valtuuspyyntö path: %q missing", want)
		}
	}
	if strings.Contains(request, p.Get("handbook.raci.identity")) {
		t.Error("no direct grant at all, yet the identity code row appears")
	}
	if d := Build(loadFixture(t, org), msgs, Options{}); d.Lang != "sv" || !strings.HasPrefix(d.Title, "Förvaltningsmodell") {
		t.Errorf("without a language the handbook takes the organisation's default (sv): %s %q", d.Lang, d.Title)
	}
}

// The HTML page is well-formed (every element closed, so an XML parser reads it), self-contained (no script, style
// sheet, image or font from elsewhere) and accessible: a language, a title, row and column headers, and an SVG with
// its accessible name.
func TestHTMLIsSelfContainedAndWellFormed(t *testing.T) {
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range domain.Langs {
		page := render(t, Build(c, msgs, Options{Lang: lang, CatalogDir: "/srv/<catalog>"}), true)
		dec := xml.NewDecoder(strings.NewReader(page))
		dec.Strict, dec.Entity = true, map[string]string{}
		var stack []string
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: the page is not well-formed: %v", lang, err)
			}
			switch v := tok.(type) {
			case xml.StartElement:
				stack = append(stack, v.Name.Local)
			case xml.EndElement:
				stack = stack[:len(stack)-1]
			}
		}
		if len(stack) != 0 {
			t.Errorf("%s: unclosed elements %v", lang, stack)
		}
		for _, want := range []string{`<html lang="` + string(lang) + `">`, "<title>", `<th scope="col">`, `<th scope="row">`,
			`role="img"`, `aria-labelledby="prosessi-diagram-title"`, "<ol>", "&lt;catalog&gt;"} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: %q missing", lang, want)
			}
		}
		for _, bad := range []string{"<script", "<link", "<img", "src=", "@import", "url(http"} {
			if strings.Contains(page, bad) {
				t.Errorf("%s: the page loads something (%q)", lang, bad)
			}
		}
	}
}

// The Mermaid flowchart names each node once and joins only nodes it names; labels cannot break out of quotes.
func TestMermaidIsConsistent(t *testing.T) {
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	md := render(t, Build(c, msgs, Options{Lang: domain.Swedish}), false)
	start := strings.Index(md, "```mermaid\n")
	end := strings.Index(md[start+3:], "```") + start + 3
	if start < 0 || end < start {
		t.Fatal("no Mermaid block")
	}
	nodes := map[string]bool{}
	node := regexp.MustCompile(`^  (n_[a-z]+)\(?\["[^"]*"\]\)?$`)
	edge := regexp.MustCompile(`^  (n_[a-z]+) -->(?:\|"[^"]*"\|)? (n_[a-z]+)$`)
	edges := 0
	for _, line := range strings.Split(md[start:end], "\n")[2:] {
		switch {
		case node.MatchString(line):
			id := node.FindStringSubmatch(line)[1]
			if nodes[id] {
				t.Errorf("node %s defined twice", id)
			}
			nodes[id] = true
		case edge.MatchString(line):
			m := edge.FindStringSubmatch(line)
			if !nodes[m[1]] || !nodes[m[2]] {
				t.Errorf("edge %q joins a node not defined before it", line)
			}
			edges++
		case strings.HasPrefix(line, "  classDef ") || strings.HasPrefix(line, "  class ") || line == "":
		default:
			t.Errorf("unexpected Mermaid line %q", line)
		}
	}
	if len(nodes) < 10 || edges < len(nodes) {
		t.Errorf("%d nodes and %d edges: the process is incomplete", len(nodes), edges)
	}
	if mermaidText(`a "b" | c`) != "a #quot;b#quot; #124; c" {
		t.Errorf("mermaidText: %q", mermaidText(`a "b" | c`))
	}
}

// The facts the handbook states about the service hold: the digest's horizon is the one delivery uses, and every
// alert the service sends is described, so a new kind of alert fails here until the handbook tells people about it.
func TestHandbookStatesTheServiceAsItIs(t *testing.T) {
	if digestHorizonDays != delivery.DigestHorizonDays {
		t.Errorf("the handbook says the weekly summary looks %d days ahead; delivery uses %d", digestHorizonDays, delivery.DigestHorizonDays)
	}
	described := map[string]string{ // alert kind → the message that tells people about it
		alerts.KindApprovalReminder:   "handbook.alerts.approval_reminder",
		alerts.KindApprovalEscalation: "handbook.alerts.approval_escalation",
		alerts.KindApprovalExpiry:     "handbook.alerts.approval_expiry",
		alerts.KindDelegationStart:    "handbook.raci.approver",
		alerts.KindDelegationEnd:      "handbook.raci.approver",
		alerts.KindGrantRemind:        "handbook.alerts.grant_reminder",
		alerts.KindFilingRemind:       "handbook.alerts.filing_reminder",
		alerts.KindWeeklyDigest:       "handbook.alerts.digest",
		alerts.KindHandoffRemind:      "handbook.alerts.handoff_reminder",
		alerts.KindExpiry:             "handbook.alerts.expiry_notice",
		alerts.KindExpired:            "handbook.alerts.expired_notice",
		alerts.KindInvalidation:       "handbook.alerts.invalidation_reminder",
		domain.Joiner.JobKind():       "handbook.alerts.joiner",
		domain.Leaver.JobKind():       "handbook.alerts.leaver",
		alerts.KindLeaverRemind:       "handbook.alerts.leaver",
		alerts.KindContinuityCheck:    "handbook.alerts.continuity",
		alerts.KindMover:              "review.handbook.mover",
		alerts.KindReviewReminder:     "review.handbook.mover",
		alerts.KindReviewEscalation:   "review.handbook.mover",
		alerts.KindReviewCampaign:     "review.handbook.campaign",
		alerts.KindReviewDeadline:     "review.handbook.deadline",
	}
	c, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range domain.Langs {
		md := render(t, Build(c, msgs, Options{Lang: lang}), false)
		for _, kind := range alerts.Kinds() {
			key, ok := described[kind]
			if !ok {
				t.Errorf("the alert kind %q is not described in the handbook: add a row to the alerts table (policy.go) or a step", kind)
				continue
			}
			if text := msgs.Printer(lang).Get(key); !strings.Contains(md, mdText(text)) {
				t.Errorf("%s: the alert kind %q is described by %s, which the handbook does not show", lang, kind, key)
			}
		}
	}
}

// Markdown escapes what it would read as formatting, and a table cell cannot break its row.
func TestMarkdownEscapes(t *testing.T) {
	got := mdCell(mdPara(Para{T("a|b *c* _d_ [e] <f>\n"), C("x`y"), {Text: "g", Link: "https://h.fi/(i) j"}}))
	want := "a\\|b \\*c\\* \\_d\\_ \\[e\\] &lt;f&gt; ``x`y``[g](https://h.fi/%28i%29%20j)"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// The matrix as XLSX: a header row in the language asked for, then one row per role, task and theme, then the tasks
// no role includes; numbers are number cells and nothing outside the catalog appears.
func TestMatrixXLSX(t *testing.T) {
	c := loadFixture(t, fixtureOrg)
	var buf bytes.Buffer
	if err := Matrix(&buf, c, msgs, domain.English); err != nil {
		t.Fatal(err)
	}
	f, err := sheet.Read(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Sheets) != 1 || f.Sheets[0].Name != "Roles and mandate themes" {
		t.Fatalf("sheets: %+v", f.Sheets)
	}
	var got []string
	for _, r := range f.Sheets[0].Rows {
		got = append(got, strings.Join(r.Cells, "|"))
	}
	want := []string{
		"Role|Role id|Area|Task|Task id|Mandate theme|Theme id|Agency|Mandate type|Right to grant mandates covers it|Default, months|At most, months",
		"Tester|kokeilija|Imaginary area|I do the first|yksi|Alfa theme|alfa|Imaginary Agency|Mandate for transactions|yes|11|13",
		"||Imaginary area|I do the second|kaksi|Alfa theme|alfa|Imaginary Agency|Mandate for transactions|yes|11|13",
		"||Imaginary area|I do the second|kaksi|Beta theme|beeta|Imaginary Agency|Mandate for transactions|no|11|13",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	def, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	buf.Reset()
	if err := Matrix(&buf, def, msgs, ""); err != nil {
		t.Fatal(err)
	}
	if f, err = sheet.Read(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	all := ""
	for _, r := range f.Sheets[0].Rows {
		all += "|" + strings.Join(r.Cells, "|") + "|\n"
	}
	for _, task := range def.Tasks {
		if !strings.Contains(all, "|"+task.ID+"|") {
			t.Errorf("task %s is missing from the matrix", task.ID)
		}
	}
	for _, r := range def.Roles {
		if !strings.Contains(all, "|"+r.ID+"|") {
			t.Errorf("role %s is missing from the matrix", r.ID)
		}
	}
	if f.Sheets[0].Name != "Roolit ja valtuusasiat" {
		t.Errorf("without a language the matrix takes the organisation's (fi): %q", f.Sheets[0].Name)
	}
}

// A step the service does not carry out yet is drawn dashed in both diagrams.
func TestPlannedStepsAreDrawnDashed(t *testing.T) {
	d := Diagram{Title: "t", Nodes: []Node{{ID: "a", Label: "A"}, {ID: "b", Label: "B", Row: 1, Planned: true}},
		Edges: []Edge{{From: "a", To: "b", Label: "x"}}}
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	mermaid(w, d)
	w.Flush()
	if !strings.Contains(b.String(), "class n_b planned") {
		t.Errorf("Mermaid: %s", b.String())
	}
	if s := svg(d, "x"); strings.Count(s, "stroke-dasharray") != 1 {
		t.Errorf("SVG: %s", s)
	}
}
