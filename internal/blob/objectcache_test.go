package blob

import (
	"bytes"
	"io"
	"os"
	"sync"
	"testing"
	"time"
)

// getBody reads bucket/key (version id) through GetVersion, body and Info.
func getBody(t testing.TB, s *Store, key, id string) (Info, []byte, error) {
	t.Helper()
	info, body, err := s.GetVersion(testBucket, key, id)
	if err != nil {
		return info, nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return info, data, nil
}

func TestObjectCacheServesRepeatedReads(t *testing.T) {
	s, _ := newStore(t)
	data := randomBytes(1, 4<<10)
	mustPut(t, s, "k", data)
	if _, got, err := getBody(t, s, "k", ""); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("first read: %v", err)
	}
	// The second read must not touch the file: with it unreadable (moved
	// away behind the store's back, which only a test does) it still
	// succeeds from the cache.
	path := s.objectPath(testBucket, "k")
	if err := os.Rename(path, path+".away"); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(path+".away", path)
	// A listing changes no file: the cached objects stay in use.
	if _, _, err := s.List(testBucket, "", "", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ListVersions(testBucket, VersionQuery{}); err != nil {
		t.Fatal(err)
	}
	info, got, err := getBody(t, s, "k", "")
	if err != nil || !bytes.Equal(got, data) || info.ETag != quotedMD5(data) || !info.IsLatest {
		t.Fatalf("cached read: %v %+v", err, info)
	}
	if _, err := s.Head(testBucket, "k"); err != nil {
		t.Fatalf("cached head: %v", err)
	}
}

// Every write to the bucket makes the cached objects of that bucket unused:
// same size, same LastModified (a frozen clock) and the object replaced in
// the same instant make no difference.
func TestObjectCacheNeverStale(t *testing.T) {
	frozen := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	s, _ := newStore(t, WithoutSync(), WithClock(func() time.Time { return frozen }))
	check := func(key, id string, want []byte) {
		t.Helper()
		for range 2 { // the first read may fill the cache, the second hits it
			info, got, err := getBody(t, s, key, id)
			if err != nil {
				t.Fatalf("get %s %s: %v", key, id, err)
			}
			if !bytes.Equal(got, want) || info.ETag != quotedMD5(want) {
				t.Fatalf("get %s %s: stale body or ETag", key, id)
			}
		}
	}
	a, b := randomBytes(2, 1000), randomBytes(3, 1000)
	mustPut(t, s, "k", a)
	check("k", "", a)
	mustPut(t, s, "k", b)
	check("k", "", b)

	// Tags are rewritten in a new file of the same body.
	if _, err := s.SetTags(testBucket, "k", map[string]string{"t": "1"}); err != nil {
		t.Fatal(err)
	}
	if info, err := s.Head(testBucket, "k"); err != nil || info.Tags["t"] != "1" {
		t.Fatalf("tags after SetTags: %v %v", info.Tags, err)
	}
	if info, err := s.Head(testBucket, "k"); err != nil || info.Tags["t"] != "1" {
		t.Fatalf("tags after SetTags, again: %v %v", info.Tags, err)
	}

	// Deleted: gone, not served from the cache.
	if err := s.Delete(testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, _, err := getBody(t, s, "k", ""); !errorsIs(err, ErrNoSuchKey) {
			t.Fatalf("get after delete: %v", err)
		}
	}

	// Versions: a version read by ID, then a newer one, then the old one
	// deleted.
	v1, err := s.PutVersion(testBucket, "v", bytes.NewReader(a), Meta{}, nil, VersioningEnabled)
	if err != nil {
		t.Fatal(err)
	}
	check("v", v1.VersionID, a)
	check("v", "", a)
	if info, _, _ := getBody(t, s, "v", v1.VersionID); !info.IsLatest {
		t.Fatal("v1 should be the latest")
	}
	v2, err := s.PutVersion(testBucket, "v", bytes.NewReader(b), Meta{}, nil, VersioningEnabled)
	if err != nil {
		t.Fatal(err)
	}
	check("v", "", b)
	if info, _, _ := getBody(t, s, "v", v1.VersionID); info.IsLatest {
		t.Fatal("v1 is no longer the latest")
	}
	if _, err := s.DeleteVersion(testBucket, "v", v2.VersionID); err != nil {
		t.Fatal(err)
	}
	check("v", "", a)
	if _, err := s.DeleteVersion(testBucket, "v", v1.VersionID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := getBody(t, s, "v", v1.VersionID); !errorsIs(err, ErrNoSuchVersion) {
		t.Fatalf("deleted version: %v", err)
	}
}

// Readers racing a writer that keeps replacing an object always get a
// body matching the ETag they are given.
func TestObjectCacheConcurrentWrites(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	mustPut(t, s, "k", randomBytes(0, 3000))
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				info, got, err := getBody(t, s, "k", "")
				if err != nil {
					t.Errorf("reader %d: %v", r, err)
					return
				}
				if quotedMD5(got) != info.ETag {
					t.Errorf("reader %d: body does not match ETag %s", r, info.ETag)
					return
				}
			}
		}()
	}
	var last []byte
	for i := range 300 {
		last = randomBytes(uint64(i+1), 3000)
		mustPut(t, s, "k", last)
	}
	close(stop)
	wg.Wait()
	if _, got, err := getBody(t, s, "k", ""); err != nil || !bytes.Equal(got, last) {
		t.Fatalf("final read: %v", err)
	}
}

// A Shared store does not cache: another replica's write is seen at once.
func TestObjectCacheNotShared(t *testing.T) {
	root := t.TempDir()
	s1, err := Open(root, Shared())
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Open(root, Shared())
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.CreateBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
	a, b := randomBytes(4, 500), randomBytes(5, 500)
	mustPut(t, s2, "k", a)
	if _, got, _ := getBody(t, s1, "k", ""); !bytes.Equal(got, a) {
		t.Fatal("first read")
	}
	mustPut(t, s2, "k", b)
	if _, got, _ := getBody(t, s1, "k", ""); !bytes.Equal(got, b) {
		t.Fatal("stale read of another replica's write")
	}
}

// A body read from memory behaves as one read from the file.
func TestSmallBodyReaders(t *testing.T) {
	s, _ := newStore(t)
	data := randomBytes(6, 2000)
	mustPut(t, s, "k", data)
	for range 2 {
		_, body, err := s.Get(testBucket, "k")
		if err != nil {
			t.Fatal(err)
		}
		part := make([]byte, 100)
		if n, err := body.ReadAt(part, 1950); n != 50 || err != io.EOF || !bytes.Equal(part[:n], data[1950:]) {
			t.Fatalf("ReadAt at the end: %d %v", n, err)
		}
		if _, err := body.Seek(1000, io.SeekStart); err != nil {
			t.Fatal(err)
		}
		rest, _ := io.ReadAll(body)
		if !bytes.Equal(rest, data[1000:]) {
			t.Fatal("Seek and Read")
		}
		var out bytes.Buffer
		if n, err := body.CopyRangeTo(&out, 10, 20); n != 20 || err != nil || !bytes.Equal(out.Bytes(), data[10:30]) {
			t.Fatalf("CopyRangeTo: %d %v", n, err)
		}
		if err := body.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
