package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
)

const digitukiChannel = "19:porvoo-digituki@thread.tacv2" // organisation.yaml

// inChannel turns an activity into one from the digituki channel (conv: the channel, or a thread in it).
func inChannel(act map[string]any, conv string) map[string]any {
	act["conversation"] = map[string]any{"id": conv, "conversationType": "channel", "isGroup": true, "tenantId": tenant}
	act["channelData"] = map[string]any{"tenant": map[string]any{"id": tenant}, "channel": map[string]any{"id": digitukiChannel},
		"team": map[string]any{"id": digitukiChannel}}
	return act
}

// channelInvoke taps a button of a card in the channel.
func (h *harness) channelInvoke(user, conv, verb string, data map[string]any) invokeResponse {
	h.t.Helper()
	act := inChannel(h.activity("invoke", user, "fi-FI", ""), conv)
	act["name"] = "adaptiveCard/action"
	act["value"] = map[string]any{"action": map[string]any{"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"}
	var r invokeResponse
	if err := json.Unmarshal(h.send(act), &r); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// actionData finds the data of the first action with verb in a card.
func actionData(t testing.TB, card map[string]any, verb string) map[string]any {
	t.Helper()
	var found map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if x["verb"] == verb && found == nil {
				found, _ = x["data"].(map[string]any)
				if found == nil {
					found = map[string]any{}
				}
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
	if found == nil {
		t.Fatalf("no %s action in %s", verb, cardText(card))
	}
	return found
}

// texts are the plain texts posted to a conversation (and thread), in order.
func texts(calls []fakeconnector.Call, conv, root string) []string {
	var out []string
	for _, c := range calls {
		if c.ConversationID == conv && c.RootMessageID == root && c.Activity.Text != "" && len(c.Activity.Attachments) == 0 {
			out = append(out, c.Activity.Text)
		}
	}
	return out
}

// The whole hand-off over HTTP: a question the FAQ cannot answer goes to the digituki channel; two supporters take
// it at once and one wins; the employee's messages and the taker's replies are relayed each exactly once, in order;
// a henkilötunnus is refused and never relayed; the taker closes with a proposed answer, a main user approves it,
// and the next employee asking the same in other words gets that answer.
func TestHandoffEndToEnd(t *testing.T) {
	h := newHarness(t, fastOutbox)
	ctx := context.Background()
	for _, u := range []string{elina, dina, mikael, oskar} {
		h.say(u, "hei")
	}
	// The bot is installed in the digituki team: it learns how to post to the channel.
	install := inChannel(h.activity("installationUpdate", dina, "fi-FI", ""), digitukiChannel)
	install["action"] = "add"
	h.send(install)
	h.waitOutbox(t)
	before := len(h.conn.Sent())

	// A question the FAQ has no answer to.
	h.send(h.activity("message", elina, "fi-FI", "Miten saan kaupungin auton avaimet?"))
	reply := card(t, h.conn.WaitForSent(t, before+1, 5*time.Second)[before])
	ask := actionData(t, reply, "askPerson")
	if !contains(cardText(reply), "Kysy ihmiseltä") || contains(cardText(reply), "faqFeedback") {
		t.Fatalf("no-answer card %s", cardText(reply))
	}
	confirm := h.invoke(elina, "askPerson", ask).card(t)
	if !contains(cardText(confirm), "handoffStart", "auton avaimet") {
		t.Fatalf("confirmation %s", cardText(confirm))
	}
	started := h.invoke(elina, "handoffStart", map[string]any{"askId": ask["askId"], "question": "Miten saan kaupungin auton avaimet?"}).card(t)
	if !contains(cardText(started), "handoffCancel") {
		t.Fatalf("started %s", cardText(started))
	}
	// Before anyone takes it, the employee adds detail: it goes into the thread once the card is there.
	h.say(elina, "Tarvitsen ne huomenna aamulla.")
	h.waitOutbox(t)

	var thread fakeconnector.Call
	for _, c := range h.conn.Created() {
		if c.Params != nil && c.Params.IsGroup {
			thread = c
		}
	}
	if thread.ConversationID == "" {
		t.Fatalf("no channel thread created: %s", h.conn)
	}
	chCard := card(t, thread)
	if !contains(cardText(chCard), "Elina Lindholm", "Talous- ja henkilöstöpalvelut", "handoffTake", "auton avaimet") {
		t.Fatalf("channel card %s", cardText(chCard))
	}
	threadConv := thread.ConversationID + ";messageid=" + thread.ActivityID
	hid := actionData(t, chCard, "handoffTake")["handoffId"]

	// Dina and Mikael take it at once: one wins, the other sees who did.
	var wg sync.WaitGroup
	got := map[string]string{}
	var mu sync.Mutex
	for _, who := range []string{dina, mikael} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := h.channelInvoke(who, threadConv, "handoffTake", map[string]any{"handoffId": hid})
			mu.Lock()
			got[who] = string(r.Value)
			mu.Unlock()
		}()
	}
	wg.Wait()
	hd, err := h.app.DB.Support().Handoff(ctx, int64(hid.(float64)))
	if err != nil || hd.State != domain.HandoffTaken {
		t.Fatalf("after the takes %+v %v", hd, err)
	}
	taker, other := dina, mikael
	if hd.TakenBy == mikael {
		taker, other = mikael, dina
	}
	if !strings.Contains(got[other], "ehti ottaa kysymyksen ensin") || strings.Contains(got[taker], "ehti ottaa") {
		t.Fatalf("take answers: winner %s, other %s", got[taker], got[other])
	}
	h.waitOutbox(t)
	notices := sentTo(h.conn.Sent(), elina)
	if !contains(cardText(card(t, notices[len(notices)-1])), hd.TakenByName, "auttaa sinua") {
		t.Fatalf("the employee was not told who helps: %s", notices[len(notices)-1].Raw)
	}

	// Both ways, in order: the employee's messages into the thread, the taker's replies to the employee; a
	// colleague's remark in the thread stays there; a henkilötunnus is refused on both sides.
	h.say(elina, "Olen talolla yhdeksältä.")
	h.say(elina, "Hetuni on 131052-308T")
	for _, text := range []string{"<at>Valtuusbotti</at> Avaimet saa tilapalveluista.", "Varaa auto ensin varauskalenterista."} {
		h.send(inChannel(h.activity("message", taker, "fi-FI", text), threadConv))
	}
	h.send(inChannel(h.activity("message", other, "fi-FI", "Hyvä vastaus!"), threadConv))
	h.send(inChannel(h.activity("message", taker, "fi-FI", "Tarkistin: 131052-308T"), threadConv))
	h.waitOutbox(t)
	var inThread []string
	refused := 0
	for _, text := range texts(h.conn.Sent(), thread.ConversationID, thread.ActivityID) {
		switch {
		case strings.HasPrefix(text, "Elina Lindholm: "):
			inThread = append(inThread, text)
		case strings.Contains(text, "henkilötunnuksen"):
			refused++ // the bot tells the taker, in the thread, that their message was not relayed
		}
	}
	if refused != 1 {
		t.Errorf("%d refusals in the thread, want 1", refused)
	}
	wantThread := []string{"Elina Lindholm: Tarvitsen ne huomenna aamulla.", "Elina Lindholm: Olen talolla yhdeksältä."}
	if strings.Join(inThread, "|") != strings.Join(wantThread, "|") {
		t.Fatalf("relayed into the thread %q, want %q", inThread, wantThread)
	}
	var toElina []string
	for _, c := range sentTo(h.conn.Sent(), elina) {
		if strings.HasPrefix(c.Activity.Text, hd.TakenByName+":") {
			toElina = append(toElina, c.Activity.Text)
		}
	}
	wantElina := []string{hd.TakenByName + ": Avaimet saa tilapalveluista.", hd.TakenByName + ": Varaa auto ensin varauskalenterista."}
	if strings.Join(toElina, "|") != strings.Join(wantElina, "|") {
		t.Fatalf("relayed to the employee %q, want %q", toElina, wantElina)
	}
	if strings.Contains(h.logs.String(), "131052-308T") || strings.Contains(h.conn.String()+strings.Join(inThread, ""), "131052-308T") {
		t.Fatal("an identity code was relayed or logged")
	}
	msgs, _ := h.app.DB.Support().HandoffMessages(ctx, hd.ID)
	for _, m := range msgs {
		if strings.Contains(m.Text, "131052") {
			t.Fatal("an identity code was stored")
		}
	}

	// The taker closes with a resolution and proposes an answer; Mikael (a main user) gets it for review.
	closed := h.channelInvoke(taker, threadConv, "handoffClose", map[string]any{"handoffId": hid,
		"resolution": "Neuvottu hakemaan avaimet tilapalveluista.", "proposalQuestion": "Mistä saan kaupungin auton avaimet?",
		"proposalAnswer": "Kaupungin autojen avaimet saa tilapalveluista, kun auto on varattu varauskalenterista.", "proposalLang": "fi"})
	if !contains(string(closed.Value), "Neuvottu hakemaan") || contains(string(closed.Value), "handoffClose") {
		t.Fatalf("closed card %s", closed.Value)
	}
	h.waitOutbox(t)
	var review map[string]any
	for _, c := range sentTo(h.conn.Sent(), mikael) {
		if len(c.Activity.Attachments) == 1 && strings.Contains(string(c.Raw), "proposalDecide") {
			review = card(t, c)
		}
	}
	if review == nil {
		t.Fatal("the main user got no proposal to review")
	}
	pid := actionData(t, review, "proposalDecide")["proposalId"]
	approved := h.invoke(mikael, "proposalDecide", map[string]any{"proposalId": pid, "approve": true,
		"faq_q_fi": "Mistä saan kaupungin auton avaimet?",
		"faq_a_fi": "Kaupungin autojen avaimet saa tilapalveluista, kun auto on varattu varauskalenterista.",
		"faq_q_sv": "", "faq_a_sv": "", "faq_q_en": "", "faq_a_en": ""}).card(t)
	if !contains(cardText(approved), "hyväksytty") {
		t.Fatalf("approval %s", cardText(approved))
	}
	audit, _ := h.app.DB.Support().HandoffAudit(ctx, hd.ID)
	var steps []string
	for _, e := range audit {
		steps = append(steps, e.Action)
	}
	if strings.Join(steps, ",") != "handoff.created,handoff.taken,handoff.closed,faq.proposed,faq.approved" {
		t.Fatalf("audit %v", steps)
	}

	// The next employee asks the same in other words and gets the approved answer.
	n := len(h.conn.Sent())
	h.send(h.activity("message", oskar, "fi-FI", "mistä kaupungin autojen avaimet saa"))
	answer := card(t, h.conn.WaitForSent(t, n+1, 5*time.Second)[n])
	if !contains(cardText(answer), "tilapalveluista", "faqFeedback") {
		t.Fatalf("the approved answer was not given: %s", cardText(answer))
	}
}
