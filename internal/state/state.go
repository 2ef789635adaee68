// Package state owns Valtuusbotti's ephemeral state: dialog state, de-duplication
// of incoming activities, fixed-window rate-limit counters, small caches, and the
// sliding-window send slots of Teams' limits (Slots, slots.go), shared by replicas.
//
// Everything kept here may be lost without harm beyond a repeated prompt or a
// re-fetched value: durable data (mandates, conversation references) lives in
// the database, not here. Production uses Redis (see NewRedis and OpenRedis);
// a single-process deployment or a test uses the in-memory Memory store. Both
// satisfy the same contract, checked by the suite in package statetest.
//
// Keys are used verbatim (after the store's own prefix, for Redis), so callers
// namespace them, e.g. "dialog:<conversation id>" or "seen:<activity id>".
package state

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Errors returned by every Store. Other failures are wrapped with the
// operation that failed; they never contain the key or the value, which may
// hold user identifiers.
var (
	// ErrNotFound: the key is missing or has expired.
	ErrNotFound = errors.New("state: not found")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("state: store closed")
)

// MinTTL is the smallest accepted time-to-live: Redis keeps expiry in
// milliseconds, so a shorter TTL could not be honoured the same way by both
// stores.
const MinTTL = time.Millisecond

// Store is a key-value store of short-lived byte values. Every value has a
// time-to-live; there are no permanent keys. Implementations are safe for
// concurrent use.
type Store interface {
	// Get returns a copy of the value, or ErrNotFound when the key is missing
	// or expired.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl, replacing any value and TTL.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// SetNX stores value for ttl only if key is absent, and reports whether it
	// did. An existing value and its TTL are left untouched.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error)
	// Delete removes key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// Incr increments the decimal counter at key and returns the new count.
	// The first increment creates the key with a TTL of window; later
	// increments keep that TTL, so the counter resets window after its first
	// increment (a fixed window, not a sliding one). Incrementing a key that
	// holds a non-integer value fails.
	Incr(ctx context.Context, key string, window time.Duration) (int64, error)
	// Ping checks that the store is reachable.
	Ping(ctx context.Context) error
	// Close releases the store's resources. Later calls fail with ErrClosed;
	// closing twice is harmless.
	Close() error
}

// validKey rejects an empty key: it is nearly always a bug in building the key
// (an empty user or activity id), and sharing one key between all such callers
// would silently merge their state.
func validKey(key string) error {
	if key == "" {
		return errors.New("empty key")
	}
	return nil
}

func validTTL(ttl time.Duration) error {
	if ttl < MinTTL {
		return fmt.Errorf("ttl %v is below the minimum %v", ttl, MinTTL)
	}
	return nil
}

func validKeyTTL(key string, ttl time.Duration) error {
	if err := validKey(key); err != nil {
		return err
	}
	return validTTL(ttl)
}
