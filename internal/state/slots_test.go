package state_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

var slotsT0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// teamsConversation is Teams' per-conversation limits.
var teamsConversation = []state.Window{{Limit: 7, Per: time.Second}, {Limit: 8, Per: 2 * time.Second},
	{Limit: 60, Per: 30 * time.Second}, {Limit: 1800, Per: time.Hour}}

// forEachSlots runs fn on MemorySlots, and on RedisSlots over miniredis and the real server. newSlots returns
// another handle on the same logs: for Redis another replica's, for memory the same store.
func forEachSlots(t *testing.T, fn func(t *testing.T, newSlots func() state.Slots)) {
	t.Run("memory", func(t *testing.T) {
		m := state.NewMemorySlots()
		fn(t, func() state.Slots { return m })
	})
	forEachServer(t, func(t *testing.T, srv redisServer) {
		r := state.NewRedis(srv.client, srv.prefix+"slots:"+t.Name()+":")
		fn(t, func() state.Slots { return r.Slots() })
	})
}

func book(t *testing.T, s state.Slots, logs []state.SlotLog, now time.Time, ahead time.Duration) state.Booking {
	t.Helper()
	b, err := s.Book(t.Context(), logs, now, ahead)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSlotsConversationWindows(t *testing.T) {
	forEachSlots(t, func(t *testing.T, newSlots func() state.Slots) {
		s := newSlots()
		logs := []state.SlotLog{{Key: "conv:a", Windows: teamsConversation}}
		var got []time.Duration
		for range 10 {
			b := book(t, s, logs, slotsT0, time.Hour)
			if !b.OK {
				t.Fatalf("booking within an hour refused: %+v", b)
			}
			got = append(got, b.At.Sub(slotsT0))
		}
		want := []time.Duration{0, 0, 0, 0, 0, 0, 0, time.Second, 2 * time.Second, 2 * time.Second}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("slots = %v, want %v", got, want)
		}
		if b := book(t, s, []state.SlotLog{{Key: "conv:b", Windows: teamsConversation}}, slotsT0, 0); !b.OK || !b.At.Equal(slotsT0) {
			t.Errorf("another conversation = %+v, want a slot now", b)
		}
	})
}

// A booking that would have to wait longer than the caller may books nothing, so it does not push back anyone.
func TestSlotsAheadRefusesWithoutBooking(t *testing.T) {
	forEachSlots(t, func(t *testing.T, newSlots func() state.Slots) {
		s := newSlots()
		logs := []state.SlotLog{{Key: "tenant", Windows: []state.Window{{Limit: 2, Per: time.Second}}}}
		for range 2 {
			if b := book(t, s, logs, slotsT0, 0); !b.OK {
				t.Fatal("the first two slots refused")
			}
		}
		for range 5 {
			b := book(t, s, logs, slotsT0, 200*time.Millisecond)
			if b.OK || b.At.Sub(slotsT0) != time.Second {
				t.Fatalf("third booking = %+v, want refused with the slot free at +1s", b)
			}
		}
		// The refusals took nothing: at +1s exactly two slots are free again.
		later := slotsT0.Add(time.Second)
		for i := range 3 {
			b := book(t, s, logs, later, 0)
			if b.OK != (i < 2) {
				t.Fatalf("booking %d at +1s: OK=%v", i, b.OK)
			}
		}
	})
}

