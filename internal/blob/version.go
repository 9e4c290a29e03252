package blob

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Versioning is a bucket's versioning state as S3 knows it; the caller
// keeps it and passes it to every write.
type Versioning int

const (
	// Unversioned: versioning was never enabled. Writes replace the "null"
	// version; behaves exactly as Suspended here.
	Unversioned Versioning = iota
	// VersioningEnabled: every write adds a version with a new ID.
	VersioningEnabled
	// VersioningSuspended: writes replace the "null" version and keep all
	// others.
	VersioningSuspended
)

// NullVersion is the version ID of objects written without versioning.
const NullVersion = "null"

// versionIDLength is the length of a generated version ID: 16 hex digits of
// Seq and 16 random ones, so IDs are unique, URL- and file-name-safe.
const versionIDLength = 32

// checkVersionID accepts "null" and the IDs this store generates.
func checkVersionID(id string) error {
	if id == NullVersion || isHex(id, versionIDLength) {
		return nil
	}
	return ErrInvalidVersionID
}

// nextSeq returns a Seq larger than every earlier one of this root (of
// earlier runs too, through the watermark): the clock in nanoseconds, or
// one more than the last when the clock lags.
func (s *Store) nextSeq() (int64, error) {
	for {
		last := s.seq.Load()
		next := max(s.now().UnixNano(), last+1)
		if next > s.mark.Load() {
			if err := s.raiseSeqMark(next); err != nil {
				return 0, err
			}
		}
		if s.seq.CompareAndSwap(last, next) {
			return next, nil
		}
	}
}

// stampVersion gives a version about to be sealed its LastModified, Seq and
// version ID.
func (s *Store) stampVersion(info *Info, v Versioning) error {
	seq, err := s.nextSeq()
	if err != nil {
		return err
	}
	info.LastModified = s.stamp()
	info.Seq = seq
	info.VersionID = NullVersion
	if v == VersioningEnabled {
		info.VersionID = fmt.Sprintf("%016x%s", uint64(info.Seq), randomHex(8))
	}
	return nil
}

// normalize fills in what files written before versions existed lack.
func (info *Info) normalize() {
	if info.VersionID == "" {
		info.VersionID = NullVersion
	}
	if info.Seq == 0 {
		info.Seq = info.LastModified.UnixNano()
	}
}

// noncurrentPath returns the file of a version of the key whose current
// file is path, once it is no longer the latest.
func noncurrentPath(path, versionID string) string { return path + "." + versionID }

// openedVersion is a version file opened for reading.
type openedVersion struct {
	info Info
	f    *os.File
	off  int64 // where the body starts
	path string
	// head holds the whole body of a small object (see readObjectHeader);
	// whoever keeps it releases it, anyone else may drop it to the GC.
	head objectHead
}

// openVersion opens version versionID of key ("" = the current file) and
// reads its header. The current file is authoritative for its own version
// ID: a noncurrent file with the same ID is a leftover of an interrupted
// write and is not served. With needFile false, a small object read whole
// is returned with its file already closed (f nil).
func (s *Store) openVersion(bucket, key, versionID string, needFile bool) (openedVersion, error) {
	if err := checkObject(bucket, key); err != nil {
		return openedVersion{}, err
	}
	path := s.objectPath(bucket, key)
	if versionID == "" {
		v, err := s.openFileFor(path, key, needFile)
		if errors.Is(err, fs.ErrNotExist) {
			return openedVersion{}, s.missing(bucket, ErrNoSuchKey)
		}
		v.info.IsLatest = err == nil
		return v, err
	}
	if err := checkVersionID(versionID); err != nil {
		return openedVersion{}, err
	}
	// A null version is most often current; any other most often not.
	order := []string{noncurrentPath(path, versionID), path}
	if versionID == NullVersion {
		order = []string{path, noncurrentPath(path, versionID)}
	}
	for _, p := range order {
		v, err := s.openFileFor(p, key, needFile)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return openedVersion{}, err
		}
		if v.info.VersionID == versionID {
			v.info.IsLatest = p == path
			return v, nil
		}
		s.closeVersion(&v)
	}
	return openedVersion{}, s.missing(bucket, ErrNoSuchVersion)
}

// openFile opens a version file of key and reads its header; a file of
// another key (a hash collision: never in practice) counts as missing.
func (s *Store) openFile(path, key string) (openedVersion, error) {
	return s.openFileFor(path, key, true)
}

