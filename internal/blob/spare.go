package blob

// Spare files: one fsync for a lone PUT.
//
// The usual write makes two things durable: the file's data (an fsync of
// the file) and its rename into the shard (an fsync of the directory).
// A spare is an empty file made ahead of need in the bucket's .tmp, in a
// batch whose names one fsync of .tmp made durable. A PUT of the null
// version writes its whole object file (header and body) into a spare,
// fsyncs it, and renames it into place with no directory fsync: should the
// machine fail before the rename reaches the disk, the complete file is
// still in .tmp under its durable name, and Open publishes it again
// (replaySpares). That one fsync is the write's only one; a batch of
// spares costs one more, shared by spareBatch writes.
//
// Replay must reproduce what the writes did, so a spare is published
// without its directory fsync ("fast") only when doing it again later is
// exactly that write: the new version is null, the current file is absent
// or the null version with a lower Seq, and the shard directory already
// exists. Replay then applies the sealed spares of .tmp in Seq order, each
// only over a current file that is absent or older than it, and drops the
// rest. A null version that finds a null version with a higher Seq in
// place (a concurrent Put stamped later but renamed first) is superseded:
// the later timestamp wins, as on S3, and the spare is only removed, which
// replay would do too. Otherwise (a versioned current file to keep, a new
// shard) the spare is published the usual way.
//
// A change that lowers or removes a key's Seq (deleting a version, and so
// Delete; a write stamped before the current file's but renamed after it)
// would let an older spare win again at replay. So every change of version
// files other than a fast publish (changeVersions) runs holding the bucket
// lock and first fsyncs .tmp when a spare has been renamed out of it since
// the last such fsync (bucketState.tmpDirty): every spare published before
// it is then gone from .tmp for good before the change can be durable.
// A spare published the usual way is durable in its shard, and should its
// name come back in .tmp, replay finds it in place (same Seq) and drops it.
//
// A sealed spare that is not published (a failed precondition, a bucket
// deleted meanwhile) is removed and .tmp fsynced before the write returns,
// so it never comes back. Replay checks a spare's length and MD5 against
// its header before publishing it: a write that had not finished its fsync
// may have reached the disk only in part, and is dropped.
//
// Spares are off on a Shared root (Open there does not recover .tmp, whose
// files may be other replicas' writes) and when the store skips fsync.

import (
	"cmp"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// defaultSpareBatch is how many spares one fsync of .tmp makes.
const defaultSpareBatch = 64

// sparePrefix starts the name of every spare in .tmp.
const sparePrefix = "s-"

// spares is a bucket's stock of spare files, apart from the bucket lock so
// that taking one never waits for a rename.
type spares struct {
	mu      sync.Mutex
	paths   []string
	filling bool // a writer is making the next batch
}

// sparesOn reports whether writes use spares.
func (s *Store) sparesOn() bool { return s.sync && !s.shared && s.spareBatch > 0 }

// newSpare opens a spare of bucket for a write, making a batch when none
// is left; it falls back to an ordinary temporary file (newTemp) when
// another writer is making the batch or a spare cannot be had.
func (s *Store) newSpare(bucket string) (*tempFile, error) {
	b := s.state(bucket)
	for {
		path, ok := s.takeSpare(bucket, b)
		if !ok {
			return s.newTemp(bucket)
		}
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err == nil {
			return &tempFile{f: f, path: path, pool: &s.bufs, spare: s}, nil
		}
		// A spare of a bucket deleted since (its directory went to the
		// trash): try the next, or make a batch in the new directory.
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("open spare: %w", err)
		}
	}
}

// takeSpare pops a spare path. The writer that takes the stock down to
// half a batch makes the next batch, before its own write, while the
// others go on taking what is left; a writer that finds none while a
// batch is being made takes the usual way.
func (s *Store) takeSpare(bucket string, b *bucketState) (string, bool) {
	sp := &b.spares
	sp.mu.Lock()
	defer sp.mu.Unlock()
	path, ok := sp.pop()
	if len(sp.paths) > s.spareBatch/2 || sp.filling {
		return path, ok
	}
	sp.filling = true
	sp.mu.Unlock()
	batch, err := s.makeSpares(bucket)
	sp.mu.Lock()
	sp.filling = false
	if err == nil {
		sp.paths = append(sp.paths, batch...)
	}
	if !ok {
		path, ok = sp.pop()
	}
	return path, ok
}

// pop takes the last spare; the caller holds sp.mu.
func (sp *spares) pop() (string, bool) {
	if len(sp.paths) == 0 {
		return "", false
	}
	path := sp.paths[len(sp.paths)-1]
	sp.paths = sp.paths[:len(sp.paths)-1]
	return path, true
}

// makeSpares creates spareBatch empty files in bucket's .tmp and makes
// their names durable with one fsync of .tmp.
func (s *Store) makeSpares(bucket string) ([]string, error) {
	tmp := filepath.Join(s.bucketDir(bucket), tmpDir)
	paths := make([]string, 0, s.spareBatch)
	for range s.spareBatch {
		p := filepath.Join(tmp, sparePrefix+randomHex(8))
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			removeAll(paths)
			return nil, fmt.Errorf("create spare: %w", err)
		}
		f.Close()
		paths = append(paths, p)
	}
	if err := s.syncDirs(tmp); err != nil {
		removeAll(paths)
		return nil, err
	}
	return paths, nil
}

