package cards

import (
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// The verbs of reviews (issue 10): the reviewer's one submit, and a main user's start of a campaign and its report.
const (
	// VerbReviewSubmit records the reviewer's choices; inputs: ReviewInputPrefix + item id ("keep" / "invalidate",
	// or empty for an item left for later); data: ReviewData.
	VerbReviewSubmit = "reviewSubmit"
	VerbReviewStart  = "reviewStart"  // a main user starts a campaign; data: ReviewStartData (without Confirm it asks first)
	VerbReviewReport = "reviewReport" // the newest campaign's report; data: {}
)

// ReviewInputPrefix + item id is the Input.ChoiceSet of one review item.
const ReviewInputPrefix = "review_"

// ReviewData names the review a card shows (VerbReviewSubmit). The bot checks that the actor is its reviewer and
// that every item id in the inputs is this review's.
type ReviewData struct {
	ReviewID int64 `json:"reviewId"`
}

// ReviewStartData is the data of VerbReviewStart: the first tap (Confirm false) asks whether to start.
type ReviewStartData struct {
	Confirm bool `json:"confirm,omitempty"`
}

// ReviewInput is what a reviewer's card shows.
type ReviewInput struct {
	Catalog  *catalog.Catalog
	Review   domain.Review
	Deadline time.Time // a campaign's deadline; zero for a mover's review
	Reminder int       // > 0: the card comes again as a reminder
	// MayDecide: the reader is the reviewer and the review takes decisions (its campaign runs).
	MayDecide bool
	// Reader is who reads the card: a reviewer the review moved away from is told who has it now.
	Reader string
	Saved  string // what the last submit did
	Error  string
}

// Review is the reviewer's card: the person's (mover) or the team's (campaign) active mandates, each with keep /
// invalidate, and one submit. Decided items show their decision; once every item is decided the card has no inputs.
func Review(p i18n.Printer, in ReviewInput) *Card {
	r := in.Review
	c := New(string(p.Lang))
	c.MSTeams = &MSTeams{Width: "Full"}
	subject := ""
	if len(r.Items) > 0 {
		subject = r.Items[0].HolderName
	}
	if r.Kind == domain.ReviewMover {
		c.FallbackText = p.Format("review.mover.title", "name", orDash(subject))
		c.Body = []Element{Heading(p.Format("review.mover.title", "name", orDash(escapeMarkdown(subject)))),
			Text(p.Format("review.mover.intro", "name", orDash(escapeMarkdown(subject)))),
			FactSet{Type: "FactSet", Facts: []Fact{
				{Title: p.Get("review.mover.old"), Value: job(r.OldDepartment, r.OldTitle)},
				{Title: p.Get("review.mover.new"), Value: job(r.NewDepartment, r.NewTitle)},
			}}}
	} else {
		c.FallbackText = p.Get("review.campaign.title")
		c.Body = []Element{Heading(c.FallbackText), Text(p.Format("review.campaign.intro", "date", Date(p.Lang, in.Deadline)))}
	}
	if in.Reminder > 0 && r.Open() {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Wrap: true, Weight: "Bolder", Color: "Warning",
			Text: p.Format("review.reminder", "date", Date(p.Lang, r.CreatedAt))})
	}
	switch {
	case r.Escalated && in.Reader != "" && !strings.EqualFold(in.Reader, r.ReviewerID):
		c.Body = append(c.Body, stateBox(p.Format("review.moved", "name", orDash(escapeMarkdown(r.ReviewerName)))))
	case r.Escalated:
		c.Body = append(c.Body, subtle(p.Get("review.escalated")))
	}
	c.Body = append(c.Body, errorBox(in.Error)...)
	if in.Saved != "" {
		c.Body = append(c.Body, stateBox(in.Saved))
	}
	open := in.MayDecide && r.Open()
	if open {
		c.Body = append(c.Body, subtle(p.Get("review.how")))
	}
	for _, it := range r.Items {
		c.Body = append(c.Body, reviewItem(p, in.Catalog, it, open))
	}
	if open {
		send := Execute(p.Get("review.submit"), VerbReviewSubmit, ReviewData{ReviewID: r.ID})
		send.Style = "positive"
		c.Actions = []Action{send}
	} else if !r.Open() {
		c.Body = append(c.Body, stateBox(p.Get("review.done")))
	}
	return c
}

// job is a department and a job title on one line.
func job(dept, title string) string {
	switch {
	case dept == "" && title == "":
		return "–"
	case title == "":
		return escapeMarkdown(dept)
	case dept == "":
		return escapeMarkdown(title)
	}
	return escapeMarkdown(title) + ", " + escapeMarkdown(dept)
}

