package blob

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// allVersions lists every version of testBucket as "key id latest marker etag size".
func allVersions(t *testing.T, s *Store) []string {
	t.Helper()
	page, err := s.ListVersions(testBucket, VersionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range page.Versions {
		out = append(out, fmt.Sprintf("%s %s %v %v %s %d", v.Key, v.VersionID, v.IsLatest, v.DeleteMarker, v.ETag, v.Size))
	}
	return out
}

// ageShards sets every shard directory's modification time an hour back,
// as if nothing had touched them for that long.
func ageShards(t *testing.T, root string) []string {
	t.Helper()
	shards, err := shardDirsIn(filepath.Join(root, testBucket))
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for _, d := range shards {
		if err := os.Chtimes(d, old, old); err != nil {
			t.Fatal(err)
		}
	}
	return shards
}

func cacheFiles(t *testing.T, root string) []string {
	t.Helper()
	names, err := readNames(filepath.Join(root, testBucket, indexDir))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return names
}

// TestScanCache: a later process lists from the caches of shards nothing
// touched, and scans again every shard a write, a delete or a corrupt
// cache makes suspect; the listing is always the files' truth.
func TestScanCache(t *testing.T) {
	s1, root := newStore(t, WithoutSync())
	for k := range 300 {
		key := fmt.Sprintf("k%03d", k)
		for v := range 1 + k%3 {
			if _, err := s1.PutVersion(testBucket, key, bytes.NewReader([]byte(fmt.Sprint(key, v))), Meta{}, nil, VersioningEnabled); err != nil {
				t.Fatal(err)
			}
		}
		if k%7 == 0 {
			if _, err := s1.PutDeleteMarker(testBucket, key, VersioningEnabled); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := allVersions(t, s1)

	// Recently modified shards are not cached.
	s2, err := Open(root, WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	if got := allVersions(t, s2); !slices.Equal(got, want) {
		t.Fatalf("fresh scan differs")
	}
	if n := len(cacheFiles(t, root)); n != 0 {
		t.Fatalf("%d caches of shards modified just now", n)
	}

	// Left alone: cached by the next scan, served by the one after.
	shards := ageShards(t, root)
	for range 2 {
		s, err := Open(root, WithoutSync())
		if err != nil {
			t.Fatal(err)
		}
		if got := allVersions(t, s); !slices.Equal(got, want) {
			t.Fatalf("listing with caches differs:\n got %v\nwant %v", got, want)
		}
	}
	if n := len(cacheFiles(t, root)); n != len(shards) {
		t.Fatalf("%d caches for %d shards", n, len(shards))
	}

	// Writes and deletes of another process touch their shards: the next
	// one sees them.
	s3, err := Open(root, WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.PutVersion(testBucket, "k001", bytes.NewReader([]byte("new")), Meta{}, nil, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.PutVersion(testBucket, "fresh", bytes.NewReader([]byte("new")), Meta{}, nil, VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	page, err := s3.ListVersions(testBucket, VersionQuery{Prefix: "k002"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s3.DeleteVersion(testBucket, "k002", page.Versions[0].VersionID); err != nil {
		t.Fatal(err)
	}
	if _, err := s3.SetVersionTags(testBucket, "k003", "", map[string]string{"a": "b"}); err != nil {
		t.Fatal(err)
	}
	want = allVersions(t, s3)
	s4, err := Open(root, WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	if got := allVersions(t, s4); !slices.Equal(got, want) {
		t.Fatalf("listing after another process's writes:\n got %v\nwant %v", got, want)
	}

	// A damaged cache is ignored.
	for _, name := range cacheFiles(t, root) {
		path := filepath.Join(root, testBucket, indexDir, name)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)/2] ^= 0xff
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s5, err := Open(root, WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	if got := allVersions(t, s5); !slices.Equal(got, want) {
		t.Fatalf("listing with damaged caches differs")
	}
	// The cache directory keeps no bucket from being deleted.
	for _, v := range allVersionsRaw(t, s5) {
		if _, err := s5.DeleteVersion(testBucket, v[0], v[1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := s5.DeleteBucketDir(testBucket); err != nil {
		t.Fatalf("delete the emptied bucket: %v", err)
	}
}

func allVersionsRaw(t *testing.T, s *Store) [][2]string {
	t.Helper()
	page, err := s.ListVersions(testBucket, VersionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	for _, v := range page.Versions {
		out = append(out, [2]string{v.Key, v.VersionID})
	}
	return out
}
