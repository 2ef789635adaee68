package state

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"
)

// minSweepInterval is the fewest writes between two sweeps of expired
// entries, so a small store is not swept on every few writes.
const minSweepInterval = 64

// Memory is an in-process Store for a single instance and for tests. Expiry
// follows the injected clock. It runs no goroutines: expired entries are
// dropped when read, and the rest by a sweep that runs once there have been as
// many writes as there were entries left by the previous sweep (at least 64).
// The map thus holds at most about twice the peak of live entries, and the
// sweep costs a constant amount per write, amortised.
type Memory struct {
	now func() time.Time

	mu      sync.Mutex
	entries map[string]memoryEntry
	writes  int // writes since the last sweep
	sweepAt int // writes that trigger the next sweep
	closed  bool
}

type memoryEntry struct {
	value   []byte
	expires time.Time
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store whose expiry follows now; a nil
// now means time.Now.
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, entries: make(map[string]memoryEntry), sweepAt: minSweepInterval}
}

// begin checks the context and the closed flag and locks the store; the
// caller must call m.mu.Unlock.
func (m *Memory) begin(ctx context.Context, op string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("state: memory %s: %w", op, err)
	}
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return fmt.Errorf("state: memory %s: %w", op, ErrClosed)
	}
	return nil
}

// live returns the unexpired entry at key, deleting it if it has expired.
// m.mu must be held.
func (m *Memory) live(key string, now time.Time) (memoryEntry, bool) {
	e, ok := m.entries[key]
	if !ok {
		return memoryEntry{}, false
	}
	if !now.Before(e.expires) {
		delete(m.entries, key)
		return memoryEntry{}, false
	}
	return e, true
}

// wrote counts a write and sweeps expired entries when due. m.mu must be held.
func (m *Memory) wrote(now time.Time) {
	m.writes++
	if m.writes < m.sweepAt {
		return
	}
	for k, e := range m.entries {
		if !now.Before(e.expires) {
			delete(m.entries, k)
		}
	}
	m.writes = 0
	m.sweepAt = max(minSweepInterval, len(m.entries))
}

// Get implements Store.
func (m *Memory) Get(ctx context.Context, key string) ([]byte, error) {
	if err := validKey(key); err != nil {
		return nil, fmt.Errorf("state: memory get: %w", err)
	}
	if err := m.begin(ctx, "get"); err != nil {
		return nil, err
	}
	defer m.mu.Unlock()
	e, ok := m.live(key, m.now())
	if !ok {
		return nil, ErrNotFound
	}
	return bytes.Clone(e.value), nil
}

// Set implements Store.
func (m *Memory) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := validKeyTTL(key, ttl); err != nil {
		return fmt.Errorf("state: memory set: %w", err)
	}
	if err := m.begin(ctx, "set"); err != nil {
		return err
	}
	defer m.mu.Unlock()
	now := m.now()
	m.entries[key] = memoryEntry{value: cloneValue(value), expires: now.Add(ttl)}
	m.wrote(now)
	return nil
}

// SetNX implements Store.
func (m *Memory) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	if err := validKeyTTL(key, ttl); err != nil {
		return false, fmt.Errorf("state: memory setnx: %w", err)
	}
	if err := m.begin(ctx, "setnx"); err != nil {
		return false, err
	}
	defer m.mu.Unlock()
	now := m.now()
	if _, ok := m.live(key, now); ok {
		return false, nil
	}
	m.entries[key] = memoryEntry{value: cloneValue(value), expires: now.Add(ttl)}
	m.wrote(now)
	return true, nil
}

// Delete implements Store.
func (m *Memory) Delete(ctx context.Context, key string) error {
	if err := validKey(key); err != nil {
		return fmt.Errorf("state: memory delete: %w", err)
	}
	if err := m.begin(ctx, "delete"); err != nil {
		return err
	}
	defer m.mu.Unlock()
	delete(m.entries, key)
	return nil
}

// Incr implements Store. Like Redis, it keeps the counter as a decimal string,
// so Get returns e.g. "3".
func (m *Memory) Incr(ctx context.Context, key string, window time.Duration) (int64, error) {
	if err := validKeyTTL(key, window); err != nil {
		return 0, fmt.Errorf("state: memory incr: %w", err)
	}
	if err := m.begin(ctx, "incr"); err != nil {
		return 0, err
	}
	defer m.mu.Unlock()
	now := m.now()
	e, ok := m.live(key, now)
	if !ok {
		e = memoryEntry{expires: now.Add(window)}
	}
	var n int64
	if ok {
		var err error
		n, err = strconv.ParseInt(string(e.value), 10, 64)
		if err != nil {
			return 0, errors.New("state: memory incr: value is not an integer")
		}
		if n == math.MaxInt64 {
			return 0, errors.New("state: memory incr: counter would overflow")
		}
	}
	n++
	e.value = strconv.AppendInt(nil, n, 10)
	m.entries[key] = e
	m.wrote(now)
	return n, nil
}

// Ping implements Store.
func (m *Memory) Ping(ctx context.Context) error {
	if err := m.begin(ctx, "ping"); err != nil {
		return err
	}
	m.mu.Unlock()
	return nil
}

// Close implements Store; it drops all entries.
func (m *Memory) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closed = true
	m.entries = nil
	return nil
}

// cloneValue copies value so the caller may reuse its slice; nil becomes an
// empty value, as in Redis.
func cloneValue(value []byte) []byte {
	return append([]byte{}, value...)
}
