// Package statetest holds the contract test suite that every state.Store must
// pass, plus helpers that give tests an in-process miniredis or the real Redis
// server named by VALTUUS_TEST_REDIS_URL.
package statetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/state"
)

const (
	// fakeTTL is the TTL used when the suite controls the clock; any value
	// works, a round one keeps failure messages readable.
	fakeTTL = 10 * time.Second
	// realTTL is the TTL used against a real clock: long enough that a check
	// made right after a write normally runs before expiry (checks that ran
	// too late are reported as inconclusive, never failed), short enough to
	// keep the suite quick.
	realTTL = 1500 * time.Millisecond
	// realSlack is how long past a TTL the suite polls for its effect, to
	// allow for a loaded machine and server clock granularity.
	realSlack = 10 * time.Second
	// pollInterval is the pause between polls against a real clock.
	pollInterval = 20 * time.Millisecond
	// longTTL outlives any test.
	longTTL = 10 * time.Minute
)

// Run checks that the stores made by newStore satisfy the state.Store
// contract and that the helper Seen works on them.
//
// newStore must return an empty store each call (for a shared server: a
// fresh key prefix) and release it when its t ends; the suite may Close it
// earlier. Subtests run one after another.
//
// advance moves the stores' clock forward: the fake clock given to
// state.NewMemory, or miniredis's FastForward. Pass nil for a store on a real
// clock (a real Redis server): every time-dependent subtest still runs, with
// real TTLs of 1.5 s, polling with a deadline for the expiry; only the checks
// of the exact expiry instant, which need a controlled clock, are left out.
func Run(t *testing.T, newStore func(t *testing.T) state.Store, advance func(d time.Duration)) {
	h := &harness{advance: advance, ttl: fakeTTL}
	if advance == nil {
		h.ttl = realTTL
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s state.Store, h *harness)
	}{
		{"GetSet", testGetSet},
		{"Missing", testMissing},
		{"Values", testValues},
		{"Delete", testDelete},
		{"InvalidArguments", testInvalidArguments},
		{"Expiry", testExpiry},
		{"ExpiryBoundary", testExpiryBoundary},
		{"SetReplacesTTL", testSetReplacesTTL},
		{"SetNX", testSetNX},
		{"SetNXExpiry", testSetNXExpiry},
		{"SetNXRace", testSetNXRace},
		{"Incr", testIncr},
		{"IncrWindowReset", testIncrWindowReset},
		{"IncrConcurrent", testIncrConcurrent},
		{"Seen", testSeen},
		{"SeenExpiry", testSeenExpiry},
		{"SeenRace", testSeenRace},
		{"ConcurrentMixed", testConcurrentMixed},
		{"CanceledContext", testCanceledContext},
		{"Close", testClose},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t), h)
		})
	}
}

// harness hides whether the suite controls the clock.
type harness struct {
	advance func(time.Duration) // nil: real clock
	ttl     time.Duration       // the short TTL time-dependent subtests use
}

func (h *harness) fake() bool { return h.advance != nil }

// start returns the instant before a write with TTL h.ttl, for inTime.
func (h *harness) start() time.Time { return time.Now() }

// inTime reports whether a check made now is sure to have run before a TTL
// of h.ttl set after start ran out. With a fake clock it always is; on a real
// clock a late check is logged as inconclusive and the caller skips it.
func (h *harness) inTime(t *testing.T, start time.Time, what string) bool {
	t.Helper()
	if h.fake() {
		return true
	}
	if el := time.Since(start); el >= h.ttl {
		t.Logf("inconclusive: %s took %v, not less than the TTL %v; check skipped", what, el, h.ttl)
		return false
	}
	return true
}

// pass moves a fake clock forward by d; on a real clock it does nothing (the
// next eventually call waits instead).
func (h *harness) pass(d time.Duration) {
	if h.fake() {
		h.advance(d)
	}
}

// eventually lets d pass and then requires cond: at once after advancing a
// fake clock, or by polling until d plus a slack has passed on a real one.
func (h *harness) eventually(t *testing.T, d time.Duration, what string, cond func() (bool, error)) {
	t.Helper()
	if h.fake() {
		h.advance(d)
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if !ok {
			t.Fatalf("%s: not true after advancing the clock by %v", what, d)
		}
		return
	}
	deadline := time.Now().Add(d + realSlack)
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true %v after the TTL of %v", what, realSlack, d)
		}
		time.Sleep(pollInterval)
	}
}

