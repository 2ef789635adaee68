package cards

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// SuomiFiMandatesURL is the entry page of Suomi.fi e-Authorizations, where main users grant and validate mandates.
const SuomiFiMandatesURL = "https://www.suomi.fi/valtuudet"

// MaxMandateYears is the longest validity Suomi.fi accepts for a mandate, counted from the day it is granted.
const MaxMandateYears = domain.MaxMandateYears

// LateGrantDays is how far back a main user may date a grant they confirm late (the workflow enforces the same).
const LateGrantDays = domain.LateGrantDays

// GrantTaskInput is what the main users' grant task card of one approved request shows.
type GrantTaskInput struct {
	Catalog    *catalog.Catalog
	Request    domain.Request
	OrgName    domain.Text // the assignor (valtuuttaja) as Suomi.fi names it
	BusinessID string      // the assignor's Y-tunnus
	Today      time.Time   // the civil date the card is shown; a mandate cannot start before it
	Error      string      // a server message about the last action, in the reader's language
	// People optionally maps Entra object ids to display names, to say who decided and who granted.
	People map[string]string
	// SelfGrant: the reader is the sole main user and the request is their own; recording it needs their explicit
	// confirmation, and it is flagged for review.
	SelfGrant bool
	// StepsFolded: the reader has recorded grants before, so the Suomi.fi steps are folded behind a "show the steps"
	// toggle; the first time they are open.
	StepsFolded bool
}

// StepsElementID is the id of the container holding a card's Suomi.fi steps, which the "show the steps" toggle
// shows and hides when the steps are folded.
const StepsElementID = "suomiFiSteps"

// GrantTask builds the main users' task card for an approved request: who gets which themes, the request's grant
// path with its exact steps in Suomi.fi e-Authorizations (accepting the employee's valtuuspyyntö, or the direct
// grant with the identity code from the source the organisation's policy names, never from the bot), the themes
// waiting for the right to grant with the way to record it, and the inputs to confirm what was done. Themes
// already granted or not granted show their outcome; when no theme is left the card is final, with no inputs and
// no actions.
func GrantTask(p i18n.Printer, in GrantTaskInput) *Card {
	open, done := grantPartition(in.Request.Items)
	if len(open) == 0 {
		return grantFinal(p, in, done)
	}
	r := in.Request
	c := New(string(p.Lang))
	ref := r.Reference()
	// The fallback is plain text; the heading is markdown, where the directory's name must not be read as such.
	c.FallbackText = p.Format("admin.grant.title", "name", orDash(r.RequesterName)) + " (" + ref + ")"
	c.Body = []Element{
		Heading(p.Format("admin.grant.title", "name", orDash(escapeMarkdown(r.RequesterName)))),
		Text(p.Format("admin.grant.intro", "ref", ref)),
	}
	c.Body = append(c.Body, errorBox(in.Error)...)
	c.Body = append(c.Body, grantWho(p, in, true))
	ready, waiting := splitCovered(open)
	data := RequestData{RequestID: r.ID}
	if len(ready) > 0 {
		c.Body = append(c.Body, grantReady(p, in, ready)...)
		granted := Execute(p.Get("admin.grant.done"), VerbGrantDone, data)
		granted.Style = "positive"
		c.Actions = []Action{granted, Execute(p.Get("admin.grant.failed"), VerbGrantFailed, data)}
		if r.GrantPath == domain.PathRequest && directAllowed(in.Catalog) {
			c.Actions = append(c.Actions, Execute(p.Get("admin.grant.direct.button"), VerbGrantDirect, data))
		}
	}
	if len(waiting) > 0 {
		c.Body = append(c.Body, rightWaiting(p, in.Catalog, waiting))
	}
	if len(done) > 0 {
		c.Body = append(c.Body, itemOutcomes(p, p.Get("admin.grant.done.heading"), in.Catalog, r, done, in.People)...)
	}
	return c
}

// grantReady shows the themes a main user can grant now, the path's steps and the confirmation inputs.
func grantReady(p i18n.Printer, in GrantTaskInput, ready []domain.RequestItem) []Element {
	r := in.Request
	out := []Element{Text(p.Get(map[domain.GrantPath]string{domain.PathRequest: "admin.grant.path.request", domain.PathDirect: "admin.grant.path.direct"}[r.Path()])),
		sectionHeading(plural(p, "admin.grant.themes", len(ready))), subtle(p.Get("admin.grant.themes.hint"))}
	for _, it := range ready {
		out = append(out, grantTheme(p, in.Catalog, it))
	}
	fromD, untilD, maxD := domain.GrantDefaults(domain.DateOf(in.Today), domain.DateOf(r.ValidUntil))
	if start := domain.DateOf(r.ValidFrom); start.After(fromD) {
		fromD = start // a renewal starts on the old mandate's end date
	}
	out = append(out, renewalNote(p, r)...)
	from, until, maxDate := fromD.Time(), untilD.Time(), maxD.Time()
	if r.Path() == domain.PathDirect {
		out = append(out, grantSteps(p, in, itemTypes(in.Catalog, ready), from, until))
	} else {
		out = append(out, acceptSteps(p, in, ready, from, until)...)
	}
	return append(out, grantConfirm(p, in, ready, from, until, maxDate))
}

