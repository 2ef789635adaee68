package cards

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/i18n"
)

func init() { goldenSets = append(goldenSets, empIntakeGolden) }

// empServerError is a validation message as the bot would pass it, in the reader's language.
func empServerError(p i18n.Printer, fi, sv, en string) string {
	switch p.Lang {
	case domain.Swedish:
		return sv
	case domain.English:
		return en
	}
	return fi
}

func empIntakeGolden() map[string]func(p i18n.Printer) *Card {
	return map[string]func(p i18n.Printer) *Card{
		"intake": func(p i18n.Printer) *Card {
			role, _ := empCat.Role("palkkasihteeri")
			return Intake(p, IntakeInput{Catalog: empCat, RoleID: role.ID, TaskIDs: role.Tasks,
				Department: "Talous- ja henkilöstöpalvelut", JobTitle: "Palkkasihteeri"})
		},
		// A newcomer's first view: nothing chosen yet, every task area folded.
		"intake-new": func(p i18n.Printer) *Card {
			return Intake(p, IntakeInput{Catalog: empCat, Department: "Talous- ja henkilöstöpalvelut", JobTitle: "Palkkasihteeri"})
		},
		"intake-error": func(p i18n.Printer) *Card {
			return Intake(p, IntakeInput{Catalog: empCat, Error: empServerError(p,
				"Valitse rooli tai vähintään yksi tehtävä.", "Välj en roll eller minst en uppgift.", "Choose a role or at least one task.")})
		},
	}
}