// missing is a condition for eventually: key is gone.
func missing(ctx context.Context, s state.Store, key string) func() (bool, error) {
	return func() (bool, error) {
		_, err := s.Get(ctx, key)
		if errors.Is(err, state.ErrNotFound) {
			return true, nil
		}
		return false, err
	}
}

func mustSet(t *testing.T, s state.Store, key string, value []byte, ttl time.Duration) {
	t.Helper()
	if err := s.Set(t.Context(), key, value, ttl); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func wantValue(t *testing.T, s state.Store, key string, want []byte) {
	t.Helper()
	got, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v, want %q", key, err, want)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %q, want %q", key, got, want)
	}
}

func wantNotFound(t *testing.T, s state.Store, key string) {
	t.Helper()
	got, err := s.Get(t.Context(), key)
	if !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("Get(%q) = %q, %v; want ErrNotFound", key, got, err)
	}
}

// startTogether runs fn in n goroutines released at the same moment and
// waits for all of them.
func startTogether(n int, fn func(i int)) {
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-gate
			fn(i)
		})
	}
	close(gate)
	wg.Wait()
}

func testGetSet(t *testing.T, s state.Store, _ *harness) {
	mustSet(t, s, "a", []byte("one"), longTTL)
	wantValue(t, s, "a", []byte("one"))
	mustSet(t, s, "a", []byte("two"), longTTL)
	wantValue(t, s, "a", []byte("two"))
	mustSet(t, s, "b", []byte("other"), longTTL)
	wantValue(t, s, "a", []byte("two"))
	wantValue(t, s, "b", []byte("other"))
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testMissing(t *testing.T, s state.Store, _ *harness) {
	wantNotFound(t, s, "never-set")
	mustSet(t, s, "key", []byte("v"), longTTL)
	wantNotFound(t, s, "key2")
	wantNotFound(t, s, "ke")
}

func testValues(t *testing.T, s state.Store, _ *harness) {
	ctx := t.Context()
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	mustSet(t, s, "binary", all, longTTL)
	wantValue(t, s, "binary", all)

	big := bytes.Repeat([]byte("0123456789abcdef"), 64<<10/16) // a 64 KiB card
	mustSet(t, s, "big", big, longTTL)
	wantValue(t, s, "big", big)

	for _, empty := range [][]byte{{}, nil} {
		mustSet(t, s, "empty", empty, longTTL)
		got, err := s.Get(ctx, "empty")
		if err != nil || len(got) != 0 {
			t.Fatalf("Get(empty) = %q, %v; want an empty value", got, err)
		}
	}

	// Keys are arbitrary strings, as activity and conversation ids are.
	odd := "conv:a:19:abc@thread.tacv2;messageid=1 ä*?[]"
	mustSet(t, s, odd, []byte("odd"), longTTL)
	wantValue(t, s, odd, []byte("odd"))

	// The store keeps its own copy: neither the caller's input slice nor a
	// returned slice aliases it.
	in := []byte("original")
	mustSet(t, s, "copy", in, longTTL)
	copy(in, "XXXXXXXX")
	out, err := s.Get(ctx, "copy")
	if err != nil {
		t.Fatalf("Get(copy): %v", err)
	}
	copy(out, "YYYYYYYY")
	wantValue(t, s, "copy", []byte("original"))
}

func testDelete(t *testing.T, s state.Store, _ *harness) {
	ctx := t.Context()
	mustSet(t, s, "a", []byte("1"), longTTL)
	mustSet(t, s, "b", []byte("2"), longTTL)
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatalf("Delete(a): %v", err)
	}
	wantNotFound(t, s, "a")
	wantValue(t, s, "b", []byte("2"))
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatalf("Delete of a missing key: %v, want nil", err)
	}
	// A deleted key can be taken again with SetNX.
	if ok, err := s.SetNX(ctx, "a", []byte("3"), longTTL); err != nil || !ok {
		t.Fatalf("SetNX after Delete = %v, %v; want true", ok, err)
	}
}

