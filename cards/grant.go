package cards

import (
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
}

// GrantTask builds the main users' task card for an approved request: who gets which themes, the exact steps in
// Suomi.fi e-Authorizations (the identity code comes from the HR system, never from the bot), the alternative of
// the employee's own mandate request, and the inputs to confirm what was done. Themes already granted or not
// granted show their outcome; when no theme is left to grant the card is final, with no inputs and no actions.
func GrantTask(p i18n.Printer, in GrantTaskInput) *Card {
	r := in.Request
	c := New(string(p.Lang))
	ref := r.Reference()
	var open, done []domain.RequestItem
	for _, it := range r.Items {
		switch it.State {
		case domain.ItemApproved:
			open = append(open, it)
		case domain.ItemGranted, domain.ItemNotGranted:
			done = append(done, it)
		}
	}
	if len(open) == 0 {
		heading := p.Format("admin.grant.final.title", "ref", ref)
		c.FallbackText = heading
		c.Body = []Element{Heading(heading)}
		c.Body = append(c.Body, errorBox(in.Error)...)
		c.Body = append(c.Body, grantWho(p, in, false), TextBlock{Type: "TextBlock",
			Text: plural(p, "admin.themes", len(done)), Weight: "Bolder", Size: "Medium", Wrap: true, Spacing: "Large"})
		for _, it := range done {
			c.Body = append(c.Body, itemOutcome(p, in.Catalog, r, it, in.People))
		}
		return c
	}

	heading := p.Format("admin.grant.title", "name", orDash(r.RequesterName))
	c.FallbackText = heading + " (" + ref + ")"
	c.Body = []Element{Heading(heading), Text(p.Format("admin.grant.intro", "ref", ref))}
	c.Body = append(c.Body, errorBox(in.Error)...)
	c.Body = append(c.Body, grantWho(p, in, true))

	// The themes to grant, by the names Suomi.fi shows, with what the main user must watch out for.
	c.Body = append(c.Body,
		TextBlock{Type: "TextBlock", Text: plural(p, "admin.grant.themes", len(open)), Weight: "Bolder", Size: "Medium", Wrap: true, Spacing: "Large"},
		subtle(p.Get("admin.grant.themes.hint")))
	for _, it := range open {
		c.Body = append(c.Body, grantTheme(p, in.Catalog, it))
	}

	fromD, untilD, maxD := domain.GrantDefaults(domain.DateOf(in.Today), domain.DateOf(r.ValidUntil))
	from, until, maxDate := fromD.Time(), untilD.Time(), maxD.Time()
	c.Body = append(c.Body, grantSteps(p, in, from, until)...)

	// Confirmation: which themes, the dates actually used in Suomi.fi, and a reason when it could not be done.
	confirm := []Element{
		TextBlock{Type: "TextBlock", Text: p.Get("admin.grant.confirm.heading"), Weight: "Bolder", Size: "Medium", Wrap: true},
		Text(p.Format("admin.grant.confirm.hint", "button", p.Get("admin.grant.failed"))),
	}
	for _, it := range open {
		th := lookupTheme(in.Catalog, it.ThemeID)
		value := "true"
		if !it.Covered {
			// Not covered by the valtuutusoikeus: it cannot have been granted yet, so the main user ticks it on
			// purpose rather than confirming it by default.
			value = "false"
		}
		confirm = append(confirm, Input{Type: "Input.Toggle", ID: ItemInputPrefix + strconv.FormatInt(it.ID, 10),
			Title: th.Name.In(p.Lang), Value: value, ValueOn: "true", ValueOff: "false", Wrap: true})
	}
	confirm = append(confirm,
		// A grant recorded a few days late keeps its real start date, as the workflow allows (LateGrantDays).
		Input{Type: "Input.Date", ID: ValidFromInput, Label: p.Get("admin.grant.from.label"), Value: InputDate(from),
			Min: InputDate(in.Today.AddDate(0, 0, -LateGrantDays)), Max: InputDate(maxDate), IsRequired: true,
			ErrorMessage: p.Get("admin.grant.from.error"), Spacing: "Medium"},
		Input{Type: "Input.Date", ID: ValidUntilInput, Label: p.Get("admin.grant.until.label"), Value: InputDate(until),
			Min: InputDate(in.Today), Max: InputDate(maxDate), IsRequired: true,
			ErrorMessage: p.Format("admin.grant.until.error", "years", strconv.Itoa(MaxMandateYears))},
		Input{Type: "Input.Text", ID: ReasonInput, Label: p.Get("admin.grant.reason.label"),
			Placeholder: p.Get("admin.grant.reason.placeholder"), IsMultiline: true, MaxLength: MaxReason,
			ErrorMessage: p.Format("admin.reason.too_long", "max", strconv.Itoa(MaxReason))},
	)
	c.Body = append(c.Body, Container{Type: "Container", Style: "emphasis", Spacing: "Large", Items: confirm})

	if len(done) > 0 {
		c.Body = append(c.Body, TextBlock{Type: "TextBlock", Text: p.Get("admin.grant.done.heading"),
			Weight: "Bolder", Size: "Medium", Wrap: true, Spacing: "Large"})
		for _, it := range done {
			c.Body = append(c.Body, itemOutcome(p, in.Catalog, r, it, in.People))
		}
	}

	data := RequestData{RequestID: r.ID}
	granted := Execute(p.Get("admin.grant.done"), VerbGrantDone, data)
	granted.Style = "positive"
	c.Actions = []Action{granted, Execute(p.Get("admin.grant.failed"), VerbGrantFailed, data)}
	return c
}

