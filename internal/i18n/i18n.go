// Package i18n holds the texts people read, in Finnish, Swedish and English, and picks the language for a person.
//
// Texts live in JSON files under messages/, embedded in the binary: <lang>.json and any <area>.<lang>.json (one
// area per feature, so features do not edit the same file). A test keeps the languages in step (same keys, same
// placeholders) and refuses a key defined twice. Placeholders are written {name} and filled by Printer.Format.
// glossary.json gives one term per concept and language (Suomi.fi's own); tests refuse a message that uses another
// (docs/glossary.md is generated from it).
// Language choice follows one rule everywhere: the person's own choice wins, then the locale Teams sent, then
// the organisation's default language.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"golang.org/x/text/language"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

//go:embed messages/*.json
var files embed.FS

// Bundle is the set of messages in every language. It is immutable after Load and safe for concurrent use.
type Bundle struct {
	raw  map[domain.Lang]map[string]string // as the files say, SupportVar unfilled
	msgs map[domain.Lang]map[string]string // SupportVar filled
}

// Load reads the embedded message files.
func Load() (*Bundle, error) {
	b := &Bundle{raw: map[domain.Lang]map[string]string{}}
	for _, l := range domain.Langs {
		names, err := fs.Glob(files, "messages/*"+string(l)+".json")
		if err != nil {
			return nil, err
		}
		m := map[string]string{}
		for _, name := range names {
			base := path.Base(name)
			if base != string(l)+".json" && !strings.HasSuffix(base, "."+string(l)+".json") {
				continue
			}
			raw, err := files.ReadFile(name)
			if err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			part := map[string]string{}
			if err := json.Unmarshal(raw, &part); err != nil {
				return nil, fmt.Errorf("i18n: %s: %w", name, err)
			}
			for k, v := range part {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("i18n: %s: key %q is defined in another file too", name, k)
				}
				m[k] = v
			}
		}
		if len(m) == 0 {
			return nil, fmt.Errorf("i18n: no messages for %s", l)
		}
		b.raw[l] = m
	}
	return b.WithSupport(domain.Text{}), nil
}

// SupportVar is the placeholder every text that sends people to get help uses: the organisation's support contact
// (WithSupport), or "support.default" of the language when the organisation names none.
const SupportVar = "{support}"

// WithSupport returns a bundle whose texts name the organisation's support contact (per language) wherever they
// say SupportVar; a language without a contact keeps its "support.default" text. b is not changed.
func (b *Bundle) WithSupport(contact domain.Text) *Bundle {
	out := &Bundle{raw: b.raw, msgs: map[domain.Lang]map[string]string{}}
	for l, m := range b.raw {
		who := strings.TrimSpace(contact.In(l))
		if who == "" {
			who = m["support.default"]
		}
		c := make(map[string]string, len(m))
		for k, v := range m {
			c[k] = strings.ReplaceAll(v, SupportVar, who)
		}
		out.msgs[l] = c
	}
	return out
}

// MustLoad is Load for program start-up and tests, where the embedded files are known to be valid.
func MustLoad() *Bundle {
	b, err := Load()
	if err != nil {
		panic(err)
	}
	return b
}

// Printer gives the texts of one language.
type Printer struct {
	Lang domain.Lang
	m    map[string]string
	en   map[string]string
}

// Printer returns the printer for lang (Finnish for an unknown language).
func (b *Bundle) Printer(lang domain.Lang) Printer {
	if !lang.Valid() {
		lang = domain.Finnish
	}
	return Printer{Lang: lang, m: b.msgs[lang], en: b.msgs[domain.English]}
}

// Get returns the text for key. A missing key shows as the key itself, so a gap is visible instead of blank.
func (p Printer) Get(key string) string {
	if s, ok := p.m[key]; ok {
		return s
	}
	if s, ok := p.en[key]; ok {
		return s
	}
	return key
}

// Format returns the text for key with {name} placeholders replaced by the given name, value pairs.
func (p Printer) Format(key string, kv ...string) string {
	s := p.Get(key)
	if len(kv) == 0 {
		return s
	}
	return fill(s, kv)
}

// fill replaces each {name} in s whose name is among kv's names by its value, in one pass (a value is never
// scanned again); other braces stay as they are. It is Format's hot path: every card has a few.
func fill(s string, kv []string) string {
	if strings.IndexByte(s, '{') < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	rest := s
	for {
		open := strings.IndexByte(rest, '{')
		end := -1
		if open >= 0 {
			end = strings.IndexByte(rest[open:], '}')
		}
		if end < 0 {
			break
		}
		name, value, known := rest[open+1:open+end], "", false
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == name {
				value, known = kv[i+1], true
				break
			}
		}
		if !known { // not a placeholder of this call: keep the brace, look on after it
			b.WriteString(rest[:open+1])
			rest = rest[open+1:]
			continue
		}
		b.WriteString(rest[:open])
		b.WriteString(value)
		rest = rest[open+end+1:]
	}
	b.WriteString(rest)
	return b.String()
}

var supported = []language.Tag{language.Finnish, language.Swedish, language.English}
var matcher = language.NewMatcher(supported)

// MatchLocale maps a client locale such as "fi-FI", "sv-SE" or a bare "en" to a supported language. ok is false
// when the locale is empty, malformed or not close to any supported language.
func MatchLocale(locale string) (lang domain.Lang, ok bool) {
	locale = strings.TrimSpace(locale)
	if locale == "" {
		return "", false
	}
	tag, err := language.Parse(locale)
	if err != nil {
		return "", false
	}
	_, idx, conf := matcher.Match(tag)
	if conf < language.High {
		return "", false
	}
	return domain.Langs[idx], true
}

// Choose applies the language rule: the person's choice, else their locale, else the organisation's default.
func Choose(chosen domain.Lang, locale string, orgDefault domain.Lang) domain.Lang {
	if chosen.Valid() {
		return chosen
	}
	if l, ok := MatchLocale(locale); ok {
		return l
	}
	if orgDefault.Valid() {
		return orgDefault
	}
	return domain.Finnish
}
