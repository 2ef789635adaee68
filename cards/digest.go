package cards

import (
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// DigestRows is how many rows each section of the weekly digest shows; the rest are counted.
const DigestRows = 10

// DigestInput is what a main user's weekly digest shows.
type DigestInput struct {
	Catalog  *catalog.Catalog
	Grants   []domain.Request // approved requests with items still to grant, oldest first
	Ending   []domain.Mandate // active mandates ending within HorizonDays, by end date
	Approval []domain.Request // requests that have waited for their approver longer than the reminder time
	Horizon  int              // days ahead the Ending list covers
	Now      time.Time
}

// WeeklyDigest is a main user's weekly card: the open grant tasks with their age, the mandates that end soon and
// the requests waiting long for their approver, each row with a button that opens it, and why the card came.
func WeeklyDigest(p i18n.Printer, in DigestInput) *Card {
	c := New(string(p.Lang))
	heading := p.Get("digest.title")
	c.FallbackText = heading
	c.Body = []Element{Heading(heading), subtle(p.Get("digest.why"))}
	c.Body = append(c.Body, sectionHeading(p.Format("digest.grants", "n", strconv.Itoa(len(in.Grants)))))
	for _, r := range in.Grants[:min(len(in.Grants), DigestRows)] {
		c.Body = append(c.Body, listRow(p, r, grantRowDetail(p, r, in.Now), rowThemes(p, in.Catalog, r, domain.ItemApproved), VerbGrantOpen))
	}
	c.Body = append(c.Body, digestMore(p, len(in.Grants))...)
	c.Body = append(c.Body, sectionHeading(p.Format("digest.ending", "n", strconv.Itoa(len(in.Ending)), "days", strconv.Itoa(in.Horizon))))
	for _, m := range in.Ending[:min(len(in.Ending), DigestRows)] {
		c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Spacing: "Small", Items: []Element{
			TextBlock{Type: "TextBlock", Text: orDash(escapeMarkdown(m.HolderName)) + " · " + lookupTheme(in.Catalog, m.ThemeID).Name.In(p.Lang), Weight: "Bolder", Wrap: true},
			TextBlock{Type: "TextBlock", Text: orDash(escapeMarkdown(m.Department)) + " · " + p.Format("digest.ends_on", "date", Date(p.Lang, m.ValidUntil)), IsSubtle: true, Wrap: true, Spacing: "None"},
		}})
	}
	c.Body = append(c.Body, digestMore(p, len(in.Ending))...)
	c.Body = append(c.Body, sectionHeading(p.Format("digest.approvals", "n", strconv.Itoa(len(in.Approval)))))
	for _, r := range in.Approval[:min(len(in.Approval), DigestRows)] {
		detail := orDash(escapeMarkdown(r.ApproverName)) + " · " + orDash(age(p, r.CreatedAt, in.Now))
		c.Body = append(c.Body, listRow(p, r, detail, rowThemes(p, in.Catalog, r, domain.ItemPending), VerbApprovalOpen))
	}
	c.Body = append(c.Body, digestMore(p, len(in.Approval))...)
	c.Actions = []Action{Execute(p.Get("welcome.action.grants"), VerbGrantList, struct{}{}),
		Execute(p.Get("digest.action.overview"), VerbOverview, struct{}{})}
	return c
}

// digestMore counts the rows a digest section left out.
func digestMore(p i18n.Printer, total int) []Element {
	if total <= DigestRows {
		return nil
	}
	return []Element{subtle(p.Format("admin.list.more", "n", strconv.Itoa(total-DigestRows)))}
}

// Marked puts a notice right under a card's heading: why a card the person has seen before came again (a
// reminder).
func Marked(c *Card, notice string) *Card {
	box := Container{Type: "Container", Style: "warning", Items: []Element{TextBlock{Type: "TextBlock", Text: notice, Weight: "Bolder", Wrap: true}}}
	if len(c.Body) == 0 {
		c.Body = []Element{box}
		return c
	}
	c.Body = append(c.Body[:1], append([]Element{box}, c.Body[1:]...)...)
	c.FallbackText = notice + " " + c.FallbackText
	return c
}
