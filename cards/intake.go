package cards

import (
	"slices"
	"strings"

	"github.com/valtuusbotti/valtuusbotti/internal/catalog"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

// IntakeInput is what the intake card ("which mandates do I need?") shows.
type IntakeInput struct {
	Catalog *catalog.Catalog
	// RoleID is the role profile the employee picked, "" when none. An unknown id is ignored.
	RoleID string
	// TaskIDs are ticked when the card opens: the role's tasks, or the employee's last choice.
	TaskIDs []string
	// Department and JobTitle come from the directory and are shown as facts; either may be empty.
	Department string
	JobTitle   string
	// Error is a localised validation message from the bot, shown at the top (e.g. "pick at least one task").
	Error string
}

// Intake is the card that asks what the employee does at work. Role profiles re-open the card with the role's
// tasks ticked (VerbIntakeOpen); the tasks are grouped by area, one multi-select per area with the input id
// TaskInputPrefix+area id; the submit (VerbIntakeSubmit) carries the chosen role in its data.
func Intake(p i18n.Printer, in IntakeInput) *Card {
	c := New(string(p.Lang))
	c.FallbackText = p.Get("intake.title")
	body := []Element{Heading(p.Get("intake.title"))}
	if in.Error != "" {
		body = append(body, errorBox(escapeMarkdown(in.Error))...)
	}
	body = append(body, Text(p.Get("intake.intro")))

	if facts := empDirectoryFacts(p, in.Department, in.JobTitle); facts != nil {
		body = append(body, facts...)
	}

	role, hasRole := in.Catalog.Role(in.RoleID)
	if !hasRole {
		in.RoleID = ""
	}
	if len(in.Catalog.Roles) > 0 {
		body = append(body, TextBlock{Type: "TextBlock", Text: p.Get("intake.roles.heading"), Weight: "Bolder",
			Wrap: true, Spacing: "Medium"})
		body = append(body, Text(p.Get("intake.roles.hint")))
		// A dropdown, not a button per role: role names are long, and Teams cuts button titles instead of wrapping.
		choices := make([]Choice, 0, len(in.Catalog.Roles))
		for _, r := range in.Catalog.Roles {
			choices = append(choices, Choice{Title: r.Name.In(p.Lang), Value: r.ID})
		}
		body = append(body,
			Input{Type: "Input.ChoiceSet", ID: RoleInput, Label: p.Get("intake.roles.label"), Value: in.RoleID,
				Placeholder: p.Get("intake.roles.placeholder"), Choices: choices, Style: "compact", Wrap: true},
			ActionSet{Type: "ActionSet", Actions: []Action{
				Execute(p.Get("intake.roles.apply"), VerbIntakeOpen, IntakeData{}),
			}})
		if hasRole {
			body = append(body, TextBlock{Type: "TextBlock", Wrap: true, Color: "Good",
				Text: p.Format("intake.roles.selected", "role", role.Name.In(p.Lang))})
		}
	}

	body = append(body, TextBlock{Type: "TextBlock", Text: p.Get("intake.tasks.heading"), Weight: "Bolder",
		Wrap: true, Spacing: "Large"})
	body = append(body, Text(p.Get("intake.tasks.hint")))
	for _, at := range in.Catalog.TasksByArea() {
		choices := make([]Choice, 0, len(at.Tasks))
		var ticked []string
		for _, t := range at.Tasks {
			choices = append(choices, Choice{Title: t.Name.In(p.Lang), Value: t.ID})
			if slices.Contains(in.TaskIDs, t.ID) {
				ticked = append(ticked, t.ID)
			}
		}
		body = append(body, Input{
			Type:          "Input.ChoiceSet",
			ID:            TaskInputPrefix + at.Area.ID,
			Label:         at.Area.Name.In(p.Lang),
			Value:         strings.Join(ticked, ","),
			Choices:       choices,
			IsMultiSelect: true,
			Style:         "expanded",
			Wrap:          true,
			Spacing:       "Medium",
		})
	}
	body = append(body, TextBlock{Type: "TextBlock", Text: p.Get("intake.least_privilege"), Wrap: true, IsSubtle: true,
		Size: "Small", Spacing: "Medium"})
	c.Body = body
	c.Actions = []Action{
		{Type: "Action.Execute", Title: p.Get("intake.submit"), Verb: VerbIntakeSubmit,
			Data: IntakeData{RoleID: in.RoleID}, Style: "positive"},
		empMyMandatesAction(p),
	}
	return c
}

// empDirectoryFacts shows the department and job title the directory holds, or nothing when both are empty.
func empDirectoryFacts(p i18n.Printer, department, jobTitle string) []Element {
	var facts []Fact
	if department != "" {
		facts = append(facts, Fact{Title: p.Get("intake.fact.department"), Value: escapeMarkdown(department)})
	}
	if jobTitle != "" {
		facts = append(facts, Fact{Title: p.Get("intake.fact.job_title"), Value: escapeMarkdown(jobTitle)})
	}
	if len(facts) == 0 {
		return nil
	}
	return []Element{
		FactSet{Type: "FactSet", Facts: facts},
		TextBlock{Type: "TextBlock", Text: p.Get("intake.fact.source"), Wrap: true, IsSubtle: true, Size: "Small",
			Spacing: "None"},
	}
}
