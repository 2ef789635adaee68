package cards

import (
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// MyTeamMax is how many people the supervisor's view lists; the rest are counted.
const MyTeamMax = 30

// TeamMember is one of a supervisor's people with their mandates in force and their requests that still wait.
type TeamMember struct {
	User     domain.User
	Mandates []domain.Mandate
	Requests []domain.Request
	// OpenReviews is how many of their mandates an open review (a mover's, or a campaign's) waits a decision on.
	OpenReviews int
}

// MyTeamInput is what the supervisor's view ("tiimini / mitt team / my team") shows.
type MyTeamInput struct {
	Catalog *catalog.Catalog
	Members []TeamMember // the supervisor's direct reports, in the order to show
	Today   time.Time
}

// MyTeam lists a supervisor's people with their mandates in force and when each ends, and their requests that wait
// for a decision or a grant; a person with no reports is told so.
func MyTeam(p i18n.Printer, in MyTeamInput) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Get("myteam.title")
	c.Body = []Element{Heading(c.FallbackText)}
	if len(in.Members) == 0 {
		c.Body = append(c.Body, Text(p.Get("myteam.none")))
		return c
	}
	c.Body = append(c.Body, Text(p.Format("myteam.intro", "n", plural(p, "myteam.people", len(in.Members)))))
	for i, tm := range in.Members {
		if i == MyTeamMax {
			c.Body = append(c.Body, subtle(p.Format("myteam.more", "n", strconv.Itoa(len(in.Members)-MyTeamMax))))
			break
		}
		c.Body = append(c.Body, teamMember(p, in.Catalog, tm, in.Today))
	}
	c.Actions = []Action{Execute(p.Get("myteam.approvals"), VerbApprovalList, struct{}{})}
	return c
}

// teamMember is one person of the view: name and job title, then their mandates and waiting requests.
func teamMember(p i18n.Printer, cat *catalog.Catalog, tm TeamMember, today time.Time) Element {
	head := escapeMarkdown(tm.User.DisplayName)
	if tm.User.JobTitle != "" {
		head += " · " + escapeMarkdown(tm.User.JobTitle)
	}
	items := []Element{TextBlock{Type: "TextBlock", Text: head, Weight: "Bolder", Wrap: true}}
	if len(tm.Mandates) == 0 && len(tm.Requests) == 0 && tm.OpenReviews == 0 {
		items = append(items, TextBlock{Type: "TextBlock", Text: p.Get("myteam.nothing"), IsSubtle: true, Wrap: true, Spacing: "None"})
	}
	for _, m := range tm.Mandates {
		items = append(items, TextBlock{Type: "TextBlock", Wrap: true, Spacing: "None", Text: p.Format("myteam.mandate",
			"theme", lookupTheme(cat, m.ThemeID).Name.In(p.Lang), "until", Date(p.Lang, m.ValidUntil),
			"left", daysLeft(p, today, m.ValidUntil))})
	}
	for _, r := range tm.Requests {
		var themes []string
		for _, it := range r.Items {
			if it.State == domain.ItemPending || it.State == domain.ItemApproved {
				themes = append(themes, lookupTheme(cat, it.ThemeID).Name.In(p.Lang))
			}
		}
		items = append(items, TextBlock{Type: "TextBlock", Wrap: true, Spacing: "None", Color: "Accent", Text: p.Format("myteam.request",
			"ref", r.Reference(), "state", p.Get("emp.state."+string(r.State)), "themes", strings.Join(themes, "; "))})
	}
	if tm.OpenReviews > 0 {
		items = append(items, TextBlock{Type: "TextBlock", Wrap: true, Spacing: "None", Color: "Warning",
			Text: p.Format("myteam.review", "n", strconv.Itoa(tm.OpenReviews))})
	}
	return Container{Type: "Container", Style: "emphasis", Spacing: "Small", Items: items}
}
