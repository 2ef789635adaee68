package connector

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Window is one sliding-window rate limit: at most Limit requests in any period of length Per.
type Window struct {
	Limit int
	Per   time.Duration
}

// RateLimits configures the client's own throttling, applied before each HTTP attempt.
// Zero slices take the defaults of DefaultRateLimits.
type RateLimits struct {
	// PerConversation limits apply to each conversation (a channel thread counts as its
	// channel conversation).
	PerConversation []Window
	// Global limits apply to all requests of the client together.
	Global []Window
	// Disabled turns throttling off (benchmarks, tests of other behaviour).
	Disabled bool
}

// DefaultRateLimits returns Teams' published per-bot limits: per conversation 7 per second,
// 8 per 2 seconds, 60 per 30 seconds and 1800 per hour, and about 50 requests per second
// per app and tenant.
func DefaultRateLimits() RateLimits {
	return RateLimits{
		PerConversation: []Window{
			{Limit: 7, Per: time.Second},
			{Limit: 8, Per: 2 * time.Second},
			{Limit: 60, Per: 30 * time.Second},
			{Limit: 1800, Per: time.Hour},
		},
		Global: []Window{{Limit: 50, Per: time.Second}},
	}
}

// sweepEvery is how often idle conversations are dropped from the limiter.
const sweepEvery = time.Minute

// limiter hands out send slots. A caller reserves the earliest time at which both its
// conversation's and the global windows allow one more request, then sleeps until then.
// Reservations are FIFO within a conversation, so a conversation's log is sorted and every
// new entry is its latest. The global log is not FIFO: a conversation that may send now is
// not held up behind one that has to wait for its hourly quota, so its entries may lie in
// the future and new ones are inserted in order.
type limiter struct {
	conv    []Window
	global  []Window
	convMax time.Duration // longest per-conversation window: older entries never matter
	convCap int           // largest per-conversation limit: older entries never matter
	globMax time.Duration

	mu        sync.Mutex
	convs     map[string][]time.Time
	glob      []time.Time
	lastSweep time.Time
}

func newLimiter(l RateLimits) *limiter {
	if l.Disabled {
		return nil
	}
	def := DefaultRateLimits()
	if len(l.PerConversation) == 0 {
		l.PerConversation = def.PerConversation
	}
	if len(l.Global) == 0 {
		l.Global = def.Global
	}
	lim := &limiter{
		conv:   validWindows(l.PerConversation),
		global: validWindows(l.Global),
		convs:  make(map[string][]time.Time),
	}
	for _, w := range lim.conv {
		lim.convMax = max(lim.convMax, w.Per)
		lim.convCap = max(lim.convCap, w.Limit)
	}
	for _, w := range lim.global {
		lim.globMax = max(lim.globMax, w.Per)
	}
	return lim
}

// validWindows copies ws without windows that cannot be satisfied or mean nothing.
func validWindows(ws []Window) []Window {
	var out []Window
	for _, w := range ws {
		if w.Limit >= 1 && w.Per > 0 {
			out = append(out, w)
		}
	}
	return out
}

// conversationKey is the rate-limit key of a conversation id: a reply inside a channel
// thread ("19:…@thread.tacv2;messageid=…") counts against the channel conversation.
func conversationKey(conversationID string) string {
	base, _, _ := strings.Cut(conversationID, ";messageid=")
	return base
}

// reserve books a slot for one request on conversation key ("" = global limits only) and
// returns when it may be sent. The booking counts even if the caller never sends; call
// release to give back a slot that will not be used.
func (l *limiter) reserve(key string, now time.Time) time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)

	t := now
	var log []time.Time
	if key != "" {
		log = trimLog(l.convs[key], now.Add(-l.convMax), l.convCap)
		t = earliestFIFO(log, l.conv, t)
	}
	l.glob = trimLog(l.glob, now.Add(-l.globMax), 0)
	t = earliestInsert(l.glob, l.global, t)

	l.glob = insertSorted(l.glob, t)
	if key != "" {
		l.convs[key] = append(log, t)
	}
	return t
}

