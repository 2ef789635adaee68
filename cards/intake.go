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
	// Error is a localised validation message from the bot, shown at the top (e.g. "choose a role or a task").
	Error string
}

// Intake is the card that asks what the employee does at work, built for a newcomer: the role dropdown and the
// main button (VerbIntakeSubmit) come first, so choosing a role and tapping the button is enough; the bot then
// uses the role's tasks. Below them the tasks, folded by area: tapping an area's header shows or hides its tasks
// (Action.ToggleVisibility, in the client), one multi-select per area with the input id TaskInputPrefix+area id,
// each task with an everyday example. An area holding a ticked task starts open. Ticked tasks win over the role
// (the person adjusted them); "tick the role's tasks" (VerbIntakeOpen) re-opens the card with the role's tasks
// ticked, for adjusting. The submit carries the role the card was built with in its data.
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
	submit := Action{Type: "Action.Execute", Title: p.Get("intake.submit"), Verb: VerbIntakeSubmit,
		Data: IntakeData{RoleID: in.RoleID}, Style: "positive"}
	if len(in.Catalog.Roles) > 0 {
		body = append(body, TextBlock{Type: "TextBlock", Text: p.Get("intake.roles.heading"), Weight: "Bolder",
			Wrap: true, Spacing: "Medium"})
		body = append(body, Text(p.Format("intake.roles.hint", "button", p.Get("intake.submit"))))
		// A dropdown, not a button per role: role names are long, and Teams cuts button titles instead of wrapping.
		choices := make([]Choice, 0, len(in.Catalog.Roles))
		for _, r := range in.Catalog.Roles {
			choices = append(choices, Choice{Title: r.Name.In(p.Lang), Value: r.ID})
		}
		body = append(body, Input{Type: "Input.ChoiceSet", ID: RoleInput, Label: p.Get("intake.roles.label"),
			Value: in.RoleID, Placeholder: p.Get("intake.roles.placeholder"), Choices: choices, Style: "compact", Wrap: true})
		if hasRole && sameSet(in.TaskIDs, role.Tasks) {
			body = append(body, TextBlock{Type: "TextBlock", Wrap: true, Color: "Good",
				Text: p.Format("intake.roles.selected", "role", role.Name.In(p.Lang))})
		}
		body = append(body, ActionSet{Type: "ActionSet", Actions: []Action{
			submit,
			Execute(p.Get("intake.roles.apply"), VerbIntakeOpen, IntakeData{}),
		}})
	}

	body = append(body, TextBlock{Type: "TextBlock", Text: p.Get("intake.tasks.heading"), Weight: "Bolder",
		Wrap: true, Spacing: "Large"})
	body = append(body, Text(p.Get("intake.tasks.hint")))
	// The areas in one box, a line each while folded, so the common case (a role) fits on one screen.
	var areas []Element
	for _, at := range in.Catalog.TasksByArea() {
		areas = append(areas, intakeArea(p, at, in.TaskIDs)...)
	}
	body = append(body, Container{Type: "Container", Style: "emphasis", Spacing: "Small", Items: areas})
	body = append(body, TextBlock{Type: "TextBlock", Text: p.Get("intake.least_privilege"), Wrap: true, IsSubtle: true,
		Size: "Small", Spacing: "Medium"})
	c.Body = body
	c.Actions = []Action{submit, empMyMandatesAction(p)}
	return c
}

// The element ids of a folded task area: its body (the tasks) and the two header lines, shown one at a time.
func areaBodyID(areaID string) string   { return "area_" + areaID }
func areaClosedID(areaID string) string { return "area_" + areaID + "_closed" }
func areaOpenID(areaID string) string   { return "area_" + areaID + "_open" }

// intakeArea is one task area, folded: a header the person taps to show or hide the area's tasks (▸ closed,
// ▾ open), and the tasks as a multi-select, each with its everyday example. It starts open when a task in it is
// ticked.
func intakeArea(p i18n.Printer, at catalog.AreaTasks, ticked []string) []Element {
	id, name := at.Area.ID, escapeMarkdown(at.Area.Name.In(p.Lang))
	choices := make([]Choice, 0, len(at.Tasks))
	var on []string
	for _, t := range at.Tasks {
		title := t.Name.In(p.Lang)
		if ex := t.Example.In(p.Lang); ex != "" {
			title = p.Format("intake.task.example", "task", title, "example", ex)
		}
		choices = append(choices, Choice{Title: title, Value: t.ID})
		if slices.Contains(ticked, t.ID) {
			on = append(on, t.ID)
		}
	}
	open := len(on) > 0
	toggle := ToggleVisibility(p.Format("intake.area.toggle", "area", at.Area.Name.In(p.Lang)),
		areaBodyID(id), areaClosedID(id), areaOpenID(id))
	header := Container{Type: "Container", Spacing: "Small", SelectAction: &toggle, Items: []Element{
		TextBlock{Type: "TextBlock", ID: areaClosedID(id), Text: "▸ " + name, Weight: "Bolder", Wrap: true,
			IsVisible: hiddenUnless(!open)},
		TextBlock{Type: "TextBlock", ID: areaOpenID(id), Text: "▾ " + name, Weight: "Bolder", Wrap: true,
			IsVisible: hiddenUnless(open)},
	}}
	tasks := Container{Type: "Container", ID: areaBodyID(id), Spacing: "None", IsVisible: hiddenUnless(open), Items: []Element{
		Input{
			Type:          "Input.ChoiceSet",
			ID:            TaskInputPrefix + id,
			Label:         p.Get("intake.area.label"),
			Value:         strings.Join(on, ","),
			Choices:       choices,
			IsMultiSelect: true,
			Style:         "expanded",
			Wrap:          true,
		},
	}}
	return []Element{header, tasks}
}

// sameSet reports whether two lists hold the same ids, whatever their order.
func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(slices.Compact(a), slices.Compact(b))
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
