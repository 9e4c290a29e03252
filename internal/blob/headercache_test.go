package blob

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// A cached header hands out copies: a caller changing the maps of one
// Info does not change what the next read returns, and a rewritten object
// (new header bytes) is decoded afresh.
func TestHeaderCacheHandsOutCopies(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	meta := Meta{UserMetadata: map[string]string{"color": "blue"}, Tags: map[string]string{"team": "a"}}
	if _, err := s.Put(testBucket, "k", bytes.NewReader([]byte("one")), meta, nil); err != nil {
		t.Fatal(err)
	}
	first, err := s.Head(testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	first.UserMetadata["color"] = "red"
	first.Tags["team"] = "b"
	second, err := s.Head(testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	if second.UserMetadata["color"] != "blue" || second.Tags["team"] != "a" {
		t.Fatalf("cached header changed by a caller: %+v", second.Meta)
	}
	meta.UserMetadata = map[string]string{"color": "green"}
	if _, err := s.Put(testBucket, "k", bytes.NewReader([]byte("two")), meta, nil); err != nil {
		t.Fatal(err)
	}
	third, err := s.Head(testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	if third.UserMetadata["color"] != "green" || third.ETag == second.ETag {
		t.Fatalf("rewritten object read from a stale entry: %+v", third)
	}
}

// The cache starts over instead of growing past its bound.
func TestHeaderCacheBounded(t *testing.T) {
	var c headerCache
	for i := range headerCacheEntries + 10 {
		raw, err := encodeHeader(Info{Key: string(rune('a'+i%26)) + string(rune(i)), Size: int64(i)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		info, err := c.decode(raw)
		if err != nil || info.Size != int64(i) {
			t.Fatalf("decode %d: %+v, %v", i, info, err)
		}
	}
	if len(c.entries) > headerCacheEntries {
		t.Fatalf("%d entries, bound %d", len(c.entries), headerCacheEntries)
	}
}

// Objects around the read-ahead size come back whole and in ranges,
// whether their body was read with the header or not.
func TestSmallBodyReadWithHeader(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	for _, size := range []int{0, 1, 4 << 10, objectReadAhead - 300, objectReadAhead, objectReadAhead + 1, 40 << 10} {
		data := randomBytes(uint64(size), size)
		if _, err := s.Put(testBucket, "k", bytes.NewReader(data), Meta{}, nil); err != nil {
			t.Fatal(err)
		}
		for _, r := range [][2]int{{0, size}, {size / 3, size / 2}, {size, 0}} {
			_, body, err := s.Get(testBucket, "k")
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if _, err := body.CopyRangeTo(&out, int64(r[0]), int64(r[1])); err != nil {
				t.Fatalf("size %d range %v: %v", size, r, err)
			}
			body.Close()
			if !bytes.Equal(out.Bytes(), data[r[0]:r[0]+r[1]]) {
				t.Fatalf("size %d range %v: wrong bytes", size, r)
			}
		}
	}
}

// A small object file cut short is corrupt, not served short.
func TestSmallBodyTruncatedIsCorrupt(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	if _, err := s.Put(testBucket, "k", bytes.NewReader(randomBytes(1, 1000)), Meta{}, nil); err != nil {
		t.Fatal(err)
	}
	path := s.objectPath(testBucket, "k")
	if !strings.HasPrefix(path, root) {
		t.Fatalf("object path %s outside %s", path, root)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(path, fi.Size()-10); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(testBucket, "k"); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Get of a truncated file: %v, want ErrCorrupt", err)
	}
}
