package blob

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fsyncCounter stands in for the store's fsync: it counts file and
// directory fsyncs (and still fsyncs, so that durability is unchanged), and
// runs the test's hooks around them.
type fsyncCounter struct {
	files, dirs atomic.Int64
	beforeFile  func(f *os.File) // runs before a file's fsync
	beforeDir   func(d *os.File) // runs before a directory's fsync
	afterDir    func(d *os.File) // runs once a directory's fsync returned
}

func (c *fsyncCounter) fsync(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.IsDir() {
		c.dirs.Add(1)
		if c.beforeDir != nil {
			c.beforeDir(f)
		}
	} else {
		c.files.Add(1)
		if c.beforeFile != nil {
			c.beforeFile(f)
		}
	}
	err = f.Sync()
	if fi.IsDir() && c.afterDir != nil {
		c.afterDir(f)
	}
	return err
}

func (c *fsyncCounter) total() int64 { return c.files.Load() + c.dirs.Load() }

func (c *fsyncCounter) reset() { c.files.Store(0); c.dirs.Store(0) }

// countFsyncs makes s's fsyncs go through a new counter.
func countFsyncs(s *Store) *fsyncCounter {
	c := &fsyncCounter{}
	s.fsync = c.fsync
	return c
}

// keysInShard returns n distinct keys whose files share one shard
// directory, and that shard.
func keysInShard(prefix string, n int) ([]string, string) {
	var keys []string
	want := ""
	for i := 0; len(keys) < n; i++ {
		k := fmt.Sprintf("%s%d", prefix, i)
		shard, _ := objectName(k)
		if want == "" {
			want = shard
		}
		if shard == want {
			keys = append(keys, k)
		}
	}
	return keys, want
}

// TestLoneWriteFsyncs: what each write costs with nobody else in flight.
// A Put of the null version costs its file's fsync alone (spare.go), the
// first into a new shard also that shard's and the bucket directory's,
// the first of a bucket the batch of spares (an fsync of .tmp), and the
// first of the Store the Seq watermark (its file and the root). Any
// other change of version files costs its file and its shard directory,
// plus .tmp once after spares were published (changeVersions); a delete,
// its directory.
func TestLoneWriteFsyncs(t *testing.T) {
	s, _ := newStore(t)
	c := countFsyncs(s)
	mustPut(t, s, "k", []byte("first"))
	var id string
	var part CompletedPart
	if f, d := c.files.Load(), c.dirs.Load(); f != 2 || d != 4 {
		t.Fatalf("first Put (new shard, first spares, watermark): %d file + %d directory fsyncs, want 2 + 4", f, d)
	}
	for _, step := range []struct {
		name        string
		do          func() error
		files, dirs int64
	}{
		{"Put", func() error {
			_, err := s.Put(testBucket, "k", bytes.NewReader([]byte("again")), Meta{}, nil)
			return err
		}, 1, 0},
		{"versioned Put", func() error {
			_, err := s.PutVersion(testBucket, "k", bytes.NewReader([]byte("v")), Meta{}, nil, VersioningEnabled)
			return err
		}, 1, 2},
		{"PutDeleteMarker", func() error { _, err := s.PutDeleteMarker(testBucket, "k", VersioningEnabled); return err }, 1, 1},
		{"DeleteVersion", func() error { _, err := s.DeleteVersion(testBucket, "k", NullVersion); return err }, 0, 1},
		// The upload's record, its new directory and .uploads.
		{"CreateUpload", func() (err error) { id, err = s.CreateUpload(testBucket, "k", Meta{}); return err }, 1, 2},
		{"PutPart", func() error {
			p, err := s.PutPart(testBucket, "k", id, 1, bytes.NewReader([]byte("part")), nil, nil)
			part = CompletedPart{PartNumber: 1, ETag: p.ETag}
			return err
		}, 1, 1},
		// The object, its shard, and .uploads when the upload goes.
		{"CompleteUpload", func() error { _, err := s.CompleteUpload(testBucket, "k", id, []CompletedPart{part}); return err }, 1, 2},
		{"AbortUpload", func() error {
			id2, err := s.CreateUpload(testBucket, "k", Meta{})
			if err == nil {
				c.reset()
				err = s.AbortUpload(testBucket, "k", id2)
			}
			return err
		}, 0, 1},
	} {
		c.reset()
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if f, d := c.files.Load(), c.dirs.Load(); f != step.files || d != step.dirs {
			t.Errorf("lone %s: %d file + %d directory fsyncs, want %d + %d", step.name, f, d, step.files, step.dirs)
		}
	}
}

