package blob

import (
	"bytes"
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
