package flows

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/cards"
)

// intakeAnswer taps the intake's main button as Elina with the given card data and inputs, and returns the
// invoke's content type and the card (or error) it carries.
func intakeAnswer(t *testing.T, f *Flows, data map[string]any) (string, json.RawMessage) {
	t.Helper()
	res, err := f.Invoke(context.Background(), turn(f, elina, "personal", invoke(cards.VerbIntakeSubmit, data)))
	if err != nil || res.Invoke == nil {
		t.Fatalf("intakeSubmit %v: %v %+v", data, err, res)
	}
	var body struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(res.Invoke.Body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Type, body.Value
}

// recommendedFor taps the intake's main button and returns what the recommendation card would file: the role and
// tasks its submit carries. It fails the test when the answer is not a recommendation with a request form.
func recommendedFor(t *testing.T, f *Flows, data map[string]any) cards.SubmitData {
	t.Helper()
	typ, value := intakeAnswer(t, f, data)
	var c struct {
		Body    []map[string]any `json:"body"`
		Actions []struct {
			Verb string           `json:"verb"`
			Data cards.SubmitData `json:"data"`
		} `json:"actions"`
	}
	if typ != cards.ContentType || json.Unmarshal(value, &c) != nil {
		t.Fatalf("not a card: %s %s", typ, value)
	}
	for _, a := range c.Actions {
		if a.Verb == cards.VerbRequestSubmit {
			return a.Data
		}
	}
	t.Fatalf("no recommendation with a request form: %.600s", value)
	return cards.SubmitData{}
}

func sortedTasks(ids []string) []string { return slices.Sorted(slices.Values(ids)) }

// A newcomer picks a role and taps the main button: the recommendation is for the role's tasks. Ticked tasks win
// over the role; a role changed in the dropdown wins over ticks the card's old role left untouched; with neither a
// role nor a task the intake asks for one.
func TestIntakeRoleFirst(t *testing.T) {
	f := newFlows(t)
	payroll, _ := f.Catalog.Role("palkkasihteeri")
	accountant, _ := f.Catalog.Role("kirjanpitaja")

	// Role only: the role's tasks.
	got := recommendedFor(t, f, map[string]any{cards.RoleInput: "palkkasihteeri"})
	if got.RoleID != "palkkasihteeri" || !slices.Equal(sortedTasks(got.TaskIDs), sortedTasks(payroll.Tasks)) {
		t.Errorf("role only: recommended %+v, want the payroll clerk's tasks %v", got, payroll.Tasks)
	}
	// The role the card was built with counts too when the dropdown sends nothing.
	got = recommendedFor(t, f, map[string]any{"roleId": "kirjanpitaja"})
	if got.RoleID != "kirjanpitaja" || !slices.Equal(sortedTasks(got.TaskIDs), sortedTasks(accountant.Tasks)) {
		t.Errorf("the card's role: recommended %+v, want the accountant's tasks", got)
	}

	// Role and ticks: the ticks win.
	got = recommendedFor(t, f, map[string]any{cards.RoleInput: "palkkasihteeri",
		"tasks_verotus": "veroasiat-omavero", "tasks_palkat-henkilosto": "palkkatietojen-tarkistus"})
	if want := []string{"palkkatietojen-tarkistus", "veroasiat-omavero"}; !slices.Equal(sortedTasks(got.TaskIDs), want) || got.RoleID != "palkkasihteeri" {
		t.Errorf("role and ticks: recommended %+v, want the ticked %v", got, want)
	}

	// The card was built with the accountant's tasks ticked; the person picks the payroll clerk and taps the main
	// button without touching the ticks: the payroll clerk's tasks.
	data := map[string]any{"roleId": "kirjanpitaja", cards.RoleInput: "palkkasihteeri"}
	for _, id := range accountant.Tasks {
		task, _ := f.Catalog.Task(id)
		k := cards.TaskInputPrefix + task.Area
		if prev, ok := data[k].(string); ok {
			data[k] = prev + "," + id
		} else {
			data[k] = id
		}
	}
	got = recommendedFor(t, f, data)
	if got.RoleID != "palkkasihteeri" || !slices.Equal(sortedTasks(got.TaskIDs), sortedTasks(payroll.Tasks)) {
		t.Errorf("role changed, ticks untouched: recommended %+v, want the payroll clerk's tasks", got)
	}
	// …but one tick more or less is an adjustment, and the ticks win.
	data["tasks_verotus"] = "veroasiat-omavero"
	got = recommendedFor(t, f, data)
	if !slices.Contains(got.TaskIDs, "veroasiat-omavero") || slices.Contains(got.TaskIDs, "palkkatietojen-ilmoittaminen") {
		t.Errorf("role changed, ticks adjusted: recommended %+v, want the ticks", got)
	}

	// Neither: the intake again, asking for a role or a task, in the person's language.
	for _, data := range []map[string]any{{}, {cards.RoleInput: ""}, {"tasks_verotus": " , "}} {
		typ, value := intakeAnswer(t, f, data)
		if typ != cards.ContentType || !strings.Contains(string(value), "Valitse rooli tai vähintään yksi tehtävä.") ||
			!strings.Contains(string(value), cards.VerbIntakeSubmit) {
			t.Errorf("nothing chosen (%v): %s %.300s", data, typ, value)
		}
	}
}

// Role and task ids come from the card, so they are checked against the catalog: anything unknown or out of place
// refuses the tap with an error, and nothing is recommended or filed.
func TestIntakeRefusesTamperedIDs(t *testing.T) {
	f := newFlows(t)
	for name, data := range map[string]map[string]any{
		"unknown role in the dropdown":    {cards.RoleInput: "paakayttaja"},
		"unknown role in the card's data": {"roleId": "paakayttaja", cards.RoleInput: "palkkasihteeri"},
		"unknown task":                    {cards.RoleInput: "palkkasihteeri", "tasks_verotus": "veroasiat-omavero,kaikki-valtuudet"},
		"task under another area":         {"tasks_verotus": "palkkatietojen-ilmoittaminen"},
		"unknown area":                    {"tasks_kaikki": "veroasiat-omavero"},
		"identity code as a task":         {"tasks_palkat-henkilosto": "131052-308T"},
		"tasks in the submit's data":      {"taskIds": []string{"veroasiat-omavero"}},
		"role that is not text":           {cards.RoleInput: []string{"palkkasihteeri"}},
	} {
		typ, value := intakeAnswer(t, f, data)
		if typ != "application/vnd.microsoft.error" || strings.Contains(string(value), "131052") {
			t.Errorf("%s: answered %s %.300s, want the action refused", name, typ, value)
		}
	}
	mine, err := f.Workflow.Mine(context.Background(), elina)
	if err != nil || len(mine.Requests) != 0 {
		t.Fatalf("after refused taps Elina has %d requests (%v)", len(mine.Requests), err)
	}
	// The same taps without the tampered part still work.
	if got := recommendedFor(t, f, map[string]any{cards.RoleInput: "palkkasihteeri", "tasks_verotus": "veroasiat-omavero"}); !slices.Equal(got.TaskIDs, []string{"veroasiat-omavero"}) {
		t.Errorf("untampered: %+v", got)
	}
}

// "Change my answers" re-opens the intake with the tasks the recommendation was made from, ticked; tasks the
// catalog lacks refuse the tap.
func TestIntakeChangeAnswersTicksTheTasksAgain(t *testing.T) {
	f := newFlows(t)
	open := func(data map[string]any) (string, string) {
		res, err := f.Invoke(context.Background(), turn(f, elina, "personal", invoke(cards.VerbIntakeOpen, data)))
		if err != nil || res.Invoke == nil {
			t.Fatalf("intakeOpen %v: %v", data, err)
		}
		var body struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		}
		_ = json.Unmarshal(res.Invoke.Body, &body)
		return body.Type, string(body.Value)
	}
	typ, card := open(map[string]any{"roleId": "palkkasihteeri", "taskIds": []string{"veroasiat-omavero", "palkkatietojen-tarkistus"}})
	if typ != cards.ContentType || !strings.Contains(card, `"id":"tasks_verotus","label":"Merkitse työhösi kuuluvat tehtävät","value":"veroasiat-omavero"`) ||
		!strings.Contains(card, `"value":"palkkatietojen-tarkistus"`) || !strings.Contains(card, `"value":"palkkasihteeri"`) {
		t.Errorf("the intake should open with the role and the adjusted ticks: %s %.2000s", typ, card)
	}
	// Only the role: its tasks.
	if _, card = open(map[string]any{"roleId": "palkkasihteeri"}); !strings.Contains(card, `"value":"palkkatietojen-ilmoittaminen,kela-paivarahat-kokonaan"`) {
		t.Errorf("the role's tasks should be ticked: %.2000s", card)
	}
	for _, data := range []map[string]any{
		{"taskIds": []string{"veroasiat-omavero", "kaikki-valtuudet"}},
		{"roleId": "paakayttaja"},
	} {
		if typ, card := open(data); typ != "application/vnd.microsoft.error" {
			t.Errorf("%v: answered %s %.300s, want the tap refused", data, typ, card)
		}
	}
}