// TestConcurrentPutsShareDirFsync: N Puts into one shard whose file fsyncs
// overlap (the counter holds each file's fsync until all N have begun
// theirs) cost N file fsyncs and a single directory fsync. These tests of
// group commit write without spares: it still serves versioned writes,
// parts, deletes and every spare that cannot be published fast.
func TestConcurrentPutsShareDirFsync(t *testing.T) {
	for _, n := range []int{2, 8, 32} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s, _ := newStore(t, withoutSpares())
			keys, _ := keysInShard("c/", n+1)
			mustPut(t, s, keys[n], []byte("creates the shard"))
			c := countFsyncs(s)
			var arrived sync.WaitGroup
			arrived.Add(n)
			all := make(chan struct{})
			go func() { arrived.Wait(); close(all) }()
			c.beforeFile = func(*os.File) {
				arrived.Done()
				select {
				case <-all:
				case <-time.After(10 * time.Second):
					t.Error("the writers' file fsyncs never all began")
				}
			}
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() { mustPut(t, s, keys[i], randomBytes(uint64(i), 4096)) })
			}
			wg.Wait()
			if f, d := c.files.Load(), c.dirs.Load(); f != int64(n) || d != 1 {
				t.Fatalf("%d concurrent Puts into one shard: %d file + %d directory fsyncs, want %d + 1", n, f, d, n)
			}
			for i := range n {
				if got := readAll(t, s, keys[i]); !bytes.Equal(got, randomBytes(uint64(i), 4096)) {
					t.Fatalf("%s: wrong body", keys[i])
				}
			}
		})
	}
}