// directAllowed reports whether the organisation lets requests be granted directly.
func directAllowed(cat *catalog.Catalog) bool { return cat != nil && cat.Org.Grant.DirectAllowed() }

// splitCovered splits approved items into those a main user can grant now and those waiting for the right.
func splitCovered(items []domain.RequestItem) (ready, waiting []domain.RequestItem) {
	for _, it := range items {
		if it.Covered {
			ready = append(ready, it)
		} else {
			waiting = append(waiting, it)
		}
	}
	return ready, waiting
}

// acceptSteps are the steps of accepting the employee's valtuuspyyntö, once they said they sent it; until then the
// card says the request is still to come (and offers the direct grant where the organisation allows it).
func acceptSteps(p i18n.Printer, in GrantTaskInput, ready []domain.RequestItem, from, until time.Time) []Element {
	r := in.Request
	name := orDash(escapeMarkdown(r.RequesterName))
	var out []Element
	if slices.ContainsFunc(ready, func(it domain.RequestItem) bool { return it.FiledAt.IsZero() }) {
		wait := []Element{Text(p.Format("admin.grant.unfiled", "name", name))}
		if directAllowed(in.Catalog) {
			wait = append(wait, subtle(p.Format("admin.grant.direct.hint", "button", p.Get("admin.grant.direct.button"))))
		}
		out = append(out, Container{Type: "Container", Style: "warning", Spacing: "Medium", Items: wait})
	}
	org, bid := orgOf(p, in)
	steps := []string{
		p.Get("admin.grant.accept.1"),
		p.Format("admin.grant.accept.2", "org", orDash(org), "business_id", orDash(bid)),
		p.Format("admin.grant.accept.3", "name", name),
		p.Format("admin.grant.accept.4", "from", Date(p.Lang, from), "until", orDash(Date(p.Lang, until))),
		p.Format("admin.grant.accept.5", "button", p.Get("admin.grant.done")),
	}
	return append(out, stepsBlock(p, p.Get("admin.grant.accept.heading"), steps, in.StepsFolded,
		OpenURL(p.Get("admin.grant.open_suomifi"), SuomiFiMandatesURL)))
}

// stepsBlock is a heading and numbered steps, followed by the given actions (e.g. the button that opens Suomi.fi
// e-Authorizations). Folded, the heading and the actions stay in view and the steps are hidden behind a "show the
// steps" toggle, for a main user who has done this before.
func stepsBlock(p i18n.Printer, heading string, steps []string, folded bool, actions ...Action) Element {
	head := TextBlock{Type: "TextBlock", Text: heading, Weight: "Bolder", Size: "Medium", Wrap: true}
	lines := make([]Element, 0, len(steps))
	for i, s := range steps {
		lines = append(lines, Text(strconv.Itoa(i+1)+". "+s))
	}
	if !folded {
		items := append([]Element{head}, lines...)
		if len(actions) > 0 {
			items = append(items, ActionSet{Type: "ActionSet", Actions: actions})
		}
		return Container{Type: "Container", Spacing: "Large", Items: items}
	}
	hidden := false
	toggle := ToggleVisibility(p.Get("admin.grant.steps.show"), StepsElementID)
	return Container{Type: "Container", Spacing: "Large", Items: []Element{
		head,
		Container{Type: "Container", ID: StepsElementID, Spacing: "Small", Items: lines, IsVisible: &hidden},
		ActionSet{Type: "ActionSet", Actions: append([]Action{toggle}, actions...)},
	}}
}

// rightWaiting lists the approved themes waiting for the organisation's right to grant them, each with the day
// input and the button a main user records DVV's registration with.
func rightWaiting(p i18n.Printer, cat *catalog.Catalog, waiting []domain.RequestItem) Element {
	items := []Element{TextBlock{Type: "TextBlock", Text: p.Get("admin.grant.waiting.heading"), Weight: "Bolder", Size: "Medium", Wrap: true},
		Text(p.Get("admin.grant.waiting.text"))}
	var seen []string
	for _, it := range waiting {
		if slices.Contains(seen, it.ThemeID) {
			continue
		}
		seen = append(seen, it.ThemeID)
		items = append(items, rightForm(p, cat, it.ThemeID)...)
	}
	return Container{Type: "Container", Style: "attention", Spacing: "Large", Items: items}
}