// openFileFor is openFile; with needFile false, a small object read whole
// with its header has its file closed at once (f nil, the body in
// head.body).
func (s *Store) openFileFor(path, key string, needFile bool) (openedVersion, error) {
	hf, err := openHead(path)
	if err != nil {
		return openedVersion{}, err
	}
	head, err := s.readHead(hf)
	if err == nil && head.info.Key != key {
		s.releaseHead(&head)
		err = fs.ErrNotExist
	}
	if err != nil {
		hf.close()
		return openedVersion{}, err
	}
	v := openedVersion{info: head.info, off: head.off, path: path, head: head}
	if needFile || head.body == nil {
		v.f = hf.file()
	} else {
		hf.close()
	}
	return v, nil
}

// PutDeleteMarker adds a delete marker as the latest version of
// bucket/key, which need not exist (S3's DELETE without a version ID on a
// versioned bucket). With VersioningEnabled the marker gets a new version
// ID; with VersioningSuspended (or Unversioned) it is the "null" version and
// replaces the key's null version. The returned Info has DeleteMarker set.
func (s *Store) PutDeleteMarker(bucket, key string, v Versioning) (Info, error) {
	info, err := s.putDeleteMarker(bucket, key, v, nil)
	if err != nil {
		return Info{}, opError("put delete marker", bucket, key, err)
	}
	return info, nil
}

func (s *Store) putDeleteMarker(bucket, key string, v Versioning, check func(path string) error) (Info, error) {
	if err := checkObject(bucket, key); err != nil {
		return Info{}, err
	}
	t, err := s.newTemp(bucket)
	if err != nil {
		return Info{}, err
	}
	defer t.discard()
	info := Info{Key: key, DeleteMarker: true}
	if err := s.stampVersion(&info, v); err != nil {
		return Info{}, err
	}
	if err := s.sealAndPublish(bucket, t, &info, 0, check); err != nil {
		return Info{}, err
	}
	info.IsLatest = true
	return info, nil
}

// DeleteVersion permanently removes version versionID of bucket/key and
// returns what it removed (DeleteMarker tells whether that was a delete
// marker, for S3's x-amz-delete-marker). Removing the latest version makes
// the next newest one the latest. A malformed ID gives ErrInvalidVersionID;
// a version that does not exist gives ErrNoSuchVersion, which S3 answers
// with success (204, echoing the version ID).
func (s *Store) DeleteVersion(bucket, key, versionID string) (Info, error) {
	info, err := s.deleteVersion(bucket, key, versionID, nil)
	if err != nil {
		return Info{}, opError(fmt.Sprintf("delete version %q", versionID), bucket, key, err)
	}
	return info, nil
}

// deleteVersion removes a version; check, when not nil, sees the current
// version (or the error reading it) under the bucket lock first and may
// veto the removal.
func (s *Store) deleteVersion(bucket, key, versionID string, check func(cur Info, err error) error) (Info, error) {
	if err := checkObject(bucket, key); err != nil {
		return Info{}, err
	}
	if err := checkVersionID(versionID); err != nil {
		return Info{}, err
	}
	path := s.objectPath(bucket, key)
	dir := filepath.Dir(path)
	g := s.enlist(dir)
	b := s.state(bucket)
	b.mu.Lock()
	// The shard is opened first: once the last version is gone the bucket
	// may be deleted, taking the directory away before the fsync.
	dirs, err := openDirsAt(dir)
	var info Info
	if err == nil {
		err = s.changeVersions(b, bucket, func() (err error) {
			info, err = s.removeVersionLocked(b, key, path, versionID, check)
			return err
		})
	}
	b.mu.Unlock()
	if err != nil {
		dirs.close()
		s.settle(dir, g, nil)
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrNoSuchBucket) {
			err = s.missing(bucket, ErrNoSuchVersion)
		}
		return Info{}, err
	}
	return info, s.commit(dir, g, dirs)
}

