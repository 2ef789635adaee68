package connector_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/connector"
	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/fakeconnector"
)

// A call that may wait only briefly gives up with ErrThrottled, sending nothing and sleeping not at all, once the
// tenant's budget is spent; a call that may wait gets the next slot.
func TestWithinWaitGivesUpWithoutSending(t *testing.T) {
	s := newSetup(t, func(c *connector.Config) {
		c.Limits = connector.RateLimits{PerTenant: connector.TenantBudget(2)}
	})
	ctx := connector.WithinWait(t.Context(), 200*time.Millisecond)
	for i := range 2 {
		if _, err := s.c.SendActivity(ctx, s.srv.URL, fmt.Sprintf("a:%d", i), msg("x")); err != nil {
			t.Fatal(err)
		}
	}
	_, err := s.c.SendActivity(ctx, s.srv.URL, "a:3", msg("x"))
	if !errors.Is(err, connector.ErrThrottled) {
		t.Fatalf("third send within 200ms: %v, want ErrThrottled", err)
	}
	if n := len(s.srv.Calls()); n != 2 {
		t.Errorf("%d calls reached the connector, want 2", n)
	}
	if n := len(s.clock.Sleeps()); n != 0 {
		t.Errorf("slept %v", s.clock.Sleeps())
	}
	// Without the bound the call waits for the slot at +1s and goes out.
	if _, err := s.c.SendActivity(t.Context(), s.srv.URL, "a:3", msg("x")); err != nil {
		t.Fatal(err)
	}
	if n := len(s.srv.Sent()); n != 3 {
		t.Errorf("sent %d, want 3", n)
	}
	var waited time.Duration
	for _, d := range s.clock.Sleeps() {
		waited += d
	}
	if waited != time.Second {
		t.Errorf("waited %v in all, want 1s", waited)
	}
}

// Each tenant has its own budget.
func TestTenantBudgetsApart(t *testing.T) {
	s := newSetup(t, func(c *connector.Config) {
		c.Limits = connector.RateLimits{PerTenant: connector.TenantBudget(1)}
		c.Tenant = "home"
	})
	quick := connector.WithinWait(t.Context(), 0)
	if _, err := s.c.SendActivity(quick, s.srv.URL, "a:1", msg("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.c.SendActivity(connector.WithTenant(quick, "home"), s.srv.URL, "a:2", msg("x")); !errors.Is(err, connector.ErrThrottled) {
		t.Errorf("second call into the default tenant: %v, want ErrThrottled", err)
	}
	if _, err := s.c.SendActivity(connector.WithTenant(quick, "other"), s.srv.URL, "a:3", msg("x")); err != nil {
		t.Errorf("first call into another tenant: %v", err)
	}
}

// Teams' own 429 under a bounded wait is handed back at once (nothing was sent); after a 502, which may have
// delivered the message, it is not called throttled, so the caller does not queue a second copy.
func TestWithinWait429(t *testing.T) {
	s := newSetup(t, func(c *connector.Config) { c.Limits.Disabled = true })
	ctx := connector.WithinWait(t.Context(), 200*time.Millisecond)
	s.srv.FailNext(1, http.StatusTooManyRequests, "1")
	_, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("x"))
	var api *connector.APIError
	if !errors.Is(err, connector.ErrThrottled) || !errors.As(err, &api) || api.StatusCode != 429 {
		t.Fatalf("429 within a bounded wait: %v, want ErrThrottled wrapping the 429", err)
	}
	if n := len(s.srv.Calls()); n != 1 {
		t.Errorf("%d calls, want 1 (no retry)", n)
	}

	s.srv.Reset()
	n := 0
	s.srv.FailWhen(func(fakeconnector.Call) *fakeconnector.Fault {
		n++
		switch n {
		case 1:
			return &fakeconnector.Fault{Status: http.StatusBadGateway}
		case 2:
			return &fakeconnector.Fault{Status: http.StatusTooManyRequests}
		}
		return nil
	})
	if _, err := s.c.SendActivity(ctx, s.srv.URL, "a:1", msg("x")); err != nil {
		t.Fatalf("502, 429, then success: %v", err)
	}
	if n != 3 {
		t.Errorf("%d attempts, want 3 (the 429 after a 502 is retried)", n)
	}
}

// failingSlots is a shared store that is down.
type failingSlots struct{ calls int }

func (f *failingSlots) Book(context.Context, []state.SlotLog, time.Time, time.Duration) (state.Booking, error) {
	f.calls++
	return state.Booking{}, errors.New("redis: connection refused")
}
func (f *failingSlots) Cancel(context.Context, state.Booking) error { return nil }

// With the shared store down, the client limits in this process instead of failing or sending unthrottled.
func TestSharedSlotsDownFallsBackToLocal(t *testing.T) {
	shared := &failingSlots{}
	s := newSetup(t, func(c *connector.Config) {
		c.Limits = connector.RateLimits{PerTenant: connector.TenantBudget(1), Slots: shared}
	})
	quick := connector.WithinWait(t.Context(), 0)
	if _, err := s.c.SendActivity(quick, s.srv.URL, "a:1", msg("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.c.SendActivity(quick, s.srv.URL, "a:2", msg("x")); !errors.Is(err, connector.ErrThrottled) {
		t.Errorf("second call: %v, want ErrThrottled from the local limit", err)
	}
	if shared.calls != 2 || s.c.Fallbacks() != 2 {
		t.Errorf("shared tried %d times, fallbacks %d; want 2 and 2", shared.calls, s.c.Fallbacks())
	}
}
