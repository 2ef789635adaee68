package cards

import (
	"strconv"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Need is one mandate theme the employee's work needs, with the reason and what already exists for it.
type Need struct {
	Theme      domain.Theme
	Tasks      []domain.Task   // why: the selected tasks that need the theme
	Covered    bool            // the organisation's valtuutusoikeus covers the theme
	LookAlikes []domain.Theme  // themes easily confused with this one
	Held       *domain.Mandate // an active mandate of this theme the employee already holds, if any
	// PendingReference names an open request that already asks for the theme, e.g. "VB-2026-0038".
	PendingReference string
}

// Requestable reports whether the theme goes into a new request: it is neither held nor already requested.
func (n Need) Requestable() bool { return n.Held == nil && n.PendingReference == "" }

// RecommendationInput is what the recommendation card shows.
type RecommendationInput struct {
	Catalog *catalog.Catalog
	Needs   []Need
	RoleID  string   // carried back in the submit data
	TaskIDs []string // carried back in the submit data: the bot recomputes the themes from them
	// DefaultValidUntil is the end date the city's policy suggests; Min and Max bound the date input.
	DefaultValidUntil time.Time
	MinValidUntil     time.Time
	MaxValidUntil     time.Time
	// CappedBy says why MaxValidUntil is earlier than Suomi.fi's 25 years (domain.CapNone: it is not); CapTheme is
	// the theme whose policy set it.
	CappedBy domain.ValidityCap
	CapTheme domain.Theme
	// Justification keeps the text the employee typed when the card comes back with an Error.
	Justification string
	Error         string // a localised validation message from the bot, shown at the top
}

// Recommendation is the card that tells the employee which mandate themes their work needs and why, warns about
// look-alike themes and themes the organisation's valtuutusoikeus does not cover, and asks for the justification
// and end date of the request (VerbRequestSubmit). Themes already held or requested are shown but not requested
// again; when nothing is left to request the card has no submit.
//
// A recommendation of many themes can outgrow MaxBytes; the card then drops the longer explanations (look-alike
// details, specifier hints, and at last the links and agencies) and says so, keeping every theme with its status,
// its reason and its warnings' headlines.
func Recommendation(p i18n.Printer, in RecommendationInput) *Card {
	var c *Card
	for detail := empDetailFull; detail <= empDetailMinimal; detail++ {
		c = recommendation(p, in, detail)
		if _, err := c.JSON(); err == nil {
			break
		}
	}
	return c
}

// How much the recommendation explains each theme.
const (
	empDetailFull    = iota
	empDetailCompact // no specifier hints, look-alike names without the explanation, reasons on one line
	empDetailMinimal // also no agency, links or DVV explanation
)

func recommendation(p i18n.Printer, in RecommendationInput, detail int) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Get("recommend.title")
	requestable := 0
	for _, n := range in.Needs {
		if n.Requestable() {
			requestable++
		}
	}
	c.Body = recommendSummary(p, in, requestable, detail)
	// The shorter cards name the mandate type once when every theme to request has the same one, else per theme.
	types := needTypes(in.Needs)
	for _, n := range in.Needs {
		c.Body = append(c.Body, empNeedBlock(p, n, detail, detail == empDetailFull || len(types) > 1))
	}

	changeAnswers := Execute(p.Get("recommend.change"), VerbIntakeOpen, IntakeData{RoleID: in.RoleID, TaskIDs: in.TaskIDs})
	changeAnswers.AssociatedInputs = "none"
	if requestable == 0 {
		if len(in.Needs) > 0 {
			c.Body = append(c.Body, Container{Type: "Container", Style: "good", Spacing: "Medium", Items: []Element{
				Text(p.Get("recommend.nothing_left")),
			}})
		}
		c.Actions = []Action{empMyMandatesAction(p), changeAnswers}
		return c
	}

	c.Body = append(c.Body, recommendForm(p, in)...)
	taskIDs := in.TaskIDs
	if taskIDs == nil {
		taskIDs = []string{}
	}
	c.Actions = []Action{
		{Type: "Action.Execute", Title: p.Get("recommend.submit"), Verb: VerbRequestSubmit,
			Data: SubmitData{RoleID: in.RoleID, TaskIDs: taskIDs}, Style: "positive"},
		changeAnswers,
	}
	return c
}

