package catalog

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Matching the names people write in their own lists to the catalog's themes (the import of issue 9).

// NameMatch says how a written name was matched to a theme.
type NameMatch int

// How ThemeNamed matched; the first two are certain, MatchSimilar must be checked by a person.
const (
	MatchName    NameMatch = iota + 1 // the theme's id or one of its names in any language, in any case and spacing
	MatchSynonym                      // one of the theme's synonyms, in any case and spacing
	MatchSimilar                      // one or two letters off a name or synonym
)

// ThemeMatch is the theme a written name means.
type ThemeMatch struct {
	Theme domain.Theme
	How   NameMatch
	Name  string // the name or synonym it matched, as the catalog writes it
}

// nameKey is one name of a theme in the index.
type nameKey struct {
	key     string
	theme   int
	name    string
	synonym bool
}

// MatchKey is the form in which names are compared: Unicode NFKC, every kind of space (no-break, thin, tabs,
// line breaks) as one space, invisible format characters dropped, lower case, no space around a slash, dash, comma
// or parenthesis, and no surrounding spaces or quotes.
func MatchKey(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	var last rune
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.Is(unicode.Cf, r):
			continue
		case r == '–' || r == '—' || r == '‐' || r == '‑':
			r = '-'
		}
		if strings.ContainsRune("/-,()", r) {
			space = false // no space before it, and none after it (below)
		} else if space && last != 0 && !strings.ContainsRune("/-,(", last) {
			b.WriteByte(' ')
		}
		space = false
		last = unicode.ToLower(r)
		b.WriteRune(last)
	}
	return strings.Trim(b.String(), " \"'”“„’‘«»")
}

// buildNames indexes every theme's id, names and synonyms by MatchKey.
func buildNames(themes []domain.Theme) []nameKey {
	var out []nameKey
	for i, t := range themes {
		add := func(name string, synonym bool) {
			if k := MatchKey(name); k != "" {
				out = append(out, nameKey{key: k, theme: i, name: name, synonym: synonym})
			}
		}
		add(t.ID, false)
		for _, txt := range []domain.Text{t.OfficialName, t.OwnName} {
			for _, l := range domain.Langs {
				add(txt.Exact(l), false)
			}
		}
		for _, s := range t.Synonyms {
			add(s, true)
		}
	}
	return out
}

// ThemeNamed returns the theme a person means by name: a theme whose id, name in any language or synonym it is
// (after MatchKey), else the one theme whose name or synonym it misses by one letter (two for names of eight
// letters or more): a typo, which a person should check. ok is false when no theme is meant, or when two themes are
// equally close.
func (c *Catalog) ThemeNamed(name string) (m ThemeMatch, ok bool) {
	key := MatchKey(name)
	if key == "" {
		return ThemeMatch{}, false
	}
	names := c.names
	if names == nil {
		names = buildNames(c.Themes)
	}
	for _, n := range names {
		if n.key == key {
			how := MatchName
			if n.synonym {
				how = MatchSynonym
			}
			return ThemeMatch{Theme: c.Themes[n.theme], How: how, Name: n.name}, true
		}
	}
	best, bestTheme, tie := 3, -1, false
	var bestName string
	for _, n := range names {
		limit := allowedTypos(n.key)
		d := distance(key, n.key, limit)
		switch {
		case d > limit:
		case d < best:
			best, bestTheme, bestName, tie = d, n.theme, n.name, false
		case d == best && n.theme != bestTheme:
			tie = true
		}
	}
	if bestTheme < 0 || tie || best > allowedTypos(key) {
		return ThemeMatch{}, false
	}
	return ThemeMatch{Theme: c.Themes[bestTheme], How: MatchSimilar, Name: bestName}, true
}

// allowedTypos is how many letters a name may be off: none for very short names, where one letter is a different
// word.
func allowedTypos(key string) int {
	switch n := len([]rune(key)); {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// distance is the optimal-string-alignment distance between a and b (insertions, deletions, substitutions and
// swaps of neighbouring letters), or limit+1 when it is larger than limit.
func distance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if d := len(ra) - len(rb); d > limit || -d > limit {
		return limit + 1
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(rb)], limit+1)
}

// checkSynonyms reports synonyms that are empty, repeated, or already a name of any theme: a synonym must point at
// one theme only, and the import must never have to choose.
func checkSynonyms(themes []domain.Theme, doc yamlDoc, r *reporter) {
	type owner struct {
		id      string
		synonym bool
	}
	owners := map[string]owner{} // MatchKey → the theme that has it
	for _, n := range buildNames(themes) {
		if !n.synonym {
			owners[n.key] = owner{id: themes[n.theme].ID}
		}
	}
	for i, t := range themes {
		line, entry := doc.itemLine("themes", i), entryName("theme", t.ID, i)
		for _, s := range t.Synonyms {
			k := MatchKey(s)
			switch o, taken := owners[k]; {
			case k == "":
				r.add(doc.spec.name, line, entry, "synonyms: an empty synonym")
			case taken && o.id == t.ID && o.synonym:
				r.add(doc.spec.name, line, entry, "synonyms: %q is listed twice", s)
			case taken && o.id == t.ID:
				r.add(doc.spec.name, line, entry, "synonyms: %q is the theme's own name or id already", s)
			case taken:
				r.add(doc.spec.name, line, entry, "synonyms: %q is already a name or synonym of theme %q", s, o.id)
			default:
				owners[k] = owner{id: t.ID, synonym: true}
			}
		}
	}
}
