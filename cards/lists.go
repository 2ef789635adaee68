package cards

import (
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// MaxListRows is how many requests a list card shows; the rest are counted ("and 5 more").
const MaxListRows = 20

// ListInput is what a list card of requests shows.
type ListInput struct {
	Catalog  *catalog.Catalog // names the themes of each row; nil shows counts only
	Requests []domain.Request // the requests to list, oldest first
	Now      time.Time
}

// PendingInput is what the approver's list shows: their requests waiting for a decision.
type PendingInput = ListInput

// GrantListInput is what the main users' list shows: approved requests with themes still waiting for a grant.
type GrantListInput = ListInput

// PendingApprovals lists the requests waiting for the approver's decision, each with a button that opens its
// approval card.
func PendingApprovals(p i18n.Printer, in PendingInput) *Card {
	return requestList(p, "admin.pending", VerbApprovalList, in.Requests, func(r domain.Request) Element {
		detail := plural(p, "admin.themes", len(r.Items)) + " · " + orDash(age(p, r.CreatedAt, in.Now))
		return listRow(p, r, detail, rowThemes(p, in.Catalog, r, domain.ItemPending), VerbApprovalOpen)
	})
}

// MinBatchRequests is the smallest group of requests the task list offers to grant in one go: one request's own task
// card already lists all its themes.
const MinBatchRequests = 2

// GrantTasks lists the open grant tasks: approved requests with themes still to grant in Suomi.fi, each with a
// button that opens its task card. Where several requests can be done in one visit to Suomi.fi (the same grant
// path: valtuuspyynnöt that have arrived, or direct grants), the list first offers to grant them in one go.
func GrantTasks(p i18n.Printer, in GrantListInput) *Card {
	c := requestList(p, "admin.grants", VerbGrantList, in.Requests, func(r domain.Request) Element {
		return listRow(p, r, grantRowDetail(p, r, in.Now), rowThemes(p, in.Catalog, r, domain.ItemApproved), VerbGrantOpen)
	})
	if offers := batchOffers(p, in.Requests); len(offers) > 0 {
		// After the heading and the count, before the rows.
		c.Body = append(c.Body[:2], append(offers, c.Body[2:]...)...)
	}
	return c
}

// batchOffers are the task list's "grant in one go" rows: one per grant path with at least MinBatchRequests
// requests for one Suomi.fi session.
func batchOffers(p i18n.Printer, requests []domain.Request) []Element {
	var out []Element
	for _, path := range []domain.GrantPath{domain.PathRequest, domain.PathDirect} {
		n := len(domain.Session(requests, path))
		if n < MinBatchRequests {
			continue
		}
		out = append(out, Container{Type: "Container", Style: "accent", Spacing: "Medium", Items: []Element{
			ColumnSet{Type: "ColumnSet", Columns: []Column{
				{Type: "Column", Width: "stretch", Items: []Element{Text(plural(p, "admin.grants.batch."+string(path), n))}},
				{Type: "Column", Width: "auto", Items: []Element{ActionSet{Type: "ActionSet", Actions: []Action{
					Execute(p.Get("admin.grants.batch.button"), VerbGrantBatch, BatchData{Path: path}),
				}}}},
			}},
		}})
	}
	return out
}

// GrantDigest is the task list a main user receives when many grant tasks arrive in a short time: the open grant
// tasks with a line saying why they come as one list, which delivery updates in place as more tasks arrive.
func GrantDigest(p i18n.Printer, in GrantListInput) *Card {
	c := GrantTasks(p, in)
	note := Text(p.Get("admin.grants.digest"))
	c.Body = append(c.Body[:1], append([]Element{note}, c.Body[1:]...)...)
	return c
}

// requestList is the frame of a list card: the heading (key+".title"), the count (key+".count") or the empty text
// (key+".empty"), a row for each of the first MaxListRows requests, how many were left out, and a refresh button
// that sends refreshVerb.
func requestList(p i18n.Printer, key, refreshVerb string, requests []domain.Request, row func(domain.Request) Element) *Card {
	c := New(string(p.Lang))
	heading := p.Get(key + ".title")
	c.FallbackText = heading
	c.Body = []Element{Heading(heading)}
	if len(requests) == 0 {
		c.Body = append(c.Body, Text(p.Get(key+".empty")))
	} else {
		c.Body = append(c.Body, Text(plural(p, key+".count", len(requests))))
		for _, r := range requests[:min(len(requests), MaxListRows)] {
			c.Body = append(c.Body, row(r))
		}
		c.Body = append(c.Body, moreRows(p, len(requests))...)
	}
	c.Actions = []Action{Execute(p.Get("admin.list.refresh"), refreshVerb, struct{}{})}
	return c
}

// grantRowDetail is a grant task's detail line: the department, how many themes wait, and how long since approval.
func grantRowDetail(p i18n.Printer, r domain.Request, now time.Time) string {
	waiting := 0
	for _, it := range r.Items {
		if it.State == domain.ItemApproved {
			waiting++
		}
	}
	detail := orDash(escapeMarkdown(r.RequesterDepartment)) + " · " + plural(p, "admin.grants.waiting", waiting)
	if r.DecidedAt.IsZero() {
		return detail + " · " + orDash(age(p, r.CreatedAt, now))
	}
	return detail + " · " + p.Format("admin.grants.approved_age", "age", age(p, r.DecidedAt, now))
}

// listRow is one request in a list: reference and requester, a detail line, the themes, and an "open" button.
func listRow(p i18n.Printer, r domain.Request, detail, themes, verb string) Element {
	left := []Element{
		TextBlock{Type: "TextBlock", Text: r.Reference() + " · " + orDash(escapeMarkdown(r.RequesterName)), Weight: "Bolder", Wrap: true},
		TextBlock{Type: "TextBlock", Text: detail, IsSubtle: true, Wrap: true, Spacing: "None"},
	}
	if themes != "" {
		left = append(left, TextBlock{Type: "TextBlock", Text: themes, Size: "Small", Wrap: true, Spacing: "None"})
	}
	return Container{Type: "Container", Style: "emphasis", Spacing: "Small", Items: []Element{
		ColumnSet{Type: "ColumnSet", Columns: []Column{
			{Type: "Column", Width: "stretch", Items: left},
			{Type: "Column", Width: "auto", Items: []Element{
				ActionSet{Type: "ActionSet", Actions: []Action{Execute(p.Get("admin.list.open"), verb, RequestData{RequestID: r.ID})}},
			}},
		}},
	}}
}

// rowThemes names a request's themes in the given state, as Suomi.fi shows them ("" without a catalog).
func rowThemes(p i18n.Printer, cat *catalog.Catalog, r domain.Request, state domain.ItemState) string {
	if cat == nil {
		return ""
	}
	var names []string
	for _, it := range r.Items {
		if it.State == state {
			names = append(names, lookupTheme(cat, it.ThemeID).Name.In(p.Lang))
		}
	}
	return joinNames(names)
}

// moreRows counts the requests a list left out.
func moreRows(p i18n.Printer, total int) []Element {
	if total <= MaxListRows {
		return nil
	}
	return []Element{subtle(p.Format("admin.list.more", "n", strconv.Itoa(total-MaxListRows)))}
}