func removeAll(paths []string) {
	for _, p := range paths {
		os.Remove(p)
	}
}

// dropSpares forgets a bucket's spares, whose directory is going away.
func (b *bucketState) dropSpares() {
	b.spares.mu.Lock()
	b.spares.paths = nil
	b.spares.mu.Unlock()
}

// syncTmp fsyncs bucket's .tmp, making every rename out of it and every
// removal from it durable.
func (s *Store) syncTmp(bucket string) error {
	return s.syncDirs(filepath.Join(s.bucketDir(bucket), tmpDir))
}

// settleTmpLocked fsyncs .tmp if a fast publish renamed out of it since
// the last time: before a change that lowers or removes a key's Seq. The
// caller holds b.mu.
func (s *Store) settleTmpLocked(b *bucketState, bucket string) error {
	if !b.tmpDirty {
		return nil
	}
	if err := s.syncTmp(bucket); err != nil {
		return err
	}
	b.tmpDirty = false
	return nil
}

// publishSpare is publish for a write made in a spare: the file is
// fsynced, then renamed into place, with no directory fsync when replay
// would redo exactly this rename (see the top of this file).
func (s *Store) publishSpare(bucket string, t *tempFile, info *Info, check func(path string) error) error {
	shard, name := objectName(info.Key)
	dir := filepath.Join(s.bucketDir(bucket), shard)
	path := filepath.Join(dir, name)
	t.sealed = true // from here on it might reach the disk whole
	if err := s.syncFile(t.f); err != nil {
		return err
	}
	if err := t.f.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	b := s.state(bucket)
	b.mu.Lock()
	fate, dirs, err := s.placeSpare(b, bucket, shard, path, t, info, check)
	if err == nil {
		b.tmpDirty = true // the spare left .tmp, by a rename or a removal
		if fate == superseded {
			t.sealed = false // replay drops it too: it need not go durably
		} else {
			t.kept = true
			b.setCurrent(info)
		}
	}
	b.mu.Unlock()
	if err != nil || fate != publishUsual {
		dirs.close()
		return err
	}
	return s.syncClose(dirs)
}

// spareFate is what becomes of a sealed spare at its publish.
type spareFate int

const (
	publishFast  spareFate = iota // renamed into place, no directory fsync
	superseded                    // a later write of the null version is in place
	publishUsual                  // renamed into place, its directory fsynced
)

// placeSpare checks the write's condition and decides the spare's fate:
// renamed into place, or (superseded) left for the caller to remove.
// For publishUsual it returns the directories to fsync, opened before the
// rename (see openShard). The caller holds b.mu.
func (s *Store) placeSpare(b *bucketState, bucket, shard, path string, t *tempFile, info *Info, check func(string) error) (spareFate, openDirs, error) {
	dir := filepath.Dir(path)
	created, err := b.ensureShard(dir, shard)
	if err != nil {
		return 0, nil, err
	}
	fate, lowers := publishUsual, false
	if !created {
		if fate, lowers, err = s.spareFits(b, info, path); err != nil {
			return 0, nil, err
		}
	}
	var dirs openDirs
	if fate == publishUsual {
		paths := []string{dir}
		if created {
			paths = append(paths, s.bucketDir(bucket))
		}
		if dirs, err = openDirsAt(paths...); err != nil {
			return 0, nil, err
		}
	}
	if check != nil {
		err = check(path)
	}
	if err == nil && lowers {
		err = s.settleTmpLocked(b, bucket)
	}
	if err == nil && fate != superseded {
		err = s.replaceCurrent(b, info.Key, path, t.path, info.VersionID)
	}
	if err != nil {
		dirs.close()
		return 0, nil, err
	}
	return fate, dirs, nil
}

// spareFits compares a spare's info with its key's current file. Between
// null versions the higher Seq wins, as the later timestamp does on S3: a
// spare over an older one is published fast, one under a newer one that
// this Store stamped is superseded. Otherwise (a versioned current file,
// a damaged one, one of an earlier run stamped ahead) it is published the
// usual way, and lowers says whether that lowers the key's Seq (see
// changeVersions). The caller holds b.mu.
func (s *Store) spareFits(b *bucketState, info *Info, path string) (fate spareFate, lowers bool, err error) {
	var cur *Info
	if b.loaded {
		if e := b.entry(info.Key); e != nil {
			cur = e.versions[0]
		}
	} else {
		on, err := s.readVersionHeader(path, info.Key)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case errors.Is(err, ErrCorrupt):
			// Never reason from a damaged file: the usual way, .tmp settled.
			return publishUsual, true, nil
		case err != nil:
			return 0, false, err
		default:
			cur = &on
		}
	}
	switch {
	case info.VersionID != NullVersion:
		return publishUsual, cur != nil && cur.Seq > info.Seq, nil
	case cur == nil:
		return publishFast, false, nil
	case cur.VersionID != NullVersion:
		return publishUsual, cur.Seq > info.Seq, nil
	case cur.Seq < info.Seq:
		return publishFast, false, nil
	case s.stampedHere(cur.Seq):
		return superseded, false, nil
	}
	// A file stamped ahead of this Store's Seqs by no Seq watermark (one
	// written before the root had one, or another replica's of a Shared
	// root): this write is the later one whatever its Seq says.
	return publishUsual, true, nil
}