func testInvalidArguments(t *testing.T, s state.Store, _ *harness) {
	ctx := t.Context()
	isInvalid := func(op string, err error) {
		t.Helper()
		if err == nil || errors.Is(err, state.ErrNotFound) {
			t.Errorf("%s: err = %v, want an invalid-argument error", op, err)
		}
	}
	for _, ttl := range []time.Duration{0, -time.Second, state.MinTTL - 1} {
		isInvalid(fmt.Sprintf("Set ttl %v", ttl), s.Set(ctx, "k", []byte("v"), ttl))
		_, err := s.SetNX(ctx, "k", []byte("v"), ttl)
		isInvalid(fmt.Sprintf("SetNX ttl %v", ttl), err)
		_, err = s.Incr(ctx, "n", ttl)
		isInvalid(fmt.Sprintf("Incr window %v", ttl), err)
		_, err = state.Seen(ctx, s, "seen", ttl)
		isInvalid(fmt.Sprintf("Seen ttl %v", ttl), err)
	}
	// Nothing was stored with an invalid TTL (which Redis would keep forever).
	for _, k := range []string{"k", "n", "seen"} {
		wantNotFound(t, s, k)
	}

	// Keys often hold user or conversation ids, which must not reach logs
	// through error messages.
	const personal = "user:8a1f0c5e-personal"
	if err := s.Set(ctx, personal, []byte("v"), 0); err == nil || strings.Contains(err.Error(), personal) {
		t.Errorf("Set error %q: want an error that does not quote the key", err)
	}

	isInvalid("Set empty key", s.Set(ctx, "", []byte("v"), longTTL))
	_, err := s.Get(ctx, "")
	isInvalid("Get empty key", err)
	_, err = s.SetNX(ctx, "", []byte("v"), longTTL)
	isInvalid("SetNX empty key", err)
	isInvalid("Delete empty key", s.Delete(ctx, ""))
	_, err = s.Incr(ctx, "", longTTL)
	isInvalid("Incr empty key", err)
}

func testExpiry(t *testing.T, s state.Store, h *harness) {
	start := h.start()
	mustSet(t, s, "short", []byte("v"), h.ttl)
	mustSet(t, s, "long", []byte("v"), longTTL)
	if h.inTime(t, start, "Set and Get") {
		wantValue(t, s, "short", []byte("v"))
	}
	h.eventually(t, h.ttl, "key expires", missing(t.Context(), s, "short"))
	wantValue(t, s, "long", []byte("v"))
}

// testExpiryBoundary pins the exact expiry instant: present until ttl has
// passed, gone once it has. Only a controlled clock can check this.
func testExpiryBoundary(t *testing.T, s state.Store, h *harness) {
	if !h.fake() {
		t.Log("real clock: the exact expiry instant is not checked; Expiry covers expiry itself")
		return
	}
	mustSet(t, s, "k", []byte("v"), h.ttl)
	h.pass(h.ttl - state.MinTTL)
	wantValue(t, s, "k", []byte("v"))
	if ok, err := s.SetNX(t.Context(), "k", []byte("w"), h.ttl); err != nil || ok {
		t.Fatalf("SetNX just before expiry = %v, %v; want false", ok, err)
	}
	h.pass(state.MinTTL)
	wantNotFound(t, s, "k")
}

func testSetReplacesTTL(t *testing.T, s state.Store, h *harness) {
	mustSet(t, s, "k", []byte("old"), h.ttl)
	// marker is written after k's first Set with the same TTL, so once it has
	// expired k's first TTL has surely passed too.
	mustSet(t, s, "marker", []byte("m"), h.ttl)
	mustSet(t, s, "k", []byte("new"), longTTL)
	h.eventually(t, h.ttl, "marker expires", missing(t.Context(), s, "marker"))
	wantValue(t, s, "k", []byte("new"))
}

func testSetNX(t *testing.T, s state.Store, _ *harness) {
	ctx := t.Context()
	ok, err := s.SetNX(ctx, "k", []byte("first"), longTTL)
	if err != nil || !ok {
		t.Fatalf("SetNX on a missing key = %v, %v; want true", ok, err)
	}
	ok, err = s.SetNX(ctx, "k", []byte("second"), longTTL)
	if err != nil || ok {
		t.Fatalf("SetNX on an existing key = %v, %v; want false", ok, err)
	}
	wantValue(t, s, "k", []byte("first"))

	// SetNX does not overwrite a value written by Set either.
	mustSet(t, s, "j", []byte("set"), longTTL)
	if ok, err := s.SetNX(ctx, "j", []byte("nx"), longTTL); err != nil || ok {
		t.Fatalf("SetNX over Set = %v, %v; want false", ok, err)
	}
	wantValue(t, s, "j", []byte("set"))
}