// TestConcurrentPartsShareDirFsync: parts of one upload uploaded at once
// share their upload directory's fsync as objects share a shard's.
func TestConcurrentPartsShareDirFsync(t *testing.T) {
	const n = 6
	s, _ := newStore(t)
	id, err := s.CreateUpload(testBucket, "big", Meta{})
	if err != nil {
		t.Fatal(err)
	}
	c := countFsyncs(s)
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	c.beforeFile = func(*os.File) {
		arrived.Done()
		select {
		case <-all:
		case <-time.After(10 * time.Second):
			t.Error("the parts' file fsyncs never all began")
		}
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if _, err := s.PutPart(testBucket, "big", id, i+1, bytes.NewReader(randomBytes(uint64(i), 1000)), nil, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if f, d := c.files.Load(), c.dirs.Load(); f != n || d != 1 {
		t.Fatalf("%d concurrent parts: %d file + %d directory fsyncs, want %d + 1", n, f, d, n)
	}
	if parts, err := s.ListParts(testBucket, "big", id); err != nil || len(parts) != n {
		t.Fatalf("ListParts = %d parts, %v", len(parts), err)
	}
}

// TestGroupCommitCoversEveryAck: writers and deleters hammer one shard with
// no help from the test; the counter records, for every directory fsync,
// the entries (name and inode) present when it began. Every acknowledged
// Put must find its file among the entries of a directory fsync that had
// completed before the acknowledgement, every file there must have been
// fsynced before its rename, and every acknowledged delete must be absent
// from a completed directory fsync that began after the delete did.
func TestGroupCommitCoversEveryAck(t *testing.T) {
	if !haveInodes {
		t.Skip("no inode numbers on this platform")
	}
	const writers, perWriter = 8, 40
	s, _ := newStore(t, withoutSpares())
	keys, shard := keysInShard("g/", writers*perWriter+1)
	mustPut(t, s, keys[len(keys)-1], []byte("creates the shard"))
	dir := filepath.Join(s.bucketDir(testBucket), shard)
	c := countFsyncs(s)

	type snapshot struct {
		start   int64             // sequence number at its beginning
		entries map[string]uint64 // name -> inode
	}
	var (
		mu       sync.Mutex
		seq      int64
		fsynced  = map[uint64]bool{} // inodes of files fsynced
		began    = map[*os.File]*snapshot{}
		complete []*snapshot
	)
	inode := func(fi os.FileInfo) uint64 { return fileInode(fi) }
	c.beforeFile = func(f *os.File) {
		fi, err := f.Stat()
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		fsynced[inode(fi)] = true
		mu.Unlock()
	}
	c.beforeDir = func(d *os.File) {
		if d.Name() != dir {
			return
		}
		mu.Lock()
		seq++
		snap := &snapshot{start: seq, entries: map[string]uint64{}}
		mu.Unlock()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Error(err)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, e := range entries {
			fi, err := e.Info()
			if err != nil {
				continue // removed meanwhile
			}
			ino := inode(fi)
			if !fsynced[ino] && e.Name() != filepath.Base(s.objectPath(testBucket, keys[len(keys)-1])) {
				t.Errorf("%s is in the directory before its file was fsynced", e.Name())
			}
			snap.entries[e.Name()] = ino
		}
		began[d] = snap
	}
	c.afterDir = func(d *os.File) {
		mu.Lock()
		defer mu.Unlock()
		if snap := began[d]; snap != nil {
			complete = append(complete, snap)
			delete(began, d)
		}
	}
	covered := func(name string, ino uint64) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, snap := range complete {
			if snap.entries[name] == ino {
				return true
			}
		}
		return false
	}
	goneAfter := func(name string, after int64) bool {
		mu.Lock()
		defer mu.Unlock()
		for _, snap := range complete {
			if _, ok := snap.entries[name]; snap.start > after && !ok {
				return true
			}
		}
		return false
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for j := range perWriter {
				key := keys[w*perWriter+j]
				mustPut(t, s, key, randomBytes(uint64(j), 100+j))
				path := s.objectPath(testBucket, key)
				fi, err := os.Stat(path)
				if err != nil {
					t.Error(err)
					return
				}
				if !covered(filepath.Base(path), inode(fi)) {
					t.Errorf("Put %s acknowledged before a directory fsync covered it", key)
				}
				if j%3 != 2 {
					continue
				}
				mu.Lock()
				seq++
				start := seq
				mu.Unlock()
				if err := s.Delete(testBucket, key); err != nil {
					t.Error(err)
					return
				}
				if !goneAfter(filepath.Base(path), start) {
					t.Errorf("Delete %s acknowledged before a directory fsync covered it", key)
				}
			}
		})
	}
	wg.Wait()
	ops := writers*perWriter + writers*perWriter/3
	t.Logf("%d Puts and %d Deletes by %d writers into one shard: %d file + %d directory fsyncs (%.2f per Put)",
		writers*perWriter, ops-writers*perWriter, writers, c.files.Load(), c.dirs.Load(), float64(c.total())/float64(writers*perWriter))
	if c.dirs.Load() >= int64(ops) {
		t.Logf("no directory fsync was shared (machine too slow or serialised?)")
	}
}

