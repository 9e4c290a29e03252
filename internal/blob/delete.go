package blob

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Deleting a bucket must be atomic with respect to writes into it: either
// the delete fails with ErrBucketNotEmpty, or every write that has not
// published yet fails with ErrNoSuchBucket. Every write publishes with a
// rename into the bucket's directory, by path, from a temporary file inside
// that same directory. DetachBucketDir renames the whole directory away, so
// a publish either lands before the directory leaves (and the emptiness
// check sees it) or finds its paths gone. Within one process the bucket
// lock orders the check, the rename and every publish; in Shared mode other
// replicas do not take that lock, so the detached directory is checked
// again and put back if a remote write slipped in before the rename.

// Detached is a bucket directory taken away by DetachBucketDir: no reader
// or writer finds it any more. Discard removes it for good; Restore puts it
// back, for a caller whose own bookkeeping of the deletion failed.
type Detached struct {
	s      *Store
	bucket string
	trash  string
}

// DetachBucketDir takes away the directory of bucket, which must hold no
// objects and no multipart uploads (ErrBucketNotEmpty; ErrNoSuchBucket when
// there is no directory). Writes that have not published by then fail with
// ErrNoSuchBucket, and a bucket created later under the same name starts
// from a new, empty directory.
func (s *Store) DetachBucketDir(bucket string) (*Detached, error) {
	d, err := s.detach(bucket)
	if err != nil {
		return nil, opError("delete bucket", bucket, "", err)
	}
	return d, nil
}

func (s *Store) detach(bucket string) (*Detached, error) {
	if err := s.checkBucketDir(bucket); err != nil {
		return nil, err
	}
	b := s.state(bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	empty, err := s.emptyLocked(bucket, b)
	if err != nil {
		return nil, err
	}
	if !empty {
		return nil, ErrBucketNotEmpty
	}
	d := &Detached{s: s, bucket: bucket, trash: filepath.Join(s.root, trashPrefix+randomHex(8))}
	if err := os.Rename(s.bucketDir(bucket), d.trash); errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSuchBucket
	} else if err != nil {
		return nil, fmt.Errorf("detach: %w", err)
	}
	b.index, b.loaded, b.shards, b.tmpDirty = nil, false, nil, false
	b.dropSpares()
	if s.shared {
		// Another replica may have published between the check and the
		// rename; its object is in the detached directory now.
		empty, err = dirEmpty(d.trash)
		if err == nil && !empty {
			err = ErrBucketNotEmpty
		}
	}
	if err == nil {
		err = s.syncDirs(s.root)
	}
	if err != nil {
		if rerr := d.restoreLocked(); rerr != nil {
			return nil, errors.Join(err, rerr)
		}
		return nil, err
	}
	return d, nil
}

// Discard removes the detached directory. Should a straggling write into it
// make this fail, the next Open removes what is left (except on a Shared
// root, where it stays as unreachable trash).
func (d *Detached) Discard() error {
	if err := os.RemoveAll(d.trash); err != nil {
		return opError("delete bucket", d.bucket, "", err)
	}
	return nil
}

// Restore puts the detached directory back as the bucket's.
func (d *Detached) Restore() error {
	b := d.s.state(d.bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := d.restoreLocked(); err != nil {
		return opError("restore bucket", d.bucket, "", err)
	}
	return nil
}

// restoreLocked renames the directory back; the caller holds the bucket lock.
func (d *Detached) restoreLocked() error {
	if err := os.Rename(d.trash, d.s.bucketDir(d.bucket)); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return d.s.syncDirs(d.s.root)
}

// DeleteBucketDir removes the directory of bucket, which must hold no
// objects and no multipart uploads (ErrBucketNotEmpty).
func (s *Store) DeleteBucketDir(bucket string) error {
	d, err := s.DetachBucketDir(bucket)
	if err != nil {
		return err
	}
	return d.Discard()
}

// BucketEmpty reports whether bucket holds no objects and no multipart
// uploads.
func (s *Store) BucketEmpty(bucket string) (bool, error) {
	if err := s.checkBucketDir(bucket); err != nil {
		return false, opError("bucket empty", bucket, "", err)
	}
	b := s.state(bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	empty, err := s.emptyLocked(bucket, b)
	if err != nil {
		return false, opError("bucket empty", bucket, "", err)
	}
	return empty, nil
}

// emptyLocked reports whether the bucket has neither objects nor uploads;
// the caller holds b.mu.
func (s *Store) emptyLocked(bucket string, b *bucketState) (bool, error) {
	if b.loaded && !s.shared {
		uploads, err := hasEntries(filepath.Join(s.bucketDir(bucket), uploadsDir))
		return !uploads && len(b.index) == 0, err
	}
	return dirEmpty(s.bucketDir(bucket))
}

// dirEmpty reports whether the bucket directory dir holds neither uploads
// nor object files, reading the files themselves.
func dirEmpty(dir string) (bool, error) {
	uploads, err := hasEntries(filepath.Join(dir, uploadsDir))
	if err != nil || uploads {
		return false, err
	}
	shards, err := shardDirsIn(dir)
	if err != nil {
		return false, err
	}
	for _, shard := range shards {
		found, err := hasEntries(shard)
		if err != nil || found {
			return false, err
		}
	}
	return true, nil
}

// hasEntries reports whether directory dir holds anything; a missing
// directory holds nothing.
func hasEntries(dir string) (bool, error) {
	f, err := os.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if len(names) > 0 {
		return true, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return false, nil
}
