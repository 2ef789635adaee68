package catalog

import (
	"strings"
	"unicode"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// RolesForJobTitle are the role profiles a directory job title points to, in the catalog's order: a role matches
// when its name in any language, without a parenthesised remark, and the job title are the same words, or one is
// the other's words with more around them ("Palkkasihteeri" matches "Vastaava palkkasihteeri" and the other way
// round). Case, punctuation and spacing do not count; parts of words do not match ("sihteeri" is not
// "palkkasihteeri"), because a compound names another job. An empty title matches nothing.
func (c *Catalog) RolesForJobTitle(title string) []domain.RoleProfile {
	t := titleWords(title)
	if len(t) == 0 {
		return nil
	}
	var out []domain.RoleProfile
	for _, r := range c.Roles {
		for _, name := range []string{r.Name.FI, r.Name.SV, r.Name.EN} {
			if n := titleWords(name); len(n) > 0 && (containsWords(t, n) || containsWords(n, t)) {
				out = append(out, r)
				break
			}
		}
	}
	return out
}

// titleWords are the words of a title in lower case, without a parenthesised remark and punctuation.
func titleWords(s string) []string {
	if i := strings.IndexByte(s, '('); i >= 0 {
		s = s[:i]
	}
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// containsWords reports whether sub occurs in words as consecutive whole words.
func containsWords(words, sub []string) bool {
	for i := 0; i+len(sub) <= len(words); i++ {
		match := true
		for j := range sub {
			if words[i+j] != sub[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}
