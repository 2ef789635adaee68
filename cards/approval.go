package cards

import (
	"strconv"
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
	ref := r.Reference()
	heading := p.Format("admin.approval.title", "name", orDash(r.RequesterName))
	c.FallbackText = heading + " (" + ref + ")"
	c.Body = append(c.Body, Heading(heading))
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
		th := lookupTheme(in.Catalog, it.ThemeID)
		decision = append(decision, Input{Type: "Input.Toggle", ID: ItemInputPrefix + strconv.FormatInt(it.ID, 10),
			Title: th.Name.In(p.Lang), Value: "true", ValueOn: "true", ValueOff: "false", Wrap: true})
	}
	decision = append(decision, Input{Type: "Input.Text", ID: ReasonInput, Label: p.Get("admin.approval.reason.label"),
		Placeholder: p.Get("admin.approval.reason.placeholder"), IsMultiline: true, MaxLength: MaxReason,
		ErrorMessage: p.Format("admin.reason.too_long", "max", strconv.Itoa(MaxReason)), Spacing: "Medium"})
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
		{Title: p.Get("admin.fact.requester"), Value: orDash(r.RequesterName)},
		{Title: p.Get("admin.fact.job_title"), Value: orDash(r.RequesterJobTitle)},
		{Title: p.Get("admin.fact.department"), Value: orDash(r.RequesterDepartment)},
		{Title: p.Get("admin.fact.reference"), Value: r.Reference()},
		{Title: p.Get("admin.fact.submitted"), Value: dateWithAge(p, r.CreatedAt, now)},
		{Title: p.Get("admin.fact.valid_until"), Value: orDash(Date(p.Lang, r.ValidUntil))},
	}
	if r.ApproverName != "" {
		facts = append(facts, Fact{Title: p.Get("admin.fact.approver"), Value: r.ApproverName})
	}
	out := []Element{FactSet{Type: "FactSet", Facts: facts}}
	switch r.ApproverBasis {
	case domain.ApproverDepartmentHead, domain.ApproverMainUser:
		out = append(out, subtle(p.Get("admin.approval.basis."+string(r.ApproverBasis))))
	}
	just := []Element{TextBlock{Type: "TextBlock", Text: p.Get("admin.approval.justification"), Weight: "Bolder", Wrap: true}}
	if strings.TrimSpace(r.Justification) != "" {
		just = append(just, typedText(r.Justification))
	} else {
		just = append(just, subtle(p.Get("admin.approval.justification.none")))
	}
	out = append(out, Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: just})

	out = append(out, TextBlock{Type: "TextBlock", Text: plural(p, "admin.themes", len(r.Items)),
		Weight: "Bolder", Size: "Medium", Wrap: true, Spacing: "Large"})
	for _, it := range r.Items {
		out = append(out, approvalTheme(p, cat, it))
	}
	return out
}

