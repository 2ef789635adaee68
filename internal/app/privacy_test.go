package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
	"github.com/valtuusbotti/valtuusbotti/manifest"
)

// Everyone in a channel or a group chat reads what the bot answers there. Every register and personal command,
// typed or tapped, gets only the invitation to the 1:1 chat: no names, no request references, no themes, no
// department, and no sign of whether the person has anything waiting.
func TestNoPersonalDataInChannelsOrGroupChats(t *testing.T) {
	h := newHarness(t, fastOutbox, withoutRateLimits)
	sami := "7c1e4a52-0000-4000-8000-000000000002"
	for _, who := range []string{elina, sami, mikael} {
		h.say(who, "hei")
	}
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	before := len(h.conn.Calls())

	phrases := []string{"hei", "hej", "help", "?", "omat valtuudet", "mina fullmakter", "my mandates", "yleiskuva",
		"översikt", "overview", "tehtävät", "uppgifter", "tasks", "hyväksyttävät", "att godkänna", "approvals",
		"mitä valtuuksia tarvitsen", "vilka fullmakter behöver jag", "which mandates do i need", "tarvitsen valtuuksia kelaan"}
	for _, l := range domain.Langs {
		cmds, err := manifest.Commands(l)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cmds {
			phrases = append(phrases, c.Title)
		}
	}
	verbs := map[string]map[string]any{
		"intakeOpen": {}, "intakeSubmit": {"tasks_palkat-henkilosto": "palkkatietojen-ilmoittaminen"},
		"requestSubmit": {"taskIds": []string{"palkkatietojen-ilmoittaminen"}, "justification": "Palkat", "validUntil": "2027-06-30"},
		"requestCancel": {"requestId": id, "confirm": true}, "requestStatus": {"requestId": id}, "myMandates": {}, "approvalOpen": {"requestId": id}, "approvalList": {},
		"approvalDecide": {"requestId": id, "decision": "approveAll"}, "grantOpen": {"requestId": id}, "grantList": {},
		"grantDone":   {"requestId": id, "validFrom": "2026-11-25", "validUntil": "2027-06-30"},
		"grantFailed": {"requestId": id, "reason": "ei"}, "overview": {},
		"grantBatch": {"path": "valtuuspyynto"},
		"grantBatchDone": {"path": "valtuuspyynto", "requestIds": []int64{id}, fmt.Sprint("validFrom_", id): "2026-11-25",
			fmt.Sprint("validUntil_", id): "2027-06-30"},
		"requestFiled": {"requestId": id}, "grantDirect": {"requestId": id},
		"rightRecorded": {"themeId": "business-finland-yritysrahoitus", "registeredOn_business-finland-yritysrahoitus": "2026-11-25"},
	}
	for _, conv := range []struct{ id, typ string }{{"19:team-channel@thread.tacv2", "channel"}, {"19:group-chat@thread.v2", "groupChat"}} {
		for _, who := range []string{elina, sami, mikael} {
			for _, text := range phrases {
				act := h.activity("message", who, "fi-FI", "<at>Valtuusbotti</at> "+text)
				act["conversation"] = map[string]any{"id": conv.id, "conversationType": conv.typ, "isGroup": true, "tenantId": tenant}
				h.send(act)
			}
			for verb, data := range verbs {
				act := h.activity("invoke", who, "fi-FI", "")
				act["conversation"] = map[string]any{"id": conv.id, "conversationType": conv.typ, "isGroup": true, "tenantId": tenant}
				act["name"] = "adaptiveCard/action"
				act["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": verb, "data": data}}
				body := string(h.send(act))
				if !strings.Contains(body, "application/vnd.microsoft.error") || leaks(body) != "" {
					t.Errorf("%s %s by %s: %s", conv.typ, verb, who[len(who)-2:], body)
				}
			}
		}
	}
	h.waitOutbox(t)
	var inGroups []fakeconnector.Call
	for _, c := range h.conn.Calls()[before:] {
		if strings.HasPrefix(c.ConversationID, "19:") {
			inGroups = append(inGroups, c)
		}
	}
	if want := 2 * 3 * len(phrases); len(inGroups) != want {
		t.Fatalf("%d answers in channels and group chats, want one per message (%d)", len(inGroups), want)
	}
	for _, c := range inGroups {
		// What people in the conversation read: the text and the cards (the addressing is Bot Framework's own).
		shown, _ := json.Marshal([]any{c.Activity.Text, c.Activity.Summary, c.Activity.Attachments})
		if what := leaks(string(shown)); what != "" {
			t.Fatalf("%q posted into %s: %s", what, c.ConversationID, c.Raw)
		}
	}
	// The request is untouched by all of it.
	r, err := h.app.Workflow.Store.Request(t.Context(), id)
	if err != nil || r.State != domain.RequestPending {
		t.Fatalf("request changed from a channel: %+v %v", r.State, err)
	}
}

// leaks names personal or register data found in s.
func leaks(s string) string {
	for _, w := range []string{"Elina", "Lindholm", "Sami", "Virtanen", "Mikael", "Nordström", "Helena", "VB-2",
		"Palkkatietojen", "Talous", "palkkatietojen-ilmoittaminen", elina, mikael, "requestId", fmt.Sprint("7c1e4a52")} {
		if strings.Contains(s, w) {
			return w
		}
	}
	return ""
}
