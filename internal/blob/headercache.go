package blob

import (
	"encoding/json"
	"fmt"
	"maps"
	"sync"
)

// headerCache maps the raw bytes of an object header (fixed part and
// JSON) to the Info they decode to, so that reading a popular object does
// not decode the same JSON again on every request. The key is the header
// itself, read from the file each time: an entry can only ever be used for
// a file whose header is byte for byte the one it was decoded from, so it
// cannot go stale whatever happens to the files.
type headerCache struct {
	mu      sync.RWMutex
	entries map[string]Info
	bufs    sync.Pool // *[]byte of objectReadAhead, to read headers into
}

// objectReadAhead is what openFile reads at once: the header and, for an
// object of a few KiB, its whole body.
const objectReadAhead = 8 << 10

// buffer returns a buffer of objectReadAhead bytes to read a header into;
// release gives it back once the header is decoded (decode keeps no
// reference to it).
func (c *headerCache) buffer() *[]byte {
	if b, ok := c.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, objectReadAhead)
	return &b
}

func (c *headerCache) release(b *[]byte) { c.bufs.Put(b) }

// Bounds on the cache: at most headerCacheEntries headers of at most
// headerReadAhead bytes each (larger ones, with big metadata, are rare and
// decoded every time); when full it starts over.
const headerCacheEntries = 1024

// decode returns the Info of the complete header raw (fixed part
// included), from the cache or by decoding its JSON. The caller owns the
// returned Info (its maps are copies).
func (c *headerCache) decode(raw []byte) (Info, error) {
	c.mu.RLock()
	cached, ok := c.entries[string(raw)]
	c.mu.RUnlock()
	if ok {
		return cached.clone(), nil
	}
	var info Info
	if err := json.Unmarshal(raw[fixedHeader:], &info); err != nil {
		return Info{}, fmt.Errorf("%w: header JSON: %v", ErrCorrupt, err)
	}
	if len(raw) <= headerReadAhead {
		c.mu.Lock()
		if c.entries == nil || len(c.entries) >= headerCacheEntries {
			c.entries = make(map[string]Info)
		}
		c.entries[string(raw)] = info.clone()
		c.mu.Unlock()
	}
	return info, nil
}

// clone returns a copy of info that shares no map or slice with it.
func (info Info) clone() Info {
	info.UserMetadata = maps.Clone(info.UserMetadata)
	info.Tags = maps.Clone(info.Tags)
	info.Checksums = maps.Clone(info.Checksums)
	if info.WantChecksums != nil {
		info.WantChecksums = append([]Algorithm(nil), info.WantChecksums...)
	}
	return info
}
