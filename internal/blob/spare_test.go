package blob

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// keepCurrentFile hard-links key's current file under root, so that a test
// can put it back as a crash could have left it.
func keepCurrentFile(t *testing.T, s *Store, root, key, name string) string {
	t.Helper()
	kept := filepath.Join(root, name)
	if err := os.Link(s.objectPath(testBucket, key), kept); err != nil {
		t.Fatal(err)
	}
	return kept
}

// unpublish makes the files of key what a machine failure could leave
// when the rename of its last Put never reached the disk: the new file
// back in .tmp under a spare's name, and prev (kept by keepCurrentFile;
// "" for none) as the current file again.
func unpublish(t *testing.T, s *Store, key, prev, spareName string) {
	t.Helper()
	path := s.objectPath(testBucket, key)
	if err := os.Rename(path, filepath.Join(s.bucketDir(testBucket), tmpDir, sparePrefix+spareName)); err != nil {
		t.Fatal(err)
	}
	if prev != "" {
		if err := os.Rename(prev, path); err != nil {
			t.Fatal(err)
		}
	}
}

// reopen opens root again, as the next process after a crash does.
func reopen(t *testing.T, root string) *Store {
	t.Helper()
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	if names, _ := readNames(filepath.Join(root, testBucket, tmpDir)); len(names) != 0 {
		t.Fatalf(".tmp after Open: %v", names)
	}
	return s
}

func wantBody(t *testing.T, s *Store, key string, want []byte) {
	t.Helper()
	if got := readAll(t, s, key); !bytes.Equal(got, want) {
		t.Fatalf("%s = %q, want %q", key, got, want)
	}
	info, err := s.Head(testBucket, key)
	if err != nil || info.ETag != quotedMD5(want) {
		t.Fatalf("Head %s = %+v, %v", key, info, err)
	}
	infos, _, err := s.List(testBucket, key, "", 0)
	if err != nil || len(infos) != 1 || infos[0].ETag != quotedMD5(want) {
		t.Fatalf("List %s = %+v, %v", key, infos, err)
	}
}

// TestLonePutsOneFsyncEach: Puts one after another cost one fsync each,
// plus one per batch of spares.
func TestLonePutsOneFsyncEach(t *testing.T) {
	s, _ := newStore(t)
	mustPut(t, s, "k", []byte("creates the shard and the first spares"))
	c := countFsyncs(s)
	const n = 3 * defaultSpareBatch
	for i := range n {
		mustPut(t, s, "k", []byte(fmt.Sprint("body ", i)))
	}
	f, d := c.files.Load(), c.dirs.Load()
	t.Logf("%d lone Puts: %d file + %d directory fsyncs (%.3f per Put)", n, f, d, float64(f+d)/n)
	if f != n || d > n/defaultSpareBatch+1 {
		t.Fatalf("%d lone Puts: %d file + %d directory fsyncs, want %d + at most %d", n, f, d, n, n/defaultSpareBatch+1)
	}
	wantBody(t, s, "k", []byte(fmt.Sprint("body ", n-1)))
}

// TestSpareReplayedAfterLostRename: the rename of an acknowledged Put
// that did not reach the disk is redone by the next Open, over the older
// version it replaced and where no version was.
func TestSpareReplayedAfterLostRename(t *testing.T) {
	s, root := newStore(t)
	mustPut(t, s, "k", []byte("v1"))
	prev := keepCurrentFile(t, s, root, "k", "prev")
	c := countFsyncs(s)
	mustPut(t, s, "k", []byte("v2"))
	if d := c.dirs.Load(); d != 0 {
		t.Fatalf("Put over an older null version: %d directory fsyncs, want 0", d)
	}
	unpublish(t, s, "k", prev, "a")
	// A new key, whose shard directory the crash lost too.
	mustPut(t, s, "other", []byte("fresh"))
	unpublish(t, s, "other", "", "b")
	shard, _ := objectName("other")
	if err := os.RemoveAll(filepath.Join(root, testBucket, shard)); err != nil {
		t.Fatal(err)
	}

	s2 := reopen(t, root)
	wantBody(t, s2, "k", []byte("v2"))
	wantBody(t, s2, "other", []byte("fresh"))
}

