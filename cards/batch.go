package cards

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// MaxBatchRequests is how many requests one batch card lists; the rest follow once these are recorded. It keeps
// the card well under MaxBytes.
const MaxBatchRequests = 6

// GrantBatchInput is what the batch card of one grant path shows: the grants a main user can do in one visit to
// Suomi.fi e-Authorizations.
type GrantBatchInput struct {
	Catalog    *catalog.Catalog
	Path       domain.GrantPath // domain.PathRequest or domain.PathDirect
	Requests   []domain.Request // the open grant tasks, oldest first; the card takes those with items for Path's session
	OrgName    domain.Text      // the assignor (valtuuttaja) as Suomi.fi names it
	BusinessID string           // the assignor's Y-tunnus
	Today      time.Time        // the civil date the card is shown
	// Reader is the main user the card is for. Their own requests are listed only when they are the organisation's
	// only main user (SoleMainUser), with the confirmation segregation of duties asks; otherwise another main user
	// records them and the card says so.
	Reader       string
	SoleMainUser bool
	StepsFolded  bool          // as in GrantTaskInput: the reader has recorded grants before
	Results      []BatchResult // what the last submit came to, one entry per request it touched
	// Unticked are the items the reader left unticked in the last submit: they stay unticked, so that a second
	// submit cannot record by default what the main user left out on purpose.
	Unticked []int64
	Error    string // a server message about the last action, in the reader's language
	People   map[string]string
}

// BatchResult is what one request's part of a batch submit came to.
type BatchResult struct {
	Request domain.Request // as it is now
	ItemIDs []int64        // the items the main user ticked
	Error   string         // why nothing was recorded for them, in the reader's language; "" when they are settled
}

// GrantBatch builds the "grant in one go" card of one grant path: the Suomi.fi steps once for the whole group (folded
// like the grant task's for a main user who has done this before), then each person with their themes, a toggle per
// person and theme and the dates used in Suomi.fi, and one button that records every ticked theme as granted, one
// request at a time. After a submit, the outcome of each request comes first, refusals included. It lists at most
// MaxBatchRequests requests, and fewer when their themes would make the card bigger than MaxBytes; the rest are
// counted and follow once these are recorded.
func GrantBatch(p i18n.Printer, in GrantBatchInput) *Card {
	listed, leftOut := batchRequests(in)
	n := min(len(listed), MaxBatchRequests)
	for ; n > 1; n-- {
		c := batchCard(p, in, listed, n, leftOut)
		if raw, err := json.Marshal(c); err == nil && len(raw) <= MaxBytes {
			return c
		}
	}
	return batchCard(p, in, listed, n, leftOut)
}

// batchCard is the batch card listing the first n of the listed requests.
func batchCard(p i18n.Printer, in GrantBatchInput, listed []domain.Request, n, leftOut int) *Card {
	c := New(string(p.Lang))
	title := p.Get("admin.batch.title." + string(in.Path))
	c.FallbackText = title
	c.Body = []Element{Heading(title)}
	c.Body = append(c.Body, errorBox(in.Error)...)
	c.Body = append(c.Body, batchResults(p, in)...)
	refresh := Execute(p.Get("admin.list.refresh"), VerbGrantBatch, BatchData{Path: in.Path})
	back := Execute(p.Get("admin.grants.title"), VerbGrantList, struct{}{})
	refresh.AssociatedInputs, back.AssociatedInputs = "none", "none"
	if n == 0 {
		c.Body = append(c.Body, Text(p.Get("admin.batch.empty")))
		c.Body = append(c.Body, batchLeftOut(p, leftOut)...)
		c.Actions = []Action{refresh, back}
		return c
	}
	shown := listed[:n]
	c.Body = append(c.Body, Text(plural(p, "admin.batch.count", len(listed))),
		Text(p.Get(map[domain.GrantPath]string{domain.PathRequest: "admin.grant.path.request", domain.PathDirect: "admin.grant.path.direct"}[in.Path])),
		subtle(p.Format("admin.batch.hint", "button", p.Get("admin.list.open"))),
		batchSteps(p, in, shown))
	own := false
	ids := make([]int64, 0, len(shown))
	for _, r := range shown {
		c.Body = append(c.Body, batchRequest(p, in, r))
		ids = append(ids, r.ID)
		own = own || r.RequesterID == in.Reader
	}
	if more := len(listed) - len(shown); more > 0 {
		c.Body = append(c.Body, subtle(p.Format("admin.list.more", "n", strconv.Itoa(more))))
	}
	c.Body = append(c.Body, batchLeftOut(p, leftOut)...)
	if own {
		c.Body = append(c.Body, Container{Type: "Container", Style: "attention", Spacing: "Large", Items: []Element{
			Input{Type: "Input.Toggle", ID: ConfirmSelfInput, Title: p.Get("admin.grant.self.confirm"), Value: "false",
				ValueOn: "true", ValueOff: "false", Wrap: true},
		}})
	}
	done := Execute(p.Get("admin.batch.done"), VerbGrantBatchDone, BatchDoneData{Path: in.Path, RequestIDs: ids})
	done.Style = "positive"
	c.Actions = []Action{done, refresh, back}
	return c
}

