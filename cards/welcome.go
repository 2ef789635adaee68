package cards

import (
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// Verbs of the Action.Execute actions the bot understands. Card data is never trusted for identity: the bot
// checks the actor from the authenticated activity, and validates every data field again.
const (
	VerbSetLanguage = "setLanguage" // data: {"lang": "fi"|"sv"|"en"}
)

// LanguageData is the data of a VerbSetLanguage action.
type LanguageData struct {
	Lang domain.Lang `json:"lang"`
}

// WelcomeInput is what the welcome card shows.
type WelcomeInput struct {
	FirstName string      // may be empty: the card then greets without a name
	OrgName   domain.Text // the organisation's name in each language
	Flow      bool        // the mandate flow is available: offer its actions
	Approver  bool        // the reader has requests waiting for their decision: offer the list
	MainUser  bool        // the reader is a main user: offer the overview and grant tasks too
}

// Welcome is the card shown on install, first contact and on "help": what the bot does and the actions that work.
func Welcome(p i18n.Printer, in WelcomeInput) *Card {
	name, escaped := "", ""
	if in.FirstName != "" {
		name, escaped = " "+in.FirstName, " "+escapeMarkdown(in.FirstName)
	}
	c := New(string(p.Lang))
	// The fallback is plain text; the heading is markdown, where a name from Teams must not be read as such.
	c.FallbackText = p.Format("welcome.title", "name", name)
	c.Body = []Element{
		Heading(p.Format("welcome.title", "name", escaped)),
		Text(p.Format("welcome.intro", "org", in.OrgName.In(p.Lang))),
		Container{Type: "Container", Spacing: "Medium", Items: []Element{
			TextBlock{Type: "TextBlock", Text: p.Get("welcome.what.heading"), Weight: "Bolder", Wrap: true},
			Text("1. " + p.Get("welcome.what.1")),
			Text("2. " + p.Get("welcome.what.2")),
			Text("3. " + p.Get("welcome.what.3")),
		}},
	}
	if in.Flow {
		acts := []Action{
			Execute(p.Get("welcome.action.intake"), VerbIntakeOpen, IntakeData{}),
			Execute(p.Get("welcome.action.mine"), VerbMyMandates, struct{}{}),
		}
		if in.Approver {
			acts = append(acts, Execute(p.Get("welcome.action.approvals"), VerbApprovalList, struct{}{}))
		}
		if in.MainUser {
			acts = append(acts, Execute(p.Get("welcome.action.overview"), VerbOverview, struct{}{}),
				Execute(p.Get("welcome.action.grants"), VerbGrantList, struct{}{}))
		}
		acts[0].Style = "positive"
		c.Body = append(c.Body, ActionSet{Type: "ActionSet", Actions: acts})
	}
	c.Body = append(c.Body,
		Container{Type: "Container", Style: "warning", Spacing: "Medium", Items: []Element{
			Text(p.Get("welcome.privacy")),
		}},
		TextBlock{Type: "TextBlock", Text: p.Get("welcome.language.current"), Wrap: true, Spacing: "Medium"},
		ActionSet{Type: "ActionSet", Actions: languageActions(p)},
		TextBlock{Type: "TextBlock", Text: p.Get("welcome.help.hint"), Wrap: true, IsSubtle: true, Size: "Small"},
	)
	return c
}

// languageActions offers the languages other than the current one.
func languageActions(p i18n.Printer) []Action {
	var out []Action
	for _, l := range domain.Langs {
		if l == p.Lang {
			continue
		}
		out = append(out, Execute(p.Get("action.language."+string(l)), VerbSetLanguage, LanguageData{Lang: l}))
	}
	return out
}
