package state

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// seenMarker is the value stored by Seen; only the key's presence matters.
var seenMarker = []byte{'1'}

// Seen marks key as seen for ttl and reports whether it had already been
// seen, i.e. whether this is a duplicate. Exactly one of several concurrent
// callers with the same key gets duplicate == false.
//
// On error the caller decides whether to process (risking a duplicate) or
// drop the item. If processing a first-seen item fails and a redelivery
// should be processed, Delete the key.
func Seen(ctx context.Context, s Store, key string, ttl time.Duration) (duplicate bool, err error) {
	stored, err := s.SetNX(ctx, key, seenMarker, ttl)
	if err != nil {
		return false, fmt.Errorf("seen: %w", err)
	}
	return !stored, nil
}

// TryLock takes the lock named key for at most ttl without waiting. If another
// holder has it, ok is false, unlock is nil and err is nil.
//
// The lock is held under a random token, and unlock deletes the key only while
// it still holds that token, so a holder whose lock expired cannot release the
// next holder's lock; unlock then returns ErrLockLost, telling the caller that
// its work may have overlapped with another holder's. Choose ttl well above
// the work's expected duration. Calling unlock again after a successful unlock
// returns nil.
func TryLock(ctx context.Context, s Store, key string, ttl time.Duration) (unlock func(context.Context) error, ok bool, err error) {
	token := []byte(rand.Text())
	ok, err = s.SetNX(ctx, key, token, ttl)
	if err != nil {
		return nil, false, fmt.Errorf("lock: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	var (
		mu       sync.Mutex
		released bool
	)
	unlock = func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		if released {
			return nil
		}
		deleted, err := s.CompareAndDelete(ctx, key, token)
		if err != nil {
			return fmt.Errorf("unlock: %w", err)
		}
		released = true
		if !deleted {
			return ErrLockLost
		}
		return nil
	}
	return unlock, true, nil
}

// GetJSON reads the JSON value at key into a T. A missing or expired key
// returns ErrNotFound and the zero T.
func GetJSON[T any](ctx context.Context, s Store, key string) (T, error) {
	var v T
	data, err := s.Get(ctx, key)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return v, err
		}
		return v, fmt.Errorf("get json: %w", err)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		var zero T
		return zero, fmt.Errorf("state: get json: decode: %w", err)
	}
	return v, nil
}

// SetJSON stores v as JSON at key for ttl.
func SetJSON[T any](ctx context.Context, s Store, key string, v T, ttl time.Duration) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("state: set json: encode: %w", err)
	}
	if err := s.Set(ctx, key, data, ttl); err != nil {
		return fmt.Errorf("set json: %w", err)
	}
	return nil
}
