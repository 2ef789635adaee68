package cards

// The cards of a mandate's life after its grant (issue 8.5–8.6): the expiry notice with Renew and Let it lapse, the
// notices that a mandate ended or was invalidated, the invalidation form, the main users' invalidation task with
// the exact Suomi.fi steps, and the list of mandates a main user (or a supervisor) can ask to invalidate. Each says
// why it came and what to do; once nothing is left to do it has no buttons.

import (
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// MandateView is one mandate as the cards show it: the register's entry and what happened to it since the grant.
type MandateView struct {
	Mandate      domain.Mandate
	Invalidation domain.Invalidation // zero when there is no task
	Renewal      domain.Request      // the newest renewal request; zero ID when none
	Today        time.Time           // the organisation's civil date
	// People maps Entra object ids to display names: who chose to let it lapse, who asked for the invalidation, who
	// confirmed it. Ids not found are never shown as such.
	People map[string]string
}

func (v MandateView) today() domain.Date { return domain.DateOf(v.Today) }

func (v MandateView) name(id string) string { return orDash(escapeMarkdown(v.People[id])) }

// renewed is the end date of the granted renewal, or zero.
func (v MandateView) renewed() time.Time {
	if v.Renewal.ID == 0 {
		return time.Time{}
	}
	for _, it := range v.Renewal.Items {
		if it.State == domain.ItemGranted {
			return it.GrantedUntil
		}
	}
	return time.Time{}
}

// state says what became of the mandate when nobody needs to act on it any more: revoked, ended, being
// invalidated, renewed, a renewal under way, or left to lapse ("" when it waits for a choice).
func (v MandateView) state(p i18n.Printer) string {
	m := v.Mandate
	switch {
	case m.State == domain.MandateRevoked:
		on := v.Invalidation.InvalidatedOn.Time()
		if on.IsZero() {
			on = m.UpdatedAt
		}
		return p.Format("mandate.state.revoked", "date", Date(p.Lang, on))
	case m.Ended(v.today()):
		return p.Format("mandate.state.ended", "date", Date(p.Lang, m.ValidUntil))
	case v.Invalidation.Open():
		return p.Get("mandate.state.invalidation_open")
	case !v.renewed().IsZero():
		return p.Format("mandate.state.renewed", "until", Date(p.Lang, v.renewed()))
	case v.Renewal.ID != 0 && v.Renewal.State.Open():
		return p.Format("mandate.state.renewal_open", "ref", v.Renewal.Reference(), "date", Date(p.Lang, m.RenewalStart().Time()))
	case m.Lapsing():
		return p.Format("mandate.state.lapsing", "name", v.name(m.LapseBy), "date", Date(p.Lang, m.LapseAt))
	}
	return ""
}

// closed says that the mandate can no longer be invalidated: revoked or ended ("" while it is in force).
func (v MandateView) closed(p i18n.Printer) string {
	if v.Mandate.State == domain.MandateRevoked || v.Mandate.Ended(v.today()) {
		return v.state(p)
	}
	return ""
}

// mandateFacts names whose mandate it is, of which theme, and when it is valid.
func mandateFacts(p i18n.Printer, cat *catalog.Catalog, m domain.Mandate) FactSet {
	return FactSet{Type: "FactSet", Facts: []Fact{
		{Title: p.Get("mandate.fact.assignee"), Value: orDash(escapeMarkdown(m.HolderName))},
		{Title: p.Get("mandate.fact.department"), Value: orDash(escapeMarkdown(m.Department))},
		{Title: p.Get("mandate.fact.theme"), Value: lookupTheme(cat, m.ThemeID).Name.In(p.Lang)},
		{Title: p.Get("mandate.fact.valid"), Value: Date(p.Lang, m.ValidFrom) + "–" + Date(p.Lang, m.ValidUntil)},
	}}
}

// daysLeft says how many days the mandate is still in force, counted from today.
func daysLeft(p i18n.Printer, today, until time.Time) string {
	n := domain.DateOf(today).DaysUntil(domain.DateOf(until))
	if n <= 0 {
		return p.Get("mandate.left.today")
	}
	return plural(p, "mandate.left", n)
}

func stateBox(text string) Element {
	return Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: []Element{Text(text)}}
}

