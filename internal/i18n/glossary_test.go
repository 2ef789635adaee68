package i18n

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

var update = flag.Bool("update", false, "rewrite docs/glossary.md from glossary.json")

// glossary is glossary.json: one term per concept and language, and the variants no message may use.
type glossary struct {
	About    string    `json:"about"`
	Concepts []concept `json:"concepts"`
}

type concept struct {
	ID      string     `json:"id"`
	About   string     `json:"about"`
	Loose   bool       `json:"loose,omitempty"`
	FI      glossEntry `json:"fi"`
	SV      glossEntry `json:"sv"`
	EN      glossEntry `json:"en"`
	Note    string     `json:"note,omitempty"`
	Sources []string   `json:"sources,omitempty"`
}

type glossEntry struct {
	Term      string   `json:"term"`
	Stems     []string `json:"stems"`
	Forbidden []string `json:"forbidden"`
}

func (c concept) in(l domain.Lang) glossEntry {
	switch l {
	case domain.Swedish:
		return c.SV
	case domain.English:
		return c.EN
	}
	return c.FI
}

// words is a message's text as the glossary reads it: lower case, without its {placeholders}.
func words(text string) string { return strings.ToLower(placeholderRE.ReplaceAllString(text, "")) }

// uses reports whether text uses the entry's term, by one of its stems.
func (e glossEntry) uses(text string) bool {
	for _, s := range e.Stems {
		if strings.Contains(words(text), strings.ToLower(s)) {
			return true
		}
	}
	return false
}

// refused returns the forbidden variant text uses, or "".
func (e glossEntry) refused(text string) string {
	for _, f := range e.Forbidden {
		if strings.Contains(words(text), strings.ToLower(f)) {
			return f
		}
	}
	return ""
}

func loadGlossary(t *testing.T) glossary {
	t.Helper()
	raw, err := os.ReadFile("glossary.json")
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var g glossary
	if err := dec.Decode(&g); err != nil {
		t.Fatalf("glossary.json: %v", err)
	}
	if len(g.Concepts) == 0 {
		t.Fatal("glossary.json has no concepts")
	}
	return g
}

// messageText is one message of one file, for reporting where a text breaks the glossary.
type messageText struct {
	file, key, text string
	lang            domain.Lang
}

// loadMessageTexts reads every message file as the bundle does, keeping the file each text comes from.
func loadMessageTexts(t *testing.T) []messageText {
	t.Helper()
	files, err := filepath.Glob("messages/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no message files: %v", err)
	}
	var out []messageText
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".json")
		lang := domain.Lang(base[strings.LastIndex(base, ".")+1:])
		if !lang.Valid() {
			t.Fatalf("%s: no language in the file name", f)
		}
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for k, v := range m {
			out = append(out, messageText{file: filepath.Base(f), key: k, text: v, lang: lang})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].file != out[j].file {
			return out[i].file < out[j].file
		}
		return out[i].key < out[j].key
	})
	return out
}

// The glossary must be usable: every concept complete in all three languages, each term recognised by its own
// stems, and no forbidden variant that would refuse a term of the glossary itself.
func TestGlossaryIsConsistent(t *testing.T) {
	g := loadGlossary(t)
	seen := map[string]bool{}
	for _, c := range g.Concepts {
		if c.ID == "" || seen[c.ID] {
			t.Errorf("concept id %q is empty or repeated", c.ID)
		}
		seen[c.ID] = true
		if c.About == "" {
			t.Errorf("%s: about is empty", c.ID)
		}
		for _, l := range domain.Langs {
			e := c.in(l)
			if e.Term == "" || len(e.Stems) == 0 {
				t.Errorf("%s/%s: term and stems are required", c.ID, l)
				continue
			}
			if !e.uses(e.Term) {
				t.Errorf("%s/%s: no stem of %v matches the term %q", c.ID, l, e.Stems, e.Term)
			}
			for _, other := range g.Concepts {
				o := other.in(l)
				if f := e.refused(o.Term); f != "" {
					t.Errorf("%s/%s: forbidden %q would refuse the term %q of %s", c.ID, l, f, o.Term, other.ID)
				}
			}
		}
	}
}

// Every message in every language uses the glossary's term for each concept: a forbidden variant is refused with
// the file, the key and the text. And every term of the glossary is used somewhere, so that the glossary does not
// drift away from the texts.
func TestMessagesFollowGlossary(t *testing.T) {
	g, msgs := loadGlossary(t), loadMessageTexts(t)
	for _, p := range forbiddenUses(g, msgs) {
		t.Error(p)
	}
	for _, p := range unusedTerms(g, msgs) {
		t.Error(p)
	}
}

