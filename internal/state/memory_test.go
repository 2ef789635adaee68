package state_test

import (
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/state/statetest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

func TestMemoryContract(t *testing.T) {
	clock := clock.NewManual(time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC))
	statetest.Run(t, func(t *testing.T) state.Store {
		s := state.NewMemory(clock.Now)
		t.Cleanup(func() { _ = s.Close() })
		return s
	}, clock.Advance)
}

func TestMemoryDefaultClock(t *testing.T) {
	s := state.NewMemory(nil)
	defer s.Close()
	// With the wall clock, a key set for a minute is there right away.
	if err := s.Set(t.Context(), "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Get(t.Context(), "k"); err != nil || string(got) != "v" {
		t.Fatalf("Get = %q, %v; want v", got, err)
	}
}
