package state_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/state/statetest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// With Redis up, Fallback is a Store like any other: the contract holds.
func TestFallbackContract(t *testing.T) {
	mr, client := statetest.Miniredis(t)
	clk := clock.NewManual(time.Time{})
	n := 0
	statetest.Run(t, func(t *testing.T) state.Store {
		n++
		return &state.Fallback{Primary: state.NewRedis(client, fmt.Sprintf("fb%d:", n)), Secondary: state.NewMemory(clk.Now), Now: clk.Now}
	}, func(d time.Duration) { mr.FastForward(d); clk.Advance(d) })
}

// Redis stops: every operation still answers, from this process's memory, without waiting on Redis again until
// the retry pause is over; Redis comes back: the primary serves again, without a restart.
func TestFallbackRidesOutARedisOutage(t *testing.T) {
	mr := miniredis.RunT(t)
	addr := mr.Addr()
	client := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { _ = client.Close() })
	clk := clock.NewManual(time.Time{})
	f := &state.Fallback{Primary: state.NewRedis(client, "fb:"), Secondary: state.NewMemory(clk.Now), Now: clk.Now, Retry: 5 * time.Second}
	ctx := t.Context()
	if err := f.Set(ctx, "k", []byte("redis"), time.Minute); err != nil || f.Fallbacks() != 0 {
		t.Fatalf("with Redis up: %v, %d fallbacks", err, f.Fallbacks())
	}
	mr.Close()
	if ok, err := f.SetNX(ctx, "claim", []byte("x"), time.Minute); err != nil || !ok {
		t.Fatalf("SetNX during the outage: %v %v", ok, err)
	}
	if n, err := f.Incr(ctx, "turns", time.Minute); err != nil || n != 1 {
		t.Fatalf("Incr during the outage: %d %v", n, err)
	}
	if ok, _ := f.SetNX(ctx, "claim", []byte("x"), time.Minute); ok {
		t.Fatal("the memory keeps de-duplicating during the outage")
	}
	if err := f.Ping(ctx); err != nil {
		t.Fatalf("a replica with a memory fallback is ready: %v", err)
	}
	during := f.Fallbacks()
	if during < 3 {
		t.Fatalf("%d operations served by the fallback", during)
	}
	if err := mr.Restart(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(6 * time.Second) // past the retry pause
	if err := f.Set(ctx, "back", []byte("redis"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got := mr.Exists("fb:back"); !got || f.Fallbacks() != during {
		t.Fatalf("after Redis is back: in Redis %v, fallbacks %d→%d", got, during, f.Fallbacks())
	}
}
