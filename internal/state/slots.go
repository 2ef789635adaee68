package state

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Window is one sliding-window rate limit: at most Limit events in any period of length Per.
type Window struct {
	Limit int
	Per   time.Duration
}

// SlotLog names one log of booked slots and the windows that apply to it, e.g. one Teams conversation (7 per
// second, 8 per 2 seconds…) or one tenant's budget (50 per second).
type SlotLog struct {
	Key     string
	Windows []Window
}

// Booking is the answer to Book. When OK, a slot at At is booked in every log; otherwise nothing was booked and At
// is the earliest time a slot would have been free then.
type Booking struct {
	At     time.Time
	OK     bool
	keys   []string
	member string
}

// Slots books send slots under sliding-window limits, in this process (MemorySlots) or in Redis, shared by every
// replica (RedisSlots). One booking takes a slot in several logs at once, at the earliest time at or after now that
// keeps every window of every log within its limit, and only if that time is no later than now+ahead: a caller
// that may wait only briefly books nothing it would not use. Bookings in a log are in time order (FIFO), so a log
// never holds entries later than the longest ahead anyone asked for, which bounds how long a newcomer can be held
// up behind others. Both implementations pass the same contract suite (slots_test.go).
type Slots interface {
	Book(ctx context.Context, logs []SlotLog, now time.Time, ahead time.Duration) (Booking, error)
	// Cancel gives back a slot booked but not used (the caller's wait was cut short).
	Cancel(ctx context.Context, b Booking) error
}

// validLogs copies logs without windows that mean nothing, and fails on an empty key.
func validLogs(logs []SlotLog) ([]SlotLog, error) {
	out := make([]SlotLog, 0, len(logs))
	for _, l := range logs {
		if err := validKey(l.Key); err != nil {
			return nil, err
		}
		var ws []Window
		for _, w := range l.Windows {
			if w.Limit >= 1 && w.Per > 0 {
				ws = append(ws, w)
			}
		}
		if len(ws) > 0 {
			out = append(out, SlotLog{Key: l.Key, Windows: ws})
		}
	}
	return out, nil
}

func longest(ws []Window) (per time.Duration, limit int) {
	for _, w := range ws {
		per, limit = max(per, w.Per), max(limit, w.Limit)
	}
	return per, limit
}

// MemorySlots is Slots in this process only.
type MemorySlots struct {
	mu        sync.Mutex
	logs      map[string]*memLog
	lastSweep time.Time
}

type memLog struct {
	at     []time.Time // sorted
	maxPer time.Duration
}

// NewMemorySlots returns an empty MemorySlots.
func NewMemorySlots() *MemorySlots { return &MemorySlots{logs: make(map[string]*memLog)} }

var _ Slots = (*MemorySlots)(nil)

// sweepSlotsEvery is how often logs with nothing inside their longest window are dropped.
const sweepSlotsEvery = time.Minute

// Book implements Slots.
func (m *MemorySlots) Book(ctx context.Context, logs []SlotLog, now time.Time, ahead time.Duration) (Booking, error) {
	if err := ctx.Err(); err != nil {
		return Booking{}, fmt.Errorf("state: memory book: %w", err)
	}
	logs, err := validLogs(logs)
	if err != nil {
		return Booking{}, fmt.Errorf("state: memory book: %w", err)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now)
	t := now
	lls := make([]*memLog, len(logs))
	for i, l := range logs {
		maxPer, maxLimit := longest(l.Windows)
		ll := m.logs[l.Key]
		if ll == nil {
			ll = &memLog{}
			m.logs[l.Key] = ll
		}
		ll.maxPer = max(ll.maxPer, maxPer)
		ll.at = trimSlots(ll.at, now.Add(-maxPer), maxLimit)
		t = earliestSlot(ll.at, l.Windows, t)
		lls[i] = ll
	}
	b := Booking{At: t}
	if t.Sub(now) > ahead {
		return b, nil
	}
	for i, ll := range lls {
		ll.at = append(ll.at, t) // t is not before any entry: the log stays sorted
		b.keys = append(b.keys, logs[i].Key)
	}
	b.OK = true
	return b, nil
}

// Cancel implements Slots.
func (m *MemorySlots) Cancel(_ context.Context, b Booking) error {
	if !b.OK {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, k := range b.keys {
		if ll := m.logs[k]; ll != nil {
			i := sort.Search(len(ll.at), func(i int) bool { return !ll.at[i].Before(b.At) })
			if i < len(ll.at) && ll.at[i].Equal(b.At) {
				ll.at = slices.Delete(ll.at, i, i+1)
			}
		}
	}
	return nil
}

// Len reports how many logs are kept (tests: idle logs are dropped).
func (m *MemorySlots) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.logs)
}

func (m *MemorySlots) sweep(now time.Time) {
	if now.Sub(m.lastSweep) < sweepSlotsEvery {
		return
	}
	m.lastSweep = now
	for k, ll := range m.logs {
		if n := len(ll.at); n == 0 || !ll.at[n-1].After(now.Add(-ll.maxPer)) {
			delete(m.logs, k)
		}
	}
}