// recommendSummary opens the recommendation: the title, the bot's message if any, how many themes the work needs
// and how many of them are new, and a note when the card leaves details out.
func recommendSummary(p i18n.Printer, in RecommendationInput, requestable, detail int) []Element {
	body := []Element{Heading(p.Get("recommend.title"))}
	if in.Error != "" {
		body = append(body, errorBox(escapeMarkdown(in.Error))...)
	}
	switch {
	case len(in.Needs) == 0:
		body = append(body, Text(p.Get("recommend.none")))
	default:
		body = append(body, Text(p.Format("recommend.summary",
			"count", strconv.Itoa(len(in.Needs)), "new", strconv.Itoa(requestable))))
	}
	if detail > empDetailFull {
		body = append(body, TextBlock{Type: "TextBlock", Text: p.Get("recommend.compact"),
			Wrap: true, IsSubtle: true, Size: "Small"})
		if types := needTypes(in.Needs); len(types) == 1 {
			label := themeTypeLabel(p, domain.Theme{Type: types[0]})
			body = append(body, TextBlock{Type: "TextBlock", Text: p.Format("theme.type.all", "type", label),
				Wrap: true, IsSubtle: true, Size: "Small", Spacing: "None"})
		}
	}
	return body
}

// recommendForm asks for the request's justification and end date, and says what happens after sending.
func recommendForm(p i18n.Printer, in RecommendationInput) []Element {
	return []Element{
		TextBlock{Type: "TextBlock", Text: p.Get("recommend.form.heading"), Weight: "Bolder", Wrap: true,
			Spacing: "Large", Size: "Medium"},
		Input{
			Type:         "Input.Text",
			ID:           JustificationInput,
			Label:        p.Get("recommend.justification.label"),
			Placeholder:  p.Get("recommend.justification.placeholder"),
			Value:        in.Justification,
			IsRequired:   true,
			IsMultiline:  true,
			MaxLength:    MaxJustification,
			ErrorMessage: p.Format("recommend.justification.error", "max", strconv.Itoa(MaxJustification)),
		},
		Input{
			Type:       "Input.Date",
			ID:         ValidUntilInput,
			Label:      p.Get("recommend.valid_until.label"),
			Value:      InputDate(in.DefaultValidUntil),
			Min:        InputDate(in.MinValidUntil),
			Max:        InputDate(in.MaxValidUntil),
			IsRequired: true,
			ErrorMessage: p.Format("recommend.valid_until.error",
				"min", Date(p.Lang, in.MinValidUntil), "max", Date(p.Lang, in.MaxValidUntil)),
			Spacing: "Medium",
		},
		TextBlock{Type: "TextBlock", Text: p.Get("recommend.valid_until.note"), Wrap: true, IsSubtle: true,
			Size: "Small", Spacing: "None"},
		validityCap(p, in),
		TextBlock{Type: "TextBlock", Text: p.Get("recommend.next"), Wrap: true, Spacing: "Medium"},
		goodToKnow(p),
	}
}

// validityCap says why the latest end date is what it is, when a limit shorter than Suomi.fi's sets it: the end of
// the person's fixed-term employment, or the organisation's policy for a theme.
func validityCap(p i18n.Printer, in RecommendationInput) Element {
	date := Date(p.Lang, in.MaxValidUntil)
	text := ""
	switch in.CappedBy {
	case domain.CapContractEnd:
		text = p.Format("recommend.cap.contract_end", "date", date)
	case domain.CapThemePolicy:
		text = p.Format("recommend.cap.theme_policy", "date", date, "theme", in.CapTheme.Name.In(p.Lang),
			"months", strconv.Itoa(in.CapTheme.MaxValidityMonths))
	default:
		return Container{Type: "Container"}
	}
	return Container{Type: "Container", Style: "accent", Spacing: "Small", Items: []Element{Text(text)}}
}

// goodToKnow tells what differs for people who cannot identify with Finnish online banking codes (the foreigner's
// identifier, at most 3 years) and for summer and other fixed-term workers.
func goodToKnow(p i18n.Printer) Element {
	return Container{Type: "Container", Spacing: "Medium", Items: []Element{
		TextBlock{Type: "TextBlock", Text: p.Get("recommend.know.heading"), Weight: "Bolder", Wrap: true, Size: "Small"},
		TextBlock{Type: "TextBlock", Text: p.Get("recommend.know.foreign"), Wrap: true, IsSubtle: true, Size: "Small", Spacing: "None"},
		TextBlock{Type: "TextBlock", Text: p.Get("recommend.know.fixed_term"), Wrap: true, IsSubtle: true, Size: "Small", Spacing: "None"},
	}}
}

