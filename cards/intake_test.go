package cards

import (
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
		"intake-error": func(p i18n.Printer) *Card {
			return Intake(p, IntakeInput{Catalog: empCat, Error: empServerError(p,
				"Valitse vähintään yksi tehtävä.", "Välj minst en uppgift.", "Choose at least one task.")})
		},
	}
}

func TestIntakeGroupsTasksByAreaWithPreselection(t *testing.T) {
	role, ok := empCat.Role("palkkasihteeri")
	if !ok {
		t.Fatal("catalog lacks the payroll clerk role")
	}
	c := Intake(bundle.Printer(domain.Finnish), IntakeInput{Catalog: empCat, RoleID: role.ID, TaskIDs: role.Tasks})
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
		if n := len(s["choices"].([]any)); n != len(areas[i].Tasks) {
			t.Errorf("%v: %d choices, want %d", s["id"], n, len(areas[i].Tasks))
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
}

func TestIntakeRoleDropdownAndSubmit(t *testing.T) {
	c := Intake(bundle.Printer(domain.English), IntakeInput{Catalog: empCat, RoleID: "kirjanpitaja"})
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
	var apply, submit map[string]any
	for _, a := range empNodes(empDecode(t, c), "Action.Execute") {
		switch a["verb"] {
		case VerbIntakeOpen:
			apply = a
		case VerbIntakeSubmit:
			submit = a
		}
	}
	if apply == nil || apply["associatedInputs"] == "none" {
		t.Errorf("the apply-role button must send the dropdown's value: %v", apply)
	}
	if submit == nil || submit["data"].(map[string]any)["roleId"] != "kirjanpitaja" {
		t.Errorf("submit must carry the selected role: %v", submit)
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
	c := Intake(p, IntakeInput{Catalog: empCat, Error: "Välj minst en uppgift.", Department: "Bildningstjänster",
		JobTitle: "Skolsekreterare"})
	body := empDecode(t, c)["body"].([]any)
	first := body[1].(map[string]any) // right after the heading
	if first["style"] != "attention" || first["items"].([]any)[0].(map[string]any)["text"] != "Välj minst en uppgift." {
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
