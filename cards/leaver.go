package cards

import (
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// VerbLeaverDone records that a main user invalidated the ticked mandates of a leaver in Suomi.fi; inputs:
// InvalidatedOnInput, MandateInputPrefix + mandate id toggles; data: LeaverData.
const VerbLeaverDone = "leaverDone"

// MandateInputPrefix + mandate id: an Input.Toggle of a mandate on the leaver's task, "true"/"false".
const MandateInputPrefix = "mandate_"

// LeaverData names the leaver of a task card (VerbLeaverDone).
type LeaverData struct {
	PersonID string  `json:"personId"`
	Mandates []int64 `json:"mandates"`
}

// LeaverTaskInput is what the main users' task for a leaver shows.
type LeaverTaskInput struct {
	Catalog  *catalog.Catalog
	PersonID string
	Name     string
	// Open are the leaver's mandates on the task still to be invalidated; Done those confirmed already.
	Open, Done []domain.Mandate
	Reminder   int       // 0 for the task itself
	Today      time.Time // the reader's day: the latest day of the invalidation
	// Since is when the task was opened (the earliest day of the invalidation).
	Since      time.Time
	MayConfirm bool
	Error      string
}

// LeaverTask is one task for all the mandates of a person who left: the mandates, the selection basket's steps in
// Suomi.fi, and one confirmation with a toggle per mandate (all ticked: confirm all, or untick what is still to do).
func LeaverTask(p i18n.Printer, in LeaverTaskInput) *Card {
	name := orDash(escapeMarkdown(in.Name))
	c := New(string(p.Lang))
	c.FallbackText = p.Format("leaver.task.title", "name", orDash(in.Name))
	c.Body = []Element{Heading(p.Format("leaver.task.title", "name", name))}
	if len(in.Open) == 0 {
		c.Body = append(c.Body, stateBox(p.Format("leaver.task.final", "n", strconv.Itoa(len(in.Done)))))
		return c
	}
	c.Body = append(c.Body, Text(p.Format("leaver.task.intro", "name", name, "n", plural(p, "leaver.mandates", len(in.Open)))))
	if in.Reminder > 0 {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Wrap: true, Weight: "Bolder", Color: "Warning",
			Text: p.Format("leaver.task.reminder", "n", strconv.Itoa(in.Reminder), "date", Date(p.Lang, in.Since))})
	}
	c.Body = append(c.Body, errorBox(in.Error)...)
	org, bid := orgOf(p, GrantTaskInput{Catalog: in.Catalog})
	c.Body = append(c.Body, stepsBlock(p, p.Get("leaver.task.steps.heading"), []string{
		p.Get("admin.grant.accept.1"),
		p.Format("admin.grant.accept.2", "org", orDash(org), "business_id", orDash(bid)),
		p.Format("leaver.task.step.3", "name", name),
		p.Get("leaver.task.step.4"),
		p.Format("leaver.task.step.5", "button", p.Get("leaver.task.done")),
	}, false, OpenURL(p.Get("admin.grant.open_suomifi"), SuomiFiMandatesURL)))
	c.Body = append(c.Body, sectionHeading(p.Get("leaver.task.mandates")))
	ids := make([]int64, 0, len(in.Open))
	for _, m := range in.Open {
		ids = append(ids, m.ID)
		title := lookupTheme(in.Catalog, m.ThemeID).Name.In(p.Lang) + " (" + Date(p.Lang, m.ValidFrom) + "–" + Date(p.Lang, m.ValidUntil) + ")"
		if !in.MayConfirm {
			c.Body = append(c.Body, Text("• "+title))
			continue
		}
		c.Body = append(c.Body, Input{Type: "Input.Toggle", ID: MandateInputPrefix + strconv.FormatInt(m.ID, 10),
			Title: title, Value: "true", ValueOn: "true", ValueOff: "false", Wrap: true})
	}
	if len(in.Done) > 0 {
		c.Body = append(c.Body, subtle(p.Format("leaver.task.done_before", "n", strconv.Itoa(len(in.Done)))))
	}
	if !in.MayConfirm {
		return c
	}
	c.Body = append(c.Body, Input{Type: "Input.Date", ID: InvalidatedOnInput, Label: p.Get("mandate.task.date.label"),
		Value: InputDate(in.Today), Min: InputDate(domain.Civil(in.Since)), Max: InputDate(in.Today), IsRequired: true,
		ErrorMessage: p.Get("mandate.task.date.error"), Spacing: "Medium"})
	done := Execute(p.Get("leaver.task.done"), VerbLeaverDone, LeaverData{PersonID: in.PersonID, Mandates: ids})
	done.Style = "positive"
	c.Actions = []Action{done}
	return c
}

// requestedBy names who opened an invalidation task: a person, or the bot itself when the assignee left.
func requestedBy(p i18n.Printer, v MandateView, id string) string {
	if id == domain.SystemActor {
		return p.Get("leaver.by_bot")
	}
	return v.name(id)
}