// approvalTheme shows one requested theme: its name as Suomi.fi shows it, the agency, the tasks that need it, and
// a warning when the organisation's valtuutusoikeus does not cover it.
func approvalTheme(p i18n.Printer, cat *catalog.Catalog, it domain.RequestItem) Element {
	th := lookupTheme(cat, it.ThemeID)
	items := []Element{
		TextBlock{Type: "TextBlock", Text: th.Name.In(p.Lang), Weight: "Bolder", Wrap: true},
	}
	if a := th.Agency.In(p.Lang); a != "" {
		items = append(items, TextBlock{Type: "TextBlock", Text: a, IsSubtle: true, Size: "Small", Wrap: true, Spacing: "None"})
	}
	if names := taskNames(cat, it.TaskIDs, p.Lang); len(names) > 0 {
		items = append(items, Text(p.Format("admin.theme.why", "tasks", strings.Join(names, "; "))))
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
	heading := p.Format("admin.approval.final."+finalKey(r), "ref", ref)
	c.FallbackText = heading
	c.Body = append(c.Body, Heading(heading))
	c.Body = append(c.Body, errorBox(in.Error)...)
	facts := []Fact{
		{Title: p.Get("admin.fact.requester"), Value: orDash(r.RequesterName)},
		{Title: p.Get("admin.fact.department"), Value: orDash(r.RequesterDepartment)},
	}
	if r.State == domain.RequestCancelled {
		if !r.UpdatedAt.IsZero() {
			facts = append(facts, Fact{Title: p.Get("admin.fact.cancelled_on"), Value: Date(p.Lang, r.UpdatedAt)})
		}
	} else {
		if who := personName(r.DecidedBy, r, in.People); who != "" {
			facts = append(facts, Fact{Title: p.Get("admin.fact.decided_by"), Value: who})
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
	c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: plural(p, "admin.themes", len(r.Items)),
		Weight: "Bolder", Size: "Medium", Wrap: true, Spacing: "Large"})
	for _, it := range r.Items {
		c.Body = append(c.Body, itemOutcome(p, in.Catalog, r, it, in.People))
	}
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
			detail += " · " + p.Format("admin.item.by", "name", who)
		}
		items = append(items, TextBlock{Type: "TextBlock", Text: detail, IsSubtle: true, Wrap: true, Spacing: "None"})
	case domain.ItemNotGranted:
		if who := personName(it.GrantedBy, r, people); who != "" {
			items = append(items, TextBlock{Type: "TextBlock", Text: p.Format("admin.item.by", "name", who), IsSubtle: true, Wrap: true, Spacing: "None"})
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

// taskNames returns the names of the tasks the catalog still knows, in the given order.
func taskNames(cat *catalog.Catalog, ids []string, l domain.Lang) []string {
	if cat == nil {
		return nil
	}
	var out []string
	for _, id := range ids {
		if t, ok := cat.Task(id); ok {
			out = append(out, t.Name.In(l))
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

// plural picks key+".one" for 1 and key+".other" otherwise, filling {n}.
func plural(p i18n.Printer, key string, n int) string {
	suffix := ".other"
	if n == 1 {
		suffix = ".one"
	}
	return p.Format(key+suffix, "n", strconv.Itoa(n))
}

// age says how long ago t was in calendar days (UTC): "today", "1 day ago", "3 days ago". Calendar days, not 24-hour
// periods, so that something done yesterday afternoon is not "today" the next morning.
func age(p i18n.Printer, t, now time.Time) string {
	if t.IsZero() || now.IsZero() {
		return ""
	}
	day := func(x time.Time) time.Time {
		y, m, d := x.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	days := int(day(now).Sub(day(t)).Hours() / 24)
	if days <= 0 {
		return p.Get("admin.age.today")
	}
	return plural(p, "admin.age.days", days)
}

// dateWithAge is "22.11.2026 (3 days ago)", or a dash for no date.
func dateWithAge(p i18n.Printer, t, now time.Time) string {
	if t.IsZero() {
		return "–"
	}
	if a := age(p, t, now); a != "" {
		return Date(p.Lang, t) + " (" + a + ")"
	}
	return Date(p.Lang, t)
}

// errorBox shows a server message about the last action, or nothing.
func errorBox(msg string) []Element {
	if strings.TrimSpace(msg) == "" {
		return nil
	}
	return []Element{Container{Type: "Container", Style: "attention", Items: []Element{
		TextBlock{Type: "TextBlock", Text: msg, Color: "Attention", Weight: "Bolder", Wrap: true},
	}}}
}

// subtle is small, muted, wrapping text for hints.
func subtle(s string) TextBlock {
	return TextBlock{Type: "TextBlock", Text: s, IsSubtle: true, Size: "Small", Wrap: true}
}

// orDash shows a dash for a missing value, so a FactSet row is never blank.
func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "–"
	}
	return s
}

// richTextBlock and textRun show text people typed (a justification, a reason). Unlike a TextBlock, a TextRun is
// never parsed as markdown, so a typed link or formatting shows literally instead of becoming a live link.
type richTextBlock struct {
	Type    string    `json:"type"`
	Inlines []textRun `json:"inlines"`
	Spacing string    `json:"spacing,omitempty"`
}

func (richTextBlock) elementType() string { return "RichTextBlock" }

type textRun struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// typedText shows user-typed text literally.
func typedText(s string) richTextBlock {
	return richTextBlock{Type: "RichTextBlock", Inlines: []textRun{{Type: "TextRun", Text: strings.TrimSpace(s)}}}
}
