package cards

import (
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Verbs of the list cards (in addition to verbs.go). Both carry empty data ({}).
const (
	VerbApprovalList = "approvalList" // the approver's list of requests waiting for their decision
	VerbGrantList    = "grantList"    // the main users' list of open grant tasks
)

// MaxListRows is how many requests a list card shows; the rest are counted ("and 5 more").
const MaxListRows = 20

// PendingInput is what the approver's list of pending requests shows.
type PendingInput struct {
	Catalog  *catalog.Catalog // names the themes of each request; nil shows counts only
	Requests []domain.Request // pending requests of this approver, oldest first
	Now      time.Time
}

// PendingApprovals lists the requests waiting for the approver's decision, each with a button that opens its
// approval card.
func PendingApprovals(p i18n.Printer, in PendingInput) *Card {
	c := New(string(p.Lang))
	heading := p.Get("admin.pending.title")
	c.FallbackText = heading
	c.Body = []Element{Heading(heading)}
	if len(in.Requests) == 0 {
		c.Body = append(c.Body, Text(p.Get("admin.pending.empty")))
	} else {
		c.Body = append(c.Body, Text(plural(p, "admin.pending.count", len(in.Requests))))
		for i, r := range in.Requests {
			if i == MaxListRows {
				break
			}
			detail := plural(p, "admin.themes", len(r.Items)) + " · " + orDash(age(p, r.CreatedAt, in.Now))
			c.Body = append(c.Body, listRow(p, r, detail, rowThemes(p, in.Catalog, r, domain.ItemPending), VerbApprovalOpen))
		}
		c.Body = append(c.Body, moreRows(p, len(in.Requests))...)
	}
	c.Actions = []Action{Execute(p.Get("admin.list.refresh"), VerbApprovalList, struct{}{})}
	return c
}

// GrantListInput is what the main users' list of open grant tasks shows.
type GrantListInput struct {
	Catalog  *catalog.Catalog // names the themes waiting for a grant; nil shows counts only
	Requests []domain.Request // approved requests with items still waiting for a grant, oldest first
	Now      time.Time
}

// GrantTasks lists the open grant tasks: approved requests with themes still to grant in Suomi.fi, each with a
// button that opens its task card.
func GrantTasks(p i18n.Printer, in GrantListInput) *Card {
	c := New(string(p.Lang))
	heading := p.Get("admin.grants.title")
	c.FallbackText = heading
	c.Body = []Element{Heading(heading)}
	if len(in.Requests) == 0 {
		c.Body = append(c.Body, Text(p.Get("admin.grants.empty")))
	} else {
		c.Body = append(c.Body, Text(plural(p, "admin.grants.count", len(in.Requests))))
		for i, r := range in.Requests {
			if i == MaxListRows {
				break
			}
			waiting := 0
			for _, it := range r.Items {
				if it.State == domain.ItemApproved {
					waiting++
				}
			}
			detail := orDash(r.RequesterDepartment) + " · " + plural(p, "admin.grants.waiting", waiting)
			if r.DecidedAt.IsZero() {
				detail += " · " + orDash(age(p, r.CreatedAt, in.Now))
			} else {
				detail += " · " + p.Format("admin.grants.approved_age", "age", age(p, r.DecidedAt, in.Now))
			}
			c.Body = append(c.Body, listRow(p, r, detail, rowThemes(p, in.Catalog, r, domain.ItemApproved), VerbGrantOpen))
		}
		c.Body = append(c.Body, moreRows(p, len(in.Requests))...)
	}
	c.Actions = []Action{Execute(p.Get("admin.list.refresh"), VerbGrantList, struct{}{})}
	return c
}

// listRow is one request in a list: reference and requester, a detail line, the themes, and an "open" button.
func listRow(p i18n.Printer, r domain.Request, detail, themes, verb string) Element {
	left := []Element{
		TextBlock{Type: "TextBlock", Text: r.Reference() + " · " + orDash(r.RequesterName), Weight: "Bolder", Wrap: true},
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
	return strings.Join(names, "; ")
}

// moreRows counts the requests a list left out.
func moreRows(p i18n.Printer, total int) []Element {
	if total <= MaxListRows {
		return nil
	}
	return []Element{subtle(p.Format("admin.list.more", "n", strconv.Itoa(total-MaxListRows)))}
}