// ExpiryInput is what an expiry notice shows to its reader.
type ExpiryInput struct {
	Catalog *catalog.Catalog
	View    MandateView
	// ForSupervisor: the reader is the holder's supervisor (else the holder).
	ForSupervisor bool
	// MayRenew and MayLapse: the reader may tap Renew / Let it lapse now (the workflow's rules say so).
	MayRenew, MayLapse bool
	// RenewFrom and RenewUntil are the validity Renew would ask for; zero when unknown.
	RenewFrom, RenewUntil time.Time
	Error                 string
}

// ExpiryNotice tells the holder, or their supervisor, that a mandate ends soon and offers Renew (a renewal request
// through the normal approval, starting on the old end date) and Let it lapse (no more reminders). Once someone
// chose, or the mandate ended or was invalidated, it says so and has no buttons.
func ExpiryNotice(p i18n.Printer, in ExpiryInput) *Card {
	v := in.View
	m := v.Mandate
	c := New(string(p.Lang))
	c.FallbackText = p.Format("mandate.expiry.title", "date", Date(p.Lang, m.ValidUntil))
	why := p.Get("mandate.expiry.why.holder")
	if in.ForSupervisor {
		why = p.Format("mandate.expiry.why.supervisor", "name", orDash(escapeMarkdown(m.HolderName)))
	}
	c.Body = []Element{Heading(c.FallbackText), Text(why), mandateFacts(p, in.Catalog, m)}
	c.Body = append(c.Body, errorBox(in.Error)...)
	if s := v.state(p); s != "" {
		c.Body = append(c.Body, stateBox(s))
		if !in.ForSupervisor {
			c.Actions = []Action{empMyMandatesAction(p)}
		}
		return c
	}
	c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: daysLeft(p, v.Today, m.ValidUntil), Weight: "Bolder",
		Color: "Warning", Wrap: true})
	if !in.MayRenew && !in.MayLapse {
		return c
	}
	what := []Element{TextBlock{Type: "TextBlock", Text: p.Get("mandate.expiry.what"), Weight: "Bolder", Wrap: true}}
	data := MandateData{MandateID: m.ID}
	if in.MayRenew {
		what = append(what, Text("• "+p.Format("mandate.expiry.renew.hint", "button", p.Get("mandate.expiry.renew"))))
		if !in.RenewUntil.IsZero() {
			what = append(what, subtle(p.Format("mandate.expiry.renew.dates", "from", Date(p.Lang, in.RenewFrom),
				"until", Date(p.Lang, in.RenewUntil))))
		}
		renew := Execute(p.Get("mandate.expiry.renew"), VerbMandateRenew, data)
		renew.Style = "positive"
		c.Actions = append(c.Actions, renew)
	}
	if in.MayLapse {
		what = append(what, Text("• "+p.Format("mandate.expiry.lapse.hint", "button", p.Get("mandate.expiry.lapse"),
			"date", Date(p.Lang, m.ValidUntil))))
		c.Actions = append(c.Actions, Execute(p.Get("mandate.expiry.lapse"), VerbMandateLapse, data))
	}
	c.Body = append(c.Body, Container{Type: "Container", Spacing: "Medium", Items: what})
	return c
}

// MandateNoticeInput is what the holder's notices about one mandate show.
type MandateNoticeInput struct {
	Catalog *catalog.Catalog
	View    MandateView
}

// ExpiredNotice tells the holder that their mandate has ended, and how to ask for it again.
func ExpiredNotice(p i18n.Printer, in MandateNoticeInput) *Card {
	m := in.View.Mandate
	c := New(string(p.Lang))
	c.FallbackText = p.Get("mandate.expired.title")
	c.Body = []Element{Heading(c.FallbackText),
		Text(p.Format("mandate.expired.text", "date", Date(p.Lang, m.ValidUntil))),
		mandateFacts(p, in.Catalog, m)}
	if r := in.View.Renewal; r.ID != 0 && r.State.Open() {
		c.Body = append(c.Body, stateBox(in.View.state(p)))
		c.Actions = []Action{empMyMandatesAction(p)}
		return c
	}
	c.Body = append(c.Body, Text(p.Format("mandate.expired.again", "button", p.Get("emp.action.intake"))))
	c.Actions = []Action{empIntakeAction(p), empMyMandatesAction(p)}
	return c
}

