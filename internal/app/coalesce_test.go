package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/sqlstore/sqltest"
	"github.com/valtuusbotti/valtuusbotti/internal/state/statetest"
)

// A burst of grant tasks reaches a main user as one card and one list updated in place, not a card per task: the
// first task arrives as its own card, the next one posts the list of open tasks, and the ones after it update
// that list, which always shows every open task.
func TestManyGrantTasksBecomeOneUpdatedList(t *testing.T) {
	t.Run("sqlite, memory", func(t *testing.T) { manyGrantTasks(t, newHarness(t, fastOutbox)) })
	t.Run("postgres, redis", func(t *testing.T) {
		client, _ := statetest.RealRedis(t)
		opts := client.Options()
		manyGrantTasks(t, newHarness(t, fastOutbox, withEnv("VALTUUS_DATABASE_URL", sqltest.PostgresDSN(t)),
			withEnv("VALTUUS_REDIS_URL", fmt.Sprintf("redis://%s/%d", opts.Addr, opts.DB))))
	})
}

func manyGrantTasks(t *testing.T, h *harness) {
	for _, u := range []string{elina, sami, mikael} {
		h.say(u, "hei")
	}
	h.conn.WaitForSent(t, 3, 5*time.Second)
	var ids []int64
	for _, task := range []string{"palkkatietojen-ilmoittaminen", "palkkatietojen-tarkistus", "palkkatietojen-tulosteet",
		"kela-paivarahojen-hakeminen"} {
		id := submitRequest(t, h, elina, task)
		h.waitOutbox(t)
		if r := h.invoke(sami, "approvalDecide", map[string]any{"requestId": id, "decision": "approveAll", "reason": ""}); r.Type != "application/vnd.microsoft.card.adaptive" {
			t.Fatalf("approve: %s %s", r.Type, r.Value)
		}
		h.waitOutbox(t)
		fileRequest(t, h, elina, id)
		ids = append(ids, id)
	}
	toMikael := sentTo(h.conn.Sent(), mikael)
	if len(toMikael) != 3 { // welcome, the first task's card, the list
		t.Fatalf("%d messages to the main user, want 3", len(toMikael))
	}
	first, list := cardText(card(t, toMikael[1])), cardText(card(t, toMikael[2]))
	if !contains(first, "grantDone", fmt.Sprint(`"requestId":`, ids[0])) {
		t.Fatalf("first task card: %s", first)
	}
	if !contains(list, "Uusia myöntötehtäviä tuli useita", "grantOpen") {
		t.Fatalf("task list: %s", list)
	}
	var updates []string
	for _, u := range h.conn.Updated() {
		if u.ActivityID == toMikael[2].ActivityID {
			updates = append(updates, string(u.Raw))
		}
	}
	if len(updates) != 2 { // the third and the fourth task
		t.Fatalf("the list was updated %d times, want 2", len(updates))
	}
	last := updates[len(updates)-1]
	for _, id := range ids {
		if !strings.Contains(last, fmt.Sprint(`"requestId":`, id)) {
			t.Fatalf("the updated list lacks request %d: %s", id, last)
		}
	}
}
