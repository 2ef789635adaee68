package cards

import (
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// ApprovalInput is what the approval card of one request shows.
type ApprovalInput struct {
	Catalog *catalog.Catalog
	Request domain.Request
	// ApproverUserID is the approver's per-bot Teams id ("29:…"). While the request is pending, the card asks
	// Teams to refresh it for this user only, so the approver gets the interactive view automatically. Empty when
	// unknown: the card then has no refresh and the approver uses the manual "open" button.
	ApproverUserID string
	// Interactive asks for the approver's view with toggles, the reason input and the decision buttons. It only
	// applies while the request is pending; the bot sets it only for the approver.
	Interactive bool
	// Error is a message from the server about the last action (already in the reader's language), e.g. that a
	// reason is required to reject.
	Error string
	Now   time.Time
	// People optionally maps Entra object ids to display names, to say who decided (Request.DecidedBy). Ids not
	// found are never shown as such.
	People map[string]string
	// Reader is the Entra object id of the person whose copy of the card this is, when known (delivery knows it).
	// While the request waits, a reader who is not its approver any more (it moved: escalated, delegated, back from
	// a delegation) gets a copy saying who decides now, with nothing to press.
	Reader string
}

// Approval builds the approval card of a request in one of three views:
//
//   - base (pending, not interactive): a read-only summary with a refresh for the approver only and one
//     "open for decision" button for clients that do not refresh;
//   - interactive (pending, Interactive): the summary, a toggle per theme, a reason and the decision buttons;
//   - final (no longer pending): the outcome of every theme, who decided and when, and the reason. It has no
//     actions and no refresh: every stored copy of the card is updated to it.
func Approval(p i18n.Printer, in ApprovalInput) *Card {
	r := in.Request
	c := New(string(p.Lang))
	if r.State != domain.RequestPending {
		return approvalFinal(p, c, in)
	}
	if in.Reader != "" && in.Reader != r.ApproverID {
		return approvalMoved(p, c, in)
	}
	ref := r.Reference()
	// The fallback is plain text; the heading is markdown, where the directory's name must not be read as such.
	c.FallbackText = p.Format("admin.approval.title", "name", orDash(r.RequesterName)) + " (" + ref + ")"
	c.Body = append(c.Body, Heading(p.Format("admin.approval.title", "name", orDash(escapeMarkdown(r.RequesterName)))))
	if in.Interactive {
		c.Body = append(c.Body, Text(p.Format("admin.approval.intro.approver", "ref", ref)))
	} else {
		c.Body = append(c.Body, Text(p.Format("admin.approval.intro.base", "ref", ref)))
	}
	c.Body = append(c.Body, errorBox(in.Error)...)
	c.Body = append(c.Body, requestSummary(p, in.Catalog, r, in.Now)...)

	data := RequestData{RequestID: r.ID}
	if in.ApproverUserID != "" {
		c.Refresh = &Refresh{Action: Execute("", VerbApprovalOpen, data), UserIDs: []string{in.ApproverUserID}}
	}
	if !in.Interactive {
		c.Body = append(c.Body, subtle(p.Get("admin.approval.open.hint")))
		c.Actions = []Action{Execute(p.Get("admin.approval.open"), VerbApprovalOpen, data)}
		return c
	}

	decision := []Element{
		TextBlock{Type: "TextBlock", Text: p.Get("admin.approval.decision.heading"), Weight: "Bolder", Size: "Medium", Wrap: true},
		Text(p.Get("admin.approval.decision.hint")),
	}
	for _, it := range r.Items {
		if it.State != domain.ItemPending {
			continue
		}
		decision = append(decision, itemToggle(it, lookupTheme(in.Catalog, it.ThemeID).Name.In(p.Lang), true))
	}
	reason := reasonInput(p, "admin.approval.reason")
	reason.Spacing = "Medium"
	decision = append(decision, reason)
	c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Spacing: "Large", Items: decision})

	approveAll := Execute(p.Get("admin.approval.approve_all"), VerbApprovalDecide,
		DecideData{RequestID: r.ID, Decision: DecisionApproveAll})
	approveAll.Style = "positive"
	byItem := Execute(p.Get("admin.approval.by_item"), VerbApprovalDecide,
		DecideData{RequestID: r.ID, Decision: DecisionByItem})
	rejectAll := Execute(p.Get("admin.approval.reject_all"), VerbApprovalDecide,
		DecideData{RequestID: r.ID, Decision: DecisionRejectAll})
	rejectAll.Style = "destructive"
	c.Actions = []Action{approveAll, byItem, rejectAll}
	return c
}