// empNeedBlock shows one needed theme. A theme already held or requested is shown briefly; the others get the full
// explanation: why, what kind of mandate (when showType), the specifier, look-alikes and whether DVV must be applied
// to first. The shorter detail levels leave out the longer texts, never a warning's headline.
func empNeedBlock(p i18n.Printer, n Need, detail int, showType bool) Container {
	items := []Element{
		TextBlock{Type: "TextBlock", Text: n.Theme.Name.In(p.Lang), Weight: "Bolder", Size: "Medium", Wrap: true},
	}
	var facts []Fact
	if detail < empDetailMinimal {
		facts = append(facts, Fact{Title: p.Get("emp.fact.agency"), Value: n.Theme.Agency.In(p.Lang)})
	}
	if label := themeTypeLabel(p, n.Theme); showType && label != "" && n.Requestable() {
		facts = append(facts, Fact{Title: p.Get("emp.fact.type"), Value: label})
	}
	if len(facts) > 0 {
		items = append(items, FactSet{Type: "FactSet", Facts: facts})
	}
	switch {
	case n.Held != nil:
		items = append(items, Container{Type: "Container", Style: "good", Items: []Element{
			Text(p.Format("recommend.held", "until", Date(p.Lang, n.Held.ValidUntil))),
		}})
		return Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: items}
	case n.PendingReference != "":
		items = append(items, Container{Type: "Container", Style: "accent", Items: []Element{
			Text(p.Format("recommend.pending", "ref", n.PendingReference)),
		}})
		return Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: items}
	}
	switch {
	case len(n.Tasks) > 0 && detail > empDetailFull:
		names := make([]string, 0, len(n.Tasks))
		for _, t := range n.Tasks {
			names = append(names, t.Name.In(p.Lang))
		}
		items = append(items, TextBlock{Type: "TextBlock", Wrap: true, Spacing: "Small",
			Text: p.Get("recommend.why") + " " + joinNames(names)})
	case len(n.Tasks) > 0:
		items = append(items, TextBlock{Type: "TextBlock", Text: p.Get("recommend.why"), Weight: "Bolder",
			Wrap: true, Spacing: "Small"})
		for _, t := range n.Tasks {
			items = append(items, TextBlock{Type: "TextBlock", Text: "• " + t.Name.In(p.Lang), Wrap: true,
				Spacing: "None"})
		}
	}
	if hint := n.Theme.SpecifierHint.In(p.Lang); hint != "" && detail == empDetailFull {
		items = append(items, TextBlock{Type: "TextBlock", Text: p.Format("recommend.specifier", "hint", hint),
			Wrap: true, IsSubtle: true, Size: "Small", Spacing: "Small"})
	}
	// Warn only about look-alikes that are not themselves on this card: those are no mix-up.
	if warn := n.Theme.LookAlikeWarning.In(p.Lang); len(n.LookAlikes) > 0 {
		var w []Element
		if len(n.LookAlikes) > 0 {
			names := make([]string, 0, len(n.LookAlikes))
			for _, la := range n.LookAlikes {
				names = append(names, la.Name.In(p.Lang))
			}
			w = append(w, TextBlock{Type: "TextBlock", Weight: "Bolder", Wrap: true,
				Text: p.Format("recommend.lookalike", "themes", joinNames(names))})
		}
		if warn != "" && (detail == empDetailFull || len(w) == 0) {
			w = append(w, Text(warn))
		}
		items = append(items, Container{Type: "Container", Style: "warning", Spacing: "Small", Items: w})
	}
	if !n.Covered {
		nc := []Element{TextBlock{Type: "TextBlock", Text: p.Get("recommend.not_covered.title"), Weight: "Bolder", Wrap: true}}
		if detail < empDetailMinimal {
			nc = append(nc, Text(p.Get("recommend.not_covered.body")))
		}
		items = append(items, Container{Type: "Container", Style: "attention", Spacing: "Small", Items: nc})
	}
	if n.Theme.SuomiFiURL != "" && detail < empDetailMinimal {
		items = append(items, ActionSet{Type: "ActionSet", Actions: []Action{
			OpenURL(p.Get("recommend.open_theme"), n.Theme.SuomiFiURL),
		}})
	}
	return Container{Type: "Container", Style: "emphasis", Spacing: "Medium", Items: items}
}
