package blob

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// tempFile is a file being written under a bucket's .tmp directory.
type tempFile struct {
	f    *os.File
	path string
	kept bool // renamed into place: discard leaves it alone
	// small, when not nil, is a pooled buffer (from pool) holding a whole
	// body that receive read in one piece at off, after room for the
	// header: seal then writes header and body with one pwrite.
	small *[]byte
	off   int
	n     int // body bytes in small
	pool  *sync.Pool
	// spare, when not nil, is the store of a spare file (spare.go); sealed:
	// its header is written and its fsync begun, so if it is not published
	// it must be forgotten durably.
	spare  *Store
	sealed bool
}

// newTemp creates a temporary file in bucket.
func (s *Store) newTemp(bucket string) (*tempFile, error) {
	f, err := os.CreateTemp(filepath.Join(s.bucketDir(bucket), tmpDir), "w-*")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSuchBucket
	}
	if err != nil {
		return nil, fmt.Errorf("create temp: %w", err)
	}
	return &tempFile{f: f, path: f.Name(), pool: &s.bufs}, nil
}

// discard closes and removes the file unless it was published.
func (t *tempFile) discard() {
	t.dropSmall()
	if t.kept {
		return
	}
	t.f.Close()
	if t.spare != nil && t.sealed {
		t.spare.forgetSpare(t)
		return
	}
	os.Remove(t.path)
}

// dropSmall gives back the buffer of a small body.
func (t *tempFile) dropSmall() {
	if t.small != nil {
		t.pool.Put(t.small)
		t.small = nil
	}
}

// seal writes hdr at the start of the file, with the body when receive
// kept a small one in memory. The file is fsynced and closed by flush
// (commit.go) on its way to being published.
func (s *Store) seal(t *tempFile, hdr []byte) error {
	defer t.dropSmall()
	out := hdr
	if t.small != nil {
		if len(hdr) != t.off {
			return fmt.Errorf("write header: %d bytes where the body starts at %d", len(hdr), t.off)
		}
		out = (*t.small)[:t.off+t.n]
		copy(out, hdr)
	}
	if _, err := t.f.WriteAt(out, 0); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	return nil
}

// intake says how a body is received: which digests to compute, what to
// check them against, and how large it may be.
type intake struct {
	md5    bool
	algs   []Algorithm
	expect map[Algorithm]string
	verify func(Digests) error
	limit  int64
}

// receive streams body into t from offset off, then checks it. Nothing is
// fsynced yet. A body that fits in one buffer after off bytes is only read
// into memory here: seal writes it with the header in one go.
func (s *Store) receive(t *tempFile, off int64, body io.Reader, in intake) (Digests, error) {
	d := newDigester(in.md5, in.algs)
	if body != nil {
		if err := s.receiveBody(t, d, off, body, in.limit); err != nil {
			return Digests{}, err
		}
	}
	got := d.digests()
	if err := checkExpected(got, in.expect); err != nil {
		return Digests{}, err
	}
	if in.verify != nil {
		if err := in.verify(got); err != nil {
			return Digests{}, fmt.Errorf("verify: %w", err)
		}
	}
	return got, nil
}

// receiveBody reads body into t at off, feeding d: the first buffer's
// worth into memory, which stays there if that was all of it.
func (s *Store) receiveBody(t *tempFile, d *digester, off int64, body io.Reader, limit int64) error {
	if off > bufferSize/2 {
		if _, err := t.f.Seek(off, io.SeekStart); err != nil {
			return fmt.Errorf("seek: %w", err)
		}
		return s.copyIn(t.f, d, body, 0, limit)
	}
	buf := s.bufs.Get().(*[]byte)
	n, rerr := fill(body, (*buf)[off:])
	if int64(n) > limit {
		s.bufs.Put(buf)
		return fmt.Errorf("%w: over %d bytes", ErrEntityTooLarge, limit)
	}
	first := (*buf)[off : off+int64(n)]
	d.Write(first)
	switch {
	case rerr == io.EOF:
		t.small, t.off, t.n = buf, int(off), n
		return nil
	case rerr != nil:
		s.bufs.Put(buf)
		return fmt.Errorf("read body: %w", rerr)
	}
	// More to come: write what came and stream the rest.
	_, err := t.f.WriteAt(first, off)
	s.bufs.Put(buf)
	if err == nil {
		_, err = t.f.Seek(off+int64(n), io.SeekStart)
	}
	if err != nil {
		return fmt.Errorf("write body: %w", err)
	}
	return s.copyIn(t.f, d, body, int64(n), limit)
}

// copyIn copies src to dst, feeding d, and fails with ErrEntityTooLarge
// once more than limit bytes arrive, counting the done bytes received
// before. Reading (which may verify a payload hash) and hashing plus
// writing overlap: a second goroutine digests and writes one pooled buffer
// while the next fills, so a large upload uses both cores. Only io.EOF ends the body; any other read error (a truncated
// request's io.ErrUnexpectedEOF included) fails it.
func (s *Store) copyIn(dst io.Writer, d *digester, src io.Reader, done, limit int64) error {
	bufs := [2]*[]byte{s.bufs.Get().(*[]byte), s.bufs.Get().(*[]byte)}
	defer s.bufs.Put(bufs[0])
	defer s.bufs.Put(bufs[1])
	work, finished := make(chan []byte), make(chan error, 1)
	go digestAndWrite(dst, d, work, finished)
	finish := func(err error) error {
		close(work)
		if werr := <-finished; err == nil {
			err = werr
		}
		return err
	}
	size := done
	for i := 0; ; i ^= 1 {
		buf := *bufs[i]
		n, rerr := fill(src, buf)
		if size += int64(n); size > limit {
			return finish(fmt.Errorf("%w: over %d bytes", ErrEntityTooLarge, limit))
		}
		if n > 0 {
			work <- buf[:n] // taken only once the previous buffer is written
		}
		switch {
		case rerr == io.EOF:
			return finish(nil)
		case rerr != nil:
			return finish(fmt.Errorf("read body: %w", rerr))
		}
	}
}

