package policy

import "strings"

// Context holds the request's condition keys. Key names are compared
// case-insensitively, as IAM does; values keep their case. A key may carry
// several values (multi-valued keys such as aws:TagKeys).
type Context struct {
	values map[string][]string
}

// NewContext returns an empty context.
func NewContext() *Context {
	return &Context{values: make(map[string][]string)}
}

// NewContextSize returns an empty context with room for n keys, so that
// filling it does not grow (and copy) its map.
func NewContextSize(n int) *Context {
	return &Context{values: make(map[string][]string, n)}
}

// Set replaces the values of key.
func (c *Context) Set(key string, values ...string) {
	c.values[strings.ToLower(key)] = values
}

// Add appends values to key.
func (c *Context) Add(key string, values ...string) {
	k := strings.ToLower(key)
	c.values[k] = append(c.values[k], values...)
}

// Delete removes key.
func (c *Context) Delete(key string) {
	delete(c.values, strings.ToLower(key))
}

// Get returns the values of key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.values[strings.ToLower(key)]
	return v, ok
}

// lookup is Get for a key already lower-cased at compile time; it does not allocate.
func (c *Context) lookup(lowerKey string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.values[lowerKey]
	return v, ok
}

// variable resolves a policy variable: the first value of a present key.
func (c *Context) variable(lowerKey string) (string, bool) {
	v, ok := c.lookup(lowerKey)
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// Keys returns the context's key names (lower-cased), for traces.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	keys := make([]string, 0, len(c.values))
	for k := range c.values {
		keys = append(keys, k)
	}
	return keys
}

// SizeBytes estimates the memory the context holds (map slots, keys,
// values), for callers that bound what they keep.
func (c *Context) SizeBytes() int {
	if c == nil {
		return 0
	}
	const perKey, perValue = 64, 16 // map slot and slice header; string header
	n := 48
	for k, v := range c.values {
		n += perKey + len(k)
		for _, s := range v {
			n += perValue + len(s)
		}
	}
	return n
}

// Clone returns an independent copy.
// cloneSpare is the room a clone has for keys added to it.
const cloneSpare = 8

func (c *Context) Clone() *Context {
	if c == nil {
		return NewContext()
	}
	// One backing array for every value: a copy costs two allocations
	// (plus the map's), not one per key. Each key's slice is capped, so an
	// Add to one key reallocates instead of overwriting the next key's.
	total := 0
	for _, v := range c.values {
		total += len(v)
	}
	backing := make([]string, 0, total)
	// The copy has room for cloneSpare more keys: a clone is made to add
	// the keys of one check (S3's, STS's) without growing its map.
	out := &Context{values: make(map[string][]string, len(c.values)+cloneSpare)}
	for k, v := range c.values {
		if len(v) == 0 {
			out.values[k] = nil
			continue
		}
		start := len(backing)
		backing = append(backing, v...)
		out.values[k] = backing[start:len(backing):len(backing)]
	}
	return out
}
