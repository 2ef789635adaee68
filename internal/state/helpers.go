package state

import (
	"context"
	"fmt"
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