// RevokedNotice tells the holder that a main user invalidated their mandate in Suomi.fi.
func RevokedNotice(p i18n.Printer, in MandateNoticeInput) *Card {
	v := in.View
	on := v.Invalidation.InvalidatedOn.Time()
	if on.IsZero() {
		on = v.Mandate.UpdatedAt
	}
	c := New(string(p.Lang))
	c.FallbackText = p.Get("mandate.revoked.title")
	c.Body = []Element{Heading(c.FallbackText),
		Text(p.Format("mandate.revoked.text", "date", Date(p.Lang, on))),
		mandateFacts(p, in.Catalog, v.Mandate),
		subtle(p.Get("mandate.revoked.why"))}
	c.Actions = []Action{empMyMandatesAction(p)}
	return c
}

// InvalidationFormInput is what the invalidation form shows.
type InvalidationFormInput struct {
	Catalog  *catalog.Catalog
	View     MandateView
	MainUser bool // the reader opens the task as a main user (else asks for it as the holder's supervisor)
	// MayAsk: the reader may open or ask for a task now.
	MayAsk bool
	Error  string
}

// InvalidationForm asks a main user (or the holder's supervisor) for the reason to invalidate a mandate; sending it
// opens the main users' task. When a task exists already, or the mandate is no longer valid, it says so instead.
func InvalidationForm(p i18n.Printer, in InvalidationFormInput) *Card {
	v := in.View
	c := New(string(p.Lang))
	c.FallbackText = p.Get("mandate.invalidate.title")
	c.Body = []Element{Heading(c.FallbackText), mandateFacts(p, in.Catalog, v.Mandate)}
	c.Body = append(c.Body, errorBox(in.Error)...)
	back := Execute(p.Get("mandate.back_to_list"), VerbMandateList, MandateListData{})
	back.AssociatedInputs = "none"
	if inv := v.Invalidation; inv.MandateID != 0 {
		c.Body = append(c.Body, Text(p.Format("mandate.invalidate.sent", "date", Date(p.Lang, inv.RequestedAt),
			"name", requestedBy(p, v, inv.RequestedBy))))
	}
	if s := v.closed(p); s != "" || !in.MayAsk {
		if s != "" {
			c.Body = append(c.Body, stateBox(s))
		}
		c.Actions = []Action{back}
		return c
	}
	role, send := "supervisor", p.Get("mandate.invalidate.send.supervisor")
	if in.MainUser {
		role, send = "main_user", p.Get("mandate.invalidate.send.main_user")
	}
	c.Body = append(c.Body, Text(p.Get("mandate.invalidate.intro."+role)),
		Input{Type: "Input.Text", ID: ReasonInput, Label: p.Get("mandate.invalidate.reason.label"),
			Placeholder: p.Get("mandate.invalidate.reason.placeholder"), IsMultiline: true, MaxLength: MaxReason,
			IsRequired: true, ErrorMessage: p.Format("mandate.invalidate.reason.error", "max", strconv.Itoa(MaxReason))})
	ask := Execute(send, VerbInvalidationRequest, MandateData{MandateID: v.Mandate.ID})
	ask.Style = "destructive"
	c.Actions = []Action{ask, back}
	return c
}

// InvalidationTaskInput is what a main user's invalidation task shows.
type InvalidationTaskInput struct {
	Catalog    *catalog.Catalog
	View       MandateView
	OrgName    domain.Text // the assignor as Suomi.fi names it
	BusinessID string
	// Reminder is the reminder's number (0 for the task itself).
	Reminder int
	// OtherMandates counts the holder's other valid mandates, for the selection basket hint.
	OtherMandates int
	// MayConfirm: the reader is a main user and the task is open.
	MayConfirm bool
	Error      string
}

