package connector

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)

func TestLimiterPerConversationWindows(t *testing.T) {
	l := newLimiter(RateLimits{})
	var got []time.Duration
	for range 10 {
		got = append(got, l.reserve("a:1", t0).Sub(t0))
	}
	// 7 at once; the 8th once the first leaves the 1 s window; the 9th and 10th once the
	// first leaves the 2 s window (8 per 2 s), then the second.
	want := []time.Duration{0, 0, 0, 0, 0, 0, 0, time.Second, 2 * time.Second, 2 * time.Second}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("slots = %v, want %v", got, want)
	}
	if other := l.reserve("a:2", t0); !other.Equal(t0) {
		t.Errorf("another conversation waits until %v, want no wait", other.Sub(t0))
	}
}

// TestLimiterNeverExceedsWindows books long random sequences and checks every window of
// every limit by brute force, and that the limiter does not waste capacity: each slot is
// the earliest one allowed.
func TestLimiterNeverExceedsWindows(t *testing.T) {
	limits := DefaultRateLimits()
	l := newLimiter(limits)
	rng := rand.New(rand.NewPCG(1, 2))
	now := t0
	var slots []time.Time
	for range 2500 {
		// Callers arrive in bursts: usually at once, sometimes after a pause.
		if rng.IntN(10) == 0 {
			now = now.Add(time.Duration(rng.IntN(3000)) * time.Millisecond)
		}
		at := l.reserve("a:1", now)
		if at.Before(now) {
			t.Fatalf("slot %v before request time %v", at, now)
		}
		if at.After(now) && !violates(slots, limits.PerConversation, at.Add(-time.Nanosecond)) {
			t.Fatalf("slot %d at %v, but %v was already allowed", len(slots), at.Sub(t0), at.Add(-time.Nanosecond).Sub(t0))
		}
		slots = append(slots, at)
		now = at // the caller sleeps until its slot and the next one comes after it
	}
	for _, w := range limits.PerConversation {
		for i := range slots {
			n := 0
			for j := i; j >= 0 && slots[j].After(slots[i].Add(-w.Per)); j-- {
				n++
			}
			if n > w.Limit {
				t.Fatalf("%d requests in the %v window ending at slot %d, limit %d", n, w.Per, i, w.Limit)
			}
		}
	}
	// The hourly limit binds in the long run: 2500 requests need more than one hour but
	// little more than the 1800 + 700 schedule.
	if span := slots[len(slots)-1].Sub(slots[0]); span < time.Hour || span > 2*time.Hour {
		t.Errorf("2500 requests spread over %v", span)
	}
}

// violates reports whether one more request at t, after the sorted earlier slots, would
// break a window.
func violates(earlier []time.Time, windows []Window, t time.Time) bool {
	for _, w := range windows {
		n := 0
		for _, s := range earlier {
			if s.After(t.Add(-w.Per)) && !s.After(t) {
				n++
			}
		}
		if n >= w.Limit {
			return true
		}
	}
	return false
}

func TestLimiterGlobal(t *testing.T) {
	l := newLimiter(RateLimits{Global: []Window{{Limit: 50, Per: time.Second}}})
	count := map[time.Duration]int{}
	for i := range 120 {
		count[l.reserve(fmt.Sprintf("a:%d", i), t0).Sub(t0)]++
	}
	want := map[time.Duration]int{0: 50, time.Second: 50, 2 * time.Second: 20}
	if fmt.Sprint(count) != fmt.Sprint(want) {
		t.Errorf("global slots = %v, want %v", count, want)
	}
}

// TestLimiterNoHeadOfLineBlocking: a conversation that must wait for its hourly quota does
// not hold up the others in the global queue.
func TestLimiterNoHeadOfLineBlocking(t *testing.T) {
	l := newLimiter(RateLimits{
		PerConversation: []Window{{Limit: 2, Per: time.Hour}},
		Global:          []Window{{Limit: 3, Per: time.Second}},
	})
	l.reserve("busy", t0)
	l.reserve("busy", t0)
	if at := l.reserve("busy", t0); at.Sub(t0) != time.Hour {
		t.Fatalf("third message on busy waits %v, want 1h", at.Sub(t0))
	}
	if at := l.reserve("quiet", t0); !at.Equal(t0) {
		t.Errorf("quiet conversation waits %v behind busy's hourly slot", at.Sub(t0))
	}
	// The global window is full at t0 (busy ×2, quiet): the next goes a second later.
	if at := l.reserve("other", t0); at.Sub(t0) != time.Second {
		t.Errorf("fourth global request at %v, want 1s", at.Sub(t0))
	}
}

func TestLimiterRelease(t *testing.T) {
	l := newLimiter(RateLimits{PerConversation: []Window{{Limit: 1, Per: time.Minute}}})
	l.reserve("a:1", t0)
	at := l.reserve("a:1", t0)
	if at.Sub(t0) != time.Minute {
		t.Fatalf("second slot at %v, want 1m", at.Sub(t0))
	}
	l.release("a:1", at)
	if again := l.reserve("a:1", t0); again.Sub(t0) != time.Minute {
		t.Errorf("after release the next slot is %v, want 1m again", again.Sub(t0))
	}
	if third := l.reserve("a:1", t0); third.Sub(t0) != 2*time.Minute {
		t.Errorf("third slot %v, want 2m", third.Sub(t0))
	}
}

func TestLimiterEvictsIdleConversations(t *testing.T) {
	l := newLimiter(RateLimits{})
	for i := range 1000 {
		l.reserve(fmt.Sprintf("a:%d", i), t0.Add(time.Duration(i)*time.Millisecond))
	}
	if n := l.conversations(); n != 1000 {
		t.Fatalf("tracking %d conversations, want 1000", n)
	}
	later := t0.Add(time.Hour + 2*time.Minute)
	l.reserve("a:new", later)
	if n := l.conversations(); n != 1 {
		t.Errorf("after an idle hour tracking %d conversations, want 1", n)
	}
}

func TestLimiterKeepsLogsBounded(t *testing.T) {
	l := newLimiter(RateLimits{PerConversation: []Window{{Limit: 5, Per: time.Hour}}, Global: []Window{{Limit: 1000000, Per: time.Second}}})
	now := t0
	for range 100 {
		now = l.reserve("a:1", now)
	}
	l.mu.Lock()
	n := len(l.convs["a:1"])
	l.mu.Unlock()
	if n > 5 {
		t.Errorf("conversation log holds %d entries, want ≤ 5", n)
	}
}

func TestConversationKey(t *testing.T) {
	if got := conversationKey("19:abc@thread.tacv2;messageid=123"); got != "19:abc@thread.tacv2" {
		t.Errorf("conversationKey = %q", got)
	}
	if got := conversationKey("a:1x"); got != "a:1x" {
		t.Errorf("conversationKey = %q", got)
	}
}

func TestInvalidWindowsIgnored(t *testing.T) {
	l := newLimiter(RateLimits{PerConversation: []Window{{Limit: 0, Per: time.Second}, {Limit: 1, Per: 0}}, Global: []Window{{Limit: 1, Per: time.Second}}})
	if at := l.reserve("a", t0); !at.Equal(t0) {
		t.Errorf("first slot %v", at)
	}
}
