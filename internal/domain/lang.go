package domain

// Lang is one of the languages the bot speaks to people.
type Lang string

// The supported languages. Finnish and Swedish are the official languages of a bilingual municipality; English
// serves everybody else.
const (
	Finnish Lang = "fi"
	Swedish Lang = "sv"
	English Lang = "en"
)

// Langs lists the supported languages in their canonical order.
var Langs = []Lang{Finnish, Swedish, English}

// Valid reports whether l is a supported language.
func (l Lang) Valid() bool { return l == Finnish || l == Swedish || l == English }

// Text is a piece of text in each supported language.
type Text struct {
	FI string `json:"fi" yaml:"fi"`
	SV string `json:"sv" yaml:"sv"`
	EN string `json:"en" yaml:"en"`
}

// In returns the text in lang, falling back to Finnish, then English, then Swedish when a translation is
// missing (the catalog validator reports missing translations, so the fallback only guards against bad data).
func (t Text) In(lang Lang) string {
	var s string
	switch lang {
	case Swedish:
		s = t.SV
	case English:
		s = t.EN
	default:
		s = t.FI
	}
	for _, f := range []string{s, t.FI, t.EN, t.SV} {
		if f != "" {
			return f
		}
	}
	return ""
}

// Exact returns the text in exactly lang, without the fallback of In: "" when that language has no text.
func (t Text) Exact(lang Lang) string {
	switch lang {
	case Finnish:
		return t.FI
	case Swedish:
		return t.SV
	case English:
		return t.EN
	}
	return ""
}

// Missing lists the languages that have no text.
func (t Text) Missing() []Lang {
	var out []Lang
	if t.FI == "" {
		out = append(out, Finnish)
	}
	if t.SV == "" {
		out = append(out, Swedish)
	}
	if t.EN == "" {
		out = append(out, English)
	}
	return out
}
