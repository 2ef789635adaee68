package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

const (
	mikael = "7c1e4a52-0000-4000-8000-000000000004" // the demo organisation's only main user
	oskar  = "7c1e4a52-0000-4000-8000-000000000006" // no manager: Leo, the head of his department, approves
	leo    = "7c1e4a52-0000-4000-8000-000000000009"
)

// filedRequest is a request approved by its approver, whose valtuuspyyntö the employee has said they sent.
func filedRequest(t *testing.T, f *Flows, who, approver string, tasks ...string) domain.Request {
	t.Helper()
	ctx := context.Background()
	r, err := f.Workflow.Submit(ctx, workflow.SubmitInput{RequesterID: who, TaskIDs: tasks, Justification: "Hoidan palkkailmoitukset.",
		ValidUntil: f.Workflow.Today().AddYears(1).Time()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Workflow.Decide(ctx, workflow.DecideInput{ActorID: approver, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
		t.Fatal(err)
	}
	if r, err = f.Workflow.Filed(ctx, who, r.ID, "filed"); err != nil {
		t.Fatal(err)
	}
	return r
}

// answer is an invoke's answer: the card, or the error message Teams shows.
type answer struct {
	card  map[string]any
	error string
}

func act(t *testing.T, f *Flows, who, verb string, data map[string]any) answer {
	t.Helper()
	res, err := f.Invoke(context.Background(), turn(f, who, "personal", invoke(verb, data)))
	if err != nil || res.Invoke == nil {
		t.Fatalf("%s: %v", verb, err)
	}
	var body struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal(res.Invoke.Body, &body); err != nil {
		t.Fatal(err)
	}
	var a answer
	if body.Type == cards.ContentType {
		if err := json.Unmarshal(body.Value, &a.card); err != nil {
			t.Fatal(err)
		}
		return a
	}
	var e struct{ Message string }
	_ = json.Unmarshal(body.Value, &e)
	a.error = e.Message
	if a.error == "" {
		t.Fatalf("%s: neither a card nor an error: %s", verb, res.Invoke.Body)
	}
	return a
}

func (a answer) text() string { raw, _ := json.Marshal(a.card); return string(raw) }

// walk calls fn for every JSON object in v.
func walk(v any, fn func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		fn(x)
		for _, vv := range x {
			walk(vv, fn)
		}
	case []any:
		for _, vv := range x {
			walk(vv, fn)
		}
	}
}

// tap is what Teams sends for the card's button with the given verb: the button's data with every input's value.
func (a answer) tap(t *testing.T, verb string) map[string]any {
	t.Helper()
	var data map[string]any
	inputs := map[string]any{}
	walk(a.card, func(o map[string]any) {
		if o["verb"] == verb && data == nil {
			data, _ = o["data"].(map[string]any)
		}
		if typ, _ := o["type"].(string); strings.HasPrefix(typ, "Input.") {
			inputs[o["id"].(string)] = o["value"]
		}
	})
	if data == nil {
		t.Fatalf("no %s button on %s", verb, a.text())
	}
	out := maps.Clone(data)
	maps.Copy(out, inputs)
	return out
}

func mandates(t *testing.T, f *Flows, who string) int {
	t.Helper()
	v, err := f.Workflow.Mine(context.Background(), who)
	if err != nil {
		t.Fatal(err)
	}
	return len(v.Mandates)
}

// The main user grants two people's valtuuspyynnöt in one go from the task list: one submit records every ticked
// theme once; tapping it again records nothing more and shows the final state.
func TestBatchGrantRecordsEachThemeOnce(t *testing.T) {
	f := newFlows(t)
	a := filedRequest(t, f, elina, sami, "palkkatietojen-ilmoittaminen", "kela-paivarahojen-hakeminen")
	b := filedRequest(t, f, oskar, leo, "palkkatietojen-ilmoittaminen")

	list := act(t, f, mikael, cards.VerbGrantList, map[string]any{})
	if !strings.Contains(list.text(), `"verb":"grantBatch"`) {
		t.Fatalf("the task list does not offer the batch: %s", list.text())
	}
	card := act(t, f, mikael, cards.VerbGrantBatch, list.tap(t, cards.VerbGrantBatch))
	submit := card.tap(t, cards.VerbGrantBatchDone)
	for _, it := range append(a.Items, b.Items...) {
		if submit[fmt.Sprint(cards.ItemInputPrefix, it.ID)] != "true" {
			t.Fatalf("the batch card lacks a ticked toggle for item %d: %v", it.ID, submit)
		}
	}

	done := act(t, f, mikael, cards.VerbGrantBatchDone, submit)
	if done.card == nil || strings.Contains(done.text(), `"color":"Attention"`) {
		t.Fatalf("batch submit: %s %s", done.error, done.text())
	}
	if mandates(t, f, elina) != 2 || mandates(t, f, oskar) != 1 {
		t.Fatalf("mandates: Elina %d, Oskar %d; want 2 and 1", mandates(t, f, elina), mandates(t, f, oskar))
	}
	granted := f.Messages.Printer(domain.Finnish).Get("admin.itemstate.granted")
	if !strings.Contains(done.text(), granted) || strings.Contains(done.text(), `"verb":"grantBatchDone"`) {
		t.Fatalf("after the submit the card shows the outcome and nothing left to submit: %s", done.text())
	}

	// A double tap: the same data again. Nothing new is recorded, and the card shows the final state, no error.
	again := act(t, f, mikael, cards.VerbGrantBatchDone, submit)
	if again.card == nil || strings.Contains(again.text(), `"color":"Attention"`) || !strings.Contains(again.text(), granted) {
		t.Fatalf("second tap: %s %s", again.error, again.text())
	}
	if mandates(t, f, elina) != 2 || mandates(t, f, oskar) != 1 {
		t.Fatalf("a second tap changed the mandates: Elina %d, Oskar %d", mandates(t, f, elina), mandates(t, f, oskar))
	}
}

// Card data is never trusted: an item of a request not on the card, a request nobody has, a date for a request not
// on the card, a field the card never carries, an unknown path, or a person who is not a main user: refused before
// anything is recorded.
func TestBatchGrantRefusesDataTheCardCouldNotHaveSent(t *testing.T) {
	f := newFlows(t)
	a := filedRequest(t, f, elina, sami, "palkkatietojen-ilmoittaminen")
	b := filedRequest(t, f, oskar, leo, "palkkatietojen-ilmoittaminen")
	path := string(domain.PathRequest)
	from, until := f.Workflow.Today().String(), f.Workflow.Today().AddMonths(6).String()
	good := func() map[string]any {
		return map[string]any{"path": path, "requestIds": []int64{a.ID},
			fmt.Sprint(cards.ItemInputPrefix, a.Items[0].ID): "true",
			fmt.Sprint(cards.BatchFromInputPrefix, a.ID):     from, fmt.Sprint(cards.BatchUntilInputPrefix, a.ID): until}
	}
	with := func(k string, v any) map[string]any { d := good(); d[k] = v; return d }
	without := func(k string) map[string]any { d := good(); delete(d, k); return d }
	p := f.Messages.Printer(domain.Finnish)
	for name, tc := range map[string]struct {
		who  string
		data map[string]any
		want string
	}{
		"another request's item":       {mikael, with(fmt.Sprint(cards.ItemInputPrefix, b.Items[0].ID), "true"), p.Get("error.invalid_action")},
		"a request nobody has":         {mikael, with("requestIds", []int64{a.ID, 999}), p.Get("err.no_access")},
		"the same request twice":       {mikael, with("requestIds", []int64{a.ID, a.ID}), p.Get("error.invalid_action")},
		"a date for another request":   {mikael, with(fmt.Sprint(cards.BatchUntilInputPrefix, b.ID), until), p.Get("error.invalid_action")},
		"a field the card never has":   {mikael, with("actorId", mikael), p.Get("error.invalid_action")},
		"an unknown path":              {mikael, with("path", "fax"), p.Get("error.invalid_action")},
		"no requests":                  {mikael, with("requestIds", []int64{}), p.Get("error.invalid_action")},
		"a toggle that is not boolean": {mikael, with(fmt.Sprint(cards.ItemInputPrefix, a.Items[0].ID), "yes"), p.Get("error.invalid_action")},
		"not a main user":              {elina, good(), p.Get("err.not_main_user")},
		"the requester of the data":    {oskar, without(fmt.Sprint(cards.BatchFromInputPrefix, a.ID)), p.Get("err.not_main_user")},
	} {
		if got := act(t, f, tc.who, cards.VerbGrantBatchDone, tc.data); got.error != tc.want {
			t.Errorf("%s: answer %q %s, want the error %q", name, got.error, got.text(), tc.want)
		}
	}
	if mandates(t, f, elina) != 0 || mandates(t, f, oskar) != 0 {
		t.Fatal("refused card data recorded a mandate")
	}
	// The good data, for contrast, records Elina's theme.
	if got := act(t, f, mikael, cards.VerbGrantBatchDone, good()); got.card == nil || mandates(t, f, elina) != 1 {
		t.Fatalf("good data: %q %s", got.error, got.text())
	}
}

// One request's refusal stops nothing else and is shown beside it; nothing ticked is said so, not read as "all".
func TestBatchGrantShowsEachRefusal(t *testing.T) {
	f := newFlows(t)
	a := filedRequest(t, f, elina, sami, "palkkatietojen-ilmoittaminen")
	b := filedRequest(t, f, oskar, leo, "palkkatietojen-ilmoittaminen")
	p := f.Messages.Printer(domain.Finnish)
	today := f.Workflow.Today()
	data := map[string]any{"path": string(domain.PathRequest), "requestIds": []int64{a.ID, b.ID},
		fmt.Sprint(cards.ItemInputPrefix, a.Items[0].ID): "false", fmt.Sprint(cards.ItemInputPrefix, b.Items[0].ID): "false",
		fmt.Sprint(cards.BatchFromInputPrefix, a.ID): today.String(), fmt.Sprint(cards.BatchUntilInputPrefix, a.ID): today.AddYears(2).String(),
		fmt.Sprint(cards.BatchFromInputPrefix, b.ID): today.String(), fmt.Sprint(cards.BatchUntilInputPrefix, b.ID): today.AddMonths(6).String()}
	none := act(t, f, mikael, cards.VerbGrantBatchDone, data)
	if !strings.Contains(none.text(), p.Get("err.no_items_selected")) || mandates(t, f, elina)+mandates(t, f, oskar) != 0 {
		t.Fatalf("nothing ticked: %q %s", none.error, none.text())
	}
	// What the main user left unticked stays unticked: a second tap must not record it by default.
	if again := none.tap(t, cards.VerbGrantBatchDone); again[fmt.Sprint(cards.ItemInputPrefix, a.Items[0].ID)] != "false" ||
		again[fmt.Sprint(cards.ItemInputPrefix, b.Items[0].ID)] != "false" {
		t.Fatalf("the card ticked again what was left unticked: %v", again)
	}

	data[fmt.Sprint(cards.ItemInputPrefix, a.Items[0].ID)] = "true" // Elina's end date is after the approved one
	data[fmt.Sprint(cards.ItemInputPrefix, b.Items[0].ID)] = "true"
	got := act(t, f, mikael, cards.VerbGrantBatchDone, data)
	if !strings.Contains(got.text(), p.Get("err.valid_until_after_approved")) {
		t.Fatalf("Elina's refusal is not shown: %s", got.text())
	}
	if mandates(t, f, elina) != 0 || mandates(t, f, oskar) != 1 {
		t.Fatalf("mandates: Elina %d, Oskar %d; want 0 and 1", mandates(t, f, elina), mandates(t, f, oskar))
	}
	// Elina's request stays on the card to try again; Oskar's is done.
	if !strings.Contains(got.text(), fmt.Sprint(`"id":"`, cards.ItemInputPrefix, a.Items[0].ID, `"`)) ||
		strings.Contains(got.text(), fmt.Sprint(`"id":"`, cards.ItemInputPrefix, b.Items[0].ID, `"`)) {
		t.Fatalf("toggles after a partial submit: %s", got.text())
	}
}
