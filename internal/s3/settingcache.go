package s3

import "sync"

// settingCache caches a value read from a bucket's settings (its
// versioning state, its default encryption) for one store generation:
// every write of a setting advances the generation, so an entry never
// outlives the setting it was read from, and object reads and writes need
// no store query of their own.
type settingCache[V any] struct {
	mu     sync.Mutex
	gen    uint64
	values map[string]V
}

func (c *settingCache[V]) get(gen uint64, bucket string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		var zero V
		return zero, false
	}
	v, ok := c.values[bucket]
	return v, ok
}

func (c *settingCache[V]) put(gen uint64, bucket string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.values == nil {
		c.gen, c.values = gen, map[string]V{}
	}
	if len(c.values) < maxCachedSettings {
		c.values[bucket] = v
	}
}

// maxCachedSettings bounds each cache; past it, settings are read each time.
const maxCachedSettings = 100_000
