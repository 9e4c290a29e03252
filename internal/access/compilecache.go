package access

import (
	"container/list"
	"sync"

	"github.com/sekisho/sekisho/internal/policy"
)

// DefaultCompiledPolicyBudget is how many bytes compiled policies may hold
// by default. A compiled policy can take tens of times its text (a 20 KB
// bucket policy of Resource patterns takes about 750 KiB), so the cache
// is bounded by estimated bytes, not entries: no account can grow the
// server's memory by writing large policies and having them evaluated.
const DefaultCompiledPolicyBudget = 64 << 20

// compileCache keeps compiled documents by (type, text) within a budget
// of estimated bytes (footprint), dropping the least recently used first.
// A hit moves its entry to the front and allocates nothing.
type compileCache struct {
	mu     sync.Mutex
	budget int
	used   int
	items  map[compileKey]*list.Element
	lru    list.List // of *compileEntry, most recently used first
}

type compileKey struct {
	t   policy.Type
	doc string
}

type compileEntry struct {
	key    compileKey
	policy *policy.Policy
	size   int // footprint(key.doc)
}

func newCompileCache(budget int) *compileCache {
	return &compileCache{budget: budget, items: make(map[compileKey]*list.Element)}
}

func (c *compileCache) get(doc string, t policy.Type) (*policy.Policy, error) {
	k := compileKey{t, doc}
	c.mu.Lock()
	if e, ok := c.items[k]; ok {
		c.lru.MoveToFront(e)
		p := e.Value.(*compileEntry).policy
		c.mu.Unlock()
		return p, nil
	}
	c.mu.Unlock()
	// Stored documents were validated when written; the limits are lifted
	// here so a policy written under a larger limit still loads.
	p, err := policy.ParseWithOptions(doc, t, policy.Options{MaxSize: 1 << 20})
	if err != nil {
		return nil, err
	}
	c.put(k, p)
	return p, nil
}

// put caches p unless it alone exceeds the budget, evicting the least
// recently used entries to make room.
func (c *compileCache) put(k compileKey, p *policy.Policy) {
	size := footprint(k.doc)
	if size > c.budget {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return // compiled meanwhile by another request
	}
	for c.used+size > c.budget {
		c.evictOldest()
	}
	c.items[k] = c.lru.PushFront(&compileEntry{key: k, policy: p, size: size})
	c.used += size
}

func (c *compileCache) evictOldest() {
	e := c.lru.Back()
	old := c.lru.Remove(e).(*compileEntry)
	delete(c.items, old.key)
	c.used -= old.size
}

// stats reports the entries cached and their estimated bytes.
func (c *compileCache) stats() (entries, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.items), c.used
}
