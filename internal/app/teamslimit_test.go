package app_test

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/app"
	"github.com/valtuusbotti/valtuusbotti/internal/state/statetest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeidp"
)

// Twice Teams' tenant budget offered in one instant, with the budget kept in the real Redis: every turn is answered
// 200 at once, half the replies go out during their turn and the other half through the outbox once the next
// second's slots are free, and every reply reaches its conversation exactly once.
func TestTwiceTheTenantBudget(t *testing.T) {
	statetest.RealRedis(t) // skips, or fails under VALTUUS_REQUIRE_SERVICES=1, without a real Redis
	const budget = 5
	limits := clock.NewManual(clock.Start) // the connector's limits see one instant until the test moves it
	h := newHarness(t, fastOutbox,
		withEnv("VALTUUS_REDIS_URL", os.Getenv(statetest.EnvRedisURL)),
		withEnv("VALTUUS_TEAMS_TENANT_RPS", fmt.Sprint(budget)),
		func(_ map[string]string, o *app.Options) { o.Connector.Now = limits.Now })

	people := make([]string, 2*budget)
	for i := range people {
		people[i] = fmt.Sprintf("0f0f0f0f-0000-4000-8000-%012d", i+1) // never seen before
	}
	statuses := make([]int, len(people))
	var wg sync.WaitGroup
	for i, p := range people {
		wg.Go(func() {
			statuses[i], _ = h.post(h.activity("message", p, "fi-FI", "hei"), h.token(fakeidp.TokenOptions{}))
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusOK {
			t.Errorf("turn %d answered %d, want 200", i, s)
		}
	}
	if n := len(h.conn.Sent()); n != budget {
		t.Fatalf("%d replies sent during the turns, want the budget of %d", n, budget)
	}
	if q := scrape(t, h, "valtuusbotti_replies_queued_total"); q != budget {
		t.Errorf("%v replies queued, want %d", q, budget)
	}

	limits.Advance(time.Second) // the next second's budget
	h.waitOutbox(t)
	sent := h.conn.Sent()
	per := map[string]int{}
	for _, c := range sent {
		per[c.ConversationID]++
	}
	for _, p := range people {
		if n := per["a:personal-"+p]; n != 1 {
			t.Errorf("%s got %d replies, want exactly 1", p, n)
		}
	}
	if len(sent) != len(people) {
		t.Errorf("%d replies in all, want %d", len(sent), len(people))
	}
}

// Two replicas on one Redis spend one tenant budget: offered the budget each in the same instant, together they send
// only the budget during the turns and hand the rest to their outboxes, and every reply still arrives once.
func TestReplicasShareTheTenantBudget(t *testing.T) {
	statetest.RealRedis(t)
	const budget = 4
	limits := clock.NewManual(clock.Start)
	prefix := fmt.Sprintf("valtuusbotti-test-replicas-%d:", time.Now().UnixNano())
	replica := func() *harness {
		return newHarness(t, fastOutbox,
			withEnv("VALTUUS_REDIS_URL", os.Getenv(statetest.EnvRedisURL)),
			withEnv("VALTUUS_REDIS_PREFIX", prefix), // one deployment: the same keys
			withEnv("VALTUUS_TEAMS_TENANT_RPS", fmt.Sprint(budget)),
			func(_ map[string]string, o *app.Options) { o.Connector.Now = limits.Now })
	}
	replicas := []*harness{replica(), replica()}

	var wg sync.WaitGroup
	var mu sync.Mutex
	bad := 0
	for r, h := range replicas {
		for i := range budget {
			person := fmt.Sprintf("0e0e0e0e-0000-4000-8000-%06d%06d", r+1, i+1)
			act := h.activity("message", person, "fi-FI", "hei")
			auth := h.token(fakeidp.TokenOptions{})
			wg.Go(func() {
				if status, _ := h.post(act, auth); status != http.StatusOK {
					mu.Lock()
					bad++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	if bad > 0 {
		t.Fatalf("%d turns not answered 200", bad)
	}
	during := len(replicas[0].conn.Sent()) + len(replicas[1].conn.Sent())
	if during != budget {
		t.Fatalf("the two replicas sent %d replies during the turns, want one budget of %d between them", during, budget)
	}
	limits.Advance(time.Second)
	for _, h := range replicas {
		h.waitOutbox(t)
	}
	for _, h := range replicas {
		per := map[string]int{}
		for _, c := range h.conn.Sent() {
			per[c.ConversationID]++
		}
		if len(per) != budget {
			t.Errorf("a replica's replies reached %d conversations, want %d", len(per), budget)
		}
		for conv, n := range per {
			if n != 1 {
				t.Errorf("%s got %d replies, want 1", conv, n)
			}
		}
	}
}