// InvalidationTask gives the main users the exact steps of invalidating a mandate in Suomi.fi e-Authorizations
// (the company's mandates, Granted mandates, the person, the mandate, Invalidate; the selection basket when all of
// the person's mandates go) and the confirmation with the day it was done. Confirmed, it shows who confirmed and
// when, with no inputs or actions.
func InvalidationTask(p i18n.Printer, in InvalidationTaskInput) *Card {
	v := in.View
	m, inv := v.Mandate, v.Invalidation
	name := orDash(escapeMarkdown(m.HolderName))
	c := New(string(p.Lang))
	if !inv.Open() && inv.MandateID != 0 {
		c.FallbackText = p.Format("mandate.task.final.title", "name", orDash(m.HolderName))
		c.Body = []Element{Heading(p.Format("mandate.task.final.title", "name", name)), mandateFacts(p, in.Catalog, m),
			Text(p.Format("mandate.task.final.text", "who", v.name(inv.ConfirmedBy), "date", Date(p.Lang, inv.InvalidatedOn.Time())))}
		return c
	}
	c.FallbackText = p.Format("mandate.task.title", "name", orDash(m.HolderName))
	c.Body = []Element{Heading(p.Format("mandate.task.title", "name", name))}
	role := "main_user"
	if inv.RequestedRole == domain.InvalidationBySupervisor {
		role = "supervisor"
	}
	if inv.RequestedBy == domain.SystemActor { // opened when the assignee left (leaver.go in internal/alerts)
		c.Body = append(c.Body, Text(p.Format("leaver.task.why", "date", Date(p.Lang, inv.RequestedAt))))
	} else {
		c.Body = append(c.Body, Text(p.Format("mandate.task.why."+role, "name", v.name(inv.RequestedBy), "date", Date(p.Lang, inv.RequestedAt))))
	}
	if in.Reminder > 0 {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Wrap: true, Weight: "Bolder", Color: "Warning",
			Text: p.Format("mandate.task.reminder", "n", strconv.Itoa(in.Reminder), "date", Date(p.Lang, inv.RequestedAt))})
	}
	c.Body = append(c.Body, errorBox(in.Error)...)
	c.Body = append(c.Body, mandateFacts(p, in.Catalog, m),
		Container{Type: "Container", Style: "emphasis", Items: []Element{
			TextBlock{Type: "TextBlock", Text: p.Get("mandate.task.reason"), Weight: "Bolder", Wrap: true}, typedText(inv.Reason)}})
	if m.Ended(v.today()) {
		c.Body = append(c.Body, stateBox(p.Get("mandate.task.gone")))
		return c
	}
	th := lookupTheme(in.Catalog, m.ThemeID)
	org, bid := orgOf(p, GrantTaskInput{Catalog: in.Catalog, OrgName: in.OrgName, BusinessID: in.BusinessID})
	c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: suomiFiNames(p, th)})
	c.Body = append(c.Body, stepsBlock(p, p.Get("mandate.task.steps.heading"), []string{
		p.Get("admin.grant.accept.1"),
		p.Format("admin.grant.accept.2", "org", orDash(org), "business_id", orDash(bid)),
		p.Format("mandate.task.step.3", "name", name),
		p.Get("mandate.task.step.4"),
		p.Format("mandate.task.step.5", "button", p.Get("mandate.task.done")),
	}, false, OpenURL(p.Get("admin.grant.open_suomifi"), SuomiFiMandatesURL)))
	if in.OtherMandates > 0 {
		c.Body = append(c.Body, subtle(p.Format("mandate.task.basket", "n", strconv.Itoa(in.OtherMandates))))
	}
	if !in.MayConfirm {
		return c
	}
	today := v.Today
	c.Body = append(c.Body, Input{Type: "Input.Date", ID: InvalidatedOnInput, Label: p.Get("mandate.task.date.label"),
		Value: InputDate(today), Min: InputDate(domain.Civil(inv.RequestedAt)), Max: InputDate(today), IsRequired: true,
		ErrorMessage: p.Get("mandate.task.date.error"), Spacing: "Medium"})
	done := Execute(p.Get("mandate.task.done"), VerbInvalidationDone, MandateData{MandateID: m.ID})
	done.Style = "positive"
	c.Actions = []Action{done}
	return c
}

// MandateListPage is how many mandates one page of the list shows.
const MandateListPage = 15

// MandateListInput is what the list of mandates shows.
type MandateListInput struct {
	Catalog       *catalog.Catalog
	Mandates      []domain.Mandate              // valid and upcoming, in the order to show
	Invalidations map[int64]domain.Invalidation // open tasks by mandate
	MainUser      bool                          // every mandate (else the supervisor's people's)
	Offset        int                           // the first mandate of the page
}

