package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// grantUntil takes Elina's request through Sami's approval, her valtuuspyyntö and Mikael's grant, valid until until
// (YYYY-MM-DD), and returns the mandate.
func grantUntil(t *testing.T, h *harness, until string) domain.Mandate {
	t.Helper()
	id := submitRequest(t, h, elina, "palkkatietojen-ilmoittaminen")
	h.waitOutbox(t)
	h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll", "reason": ""})
	h.waitOutbox(t)
	fileRequest(t, h, elina, id)
	today := domain.Today(h.clock.Now()).String()
	if g := h.invoke(mikael, "grantDone", map[string]any{"requestId": id, "validFrom": today, "validUntil": until}).card(t); contains(cardText(g), "grantDone") {
		t.Fatalf("grant: %s", cardText(g))
	}
	h.waitOutbox(t)
	ms, err := h.app.DB.Register.MandatesByHolder(context.Background(), elina)
	if err != nil || len(ms) != 1 {
		t.Fatalf("mandates %+v %v", ms, err)
	}
	return ms[0]
}

// lastCard is the card last posted into a person's chat.
func lastCard(t *testing.T, h *harness, user string) string {
	t.Helper()
	sent := sentTo(h.conn.Sent(), user)
	if len(sent) == 0 {
		t.Fatalf("nothing was sent to %s", user)
	}
	return cardText(card(t, sent[len(sent)-1]))
}

// The whole life of a mandate through the running service: a mandate ending in a week gets its 7-day notice from the
// scheduler to Elina and her supervisor Sami; Elina's Renew files a renewal that reaches Sami for approval; Mikael
// finds the mandate on the city's mandate list, opens an invalidation task, gets it in his chat, confirms it, and
// Elina is told.
func TestMandateLifeEndToEnd(t *testing.T) {
	h := newHarness(t, fastOutbox)
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 3, 5*time.Second)
	ctx := context.Background()
	end := domain.Today(h.clock.Now()).AddDays(7) // the 7-day notice falls due today, in working hours
	m := grantUntil(t, h, end.String())

	if _, err := h.app.Scheduler.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitOutbox(t)
	for _, u := range []string{elina, sami} {
		c := lastCard(t, h, u)
		if !contains(c, "mandateRenew", "mandateLapse", `"mandateId":`) {
			t.Fatalf("expiry notice to %s: %s", u, c)
		}
	}
	// A second pass sends nothing more.
	before := len(h.conn.Sent())
	if _, err := h.app.Scheduler.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitOutbox(t)
	if n := len(h.conn.Sent()); n != before {
		t.Fatalf("%d more messages after a second pass", n-before)
	}

	// Elina renews: her card becomes the renewal's status card, and Sami gets the approval card saying it renews.
	st := h.invoke(elina, "mandateRenew", map[string]any{"mandateId": m.ID}).card(t)
	renewal := requestIDOf(t, st)
	h.waitOutbox(t)
	if ac := lastCard(t, h, sami); !contains(ac, "approvalOpen") || !strings.Contains(ac, "Jatkopyyntö") {
		t.Fatalf("Sami's approval card: %s", ac)
	}
	r, err := h.app.DB.Register.Request(ctx, renewal)
	if err != nil || r.RenewsMandateID != m.ID || domain.DateOf(r.ValidFrom) != end {
		t.Fatalf("renewal %+v %v", r, err)
	}

	// Mikael's list, the form, the task, and Invalidated.
	n := len(h.conn.Sent())
	h.send(h.activity("message", mikael, "fi-FI", "valtuusluettelo"))
	if list := h.conn.WaitForSent(t, n+1, 5*time.Second); !strings.Contains(string(list[len(list)-1].Raw), "invalidationOpen") {
		t.Fatalf("the list: %s", list[len(list)-1].Raw)
	}
	form := h.invoke(mikael, "invalidationOpen", map[string]any{"mandateId": m.ID}).card(t)
	if !contains(cardText(form), "invalidationRequest", `"id":"reason"`) {
		t.Fatalf("form: %s", cardText(form))
	}
	task := h.invoke(mikael, "invalidationRequest", map[string]any{"mandateId": m.ID, "reason": "Siirtyy toiseen yksikköön"}).card(t)
	if !contains(cardText(task), "invalidationDone", "Mitätöi") {
		t.Fatalf("task: %s", cardText(task))
	}
	h.waitOutbox(t)
	if c := lastCard(t, h, mikael); !contains(c, "invalidationDone", "Annetut valtuudet") {
		t.Fatalf("the task in Mikael's chat: %s", c)
	}
	done := h.invoke(mikael, "invalidationDone", map[string]any{"mandateId": m.ID, "invalidatedOn": domain.Today(h.clock.Now()).String()}).card(t)
	if contains(cardText(done), "invalidationDone") {
		t.Fatalf("confirmed task still asks: %s", cardText(done))
	}
	h.waitOutbox(t)
	if c := lastCard(t, h, elina); !contains(c, "mitätöity") {
		t.Fatalf("Elina's notice: %s", c)
	}
	if got, _ := h.app.DB.Register.Mandate(ctx, m.ID); got.State != domain.MandateRevoked {
		t.Fatalf("mandate %+v", got)
	}
}