// rightForm is one theme's names as Suomi.fi and DVV know them (suomiFiNames: the official Finnish one beside a
// Swedish or English one), the day DVV registered the right and the button that records it.
func rightForm(p i18n.Printer, cat *catalog.Catalog, themeID string) []Element {
	return []Element{
		Container{Type: "Container", Spacing: "Medium", Items: suomiFiNames(p, lookupTheme(cat, themeID))},
		Input{Type: "Input.Date", ID: RightDateInputPrefix + themeID, Label: p.Get("admin.right.date.label"),
			ErrorMessage: p.Get("admin.right.date.error")},
		ActionSet{Type: "ActionSet", Actions: []Action{Execute(p.Get("admin.right.button"), VerbRightRecorded, RightData{ThemeID: themeID})}},
	}
}

// grantPartition splits a request's items into those still to grant and those already granted or not granted.
// Items in other states (rejected, cancelled) are in neither.
func grantPartition(items []domain.RequestItem) (open, done []domain.RequestItem) {
	for _, it := range items {
		switch it.State {
		case domain.ItemApproved:
			open = append(open, it)
		case domain.ItemGranted, domain.ItemNotGranted:
			done = append(done, it)
		}
	}
	return open, done
}

// grantFinal is the task card once no theme is left to grant: who, and where each theme ended. It has no inputs
// and no actions.
func grantFinal(p i18n.Printer, in GrantTaskInput, done []domain.RequestItem) *Card {
	c := New(string(p.Lang))
	heading := p.Format("admin.grant.final.title", "ref", in.Request.Reference())
	c.FallbackText = heading
	c.Body = []Element{Heading(heading)}
	c.Body = append(c.Body, errorBox(in.Error)...)
	c.Body = append(c.Body, grantWho(p, in, false))
	c.Body = append(c.Body, itemOutcomes(p, plural(p, "admin.themes", len(done)), in.Catalog, in.Request, done, in.People)...)
	return c
}

// grantConfirm asks what was done: which themes, the dates actually used in Suomi.fi, and a reason when it could
// not be done.
func grantConfirm(p i18n.Printer, in GrantTaskInput, open []domain.RequestItem, from, until, maxDate time.Time) Element {
	confirm := []Element{
		TextBlock{Type: "TextBlock", Text: p.Get("admin.grant.confirm.heading"), Weight: "Bolder", Size: "Medium", Wrap: true},
		Text(p.Format("admin.grant.confirm.hint", "button", p.Get("admin.grant.failed"))),
	}
	for _, it := range open {
		// A theme not covered by the valtuutusoikeus cannot have been granted yet, so the main user ticks it on
		// purpose rather than confirming it by default.
		confirm = append(confirm, itemToggle(it, suomiFiName(p, lookupTheme(in.Catalog, it.ThemeID)), it.Covered))
	}
	confirm = append(confirm,
		// A grant recorded a few days late keeps its real start date, as the workflow allows (LateGrantDays).
		Input{Type: "Input.Date", ID: ValidFromInput, Label: p.Get("admin.grant.from.label"), Value: InputDate(from),
			Min: InputDate(in.Today.AddDate(0, 0, -LateGrantDays)), Max: InputDate(maxDate), IsRequired: true,
			ErrorMessage: p.Get("admin.grant.from.error"), Spacing: "Medium"},
		Input{Type: "Input.Date", ID: ValidUntilInput, Label: p.Get("admin.grant.until.label"), Value: InputDate(until),
			Min: InputDate(in.Today), Max: InputDate(maxDate), IsRequired: true,
			ErrorMessage: p.Format("admin.grant.until.error", "years", strconv.Itoa(MaxMandateYears))},
		reasonInput(p, "admin.grant.reason"),
	)
	if in.SelfGrant {
		confirm = append(confirm, Container{Type: "Container", Style: "attention", Items: []Element{
			Text(p.Get("admin.grant.self.text")),
			Input{Type: "Input.Toggle", ID: ConfirmSelfInput, Title: p.Get("admin.grant.self.confirm"), Value: "false",
				ValueOn: "true", ValueOff: "false", Wrap: true},
		}})
	}
	return Container{Type: "Container", Style: "emphasis", Spacing: "Large", Items: confirm}
}

