package directory

import (
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/valtuusbotti/valtuusbotti/internal/domain"
)

// Defaults for Cached.
const (
	// DefaultCacheTTL is used when NewCached gets a TTL of zero or less. Org-chart changes (a new manager, a
	// disabled account) become visible after at most this long.
	DefaultCacheTTL = 10 * time.Minute
	// DefaultCacheSize bounds the number of cached answers (users and managers together); the least recently used
	// go first.
	DefaultCacheSize = 10000
	// cacheCallTimeout bounds one shared backend call. The call is detached from the caller that started it, so
	// that one caller giving up does not fail everybody waiting for the same answer.
	cacheCallTimeout = 30 * time.Second
)

// Cached is a Directory that remembers User and Manager answers per object id for a TTL, including the
// not-found answers ("unknown user", "no manager"); other errors are never cached. Concurrent misses for the same
// answer share one backend call. DirectReports is passed through uncached. Safe for concurrent use.
type Cached struct {
	d           Directory
	ttl         time.Duration
	now         func() time.Time
	max         int
	callTimeout time.Duration

	mu    sync.Mutex
	items map[cacheKey]*list.Element // values are *cacheItem
	lru   *list.List                 // front = most recently used
	calls map[cacheKey]*cacheCall
}

var (
	_ Directory = (*Cached)(nil)
	_ Finder    = (*Cached)(nil)
)

type cacheKind uint8

const (
	kindUser cacheKind = iota + 1
	kindManager
)

type cacheKey struct {
	kind cacheKind
	id   string
}

type cacheItem struct {
	key     cacheKey
	user    domain.User
	err     error
	expires time.Time
}

// cacheCall is one backend call in flight; done is closed when user and err are set.
type cacheCall struct {
	done    chan struct{}
	user    domain.User
	err     error
	waiters int // callers waiting on it; read by tests
}

// NewCached wraps d. ttl <= 0 means DefaultCacheTTL; now == nil means time.Now.
func NewCached(d Directory, ttl time.Duration, now func() time.Time) *Cached {
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	if now == nil {
		now = time.Now
	}
	return &Cached{
		d:           d,
		ttl:         ttl,
		now:         now,
		max:         DefaultCacheSize,
		callTimeout: cacheCallTimeout,
		items:       make(map[cacheKey]*list.Element),
		lru:         list.New(),
		calls:       make(map[cacheKey]*cacheCall),
	}
}

// User implements Directory.
func (c *Cached) User(ctx context.Context, id string) (domain.User, error) {
	return c.get(ctx, kindUser, id, c.d.User)
}

// Manager implements Directory. A manager found is also remembered as a user.
func (c *Cached) Manager(ctx context.Context, id string) (domain.User, error) {
	return c.get(ctx, kindManager, id, c.d.Manager)
}

// DirectReports implements Directory; it is not cached.
func (c *Cached) DirectReports(ctx context.Context, id string) ([]domain.User, error) {
	return c.d.DirectReports(ctx, id)
}

// UserByMail implements Finder when the wrapped directory does; it is not cached (an import asks once per row).
func (c *Cached) UserByMail(ctx context.Context, mail string) (domain.User, error) {
	f, ok := c.d.(Finder)
	if !ok {
		return domain.User{}, errNoFinder("directory.Cached.UserByMail")
	}
	return f.UserByMail(ctx, mail)
}

// UsersByName implements Finder when the wrapped directory does; it is not cached.
func (c *Cached) UsersByName(ctx context.Context, name string) ([]domain.User, error) {
	f, ok := c.d.(Finder)
	if !ok {
		return nil, errNoFinder("directory.Cached.UsersByName")
	}
	return f.UsersByName(ctx, name)
}

func errNoFinder(op string) error {
	return &domain.Error{Code: domain.EInternal, Op: op, Message: "this directory cannot find people by e-mail or name"}
}

// Forget drops everything cached about the person, e.g. after a directory change notification.
func (c *Cached) Forget(id string) {
	cid, ok := CanonicalID(id)
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range []cacheKind{kindUser, kindManager} {
		if el, ok := c.items[cacheKey{k, cid}]; ok {
			c.remove(el)
		}
	}
}

// Len returns the number of cached answers.
func (c *Cached) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}

func (c *Cached) get(ctx context.Context, kind cacheKind, id string, fetch func(context.Context, string) (domain.User, error)) (domain.User, error) {
	cid, ok := CanonicalID(id)
	if !ok {
		// Not an object id: the backend gives the right error, and there is nothing worth keeping.
		return fetch(ctx, id)
	}
	key := cacheKey{kind, cid}

	c.mu.Lock()
	if el, ok := c.items[key]; ok {
		it := el.Value.(*cacheItem)
		if c.now().Before(it.expires) {
			c.lru.MoveToFront(el)
			c.mu.Unlock()
			return CloneUser(it.user), it.err
		}
		c.remove(el)
	}
	call, inFlight := c.calls[key]
	if !inFlight && ctx.Err() != nil {
		// Nobody is waiting for this answer: do not start a backend call for a caller that has gone.
		c.mu.Unlock()
		return domain.User{}, &domain.Error{Code: domain.EUnavailable, Op: "directory.Cached", Message: "the directory did not answer in time", Err: ctx.Err()}
	}
	if !inFlight {
		call = &cacheCall{done: make(chan struct{})}
		c.calls[key] = call
		go c.fill(ctx, key, call, fetch)
	}
	call.waiters++
	c.mu.Unlock()

	select {
	case <-call.done:
		return CloneUser(call.user), call.err
	case <-ctx.Done():
		c.mu.Lock()
		call.waiters--
		c.mu.Unlock()
		return domain.User{}, &domain.Error{Code: domain.EUnavailable, Op: "directory.Cached", Message: "the directory did not answer in time", Err: ctx.Err()}
	}
}

// fill runs one backend call for key and publishes the answer to the cache and to every waiter.
func (c *Cached) fill(ctx context.Context, key cacheKey, call *cacheCall, fetch func(context.Context, string) (domain.User, error)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.callTimeout)
	defer cancel()
	u, err := fetch(ctx, key.id)

	c.mu.Lock()
	defer c.mu.Unlock()
	// Store before waking the waiters, so that the answer is in the cache (with its expiry) when they return.
	if err == nil || domain.IsCode(err, domain.ENotFound) {
		c.store(key, u, err)
		if key.kind == kindManager && err == nil {
			if mid, ok := CanonicalID(u.ID); ok {
				c.store(cacheKey{kindUser, mid}, u, nil)
			}
		}
	}
	call.user, call.err = u, err
	delete(c.calls, key)
	close(call.done)
}

// store adds or replaces an answer and evicts the least recently used beyond the bound. c.mu must be held.
func (c *Cached) store(key cacheKey, u domain.User, err error) {
	if el, ok := c.items[key]; ok {
		c.remove(el)
	}
	c.items[key] = c.lru.PushFront(&cacheItem{key: key, user: CloneUser(u), err: err, expires: c.now().Add(c.ttl)})
	for c.lru.Len() > c.max {
		c.remove(c.lru.Back())
	}
}

func (c *Cached) remove(el *list.Element) {
	delete(c.items, el.Value.(*cacheItem).key)
	c.lru.Remove(el)
}

// waiting returns how many callers wait for the backend call for key; for tests.
func (c *Cached) waiting(kind cacheKind, id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if call, ok := c.calls[cacheKey{kind, id}]; ok {
		return call.waiters
	}
	return 0
}
