package app_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/alerts"
	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
)

// fastAlerts makes the alert scheduler look for due alerts every few milliseconds.
func fastAlerts(_ map[string]string, o *app.Options) { o.AlertInterval = 20 * time.Millisecond }

// lastCopy is each card's text as its last update left it, by conversation and activity.
func lastCopy(calls []fakeconnector.Call) map[string]string {
	out := map[string]string{}
	for _, u := range calls {
		out[u.ConversationID+"/"+u.ActivityID] = string(u.Raw)
	}
	return out
}

// Approvals that wait, end to end over HTTP, the outbox, the scheduler and the fake Bot Connector: Sami is away and
// names Helena from the chat; Elina's waiting request moves to Helena, whose approval card says whom she decides
// for, Sami's copy says who decides now, Elina is told; Helena approves. Oskar's request, whose escalation falls
// due, moves from Leo to the main user through the running scheduler, and all three hear of it.
func TestApprovalsThatWaitEndToEnd(t *testing.T) {
	h := newHarness(t, fastOutbox, fastAlerts)
	for _, u := range []string{elina, sami, helena, mikael, oskar, leo} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 6, 5*time.Second)
	ctx := context.Background()

	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	samiCard := sentTo(h.conn.Sent(), sami)[1]

	// "poissa" in Sami's chat: the card with the colleagues he may name.
	before, all := len(sentTo(h.conn.Sent(), sami)), len(h.conn.Sent())
	h.say(sami, "poissa 25.–27.11.")
	reply := sentTo(h.conn.WaitForSent(t, all+1, 5*time.Second), sami)
	if len(reply) != before+1 || !contains(cardText(card(t, reply[len(reply)-1])), "delegationSet", "Helena Åberg", `"value":"2026-11-27"`) {
		t.Fatalf("absence card: %s", reply[len(reply)-1].Raw)
	}
	saved := h.invoke(sami, "delegationSet", map[string]any{"delegate": helena, "validFrom": "2026-11-25", "validUntil": "2026-11-27"}).card(t)
	if !contains(cardText(saved), "Tallennettu: Helena Åberg päättää sijaisenasi", "1 avoin pyyntö siirtyi hänelle.") {
		t.Fatalf("saved: %s", cardText(saved))
	}
	h.waitOutbox(t)
	r, _ := h.app.DB.Register.Request(ctx, id)
	if r.ApproverID != helena || r.Reassigned.Reason != domain.ReassignDelegated {
		t.Fatalf("request after the delegation: %s %+v", r.ApproverID, r.Reassigned)
	}
	toHelena := sentTo(h.conn.Sent(), helena)
	approval := cardText(card(t, toHelena[len(toHelena)-1]))
	if !contains(approval, "Sami Virtanen on poissa; päättää sijaisena: Helena Åberg.", "approvalOpen") {
		t.Fatalf("Helena's approval card: %s", approval)
	}
	toElina := sentTo(h.conn.Sent(), elina)
	if !contains(string(toElina[len(toElina)-1].Raw), "Sami Virtanen on poissa, joten pyyntösi päättää hänen sijaisenaan Helena Åberg.") {
		t.Fatalf("Elina was not told: %s", toElina[len(toElina)-1].Raw)
	}
	samiCopy := lastCopy(h.conn.Updated())["a:personal-"+sami+"/"+samiCard.ActivityID]
	if !contains(samiCopy, "Pyynnön päättää nyt Helena Åberg.") || contains(samiCopy, "approvalOpen") || contains(samiCopy, `"refresh"`) {
		t.Fatalf("Sami's copy after the move: %s", samiCopy)
	}
	if r := h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll"}); r.Type != "application/vnd.microsoft.error" {
		t.Fatalf("Sami decided while away: %s %s", r.Type, r.Value)
	}
	final := h.invoke(helena, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll", "reason": ""}).card(t)
	if contains(cardText(final), "approvalDecide") {
		t.Fatalf("Helena's decision: %s", cardText(final))
	}
	h.waitOutbox(t)
	if r, _ := h.app.DB.Register.Request(ctx, id); r.State != domain.RequestApproved || r.DecidedBy != helena {
		t.Fatalf("after Helena's decision: %s by %s", r.State, r.DecidedBy)
	}

	// Oskar's request waits for Leo (head of Sivistyspalvelut); its escalation falls due now (the running clock
	// cannot wait seven working days, so the job the planner made for day seven gets a twin due today).
	oid := submitRequest(t, h, oskar, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	leoCard := sentTo(h.conn.Sent(), leo)[1]
	filed, _ := h.app.DB.Register.Request(ctx, oid)
	payload, _ := json.Marshal(map[string]any{"request": oid, "approver": leo, "since": filed.CreatedAt})
	if _, err := h.app.DB.Jobs.Schedule(ctx, domain.Job{Kind: alerts.KindApprovalEscalation,
		Key: alerts.KindApprovalEscalation + "/" + alerts.RequestSubject(oid) + "/due-now", Payload: payload, DueAt: h.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if r, _ := h.app.DB.Register.Request(ctx, oid); r.ApproverID == mikael {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the scheduler did not escalate the request")
		}
		time.Sleep(10 * time.Millisecond)
	}
	h.waitOutbox(t)
	toMikael := sentTo(h.conn.Sent(), mikael)
	if !contains(cardText(card(t, toMikael[len(toMikael)-1])), "Pyyntö on siirretty: Leo Sundqvist ei ehtinyt päättää sitä määräajassa.") {
		t.Fatalf("Mikael's approval card: %s", toMikael[len(toMikael)-1].Raw)
	}
	toLeo := sentTo(h.conn.Sent(), leo)
	if !contains(string(toLeo[len(toLeo)-1].Raw), "Pyyntö VB-2026-", "siirtyi toiselle hyväksyjälle", "Mikael Nordström") {
		t.Fatalf("Leo was not told: %s", toLeo[len(toLeo)-1].Raw)
	}
	toOskar := sentTo(h.conn.Sent(), oskar)
	if !contains(string(toOskar[len(toOskar)-1].Raw), "Nyt sen päättää Mikael Nordström.") {
		t.Fatalf("Oskar was not told: %s", toOskar[len(toOskar)-1].Raw)
	}
	if leoCopy := lastCopy(h.conn.Updated())["a:personal-"+leo+"/"+leoCard.ActivityID]; !contains(leoCopy, "Pyynnön päättää nyt Mikael Nordström.") ||
		strings.Contains(leoCopy, "approvalOpen") {
		t.Fatalf("Leo's copy: %s", leoCopy)
	}
	audit, _ := h.app.DB.Register.AuditForRequest(ctx, oid)
	if last := audit[len(audit)-1]; last.Action != "request.escalated" || last.ActorID != domain.SystemActor {
		t.Fatalf("audit %s by %s", last.Action, last.ActorID)
	}
}
