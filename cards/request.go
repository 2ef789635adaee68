package cards

import (
	"slices"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// RequestStatusInput is what the requester's status card shows.
type RequestStatusInput struct {
	Catalog *catalog.Catalog
	Request domain.Request
	Now     time.Time // the card says which day its status is from
}

// RequestStatus is the requester's view of their request, sent after submitting and updated in place as the
// request moves on: its reference, state, who approves it and why that person, each theme with its state, and the
// requested end date. While the request waits for the approver it offers a cancel button (VerbRequestCancel).
func RequestStatus(p i18n.Printer, in RequestStatusInput) *Card {
	r := in.Request
	c := New(string(p.Lang))
	title := p.Format("reqstatus.title", "ref", r.Reference())
	state, style, explain := empRequestState(p, r.State), empRequestStyle(r.State), empRequestExplain(p, r)
	if r.Expired() {
		state, style, explain = p.Get("waiting.state.expired"), "warning", p.Get("waiting.status.expired")
	}
	c.FallbackText = title + ": " + state
	body := []Element{
		Heading(title),
		Container{Type: "Container", Style: style, Items: []Element{
			TextBlock{Type: "TextBlock", Text: state, Weight: "Bolder", Wrap: true},
			Text(explain),
		}},
	}
	facts := []Fact{
		{Title: p.Get("emp.fact.reference"), Value: r.Reference()},
		{Title: p.Get("emp.fact.submitted"), Value: Date(p.Lang, r.CreatedAt)},
	}
	if !r.ValidUntil.IsZero() {
		facts = append(facts, Fact{Title: p.Get("emp.fact.valid_until"), Value: Date(p.Lang, r.ValidUntil)})
	}
	if r.ApproverName != "" {
		// Last, so that the note on why this person approves stands right under their name.
		facts = append(facts, Fact{Title: p.Get("emp.fact.approver"), Value: escapeMarkdown(r.ApproverName)})
	}
	body = append(body, FactSet{Type: "FactSet", Facts: facts})
	if r.ApproverName != "" {
		body = append(body, TextBlock{Type: "TextBlock", Wrap: true, IsSubtle: true, Size: "Small", Spacing: "None",
			Text: empApproverLine(p, r)})
	}

	body = append(body, TextBlock{Type: "TextBlock", Text: p.Get("reqstatus.items.heading"), Weight: "Bolder",
		Wrap: true, Spacing: "Medium"})
	for _, it := range r.Items {
		if r.Expired() {
			body = append(body, empExpiredItemRow(p, in.Catalog, it))
			continue
		}
		body = append(body, empItemRow(p, in.Catalog, it))
	}
	if r.DecisionReason != "" && (r.State == domain.RequestApproved || r.State == domain.RequestRejected ||
		r.State == domain.RequestCompleted) {
		body = append(body, empReason(p, r))
	}
	if r.Justification != "" {
		body = append(body,
			TextBlock{Type: "TextBlock", Wrap: true, Weight: "Bolder", Spacing: "Medium", Text: p.Get("reqstatus.justification")},
			typedText(r.Justification))
	}
	if !in.Now.IsZero() {
		body = append(body, TextBlock{Type: "TextBlock", Wrap: true, IsSubtle: true, Size: "Small",
			Text: p.Format("reqstatus.as_of", "date", Date(p.Lang, in.Now))})
	}
	c.Body = body
	if r.State == domain.RequestPending {
		cancel := Execute(p.Get("emp.action.cancel"), VerbRequestCancel, RequestData{RequestID: r.ID})
		cancel.Style = "destructive"
		c.Actions = append(c.Actions, cancel)
	}
	if r.Expired() {
		again := Execute(p.Get("waiting.expired.again"), VerbIntakeOpen, IntakeData{RoleID: r.RoleID})
		again.AssociatedInputs = "none"
		c.Actions = append(c.Actions, again)
	}
	c.Actions = append(c.Actions, empMyMandatesAction(p))
	return c
}

// empItemRow is one theme of a request with its state, and the grant dates or the reason it was not granted.
func empItemRow(p i18n.Printer, cat *catalog.Catalog, it domain.RequestItem) Element {
	items := []Element{
		ColumnSet{Type: "ColumnSet", Columns: []Column{
			{Type: "Column", Width: "stretch", Items: []Element{Text(empThemeName(p, cat, it.ThemeID))}},
			{Type: "Column", Width: "auto", Items: []Element{TextBlock{Type: "TextBlock", Wrap: true,
				Weight: "Bolder", Color: empItemColor(it.State), Text: empItemState(p, it.State)}}},
		}},
	}
	switch {
	case it.State == domain.ItemGranted && !it.GrantedUntil.IsZero():
		items = append(items, TextBlock{Type: "TextBlock", Wrap: true, IsSubtle: true, Size: "Small", Spacing: "None",
			Text: p.Format("emp.valid_range", "from", Date(p.Lang, it.GrantedFrom), "until", Date(p.Lang, it.GrantedUntil))})
	case it.State == domain.ItemNotGranted && it.NotGrantedReason != "":
		items = append(items, TextBlock{Type: "TextBlock", Wrap: true, Size: "Small", Spacing: "None",
			Weight: "Bolder", Text: p.Get("emp.not_granted_reason")}, typedText(it.NotGrantedReason))
	case !it.Covered && (it.State == domain.ItemPending || it.State == domain.ItemApproved):
		items = append(items, TextBlock{Type: "TextBlock", Wrap: true, Size: "Small", Spacing: "None",
			Color: "Warning", Text: p.Get("emp.not_covered_short")})
	}
	return Container{Type: "Container", Spacing: "Small", Items: items}
}

// empReason shows the approver's reason: typed text, so it goes into a TextRun and is never read as markdown.
func empReason(p i18n.Printer, r domain.Request) Element {
	return Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: []Element{
		TextBlock{Type: "TextBlock", Wrap: true, Weight: "Bolder",
			Text: p.Format("emp.decision_reason", "name", escapeMarkdown(empOr(r.ApproverName, p.Get("emp.approver_unknown"))))},
		typedText(r.DecisionReason),
	}}
}

