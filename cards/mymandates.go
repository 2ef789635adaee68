package cards

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Bounds of the "my mandates" card: enough for anyone's real list, small enough to stay far under MaxBytes.
const (
	myMandatesMaxActive   = 30
	myMandatesMaxRequests = 10
	myMandatesMaxEnded    = 10
	// myMandatesEndingSoon is how many days before its end a mandate is flagged.
	myMandatesEndingSoon = 30
	// myMandatesRecentDays is how far back ended mandates are still listed.
	myMandatesRecentDays = 90
)

// MyMandatesInput is what the employee's own mandates card shows.
type MyMandatesInput struct {
	Catalog  *catalog.Catalog
	Mandates []domain.Mandate // the employee's mandates in the register, in any order
	Requests []domain.Request // the employee's requests, in any order; only open ones are shown
	Today    time.Time        // the organisation's civil date (Finnish time): only its year, month and day count
}

// MyMandates is the employee's own view of the register: active mandates by end date (flagged when ending within
// 30 days), open requests with a cancel button while they wait for the approver, and mandates that ended in the
// last 90 days. With nothing to show it offers "which mandates do I need?". Each list is bounded, with "and N more".
func MyMandates(p i18n.Printer, in MyMandatesInput) *Card {
	today := domain.Civil(in.Today)
	active, ended := myMandatesByState(in.Mandates, today)
	open := myOpenRequests(in.Requests)

	c := New(string(p.Lang))
	c.FallbackText = p.Get("mymandates.title")
	c.Body = []Element{
		Heading(p.Get("mymandates.title")),
		TextBlock{Type: "TextBlock", Wrap: true, IsSubtle: true, Size: "Small", Spacing: "None",
			Text: p.Format("mymandates.as_of", "date", Date(p.Lang, today))},
	}
	if len(active) == 0 && len(open) == 0 && len(ended) == 0 {
		c.Body = append(c.Body, Text(p.Get("mymandates.empty")))
		a := empIntakeAction(p)
		a.Style = "positive"
		c.Actions = []Action{a}
		return c
	}

	c.Body = append(c.Body, myActiveSection(p, in.Catalog, active, today)...)
	if len(open) > 0 {
		c.Body = append(c.Body, sectionHeading(p.Get("mymandates.requests.heading")))
		c.Body = append(c.Body, myBounded(p, open, myMandatesMaxRequests, func(r domain.Request) Element {
			return myRequestRow(p, in.Catalog, r)
		})...)
	}
	if len(ended) > 0 {
		c.Body = append(c.Body, sectionHeading(p.Format("mymandates.ended.heading",
			"days", strconv.Itoa(myMandatesRecentDays))))
		c.Body = append(c.Body, myBounded(p, ended, myMandatesMaxEnded, func(m domain.Mandate) Element {
			return myEndedRow(p, in.Catalog, m)
		})...)
	}
	c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: p.Get("mymandates.register_note"), Wrap: true,
		IsSubtle: true, Size: "Small", Spacing: "Large"})
	c.Actions = []Action{empIntakeAction(p)}
	return c
}

// myMandatesByState picks the mandates in force or starting later, by end date, and those that ended within the
// last myMandatesRecentDays days, most recent first. Older ones are in neither.
func myMandatesByState(mandates []domain.Mandate, today time.Time) (active, ended []domain.Mandate) {
	for _, m := range mandates {
		switch end := m.End().Time(); {
		case m.State == domain.MandateActive && !m.ValidUntil.Before(today):
			active = append(active, m)
		case !end.IsZero() && end.Before(today.AddDate(0, 0, 1)) && !end.Before(today.AddDate(0, 0, -myMandatesRecentDays)):
			ended = append(ended, m)
		}
	}
	slices.SortStableFunc(active, func(a, b domain.Mandate) int {
		return cmp.Or(a.ValidUntil.Compare(b.ValidUntil), cmp.Compare(a.ThemeID, b.ThemeID))
	})
	slices.SortStableFunc(ended, func(a, b domain.Mandate) int { return b.End().Compare(a.End()) })
	return active, ended
}

// myOpenRequests picks the open requests, newest first.
func myOpenRequests(requests []domain.Request) []domain.Request {
	var open []domain.Request
	for _, r := range requests {
		if r.State.Open() {
			open = append(open, r)
		}
	}
	slices.SortStableFunc(open, func(a, b domain.Request) int {
		return cmp.Or(b.CreatedAt.Compare(a.CreatedAt), cmp.Compare(b.ID, a.ID))
	})
	return open
}

// myActiveSection lists the active mandates, with a note on the flag when one of those shown ends soon.
func myActiveSection(p i18n.Printer, cat *catalog.Catalog, active []domain.Mandate, today time.Time) []Element {
	out := []Element{sectionHeading(p.Get("mymandates.active.heading"))}
	if len(active) == 0 {
		out = append(out, Text(p.Get("mymandates.active.none")))
	}
	endingSoon := false
	out = append(out, myBounded(p, active, myMandatesMaxActive, func(m domain.Mandate) Element {
		row, soon := myMandateRow(p, cat, m, today)
		endingSoon = endingSoon || soon
		return row
	})...)
	if endingSoon {
		out = append(out, TextBlock{Type: "TextBlock", Text: p.Get("mymandates.ending.hint"), Wrap: true,
			Size: "Small", Spacing: "Small"})
	}
	return out
}