// reviewItem is one mandate of a review: who holds it, the theme, its end, and its choice or its decision.
func reviewItem(p i18n.Printer, cat *catalog.Catalog, it domain.ReviewItem, open bool) Element {
	th := lookupTheme(cat, it.ThemeID)
	items := []Element{
		TextBlock{Type: "TextBlock", Wrap: true, Weight: "Bolder", Text: orDash(escapeMarkdown(it.HolderName))},
		Text(p.Format("review.item", "theme", suomiFiName(p, th), "date", Date(p.Lang, it.ValidUntil))),
	}
	switch {
	case it.Decision != "":
		items = append(items, subtle(p.Get("review.decided."+string(it.Decision))))
	case open:
		items = append(items, Input{Type: "Input.ChoiceSet", ID: ReviewInputPrefix + strconv.FormatInt(it.ID, 10),
			Style: "expanded", Label: p.Get("review.choice.label"), Choices: []Choice{
				{Title: p.Get("review.choice.keep"), Value: string(domain.ReviewKeep)},
				{Title: p.Get("review.choice.invalidate"), Value: string(domain.ReviewInvalidate)},
			}})
	default:
		items = append(items, subtle(p.Get("review.decided.none")))
	}
	return Container{Type: "Container", Spacing: "Medium", Items: items}
}

// ReviewStartConfirm asks a main user whether to start a review campaign now, answered by when.
func ReviewStartConfirm(p i18n.Printer, deadline time.Time) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Get("review.start.title")
	c.Body = []Element{Heading(c.FallbackText), Text(p.Format("review.start.confirm", "date", Date(p.Lang, deadline)))}
	start := Execute(p.Get("review.start.yes"), VerbReviewStart, ReviewStartData{Confirm: true})
	start.Style = "positive"
	c.Actions = []Action{start}
	return c
}

// ReviewStarted tells the main user that the campaign started and how many supervisors got a card.
func ReviewStarted(p i18n.Printer, reviewers int, deadline time.Time) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Get("review.start.title")
	c.Body = []Element{Heading(c.FallbackText),
		Text(p.Format("review.start.done", "n", strconv.Itoa(reviewers), "date", Date(p.Lang, deadline)))}
	c.Actions = []Action{Execute(p.Get("review.report.open"), VerbReviewReport, struct{}{})}
	return c
}

// ReviewReportInput is what a campaign's report shows.
type ReviewReportInput struct {
	Catalog  *catalog.Catalog
	Campaign domain.Campaign
	Reviews  []domain.Review
}

// ReviewReportLimit is how many unanswered items the report card lists by name; the export has them all.
const ReviewReportLimit = 30

// ReviewReport is the main users' report of a campaign: how many items were kept, invalidated and left
// unanswered, who did not answer, and the unanswered mandates (the export lists every row).
func ReviewReport(p i18n.Printer, in ReviewReportInput) *Card {
	c := New(string(p.Lang))
	c.MSTeams = &MSTeams{Width: "Full"}
	c.FallbackText = p.Get("review.report.title")
	kept, invalidated, unanswered := 0, 0, 0
	var silent []string
	var missing []domain.ReviewItem
	for _, r := range in.Reviews {
		if r.Open() {
			silent = append(silent, escapeMarkdown(r.ReviewerName))
		}
		for _, it := range r.Items {
			switch it.Decision {
			case domain.ReviewKeep:
				kept++
			case domain.ReviewInvalidate:
				invalidated++
			default:
				unanswered++
				missing = append(missing, it)
			}
		}
	}
	state := p.Format("review.report.running", "date", Date(p.Lang, in.Campaign.Deadline))
	if !in.Campaign.Open() {
		state = p.Format("review.report.closed", "date", Date(p.Lang, in.Campaign.ClosedAt))
	}
	c.Body = []Element{Heading(c.FallbackText), Text(p.Format("review.report.started", "date", Date(p.Lang, in.Campaign.StartedAt))),
		Text(state), FactSet{Type: "FactSet", Facts: []Fact{
			{Title: p.Get("review.report.kept"), Value: strconv.Itoa(kept)},
			{Title: p.Get("review.report.invalidated"), Value: strconv.Itoa(invalidated)},
			{Title: p.Get("review.report.unanswered"), Value: strconv.Itoa(unanswered)},
		}}}
	if len(silent) > 0 {
		c.Body = append(c.Body, sectionHeading(p.Get("review.report.silent")), Text(joinNames(silent)))
	}
	if len(missing) > 0 {
		c.Body = append(c.Body, sectionHeading(p.Get("review.report.missing")))
		for i, it := range missing {
			if i == ReviewReportLimit {
				c.Body = append(c.Body, subtle(plural(p, "review.report.more", len(missing)-i)))
				break
			}
			c.Body = append(c.Body, Text(orDash(escapeMarkdown(it.HolderName))+": "+
				p.Format("review.item", "theme", suomiFiName(p, lookupTheme(in.Catalog, it.ThemeID)), "date", Date(p.Lang, it.ValidUntil))))
		}
	}
	c.Body = append(c.Body, subtle(p.Get("review.report.export")))
	return c
}