// empRequestExplain says in a sentence where the request stands and what happens next.
func empRequestExplain(p i18n.Printer, r domain.Request) string {
	switch r.State {
	case domain.RequestPending:
		return p.Format("reqstatus.explain.pending", "name", escapeMarkdown(empOr(r.ApproverName, p.Get("emp.approver_unknown"))))
	case domain.RequestApproved:
		return p.Get("reqstatus.explain.approved")
	case domain.RequestRejected:
		return p.Get("reqstatus.explain.rejected")
	case domain.RequestCancelled:
		return p.Get("reqstatus.explain.cancelled")
	case domain.RequestCompleted:
		return p.Get("reqstatus.explain.completed")
	}
	return p.Get("emp.state.unknown")
}

// empApproverBasis says why the approver is the approver.
func empApproverBasis(p i18n.Printer, basis domain.ApproverBasis, name string) string {
	switch basis {
	case domain.ApproverManager:
		return p.Format("emp.basis.manager", "name", escapeMarkdown(name))
	case domain.ApproverDepartmentHead:
		return p.Format("emp.basis.department_head", "name", escapeMarkdown(name))
	case domain.ApproverMainUser:
		return p.Format("emp.basis.main_user", "name", escapeMarkdown(name))
	}
	return p.Format("emp.basis.other", "name", escapeMarkdown(name))
}

// empRequestState is a request state in words.
func empRequestState(p i18n.Printer, s domain.RequestState) string {
	return empStateName(p, "emp.state.", s, domain.RequestPending, domain.RequestApproved, domain.RequestRejected,
		domain.RequestCancelled, domain.RequestCompleted)
}

func empRequestStyle(s domain.RequestState) string {
	switch s {
	case domain.RequestApproved, domain.RequestCompleted:
		return "good"
	case domain.RequestRejected:
		return "attention"
	case domain.RequestPending:
		return "accent"
	}
	return "emphasis"
}

// empItemState is an item state in words.
func empItemState(p i18n.Printer, s domain.ItemState) string {
	return empStateName(p, "emp.item.", s, domain.ItemPending, domain.ItemApproved, domain.ItemRejected,
		domain.ItemGranted, domain.ItemNotGranted, domain.ItemCancelled)
}

// empStateName names a state with the message key+state when it is one of known; a state this version of the
// cards does not know reads "unknown" rather than showing a missing key.
func empStateName[S ~string](p i18n.Printer, key string, s S, known ...S) string {
	if !slices.Contains(known, s) {
		return p.Get("emp.state.unknown")
	}
	return p.Get(key + string(s))
}

func empItemColor(s domain.ItemState) string {
	switch s {
	case domain.ItemGranted, domain.ItemApproved:
		return "Good"
	case domain.ItemRejected, domain.ItemNotGranted:
		return "Attention"
	}
	return "Default"
}

// empThemeName is the theme's name as Suomi.fi shows it; a theme the catalog no longer has shows its id.
func empThemeName(p i18n.Printer, cat *catalog.Catalog, id string) string {
	return lookupTheme(cat, id).Name.In(p.Lang)
}

func empMyMandatesAction(p i18n.Printer) Action {
	a := Execute(p.Get("emp.action.my_mandates"), VerbMyMandates, struct{}{})
	a.AssociatedInputs = "none"
	return a
}

func empIntakeAction(p i18n.Printer) Action {
	a := Execute(p.Get("emp.action.intake"), VerbIntakeOpen, IntakeData{})
	a.AssociatedInputs = "none"
	return a
}

func empOr(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}

// CancelConfirm asks the requester to confirm withdrawing a pending request: what it means, the button that does
// it (VerbRequestCancel with Confirm) and the one that keeps it (back to the status card, VerbRequestStatus).
func CancelConfirm(p i18n.Printer, r domain.Request) *Card {
	c := New(string(p.Lang))
	title := p.Format("cancel.confirm.title", "ref", r.Reference())
	c.FallbackText = title
	c.Body = []Element{Heading(title), Text(p.Get("cancel.confirm.text"))}
	yes := Execute(p.Get("cancel.confirm.yes"), VerbRequestCancel, CancelData{RequestID: r.ID, Confirm: true})
	yes.Style = "destructive"
	c.Actions = []Action{yes, Execute(p.Get("cancel.confirm.no"), VerbRequestStatus, RequestData{RequestID: r.ID})}
	return c
}
