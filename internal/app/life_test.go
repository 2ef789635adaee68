package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// A joiner the bot has never heard from gets the welcome: the app is installed for them (and for the head of their
// department, who gets the notice), and the welcome arrives in their 1:1 chat in their language, opening the intake
// with the role profile of their job title.
func TestJoinerWelcomeReachesANewcomer(t *testing.T) {
	inst := &teamsInstaller{}
	h := newHarness(t, fastOutbox, func(_ map[string]string, o *app.Options) { o.Installer = inst })
	inst.h = h
	ctx := context.Background()
	now := h.clock.Now()
	ev := domain.DirectoryEvent{Kind: domain.Joiner, PersonID: oskar, EffectiveOn: now, DetectedAt: now,
		After: &domain.DirectoryPerson{User: domain.User{ID: oskar, DisplayName: "Oskar Berg", Department: "Sivistyspalvelut",
			JobTitle: "Koulusihteeri", AccountEnabled: true}}}
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
	inst.mu.Lock()
	calls := strings.Join(inst.calls, ",")
	inst.mu.Unlock()
	if !strings.Contains(calls, oskar) || !strings.Contains(calls, leo) {
		t.Errorf("installs %s, want the newcomer and his department head", calls)
	}
	// The joiner's welcome is the one card he gets: it opens the intake with his role, and the install it caused
	// does not add the bot's generic welcome (his department head, greeted on no one's behalf, gets that).
	var welcomes int
	if n := len(sentTo(h.conn.Sent(), oskar)); n != 1 {
		t.Errorf("%d messages reached the newcomer, want the joiner welcome only", n)
	}
	for _, c := range sentTo(h.conn.Sent(), oskar) {
		m := card(t, c)
		if contains(cardText(m), `"roleId":"koulusihteeri"`) {
			welcomes++
			if m["lang"] != "sv" || !contains(cardText(m), "Välkommen till Borgå stad!", "intakeOpen") {
				t.Errorf("welcome: %s", cardText(m))
			}
		}
	}
	if welcomes != 1 {
		t.Errorf("%d joiner welcomes reached the newcomer", welcomes)
	}
	var notices int
	for _, c := range sentTo(h.conn.Sent(), leo) {
		if contains(cardText(card(t, c)), "Oskar Berg", "Koulusihteeri") {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("%d notices reached the department head", notices)
	}
}