// visibleNodes lists the objects of the card's body of the given types that show when the card opens: neither they
// nor a container around them has isVisible false.
func visibleNodes(t *testing.T, c *Card, types ...string) []map[string]any {
	t.Helper()
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["isVisible"] == false {
				return
			}
			if ty, _ := x["type"].(string); slices.Contains(types, ty) {
				out = append(out, x)
			}
			for _, k := range []string{"items", "actions", "choices"} {
				if vv, ok := x[k]; ok {
					walk(vv)
				}
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	walk(empDecode(t, c)["body"])
	return out
}

func TestIntakeGroupsTasksByAreaWithPreselection(t *testing.T) {
	role, ok := empCat.Role("palkkasihteeri")
	if !ok {
		t.Fatal("catalog lacks the payroll clerk role")
	}
	p := bundle.Printer(domain.Finnish)
	c := Intake(p, IntakeInput{Catalog: empCat, RoleID: role.ID, TaskIDs: role.Tasks})
	sets := slices.DeleteFunc(empNodes(empDecode(t, c), "Input.ChoiceSet"), func(s map[string]any) bool { return s["id"] == RoleInput })
	areas := empCat.TasksByArea()
	if len(sets) != len(areas) {
		t.Fatalf("%d choice sets, want one per area (%d)", len(sets), len(areas))
	}
	var ticked []string
	for i, s := range sets {
		if s["id"] != TaskInputPrefix+areas[i].Area.ID {
			t.Errorf("choice set %d has id %v, want %s", i, s["id"], TaskInputPrefix+areas[i].Area.ID)
		}
		if s["isMultiSelect"] != true || s["style"] != "expanded" || s["label"] == nil {
			t.Errorf("%v: want a labelled, expanded multi-select", s["id"])
		}
		choices := s["choices"].([]any)
		if n := len(choices); n != len(areas[i].Tasks) {
			t.Errorf("%v: %d choices, want %d", s["id"], n, len(areas[i].Tasks))
		}
		// Every task shows its name and its everyday example.
		for j, ch := range choices {
			task := areas[i].Tasks[j]
			title := ch.(map[string]any)["title"].(string)
			if want := task.Name.FI + " – esim. " + task.Example.FI; title != want {
				t.Errorf("task %s is shown as %q, want %q", task.ID, title, want)
			}
		}
		if v, _ := s["value"].(string); v != "" {
			for _, id := range strings.Split(v, ",") {
				if !slices.ContainsFunc(areas[i].Tasks, func(t domain.Task) bool { return t.ID == id }) {
					t.Errorf("%v preselects %q from another area", s["id"], id)
				}
				ticked = append(ticked, id)
			}
		}
	}
	slices.Sort(ticked)
	want := slices.Clone(role.Tasks)
	slices.Sort(want)
	if !slices.Equal(ticked, want) {
		t.Errorf("ticked %v, want the role's tasks %v", ticked, want)
	}

	// Only the area holding the role's tasks (payroll) starts open; its ticks are visible, the other areas folded.
	var open []string
	for _, s := range visibleNodes(t, c, "Input.ChoiceSet") {
		if s["id"] != RoleInput {
			open = append(open, s["id"].(string))
		}
	}
	if !slices.Equal(open, []string{TaskInputPrefix + "palkat-henkilosto"}) {
		t.Errorf("open areas %v, want only the payroll area, which holds the role's tasks", open)
	}
}

// The newcomer's card: the role dropdown and the main button first, every task area folded below them, each with
// a header that unfolds it in the client.
func TestIntakeRoleFirstAreasFolded(t *testing.T) {
	p := bundle.Printer(domain.Finnish)
	c := Intake(p, IntakeInput{Catalog: empCat, Department: "Talous- ja henkilöstöpalvelut", JobTitle: "Palkkasihteeri"})
	m := empDecode(t, c)

	// In reading order: the dropdown, then the main button, then the tasks.
	var order []string
	for _, n := range empNodes(m["body"], "Input.ChoiceSet", "Action.Execute") {
		switch {
		case n["id"] == RoleInput:
			order = append(order, "role")
		case n["verb"] == VerbIntakeSubmit:
			order = append(order, "submit")
		case strings.HasPrefix(fmt.Sprint(n["id"]), TaskInputPrefix):
			order = append(order, "tasks")
		}
	}
	if len(order) < 3 || order[0] != "role" || order[1] != "submit" || order[2] != "tasks" {
		t.Errorf("reading order %v: want the role dropdown, then the main button, then the tasks", order)
	}
	for _, a := range empNodes(m["body"], "Action.Execute") {
		if a["verb"] == VerbIntakeSubmit && (a["style"] != "positive" || a["title"] != p.Get("intake.submit") || a["associatedInputs"] != nil) {
			t.Errorf("the main button %v: want the positive %q, sending every input", a, p.Get("intake.submit"))
		}
	}
	// Nothing ticked: no task shows until its area is opened, and the card is short.
	if tasks := slices.DeleteFunc(visibleNodes(t, c, "Input.ChoiceSet"), func(s map[string]any) bool { return s["id"] == RoleInput }); len(tasks) != 0 {
		t.Errorf("%d task areas open on a card with nothing ticked", len(tasks))
	}
	if n := len(visibleNodes(t, c, "TextBlock", "Input.ChoiceSet", "FactSet", "ActionSet")); n > 25 {
		t.Errorf("%d visible blocks when the card opens: the common case should fit on one screen", n)
	}

	// Each area header toggles its tasks and its two header lines (▸ shown, ▾ hidden); every id is unique.
	ids := map[string]int{}
	var collect func(v any)
	collect = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x["id"].(string); ok {
				ids[id]++
			}
			for _, vv := range x {
				collect(vv)
			}
		case []any:
			for _, vv := range x {
				collect(vv)
			}
		}
	}
	collect(m["body"])
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q appears %d times", id, n)
		}
	}
	headers := 0
	for _, ctr := range empNodes(m["body"], "Container") {
		sel, ok := ctr["selectAction"].(map[string]any)
		if !ok {
			continue
		}
		headers++
		targets, _ := sel["targetElements"].([]any)
		if sel["type"] != "Action.ToggleVisibility" || len(targets) != 3 || sel["title"] == nil {
			t.Errorf("area header action %v: want a titled Action.ToggleVisibility of the body and both header lines", sel)
			continue
		}
		for _, id := range targets {
			if ids[id.(string)] != 1 {
				t.Errorf("the toggle names %v, which is not on the card", id)
			}
		}
		lines := ctr["items"].([]any)
		closed, opened := lines[0].(map[string]any), lines[1].(map[string]any)
		if !strings.HasPrefix(closed["text"].(string), "▸ ") || closed["isVisible"] != nil ||
			!strings.HasPrefix(opened["text"].(string), "▾ ") || opened["isVisible"] != false {
			t.Errorf("a folded area's header shows %v / %v", closed, opened)
		}
	}
	if headers != len(empCat.TasksByArea()) {
		t.Errorf("%d foldable headers, want one per area (%d)", headers, len(empCat.TasksByArea()))
	}
}

func TestIntakeRoleDropdownAndSubmit(t *testing.T) {
	accountant, _ := empCat.Role("kirjanpitaja")
	c := Intake(bundle.Printer(domain.English), IntakeInput{Catalog: empCat, RoleID: accountant.ID, TaskIDs: accountant.Tasks})
	var dropdown map[string]any
	for _, s := range empNodes(empDecode(t, c), "Input.ChoiceSet") {
		if s["id"] == RoleInput {
			dropdown = s
		}
	}
	if dropdown == nil || dropdown["style"] != "compact" || dropdown["value"] != "kirjanpitaja" ||
		len(dropdown["choices"].([]any)) != len(empCat.Roles) {
		t.Fatalf("role dropdown %v: want a compact choice of every role with the selected one set", dropdown)
	}
	var apply map[string]any
	submits := 0
	for _, a := range empNodes(empDecode(t, c), "Action.Execute") {
		switch a["verb"] {
		case VerbIntakeOpen:
			apply = a
		case VerbIntakeSubmit:
			submits++
			if a["data"].(map[string]any)["roleId"] != "kirjanpitaja" {
				t.Errorf("submit must carry the selected role: %v", a)
			}
		}
	}
	if apply == nil || apply["associatedInputs"] == "none" || apply["style"] == "positive" {
		t.Errorf("the apply-role button must send the dropdown's value and not be the main button: %v", apply)
	}
	if submits != 2 {
		t.Errorf("%d main buttons: want one under the dropdown and one at the end", submits)
	}
	for _, set := range empNodes(empDecode(t, c), "ActionSet") {
		if n := len(set["actions"].([]any)); n > 6 {
			t.Errorf("an ActionSet with %d actions: Teams shows six", n)
		}
	}
	if !strings.Contains(empText(t, c), "Selected role: Accountant") {
		t.Error("the selected role is not named")
	}

	// An unknown role (a card from an older catalog) is ignored rather than carried on.
	c = Intake(bundle.Printer(domain.English), IntakeInput{Catalog: empCat, RoleID: "no-such-role"})
	for _, a := range empNodes(empDecode(t, c), "Action.Execute") {
		if a["verb"] == VerbIntakeSubmit && a["data"] != nil {
			if id := a["data"].(map[string]any)["roleId"]; id != nil {
				t.Errorf("unknown role carried into the submit: %v", id)
			}
		}
		if a["style"] == "positive" && a["verb"] == VerbIntakeOpen {
			t.Error("no role should be highlighted")
		}
	}
}

