package cards

import (
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// The cards of approvals that wait (issue 8): the approver's reminder, the notice that another approver decides
// now, the requester's notice that the request expired, and the approver's absence and substitute card.

// ReminderInput is what the approver's reminder shows.
type ReminderInput struct {
	Catalog  *catalog.Catalog
	Request  domain.Request
	Reminder domain.ApprovalReminder
}

// ApprovalReminder reminds the approver that a request has waited for their decision: since when, what happens if
// it waits on (it moves to another approver, then expires) and what to do: open it and decide, or name a substitute
// while away.
func ApprovalReminder(p i18n.Printer, in ReminderInput) *Card {
	r, rem := in.Request, in.Reminder
	c := New(string(p.Lang))
	title := p.Format("waiting.reminder.title", "ref", r.Reference())
	c.FallbackText = title
	since := rem.Since
	if since.IsZero() {
		since = r.WaitingSince()
	}
	c.Body = []Element{
		Heading(title),
		Text(p.Format("waiting.reminder.text", "name", orDash(escapeMarkdown(r.RequesterName)),
			"date", Date(p.Lang, since), "days", plural(p, "waiting.workdays", rem.Days))),
		FactSet{Type: "FactSet", Facts: []Fact{
			{Title: p.Get("admin.fact.requester"), Value: orDash(escapeMarkdown(r.RequesterName))},
			{Title: p.Get("admin.fact.department"), Value: orDash(escapeMarkdown(r.RequesterDepartment))},
			{Title: p.Get("admin.fact.reference"), Value: r.Reference()},
		}},
		themeList(p, in.Catalog, r.Items),
	}
	var next []Element
	if !rem.MovesOn.IsZero() {
		next = append(next, Text(p.Format("waiting.reminder.moves", "date", Date(p.Lang, rem.MovesOn.Time()))))
	}
	if !rem.ExpiresOn.IsZero() {
		next = append(next, Text(p.Format("waiting.reminder.expires", "date", Date(p.Lang, rem.ExpiresOn.Time()))))
	}
	if len(next) > 0 {
		c.Body = append(c.Body, Container{Type: "Container", Style: "warning", Spacing: "Medium", Items: next})
	}
	c.Body = append(c.Body, Text(p.Get("waiting.reminder.what")))
	open := Execute(p.Get("admin.approval.open"), VerbApprovalOpen, RequestData{RequestID: r.ID})
	open.Style = "positive"
	c.Actions = []Action{open, delegationAction(p)}
	return c
}

// ApproverChangedInput is what the notice of a new approver shows, and to whom.
type ApproverChangedInput struct {
	Catalog *catalog.Catalog
	Request domain.Request
	Change  domain.ApproverChanged
	// Reader is the recipient's Entra object id: the requester reads about their own request, anyone else (the
	// previous approver) that they need not do anything.
	Reader string
}

// ApproverChanged tells the requester, or the approver the request moved away from, that another approver decides
// now, and why: the previous one did not decide in time (escalated), is away (delegated), or is back (returned).
func ApproverChanged(p i18n.Printer, in ApproverChangedInput) *Card {
	r, ch := in.Request, in.Change
	who := "approver"
	if in.Reader == r.RequesterID {
		who = "requester"
	}
	reason := string(ch.Reason)
	if !ch.Reason.Valid() {
		reason = string(domain.ReassignEscalated)
	}
	key := "waiting.changed." + who + "." + reason
	if ch.Reason == domain.ReassignApproverLeft { // the approver left the organisation (issue 10)
		key = "leaver.changed." + who
	}
	c := New(string(p.Lang))
	title := p.Format(key+".title", "ref", r.Reference())
	c.FallbackText = title
	c.Body = []Element{
		Heading(title),
		Text(p.Format(key+".text", "ref", r.Reference(), "name", orDash(escapeMarkdown(r.RequesterName)),
			"from", orDash(escapeMarkdown(ch.FromName)), "to", orDash(escapeMarkdown(ch.ToName)),
			"days", plural(p, "waiting.workdays", ch.Days))),
		themeList(p, in.Catalog, r.Items),
		subtle(p.Get("waiting.changed." + who + ".what")),
	}
	if who == "requester" {
		c.Actions = []Action{empMyMandatesAction(p)}
	}
	return c
}

// ExpiredInput is what the requester's notice of an expired request shows.
type ExpiredInput struct {
	Catalog *catalog.Catalog
	Request domain.Request
	Days    int // the organisation's time for a decision, in working days
}

// RequestExpired tells the requester that nobody decided their request in time, so it expired and nothing was
// granted, and offers to ask again: the intake with the role they picked.
func RequestExpired(p i18n.Printer, in ExpiredInput) *Card {
	r := in.Request
	c := New(string(p.Lang))
	title := p.Format("waiting.expired.title", "ref", r.Reference())
	c.FallbackText = title
	c.Body = []Element{
		Container{Type: "Container", Style: "warning", Items: []Element{
			TextBlock{Type: "TextBlock", Text: title, Weight: "Bolder", Size: "Large", Wrap: true, Style: "heading"},
			Text(p.Format("waiting.expired.text", "days", plural(p, "waiting.workdays", in.Days))),
		}},
		themeList(p, in.Catalog, r.Items),
		Text(p.Get("waiting.expired.what")),
	}
	again := Execute(p.Get("waiting.expired.again"), VerbIntakeOpen, IntakeData{RoleID: r.RoleID})
	again.Style, again.AssociatedInputs = "positive", "none"
	c.Actions = []Action{again, empMyMandatesAction(p)}
	return c
}

// themeList names a request's themes, one a line, as the reader's language shows them.
func themeList(p i18n.Printer, cat *catalog.Catalog, items []domain.RequestItem) Element {
	var lines []Element
	for _, it := range items {
		lines = append(lines, Text("• "+lookupTheme(cat, it.ThemeID).Name.In(p.Lang)))
	}
	return Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: lines}
}