// trimSlots drops entries at or before cutoff, which no window ending at or after now can hold, and all but the
// newest keep, which are all the windows ever look at.
func trimSlots(log []time.Time, cutoff time.Time, keep int) []time.Time {
	i := sort.Search(len(log), func(i int) bool { return log[i].After(cutoff) })
	if len(log)-i > keep {
		i = len(log) - keep
	}
	if i == 0 {
		return log
	}
	return slices.Delete(log, 0, i)
}

// earliestSlot returns the earliest time ≥ t, and not before the log's last entry, at which one more entry keeps
// every window within its limit. With every entry at or before the new one, only the window ending at the new
// entry gains it, and that window has room once log[len-Limit] has left it.
func earliestSlot(log []time.Time, windows []Window, t time.Time) time.Time {
	n := len(log)
	if n > 0 && log[n-1].After(t) {
		t = log[n-1]
	}
	for _, w := range windows {
		if n >= w.Limit {
			if free := log[n-w.Limit].Add(w.Per); free.After(t) {
				t = free
			}
		}
	}
	return t
}

// bookScript is earliestSlot and the booking over sorted sets, atomically. Scores are microseconds since the Unix
// epoch (exact in a double for centuries). KEYS are the logs; ARGV: now, ahead, the booking's member, then for each
// key the number of its windows followed by (limit, per) pairs. It returns {1, t} when booked at t, {0, t} when the
// earliest slot t is too far ahead (nothing booked).
var bookScript = redis.NewScript(`
local now = tonumber(ARGV[1])
local ahead = tonumber(ARGV[2])
local t = now
local i = 4
local keep = {}
for k = 1, #KEYS do
	local n = tonumber(ARGV[i]); i = i + 1
	local maxPer, maxLim = 0, 0
	local ws = {}
	for w = 1, n do
		local lim, per = tonumber(ARGV[i]), tonumber(ARGV[i + 1]); i = i + 2
		ws[w] = {lim, per}
		if per > maxPer then maxPer = per end
		if lim > maxLim then maxLim = lim end
	end
	keep[k] = maxPer
	redis.call("ZREMRANGEBYSCORE", KEYS[k], "-inf", now - maxPer)
	local cnt = redis.call("ZCARD", KEYS[k])
	if cnt > maxLim then
		redis.call("ZREMRANGEBYRANK", KEYS[k], 0, cnt - maxLim - 1)
		cnt = maxLim
	end
	if cnt > 0 then
		local last = redis.call("ZRANGE", KEYS[k], -1, -1, "WITHSCORES")
		t = math.max(t, tonumber(last[2]))
		for _, w in ipairs(ws) do
			if cnt >= w[1] then
				local e = redis.call("ZRANGE", KEYS[k], cnt - w[1], cnt - w[1], "WITHSCORES")
				t = math.max(t, tonumber(e[2]) + w[2])
			end
		end
	end
end
if t - now > ahead then return {0, t} end
for k = 1, #KEYS do
	redis.call("ZADD", KEYS[k], t, ARGV[3])
	redis.call("PEXPIRE", KEYS[k], math.floor((t - now + keep[k]) / 1000) + 1000)
end
return {1, t}`)

// RedisSlots is Slots in Redis, shared by every replica that uses the same prefix. On Redis Cluster the keys of one
// booking must hash to one slot: give them a common hash tag, e.g. "teams:{tenant}:conv:…" and "teams:{tenant}".
type RedisSlots struct {
	client redis.UniversalClient
	prefix string
	seq    atomic.Uint64
	id     string // this process, so members are unique across replicas
}

var _ Slots = (*RedisSlots)(nil)

// Slots returns the slot logs on r's server, under r's prefix.
func (r *Redis) Slots() *RedisSlots {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return &RedisSlots{client: r.client, prefix: r.prefix, id: hex.EncodeToString(b[:])}
}

// Book implements Slots.
func (s *RedisSlots) Book(ctx context.Context, logs []SlotLog, now time.Time, ahead time.Duration) (Booking, error) {
	logs, err := validLogs(logs)
	if err != nil {
		return Booking{}, fmt.Errorf("state: redis book: %w", err)
	}
	if len(logs) == 0 {
		return Booking{At: now, OK: true}, nil
	}
	member := s.id + ":" + strconv.FormatUint(s.seq.Add(1), 36)
	keys := make([]string, len(logs))
	args := []any{now.UnixMicro(), ahead.Microseconds(), member}
	for i, l := range logs {
		keys[i] = s.prefix + l.Key
		args = append(args, len(l.Windows))
		for _, w := range l.Windows {
			args = append(args, w.Limit, w.Per.Microseconds())
		}
	}
	res, err := bookScript.Run(ctx, s.client, keys, args...).Int64Slice()
	if err != nil {
		return Booking{}, fmt.Errorf("state: redis book: %w", err)
	}
	if len(res) != 2 {
		return Booking{}, errors.New("state: redis book: unexpected answer")
	}
	b := Booking{At: time.UnixMicro(res[1]).In(now.Location()), OK: res[0] == 1}
	if b.OK {
		b.keys, b.member = keys, member
	}
	return b, nil
}

// Cancel implements Slots.
func (s *RedisSlots) Cancel(ctx context.Context, b Booking) error {
	if !b.OK || b.member == "" {
		return nil
	}
	pipe := s.client.Pipeline()
	for _, k := range b.keys {
		pipe.ZRem(ctx, k, b.member)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("state: redis cancel: %w", err)
	}
	return nil
}
