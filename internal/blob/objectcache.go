package blob

import "sync"

// objectCache keeps the Info and the body of small objects (those read
// whole with their header, see readHead) recently read, so that reading a
// popular small object again costs no system call. An entry is tagged with
// the generation of its bucket's lock (genMutex) read before the file was
// opened, and is stored only if that generation was even (no writer held
// the lock) and unchanged once the file was read. Every change to a
// bucket's files is made holding that lock, which moves its generation, so
// an entry is served only while no change at all has been made to its
// bucket since it was read: it cannot be stale. This holds for the changes
// this process makes, which is why a Shared store (other processes write
// the same files) does not use the cache.
type objectCache struct {
	mu      sync.RWMutex
	entries map[objectKey]*cachedObject
	bytes   int // bytes held, by entryCost
}

// objectKey names a read: bucket, key and the version ID asked for ("" =
// the latest).
type objectKey struct{ bucket, key, version string }

type cachedObject struct {
	gen  uint64
	info Info   // as read, IsLatest included; never handed out itself
	body []byte // the whole body; never written
}

// objectCacheBytes bounds the bytes the cache holds (entryCost: the body
// and a fixed allowance for the rest, so empty objects count too); when a
// new entry would exceed it the cache starts over.
const objectCacheBytes = 4 << 20

func entryCost(k objectKey, e *cachedObject) int {
	return len(e.body) + len(k.bucket) + len(k.key) + len(k.version) + 512
}

// get returns a version of the cached object as openFileFor returns a
// small object (f nil, the body in head.body, no pooled buffer), if it was
// read at generation gen.
func (c *objectCache) get(bucket, key, version string, gen uint64) (openedVersion, bool) {
	if gen&1 != 0 {
		return openedVersion{}, false
	}
	c.mu.RLock()
	e := c.entries[objectKey{bucket, key, version}]
	c.mu.RUnlock()
	if e == nil || e.gen != gen {
		return openedVersion{}, false
	}
	info := e.info.clone()
	return openedVersion{info: info, head: objectHead{info: info, body: e.body}}, true
}

// put caches a small object read at generation gen; the caller has checked
// that the generation did not move during the read. info and body are
// copied.
func (c *objectCache) put(bucket, key, version string, gen uint64, info Info, body []byte) {
	if gen&1 != 0 || len(body) > objectReadAhead {
		return
	}
	e := &cachedObject{gen: gen, info: info.clone(), body: append([]byte(nil), body...)}
	if e.body == nil {
		e.body = []byte{}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := objectKey{bucket, key, version}
	if old := c.entries[k]; old != nil {
		c.bytes -= entryCost(k, old)
	}
	if c.entries == nil || c.bytes+entryCost(k, e) > objectCacheBytes {
		c.entries, c.bytes = make(map[objectKey]*cachedObject), 0
	}
	c.entries[k] = e
	c.bytes += entryCost(k, e)
}
