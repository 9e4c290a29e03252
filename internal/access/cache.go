package access

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/store"
)

// stateCache keeps what the hot path reads from the store — access keys
// and the compiled policies of each principal — for as long as the store's
// generation does not move. Any committed write anywhere empties it, which
// is coarse but always correct; reads then refill it.
type stateCache struct {
	mu  sync.Mutex
	gen uint64
	// synced is gen, readable without mu: sync skips the lock while the
	// store's generation is the one the maps hold.
	synced   atomic.Uint64
	keys     map[string]resolvedKey
	policies map[principalKey]*policyBundle
	roles    map[string]store.Role // by account + "/" + lower-case name
	buckets  map[string]store.Bucket
}

type resolvedKey struct {
	key    store.AccessKey
	caller Caller
}

type principalKey struct {
	kind    store.EntityKind
	account string
	name    string // user name, or role id
}

// policyBundle is a principal's identity policies and boundary. It is
// shared between requests and never modified once built.
type policyBundle struct {
	// id is the unique id of the user or role the policies belong to, ""
	// when it does not exist. The cache is keyed by user name, and a
	// caller bound to another id (a deleted namesake's session) must not
	// get these policies.
	id       string
	identity []authz.Source
	boundary *authz.Source
	tags     []store.Tag
}

// noPolicies is the bundle of a principal that no longer exists.
var noPolicies = &policyBundle{}

func newStateCache() *stateCache {
	return &stateCache{keys: map[string]resolvedKey{}, policies: map[principalKey]*policyBundle{}, roles: map[string]store.Role{}, buckets: map[string]store.Bucket{}}
}

// sync drops everything when the store has moved on since the cache was filled.
func (c *stateCache) sync(ctx context.Context, st store.Store) (uint64, error) {
	gen, err := st.Generation(ctx)
	if err != nil {
		return 0, err
	}
	if c.synced.Load() == gen {
		return gen, nil // nothing to drop: what the lock would find
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		c.gen = gen
		c.keys = map[string]resolvedKey{}
		c.policies = map[principalKey]*policyBundle{}
		c.roles = map[string]store.Role{}
		c.buckets = map[string]store.Bucket{}
		c.synced.Store(gen)
	}
	return gen, nil
}

// maxCached bounds each map; past it, entries are simply not cached.
const maxCached = 100_000

func (c *stateCache) key(id string) (resolvedKey, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[id]
	return k, ok
}

func (c *stateCache) putKey(gen uint64, id string, k resolvedKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && len(c.keys) < maxCached {
		c.keys[id] = k
	}
}

func (c *stateCache) bundle(k principalKey) (*policyBundle, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.policies[k]
	return b, ok
}

func (c *stateCache) putBundle(gen uint64, k principalKey, b *policyBundle) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && len(c.policies) < maxCached {
		c.policies[k] = b
	}
}

// roleBytes looks a role up by its key in bytes (the map lookup does not
// copy it).
func (c *stateCache) roleBytes(k []byte) (store.Role, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.roles[string(k)]
	return r, ok
}

func (c *stateCache) putRole(gen uint64, k string, r store.Role) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && len(c.roles) < maxCached {
		c.roles[k] = r
	}
}

func (c *stateCache) bucket(name string) (store.Bucket, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.buckets[name]
	return b, ok
}

func (c *stateCache) putBucket(gen uint64, b store.Bucket) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen == gen && len(c.buckets) < maxCached {
		c.buckets[b.Name] = b
	}
}
