package statetest

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// Environment variables read by RealRedis.
const (
	// EnvRedisURL names the real Redis server for integration tests, e.g.
	// redis://127.0.0.1:6379/15. Tests write only under a fresh key prefix
	// and delete those keys afterwards, but use a database of its own anyway.
	EnvRedisURL = "VALTUUS_TEST_REDIS_URL"
	// EnvRequireServices set to 1 (as in CI) turns a missing or unreachable
	// server into a test failure instead of a skip.
	EnvRequireServices = "VALTUUS_REQUIRE_SERVICES"
)

// Miniredis starts an in-process miniredis server for the duration of tb and
// returns it (FastForward moves its clock) with a client connected to it.
func Miniredis(tb testing.TB) (*miniredis.Miniredis, *redis.Client) {
	tb.Helper()
	mr := miniredis.RunT(tb)
	client := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	tb.Cleanup(func() { _ = client.Close() })
	return mr, client
}

// RealRedis connects to the server named by VALTUUS_TEST_REDIS_URL and
// returns a client and a key prefix unique to this call; when tb ends, every
// key under the prefix is deleted and the client closed. Without the variable,
// or when the server does not answer, the test is skipped, or fails if
// VALTUUS_REQUIRE_SERVICES=1.
func RealRedis(tb testing.TB) (client *redis.Client, keyPrefix string) {
	tb.Helper()
	required := os.Getenv(EnvRequireServices) == "1"
	unavailable := func(format string, args ...any) {
		tb.Helper()
		if required {
			tb.Fatalf(format+" ("+EnvRequireServices+"=1)", args...)
		}
		tb.Skipf(format+" (set "+EnvRequireServices+"=1 to make this a failure)", args...)
	}

	rawURL := os.Getenv(EnvRedisURL)
	if rawURL == "" {
		unavailable("%s is not set: no real Redis server to test against", EnvRedisURL)
	}
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		// The error may quote the URL with its password: do not print it.
		unavailable("%s is not a valid Redis URL", EnvRedisURL)
	}
	client = redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		unavailable("Redis at %s (%s) is unreachable: %v", opts.Addr, EnvRedisURL, err)
	}

	keyPrefix = "valtuusbotti-test:" + strings.ToLower(rand.Text()[:16]) + ":"
	tb.Cleanup(func() { _ = client.Close() })
	tb.Cleanup(func() { deletePrefix(tb, client, keyPrefix) })
	return client, keyPrefix
}

// deletePrefix deletes every key under prefix, which must hold no glob
// characters.
func deletePrefix(tb testing.TB, client *redis.Client, prefix string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	var keys []string
	for iter.Next(ctx) {
		keys = append(keys, iter.Val())
	}
	if err := iter.Err(); err != nil {
		tb.Errorf("cleanup: scanning test keys: %v", err)
		return
	}
	for len(keys) > 0 {
		n := min(len(keys), 500)
		if err := client.Del(ctx, keys[:n]...).Err(); err != nil {
			tb.Errorf("cleanup: deleting test keys: %v", err)
			return
		}
		keys = keys[n:]
	}
}