// MandateList lists the mandates a main user (all of them) or a supervisor (their people's) can ask to invalidate,
// a page at a time, each with its button; mandates with an open task say so instead.
func MandateList(p i18n.Printer, in MandateListInput) *Card {
	role := "supervisor"
	if in.MainUser {
		role = "main_user"
	}
	c := New(string(p.Lang))
	c.FallbackText = p.Get("mandate.list.title." + role)
	c.Body = []Element{Heading(c.FallbackText)}
	total := len(in.Mandates)
	if total == 0 {
		c.Body = append(c.Body, Text(p.Format("mandate.list.empty."+role, "button", p.Get("emp.action.my_mandates"))))
		c.Actions = []Action{empMyMandatesAction(p)}
		return c
	}
	button := p.Get("mandate.list.invalidate." + role)
	c.Body = append(c.Body, Text(p.Format("mandate.list.intro."+role, "n", strconv.Itoa(total), "button", button)))
	from := min(max(in.Offset, 0), total-1) / MandateListPage * MandateListPage
	to := min(from+MandateListPage, total)
	for _, m := range in.Mandates[from:to] {
		c.Body = append(c.Body, mandateListRow(p, in, m, button))
	}
	if total > MandateListPage {
		c.Body = append(c.Body, subtle(p.Format("mandate.list.page", "from", strconv.Itoa(from+1), "to", strconv.Itoa(to),
			"total", strconv.Itoa(total))))
	}
	if from > 0 {
		c.Actions = append(c.Actions, Execute(p.Get("mandate.list.previous"), VerbMandateList, MandateListData{Offset: from - MandateListPage}))
	}
	if to < total {
		c.Actions = append(c.Actions, Execute(p.Get("mandate.list.next"), VerbMandateList, MandateListData{Offset: to}))
	}
	return c
}

// mandateListRow is one mandate: who, which theme, until when, and its button or its open task.
func mandateListRow(p i18n.Printer, in MandateListInput, m domain.Mandate, button string) Element {
	items := []Element{ColumnSet{Type: "ColumnSet", Columns: []Column{
		{Type: "Column", Width: "stretch", Items: []Element{
			TextBlock{Type: "TextBlock", Text: orDash(escapeMarkdown(m.HolderName)), Weight: "Bolder", Wrap: true},
			TextBlock{Type: "TextBlock", Text: lookupTheme(in.Catalog, m.ThemeID).Name.In(p.Lang), Wrap: true, Spacing: "None", Size: "Small"}}},
		{Type: "Column", Width: "auto", Items: []Element{Text(p.Format("mymandates.until", "date", Date(p.Lang, m.ValidUntil)))}},
	}}}
	switch _, open := in.Invalidations[m.ID]; {
	case open:
		items = append(items, TextBlock{Type: "TextBlock", Text: p.Get("mandate.list.pending"), Color: "Attention", Wrap: true, Spacing: "None"})
	default:
		if m.Lapsing() {
			items = append(items, TextBlock{Type: "TextBlock", Text: p.Get("mandate.list.lapsing"), IsSubtle: true, Wrap: true, Spacing: "None"})
		}
		a := Execute(button, VerbInvalidationOpen, MandateData{MandateID: m.ID})
		a.AssociatedInputs = "none"
		items = append(items, ActionSet{Type: "ActionSet", Actions: []Action{a}})
	}
	return Container{Type: "Container", Style: "emphasis", Spacing: "Small", Items: items}
}

// renewalNote tells the approver and the main users that a request renews a mandate, and when the new one starts.
func renewalNote(p i18n.Printer, r domain.Request) []Element {
	if r.RenewsMandateID == 0 || r.ValidFrom.IsZero() {
		return nil
	}
	return []Element{TextBlock{Type: "TextBlock", Wrap: true, Weight: "Bolder", Spacing: "Small",
		Text: p.Format("mandate.renewal.note", "from", Date(p.Lang, r.ValidFrom))}}
}

// stepsValidity is the validity step of the employee's valtuuspyyntö: from the day they send it, or for a renewal
// from the old mandate's end date.
func stepsValidity(p i18n.Printer, r domain.Request) string {
	if r.RenewsMandateID != 0 && !r.ValidFrom.IsZero() {
		return p.Format("mandate.renewal.steps", "from", Date(p.Lang, r.ValidFrom), "until", Date(p.Lang, r.ValidUntil))
	}
	return p.Format("steps.6", "until", Date(p.Lang, r.ValidUntil))
}