// TestGroupMembersThatFail: a member whose write fails after enlisting
// (here a conditional Put refused at the rename) does not hold the others
// back, nor count as a change; and an error of the shared directory fsync
// fails every member that relied on it.
func TestGroupMembersThatFail(t *testing.T) {
	const n = 6
	s, _ := newStore(t, withoutSpares())
	keys, _ := keysInShard("f/", n+1)
	mustPut(t, s, keys[n], []byte("exists"))
	c := countFsyncs(s)
	var arrived sync.WaitGroup
	arrived.Add(n)
	all := make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	c.beforeFile = func(*os.File) {
		arrived.Done()
		select {
		case <-all:
		case <-time.After(10 * time.Second):
			t.Error("the writers' file fsyncs never all began")
		}
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key, meta := keys[i], Meta{}
			if i%2 == 1 {
				key, meta.IfNoneMatch = keys[n], true // refused: it exists
			}
			_, errs[i] = s.Put(testBucket, key, bytes.NewReader([]byte("x")), meta, nil)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if i%2 == 1 {
			wantErr(t, err, ErrPreconditionFailed)
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if f, d := c.files.Load(), c.dirs.Load(); f != n || d != 1 {
		t.Fatalf("%d Puts, half refused: %d file + %d directory fsyncs, want %d + 1", n, f, d, n)
	}

	// Now the directory fsync fails.
	failing := errors.New("disk on fire")
	arrived.Add(n)
	all = make(chan struct{})
	go func() { arrived.Wait(); close(all) }()
	next := c.fsync
	s.fsync = func(f *os.File) error {
		if fi, err := f.Stat(); err == nil && fi.IsDir() {
			c.dirs.Add(1)
			return failing
		}
		return next(f)
	}
	c.reset()
	for i := range n {
		wg.Go(func() { _, errs[i] = s.Put(testBucket, keys[i], bytes.NewReader([]byte("y")), Meta{}, nil) })
	}
	wg.Wait()
	for _, err := range errs {
		wantErr(t, err, failing)
	}
	if d := c.dirs.Load(); d != 1 {
		t.Fatalf("%d directory fsyncs for one group, want 1", d)
	}
}

// TestSmallBodyBoundary: a body that fits in one buffer after its header
// is written with the header in one pwrite; one byte more takes the
// streaming path. Both read back intact, as do an empty and a large body.
func TestSmallBodyBoundary(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	const key = "edge"
	reserve, err := reserveInfo(Info{Key: key})
	if err != nil {
		t.Fatal(err)
	}
	fits := bufferSize - (fixedHeader + reserve)
	for _, n := range []int{0, 1, fits - 1, fits, fits + 1, 2*bufferSize + 3} {
		body := randomBytes(uint64(n), n)
		info := mustPut(t, s, key, body)
		if got := readAll(t, s, key); !bytes.Equal(got, body) || info.ETag != quotedMD5(body) {
			t.Fatalf("%d-byte body (%d fit in the first buffer) read back as %d bytes", n, fits, len(got))
		}
	}
}

// TestSyncDistinct: a group's members may hold descriptors of different
// directories under one path (the bucket deleted and created again in
// between, by this process or another replica); each distinct directory
// is fsynced once.
func TestSyncDistinct(t *testing.T) {
	s, root := newStore(t)
	c := countFsyncs(s)
	var synced []string
	c.beforeDir = func(d *os.File) { synced = append(synced, d.Name()) }
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	var dirs []*os.File
	for _, p := range []string{a, b, a, a, b} {
		if err := os.MkdirAll(p, 0o700); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		dirs = append(dirs, f)
	}
	if err := s.syncDistinct(dirs); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 2 || synced[0] != a || synced[1] != b {
		t.Fatalf("fsynced %v, want [%s %s]", synced, a, b)
	}
}

// TestSharedReplicasGroupCommit: two replicas of a Shared root, fsyncing,
// write versions of keys in one shard at once (each replica's writers
// group their fsyncs; the replicas order renames with the bucket's lock
// file); every acknowledged version is there, seen by both.
func TestSharedReplicasGroupCommit(t *testing.T) {
	root := t.TempDir()
	a, err := Open(root, Shared())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CreateBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
	b, err := Open(root, Shared())
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := keysInShard("r/", 4)
	const perWriter = 10
	var mu sync.Mutex
	acked := map[string]bool{} // key + version ID
	var wg sync.WaitGroup
	for r, st := range []*Store{a, b} {
		for w := range 4 {
			wg.Go(func() {
				for j := range perWriter {
					key := keys[(w+j)%len(keys)]
					info, err := st.PutVersion(testBucket, key, bytes.NewReader([]byte(fmt.Sprint(r, w, j))), Meta{}, nil, VersioningEnabled)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					acked[key+" "+info.VersionID] = true
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	for _, st := range []*Store{a, b} {
		page, err := st.ListVersions(testBucket, VersionQuery{})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, v := range page.Versions {
			seen[v.Key+" "+v.VersionID] = true
		}
		for k := range acked {
			if !seen[k] {
				t.Fatalf("acknowledged version %s is missing", k)
			}
		}
		if len(seen) != len(acked) {
			t.Fatalf("%d versions listed, %d acknowledged", len(seen), len(acked))
		}
	}
}
