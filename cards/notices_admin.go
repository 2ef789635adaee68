package cards

import (
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// DVVApplicationURL is DVV's page on the officer-assisted service (virkailijavaltuuttamispalvelu), where an
// organisation applies for valtuutusoikeus in new mandate themes.
const DVVApplicationURL = "https://dvv.fi/virkailijavaltuuttamispalvelu"

// ApplicationInput is what the "new application needed" notice shows.
type ApplicationInput struct {
	Catalog  *catalog.Catalog
	Request  domain.Request
	ThemeIDs []string // the requested themes the organisation's valtuutusoikeus does not cover
}

// ApplicationNeeded tells the main users that a request includes themes the organisation's valtuutusoikeus does
// not cover: which themes, who asked, and that granting them first needs a new application (valtuushakemus) to
// DVV's officer-assisted service, which can take weeks.
func ApplicationNeeded(p i18n.Printer, in ApplicationInput) *Card {
	r := in.Request
	c := New(string(p.Lang))
	heading := plural(p, "admin.application.title", len(in.ThemeIDs))
	c.FallbackText = heading + " (" + r.Reference() + ")"
	org := ""
	if in.Catalog != nil {
		org = in.Catalog.Org.Name.In(p.Lang)
	}
	c.Body = []Element{
		Heading(heading),
		Text(p.Format("admin.application.intro", "ref", r.Reference())),
		FactSet{Type: "FactSet", Facts: []Fact{
			{Title: p.Get("admin.fact.requester"), Value: orDash(escapeMarkdown(r.RequesterName))},
			{Title: p.Get("admin.fact.department"), Value: orDash(escapeMarkdown(r.RequesterDepartment))},
			{Title: p.Get("admin.fact.reference"), Value: r.Reference()},
			{Title: p.Get("admin.fact.assignor"), Value: orDash(org)},
		}},
	}
	for _, id := range in.ThemeIDs {
		th := lookupTheme(in.Catalog, id)
		// The application to DVV names the theme: Suomi.fi's names only, the official Finnish one always in view.
		items := suomiFiNames(p, th)
		if a := th.Agency.In(p.Lang); a != "" {
			items = append(items, TextBlock{Type: "TextBlock", Text: a, IsSubtle: true, Size: "Small", Wrap: true, Spacing: "None"})
		}
		if th.SuomiFiURL != "" {
			items = append(items, ActionSet{Type: "ActionSet", Actions: []Action{OpenURL(p.Get("admin.application.theme_page"), th.SuomiFiURL)}})
		}
		c.Body = append(c.Body, Container{Type: "Container", Style: "attention", Spacing: "Small", Items: items})
	}
	c.Body = append(c.Body,
		Container{Type: "Container", Spacing: "Medium", Items: []Element{
			TextBlock{Type: "TextBlock", Text: p.Get("admin.application.what.heading"), Weight: "Bolder", Wrap: true},
			Text("1. " + p.Get("admin.application.what.1")),
			Text("2. " + p.Get("admin.application.what.2")),
			Text("3. " + p.Get("admin.application.what.3")),
		}},
		subtle(p.Get("admin.application.note")),
	)
	for _, id := range in.ThemeIDs {
		if it, ok := waitingItem(r, id); ok && it.AwaitingRight() {
			c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Items: rightForm(p, in.Catalog, id)})
		}
	}
	c.Actions = []Action{OpenURL(p.Get("admin.application.dvv"), DVVApplicationURL)}
	return c
}

// CancelledInput is what the approver's "request withdrawn" notice shows.
type CancelledInput struct {
	Catalog *catalog.Catalog
	Request domain.Request
}

// CancelledNotice tells the approver that the requester withdrew a request: nothing is left to do.
func CancelledNotice(p i18n.Printer, in CancelledInput) *Card {
	r := in.Request
	c := New(string(p.Lang))
	heading := p.Format("admin.cancelled.title", "ref", r.Reference())
	c.FallbackText = heading
	c.Body = []Element{
		Heading(heading),
		Text(p.Format("admin.cancelled.text", "name", orDash(escapeMarkdown(r.RequesterName)), "ref", r.Reference())),
	}
	items := []Element{}
	for _, it := range r.Items {
		items = append(items, Text("• "+lookupTheme(in.Catalog, it.ThemeID).Name.In(p.Lang)))
	}
	if len(items) > 0 {
		c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Items: items})
	}
	c.Body = append(c.Body, subtle(p.Get("admin.cancelled.nothing")))
	return c
}

// waitingItem is the request's approved item of the theme.
func waitingItem(r domain.Request, themeID string) (domain.RequestItem, bool) {
	for _, it := range r.Items {
		if it.ThemeID == themeID && it.State == domain.ItemApproved {
			return it, true
		}
	}
	return domain.RequestItem{}, false
}
