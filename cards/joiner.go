package cards

import (
	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// JoinerWelcomeInput is what a newcomer's welcome shows.
type JoinerWelcomeInput struct {
	Catalog *catalog.Catalog
	Roles   []string // the role profiles matching the newcomer's job title
}

// JoinerWelcome welcomes a newcomer the directory reported and invites them to find out which mandates their work
// needs: the intake (with their role picked when exactly one role profile matches their job title).
func JoinerWelcome(p i18n.Printer, in JoinerWelcomeInput) *Card {
	org := ""
	if in.Catalog != nil {
		org = in.Catalog.Org.Name.In(p.Lang)
	}
	c := New(string(p.Lang))
	c.FallbackText = p.Format("joiner.welcome.title", "org", orDash(org))
	c.Body = []Element{
		Heading(c.FallbackText),
		Text(p.Get("joiner.welcome.intro")),
		Text(p.Get("joiner.welcome.how")),
	}
	data := IntakeData{}
	if roles := roleNames(p, in.Catalog, in.Roles); len(roles) > 0 {
		c.Body = append(c.Body, Text(p.Format("joiner.welcome.roles", "roles", joinNames(roles))))
		if len(in.Roles) == 1 {
			data.RoleID = in.Roles[0]
		}
	}
	start := Execute(p.Get("joiner.welcome.start"), VerbIntakeOpen, data)
	start.Style = "positive"
	c.Actions = []Action{start}
	return c
}

// JoinerNoticeInput is what a newcomer's supervisor is told.
type JoinerNoticeInput struct {
	Catalog *catalog.Catalog
	Notice  domain.JoinerNotice
}

// JoinerNotice tells a supervisor that a newcomer may need mandates, with the role profiles matching the job title
// and the themes their tasks need; the newcomer files the request themself and the supervisor approves it.
func JoinerNotice(p i18n.Printer, in JoinerNoticeInput) *Card {
	n := in.Notice
	name := orDash(escapeMarkdown(n.Name))
	c := New(string(p.Lang))
	c.FallbackText = p.Format("joiner.notice.title", "name", orDash(n.Name))
	c.Body = []Element{
		Heading(p.Format("joiner.notice.title", "name", name)),
		FactSet{Type: "FactSet", Facts: []Fact{
			{Title: p.Get("myteam.fact.job_title"), Value: orDash(escapeMarkdown(n.JobTitle))},
			{Title: p.Get("mandate.fact.department"), Value: orDash(escapeMarkdown(n.Department))},
		}},
		Text(p.Format("joiner.notice.intro", "name", name)),
	}
	if len(n.Roles) == 0 || in.Catalog == nil {
		c.Body = append(c.Body, Text(p.Get("joiner.notice.no_roles")))
		return c
	}
	c.Body = append(c.Body, sectionHeading(p.Get("joiner.notice.roles")))
	for _, id := range n.Roles {
		r, ok := in.Catalog.Role(id)
		if !ok {
			continue
		}
		items := []Element{TextBlock{Type: "TextBlock", Text: r.Name.In(p.Lang), Weight: "Bolder", Wrap: true}}
		for _, need := range in.Catalog.ThemesFor(r.Tasks) {
			items = append(items, TextBlock{Type: "TextBlock", Text: "• " + need.Theme.Name.In(p.Lang), Wrap: true, Spacing: "None"})
		}
		c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Spacing: "Small", Items: items})
	}
	c.Body = append(c.Body, subtle(p.Get("joiner.notice.what")))
	return c
}

// roleNames are the names of the catalog's role profiles among ids, in the reader's language.
func roleNames(p i18n.Printer, cat *catalog.Catalog, ids []string) []string {
	if cat == nil {
		return nil
	}
	var out []string
	for _, id := range ids {
		if r, ok := cat.Role(id); ok {
			out = append(out, r.Name.In(p.Lang))
		}
	}
	return out
}