// batchRequests are the requests of in with items for the path's session, and how many of the reader's own were
// left out for another main user to record.
func batchRequests(in GrantBatchInput) (listed []domain.Request, leftOut int) {
	for _, r := range domain.Session(in.Requests, in.Path) {
		if r.RequesterID == in.Reader && !in.SoleMainUser {
			leftOut++
			continue
		}
		listed = append(listed, r)
	}
	return listed, leftOut
}

func batchLeftOut(p i18n.Printer, n int) []Element {
	if n == 0 {
		return nil
	}
	return []Element{subtle(p.Get("admin.batch.own_left_out"))}
}

// batchSteps are the path's Suomi.fi steps, once for every request on the card.
func batchSteps(p i18n.Printer, in GrantBatchInput, shown []domain.Request) Element {
	org, bid := orgOf(p, GrantTaskInput{Catalog: in.Catalog, OrgName: in.OrgName, BusinessID: in.BusinessID})
	open := OpenURL(p.Get("admin.grant.open_suomifi"), SuomiFiMandatesURL)
	if in.Path != domain.PathDirect {
		steps := []string{
			p.Get("admin.grant.accept.1"),
			p.Format("admin.grant.accept.2", "org", orDash(org), "business_id", orDash(bid)),
			p.Get("admin.batch.accept.3"),
			p.Get("admin.batch.accept.4"),
			p.Format("admin.batch.accept.5", "button", p.Get("admin.batch.done")),
		}
		return stepsBlock(p, p.Get("admin.batch.accept.heading"), steps, in.StepsFolded, open)
	}
	var items []domain.RequestItem
	for _, r := range shown {
		items = append(items, r.SessionItems(in.Path)...)
	}
	source := ""
	if in.Catalog != nil {
		source = in.Catalog.Org.Grant.IdentityCodeFrom.In(p.Lang)
	}
	steps := []string{
		p.Get("admin.grant.step.1"),
		p.Format("admin.grant.step.2", "org", orDash(org), "business_id", orDash(bid)),
		grantTypeStep(p, itemTypes(in.Catalog, items)),
		p.Format("admin.batch.step.4", "source", orDash(source)),
		p.Get("admin.batch.step.5"),
		p.Get("admin.grant.step.7"),
		p.Format("admin.batch.step.7", "button", p.Get("admin.batch.done")),
	}
	return stepsBlock(p, p.Get("admin.batch.steps.heading"), steps, in.StepsFolded, open)
}