// requestSummary is what the approver needs to decide: who asks, why, for which themes and until when.
func requestSummary(p i18n.Printer, cat *catalog.Catalog, r domain.Request, now time.Time) []Element {
	facts := []Fact{
		{Title: p.Get("admin.fact.requester"), Value: orDash(escapeMarkdown(r.RequesterName))},
		{Title: p.Get("admin.fact.job_title"), Value: orDash(escapeMarkdown(r.RequesterJobTitle))},
		{Title: p.Get("admin.fact.department"), Value: orDash(escapeMarkdown(r.RequesterDepartment))},
		{Title: p.Get("admin.fact.reference"), Value: r.Reference()},
		{Title: p.Get("admin.fact.submitted"), Value: dateWithAge(p, r.CreatedAt, now)},
		{Title: p.Get("admin.fact.valid_until"), Value: orDash(Date(p.Lang, r.ValidUntil))},
	}
	if r.ApproverName != "" {
		facts = append(facts, Fact{Title: p.Get("admin.fact.approver"), Value: escapeMarkdown(r.ApproverName)})
	}
	out := []Element{FactSet{Type: "FactSet", Facts: facts}}
	out = append(out, renewalNote(p, r)...)
	if line := reassignedLine(p, r); line != "" {
		// Moved (escalated or delegated): why this approver decides, instead of the rule that chose the first one.
		out = append(out, subtle(line))
	} else {
		switch r.ApproverBasis {
		case domain.ApproverDepartmentHead, domain.ApproverMainUser:
			out = append(out, subtle(p.Get("admin.approval.basis."+string(r.ApproverBasis))))
		}
	}
	just := []Element{TextBlock{Type: "TextBlock", Text: p.Get("admin.approval.justification"), Weight: "Bolder", Wrap: true}}
	if strings.TrimSpace(r.Justification) != "" {
		just = append(just, typedText(r.Justification))
	} else {
		just = append(just, subtle(p.Get("admin.approval.justification.none")))
	}
	out = append(out, Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: just})

	out = append(out, sectionHeading(plural(p, "admin.themes", len(r.Items))))
	for _, it := range r.Items {
		out = append(out, approvalTheme(p, cat, r, it))
	}
	return out
}

// approvalTheme shows one requested theme: its name as Suomi.fi shows it, the agency, the mandate type, the tasks
// that need it, and a warning when the organisation's valtuutusoikeus does not cover it. The tasks are said of the
// requester, in the third person ("Why: Anna Virtanen reports pay data…"), not in the employee's own first-person
// words.
func approvalTheme(p i18n.Printer, cat *catalog.Catalog, r domain.Request, it domain.RequestItem) Element {
	th := lookupTheme(cat, it.ThemeID)
	items := []Element{
		TextBlock{Type: "TextBlock", Text: th.Name.In(p.Lang), Weight: "Bolder", Wrap: true},
	}
	if a := th.Agency.In(p.Lang); a != "" {
		items = append(items, TextBlock{Type: "TextBlock", Text: a, IsSubtle: true, Size: "Small", Wrap: true, Spacing: "None"})
	}
	items = append(items, themeTypeLine(p, th)...)
	if names := approverTaskNames(cat, it.TaskIDs, p.Lang); len(names) > 0 {
		who := escapeMarkdown(strings.TrimSpace(r.RequesterName))
		if who == "" {
			who = p.Get("admin.theme.why.someone")
		}
		items = append(items, Text(p.Format("admin.theme.why", "name", who, "tasks", joinNames(names))))
	}
	style := ""
	if !it.Covered {
		style = "attention"
		items = append(items, TextBlock{Type: "TextBlock", Text: p.Get("admin.theme.not_covered"), Color: "Attention", Wrap: true})
	}
	return Container{Type: "Container", Style: style, Spacing: "Small", Items: items}
}

// approvalFinal is the view every copy of the approval card ends in: outcomes only, nothing to press.
func approvalFinal(p i18n.Printer, c *Card, in ApprovalInput) *Card {
	r := in.Request
	ref := r.Reference()
	if r.Expired() {
		return approvalExpired(p, c, in)
	}
	heading := p.Format("admin.approval.final."+finalKey(r), "ref", ref)
	c.FallbackText = heading
	c.Body = append(c.Body, Heading(heading))
	c.Body = append(c.Body, errorBox(in.Error)...)
	facts := []Fact{
		{Title: p.Get("admin.fact.requester"), Value: orDash(escapeMarkdown(r.RequesterName))},
		{Title: p.Get("admin.fact.department"), Value: orDash(escapeMarkdown(r.RequesterDepartment))},
	}
	if r.State == domain.RequestCancelled {
		if !r.UpdatedAt.IsZero() {
			facts = append(facts, Fact{Title: p.Get("admin.fact.cancelled_on"), Value: Date(p.Lang, r.UpdatedAt)})
		}
	} else {
		if who := personName(r.DecidedBy, r, in.People); who != "" {
			facts = append(facts, Fact{Title: p.Get("admin.fact.decided_by"), Value: escapeMarkdown(who)})
		}
		if !r.DecidedAt.IsZero() {
			facts = append(facts, Fact{Title: p.Get("admin.fact.decided_on"), Value: Date(p.Lang, r.DecidedAt)})
		}
	}
	c.Body = append(c.Body, FactSet{Type: "FactSet", Facts: facts})
	if r.State == domain.RequestCancelled {
		c.Body = append(c.Body, Text(p.Get("admin.approval.final.cancelled.note")))
	}
	if strings.TrimSpace(r.DecisionReason) != "" {
		c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: []Element{
			TextBlock{Type: "TextBlock", Text: p.Get("admin.approval.reason"), Weight: "Bolder", Wrap: true},
			typedText(r.DecisionReason),
		}})
	}
	c.Body = append(c.Body, itemOutcomes(p, plural(p, "admin.themes", len(r.Items)), in.Catalog, r, r.Items, in.People)...)
	if r.State == domain.RequestApproved {
		c.Body = append(c.Body, subtle(p.Get("admin.approval.final.approved.note")))
	}
	return c
}

