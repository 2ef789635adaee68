package cards

import (
	"slices"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// What every card says about a theme beyond its name comes from the catalog's theme: no card names a mandate type
// of its own accord.

// themeTypeLabel names the theme's mandate type in the reader's language, or "" when the theme has no known type
// (the stand-in for a theme the catalog no longer has).
func themeTypeLabel(p i18n.Printer, th domain.Theme) string {
	if !th.Type.Valid() {
		return ""
	}
	return p.Get("mandatetype." + string(th.Type))
}

// themeTypeLine is a small line under a theme's name saying its mandate type, or nil when the type is unknown.
func themeTypeLine(p i18n.Printer, th domain.Theme) []Element {
	label := themeTypeLabel(p, th)
	if label == "" {
		return nil
	}
	return []Element{TextBlock{Type: "TextBlock", Text: p.Format("theme.type", "type", label), IsSubtle: true,
		Size: "Small", Wrap: true, Spacing: "None"}}
}

// itemTypes lists the mandate types of the items' themes, each once, in the order of domain.MandateTypes. Themes
// the catalog no longer has are left out.
func itemTypes(cat *catalog.Catalog, items []domain.RequestItem) []domain.MandateType {
	seen := map[domain.MandateType]bool{}
	for _, it := range items {
		seen[lookupTheme(cat, it.ThemeID).Type] = true
	}
	var out []domain.MandateType
	for _, t := range domain.MandateTypes {
		if seen[t] {
			out = append(out, t)
		}
	}
	return out
}

// needTypes lists the mandate types of the themes still to request, each once, in the order of domain.MandateTypes.
func needTypes(needs []Need) []domain.MandateType {
	var out []domain.MandateType
	for _, t := range domain.MandateTypes {
		if slices.ContainsFunc(needs, func(n Need) bool { return n.Requestable() && n.Theme.Type == t }) {
			out = append(out, t)
		}
	}
	return out
}

// suomiFiNames shows what to look for in Suomi.fi, for the cards that send someone there (the employee's request
// steps, the main user's grant task). Only official names are shown as Suomi.fi's: the one in the reader's language
// in bold when Suomi.fi has it, else the Finnish one, with the Finnish one beside a Swedish or English name. A name
// of our own for the reader's language is shown only marked as not confirmed in Suomi.fi. A theme with no official
// name at all shows its display name, not bold, with a warning.
func suomiFiNames(p i18n.Printer, th domain.Theme) []Element {
	name, nameLang, ok := th.SuomiFiName(p.Lang)
	if !ok {
		return []Element{Text(th.Name.In(p.Lang)), themeNameNote(p.Get("theme.name.unconfirmed"))}
	}
	out := []Element{TextBlock{Type: "TextBlock", Text: name, Weight: "Bolder", Wrap: true}}
	if nameLang != domain.Finnish {
		if fi := th.OfficialName.FI; fi != "" {
			out = append(out, themeNameNote(p.Format("theme.name.finnish", "name", fi)))
		} else {
			out = append(out, themeNameNote(p.Get("theme.name.no_finnish")))
		}
	}
	if own := th.OwnName.Exact(p.Lang); own != "" && own != name {
		out = append(out, themeNameNote(p.Format("theme.name.own", "name", own)))
	}
	return out
}

// suomiFiName is the one name a card uses for a theme where it asks about what was done in Suomi.fi: the official
// name suomiFiNames shows in bold, else the display name.
func suomiFiName(p i18n.Printer, th domain.Theme) string {
	if name, _, ok := th.SuomiFiName(p.Lang); ok {
		return name
	}
	return th.Name.In(p.Lang)
}

func themeNameNote(s string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: s, Wrap: true, IsSubtle: true, Size: "Small", Spacing: "None"}
}
