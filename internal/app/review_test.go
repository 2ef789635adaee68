package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakedrive"
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

// The review report as a file in Teams: before any campaign a main user is told there is none; after Mikael starts
// one, "vie katselmointiraportti csv" offers the newest campaign's report on a file consent card, and on Accept the
// file (one row per mandate reviewed, the unanswered one as such) is uploaded once and the export audited. An
// employee is refused.
func TestReviewReportFileInTeams(t *testing.T) {
	d := fakedrive.New(t)
	h := newHarness(t, fastOutbox, withoutRateLimits, withDrive(d))
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 3, 5*time.Second)
	grantUntil(t, h, domain.Today(h.clock.Now()).AddDays(300).String())

	before := len(h.conn.Sent())
	h.say(mikael, "vie katselmointiraportti")
	h.say(elina, "vie katselmointiraportti")
	if got := sentTexts(h.conn.Sent()[before:]); !contains(got, "Katselmointeja ei ole vielä tehty", "Vain pääkäyttäjä") {
		t.Fatalf("answers: %s", got)
	}
	h.say(mikael, "aloita katselmointi")
	if got := cardText(h.invoke(mikael, "reviewStart", map[string]any{"confirm": true}).card(t)); !contains(got, "reviewReport") {
		t.Fatalf("the start: %s", got)
	}
	h.waitOutbox(t)

	before = len(h.conn.Sent())
	h.say(mikael, "vie katselmointiraportti csv")
	got := h.conn.Sent()[before:]
	name, size, file := consentOffer(t, got)
	if !strings.HasPrefix(name, "katselmointiraportti-") || !strings.HasSuffix(name, ".csv") || size <= 0 ||
		!strings.Contains(got[0].Activity.Text, "1 valtuus") {
		t.Fatalf("offer: %q %d %q", name, size, got[0].Activity.Text)
	}
	up := d.NewUpload(name)
	for range 2 { // a double tap uploads once
		if status, _ := h.consent(t, mikael, "accept", file, up); status != http.StatusOK {
			t.Fatalf("accept: %d", status)
		}
	}
	u := d.Uploaded(up)
	if u.Puts != 1 || int64(len(u.Data)) != size {
		t.Fatalf("%d uploads of %d bytes (offered %d)", u.Puts, len(u.Data), size)
	}
	if data := string(u.Data); !contains(data, "Katselmointi;Katselmoija", "Elina Lindholm", "ei vastausta") {
		t.Fatalf("the report file:\n%s", data)
	}
	if n := auditActions(t, h)["review.exported"]; n != 1 {
		t.Fatalf("%d review.exported audit rows, want 1", n)
	}
}