func testSetNXExpiry(t *testing.T, s state.Store, h *harness) {
	ctx := t.Context()
	start := h.start()
	if ok, err := s.SetNX(ctx, "k", []byte("first"), h.ttl); err != nil || !ok {
		t.Fatalf("SetNX = %v, %v; want true", ok, err)
	}
	// A failed SetNX must not extend the existing TTL.
	ok, err := s.SetNX(ctx, "k", []byte("second"), longTTL)
	if err != nil {
		t.Fatalf("second SetNX: %v", err)
	}
	if ok {
		if h.inTime(t, start, "two SetNX calls") {
			t.Fatal("second SetNX before expiry = true, want false")
		}
		return // the first key had already expired: nothing left to check
	}
	h.eventually(t, h.ttl, "SetNX succeeds once the key expired", func() (bool, error) {
		return s.SetNX(ctx, "k", []byte("third"), longTTL)
	})
	wantValue(t, s, "k", []byte("third"))
}

func testSetNXRace(t *testing.T, s state.Store, _ *harness) {
	const n = 32
	var wins atomic.Int32
	winner := make(chan []byte, n)
	errs := make(chan error, n)
	startTogether(n, func(i int) {
		v := fmt.Appendf(nil, "racer-%d", i)
		ok, err := s.SetNX(t.Context(), "race", v, longTTL)
		if err != nil {
			errs <- err
			return
		}
		if ok {
			wins.Add(1)
			winner <- v
		}
	})
	close(errs)
	for err := range errs {
		t.Fatalf("SetNX: %v", err)
	}
	if got := wins.Load(); got != 1 {
		t.Fatalf("%d of %d concurrent SetNX calls won, want exactly 1", got, n)
	}
	wantValue(t, s, "race", <-winner)
}

func testIncr(t *testing.T, s state.Store, _ *harness) {
	ctx := t.Context()
	for want := int64(1); want <= 3; want++ {
		got, err := s.Incr(ctx, "n", longTTL)
		if err != nil || got != want {
			t.Fatalf("Incr = %d, %v; want %d", got, err, want)
		}
	}
	// The counter is a decimal string, as in Redis.
	wantValue(t, s, "n", []byte("3"))
	if got, err := s.Incr(ctx, "other", longTTL); err != nil || got != 1 {
		t.Fatalf("Incr(other) = %d, %v; want 1", got, err)
	}

	mustSet(t, s, "text", []byte("not a number"), longTTL)
	if got, err := s.Incr(ctx, "text", longTTL); err == nil {
		t.Fatalf("Incr on a non-integer = %d, nil; want an error", got)
	}
	wantValue(t, s, "text", []byte("not a number"))

	mustSet(t, s, "preset", []byte("41"), longTTL)
	if got, err := s.Incr(ctx, "preset", longTTL); err != nil || got != 42 {
		t.Fatalf("Incr on 41 = %d, %v; want 42", got, err)
	}
}

// testIncrWindowReset checks a fixed window: the counter resets one window
// after its first increment, and later increments do not push that back.
func testIncrWindowReset(t *testing.T, s state.Store, h *harness) {
	ctx := t.Context()
	incr := func() int64 {
		t.Helper()
		n, err := s.Incr(ctx, "rate", h.ttl)
		if err != nil {
			t.Fatalf("Incr: %v", err)
		}
		return n
	}
	start := h.start()
	if n := incr(); n != 1 {
		t.Fatalf("first Incr = %d, want 1", n)
	}
	h.pass(h.ttl / 2)
	n := incr()
	if h.inTime(t, start, "two increments") && n != 2 {
		t.Fatalf("second Incr within the window = %d, want 2", n)
	}
	// With a fake clock this is the window's second half. With a real one the
	// poll keeps incrementing: a store that restarted the window on every
	// increment would never reset and fail here.
	h.eventually(t, h.ttl-h.ttl/2, "counter resets after the window", func() (bool, error) {
		n, err := s.Incr(ctx, "rate", h.ttl)
		return n == 1, err
	})
}

func testIncrConcurrent(t *testing.T, s state.Store, _ *harness) {
	const goroutines, each = 16, 25
	results := make(chan int64, goroutines*each)
	errs := make(chan error, goroutines*each)
	startTogether(goroutines, func(int) {
		for range each {
			n, err := s.Incr(t.Context(), "n", longTTL)
			if err != nil {
				errs <- err
				return
			}
			results <- n
		}
	})
	close(errs)
	close(results)
	for err := range errs {
		t.Fatalf("Incr: %v", err)
	}
	seen := make(map[int64]bool)
	for n := range results {
		if n < 1 || n > goroutines*each || seen[n] {
			t.Fatalf("Incr returned %d twice or out of range 1..%d", n, goroutines*each)
		}
		seen[n] = true
	}
	wantValue(t, s, "n", fmt.Appendf(nil, "%d", goroutines*each))
}