// removeVersionLocked removes one version's file; the caller holds b.mu.
// The current file is replaced by the newest noncurrent version in one
// rename, so there is never a moment without a latest version. A corrupt
// current file (damaged on disk) counts as the version asked for unless a
// noncurrent file has that ID, so that deleting it stays possible.
func (s *Store) removeVersionLocked(b *bucketState, key, path, versionID string, check func(Info, error) error) (Info, error) {
	cur, err := s.readVersionHeader(path, key)
	if check != nil {
		if err := check(cur, err); err != nil {
			return Info{}, err
		}
	}
	switch {
	case errors.Is(err, ErrCorrupt):
		if _, serr := os.Stat(noncurrentPath(path, versionID)); serr == nil {
			break
		}
		cur, err = Info{Key: key, VersionID: versionID}, nil
		fallthrough
	case err == nil && cur.VersionID == versionID:
		return s.removeCurrent(b, key, path, cur)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return Info{}, err
	}
	old := noncurrentPath(path, versionID)
	info, err := s.readVersionHeader(old, key)
	if err != nil {
		return Info{}, err
	}
	if err := os.Remove(old); err != nil {
		return Info{}, err
	}
	b.removeVersion(key, versionID)
	return info, nil
}

// removeCurrent removes the current file, whose version is cur, putting
// the newest noncurrent version in its place.
func (s *Store) removeCurrent(b *bucketState, key, path string, cur Info) (Info, error) {
	// A leftover link to this same version must not outlive it.
	if err := removeIfExists(noncurrentPath(path, cur.VersionID)); err != nil {
		return Info{}, err
	}
	next, err := s.newestNoncurrent(b, key, path, cur.VersionID)
	if err != nil {
		return Info{}, err
	}
	if next != "" {
		err = renameIn(noncurrentPath(path, next), path)
	} else {
		err = os.Remove(path)
	}
	if err != nil {
		return Info{}, err
	}
	b.removeVersion(key, cur.VersionID)
	return cur, nil
}

// newestNoncurrent returns the version ID of key's newest noncurrent
// version other than except, or "" when there is none: from the index
// when this process's index is authoritative, else from the shard's files.
func (s *Store) newestNoncurrent(b *bucketState, key, path, except string) (string, error) {
	if b.loaded && !s.shared {
		if e := b.entry(key); e != nil {
			for _, v := range e.versions[1:] {
				if v.VersionID != except {
					return v.VersionID, nil
				}
			}
		}
		return "", nil
	}
	dir, name := filepath.Split(path)
	names, err := readNames(dir)
	if err != nil {
		return "", err
	}
	best, bestSeq := "", int64(0)
	for _, n := range names {
		id, ok := strings.CutPrefix(n, name+".")
		if !ok || id == except || checkVersionID(id) != nil {
			continue
		}
		info, err := s.readVersionHeader(filepath.Join(dir, n), key)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if info.VersionID == id && (best == "" || info.Seq > bestSeq) {
			best, bestSeq = id, info.Seq
		}
	}
	return best, nil
}

// readVersionHeader reads the header of a version file of key.
func (s *Store) readVersionHeader(path, key string) (Info, error) {
	v, err := s.openFile(path, key)
	if err != nil {
		return Info{}, err
	}
	v.f.Close()
	return v.info, nil
}

// removeIfExists removes path; a missing file is no error.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove: %w", err)
	}
	return nil
}

