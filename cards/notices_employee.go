package cards

import (
	"slices"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// StepsInput is what the requester's Suomi.fi steps card shows.
type StepsInput struct {
	Catalog *catalog.Catalog
	Request domain.Request
	// OrgName and BusinessID name the assignor the employee requests the mandate from; empty values fall back to the
	// catalog's organisation.
	OrgName    domain.Text
	BusinessID string
	// ItemIDs are the items the steps are for (those that just became grantable); empty means every grantable item.
	ItemIDs []int64
}

// RequestSteps tells the employee, after approval, how to file the mandate request (valtuuspyyntö) in Suomi.fi
// themselves: log in, personal mandates, "Request a mandate", the organisation's business ID, the approved themes
// by the names Suomi.fi shows, the dates, send; then to say so here (VerbRequestFiled), which gives the main users
// the task of accepting it. Where the organisation allows it, someone who cannot file the request asks for the
// direct grant instead (VerbGrantDirect). The employee never has to give anyone their personal details this way.
// Approved themes the organisation's valtuutusoikeus does not cover yet are listed apart: they wait for DVV.
func RequestSteps(p i18n.Printer, in StepsInput) *Card {
	r := in.Request
	var ready, filed, waiting []domain.RequestItem
	for _, it := range r.Items {
		switch {
		case len(in.ItemIDs) > 0 && !slices.Contains(in.ItemIDs, it.ID):
		case it.AwaitingRight():
			waiting = append(waiting, it)
		case it.Grantable() && !it.FiledAt.IsZero():
			filed = append(filed, it)
		case it.Grantable():
			ready = append(ready, it)
		}
	}
	c := New(string(p.Lang))
	c.FallbackText = p.Format("steps.title", "ref", r.Reference())
	body := []Element{Heading(p.Format("steps.title", "ref", r.Reference()))}
	direct := r.GrantPath == domain.PathDirect
	switch {
	case direct && len(ready)+len(filed) > 0:
		body = append(body, Text(p.Get("decisionnotice.next.direct")))
	case len(ready) > 0:
		body = append(body, Text(p.Get("steps.intro")), requestStepsList(p, in, ready))
	}
	if len(filed) > 0 && !direct {
		body = append(body, Container{Type: "Container", Style: "good", Spacing: "Medium", Items: []Element{
			Text(p.Format("steps.filed.done", "date", Date(p.Lang, filed[0].FiledAt)))}})
	}
	if len(waiting) > 0 {
		w := []Element{TextBlock{Type: "TextBlock", Text: p.Get("steps.waiting.title"), Weight: "Bolder", Wrap: true}}
		for _, it := range waiting {
			w = append(w, Text("• "+empThemeName(p, in.Catalog, it.ThemeID)))
		}
		w = append(w, Text(p.Get("steps.waiting.body")))
		body = append(body, Container{Type: "Container", Style: "warning", Spacing: "Medium", Items: w})
	}
	if len(ready)+len(filed)+len(waiting) == 0 {
		body = append(body, Text(p.Get("steps.nothing")))
	}
	c.Body = body
	c.Actions = []Action{empMyMandatesAction(p)}
	if len(ready) > 0 && !direct {
		data := RequestData{RequestID: r.ID}
		sent := Execute(p.Get("steps.filed.button"), VerbRequestFiled, data)
		sent.Style = "positive"
		c.Actions = []Action{sent}
		if in.Catalog != nil && in.Catalog.Org.Grant.DirectAllowed() {
			c.Actions = append(c.Actions, Execute(p.Get("steps.cannot.button"), VerbGrantDirect, data))
		}
		c.Actions = append(c.Actions, empMyMandatesAction(p))
	}
	return c
}

// requestStepsList is the numbered valtuuspyyntö steps for the themes ready to request, and what to do after.
func requestStepsList(p i18n.Printer, in StepsInput, ready []domain.RequestItem) Element {
	org := in.OrgName
	if org == (domain.Text{}) && in.Catalog != nil {
		org = in.Catalog.Org.Name
	}
	bid := in.BusinessID
	if bid == "" && in.Catalog != nil {
		bid = in.Catalog.Org.BusinessID
	}
	steps := []Element{
		Text("1. " + p.Get("steps.1")),
		ActionSet{Type: "ActionSet", Actions: []Action{OpenURL(p.Get("steps.open"), p.Get("steps.url"))}},
		Text("2. " + p.Get("steps.2")),
		Text("3. " + p.Get("steps.3")),
		Text("4. " + p.Format("steps.4", "org", org.In(p.Lang), "bid", bid)),
		Text("5. " + p.Get("steps.5")),
	}
	themes := []Element{}
	for _, it := range ready {
		themes = append(themes, empStepsTheme(p, in.Catalog, it))
	}
	steps = append(steps, Container{Type: "Container", Style: "emphasis", Items: themes},
		Text("6. "+stepsValidity(p, in.Request)),
		Text("7. "+p.Get("steps.7")),
		Container{Type: "Container", Style: "good", Spacing: "Medium", Items: []Element{
			Text(p.Format("steps.filed.hint", "button", p.Get("steps.filed.button")))}},
	)
	steps = append(steps, subtle(p.Get("steps.know.foreign")))
	if in.Catalog != nil && in.Catalog.Org.Grant.DirectAllowed() {
		steps = append(steps, subtle(p.Format("steps.cannot.hint", "button", p.Get("steps.cannot.button"))))
	}
	return Container{Type: "Container", Spacing: "Medium", Items: steps}
}

// empStepsTheme names one theme to pick in Suomi.fi, by Suomi.fi's own names (suomiFiNames), with its mandate type
// and specifier.
func empStepsTheme(p i18n.Printer, cat *catalog.Catalog, it domain.RequestItem) Element {
	t := lookupTheme(cat, it.ThemeID)
	items := suomiFiNames(p, t)
	items = append(items, themeTypeLine(p, t)...)
	if hint := t.SpecifierHint.In(p.Lang); hint != "" {
		items = append(items, TextBlock{Type: "TextBlock", Wrap: true, IsSubtle: true, Size: "Small", Spacing: "None",
			Text: p.Format("steps.specifier", "hint", hint)})
	}
	return Container{Type: "Container", Items: items}
}

// NoticeInput is what the requester's notices (decision, granted, not granted) are about.
type NoticeInput struct {
	Catalog *catalog.Catalog
	Request domain.Request
	// ItemIDs are the items this notice is about; empty means every item of the request.
	ItemIDs []int64
}

// items returns the request's items the notice is about that are in one of the given states (any state when none
// is given), in request order.
func (in NoticeInput) items(states ...domain.ItemState) []domain.RequestItem {
	var out []domain.RequestItem
	for _, it := range in.Request.Items {
		if len(in.ItemIDs) > 0 && !slices.Contains(in.ItemIDs, it.ID) {
			continue
		}
		if len(states) > 0 && !slices.Contains(states, it.State) {
			continue
		}
		out = append(out, it)
	}
	return out
}

// Outcome of a decision as the requester sees it.
const (
	empOutcomeApproved = "approved"
	empOutcomePartly   = "partly"
	empOutcomeRejected = "rejected"
)

// DecisionNotice tells the requester what the approver decided: approved, partly approved or rejected, item by
// item, with the approver's reason, and what happens next.
func DecisionNotice(p i18n.Printer, in NoticeInput) *Card {
	r := in.Request
	decided := in.items(domain.ItemApproved, domain.ItemRejected, domain.ItemGranted, domain.ItemNotGranted)
	approved, rejected, uncovered := 0, 0, 0
	for _, it := range decided {
		if it.State == domain.ItemRejected {
			rejected++
			continue
		}
		approved++
		if !it.Covered && it.State == domain.ItemApproved {
			uncovered++
		}
	}
	outcome := empOutcomePartly
	style := "warning"
	switch {
	case rejected == 0:
		outcome, style = empOutcomeApproved, "good"
	case approved == 0:
		outcome, style = empOutcomeRejected, "attention"
	}
	title := p.Format("decisionnotice.title."+outcome, "ref", r.Reference())
	c := New(string(p.Lang))
	c.FallbackText = title
	who := empOr(r.ApproverName, p.Get("emp.approver_unknown"))
	head := []Element{TextBlock{Type: "TextBlock", Text: title, Weight: "Bolder", Size: "Large", Wrap: true,
		Style: "heading"}}
	if !r.DecidedAt.IsZero() {
		head = append(head, Text(p.Format("decisionnotice.by", "name", escapeMarkdown(who), "date", Date(p.Lang, r.DecidedAt))))
	}
	body := []Element{Container{Type: "Container", Style: style, Items: head}}
	for _, it := range decided {
		body = append(body, empItemRow(p, in.Catalog, it))
	}
	if r.DecisionReason != "" {
		body = append(body, empReason(p, r))
	}
	next := []Element{TextBlock{Type: "TextBlock", Text: p.Get("emp.next.heading"), Weight: "Bolder", Wrap: true}}
	if approved > uncovered {
		key := "decisionnotice.next.request"
		if r.GrantPath == domain.PathDirect {
			key = "decisionnotice.next.direct"
		}
		next = append(next, Text(p.Get(key)))
	}
	if uncovered > 0 {
		next = append(next, Text(p.Get("decisionnotice.next.not_covered")))
	}
	if rejected > 0 {
		next = append(next, Text(p.Get("decisionnotice.next.rejected")))
	}
	body = append(body, Container{Type: "Container", Spacing: "Medium", Items: next})
	c.Body = body
	c.Actions = []Action{empMyMandatesAction(p)}
	if rejected > 0 {
		c.Actions = append(c.Actions, empIntakeAction(p))
	}
	return c
}

// GrantedNotice tells the requester that mandates are now in force, with their dates. Suomi.fi's rule is that the
// assignee does not accept a mandate: it works from its start date.
func GrantedNotice(p i18n.Printer, in NoticeInput) *Card {
	c := empItemsNotice(p, "grantednotice", in, domain.ItemGranted, empGrantedTheme)
	org := ""
	if in.Catalog != nil {
		org = in.Catalog.Org.Name.In(p.Lang)
	}
	c.Body = append(c.Body,
		Text(p.Get("grantednotice.no_accept")),
		Text(p.Format("grantednotice.use", "org", empOr(org, p.Get("emp.org_unknown")))),
		TextBlock{Type: "TextBlock", Text: p.Get("grantednotice.where"), Wrap: true, IsSubtle: true, Size: "Small"},
	)
	c.Actions = []Action{empMyMandatesAction(p)}
	return c
}

// NotGrantedNotice tells the requester which themes a main user could not grant, with the main user's reason, and
// whom to ask.
func NotGrantedNotice(p i18n.Printer, in NoticeInput) *Card {
	c := empItemsNotice(p, "notgrantednotice", in, domain.ItemNotGranted, empNotGrantedTheme)
	c.Body = append(c.Body, Container{Type: "Container", Spacing: "Medium", Items: []Element{
		TextBlock{Type: "TextBlock", Text: p.Get("emp.next.heading"), Weight: "Bolder", Wrap: true},
		Text(p.Get("notgrantednotice.next")),
	}})
	c.Actions = []Action{empMyMandatesAction(p), empIntakeAction(p)}
	return c
}

// empItemsNotice starts a notice about the themes of a request in one state: the title (key+".title.one" or
// key+".title.many"), the intro naming the request (key+".intro"), a box per theme, or key+".none" without any.
func empItemsNotice(p i18n.Printer, key string, in NoticeInput, state domain.ItemState,
	box func(p i18n.Printer, cat *catalog.Catalog, it domain.RequestItem) Element) *Card {
	items := in.items(state)
	title := p.Get(key + ".title.many")
	if len(items) == 1 {
		title = p.Get(key + ".title.one")
	}
	c := New(string(p.Lang))
	c.FallbackText = title
	c.Body = []Element{
		Heading(title),
		Text(p.Format(key+".intro", "ref", in.Request.Reference())),
	}
	for _, it := range items {
		c.Body = append(c.Body, box(p, in.Catalog, it))
	}
	if len(items) == 0 {
		c.Body = append(c.Body, Text(p.Get(key+".none")))
	}
	return c
}

// empGrantedTheme is one theme now in force: its name, dates and agency.
func empGrantedTheme(p i18n.Printer, cat *catalog.Catalog, it domain.RequestItem) Element {
	items := []Element{
		TextBlock{Type: "TextBlock", Text: empThemeName(p, cat, it.ThemeID), Weight: "Bolder", Wrap: true},
		TextBlock{Type: "TextBlock", Wrap: true, Spacing: "None",
			Text: p.Format("emp.valid_range", "from", Date(p.Lang, it.GrantedFrom), "until", Date(p.Lang, it.GrantedUntil))},
	}
	if cat != nil {
		if t, ok := cat.Theme(it.ThemeID); ok {
			items = append(items, TextBlock{Type: "TextBlock", Text: t.Agency.In(p.Lang), Wrap: true,
				IsSubtle: true, Size: "Small", Spacing: "None"})
		}
	}
	return Container{Type: "Container", Style: "good", Spacing: "Small", Items: items}
}

// empNotGrantedTheme is one theme a main user could not grant, with their reason as typed.
func empNotGrantedTheme(p i18n.Printer, cat *catalog.Catalog, it domain.RequestItem) Element {
	items := []Element{
		TextBlock{Type: "TextBlock", Text: empThemeName(p, cat, it.ThemeID), Weight: "Bolder", Wrap: true},
	}
	if it.NotGrantedReason != "" {
		items = append(items, TextBlock{Type: "TextBlock", Text: p.Get("emp.not_granted_reason"), Wrap: true,
			Size: "Small", Spacing: "Small"}, typedText(it.NotGrantedReason))
	}
	return Container{Type: "Container", Style: "attention", Spacing: "Small", Items: items}
}
