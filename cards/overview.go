package cards

import (
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// MaxOverviewDepartments is how many departments the overview lists.
const MaxOverviewDepartments = 5

// overviewStates is the order the overview lists request states in: open ones first.
var overviewStates = []domain.RequestState{
	domain.RequestPending, domain.RequestApproved, domain.RequestCompleted, domain.RequestRejected, domain.RequestCancelled,
}

// OverviewRows is how many of the mandates ending soonest, of the oldest open grant tasks and of the oldest open
// invalidation tasks the overview names.
const OverviewRows = 5

// OverviewInput is what the main users' overview shows.
type OverviewInput struct {
	Overview domain.Overview
	Today    time.Time
	Catalog  *catalog.Catalog // names the themes of the rows below; nil shows ids
	// Ending are the mandates in force that end soonest, Oldest the open grant tasks and Invalidations the open
	// invalidation tasks (each with its mandate) that have waited longest: the overview names the first
	// OverviewRows of each, each with a button that opens it.
	Ending        []domain.Mandate
	Oldest        []domain.Request
	Invalidations []domain.MandateLife
}

// Overview is the main users' picture of the register: requests by state, active mandates and those ending soon,
// open grant and invalidation tasks and the departments with the most mandates.
func Overview(p i18n.Printer, in OverviewInput) *Card {
	o := in.Overview
	c := New(string(p.Lang))
	heading := p.Format("admin.overview.title", "date", Date(p.Lang, in.Today))
	c.FallbackText = heading
	c.Body = []Element{Heading(heading)}

	// Mandates first: that is what the main users answer for.
	c.Body = append(c.Body,
		TextBlock{Type: "TextBlock", Text: p.Get("admin.overview.mandates"), Weight: "Bolder", Size: "Medium", Wrap: true, Spacing: "Medium"},
		FactSet{Type: "FactSet", Facts: []Fact{
			{Title: p.Get("admin.overview.active"), Value: strconv.Itoa(o.ActiveMandates)},
			{Title: p.Get("admin.overview.ending30"), Value: strconv.Itoa(o.EndingWithin30)},
			{Title: p.Get("admin.overview.ending90"), Value: strconv.Itoa(o.EndingWithin90)},
			{Title: p.Get("admin.overview.grant_tasks"), Value: strconv.Itoa(o.OpenGrantTasks)},
			{Title: p.Get("admin.overview.invalidation_tasks"), Value: strconv.Itoa(o.OpenInvalidations)},
		}})
	if o.EndingWithin30 > 0 {
		c.Body = append(c.Body, Container{Type: "Container", Style: "attention", Items: []Element{
			TextBlock{Type: "TextBlock", Text: plural(p, "admin.overview.ending30.alert", o.EndingWithin30), Weight: "Bolder", Wrap: true},
		}})
	}
	if o.OpenGrantTasks > 0 {
		c.Body = append(c.Body, Container{Type: "Container", Style: "warning", Items: []Element{
			Text(plural(p, "admin.overview.grant_tasks.alert", o.OpenGrantTasks)),
		}})
	}
	if o.SelfGranted > 0 {
		c.Body = append(c.Body, Container{Type: "Container", Style: "attention", Items: []Element{
			Text(p.Format("admin.overview.self_granted", "count", strconv.Itoa(o.SelfGranted))),
		}})
	}

	c.Body = append(c.Body, overviewRows(p, in)...)

	states := make([]Fact, 0, len(overviewStates))
	for _, s := range overviewStates {
		states = append(states, Fact{Title: p.Get("admin.reqstate." + string(s)), Value: strconv.Itoa(o.RequestsByState[s])})
	}
	c.Body = append(c.Body,
		TextBlock{Type: "TextBlock", Text: p.Get("admin.overview.requests"), Weight: "Bolder", Size: "Medium", Wrap: true, Spacing: "Large"},
		FactSet{Type: "FactSet", Facts: states})

	if len(o.TopDepartments) > 0 {
		deps := make([]Fact, 0, MaxOverviewDepartments)
		for i, d := range o.TopDepartments {
			if i == MaxOverviewDepartments {
				break
			}
			name := escapeMarkdown(d.Department)
			if name == "" {
				name = p.Get("admin.overview.no_department")
			}
			deps = append(deps, Fact{Title: name, Value: strconv.Itoa(d.Mandates)})
		}
		c.Body = append(c.Body,
			TextBlock{Type: "TextBlock", Text: p.Get("admin.overview.departments"), Weight: "Bolder", Size: "Medium", Wrap: true, Spacing: "Large"},
			FactSet{Type: "FactSet", Facts: deps})
	}

	tasks := Execute(p.Get("admin.overview.open_tasks"), VerbGrantList, struct{}{})
	if o.OpenGrantTasks > 0 {
		tasks.Style = "positive"
	}
	c.Actions = []Action{tasks, Execute(p.Get("admin.list.refresh"), VerbOverview, struct{}{})}
	return c
}

// overviewRows names the mandates ending soonest (each opening its invalidation form, where the main user also sees
// the mandate), the oldest open grant tasks (each opening its task card) and the oldest open invalidation tasks
// (each opening its task: the same verb shows a main user the open task rather than the form).
func overviewRows(p i18n.Printer, in OverviewInput) []Element {
	var out []Element
	if len(in.Ending) > 0 {
		out = append(out, sectionHeading(p.Get("admin.overview.ending_soonest")))
		for _, m := range in.Ending[:min(len(in.Ending), OverviewRows)] {
			out = append(out, overviewRow(p, orDash(escapeMarkdown(m.HolderName))+" · "+lookupTheme(in.Catalog, m.ThemeID).Name.In(p.Lang),
				p.Format("digest.ends_on", "date", Date(p.Lang, m.ValidUntil)), Execute(p.Get("admin.list.open"), VerbInvalidationOpen, MandateData{MandateID: m.ID})))
		}
	}
	if len(in.Oldest) > 0 {
		out = append(out, sectionHeading(p.Get("admin.overview.oldest_tasks")))
		for _, r := range in.Oldest[:min(len(in.Oldest), OverviewRows)] {
			out = append(out, overviewRow(p, r.Reference()+" · "+orDash(escapeMarkdown(r.RequesterName)),
				grantRowDetail(p, r, in.Today), Execute(p.Get("admin.list.open"), VerbGrantOpen, RequestData{RequestID: r.ID})))
		}
	}
	if len(in.Invalidations) > 0 {
		out = append(out, sectionHeading(p.Get("admin.overview.oldest_invalidations")))
		for _, l := range in.Invalidations[:min(len(in.Invalidations), OverviewRows)] {
			m := l.Mandate
			out = append(out, overviewRow(p, orDash(escapeMarkdown(m.HolderName))+" · "+lookupTheme(in.Catalog, m.ThemeID).Name.In(p.Lang),
				orDash(escapeMarkdown(m.Department))+" · "+p.Format("admin.overview.invalidation_age", "age", age(p, l.Invalidation.RequestedAt, in.Today)),
				Execute(p.Get("admin.list.open"), VerbInvalidationOpen, MandateData{MandateID: m.ID})))
		}
	}
	return out
}

// overviewRow is one named row of the overview with its button.
func overviewRow(p i18n.Printer, title, detail string, open Action) Element {
	return Container{Type: "Container", Style: "emphasis", Spacing: "Small", Items: []Element{
		ColumnSet{Type: "ColumnSet", Columns: []Column{
			{Type: "Column", Width: "stretch", Items: []Element{
				TextBlock{Type: "TextBlock", Text: title, Weight: "Bolder", Wrap: true},
				TextBlock{Type: "TextBlock", Text: detail, IsSubtle: true, Wrap: true, Spacing: "None"},
			}},
			{Type: "Column", Width: "auto", Items: []Element{ActionSet{Type: "ActionSet", Actions: []Action{open}}}},
		}},
	}}
}
