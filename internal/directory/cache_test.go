package directory

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// countingDir counts backend calls per method and can hold them until released, or fail them.
type countingDir struct {
	Directory
	users, managers, reports atomic.Int32

	mu      sync.Mutex
	gate    chan struct{} // when set, calls wait for it to close
	entered chan struct{} // when set, receives once per call that reached the backend
	fail    error         // when set, every call fails with it
}

func (d *countingDir) wait(ctx context.Context) error {
	d.mu.Lock()
	gate, entered, fail := d.gate, d.entered, d.fail
	d.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return fail
}

func (d *countingDir) User(ctx context.Context, id string) (domain.User, error) {
	d.users.Add(1)
	if err := d.wait(ctx); err != nil {
		return domain.User{}, err
	}
	return d.Directory.User(ctx, id)
}

func (d *countingDir) Manager(ctx context.Context, id string) (domain.User, error) {
	d.managers.Add(1)
	if err := d.wait(ctx); err != nil {
		return domain.User{}, err
	}
	return d.Directory.Manager(ctx, id)
}

func (d *countingDir) DirectReports(ctx context.Context, id string) ([]domain.User, error) {
	d.reports.Add(1)
	return d.Directory.DirectReports(ctx, id)
}

func newCached(t *testing.T) (*Cached, *countingDir, *clock.Manual) {
	t.Helper()
	backend := &countingDir{Directory: mustDemo(t)}
	clk := clock.NewManual(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	return NewCached(backend, time.Minute, clk.Now), backend, clk
}

func TestCachedServesSecondCallFromCache(t *testing.T) {
	ctx := context.Background()
	c, backend, _ := newCached(t)

	for i := 0; i < 3; i++ {
		u, err := c.User(ctx, elina)
		if err != nil || u.DisplayName != "Elina Lindholm" {
			t.Fatalf("User = %+v, %v", u, err)
		}
	}
	// Another spelling of the same id is the same entry.
	if _, err := c.User(ctx, "7C1E4A52-0000-4000-8000-000000000001"); err != nil {
		t.Fatal(err)
	}
	if n := backend.users.Load(); n != 1 {
		t.Errorf("backend User calls = %d, want 1", n)
	}

	for i := 0; i < 2; i++ {
		m, err := c.Manager(ctx, elina)
		if err != nil || m.ID != sami {
			t.Fatalf("Manager = %+v, %v", m, err)
		}
	}
	if n := backend.managers.Load(); n != 1 {
		t.Errorf("backend Manager calls = %d, want 1", n)
	}
	// The manager found is remembered as a user too.
	if _, err := c.User(ctx, sami); err != nil {
		t.Fatal(err)
	}
	if n := backend.users.Load(); n != 1 {
		t.Errorf("backend User calls after User(manager) = %d, want 1", n)
	}
}

func TestCachedRemembersNotFound(t *testing.T) {
	ctx := context.Background()
	c, backend, _ := newCached(t)
	for i := 0; i < 2; i++ {
		if _, err := c.Manager(ctx, oskar); !domain.IsCode(err, domain.ENotFound) {
			t.Fatalf("Manager(oskar) error = %v, want not found", err)
		}
		if _, err := c.User(ctx, "7c1e4a52-0000-4000-8000-0000000000ff"); !domain.IsCode(err, domain.ENotFound) {
			t.Fatalf("User(unknown) error = %v, want not found", err)
		}
	}
	if m, u := backend.managers.Load(), backend.users.Load(); m != 1 || u != 1 {
		t.Errorf("backend calls: Manager %d, User %d; want 1 and 1", m, u)
	}
}

func TestCachedDoesNotRememberOtherErrors(t *testing.T) {
	ctx := context.Background()
	c, backend, _ := newCached(t)
	backend.fail = domain.Errorf(domain.EUnavailable, "graph is down")
	for i := 0; i < 2; i++ {
		if _, err := c.User(ctx, elina); !domain.IsCode(err, domain.EUnavailable) {
			t.Fatalf("User error = %v, want unavailable", err)
		}
	}
	if n := backend.users.Load(); n != 2 {
		t.Errorf("backend User calls = %d, want 2 (errors are not cached)", n)
	}
	backend.mu.Lock()
	backend.fail = nil
	backend.mu.Unlock()
	if u, err := c.User(ctx, elina); err != nil || u.ID != elina {
		t.Fatalf("User after recovery = %+v, %v", u, err)
	}
}

func TestCachedExpires(t *testing.T) {
	ctx := context.Background()
	c, backend, clk := newCached(t)
	calls := func() int32 { return backend.users.Load() + backend.managers.Load() }

	_, _ = c.User(ctx, elina)
	_, _ = c.Manager(ctx, oskar) // not found, cached too
	clk.Advance(59 * time.Second)
	_, _ = c.User(ctx, elina)
	_, _ = c.Manager(ctx, oskar)
	if n := calls(); n != 2 {
		t.Fatalf("backend calls before the TTL = %d, want 2", n)
	}
	clk.Advance(time.Second)
	_, _ = c.User(ctx, elina)
	_, _ = c.Manager(ctx, oskar)
	if n := calls(); n != 4 {
		t.Fatalf("backend calls after the TTL = %d, want 4", n)
	}
}

func TestCachedForget(t *testing.T) {
	ctx := context.Background()
	c, backend, _ := newCached(t)
	_, _ = c.User(ctx, elina)
	c.Forget(elina)
	_, _ = c.User(ctx, elina)
	if n := backend.users.Load(); n != 2 {
		t.Errorf("backend User calls = %d, want 2 after Forget", n)
	}
}

func TestCachedIsBounded(t *testing.T) {
	ctx := context.Background()
	c, backend, _ := newCached(t)
	c.max = 2
	for _, id := range []string{elina, sami, helena} { // elina is the least recently used when helena arrives
		if _, err := c.User(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if n := c.Len(); n != 2 {
		t.Fatalf("Len = %d, want 2", n)
	}
	_, _ = c.User(ctx, helena)
	_, _ = c.User(ctx, sami)
	if n := backend.users.Load(); n != 3 {
		t.Fatalf("backend User calls = %d, want 3 (sami and helena cached)", n)
	}
	_, _ = c.User(ctx, elina)
	if n := backend.users.Load(); n != 4 {
		t.Fatalf("backend User calls = %d, want 4 (elina evicted)", n)
	}
}

func TestCachedSingleflight(t *testing.T) {
	ctx := context.Background()
	c, backend, _ := newCached(t)
	gate := make(chan struct{})
	backend.gate = gate
	backend.entered = make(chan struct{}, 100)

	const n = 20
	var wg sync.WaitGroup
	results := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, err := c.Manager(ctx, tiina)
			if err == nil && u.ID != pekka {
				err = errors.New("wrong manager " + u.ID)
			}
			results <- err
		}()
	}
	<-backend.entered
	waitFor(t, func() bool { return c.waiting(kindManager, tiina) == n })
	close(gate)
	wg.Wait()
	close(results)
	for err := range results {
		if err != nil {
			t.Error(err)
		}
	}
	if got := backend.managers.Load(); got != 1 {
		t.Errorf("backend Manager calls = %d, want 1", got)
	}
}

func TestCachedCallerGivesUpOthersStillServed(t *testing.T) {
	c, backend, _ := newCached(t)
	gate := make(chan struct{})
	backend.gate = gate
	backend.entered = make(chan struct{}, 10)

	// The first caller starts the backend call and then gives up.
	ctx1, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.User(ctx1, elina)
		first <- err
	}()
	<-backend.entered
	second := make(chan error, 1)
	go func() {
		u, err := c.User(context.Background(), elina)
		if err == nil && u.ID != elina {
			err = errors.New("wrong user")
		}
		second <- err
	}()
	waitFor(t, func() bool { return c.waiting(kindUser, elina) == 2 })
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller error = %v, want context.Canceled", err)
	}
	close(gate)
	if err := <-second; err != nil {
		t.Fatalf("second caller: %v", err)
	}
	if n := backend.users.Load(); n != 1 {
		t.Errorf("backend User calls = %d, want 1", n)
	}
	// And the answer was kept.
	if _, err := c.User(context.Background(), elina); err != nil || backend.users.Load() != 1 {
		t.Errorf("third call: %v, backend calls %d", err, backend.users.Load())
	}
}

