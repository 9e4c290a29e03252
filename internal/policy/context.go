package policy

import (
	"strings"
)

// Context holds the request's condition keys. Key names are compared
// case-insensitively, as IAM does; values keep their case. A key may carry
// several values (multi-valued keys such as aws:TagKeys).
//
// The keys (lower-cased) and their values are kept in one slice, searched
// in order: a request has a score of keys, for which a scan is as fast as
// a map's hash and costs one allocation instead of a map's several (and
// its growth). A context of more than maxScannedKeys keys also indexes
// them in a map. A clone copies the slice (its values are shared, each
// capped so that an Add to either side reallocates): neither sees the
// other's later changes.
type Context struct {
	pairs []contextPair
	// index locates each key in pairs once there are more than
	// maxScannedKeys; nil until then.
	index map[string]int
}

// contextPair is one key (lower-cased) and its values.
type contextPair struct {
	key    string
	values []string
}

// maxScannedKeys is the most keys a context finds by scanning; past it,
// it builds its index.
const maxScannedKeys = 32

// defaultContextKeys is the room NewContext makes.
const defaultContextKeys = 8

// NewContext returns an empty context.
func NewContext() *Context {
	return NewContextSize(defaultContextKeys)
}

// NewContextSize returns an empty context with room for n keys, so that
// filling it does not grow (and copy) its storage.
func NewContextSize(n int) *Context {
	return &Context{pairs: make([]contextPair, 0, max(n, 1))}
}

// find returns the position of lowerKey in pairs.
func (c *Context) find(lowerKey string) (int, bool) {
	if c.index != nil {
		i, ok := c.index[lowerKey]
		return i, ok
	}
	for i := range c.pairs {
		if c.pairs[i].key == lowerKey {
			return i, true
		}
	}
	return 0, false
}

// put sets lowerKey's values, adding the key if it is new.
func (c *Context) put(lowerKey string, values []string) {
	if i, ok := c.find(lowerKey); ok {
		c.pairs[i].values = values
		return
	}
	c.pairs = append(c.pairs, contextPair{key: lowerKey, values: values})
	switch {
	case c.index != nil:
		c.index[lowerKey] = len(c.pairs) - 1
	case len(c.pairs) > maxScannedKeys:
		c.reindex()
	}
}

// reindex rebuilds the index from pairs.
func (c *Context) reindex() {
	c.index = make(map[string]int, len(c.pairs)*2)
	for i := range c.pairs {
		c.index[c.pairs[i].key] = i
	}
}

// Set replaces the values of key.
func (c *Context) Set(key string, values ...string) {
	c.put(strings.ToLower(key), values)
}

// Add appends values to key.
func (c *Context) Add(key string, values ...string) {
	k := strings.ToLower(key)
	var old []string
	if i, ok := c.find(k); ok {
		old = c.pairs[i].values
	}
	// Capped: the old values may be shared with a clone.
	c.put(k, append(old[:len(old):len(old)], values...))
}

// Delete removes key.
func (c *Context) Delete(key string) {
	i, ok := c.find(strings.ToLower(key))
	if !ok {
		return
	}
	c.pairs = append(c.pairs[:i], c.pairs[i+1:]...)
	c.pairs[len(c.pairs):cap(c.pairs)][0] = contextPair{} // let the values go
	if c.index != nil {
		c.reindex()
	}
}

// Get returns the values of key and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	return c.lookup(strings.ToLower(key))
}

// lookup is Get for a key already lower-cased at compile time; it does not allocate.
func (c *Context) lookup(lowerKey string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	if i, ok := c.find(lowerKey); ok {
		return c.pairs[i].values, true
	}
	return nil, false
}

// variable resolves a policy variable: the first value of a present key.
func (c *Context) variable(lowerKey string) (string, bool) {
	v, ok := c.lookup(lowerKey)
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// each calls f for each key and its values, in the order the keys were
// added.
func (c *Context) each(f func(k string, v []string)) {
	for i := range c.pairs {
		f(c.pairs[i].key, c.pairs[i].values)
	}
}

// Keys returns the context's key names (lower-cased), for traces.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	keys := make([]string, 0, len(c.pairs))
	c.each(func(k string, _ []string) { keys = append(keys, k) })
	return keys
}

// SizeBytes estimates the memory the context holds (slots, keys,
// values), for callers that bound what they keep.
func (c *Context) SizeBytes() int {
	if c == nil {
		return 0
	}
	const perKey, perValue = 64, 16 // slot (with room to spare) and slice header; string header
	n := 48
	c.each(func(k string, v []string) {
		n += perKey + len(k)
		for _, s := range v {
			n += perValue + len(s)
		}
	})
	return n
}

// cloneSpare is the room a clone has for keys added to it: a check adds
// its own (one or two), the caller's (five, more with tags or a session)
// and the organization's (up to five) to the request's.
const cloneSpare = 12

// Clone returns an independent copy: changes to either are not seen by
// the other.
func (c *Context) Clone() *Context {
	if c == nil {
		return NewContext()
	}
	out := &Context{pairs: make([]contextPair, len(c.pairs), len(c.pairs)+cloneSpare)}
	copy(out.pairs, c.pairs)
	for i := range out.pairs {
		v := out.pairs[i].values
		out.pairs[i].values = v[:len(v):len(v)]
	}
	if c.index != nil {
		out.reindex()
	}
	return out
}
