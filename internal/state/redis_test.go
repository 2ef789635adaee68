package state_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/valtuusbotti/valtuusbotti/internal/state"
	"github.com/valtuusbotti/valtuusbotti/internal/state/statetest"
	"github.com/valtuusbotti/valtuusbotti/internal/testfakes/clock"
)

// redisServer is a Redis server to run a test against: the client, a key
// prefix that is this test's alone, and the way to move the server's clock
// (nil for a real server).
type redisServer struct {
	client  *redis.Client
	prefix  string
	advance func(time.Duration)
	url     string // for OpenRedis; empty for miniredis
}

func miniredisServer(t testing.TB) redisServer {
	mr, client := statetest.Miniredis(t)
	return redisServer{
		client:  client,
		prefix:  "valtuusbotti:",
		advance: mr.FastForward,
		url:     "redis://" + mr.Addr() + "/0",
	}
}

// realServer skips the test, or fails it under VALTUUS_REQUIRE_SERVICES=1,
// when VALTUUS_TEST_REDIS_URL is not usable.
func realServer(t testing.TB) redisServer {
	client, prefix := statetest.RealRedis(t)
	return redisServer{client: client, prefix: prefix, url: os.Getenv(statetest.EnvRedisURL)}
}

// forEachServer runs fn as a subtest on miniredis and on the real server.
func forEachServer(t *testing.T, fn func(t *testing.T, srv redisServer)) {
	t.Run("miniredis", func(t *testing.T) { fn(t, miniredisServer(t)) })
	t.Run("real", func(t *testing.T) { fn(t, realServer(t)) })
}

func TestRedisContract(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv redisServer) {
		// Every subtest gets its own prefix on the shared server, so no
		// subtest sees another's keys.
		n := 0
		statetest.Run(t, func(t *testing.T) state.Store {
			n++
			s := state.NewRedis(srv.client, fmt.Sprintf("%ssub%d:", srv.prefix, n))
			t.Cleanup(func() { _ = s.Close() })
			return s
		}, srv.advance)
	})
}

func TestRedisKeyPrefixIsolation(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv redisServer) {
		ctx := t.Context()
		a := state.NewRedis(srv.client, srv.prefix+"a:")
		b := state.NewRedis(srv.client, srv.prefix+"b:")

		if err := a.Set(ctx, "k", []byte("from-a"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if _, err := b.Get(ctx, "k"); !errors.Is(err, state.ErrNotFound) {
			t.Fatalf("b.Get(k) after a.Set(k): %v, want ErrNotFound", err)
		}
		raw, err := srv.client.Get(ctx, srv.prefix+"a:k").Result()
		if err != nil || raw != "from-a" {
			t.Fatalf("raw GET of the prefixed key = %q, %v; want from-a", raw, err)
		}
		if n, err := srv.client.Exists(ctx, "k").Result(); err != nil || n != 0 {
			t.Fatalf("unprefixed key exists = %d, %v; want 0", n, err)
		}

		if err := b.Set(ctx, "k", []byte("from-b"), time.Minute); err != nil {
			t.Fatal(err)
		}
		if err := a.Delete(ctx, "k"); err != nil {
			t.Fatal(err)
		}
		if got, err := b.Get(ctx, "k"); err != nil || string(got) != "from-b" {
			t.Fatalf("b.Get(k) after a.Delete(k) = %q, %v; want from-b", got, err)
		}

		for _, s := range []*state.Redis{a, b} {
			if dup, err := state.Seen(ctx, s, "activity", time.Minute); err != nil || dup {
				t.Fatalf("Seen in each prefix = %v, %v; want a first delivery in both", dup, err)
			}
			if n, err := s.Incr(ctx, "rate", time.Minute); err != nil || n != 1 {
				t.Fatalf("Incr in each prefix = %d, %v; want 1 in both", n, err)
			}
		}
	})
}

