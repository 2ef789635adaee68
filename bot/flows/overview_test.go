package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// The overview a main user asks for in the chat names the mandates ending soonest and the oldest open grant task,
// each with a button, and each button opens what its row names: the mandate's invalidation form, the request's
// grant task (issue 9.4).
func TestOverviewRowsOpenWhatTheyName(t *testing.T) {
	w := newMandateWorld(t, sqltest.Open(t))
	ctx := context.Background()
	wf := w.f.Workflow
	r, err := wf.Submit(ctx, workflow.SubmitInput{RequesterID: elina, TaskIDs: []string{"palkkatietojen-tarkistus"},
		Justification: "Veroilmoitukset.", ValidUntil: time.Date(2027, 6, 30, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wf.Decide(ctx, workflow.DecideInput{ActorID: sami, RequestID: r.ID, Decision: domain.ApproveAll}); err != nil {
		t.Fatal(err)
	}

	card := mainUsersOverview(t, w)
	for _, want := range []string{"Päättyvät ensimmäisinä", "Elina Lindholm", "Sami Virtanen", "Pisimpään odottaneet myöntötehtävät",
		r.Reference(),
		fmt.Sprintf(`"verb":%q,"data":{"mandateId":%d}`, cards.VerbInvalidationOpen, w.elinas.ID),
		fmt.Sprintf(`"verb":%q,"data":{"mandateId":%d}`, cards.VerbInvalidationOpen, w.samis.ID),
		fmt.Sprintf(`"verb":%q,"data":{"requestId":%d}`, cards.VerbGrantOpen, r.ID)} {
		if !strings.Contains(card, want) {
			t.Errorf("the overview lacks %s:\n%s", want, card)
		}
	}

	if body := w.tap(t, mikaelID, cards.VerbGrantOpen, map[string]any{"requestId": r.ID}); !strings.Contains(body, cards.VerbGrantDone) ||
		!strings.Contains(body, r.Reference()) {
		t.Errorf("the task's button opens: %s", body)
	}
	if body := w.tap(t, mikaelID, cards.VerbInvalidationOpen, map[string]any{"mandateId": w.elinas.ID}); !strings.Contains(body, cards.VerbInvalidationRequest) ||
		!strings.Contains(body, "Elina Lindholm") {
		t.Errorf("the mandate's button opens: %s", body)
	}

	// Anyone else asking gets no overview of the organisation's mandates.
	res, err := w.f.Message(ctx, turn(w.f, elina, "personal", schema.Activity{Type: "message", Text: "yleiskuva"}))
	if raw, _ := json.Marshal(res.Replies); err != nil || strings.Contains(string(raw), cards.VerbInvalidationOpen) {
		t.Errorf("an employee's overview: %v %s", err, raw)
	}
}

// The overview counts the open invalidation tasks and names the oldest with a button that opens the task itself,
// to a main user only: the holder and anyone else tapping it are refused, and a confirmed task is not named
// (issue 9.4).
func TestOverviewOpensInvalidationTasks(t *testing.T) {
	w := newMandateWorld(t, sqltest.Open(t))
	ctx := context.Background()
	ms := w.f.Mandates
	// Sami, Elina's supervisor, asks for the invalidation of her mandate; Mikael invalidates Sami's and confirms it.
	if _, err := ms.RequestInvalidation(ctx, workflow.InvalidationInput{ActorID: sami, MandateID: w.elinas.ID, Reason: "Siirtyy toiseen yksikköön"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ms.RequestInvalidation(ctx, workflow.InvalidationInput{ActorID: mikaelID, MandateID: w.samis.ID, Reason: "Ei enää tarpeen"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ms.ConfirmInvalidation(ctx, workflow.ConfirmInput{ActorID: mikaelID, MandateID: w.samis.ID, InvalidatedOn: w.f.Workflow.Today()}); err != nil {
		t.Fatal(err)
	}

	card := mainUsersOverview(t, w)
	if !strings.Contains(card, `{"title":"Mitätöitäviä valtuuksia Suomi.fi:ssä","value":"1"}`) {
		t.Errorf("the overview does not count one open invalidation task:\n%s", card)
	}
	// The section runs from its heading to the requests' heading that follows it.
	from, to := strings.Index(card, "Pisimpään odottaneet mitätöintitehtävät"), strings.Index(card, `"Pyynnöt"`)
	if from < 0 || to < from {
		t.Fatalf("the overview names no invalidation tasks:\n%s", card)
	}
	section := card[from:to]
	for _, want := range []string{"Elina Lindholm", "tehtävä avattu tänään",
		fmt.Sprintf(`"verb":%q,"data":{"mandateId":%d}`, cards.VerbInvalidationOpen, w.elinas.ID)} {
		if !strings.Contains(section, want) {
			t.Errorf("the invalidation tasks lack %s:\n%s", want, section)
		}
	}
	if strings.Contains(section, "Sami Virtanen") || strings.Contains(section, fmt.Sprintf(`"mandateId":%d}`, w.samis.ID)) {
		t.Errorf("the confirmed task is named:\n%s", section)
	}

	// The button opens the task: its steps and the confirmation, with the supervisor's reason.
	data := map[string]any{"mandateId": w.elinas.ID}
	if body := w.tap(t, mikaelID, cards.VerbInvalidationOpen, data); !strings.Contains(body, cards.VerbInvalidationDone) ||
		!strings.Contains(body, "Elina Lindholm") || !strings.Contains(body, "Siirtyy toiseen yksikköön") {
		t.Errorf("the task's button opens: %s", body)
	}
	// Nobody else gets the task: the holder and an outsider are refused, the supervisor sees no confirmation.
	for _, who := range []string{elina, dinaID} {
		if body := w.tap(t, who, cards.VerbInvalidationOpen, data); !refused(body) {
			t.Errorf("%s opened the task: %s", who, body)
		}
	}
	if body := w.tap(t, sami, cards.VerbInvalidationOpen, data); refused(body) || strings.Contains(body, cards.VerbInvalidationDone) {
		t.Errorf("the supervisor's tap: %s", body)
	}
}

// mainUsersOverview is the overview card Mikael, a main user, gets for "yleiskuva", as JSON.
func mainUsersOverview(t *testing.T, w *mandateWorld) string {
	t.Helper()
	res, err := w.f.Message(context.Background(), turn(w.f, mikaelID, "personal", schema.Activity{Type: "message", Text: "yleiskuva"}))
	if err != nil || len(res.Replies) != 1 {
		t.Fatalf("overview: %v %+v", err, res)
	}
	raw, _ := json.Marshal(res.Replies[0].Attachments)
	return string(raw)
}