// keepCurrent makes the current file at path, about to be replaced by a
// version other than its own, also a noncurrent file: a hard link named by
// its version ID, so the rename that follows cannot lose it. prev is the
// current file's version ID; opened, when not nil, is that file, read from
// disk: the link is checked to name that very file, since in Shared mode
// another replica may replace it in between (errReplaced: read again).
func keepCurrent(path, prev string, opened *os.File) error {
	link := noncurrentPath(path, prev)
	err := os.Link(path, link)
	if errors.Is(err, fs.ErrExist) {
		// A leftover of an interrupted write: the current file is the
		// truth for its version ID.
		if err = removeIfExists(link); err == nil {
			err = os.Link(path, link)
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil // no current file after all (or the bucket is gone: the rename says)
	}
	if err != nil {
		return fmt.Errorf("keep version %s: %w", prev, err)
	}
	if opened != nil {
		if err := sameFile(opened, link); err != nil {
			os.Remove(link)
			return err
		}
	}
	return nil
}

// currentVersion returns the version ID of the current file at path ("":
// none) and, when it was read from disk rather than from the index, the
// opened file (the caller closes it).
func (s *Store) currentVersion(b *bucketState, key, path string) (string, *os.File, error) {
	if b.loaded && !s.shared {
		if e := b.entry(key); e != nil {
			return e.versions[0].VersionID, nil, nil
		}
		return "", nil, nil
	}
	v, err := s.openFile(path, key)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	return v.info.VersionID, v.f, nil
}

// replaceCurrent renames the sealed file from into path as the new current
// version versionID, keeping the version it replaces unless both are the
// null version; a new null version also drops a noncurrent null version.
// The caller holds b.mu.
func (s *Store) replaceCurrent(b *bucketState, key, path, from, versionID string) error {
	prev, err := s.keepPrevious(b, key, path, versionID)
	if err != nil {
		return err
	}
	if err := renameIn(from, path); err != nil {
		return err
	}
	if versionID == NullVersion && prev != "" && prev != NullVersion {
		// Only now, and best effort: an old null file left behind (by a
		// crash or a failed remove) is shadowed by the current null one
		// (see openVersion, scanShard) and replaced by keepCurrent.
		removeIfExists(noncurrentPath(path, NullVersion))
	}
	return nil
}

// keepPrevious links the current file under its version ID when the new
// version does not replace it, and returns that ID ("" when there is no
// current file).
func (s *Store) keepPrevious(b *bucketState, key, path, versionID string) (string, error) {
	for range 5 {
		prev, opened, err := s.currentVersion(b, key, path)
		if err != nil || prev == "" || prev == versionID {
			if opened != nil {
				opened.Close()
			}
			return prev, err
		}
		err = keepCurrent(path, prev, opened)
		if opened != nil {
			opened.Close()
		}
		if !errors.Is(err, errReplaced) {
			return prev, err
		}
	}
	return "", errors.New("current version keeps changing")
}

// rewriteVersion makes the sealed file t durable and publishes it in place
// of version versionID of key, which f was opened on: at the current path
// if f is still the current file, else at its noncurrent path if f is
// still there (errReplaced otherwise). The index keeps no tags, so it does
// not change.
func (s *Store) rewriteVersion(bucket, key, versionID string, t *tempFile, f *os.File) error {
	shard, _ := objectName(key)
	path := s.objectPath(bucket, key)
	dir := filepath.Dir(path)
	size, err := t.f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	g, err := s.flush(t, dir, size)
	if err != nil {
		return err
	}
	b := s.state(bucket)
	b.mu.Lock()
	dirs, err := s.openShard(b, bucket, shard)
	if err == nil {
		err = s.changeVersions(b, bucket, func() error { return rewriteLocked(path, versionID, t, f) })
	}
	b.mu.Unlock()
	if err != nil {
		dirs.close()
		s.settle(dir, g, nil)
		return err
	}
	return s.commit(dir, g, dirs)
}

func rewriteLocked(path, versionID string, t *tempFile, f *os.File) error {
	target := noncurrentPath(path, versionID)
	if sameFile(f, path) == nil {
		// A leftover link to the old file would serve the old tags.
		if err := removeIfExists(target); err != nil {
			return err
		}
		target = path
	} else if err := sameFile(f, target); err != nil {
		return err
	}
	if err := renameIn(t.path, target); err != nil {
		return err
	}
	t.kept = true
	return nil
}

// lockName is the file in a bucket directory whose flock orders version
// changes across the replicas of a Shared root.
const lockName = ".lock"

// changeVersions runs step, which changes a key's version files in a way
// other than a fast publish of a spare, holding the bucket lock b.mu: first
// making durable the renames of spares out of .tmp (spare.go), then across
// replicas.
func (s *Store) changeVersions(b *bucketState, bucket string, step func() error) error {
	if err := s.settleTmpLocked(b, bucket); err != nil {
		return err
	}
	return s.acrossReplicas(bucket, step)
}

// acrossReplicas runs step, which changes a key's version files, holding
// in Shared mode the bucket's lock file, so another replica cannot replace
// the current file between step's read of it and its rename (which could
// lose a version); within one process the bucket lock, which the caller
// holds, already orders them. A missing bucket gives ErrNoSuchBucket.
func (s *Store) acrossReplicas(bucket string, step func() error) error {
	if !s.shared {
		return step()
	}
	unlock, err := lockFile(filepath.Join(s.bucketDir(bucket), lockName))
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNoSuchBucket
	}
	if err != nil {
		return err
	}
	defer unlock()
	return step()
}