// A message that names a concept in one language names it in the others too, with their terms: a translation that
// drops or swaps the concept (the Swedish "rätt att befullmäktiga" for the Finnish valtuutusoikeus) is refused.
// Loose concepts (a mandate in general) are left out: the languages may say "it" where another says "the mandate".
func TestTranslationsKeepConcepts(t *testing.T) {
	g, msgs := loadGlossary(t), loadMessageTexts(t)
	for _, p := range droppedConcepts(g, msgs) {
		t.Error(p)
	}
}

// The checks themselves: inflected and capitalised variants are caught, placeholders do not count as words, and a
// translation that leaves a concept out is named.
func TestGlossaryChecksCatchVariants(t *testing.T) {
	g := loadGlossary(t)
	msgs := []messageText{
		{file: "x.fi.json", key: "a", lang: domain.Finnish, text: "Kysy esimieheltäsi. Tilanne kaupungin valtuusrekisterin mukaan."},
		{file: "x.sv.json", key: "a", lang: domain.Swedish, text: "Fråga din förman."},
		{file: "x.en.json", key: "a", lang: domain.English, text: "Ask the City's Register."},
		{file: "x.fi.json", key: "b", lang: domain.Finnish, text: "Pääkäyttäjä myöntää valtuudet."},
		{file: "x.sv.json", key: "b", lang: domain.Swedish, text: "Administratören ger fullmakterna."},
		{file: "x.en.json", key: "b", lang: domain.English, text: "Don't confuse with: {themes}"},
		{file: "x.fi.json", key: "c", lang: domain.Finnish, text: "Toimialajohtaja"},
		{file: "x.sv.json", key: "c", lang: domain.Swedish, text: "Sektorchef"},
		{file: "x.en.json", key: "c", lang: domain.English, text: "Head of department"},
	}
	got := strings.Join(append(forbiddenUses(g, msgs), droppedConcepts(g, msgs)...), "\n")
	for _, want := range []string{
		`x.fi.json "a" uses "esimieh"`, `x.fi.json "a" uses "valtuusrekister"`, `x.sv.json "a" uses "förman"`,
		`x.en.json "a" uses "city's register"`, `x.sv.json "b" uses "administratör"`,
		`"b" names main-user in x.fi.json`, `x.en.json lacks "main user"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the checks missed %s; they reported:\n%s", want, got)
		}
	}
	if strings.Contains(got, `"b" names mandate-theme`) {
		t.Errorf("a {themes} placeholder counted as the word theme:\n%s", got)
	}
	if strings.Contains(got, `"c" names supervisor`) {
		t.Errorf("the chef inside sektorchef counted as the supervisor:\n%s", got)
	}
}

// forbiddenUses names every message that uses a variant the glossary refuses.
func forbiddenUses(g glossary, msgs []messageText) []string {
	var out []string
	for _, m := range msgs {
		for _, c := range g.Concepts {
			e := c.in(m.lang)
			if f := e.refused(m.text); f != "" {
				out = append(out, fmt.Sprintf("%s %q uses %q; the glossary term for %s is %q (glossary.json)\n\ttext: %s",
					m.file, m.key, f, c.ID, e.Term, m.text))
			}
		}
	}
	return out
}

// unusedTerms names the glossary terms no message of their language uses.
func unusedTerms(g glossary, msgs []messageText) []string {
	var out []string
	for _, c := range g.Concepts {
		for _, l := range domain.Langs {
			e, used := c.in(l), false
			for _, m := range msgs {
				if m.lang == l && e.uses(m.text) {
					used = true
					break
				}
			}
			if !used {
				out = append(out, fmt.Sprintf("no %s message uses %q (%s): use the term or take the concept out of the glossary", l, e.Term, c.ID))
			}
		}
	}
	return out
}

// usesConcept reports whether text names concept c in language l. A stem of c found only inside another concept's
// stem does not count: the Swedish sektorchef (head of department) is not the supervisor (chef).
func usesConcept(g glossary, c concept, l domain.Lang, text string) bool {
	w := words(text)
	own := c.in(l).Stems
	for _, o := range g.Concepts {
		if o.ID == c.ID {
			continue
		}
		for _, s := range o.in(l).Stems {
			s = strings.ToLower(s)
			for _, mine := range own {
				if strings.Contains(s, strings.ToLower(mine)) {
					w = strings.ReplaceAll(w, s, " ")
				}
			}
		}
	}
	for _, s := range own {
		if strings.Contains(w, strings.ToLower(s)) {
			return true
		}
	}
	return false
}

// droppedConcepts names every key whose texts name a (not loose) concept in some languages but not in the others.
func droppedConcepts(g glossary, msgs []messageText) []string {
	byKey := map[string]map[domain.Lang]messageText{}
	var keys []string
	for _, m := range msgs {
		if byKey[m.key] == nil {
			byKey[m.key] = map[domain.Lang]messageText{}
			keys = append(keys, m.key)
		}
		byKey[m.key][m.lang] = m
	}
	sort.Strings(keys)
	var out []string
	for _, c := range g.Concepts {
		if c.Loose {
			continue
		}
		for _, k := range keys {
			var with, without []string
			for _, l := range domain.Langs {
				m, ok := byKey[k][l]
				switch {
				case !ok:
				case usesConcept(g, c, l, m.text):
					with = append(with, fmt.Sprintf("%s %q", m.file, m.text))
				default:
					without = append(without, fmt.Sprintf("%s lacks %q: %q", m.file, c.in(l).Term, m.text))
				}
			}
			if len(with) > 0 && len(without) > 0 {
				out = append(out, fmt.Sprintf("%q names %s in %s\n\tbut %s", k, c.ID, strings.Join(with, ", "), strings.Join(without, "\n\tand ")))
			}
		}
	}
	return out
}

// docs/glossary.md is the glossary for people; it is generated from glossary.json, so the two cannot disagree.
func TestGlossaryDoc(t *testing.T) {
	g := loadGlossary(t)
	want := renderGlossary(g)
	path := filepath.Join("..", "..", "docs", "glossary.md")
	if *update {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (generate it with: go test ./internal/i18n -run TestGlossaryDoc -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/glossary.md does not match internal/i18n/glossary.json; regenerate it with: go test ./internal/i18n -run TestGlossaryDoc -update")
	}
}

func renderGlossary(g glossary) []byte {
	var b bytes.Buffer
	b.WriteString("# Glossary\n\n")
	b.WriteString("<!-- Generated from internal/i18n/glossary.json by `go test ./internal/i18n -run TestGlossaryDoc -update`. Do not edit by hand. -->\n\n")
	b.WriteString("Every text the bot shows uses one term per concept and language. The Swedish and English terms are\n")
	b.WriteString("Suomi.fi's own where Suomi.fi has one (sources below). `TestMessagesFollowGlossary` refuses a message that uses a\n")
	b.WriteString("variant listed as not used (matched case-insensitively, also inside longer words, so a stem catches inflected\n")
	b.WriteString("forms), and `TestTranslationsKeepConcepts` refuses a translation that drops a concept the other languages name.\n")
	b.WriteString("To change a term, edit `internal/i18n/glossary.json`, regenerate this page and fix the texts the tests name.\n\n")
	b.WriteString("| Concept | Finnish | Swedish | English |\n| --- | --- | --- | --- |\n")
	for _, c := range g.Concepts {
		fmt.Fprintf(&b, "| %s | **%s** | **%s** | **%s** |\n", c.About, c.FI.Term, c.SV.Term, c.EN.Term)
	}
	b.WriteString("\n## Not used\n\n")
	b.WriteString("| Term | Finnish | Swedish | English |\n| --- | --- | --- | --- |\n")
	for _, c := range g.Concepts {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", c.FI.Term, quoted(c.FI.Forbidden), quoted(c.SV.Forbidden), quoted(c.EN.Forbidden))
	}
	b.WriteString("\n## Sources and notes\n\n")
	for _, c := range g.Concepts {
		if len(c.Sources) == 0 && c.Note == "" {
			continue
		}
		fmt.Fprintf(&b, "- **%s / %s / %s**:", c.FI.Term, c.SV.Term, c.EN.Term)
		if c.Note != "" {
			fmt.Fprintf(&b, " %s", c.Note)
		}
		for i, u := range c.Sources {
			sep := ","
			if i == 0 {
				sep = " Sources:"
			}
			fmt.Fprintf(&b, "%s <%s>", sep, u)
		}
		b.WriteString("\n")
	}
	return b.Bytes()
}

func quoted(words []string) string {
	if len(words) == 0 {
		return "–"
	}
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "“" + w + "”"
	}
	return strings.Join(q, ", ")
}
