package blob

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// bucketState is what the store keeps in memory about one bucket: the lock
// that orders renames into it, and its key index once loaded.
type bucketState struct {
	mu     sync.Mutex
	loaded bool            // index reflects the bucket's files
	index  []*Info         // sorted by Key; listing fields only (see listing)
	shards map[string]bool // shard directories known to exist
}

// ensureShard creates a shard directory unless it is known to exist, and
// reports whether it created it; the caller holds b.mu.
func (b *bucketState) ensureShard(dir, shard string) (bool, error) {
	if b.shards[shard] {
		return false, nil
	}
	created, err := mkdirNew(dir)
	if err != nil {
		return false, err
	}
	if b.shards == nil {
		b.shards = make(map[string]bool)
	}
	b.shards[shard] = true
	return created, nil
}

// state returns the state of bucket, creating it on first use. States are
// never dropped, so every goroutine locks the same one for a name.
func (s *Store) state(bucket string) *bucketState {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.buckets[bucket]
	if !ok {
		b = &bucketState{}
		s.buckets[bucket] = b
	}
	return b
}

// listFields are the fields of an object header the index keeps: what
// ListObjects shows. Scans decode only these.
type listFields struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
	PartsCount   int
	StorageClass string
	Owner        string
	Checksums    map[Algorithm]string
	ChecksumType string
}

// info returns the fields as an index entry.
func (l *listFields) info() *Info {
	return &Info{
		Key:          l.Key,
		Size:         l.Size,
		ETag:         l.ETag,
		LastModified: l.LastModified,
		PartsCount:   l.PartsCount,
		Meta: Meta{
			StorageClass: l.StorageClass,
			Owner:        l.Owner,
			Checksums:    l.Checksums,
			ChecksumType: l.ChecksumType,
		},
	}
}

// listing returns the index entry for info.
func listing(info *Info) *Info {
	l := listFields{
		Key: info.Key, Size: info.Size, ETag: info.ETag, LastModified: info.LastModified,
		PartsCount: info.PartsCount, StorageClass: info.StorageClass, Owner: info.Owner,
		Checksums: maps.Clone(info.Checksums), ChecksumType: info.ChecksumType,
	}
	return l.info()
}

func byKey(e *Info, key string) int { return strings.Compare(e.Key, key) }

// put records info in the index, if loaded; the caller holds b.mu.
func (b *bucketState) put(info *Info) {
	if !b.loaded {
		return
	}
	i, found := slices.BinarySearchFunc(b.index, info.Key, byKey)
	if found {
		b.index[i] = listing(info)
		return
	}
	b.index = slices.Insert(b.index, i, listing(info))
}

// remove drops key from the index, if loaded; the caller holds b.mu.
func (b *bucketState) remove(key string) {
	if !b.loaded {
		return
	}
	if i, found := slices.BinarySearchFunc(b.index, key, byKey); found {
		b.index = slices.Delete(b.index, i, i+1)
	}
}

// List returns the objects of bucket whose keys start with prefix and sort
// (bytewise) after the exclusive lower bound after, in key order, at most
// limit of them (limit < 1: all), and whether more matched. The Infos hold
// the listing fields only: Key, Size, ETag, LastModified, PartsCount,
// StorageClass, Owner, Checksums and ChecksumType; Head gives the rest.
func (s *Store) List(bucket, prefix, after string, limit int) ([]Info, bool, error) {
	if err := s.checkBucketDir(bucket); err != nil {
		return nil, false, opError("list", bucket, "", err)
	}
	b := s.state(bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := s.load(bucket, b); err != nil {
		return nil, false, opError("list", bucket, "", err)
	}
	start, _ := slices.BinarySearchFunc(b.index, prefix, byKey)
	if after >= prefix {
		start, _ = slices.BinarySearchFunc(b.index, after+"\x00", byKey)
	}
	var out []Info
	for _, e := range b.index[start:] {
		if !strings.HasPrefix(e.Key, prefix) {
			break
		}
		if limit > 0 && len(out) == limit {
			return out, true, nil
		}
		info := *e
		info.Checksums = maps.Clone(e.Checksums)
		out = append(out, info)
	}
	return out, false, nil
}

// load builds the bucket's index from its files if it is not loaded; the
// caller holds b.mu, so no rename into the bucket runs meanwhile.
func (s *Store) load(bucket string, b *bucketState) error {
	if b.loaded && !s.shared {
		return nil
	}
	index, err := s.scan(bucket)
	if err != nil {
		return err
	}
	b.index, b.loaded = index, true
	return nil
}

// scan reads the header of every object file of bucket, several shard
// directories at a time, and returns their listing Infos sorted by key.
// Files that are not object files are left out.
func (s *Store) scan(bucket string) ([]*Info, error) {
	shards, err := s.shardDirs(bucket)
	if err != nil {
		return nil, err
	}
	work := make(chan string)
	results := make([][]*Info, scanWorkers)
	errs := make([]error, scanWorkers)
	var wg sync.WaitGroup
	for w := range scanWorkers {
		wg.Go(func() {
			for dir := range work {
				infos, err := scanShard(dir)
				results[w] = append(results[w], infos...)
				errs[w] = cmp.Or(errs[w], err)
			}
		})
	}
	for _, dir := range shards {
		work <- dir
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	all := slices.Concat(results...)
	slices.SortFunc(all, func(a, b *Info) int { return strings.Compare(a.Key, b.Key) })
	return all, nil
}

// shardDirs returns the paths of bucket's shard directories.
func (s *Store) shardDirs(bucket string) ([]string, error) {
	return shardDirsIn(s.bucketDir(bucket))
}

// shardDirsIn returns the paths of the shard directories of the bucket
// directory dir.
func shardDirsIn(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoSuchBucket
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && isHex(e.Name(), 2) {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out, nil
}

// scanShard reads the headers of the object files in one shard directory.
func scanShard(dir string) ([]*Info, error) {
	names, err := readNames(dir)
	if err != nil {
		return nil, err
	}
	var out []*Info
	buf := make([]byte, headerReadAhead)
	for _, name := range names {
		if !isHex(name, 64) {
			continue
		}
		l, err := scanFile(filepath.Join(dir, name), name, buf)
		if err != nil {
			return nil, err
		}
		if l != nil {
			out = append(out, l.info())
		}
	}
	return out, nil
}

// scanFile reads one object header, checking that the file is where its
// key belongs. Nearly every header fits buf and costs one open, one pread
// and one close; longer ones are read again in full. A file that is gone,
// or is no object file, gives nil; other errors (EMFILE, EIO) fail the scan
// rather than drop an object from the index.
func scanFile(path, name string, buf []byte) (*listFields, error) {
	n, err := readFileHead(path, buf)
	if err != nil {
		return nil, ignoreGone(err)
	}
	end, err := headerEnd(buf[:n])
	if err != nil {
		return nil, nil
	}
	var l listFields
	if end <= n {
		_, err = decodeHeader(buf[:end], &l)
	} else {
		err = readHeaderFile(path, &l)
	}
	if errors.Is(err, ErrCorrupt) {
		return nil, nil
	}
	if err != nil {
		return nil, ignoreGone(err)
	}
	if _, want := objectName(l.Key); want != name {
		return nil, nil
	}
	return &l, nil
}

// ignoreGone turns "file does not exist" into nil.
func ignoreGone(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("scan: %w", err)
}

// readHeaderFile decodes the header of the file at path into v.
func readHeaderFile(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = readHeader(f, v)
	return err
}

// readNames lists a directory's entry names, unsorted.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// isHex reports whether s is n lowercase hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