// release gives back a slot booked by reserve that will not be used.
func (l *limiter) release(key string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.glob = removeOne(l.glob, at)
	if key != "" {
		if log, ok := l.convs[key]; ok {
			l.convs[key] = removeOne(log, at)
		}
	}
}

// conversations returns how many conversations the limiter currently tracks.
func (l *limiter) conversations() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.convs)
}

// sweep drops conversations with no entry inside the longest window, so that state stays
// bounded by the conversations active in the last hour. Called with l.mu held.
func (l *limiter) sweep(now time.Time) {
	if now.Sub(l.lastSweep) < sweepEvery {
		return
	}
	l.lastSweep = now
	cutoff := now.Add(-l.convMax)
	for k, log := range l.convs {
		if len(log) == 0 || !log[len(log)-1].After(cutoff) {
			delete(l.convs, k)
		}
	}
}

// trimLog drops entries at or before cutoff and, when keep > 0, all but the newest keep.
func trimLog(log []time.Time, cutoff time.Time, keep int) []time.Time {
	i := sort.Search(len(log), func(i int) bool { return log[i].After(cutoff) })
	if keep > 0 && len(log)-i > keep {
		i = len(log) - keep
	}
	if i == 0 {
		return log
	}
	return slices.Delete(log, 0, i)
}

// earliestFIFO returns the earliest time ≥ t, and not before the log's last entry, at which
// one more entry keeps every window within its limit. A window (s-Per, s] holds at most
// Limit entries; with all entries ≤ the new one, only the window ending at the new entry
// changes, and it is within its limit once log[len-Limit] has left it.
func earliestFIFO(log []time.Time, windows []Window, t time.Time) time.Time {
	if n := len(log); n > 0 && log[n-1].After(t) {
		t = log[n-1]
	}
	for _, w := range windows {
		if n := len(log); n >= w.Limit {
			if free := log[n-w.Limit].Add(w.Per); free.After(t) {
				t = free
			}
		}
	}
	return t
}

// earliestInsert returns the earliest time ≥ t at which an entry can be inserted into the
// sorted log without any window exceeding its limit, entries after t included. Validity
// only changes where an entry leaves a window, so the candidates are t and every entry+Per.
func earliestInsert(log []time.Time, windows []Window, t time.Time) time.Time {
	if fits(log, windows, t) {
		return t
	}
	var cands []time.Time
	for _, e := range log {
		for _, w := range windows {
			if c := e.Add(w.Per); c.After(t) {
				cands = append(cands, c)
			}
		}
	}
	slices.SortFunc(cands, func(a, b time.Time) int { return a.Compare(b) })
	for _, c := range cands {
		if fits(log, windows, c) {
			return c
		}
	}
	// Past the last entry+Per every window holds only the new entry; not reached unless
	// a limit is below 1.
	return t
}

// fits reports whether inserting t keeps every window within its limit. The windows that
// gain the entry end at s ∈ [t, t+Per); their counts peak at s = t or at an entry.
func fits(log []time.Time, windows []Window, t time.Time) bool {
	count := func(end time.Time, per time.Duration) int {
		// entries in (end-per, end]
		hi := sort.Search(len(log), func(i int) bool { return log[i].After(end) })
		lo := sort.Search(len(log), func(i int) bool { return log[i].After(end.Add(-per)) })
		return hi - lo
	}
	for _, w := range windows {
		if count(t, w.Per) >= w.Limit {
			return false
		}
		start := sort.Search(len(log), func(i int) bool { return !log[i].Before(t) })
		for i := start; i < len(log) && log[i].Before(t.Add(w.Per)); i++ {
			if count(log[i], w.Per) >= w.Limit {
				return false
			}
		}
	}
	return true
}

func insertSorted(log []time.Time, t time.Time) []time.Time {
	i := sort.Search(len(log), func(i int) bool { return log[i].After(t) })
	return slices.Insert(log, i, t)
}

func removeOne(log []time.Time, t time.Time) []time.Time {
	i := sort.Search(len(log), func(i int) bool { return !log[i].Before(t) })
	if i < len(log) && log[i].Equal(t) {
		return slices.Delete(log, i, i+1)
	}
	return log
}