func TestIntakeShowsErrorAndDirectoryFacts(t *testing.T) {
	p := bundle.Printer(domain.Swedish)
	c := Intake(p, IntakeInput{Catalog: empCat, Error: "Välj en roll eller minst en uppgift.", Department: "Bildningstjänster",
		JobTitle: "Skolsekreterare"})
	body := empDecode(t, c)["body"].([]any)
	first := body[1].(map[string]any) // right after the heading
	if first["style"] != "attention" || first["items"].([]any)[0].(map[string]any)["text"] != "Välj en roll eller minst en uppgift." {
		t.Errorf("the error is not shown at the top: %v", first)
	}
	text := empText(t, c)
	for _, want := range []string{"Bildningstjänster", "Skolsekreterare", p.Get("intake.fact.source")} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q", want)
		}
	}
	if c := Intake(p, IntakeInput{Catalog: empCat}); strings.Contains(empText(t, c), p.Get("intake.fact.source")) {
		t.Error("directory note without any directory facts")
	}
}

func TestLargestIntakeFits(t *testing.T) {
	var all []string
	for _, task := range empCat.Tasks {
		all = append(all, task.ID)
	}
	for _, l := range domain.Langs {
		c := Intake(bundle.Printer(l), IntakeInput{Catalog: empCat, RoleID: "palkkahallinnon-esihenkilo", TaskIDs: all,
			Department: strings.Repeat("Talous- ja henkilöstöpalvelut ", 4), JobTitle: "Palkkahallinnon esihenkilö",
			Error: strings.Repeat("Valitse vähintään yksi tehtävä. ", 5)})
		raw, err := c.JSON()
		if err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		t.Logf("%s: the intake card with every task ticked is %d bytes", l, len(raw))
	}
}

// "Change my answers" on the recommendation re-opens the intake with the tasks the recommendation was made from,
// not just the role's: a person who adjusted the ticks finds them again.
func TestRecommendationChangeAnswersKeepsTheTasks(t *testing.T) {
	in := empRecommendInput([]string{"palkkatietojen-ilmoittaminen", "veroasiat-omavero"})
	for _, c := range []*Card{Recommendation(bundle.Printer(domain.Finnish), in),
		Recommendation(bundle.Printer(domain.Finnish), empRecommendInput([]string{"palkkatietojen-ilmoittaminen", "kela-maksutietojen-seuranta"}))} {
		var change map[string]any
		for _, a := range empNodes(empDecode(t, c), "Action.Execute") {
			if a["verb"] == VerbIntakeOpen {
				change = a
			}
		}
		data, _ := change["data"].(map[string]any)
		if data == nil || data["roleId"] != "palkkasihteeri" || len(data["taskIds"].([]any)) != 2 || change["associatedInputs"] != "none" {
			t.Errorf("change my answers %v: want the role and both tasks, without inputs", change)
		}
	}
}

// The intake says the role's tasks are ticked only when they are: after "change my answers" with adjusted ticks
// the dropdown still names the role, but the card does not claim the role's tasks.
func TestIntakeSelectedRoleOnlyWithItsTasks(t *testing.T) {
	p := bundle.Printer(domain.English)
	role, _ := empCat.Role("palkkasihteeri")
	backwards := slices.Clone(role.Tasks)
	slices.Reverse(backwards)
	if c := Intake(p, IntakeInput{Catalog: empCat, RoleID: role.ID, TaskIDs: backwards}); !strings.Contains(empText(t, c), "Selected role: Payroll clerk") {
		t.Error("the role's own tasks, in another order: the role should be confirmed")
	}
	c := Intake(p, IntakeInput{Catalog: empCat, RoleID: role.ID, TaskIDs: []string{"veroasiat-omavero"}})
	if strings.Contains(empText(t, c), "Selected role:") {
		t.Error("other tasks than the role's are ticked, yet the card says the role's tasks are")
	}
}