func TestCachedPassesThrough(t *testing.T) {
	ctx := context.Background()
	c, backend, _ := newCached(t)
	for i := 0; i < 2; i++ {
		reports, err := c.DirectReports(ctx, helena)
		if err != nil || len(reports) != 2 {
			t.Fatalf("DirectReports = %v, %v", reports, err)
		}
	}
	if n := backend.reports.Load(); n != 2 {
		t.Errorf("backend DirectReports calls = %d, want 2 (not cached)", n)
	}
	if _, err := c.User(ctx, "bogus"); !domain.IsCode(err, domain.EInvalid) {
		t.Errorf("User(bogus) error = %v, want invalid", err)
	}
	if c.Len() != 0 {
		t.Errorf("an invalid id was cached")
	}
}

func TestCachedReturnsCopies(t *testing.T) {
	ctx := context.Background()
	c, _, _ := newCached(t)
	p, _ := c.User(ctx, pekka)
	*p.LeaveDate = time.Time{}
	again, _ := c.User(ctx, pekka)
	if again.LeaveDate.IsZero() {
		t.Fatal("changing a returned user changed the cache")
	}
}

// waitFor polls cond until it holds, failing the test at its deadline (or after a generous limit).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	limit := time.Now().Add(30 * time.Second)
	if d, ok := t.Deadline(); ok && d.Before(limit) {
		limit = d.Add(-time.Second)
	}
	for !cond() {
		if time.Now().After(limit) {
			t.Fatal("condition not reached")
		}
		time.Sleep(time.Millisecond)
	}
}
