package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Reviews through the running service: a mover event (Elina's new job title, under Sami) reaches Sami as one
// review card; his "invalidate" becomes Mikael's invalidation task card; Mikael starts a campaign (confirmed first),
// Sami gets the campaign's card, and the report opens for Mikael.
func TestReviewEndToEnd(t *testing.T) {
	h := newHarness(t, fastOutbox)
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 3, 5*time.Second)
	ctx := context.Background()
	m := grantUntil(t, h, domain.Today(h.clock.Now()).AddDays(300).String())

	now := h.clock.Now()
	ev := domain.DirectoryEvent{Kind: domain.Mover, PersonID: elina, EffectiveOn: now, DetectedAt: now, Fingerprint: "title",
		Before: &domain.DirectoryPerson{User: domain.User{ID: elina, DisplayName: "Elina Lindholm", JobTitle: "Palkkasihteeri",
			Department: "Talous- ja henkilöstöpalvelut", AccountEnabled: true}, ManagerID: sami},
		After: &domain.DirectoryPerson{User: domain.User{ID: elina, DisplayName: "Elina Lindholm", JobTitle: "Palkanlaskija",
			Department: "Talous- ja henkilöstöpalvelut", AccountEnabled: true}, ManagerID: sami}}
	job, err := ev.Job(now)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.app.DB.Jobs.Schedule(ctx, job); err != nil {
		t.Fatal(err)
	}
	if _, err := h.app.Scheduler.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	h.waitOutbox(t)
	rc := lastCard(t, h, sami)
	if !contains(rc, "reviewSubmit", "Palkanlaskija", "Palkkasihteeri") {
		t.Fatalf("Sami's review card: %s", rc)
	}
	rv, err := h.app.DB.Register.Review(ctx, 1)
	if err != nil || len(rv.Items) != 1 || rv.Items[0].MandateID != m.ID {
		t.Fatalf("review %+v %v", rv, err)
	}
	item := fmt.Sprint("review_", rv.Items[0].ID)
	if got := cardText(h.invoke(sami, "reviewSubmit", map[string]any{"reviewId": rv.ID, item: "invalidate"}).card(t)); contains(got, "reviewSubmit") {
		t.Fatalf("after the submit the card still takes decisions: %s", got)
	}
	h.waitOutbox(t)
	if task := lastCard(t, h, mikael); !contains(task, "invalidationDone", `"mandateId":`) {
		t.Fatalf("Mikael's invalidation task: %s", task)
	}

	h.say(mikael, "aloita katselmointi")
	h.waitOutbox(t)
	if c := lastCard(t, h, mikael); !contains(c, "reviewStart", `"confirm":true`) {
		t.Fatalf("the confirmation: %s", c)
	}
	if got := cardText(h.invoke(mikael, "reviewStart", map[string]any{"confirm": true}).card(t)); !contains(got, "reviewReport") {
		t.Fatalf("the start: %s", got)
	}
	h.waitOutbox(t)
	if c := lastCard(t, h, sami); !contains(c, "reviewSubmit", "Elina Lindholm") {
		t.Fatalf("Sami's campaign card: %s", c)
	}
	if got := cardText(h.invoke(mikael, "reviewReport", map[string]any{}).card(t)); !contains(got, "Katselmoinnin raportti") {
		t.Fatalf("the report: %s", got)
	}
}