// batchRequest is one person's part of the batch card: who, their themes as Suomi.fi names them, a toggle per theme
// (on when the card opens, unless the reader left it off in the last submit), the dates used in Suomi.fi, and a
// button to their own task card (for what could not be granted).
func batchRequest(p i18n.Printer, in GrantBatchInput, r domain.Request) Element {
	items := []Element{
		TextBlock{Type: "TextBlock", Text: orDash(escapeMarkdown(r.RequesterName)) + " · " + r.Reference(), Weight: "Bolder", Size: "Medium", Wrap: true},
	}
	var detail []string
	for _, s := range []string{r.RequesterDepartment, r.RequesterJobTitle, r.RequesterMail} {
		if strings.TrimSpace(s) != "" {
			detail = append(detail, escapeMarkdown(s))
		}
	}
	if len(detail) > 0 {
		items = append(items, TextBlock{Type: "TextBlock", Text: strings.Join(detail, " · "), IsSubtle: true, Wrap: true, Spacing: "None"})
	}
	if r.RequesterID == in.Reader {
		items = append(items, Container{Type: "Container", Style: "attention", Items: []Element{Text(p.Get("admin.grant.self.text"))}})
	}
	for _, it := range r.SessionItems(in.Path) {
		th := lookupTheme(in.Catalog, it.ThemeID)
		// A toggle's title is plain text, never markdown: the name goes in as it is.
		title := p.Format("admin.batch.toggle", "theme", suomiFiName(p, th), "name", orDash(r.RequesterName))
		items = append(items, grantTheme(p, in.Catalog, it), itemToggle(it, title, !slices.Contains(in.Unticked, it.ID)))
	}
	items = append(items, batchDates(p, in, r), ActionSet{Type: "ActionSet", Actions: []Action{openTask(p, r)}})
	return Container{Type: "Container", Style: "emphasis", Spacing: "Large", Items: items}
}

// batchDates are one request's date inputs, proposed as on its grant task card.
func batchDates(p i18n.Printer, in GrantBatchInput, r domain.Request) Element {
	fromD, untilD, maxD := domain.GrantDefaults(domain.DateOf(in.Today), domain.DateOf(r.ValidUntil))
	id := strconv.FormatInt(r.ID, 10)
	from := Input{Type: "Input.Date", ID: BatchFromInputPrefix + id, Label: p.Get("admin.grant.from.label"),
		Value: InputDate(fromD.Time()), Min: InputDate(in.Today.AddDate(0, 0, -LateGrantDays)), Max: InputDate(maxD.Time()),
		IsRequired: true, ErrorMessage: p.Get("admin.grant.from.error")}
	until := Input{Type: "Input.Date", ID: BatchUntilInputPrefix + id, Label: p.Get("admin.grant.until.label"),
		Value: InputDate(untilD.Time()), Min: InputDate(in.Today), Max: InputDate(maxD.Time()), IsRequired: true,
		ErrorMessage: p.Format("admin.grant.until.error", "years", strconv.Itoa(MaxMandateYears))}
	return ColumnSet{Type: "ColumnSet", Spacing: "Medium", Columns: []Column{
		{Type: "Column", Width: "stretch", Items: []Element{from}},
		{Type: "Column", Width: "stretch", Items: []Element{until}},
	}}
}

// openTask opens a request's own grant task card; the batch card's inputs are not sent with it.
func openTask(p i18n.Printer, r domain.Request) Action {
	a := Execute(p.Get("admin.list.open"), VerbGrantOpen, RequestData{RequestID: r.ID})
	a.AssociatedInputs = "none"
	return a
}

// batchResults shows what the last submit came to, request by request: each ticked theme as it is now (granted,
// with its dates, or still waiting) and, where nothing was recorded, why.
func batchResults(p i18n.Printer, in GrantBatchInput) []Element {
	if len(in.Results) == 0 {
		return nil
	}
	out := []Element{sectionHeading(p.Get("admin.batch.results.heading"))}
	for _, res := range in.Results {
		r := res.Request
		style := "emphasis"
		items := []Element{TextBlock{Type: "TextBlock", Text: orDash(escapeMarkdown(r.RequesterName)) + " · " + r.Reference(), Weight: "Bolder", Wrap: true}}
		if res.Error != "" {
			style = "attention"
			items = append(items, TextBlock{Type: "TextBlock", Text: res.Error, Color: "Attention", Weight: "Bolder", Wrap: true})
		}
		for _, id := range res.ItemIDs {
			if it, ok := r.Item(id); ok {
				items = append(items, itemOutcome(p, in.Catalog, r, *it, in.People))
			}
		}
		out = append(out, Container{Type: "Container", Style: style, Spacing: "Small", Items: items})
	}
	return out
}
