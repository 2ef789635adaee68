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
