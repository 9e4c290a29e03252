package policy

import (
	"strings"
	"sync/atomic"
)

// Context holds the request's condition keys. Key names are compared
// case-insensitively, as IAM does; values keep their case. A key may carry
// several values (multi-valued keys such as aws:TagKeys).
//
// A clone shares its parent's map instead of copying it: the clone keeps
// the parent's map as a read-only base under a map of its own, and the
// parent, once cloned, copies its map before its next change (copy on
// write). So neither sees the other's later changes, as with a copy, and
// a clone made to add a check's keys costs two small allocations.
type Context struct {
	values map[string][]string
	// base is the map of the context this one was cloned from, frozen:
	// keys in values shadow it. Nil unless the context is a clone.
	base map[string][]string
	// shared is set when a clone took values as its base: values must be
	// copied before it is changed.
	shared atomic.Bool
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

// own makes values the context's own to change: a copy if a clone shares it.
func (c *Context) own() {
	if !c.shared.Load() {
		return
	}
	c.values = copyValues(c.values, nil, 0)
	c.shared.Store(false)
}

// Set replaces the values of key.
func (c *Context) Set(key string, values ...string) {
	c.own()
	c.values[strings.ToLower(key)] = values
}

// Add appends values to key.
func (c *Context) Add(key string, values ...string) {
	c.own()
	k := strings.ToLower(key)
	old, ok := c.values[k]
	if !ok && c.base != nil {
		old = c.base[k]
	}
	// Capped: the old values may be shared with a clone or a base.
	c.values[k] = append(old[:len(old):len(old)], values...)
}

// Delete removes key.
func (c *Context) Delete(key string) {
	k := strings.ToLower(key)
	if c.base != nil {
		if _, ok := c.base[k]; ok {
			// A base key cannot be shadowed by absence: flatten first.
			c.values = copyValues(c.values, c.base, 0)
			c.base = nil
			c.shared.Store(false)
		}
	}
	c.own()
	delete(c.values, k)
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
	v, ok := c.values[lowerKey]
	if !ok && c.base != nil {
		v, ok = c.base[lowerKey]
	}
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

// each calls f for each key and its values, the clone's own shadowing
// its base's.
func (c *Context) each(f func(k string, v []string)) {
	for k, v := range c.values {
		f(k, v)
	}
	for k, v := range c.base {
		if _, shadowed := c.values[k]; !shadowed {
			f(k, v)
		}
	}
}

// Keys returns the context's key names (lower-cased), for traces.
func (c *Context) Keys() []string {
	if c == nil {
		return nil
	}
	keys := make([]string, 0, len(c.values)+len(c.base))
	c.each(func(k string, _ []string) { keys = append(keys, k) })
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
	c.each(func(k string, v []string) {
		n += perKey + len(k)
		for _, s := range v {
			n += perValue + len(s)
		}
	})
	return n
}

// cloneSpare is the room a clone has for keys added to it.
const cloneSpare = 8

// Clone returns an independent copy: changes to either are not seen by
// the other.
func (c *Context) Clone() *Context {
	if c == nil {
		return NewContext()
	}
	if c.base != nil {
		// A clone of a clone: flatten (one level of base only).
		return &Context{values: copyValues(c.values, c.base, cloneSpare)}
	}
	c.shared.Store(true)
	return &Context{values: make(map[string][]string, cloneSpare), base: c.values}
}

// copyValues copies values over base (keys in values win) into a new map
// with room for spare more keys. One backing array holds every value: a
// copy costs two allocations (plus the map's), not one per key. Each key's
// slice is capped, so an Add to one key reallocates instead of overwriting
// the next key's (or a sharer's).
func copyValues(values, base map[string][]string, spare int) map[string][]string {
	total, keys := 0, len(values)
	for _, v := range values {
		total += len(v)
	}
	for k, v := range base {
		if _, shadowed := values[k]; !shadowed {
			total += len(v)
			keys++
		}
	}
	backing := make([]string, 0, total)
	out := make(map[string][]string, keys+spare)
	put := func(k string, v []string) {
		if len(v) == 0 {
			out[k] = nil
			return
		}
		start := len(backing)
		backing = append(backing, v...)
		out[k] = backing[start:len(backing):len(backing)]
	}
	for k, v := range base {
		if _, shadowed := values[k]; !shadowed {
			put(k, v)
		}
	}
	for k, v := range values {
		put(k, v)
	}
	return out
}