// grantWho tells who the mandate is for. The grant view adds the requested validity and the approval.
func grantWho(p i18n.Printer, in GrantTaskInput, withApproval bool) Element {
	r := in.Request
	facts := []Fact{
		{Title: p.Get("admin.fact.name"), Value: orDash(r.RequesterName)},
		{Title: p.Get("admin.fact.mail"), Value: orDash(r.RequesterMail)},
		{Title: p.Get("admin.fact.job_title"), Value: orDash(r.RequesterJobTitle)},
		{Title: p.Get("admin.fact.department"), Value: orDash(r.RequesterDepartment)},
		{Title: p.Get("admin.fact.reference"), Value: r.Reference()},
	}
	if withApproval {
		approval := personName(r.DecidedBy, r, in.People)
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

// grantTheme shows one theme to grant: the exact Suomi.fi name, the agency, the specifier hint, and a warning when
// the organisation's valtuutusoikeus does not cover the theme. (The catalog's look-alike warnings are written for
// employees choosing themes; the main user is told once to check name and agency.)
func grantTheme(p i18n.Printer, cat *catalog.Catalog, it domain.RequestItem) Element {
	th := lookupTheme(cat, it.ThemeID)
	items := []Element{TextBlock{Type: "TextBlock", Text: th.Name.In(p.Lang), Weight: "Bolder", Wrap: true}}
	if a := th.Agency.In(p.Lang); a != "" {
		items = append(items, TextBlock{Type: "TextBlock", Text: a, IsSubtle: true, Size: "Small", Wrap: true, Spacing: "None"})
	}
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

// grantSteps are the exact steps in Suomi.fi e-Authorizations, then the employee's mandate request as the
// alternative. The identity code is named only to say where it comes from: the HR system, never the bot.
func grantSteps(p i18n.Printer, in GrantTaskInput, from, until time.Time) []Element {
	r := in.Request
	org := in.OrgName.In(p.Lang)
	if org == "" && in.Catalog != nil {
		org = in.Catalog.Org.Name.In(p.Lang)
	}
	bid := in.BusinessID
	if bid == "" && in.Catalog != nil {
		bid = in.Catalog.Org.BusinessID
	}
	untilText := Date(p.Lang, until)
	if untilText == "" {
		untilText = "…"
	}
	steps := []string{
		p.Get("admin.grant.step.1"),
		p.Format("admin.grant.step.2", "org", orDash(org), "business_id", orDash(bid)),
		p.Get("admin.grant.step.3"),
		p.Format("admin.grant.step.4", "name", orDash(r.RequesterName)),
		p.Get("admin.grant.step.5"),
		p.Format("admin.grant.step.6", "from", Date(p.Lang, from), "until", untilText),
		p.Get("admin.grant.step.7"),
		p.Format("admin.grant.step.8", "button", p.Get("admin.grant.done")),
	}
	items := []Element{TextBlock{Type: "TextBlock", Text: p.Get("admin.grant.steps.heading"), Weight: "Bolder", Size: "Medium", Wrap: true}}
	for i, s := range steps {
		items = append(items, Text(strconv.Itoa(i+1)+". "+s))
	}
	items = append(items, ActionSet{Type: "ActionSet", Actions: []Action{OpenURL(p.Get("admin.grant.open_suomifi"), SuomiFiMandatesURL)}})
	return []Element{
		Container{Type: "Container", Spacing: "Large", Items: items},
		Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: []Element{
			TextBlock{Type: "TextBlock", Text: p.Get("admin.grant.alt.heading"), Weight: "Bolder", Wrap: true},
			Text(p.Format("admin.grant.alt.text", "business_id", orDash(bid))),
		}},
	}
}