// finalKey names the final heading: a request with both approved and rejected themes is "partly approved".
func finalKey(r domain.Request) string {
	switch r.State {
	case domain.RequestRejected:
		return "rejected"
	case domain.RequestCancelled:
		return "cancelled"
	case domain.RequestCompleted:
		return "completed"
	}
	for _, it := range r.Items {
		if it.State == domain.ItemRejected {
			return "partly"
		}
	}
	return "approved"
}

// itemOutcomes is a section under the given heading showing where each of the given themes of a request ended.
func itemOutcomes(p i18n.Printer, heading string, cat *catalog.Catalog, r domain.Request, items []domain.RequestItem,
	people map[string]string) []Element {
	out := []Element{sectionHeading(heading)}
	for _, it := range items {
		out = append(out, itemOutcome(p, cat, r, it, people))
	}
	return out
}

// itemOutcome shows where one theme of a request ended: approved (waiting for a grant), rejected, granted (from,
// until, by whom), not granted (why) or cancelled.
func itemOutcome(p i18n.Printer, cat *catalog.Catalog, r domain.Request, it domain.RequestItem, people map[string]string) Element {
	th := lookupTheme(cat, it.ThemeID)
	state := p.Get("admin.itemstate." + string(it.State))
	style := "emphasis"
	switch it.State {
	case domain.ItemApproved, domain.ItemGranted:
		style = "good"
	case domain.ItemRejected, domain.ItemNotGranted:
		style = "attention"
	}
	items := []Element{
		TextBlock{Type: "TextBlock", Text: th.Name.In(p.Lang), Weight: "Bolder", Wrap: true},
		TextBlock{Type: "TextBlock", Text: state, Wrap: true, Spacing: "None"},
	}
	switch it.State {
	case domain.ItemGranted:
		detail := p.Format("admin.item.granted.period", "from", Date(p.Lang, it.GrantedFrom), "until", Date(p.Lang, it.GrantedUntil))
		if who := personName(it.GrantedBy, r, people); who != "" {
			detail += " · " + p.Format("admin.item.by", "name", escapeMarkdown(who))
		}
		items = append(items, TextBlock{Type: "TextBlock", Text: detail, IsSubtle: true, Wrap: true, Spacing: "None"})
	case domain.ItemNotGranted:
		if who := personName(it.GrantedBy, r, people); who != "" {
			items = append(items, TextBlock{Type: "TextBlock", Text: p.Format("admin.item.by", "name", escapeMarkdown(who)), IsSubtle: true, Wrap: true, Spacing: "None"})
		}
		if strings.TrimSpace(it.NotGrantedReason) != "" {
			items = append(items, typedText(it.NotGrantedReason))
		}
	}
	return Container{Type: "Container", Style: style, Spacing: "Small", Items: items}
}

// ---- helpers shared by the supervisor and main-user cards ----

// lookupTheme returns the catalog's theme, or a stand-in named by its id when the catalog no longer has it (a
// card must still render for an old request).
func lookupTheme(cat *catalog.Catalog, id string) domain.Theme {
	if cat != nil {
		if th, ok := cat.Theme(id); ok {
			return th
		}
	}
	return domain.Theme{ID: id, Name: domain.Text{FI: id, SV: id, EN: id}}
}

// approverTaskNames returns the tasks the catalog still knows, in the given order, worded for the approver.
func approverTaskNames(cat *catalog.Catalog, ids []string, l domain.Lang) []string {
	if cat == nil {
		return nil
	}
	var out []string
	for _, id := range ids {
		if t, ok := cat.Task(id); ok {
			out = append(out, t.NameForApprover.In(l))
		}
	}
	return out
}

// personName names the person behind an Entra object id: from people, else the request's approver. An id that
// cannot be resolved is left out rather than shown; a value that is not an object id is taken as a name.
func personName(id string, r domain.Request, people map[string]string) string {
	if id == "" {
		return ""
	}
	if n := people[id]; n != "" {
		return n
	}
	if id == r.ApproverID && r.ApproverName != "" {
		return r.ApproverName
	}
	if isObjectID(id) || id == "system" {
		return ""
	}
	return id
}

// isObjectID reports whether s has the shape of an Entra object id (a GUID).
func isObjectID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, ch := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if ch != '-' {
				return false
			}
		case ch >= '0' && ch <= '9', ch >= 'a' && ch <= 'f', ch >= 'A' && ch <= 'F':
		default:
			return false
		}
	}
	return true
}
