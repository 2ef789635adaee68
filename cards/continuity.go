package cards

import (
	"strconv"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// ContinuityInput is what an alert about the right to grant shows.
type ContinuityInput struct {
	Catalog *catalog.Catalog
	Alert   domain.ContinuityAlert
}

// ContinuityAlert warns the main users that the organisation's right to grant (valtuutusoikeus) is at risk: too
// few holders for themes in use, a holder who left or moved, or a right that ends soon; with the themes concerned
// and what to do (a new registration at DVV's officer-assisted service, then the holders in organisation.yaml).
func ContinuityAlert(p i18n.Printer, in ContinuityInput) *Card {
	a := in.Alert
	key := "continuity." + string(a.Reason)
	name := orDash(escapeMarkdown(a.HolderName))
	c := New(string(p.Lang))
	c.FallbackText = p.Format(key+".title", "name", orDash(a.HolderName))
	c.Body = []Element{
		Heading(p.Format(key+".title", "name", name)),
		Text(p.Format(key+".text", "name", name, "date", Date(p.Lang, a.Until.Time()),
			"min", strconv.Itoa(domain.MinHolders))),
		sectionHeading(plural(p, "continuity.themes", len(a.Themes))),
	}
	for _, id := range a.Themes {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: "• " + lookupTheme(in.Catalog, id).Name.In(p.Lang),
			Wrap: true, Spacing: "None"})
	}
	c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: []Element{
		Text(p.Get("continuity.what"))}})
	c.Actions = []Action{OpenURL(p.Get("continuity.dvv"), DVVApplicationURL)}
	return c
}
