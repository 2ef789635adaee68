package app_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// tapData is what Teams sends for a card's button with the given verb: the button's data with the value of every
// input on the card, as the card left them.
func tapData(t *testing.T, card map[string]any, verb string) map[string]any {
	t.Helper()
	var data map[string]any
	inputs := map[string]any{}
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["verb"] == verb && data == nil {
				data, _ = x["data"].(map[string]any)
			}
			if typ, _ := x["type"].(string); strings.HasPrefix(typ, "Input.") {
				inputs[x["id"].(string)] = x["value"]
			}
			for _, vv := range x {
				walk(vv)
			}
		case []any:
			for _, vv := range x {
				walk(vv)
			}
		}
	}
	walk(card)
	if data == nil {
		t.Fatalf("no %s button on %s", verb, cardText(card))
	}
	out := maps.Clone(data)
	maps.Copy(out, inputs)
	return out
}

// Two employees' requests are approved and both say they sent their valtuuspyyntö; the main user opens "grant in
// one go" from the task list and records both in one submit. The register holds each mandate once, each employee
// hears once, every copy of the grant tasks is final; a second tap of the same button changes nothing. The main
// user's first grant tasks show the Suomi.fi steps open; once they have recorded grants, the next one folds them.
func TestBatchGrantEndToEnd(t *testing.T) {
	h := newHarness(t, fastOutbox, withoutRateLimits)
	for _, u := range []string{elina, sami, oskar, leo, mikael} {
		h.say(u, "hei")
	}
	ids := map[string]int64{}
	for who, approver := range map[string]string{elina: sami, oskar: leo} {
		id := submitRequest(t, h, who, "palkkatietojen-ilmoittaminen")
		h.waitOutbox(t)
		if r := h.invoke(approver, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll", "reason": ""}); r.Type != "application/vnd.microsoft.card.adaptive" {
			t.Fatalf("approval of %d: %s %s", id, r.Type, r.Value)
		}
		h.waitOutbox(t)
		fileRequest(t, h, who, id)
		ids[who] = id
	}

	first := cardText(h.invoke(mikael, "grantOpen", map[string]any{"requestId": ids[elina]}).card(t))
	if !contains(first, `"verb":"grantDone"`) || contains(first, "Action.ToggleVisibility") {
		t.Fatalf("before any grant the task must show the steps open: %s", first)
	}

	list := h.invoke(mikael, "grantList", map[string]any{}).card(t)
	if !contains(cardText(list), `"verb":"grantBatch"`, `"path":"valtuuspyynto"`) {
		t.Fatalf("the task list does not offer to grant both in one go: %s", cardText(list))
	}
	batch := h.invoke(mikael, "grantBatch", tapData(t, list, "grantBatch")).card(t)
	if !contains(cardText(batch), "Elina Lindholm", "Oskar Berg", `"verb":"grantBatchDone"`) {
		t.Fatalf("batch card: %s", cardText(batch))
	}
	submit := tapData(t, batch, "grantBatchDone")
	done := h.invoke(mikael, "grantBatchDone", submit).card(t)
	if contains(cardText(done), `"color":"Attention"`) || contains(cardText(done), `"verb":"grantBatchDone"`) {
		t.Fatalf("after the submit: %s", cardText(done))
	}
	h.waitOutbox(t)

	register := func() map[string]int {
		out := map[string]int{}
		for who := range ids {
			ms, err := h.app.DB.Register.MandatesByHolder(t.Context(), who)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if m.GrantedBy != mikael || m.ThemeID != "tulorekisteri-palkkatiedot-ilmoittaminen" || m.GrantPath != domain.PathRequest {
					t.Errorf("mandate %+v", m)
				}
			}
			out[who] = len(ms)
		}
		return out
	}
	if got := register(); got[elina] != 1 || got[oskar] != 1 {
		t.Fatalf("register after the batch: %v, want one mandate each", got)
	}
	outbox := func() int {
		n := 0
		for _, id := range ids {
			msgs, err := h.app.DB.Outbox.ForRequest(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range msgs {
				if m.Kind == domain.MsgGrantedNotice {
					n++
				}
			}
		}
		return n
	}
	if n := outbox(); n != 2 {
		t.Fatalf("%d granted notices, want one per employee", n)
	}
	sentBefore := len(h.conn.Sent())

	// The second tap of the same button: the same data again, a new activity.
	again := h.invoke(mikael, "grantBatchDone", submit).card(t)
	if contains(cardText(again), `"color":"Attention"`) || !contains(cardText(again), "Elina Lindholm", "Oskar Berg") {
		t.Fatalf("second tap: %s", cardText(again))
	}
	h.waitOutbox(t)
	if got := register(); got[elina] != 1 || got[oskar] != 1 {
		t.Fatalf("register after the second tap: %v", got)
	}
	if n := outbox(); n != 2 || len(h.conn.Sent()) != sentBefore {
		t.Fatalf("the second tap sent messages: %d granted notices, %d posts (was %d)", n, len(h.conn.Sent()), sentBefore)
	}
	for _, id := range ids {
		audit, _ := h.app.DB.Register.AuditForRequest(t.Context(), id)
		granted := 0
		for _, a := range audit {
			if a.Action == "mandate.granted" {
				granted++
			}
		}
		if r, _ := h.app.DB.Register.Request(t.Context(), id); granted != 1 || r.State != domain.RequestCompleted {
			t.Fatalf("request %d: %d mandate.granted audit rows, state %s", id, granted, r.State)
		}
	}
	// Every copy of the grant tasks the main user got is final: no live buttons left.
	last := map[string]string{}
	for _, u := range h.conn.Updated() {
		last[u.ConversationID+"/"+u.ActivityID] = string(u.Raw)
	}
	for _, c := range sentTo(h.conn.Sent(), mikael) {
		raw := string(c.Raw)
		if u, ok := last[c.ConversationID+"/"+c.ActivityID]; ok {
			raw = u
		}
		if strings.Contains(raw, `"verb":"grantDone"`) {
			t.Fatalf("a grant task is still open in the main user's chat: %s", raw)
		}
	}

	// The next grant task, after these grants: the steps are folded behind "show the steps".
	next := submitRequest(t, h, elina, "kela-paivarahojen-hakeminen")
	h.waitOutbox(t)
	h.invoke(sami, "approvalDecide", map[string]any{"requestId": next, "decision": "approveAll", "reason": ""})
	h.waitOutbox(t)
	fileRequest(t, h, elina, next)
	task := cardText(h.invoke(mikael, "grantOpen", map[string]any{"requestId": next}).card(t))
	if !contains(task, `"verb":"grantDone"`, "Action.ToggleVisibility", `"isVisible":false`) {
		t.Fatalf("the grant task after the main user's first grants does not fold the steps: %s", task)
	}
}
