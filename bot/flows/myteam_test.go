package flows

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/infracloudio/msbotbuilder-go/schema"

	"github.com/valtuusbotti/valtuusbotti/cards"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/workflow"
)

// say sends text as who in a conversation of convType and returns the reply as JSON.
func (w *mandateWorld) say(t *testing.T, who, convType, text string) string {
	t.Helper()
	res, err := w.f.Message(context.Background(), turn(w.f, who, convType, schema.Activity{Type: "message", Text: text}))
	if err != nil || len(res.Replies) != 1 {
		t.Fatalf("%q by %s: %v %+v", text, who, err, res)
	}
	raw, _ := json.Marshal(res.Replies[0])
	return string(raw)
}

// "tiimini / mitt team / my team" shows a supervisor their people with their mandates; someone with no reports is
// told so; in a channel nobody's data is shown.
func TestMyTeamCommand(t *testing.T) {
	w := newMandateWorld(t, sqltest.Open(t))
	for _, text := range []string{"tiimini", "Mitt team", "my team"} {
		got := w.say(t, sami, "personal", text)
		if !strings.Contains(got, "Elina Lindholm") || !strings.Contains(got, "Palkkasihteeri") {
			t.Errorf("%q: %s", text, got)
		}
	}
	// Helena's report is Sami, with his own mandate.
	if got := w.say(t, helenaID, "personal", "tiimini"); !strings.Contains(got, "Sami Virtanen") || strings.Contains(got, "Elina Lindholm") {
		t.Errorf("Helena's team: %s", got)
	}
	if got := w.say(t, elina, "personal", "tiimini"); !strings.Contains(got, "et ole kenenkään esihenkilö") {
		t.Errorf("no reports: %s", got)
	}
	if got := w.say(t, sami, "channel", "my team"); strings.Contains(got, "Elina") {
		t.Errorf("the team in a channel: %s", got)
	}
}

// On a leaver's task only a main user confirms, only the leaver's mandates with an open task, and a second tap
// records nothing; the card then says the task is done.
func TestLeaverDoneVerb(t *testing.T) {
	w := newMandateWorld(t, sqltest.Open(t))
	ctx := context.Background()
	if _, err := w.f.Mandates.RequestInvalidation(ctx, workflow.InvalidationInput{ActorID: mikaelID, MandateID: w.elinas.ID,
		Reason: "Lähtenyt"}); err != nil {
		t.Fatal(err)
	}
	id := strconv.FormatInt(w.elinas.ID, 10)
	data := func(person string) map[string]any {
		return map[string]any{"personId": person, "mandates": []int64{w.elinas.ID}, "mandate_" + id: "true",
			cards.InvalidatedOnInput: domain.Today(clock.Start).String()}
	}
	if body := w.tap(t, sami, cards.VerbLeaverDone, data(elina)); !refused(body) {
		t.Errorf("confirmed by a supervisor: %s", body)
	}
	if body := w.tap(t, mikaelID, cards.VerbLeaverDone, data(sami)); !refused(body) {
		t.Errorf("confirmed under another person: %s", body)
	}
	if body := w.tap(t, mikaelID, cards.VerbLeaverDone, map[string]any{"personId": elina, "mandates": []int64{w.elinas.ID},
		"mandate_" + id: "true", "bogus": "x"}); !refused(body) {
		t.Errorf("tampered data accepted: %s", body)
	}
	if got, _ := w.db.Register.Mandate(ctx, w.elinas.ID); got.State != domain.MandateActive {
		t.Fatalf("a refused tap revoked the mandate")
	}
	body := w.tap(t, mikaelID, cards.VerbLeaverDone, data(elina))
	if refused(body) || !strings.Contains(body, "vahvistettu mitätöidyiksi") {
		t.Errorf("confirmation: %s", body)
	}
	if got, _ := w.db.Register.Mandate(ctx, w.elinas.ID); got.State != domain.MandateRevoked {
		t.Errorf("mandate after the confirmation: %s", got.State)
	}
	again := w.tap(t, mikaelID, cards.VerbLeaverDone, data(elina))
	if refused(again) || !strings.Contains(again, "vahvistettu mitätöidyiksi") {
		t.Errorf("second tap: %s", again)
	}
	evs, err := w.db.Register.AuditForRequest(ctx, w.elinas.RequestID)
	if err != nil {
		t.Fatal(err)
	}
	if n := countActions(evs, "mandate.revoked"); n != 1 {
		t.Errorf("%d revocations audited", n)
	}
}