// TestSpareReplayKeepsLaterWrites: a spare whose write was replaced
// (durably, or by a spare replayed before it) is dropped, whatever the
// order of names in .tmp.
func TestSpareReplayKeepsLaterWrites(t *testing.T) {
	s, root := newStore(t)
	mustPut(t, s, "k", []byte("v1"))
	v1 := keepCurrentFile(t, s, root, "k", "v1")
	mustPut(t, s, "k", []byte("v2"))
	v2 := keepCurrentFile(t, s, root, "k", "v2")
	mustPut(t, s, "k", []byte("v3"))
	tmp := filepath.Join(root, testBucket, tmpDir)
	// v1 came back in .tmp, but v3 is durable.
	if err := os.Link(v1, filepath.Join(tmp, sparePrefix+"z")); err != nil {
		t.Fatal(err)
	}
	wantBody(t, reopen(t, root), "k", []byte("v3"))

	// v2 and v3 are both back in .tmp over v1: v3 wins, listed first or not.
	if err := os.Link(v1, filepath.Join(root, "v1again")); err != nil {
		t.Fatal(err)
	}
	unpublish(t, s, "k", filepath.Join(root, "v1again"), "0")
	if err := os.Rename(v2, filepath.Join(tmp, sparePrefix+"1")); err != nil {
		t.Fatal(err)
	}
	wantBody(t, reopen(t, root), "k", []byte("v3"))
}

