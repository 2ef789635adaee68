package state

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Scripts run atomically on the server. Each touches a single key, so they
// also work on Redis Cluster.
var (
	// incrScript increments KEYS[1] and gives it a TTL of ARGV[1] ms when it
	// has none: on the first increment, and also if the key was somehow left
	// without a TTL, so a counter can never become permanent.
	incrScript = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 or redis.call("PTTL", KEYS[1]) < 0 then
	redis.call("PEXPIRE", KEYS[1], ARGV[1])
end
return n`)
)

// go-redis prints its connection pool's complaints straight to stderr. Every failure also reaches the caller as an
// error, which the service logs once with its context, so the library's own lines are dropped.
func init() { redis.SetLogger(silentLogger{}) }

type silentLogger struct{}

func (silentLogger) Printf(context.Context, string, ...interface{}) {}

// Redis is a Store on a Redis server (or cluster), shared by all instances of
// the service. Every key is stored under the store's prefix, so several
// deployments or test runs can share one database.
type Redis struct {
	client redis.UniversalClient
	prefix string
	owned  bool // Close closes client
	closed atomic.Bool
}

var _ Store = (*Redis)(nil)

// NewRedis returns a store on client that prepends keyPrefix (e.g.
// "valtuusbotti:") to every key. The caller keeps ownership of client: Close
// stops this store but does not close the client.
func NewRedis(client redis.UniversalClient, keyPrefix string) *Redis {
	return &Redis{client: client, prefix: keyPrefix}
}

// OpenRedis connects to the server named by rawURL
// (redis://[user:password@]host[:port][/db] or rediss:// for TLS; see
// redis.ParseURL for query options), checks it with PING and returns a store
// that owns the connection. The error never contains the URL, which may hold a
// password.
func OpenRedis(ctx context.Context, rawURL, keyPrefix string) (*Redis, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, password included: keep only the cause.
		if uerr, ok := errors.AsType[*url.Error](err); ok {
			err = uerr.Err
		}
		return nil, fmt.Errorf("state: open redis: parse url: %w", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("state: open redis: ping %s: %w", opts.Addr, err)
	}
	r := NewRedis(client, keyPrefix)
	r.owned = true
	return r, nil
}

// begin validates key and checks that the store is open; it returns the
// prefixed key.
func (r *Redis) begin(op, key string) (string, error) {
	if err := validKey(key); err != nil {
		return "", fmt.Errorf("state: redis %s: %w", op, err)
	}
	if r.closed.Load() {
		return "", fmt.Errorf("state: redis %s: %w", op, ErrClosed)
	}
	return r.prefix + key, nil
}

// Get implements Store.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	k, err := r.begin("get", key)
	if err != nil {
		return nil, err
	}
	v, err := r.client.Get(ctx, k).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("state: redis get: %w", err)
	}
	return v, nil
}

// Set implements Store.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	k, err := r.begin("set", key)
	if err != nil {
		return err
	}
	if err := validTTL(ttl); err != nil {
		return fmt.Errorf("state: redis set: %w", err)
	}
	if err := r.client.Set(ctx, k, value, ttl).Err(); err != nil {
		return fmt.Errorf("state: redis set: %w", err)
	}
	return nil
}

// SetNX implements Store.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	k, err := r.begin("setnx", key)
	if err != nil {
		return false, err
	}
	if err := validTTL(ttl); err != nil {
		return false, fmt.Errorf("state: redis setnx: %w", err)
	}
	ok, err := r.client.SetNX(ctx, k, value, ttl).Result()
	if err != nil {
		return false, fmt.Errorf("state: redis setnx: %w", err)
	}
	return ok, nil
}

// Delete implements Store.
func (r *Redis) Delete(ctx context.Context, key string) error {
	k, err := r.begin("delete", key)
	if err != nil {
		return err
	}
	if err := r.client.Del(ctx, k).Err(); err != nil {
		return fmt.Errorf("state: redis delete: %w", err)
	}
	return nil
}

// Incr implements Store.
func (r *Redis) Incr(ctx context.Context, key string, window time.Duration) (int64, error) {
	k, err := r.begin("incr", key)
	if err != nil {
		return 0, err
	}
	if err := validTTL(window); err != nil {
		return 0, fmt.Errorf("state: redis incr: %w", err)
	}
	n, err := incrScript.Run(ctx, r.client, []string{k}, window.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("state: redis incr: %w", err)
	}
	return n, nil
}

// Ping implements Store.
func (r *Redis) Ping(ctx context.Context) error {
	if r.closed.Load() {
		return fmt.Errorf("state: redis ping: %w", ErrClosed)
	}
	if err := r.client.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("state: redis ping: %w", err)
	}
	return nil
}

// Close implements Store. It closes the client only if OpenRedis created it.
func (r *Redis) Close() error {
	if r.closed.Swap(true) || !r.owned {
		return nil
	}
	if err := r.client.Close(); err != nil {
		return fmt.Errorf("state: redis close: %w", err)
	}
	return nil
}
