package state

import (
	"fmt"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

func (m *Memory) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// TestMemorySweepBoundsSize checks that expired entries that are never read
// again are still dropped, so a stream of unique keys (activity ids for
// de-duplication) cannot grow the map without bound.
func TestMemorySweepBoundsSize(t *testing.T) {
	clock := clock.NewManual(time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC))
	m := NewMemory(clock.Now)
	ctx := t.Context()
	const ttl = time.Minute
	const perTTL = 1000 // unique keys written per TTL period
	maxSize := 0
	for i := range 20 * perTTL {
		if _, err := m.SetNX(ctx, fmt.Sprintf("seen:%d", i), []byte("1"), ttl); err != nil {
			t.Fatal(err)
		}
		clock.Advance(ttl / perTTL)
		maxSize = max(maxSize, m.size())
	}
	// At most perTTL keys are live at once; the sweep may leave up to about
	// as many expired ones again before it runs.
	if limit := 2*perTTL + minSweepInterval + 1; maxSize > limit {
		t.Fatalf("the store grew to %d entries with at most %d live; want at most %d", maxSize, perTTL, limit)
	}
	if maxSize < perTTL {
		t.Fatalf("the store peaked at %d entries, fewer than the %d live ones", maxSize, perTTL)
	}
}

// TestMemoryLazyExpiry checks that reading an expired key removes it.
func TestMemoryLazyExpiry(t *testing.T) {
	clock := clock.NewManual(time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC))
	m := NewMemory(clock.Now)
	ctx := t.Context()
	if err := m.Set(ctx, "k", []byte("v"), time.Second); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	if _, err := m.Get(ctx, "k"); err != ErrNotFound {
		t.Fatalf("Get of an expired key: %v, want ErrNotFound", err)
	}
	if n := m.size(); n != 0 {
		t.Fatalf("%d entries left after reading the expired key, want 0", n)
	}
}