// TestSpareReplayDropsIncompleteFiles: a spare whose fsync had not
// finished may be on disk in part; Open drops it.
func TestSpareReplayDropsIncompleteFiles(t *testing.T) {
	s, root := newStore(t)
	body := randomBytes(7, 3000)
	mustPut(t, s, "k", []byte("old"))
	prev := keepCurrentFile(t, s, root, "k", "prev")
	mustPut(t, s, "k", body)
	path := s.objectPath(testBucket, "k")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	unpublish(t, s, "k", prev, "whole")
	tmp := filepath.Join(root, testBucket, tmpDir)
	os.Remove(filepath.Join(tmp, sparePrefix+"whole"))
	flipped := bytes.Clone(data)
	flipped[len(flipped)-10] ^= 1
	for name, b := range map[string][]byte{
		"flipped":   flipped,
		"truncated": data[:len(data)-1],
		"no-header": append(make([]byte, 1000), body...),
		"empty":     nil,
		"header":    data[:len(data)-len(body)],
	} {
		if err := os.WriteFile(filepath.Join(tmp, sparePrefix+name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	wantBody(t, reopen(t, root), "k", []byte("old"))
}

// TestDeleteAfterSparesSyncsTmpFirst: a delete after a fast Put first
// makes the Put's rename out of .tmp durable, so that an older write
// cannot come back over the deletion; later deletes need not.
func TestDeleteAfterSparesSyncsTmpFirst(t *testing.T) {
	s, root := newStore(t)
	keys, shard := keysInShard("d/", 3)
	for _, k := range keys {
		mustPut(t, s, k, []byte(k))
	}
	c := countFsyncs(s)
	var mu sync.Mutex
	var synced []string
	c.beforeDir = func(d *os.File) {
		mu.Lock()
		synced = append(synced, strings.TrimPrefix(d.Name(), filepath.Join(root, testBucket)+"/"))
		mu.Unlock()
	}
	mustPut(t, s, keys[0], []byte("again"))
	for _, k := range keys[:2] {
		if err := s.Delete(testBucket, k); err != nil {
			t.Fatal(err)
		}
	}
	if want := []string{tmpDir, shard, shard}; fmt.Sprint(synced) != fmt.Sprint(want) {
		t.Fatalf("directories fsynced: %v, want %v", synced, want)
	}
}

// TestRefusedSpareIsForgotten: a spare sealed but refused at the rename
// (a failed precondition) is removed durably, never to be replayed.
func TestRefusedSpareIsForgotten(t *testing.T) {
	s, root := newStore(t)
	mustPut(t, s, "k", []byte("exists"))
	c := countFsyncs(s)
	_, err := s.Put(testBucket, "k", bytes.NewReader([]byte("refused")), Meta{Precondition: Precondition{IfNoneMatch: true}}, nil)
	wantErr(t, err, ErrPreconditionFailed)
	if left := tmpEntries(t, root, testBucket); len(left) != 0 {
		t.Fatalf("left in .tmp: %v", left)
	}
	if f, d := c.files.Load(), c.dirs.Load(); f != 1 || d != 1 {
		t.Fatalf("refused Put: %d file + %d directory fsyncs, want 1 + 1 (its removal from .tmp)", f, d)
	}
	wantBody(t, reopen(t, root), "k", []byte("exists"))
}

// TestNoSparesWhereReplayCannotRun: a Shared root (Open does not recover
// .tmp there), a store without fsync and versioned writes take the usual
// way.
func TestNoSparesWhereReplayCannotRun(t *testing.T) {
	for name, opts := range map[string][]Option{"shared": {Shared()}, "without sync": {WithoutSync()}, "versioned": nil} {
		t.Run(name, func(t *testing.T) {
			s, root := newStore(t, opts...)
			v := Unversioned
			if name == "versioned" {
				v = VersioningEnabled
			}
			if _, err := s.PutVersion(testBucket, "k", bytes.NewReader([]byte("x")), Meta{}, nil, v); err != nil {
				t.Fatal(err)
			}
			names, err := readNames(filepath.Join(root, testBucket, tmpDir))
			if err != nil || len(names) != 0 {
				t.Fatalf(".tmp = %v, %v", names, err)
			}
		})
	}
}

// TestSuspendedPutOverVersionKeepsIt: a null Put over a versioned current
// file is published the usual way, which keeps that version.
func TestSuspendedPutOverVersionKeepsIt(t *testing.T) {
	s, root := newStore(t)
	v1, err := s.PutVersion(testBucket, "k", bytes.NewReader([]byte("v1")), Meta{}, nil, VersioningEnabled)
	if err != nil {
		t.Fatal(err)
	}
	c := countFsyncs(s)
	if _, err := s.PutVersion(testBucket, "k", bytes.NewReader([]byte("null")), Meta{}, nil, VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	if d := c.dirs.Load(); d < 1 {
		t.Fatalf("null Put over a versioned file: %d directory fsyncs, want its shard's", d)
	}
	s2 := reopen(t, root)
	wantBody(t, s2, "k", []byte("null"))
	if _, body, err := s2.GetVersion(testBucket, "k", v1.VersionID); err != nil {
		t.Fatal(err)
	} else {
		body.Close()
	}
}

// TestLaterStampedPutWins: of two Puts of one key in flight, the one
// stamped later wins even when it is renamed first, as the later
// timestamp does on S3; the other is acknowledged, costs its file's fsync
// alone and leaves nothing behind.
func TestLaterStampedPutWins(t *testing.T) {
	s, root := newStore(t)
	mustPut(t, s, "k", []byte("v0"))
	c := countFsyncs(s)
	firstSync, release := make(chan struct{}), make(chan struct{})
	var first atomic.Bool
	c.beforeFile = func(*os.File) {
		if first.CompareAndSwap(false, true) {
			close(firstSync)
			<-release
		}
	}
	done := make(chan error)
	go func() {
		_, err := s.Put(testBucket, "k", bytes.NewReader([]byte("stamped first")), Meta{}, nil)
		done <- err
	}()
	<-firstSync
	mustPut(t, s, "k", []byte("stamped second"))
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	wantBody(t, s, "k", []byte("stamped second"))
	if f, d := c.files.Load(), c.dirs.Load(); f != 2 || d != 0 {
		t.Fatalf("two Puts: %d file + %d directory fsyncs, want 2 + 0", f, d)
	}
	if left := tmpEntries(t, root, testBucket); len(left) != 0 {
		t.Fatalf("left in .tmp: %v", left)
	}
	wantBody(t, reopen(t, root), "k", []byte("stamped second"))
}

// TestPutAfterClockWentBackWins: a Put after a restart whose clock is
// behind the one that stamped the key's current file still replaces it,
// and stays in place after the next restart: only a file this Store
// stamped can supersede a write.
func TestPutAfterClockWentBackWins(t *testing.T) {
	now := time.Now()
	ahead, root := newStore(t, WithClock(func() time.Time { return now.Add(time.Hour) }))
	mustPut(t, ahead, "k", []byte("stamped an hour ahead"))
	behind, err := Open(root, WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, behind, "k", []byte("written after it"))
	wantBody(t, behind, "k", []byte("written after it"))
	wantBody(t, reopen(t, root), "k", []byte("written after it"))
}