// delegationAction opens the absence and substitute card.
func delegationAction(p i18n.Printer) Action {
	a := Execute(p.Get("waiting.delegation.open"), VerbDelegationOpen, struct{}{})
	a.AssociatedInputs = "none"
	return a
}

// approvalMoved is an approval card's copy for someone the request has moved away from while it still waits (the
// approver it was escalated from, the approver away, the delegate after the delegation ended): who decides now and
// that they need not do anything. Nothing to press, no refresh.
func approvalMoved(p i18n.Printer, c *Card, in ApprovalInput) *Card {
	r := in.Request
	heading := p.Format("waiting.approval.moved.title", "ref", r.Reference())
	c.FallbackText = heading
	c.Body = append(c.Body, Heading(heading),
		Text(p.Format("waiting.approval.moved.text", "to", orDash(escapeMarkdown(r.ApproverName)))))
	c.Body = append(c.Body, FactSet{Type: "FactSet", Facts: []Fact{
		{Title: p.Get("admin.fact.requester"), Value: orDash(escapeMarkdown(r.RequesterName))},
		{Title: p.Get("admin.fact.department"), Value: orDash(escapeMarkdown(r.RequesterDepartment))},
		{Title: p.Get("admin.fact.reference"), Value: r.Reference()},
		{Title: p.Get("admin.fact.approver"), Value: orDash(escapeMarkdown(r.ApproverName))},
	}})
	if line := reassignedLine(p, r); line != "" {
		c.Body = append(c.Body, subtle(line))
	}
	c.Body = append(c.Body, themeList(p, in.Catalog, r.Items), subtle(p.Get("waiting.approval.moved.nothing")))
	return c
}

// reassignedLine says why the request's approver is not the one first chosen: "Sami Virtanen is away; deciding as
// substitute: Dina Korhonen", or that it moved because the previous approver did not decide in time. "" when it
// has not moved, or went back to its approver.
func reassignedLine(p i18n.Printer, r domain.Request) string {
	switch r.Reassigned.Reason {
	case domain.ReassignDelegated:
		return p.Format("waiting.approval.delegated", "from", orDash(escapeMarkdown(r.Reassigned.FromName)),
			"to", orDash(escapeMarkdown(r.ApproverName)))
	case domain.ReassignEscalated:
		return p.Format("waiting.approval.escalated", "from", orDash(escapeMarkdown(r.Reassigned.FromName)))
	}
	return ""
}

// DelegationInput is what the absence and substitute card shows to the approver.
type DelegationInput struct {
	// Delegations are the reader's delegations in force or to come.
	Delegations []domain.Delegation
	// Candidates are the colleagues the reader may name (their supervisor, colleagues under the same supervisor,
	// the head of their department, the main users).
	Candidates []domain.User
	Today      time.Time
	// From, Until and DelegateID fill the form again (after an error, or from "poissa 10.–24.7.").
	From, Until time.Time
	DelegateID  string
	Error       string // the last action's error, in the reader's language (plain text: it is escaped)
	Saved       string // what the last action did, in the reader's language (plain text, names in it too)
}