// grantWho tells who the mandate is for. The grant view adds the requested validity and the approval.
func grantWho(p i18n.Printer, in GrantTaskInput, withApproval bool) Element {
	r := in.Request
	facts := []Fact{
		{Title: p.Get("admin.fact.name"), Value: orDash(escapeMarkdown(r.RequesterName))},
		{Title: p.Get("admin.fact.mail"), Value: orDash(escapeMarkdown(r.RequesterMail))},
		{Title: p.Get("admin.fact.job_title"), Value: orDash(escapeMarkdown(r.RequesterJobTitle))},
		{Title: p.Get("admin.fact.department"), Value: orDash(escapeMarkdown(r.RequesterDepartment))},
		{Title: p.Get("admin.fact.reference"), Value: r.Reference()},
	}
	if withApproval {
		approval := escapeMarkdown(personName(r.DecidedBy, r, in.People))
		if d := Date(p.Lang, r.DecidedAt); d != "" {
			if approval != "" {
				approval += ", "
			}
			approval += d
		}
		facts = append(facts, Fact{Title: p.Get("admin.fact.approved_by"), Value: orDash(approval)})
	}
	return FactSet{Type: "FactSet", Facts: facts}
}

// grantTheme shows one theme to grant: Suomi.fi's names (suomiFiNames), the agency, the mandate type, the specifier
// hint, and a warning when the organisation's valtuutusoikeus does not cover the theme. (The catalog's look-alike
// warnings are written for employees choosing themes; the main user is told once to check name and agency.)
func grantTheme(p i18n.Printer, cat *catalog.Catalog, it domain.RequestItem) Element {
	th := lookupTheme(cat, it.ThemeID)
	items := suomiFiNames(p, th)
	if a := th.Agency.In(p.Lang); a != "" {
		items = append(items, TextBlock{Type: "TextBlock", Text: a, IsSubtle: true, Size: "Small", Wrap: true, Spacing: "None"})
	}
	items = append(items, themeTypeLine(p, th)...)
	if h := strings.TrimSpace(th.SpecifierHint.In(p.Lang)); h != "" {
		items = append(items, Text(p.Format("admin.grant.specifier", "hint", h)))
	}
	style := ""
	if !it.Covered {
		style = "attention"
		items = append(items, TextBlock{Type: "TextBlock", Text: p.Get("admin.grant.not_covered"), Color: "Attention", Weight: "Bolder", Wrap: true})
	}
	return Container{Type: "Container", Style: style, Spacing: "Small", Items: items}
}

// grantSteps are the exact steps of the direct grant in Suomi.fi e-Authorizations. The mandate type to choose
// comes from the themes to grant (types); themes of different types are granted as separate mandates. The identity
// code is named only to say where it comes from, as the organisation's policy says: never from the bot.
func grantSteps(p i18n.Printer, in GrantTaskInput, types []domain.MandateType, from, until time.Time) Element {
	r := in.Request
	org, bid := orgOf(p, in)
	source := ""
	if in.Catalog != nil {
		source = in.Catalog.Org.Grant.IdentityCodeFrom.In(p.Lang)
	}
	steps := []string{
		p.Get("admin.grant.step.1"),
		p.Format("admin.grant.step.2", "org", orDash(org), "business_id", orDash(bid)),
		grantTypeStep(p, types),
		p.Format("admin.grant.step.4", "name", orDash(escapeMarkdown(r.RequesterName)), "source", orDash(source)),
		p.Get("admin.grant.step.5"),
		p.Format("admin.grant.step.6", "from", Date(p.Lang, from), "until", orDash(Date(p.Lang, until))),
		p.Get("admin.grant.step.7"),
		p.Format("admin.grant.step.8", "button", p.Get("admin.grant.done")),
	}
	return stepsBlock(p, p.Get("admin.grant.steps.heading"), steps, in.StepsFolded,
		OpenURL(p.Get("admin.grant.open_suomifi"), SuomiFiMandatesURL))
}

// orgOf is the assignor's name in the reader's language and its Y-tunnus.
func orgOf(p i18n.Printer, in GrantTaskInput) (org, bid string) {
	org, bid = in.OrgName.In(p.Lang), in.BusinessID
	if in.Catalog != nil {
		if org == "" {
			org = in.Catalog.Org.Name.In(p.Lang)
		}
		if bid == "" {
			bid = in.Catalog.Org.BusinessID
		}
	}
	return org, bid
}

// grantTypeStep is the step that chooses the mandate type: one sentence per type of the themes to grant, and a note
// to grant each type separately when there are several.
func grantTypeStep(p i18n.Printer, types []domain.MandateType) string {
	if len(types) == 0 { // only themes the catalog no longer has
		return p.Get("admin.grant.type.unknown")
	}
	parts := make([]string, 0, len(types)+1)
	for _, t := range types {
		parts = append(parts, p.Get("admin.grant.type."+string(t)))
	}
	if len(types) > 1 {
		parts = append(parts, p.Get("admin.grant.type.separately"))
	}
	return strings.Join(parts, " ")
}