func testSeen(t *testing.T, s state.Store, _ *harness) {
	ctx := t.Context()
	seen := func(key string, want bool) {
		t.Helper()
		dup, err := state.Seen(ctx, s, key, longTTL)
		if err != nil || dup != want {
			t.Fatalf("Seen(%q) = %v, %v; want %v", key, dup, err, want)
		}
	}
	seen("activity-1", false)
	seen("activity-1", true)
	seen("activity-1", true)
	seen("activity-2", false)
	if err := s.Delete(ctx, "activity-1"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	seen("activity-1", false)
}

func testSeenExpiry(t *testing.T, s state.Store, h *harness) {
	ctx := t.Context()
	start := h.start()
	if dup, err := state.Seen(ctx, s, "a", h.ttl); err != nil || dup {
		t.Fatalf("first Seen = %v, %v; want false", dup, err)
	}
	dup, err := state.Seen(ctx, s, "a", h.ttl)
	if err != nil {
		t.Fatalf("second Seen: %v", err)
	}
	if h.inTime(t, start, "two Seen calls") && !dup {
		t.Fatal("second Seen within the TTL = false, want true")
	}
	h.eventually(t, h.ttl, "Seen forgets after the TTL", func() (bool, error) {
		dup, err := state.Seen(ctx, s, "a", longTTL)
		return !dup, err
	})
}

func testSeenRace(t *testing.T, s state.Store, _ *harness) {
	const n = 16
	var firsts, errCount atomic.Int32
	startTogether(n, func(int) {
		dup, err := state.Seen(t.Context(), s, "activity", longTTL)
		switch {
		case err != nil:
			errCount.Add(1)
		case !dup:
			firsts.Add(1)
		}
	})
	if errCount.Load() != 0 {
		t.Fatalf("%d Seen calls failed", errCount.Load())
	}
	if got := firsts.Load(); got != 1 {
		t.Fatalf("%d of %d concurrent Seen calls saw a first delivery, want exactly 1", got, n)
	}
}

// testConcurrentMixed runs every operation at once on a few shared keys, for
// the race detector and for errors under contention.
func testConcurrentMixed(t *testing.T, s state.Store, _ *harness) {
	const goroutines, ops = 8, 40
	errs := make(chan error, goroutines)
	startTogether(goroutines, func(g int) {
		ctx := t.Context()
		for i := range ops {
			key := fmt.Sprintf("k%d", i%3)
			var err error
			switch (g + i) % 5 {
			case 0:
				err = s.Set(ctx, key, []byte("v"), longTTL)
			case 1:
				_, err = s.Get(ctx, key)
				if errors.Is(err, state.ErrNotFound) {
					err = nil
				}
			case 2:
				_, err = s.SetNX(ctx, key, []byte("nx"), longTTL)
			case 3:
				err = s.Delete(ctx, key)
			case 4:
				_, err = s.Incr(ctx, "counter", longTTL)
			}
			if err != nil {
				errs <- err
				return
			}
		}
	})
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func testCanceledContext(t *testing.T, s state.Store, _ *harness) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Set(ctx, "k", []byte("v"), longTTL); !errors.Is(err, context.Canceled) {
		t.Errorf("Set with a canceled context: %v, want context.Canceled", err)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Get with a canceled context: %v, want context.Canceled", err)
	}
	if _, err := state.Seen(ctx, s, "k", longTTL); !errors.Is(err, context.Canceled) {
		t.Errorf("Seen with a canceled context: %v, want context.Canceled", err)
	}
	wantNotFound(t, s, "k")
}

func testClose(t *testing.T, s state.Store, _ *harness) {
	ctx := t.Context()
	mustSet(t, s, "k", []byte("v"), longTTL)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v, want nil", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, state.ErrClosed) {
		t.Errorf("Ping after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, state.ErrClosed) {
		t.Errorf("Get after Close: %v, want ErrClosed", err)
	}
	if err := s.Set(ctx, "k", []byte("v"), longTTL); !errors.Is(err, state.ErrClosed) {
		t.Errorf("Set after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Incr(ctx, "n", longTTL); !errors.Is(err, state.ErrClosed) {
		t.Errorf("Incr after Close: %v, want ErrClosed", err)
	}
}