// myBounded is a row for each of the first limit entries of a list, then "and N more" for the rest.
func myBounded[T any](p i18n.Printer, list []T, limit int, row func(T) Element) []Element {
	out := make([]Element, 0, min(len(list), limit+1))
	for i, x := range list {
		if i == limit {
			return append(out, myMandatesMore(p, len(list)-i))
		}
		out = append(out, row(x))
	}
	return out
}

// myEndedRow is one mandate that ended recently: expired or revoked, and when.
func myEndedRow(p i18n.Printer, cat *catalog.Catalog, m domain.Mandate) Element {
	key := "mymandates.ended.expired"
	if m.State == domain.MandateRevoked {
		key = "mymandates.ended.revoked"
	}
	return ColumnSet{Type: "ColumnSet", Spacing: "Small", Columns: []Column{
		{Type: "Column", Width: "stretch", Items: []Element{Text(empThemeName(p, cat, m.ThemeID))}},
		{Type: "Column", Width: "auto", Items: []Element{TextBlock{Type: "TextBlock", Wrap: true,
			IsSubtle: true, Text: p.Format(key, "date", Date(p.Lang, m.End().Time()))}}},
	}}
}

// myMandateRow is one active mandate; soon reports whether it ends within myMandatesEndingSoon days.
func myMandateRow(p i18n.Printer, cat *catalog.Catalog, m domain.Mandate, today time.Time) (row Element, soon bool) {
	days := int(m.ValidUntil.Sub(today).Hours() / 24)
	soon = days <= myMandatesEndingSoon
	when := p.Format("mymandates.until", "date", Date(p.Lang, m.ValidUntil))
	if m.ValidFrom.After(today) {
		when = p.Format("emp.valid_range", "from", Date(p.Lang, m.ValidFrom), "until", Date(p.Lang, m.ValidUntil))
	}
	items := []Element{ColumnSet{Type: "ColumnSet", Columns: []Column{
		{Type: "Column", Width: "stretch", Items: []Element{
			TextBlock{Type: "TextBlock", Text: empThemeName(p, cat, m.ThemeID), Weight: "Bolder", Wrap: true}}},
		{Type: "Column", Width: "auto", Items: []Element{Text(when)}},
	}}}
	if m.GrantPath != "" { // how it was granted: the register keeps the path (imported mandates have none)
		items = append(items, TextBlock{Type: "TextBlock", Text: p.Get("mymandates.path." + string(m.GrantPath)),
			IsSubtle: true, Size: "Small", Wrap: true, Spacing: "None"})
	}
	style := ""
	if soon {
		style = "warning"
		var left string
		switch days {
		case 0:
			left = p.Get("mymandates.ending.today")
		case 1:
			left = p.Get("mymandates.ending.one")
		default:
			left = p.Format("mymandates.ending.many", "days", strconv.Itoa(days))
		}
		items = append(items, TextBlock{Type: "TextBlock", Text: left, Wrap: true, Weight: "Bolder",
			Color: "Warning", Spacing: "None"})
	}
	if m.Lapsing() {
		items = append(items, TextBlock{Type: "TextBlock", Text: p.Get("mandate.list.lapsing"), Wrap: true, IsSubtle: true,
			Spacing: "None"})
	}
	return Container{Type: "Container", Style: style, Spacing: "Small", Items: items}, soon
}

// myRequestRow is one open request: reference, state, its themes, and a cancel button while it is pending.
func myRequestRow(p i18n.Printer, cat *catalog.Catalog, r domain.Request) Element {
	items := []Element{ColumnSet{Type: "ColumnSet", Columns: []Column{
		{Type: "Column", Width: "stretch", Items: []Element{
			TextBlock{Type: "TextBlock", Text: r.Reference(), Weight: "Bolder", Wrap: true}}},
		{Type: "Column", Width: "auto", Items: []Element{Text(empRequestState(p, r.State))}},
	}}}
	for _, it := range r.Items {
		if it.State == domain.ItemCancelled || it.State == domain.ItemRejected {
			continue
		}
		items = append(items, TextBlock{Type: "TextBlock", Wrap: true, Size: "Small", Spacing: "None",
			Text: "• " + empThemeName(p, cat, it.ThemeID) + " – " + empItemState(p, it.State)})
	}
	if r.State == domain.RequestPending {
		// Not styled destructive: in a list of requests a column of red buttons reads as a list of errors.
		cancel := Execute(p.Get("emp.action.cancel"), VerbRequestCancel, RequestData{RequestID: r.ID})
		cancel.AssociatedInputs = "none"
		items = append(items, ActionSet{Type: "ActionSet", Actions: []Action{cancel}})
	}
	return Container{Type: "Container", Style: "emphasis", Spacing: "Small", Items: items}
}

func myMandatesMore(p i18n.Printer, n int) Element {
	return TextBlock{Type: "TextBlock", Text: p.Format("emp.more", "count", strconv.Itoa(n)), Wrap: true,
		IsSubtle: true, Spacing: "Small"}
}