// Delegation is the approver's absence and substitute card: what a substitute does, the delegations in force or
// to come (each with a button to end it), and the form for a new one: first and last day away, and the colleague.
func Delegation(p i18n.Printer, in DelegationInput) *Card {
	c := New(string(p.Lang))
	title := p.Get("waiting.delegation.title")
	c.FallbackText = title
	c.Body = []Element{Heading(title)}
	if in.Saved != "" {
		c.Body = append(c.Body, Container{Type: "Container", Style: "good", Items: []Element{Text(escapeMarkdown(in.Saved))}})
	}
	c.Body = append(c.Body, errorBox(escapeMarkdown(in.Error))...)
	c.Body = append(c.Body, Text(p.Get("waiting.delegation.intro")))
	today := domain.DateOf(in.Today)
	for _, d := range in.Delegations {
		key := "waiting.delegation.current"
		if today.Before(d.From) {
			key = "waiting.delegation.upcoming"
		}
		end := Execute(p.Get("waiting.delegation.end"), VerbDelegationEnd, DelegationData{DelegationID: d.ID})
		end.AssociatedInputs = "none"
		c.Body = append(c.Body, Container{Type: "Container", Style: "accent", Spacing: "Medium", Items: []Element{
			Text(p.Format(key, "name", orDash(escapeMarkdown(d.DelegateName)), "from", Date(p.Lang, d.From.Time()),
				"until", Date(p.Lang, d.Until.Time()))),
			ActionSet{Type: "ActionSet", Actions: []Action{end}},
		}})
	}
	if len(in.Candidates) == 0 {
		c.Body = append(c.Body, Container{Type: "Container", Style: "warning", Spacing: "Medium", Items: []Element{
			Text(p.Get("waiting.delegation.nobody"))}})
		return c
	}
	from := in.From
	if from.IsZero() {
		from = in.Today
	}
	choices := make([]Choice, 0, len(in.Candidates))
	for _, u := range in.Candidates {
		title := u.DisplayName
		if u.JobTitle != "" {
			title += " (" + u.JobTitle + ")"
		}
		choices = append(choices, Choice{Title: title, Value: u.ID})
	}
	form := []Element{
		TextBlock{Type: "TextBlock", Text: p.Get("waiting.delegation.new"), Weight: "Bolder", Size: "Medium", Wrap: true},
		Input{Type: "Input.Date", ID: ValidFromInput, Label: p.Get("waiting.delegation.from"), Value: InputDate(from),
			Min: InputDate(in.Today), IsRequired: true, ErrorMessage: p.Get("waiting.delegation.dates_hint")},
		Input{Type: "Input.Date", ID: ValidUntilInput, Label: p.Get("waiting.delegation.until"), Value: InputDate(in.Until),
			Min: InputDate(in.Today), IsRequired: true, ErrorMessage: p.Get("waiting.delegation.dates_hint")},
		Input{Type: "Input.ChoiceSet", ID: DelegateInput, Label: p.Get("waiting.delegation.delegate"), Value: in.DelegateID,
			Placeholder: p.Get("waiting.delegation.delegate.placeholder"), Choices: choices, Style: "compact",
			IsRequired: true, ErrorMessage: p.Get("waiting.delegation.delegate.required"), Wrap: true},
		subtle(p.Get("waiting.delegation.who")),
	}
	c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Spacing: "Large", Items: form})
	save := Execute(p.Get("waiting.delegation.save"), VerbDelegationSet, struct{}{})
	save.Style = "positive"
	c.Actions = []Action{save}
	return c
}

// approvalExpired is the final view of an approval card whose request expired undecided: when, and that nothing
// needs to be done.
func approvalExpired(p i18n.Printer, c *Card, in ApprovalInput) *Card {
	r := in.Request
	heading := p.Format("waiting.approval.expired.title", "ref", r.Reference())
	c.FallbackText = heading
	c.Body = append(c.Body, Heading(heading))
	c.Body = append(c.Body, errorBox(in.Error)...)
	c.Body = append(c.Body, FactSet{Type: "FactSet", Facts: []Fact{
		{Title: p.Get("admin.fact.requester"), Value: orDash(escapeMarkdown(r.RequesterName))},
		{Title: p.Get("admin.fact.department"), Value: orDash(escapeMarkdown(r.RequesterDepartment))},
		{Title: p.Get("waiting.fact.expired_on"), Value: orDash(Date(p.Lang, r.DecidedAt))},
	}})
	c.Body = append(c.Body, Text(p.Get("waiting.approval.expired.note")), sectionHeading(plural(p, "admin.themes", len(r.Items))),
		themeList(p, in.Catalog, r.Items))
	return c
}

// empApproverLine says on the requester's status card why the approver decides: the directory's rule, or that the
// request moved to them (escalated) or that they decide for the approver who is away (delegated).
func empApproverLine(p i18n.Printer, r domain.Request) string {
	switch r.Reassigned.Reason {
	case domain.ReassignEscalated:
		return p.Format("waiting.status.escalated", "name", escapeMarkdown(r.ApproverName),
			"from", orDash(escapeMarkdown(r.Reassigned.FromName)))
	case domain.ReassignDelegated:
		return p.Format("waiting.status.delegated", "name", escapeMarkdown(r.ApproverName),
			"from", orDash(escapeMarkdown(r.Reassigned.FromName)))
	}
	return empApproverBasis(p, r.ApproverBasis, r.ApproverName)
}

// empExpiredItemRow is a theme of an expired request on the requester's status card: expired, not withdrawn.
func empExpiredItemRow(p i18n.Printer, cat *catalog.Catalog, it domain.RequestItem) Element {
	return Container{Type: "Container", Spacing: "Small", Items: []Element{
		ColumnSet{Type: "ColumnSet", Columns: []Column{
			{Type: "Column", Width: "stretch", Items: []Element{Text(empThemeName(p, cat, it.ThemeID))}},
			{Type: "Column", Width: "auto", Items: []Element{TextBlock{Type: "TextBlock", Wrap: true,
				Weight: "Bolder", Color: "Warning", Text: p.Get("waiting.state.expired")}}},
		}},
	}}
}