// digestAndWrite is copyIn's second half; after a write error it only
// drains, and reports the error when work closes.
func digestAndWrite(dst io.Writer, d *digester, work <-chan []byte, done chan<- error) {
	var err error
	for b := range work {
		if err != nil {
			continue
		}
		d.Write(b)
		if _, werr := dst.Write(b); werr != nil {
			err = fmt.Errorf("write body: %w", werr)
		}
	}
	done <- err
}

// fill reads into buf until it is full or r fails; it returns r's error
// (io.EOF included) unchanged.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// publish makes the sealed temp file durable, renames it into key's place
// as its current version (keeping the version it replaces, see
// replaceCurrent) and records info in the bucket's index, then makes the
// rename durable, sharing the shard directory's fsync with concurrent
// writers (commit.go). check, when not nil, runs under the bucket lock
// just before the rename and may veto it.
func (s *Store) publish(bucket string, t *tempFile, info *Info, check func(path string) error) error {
	if t.spare != nil {
		return s.publishSpare(bucket, t, info, check)
	}
	shard, name := objectName(info.Key)
	dir := filepath.Join(s.bucketDir(bucket), shard)
	path := filepath.Join(dir, name)
	g, err := s.flush(t, dir, info.Size)
	if err != nil {
		return err
	}
	b := s.state(bucket)
	b.mu.Lock()
	dirs, err := s.openShard(b, bucket, shard)
	if err == nil {
		err = s.changeVersions(b, bucket, func() error {
			if check != nil {
				if err := check(path); err != nil {
					return err
				}
			}
			return s.replaceCurrent(b, info.Key, path, t.path, info.VersionID)
		})
	}
	if err == nil {
		t.kept = true
		b.setCurrent(info)
	}
	b.mu.Unlock()
	if err != nil {
		dirs.close()
		s.settle(dir, g, nil)
		return err
	}
	return s.commit(dir, g, dirs)
}

// openShard makes sure the shard directory exists and opens it (with the
// bucket directory, when the shard is new) for the fsync that follows the
// rename. They are opened before the rename because once the object is in
// place the bucket may be deleted, taking its directory away by path. A
// shard this process remembers but cannot open belonged to an incarnation
// of the bucket another replica deleted: it is created again.
func (s *Store) openShard(b *bucketState, bucket, shard string) (openDirs, error) {
	dir := filepath.Join(s.bucketDir(bucket), shard)
	for attempt := 0; ; attempt++ {
		created, err := b.ensureShard(dir, shard)
		if err != nil {
			return nil, err
		}
		paths := []string{dir}
		if created {
			paths = append(paths, s.bucketDir(bucket))
		}
		dirs, err := openDirsAt(paths...)
		if errors.Is(err, ErrNoSuchBucket) && !created && attempt == 0 {
			delete(b.shards, shard)
			continue
		}
		return dirs, err
	}
}

// openDirs are directories opened to be fsynced after a rename into them.
type openDirs []*os.File

// openDirsAt opens each directory; a missing one means the bucket is gone.
func openDirsAt(paths ...string) (openDirs, error) {
	dirs := make(openDirs, 0, len(paths))
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			dirs.close()
			if errors.Is(err, fs.ErrNotExist) {
				return nil, ErrNoSuchBucket
			}
			return nil, fmt.Errorf("open dir: %w", err)
		}
		dirs = append(dirs, f)
	}
	return dirs, nil
}

func (d openDirs) close() {
	for _, f := range d {
		f.Close()
	}
}

// syncClose fsyncs (unless the store skips fsync) and closes the
// directories, on its own: for writers that hold a bucket lock, which must
// not wait for a group (commit.go).
func (s *Store) syncClose(d openDirs) error {
	defer d.close()
	if !s.sync {
		return nil
	}
	for _, f := range d {
		if err := s.syncDir(f); err != nil {
			return err
		}
	}
	return nil
}

// renameIn publishes from to path; a missing source or target directory
// means the bucket was deleted meanwhile (ErrNoSuchBucket).
func renameIn(from, path string) error {
	err := os.Rename(from, path)
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNoSuchBucket
	}
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// mkdirNew creates dir if missing and reports whether it did; a missing
// parent means the bucket is gone.
func mkdirNew(dir string) (bool, error) {
	err := os.Mkdir(dir, dirMode)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, fs.ErrExist):
		return false, nil
	case errors.Is(err, fs.ErrNotExist):
		return false, ErrNoSuchBucket
	}
	return false, fmt.Errorf("mkdir: %w", err)
}

// writeRecord publishes v as a body-less file dir/name. Its caller holds
// the bucket lock, so it fsyncs on its own.
func (s *Store) writeRecord(bucket, dir, name string, v any) error {
	hdr, err := encodeHeader(v, 0)
	if err != nil {
		return err
	}
	dirs, err := openDirsAt(dir)
	if err != nil {
		return err
	}
	t, err := s.newTemp(bucket)
	if err != nil {
		dirs.close()
		return err
	}
	defer t.discard()
	err = s.seal(t, hdr)
	if err == nil {
		err = s.syncFile(t.f)
	}
	if err == nil {
		if err = t.f.Close(); err != nil {
			err = fmt.Errorf("close: %w", err)
		}
	}
	if err == nil {
		err = renameIn(t.path, filepath.Join(dir, name))
	}
	if err != nil {
		dirs.close()
		return err
	}
	t.kept = true
	return s.syncClose(dirs)
}