// TestRedisIncrRepairsMissingTTL checks that a counter left without a TTL
// (by a crash of an older version, or a manual SET) gets one on the next
// increment instead of counting forever.
func TestRedisIncrRepairsMissingTTL(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv redisServer) {
		ctx := t.Context()
		s := state.NewRedis(srv.client, srv.prefix)
		if err := srv.client.Set(ctx, srv.prefix+"rate", "5", 0).Err(); err != nil {
			t.Fatal(err)
		}
		if n, err := s.Incr(ctx, "rate", time.Minute); err != nil || n != 6 {
			t.Fatalf("Incr = %d, %v; want 6", n, err)
		}
		ttl, err := srv.client.PTTL(ctx, srv.prefix+"rate").Result()
		if err != nil || ttl <= 0 || ttl > time.Minute {
			t.Fatalf("PTTL after Incr = %v, %v; want within (0, 1m]", ttl, err)
		}
	})
}

func TestRedisCloseLeavesSharedClientOpen(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv redisServer) {
		s := state.NewRedis(srv.client, srv.prefix)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		if err := srv.client.Ping(t.Context()).Err(); err != nil {
			t.Fatalf("the caller's client stopped working after the store's Close: %v", err)
		}
	})
}

func TestOpenRedis(t *testing.T) {
	forEachServer(t, func(t *testing.T, srv redisServer) {
		ctx := t.Context()
		s, err := state.OpenRedis(ctx, srv.url, srv.prefix)
		if err != nil {
			t.Fatalf("OpenRedis: %v", err)
		}
		if err := s.Set(ctx, "k", []byte("v"), time.Minute); err != nil {
			t.Fatal(err)
		}
		// The store writes under its prefix, visible to the test's client.
		if got, err := srv.client.Get(ctx, srv.prefix+"k").Result(); err != nil || got != "v" {
			t.Fatalf("raw GET = %q, %v; want v", got, err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := s.Ping(ctx); !errors.Is(err, state.ErrClosed) {
			t.Fatalf("Ping after Close: %v, want ErrClosed", err)
		}
	})
}

func TestOpenRedisErrorsHidePassword(t *testing.T) {
	const password = "s3cret-pw"
	// A port with nothing listening: take a free one and release it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := l.Addr().String()
	l.Close()

	for _, tc := range []struct{ name, url string }{
		{"unparsable", "redis://user:" + password + "@[::1"},
		{"bad scheme", "http://user:" + password + "@127.0.0.1:6379"},
		{"bad db", "redis://user:" + password + "@127.0.0.1:6379/x"},
		{"unreachable", "redis://user:" + password + "@" + closedAddr + "/0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
			defer cancel()
			s, err := state.OpenRedis(ctx, tc.url, "p:")
			if err == nil {
				s.Close()
				t.Fatal("OpenRedis succeeded, want an error")
			}
			if strings.Contains(err.Error(), password) {
				t.Fatalf("error reveals the password: %v", err)
			}
		})
	}
}

// BenchmarkSeen measures de-duplication of incoming activities: "new" is a
// first delivery (every activity once), "duplicate" a redelivery.
func BenchmarkSeen(b *testing.B) {
	ctx := context.Background()
	const ttl = 10 * time.Minute
	bench := func(b *testing.B, s state.Store, newKey func(i int) string) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if _, err := state.Seen(ctx, s, newKey(i), ttl); err != nil {
				b.Fatal(err)
			}
		}
	}
	unique := func(i int) string { return "seen:" + fmt.Sprint(i) }
	same := func(int) string { return "seen:same" }

	b.Run("memory/new", func(b *testing.B) {
		// The clock moves so old keys expire and the store stays at about
		// 10,000 live keys, as in steady service.
		clock := clock.NewManual(time.Time{})
		s := state.NewMemory(clock.Now)
		bench(b, s, func(i int) string {
			clock.Advance(ttl / 10000)
			return unique(i)
		})
	})
	b.Run("memory/duplicate", func(b *testing.B) {
		bench(b, state.NewMemory(nil), same)
	})
	b.Run("miniredis/new", func(b *testing.B) {
		srv := miniredisServer(b)
		bench(b, state.NewRedis(srv.client, srv.prefix), unique)
	})
	b.Run("miniredis/duplicate", func(b *testing.B) {
		srv := miniredisServer(b)
		bench(b, state.NewRedis(srv.client, srv.prefix), same)
	})
	b.Run("real/new", func(b *testing.B) {
		srv := realServer(b)
		bench(b, state.NewRedis(srv.client, srv.prefix), unique)
	})
}