// Two replicas (two handles on the same logs) share one tenant budget across conversations.
func TestSlotsTenantBudgetShared(t *testing.T) {
	forEachSlots(t, func(t *testing.T, newSlots func() state.Slots) {
		replicas := []state.Slots{newSlots(), newSlots()}
		tenant := state.SlotLog{Key: "{t1}", Windows: []state.Window{{Limit: 5, Per: time.Second}}}
		var mu sync.Mutex
		granted := 0
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := replicas[i%2]
				conv := state.SlotLog{Key: fmt.Sprintf("{t1}:conv:%d", i), Windows: teamsConversation}
				b, err := s.Book(t.Context(), []state.SlotLog{conv, tenant}, slotsT0, 0)
				if err != nil {
					t.Error(err)
					return
				}
				if b.OK {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if granted != 5 {
			t.Errorf("%d of 20 concurrent sends on two replicas got a slot now, want the tenant budget of 5", granted)
		}
	})
}

func TestSlotsCancel(t *testing.T) {
	forEachSlots(t, func(t *testing.T, newSlots func() state.Slots) {
		s := newSlots()
		logs := []state.SlotLog{{Key: "c", Windows: []state.Window{{Limit: 1, Per: time.Minute}}}}
		book(t, s, logs, slotsT0, 0)
		b := book(t, s, logs, slotsT0, time.Hour)
		if b.At.Sub(slotsT0) != time.Minute {
			t.Fatalf("second slot at %v, want +1m", b.At.Sub(slotsT0))
		}
		if err := s.Cancel(t.Context(), b); err != nil {
			t.Fatal(err)
		}
		if again := book(t, s, logs, slotsT0, time.Hour); again.At.Sub(slotsT0) != time.Minute {
			t.Errorf("after cancel the next slot is at %v, want +1m again", again.At.Sub(slotsT0))
		}
	})
}

// Random offers over simulated time: no window of any log ever holds more than its limit, and a refused booking
// was refused only because its slot lay beyond the wait allowed.
func TestSlotsNeverExceedWindows(t *testing.T) {
	forEachSlots(t, func(t *testing.T, newSlots func() state.Slots) {
		s := newSlots()
		rng := rand.New(rand.NewPCG(1, 2))
		tenantW := []state.Window{{Limit: 10, Per: time.Second}}
		booked := map[string][]time.Time{}
		now := slotsT0
		for range 400 {
			now = now.Add(time.Duration(rng.IntN(60)) * time.Millisecond)
			conv := fmt.Sprintf("conv:%d", rng.IntN(3))
			ahead := time.Duration(rng.IntN(3)) * 300 * time.Millisecond
			b := book(t, s, []state.SlotLog{{Key: conv, Windows: teamsConversation}, {Key: "tenant", Windows: tenantW}}, now, ahead)
			if b.At.Before(now) {
				t.Fatalf("slot %v before now %v", b.At, now)
			}
			if !b.OK {
				if b.At.Sub(now) <= ahead {
					t.Fatalf("refused a slot %v ahead with %v allowed", b.At.Sub(now), ahead)
				}
				continue
			}
			booked[conv] = append(booked[conv], b.At)
			booked["tenant"] = append(booked["tenant"], b.At)
		}
		check := func(name string, log []time.Time, ws []state.Window) {
			for _, w := range ws {
				for _, end := range log {
					n := 0
					for _, e := range log {
						if e.After(end.Add(-w.Per)) && !e.After(end) {
							n++
						}
					}
					if n > w.Limit {
						t.Fatalf("%s: %d entries in the %v window ending %v, limit %d", name, n, w.Per, end, w.Limit)
					}
				}
			}
		}
		for k, log := range booked {
			if k == "tenant" {
				check(k, log, tenantW)
			} else {
				check(k, log, teamsConversation)
			}
		}
		if len(booked["tenant"]) < 100 {
			t.Errorf("only %d bookings granted: the limiter wastes capacity", len(booked["tenant"]))
		}
	})
}

func TestMemorySlotsDropsIdleLogs(t *testing.T) {
	m := state.NewMemorySlots()
	for i := range 50 {
		if _, err := m.Book(t.Context(), []state.SlotLog{{Key: fmt.Sprint(i), Windows: []state.Window{{Limit: 1, Per: time.Second}}}}, slotsT0, 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Book(t.Context(), []state.SlotLog{{Key: "new", Windows: []state.Window{{Limit: 1, Per: time.Second}}}}, slotsT0.Add(2*time.Minute), 0); err != nil {
		t.Fatal(err)
	}
	if n := m.Len(); n != 1 {
		t.Errorf("%d logs kept after two idle minutes, want only the new one", n)
	}
}