// stampedHere says whether seq was handed out by this Store, whose Seqs
// follow one another in the order of their stamping. The Seq watermark
// (seqmark.go) puts every Seq of an earlier run of the root below them;
// a Seq on disk that no watermark covered may lie above them all.
func (s *Store) stampedHere(seq int64) bool {
	return seq > s.firstSeq && seq <= s.seq.Load()
}

// forgetSpare removes a sealed spare that was not published and
// fsyncs .tmp, so a crash cannot bring the write back.
func (s *Store) forgetSpare(t *tempFile) {
	os.Remove(t.path)
	_ = s.syncDirs(filepath.Dir(t.path)) // best effort: the write already failed
}

// sealedSpare is a spare found complete in .tmp by Open.
type sealedSpare struct {
	path string
	info Info
}

// replaySpares publishes again the sealed spares a crash left in bucket's
// .tmp (see the top of this file), then empties .tmp. Nothing else runs on
// the store yet.
func (s *Store) replaySpares(bucket string) error {
	tmp := filepath.Join(s.bucketDir(bucket), tmpDir)
	names, err := readNames(tmp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var found []sealedSpare
	for _, n := range names {
		if !strings.HasPrefix(n, sparePrefix) {
			continue
		}
		p := filepath.Join(tmp, n)
		if info, ok := s.readSealed(p); ok {
			found = append(found, sealedSpare{path: p, info: info})
		}
	}
	slices.SortFunc(found, func(a, b sealedSpare) int { return cmp.Compare(a.info.Seq, b.info.Seq) })
	touched := map[string]bool{}
	b := s.state(bucket)
	for _, sp := range found {
		dirs, err := s.replaySpare(b, bucket, sp)
		if err != nil {
			return fmt.Errorf("replay %s: %w", sp.path, err)
		}
		for _, d := range dirs {
			touched[d] = true
		}
	}
	for _, n := range names {
		if err := os.RemoveAll(filepath.Join(tmp, n)); err != nil {
			return fmt.Errorf("clean %s: %w", tmp, err)
		}
	}
	if len(found) == 0 {
		return nil
	}
	// Replayed renames, and the removal of the spares dropped, are
	// durable before anything else happens.
	touched[tmp] = true
	return s.syncDirs(slices.Sorted(maps.Keys(touched))...)
}

// replaySpare publishes one sealed spare if the key's current file is
// absent or older, returning the directories it changed.
func (s *Store) replaySpare(b *bucketState, bucket string, sp sealedSpare) ([]string, error) {
	shard, name := objectName(sp.info.Key)
	dir := filepath.Join(s.bucketDir(bucket), shard)
	path := filepath.Join(dir, name)
	cur, err := s.readVersionHeader(path, sp.info.Key)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case errors.Is(err, ErrCorrupt):
		return nil, nil // never reason from a damaged file: the spare is dropped
	case err != nil:
		return nil, err
	case cur.Seq >= sp.info.Seq:
		return nil, nil // the write is in place, or a later one is
	}
	created, err := mkdirNew(dir)
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	err = s.replaceCurrent(b, sp.info.Key, path, sp.path, sp.info.VersionID)
	b.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if created {
		return []string{dir, s.bucketDir(bucket)}, nil
	}
	return []string{dir}, nil
}

// readSealed reads a spare's header and checks that the whole object is
// there: the length the header gives and the body's MD5 its ETag.
func (s *Store) readSealed(path string) (Info, bool) {
	hf, err := openHead(path)
	if err != nil {
		return Info{}, false
	}
	defer hf.close()
	head, err := s.readHead(hf)
	if err != nil {
		return Info{}, false
	}
	info, off := head.info, head.off
	s.releaseHead(&head)
	if info.Key == "" || info.DeleteMarker || checkKey(info.Key) != nil {
		return Info{}, false
	}
	h := md5.New()
	if _, err := io.Copy(h, io.NewSectionReader(hf, off, info.Size)); err != nil {
		return Info{}, false
	}
	if normalizeETag(info.ETag) != hex.EncodeToString(h.Sum(nil)) {
		return Info{}, false
	}
	return info, true
}

// newWriteFile is the file a PUT of versioning state v writes into: a
// spare when a null version is written and spares are on, else a
// temporary file.
func (s *Store) newWriteFile(bucket string, v Versioning) (*tempFile, error) {
	if s.sparesOn() && v != VersioningEnabled {
		return s.newSpare(bucket)
	}
	return s.newTemp(bucket)
}
