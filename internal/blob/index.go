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
	"sync/atomic"
	"time"
)

// bucketState is what the store keeps in memory about one bucket: the lock
// that orders renames into it, and its key index once loaded.
type bucketState struct {
	mu     genMutex
	loaded bool            // index reflects the bucket's files
	index  []*keyEntry     // sorted by key
	shards map[string]bool // shard directories known to exist
	// tmpDirty: a spare was published without a directory fsync since
	// .tmp was last fsynced (spare.go).
	tmpDirty bool
	spares   spares
}

// genMutex is the bucket lock, counting its lockings and unlockings: every
// change to a bucket's files is made holding it, so while its generation
// is even and unchanged no such change has run (the cache of small
// objects, objectcache.go, relies on this).
type genMutex struct {
	sync.Mutex
	gen atomic.Uint64 // odd while held
}

func (m *genMutex) Lock() {
	m.Mutex.Lock()
	m.gen.Add(1)
}

func (m *genMutex) Unlock() {
	m.gen.Add(1)
	m.Mutex.Unlock()
}

// lockReading and unlockReading hold the lock for a holder that changes
// no object file (a listing, which at most loads the in-memory index and
// the scan cache), leaving the generation, and so the cached objects of
// the bucket, alone.
func (m *genMutex) lockReading()   { m.Mutex.Lock() }
func (m *genMutex) unlockReading() { m.Mutex.Unlock() }

// generation returns the lock's generation, odd while it is held.
func (m *genMutex) generation() uint64 { return m.gen.Load() }

// keyEntry is the index entry of one key: its versions, newest first, the
// first being the current file's. Infos hold listing fields only.
type keyEntry struct {
	key      string
	versions []*Info
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
// ListObjects and ListObjectVersions show. Scans decode only these.
type listFields struct {
	Key          string
	VersionID    string
	DeleteMarker bool
	Seq          int64
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
	info := &Info{
		Key:          l.Key,
		VersionID:    l.VersionID,
		DeleteMarker: l.DeleteMarker,
		Seq:          l.Seq,
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
	info.normalize()
	return info
}

// listing returns the index entry for info.
func listing(info *Info) *Info {
	l := listFields{
		Key: info.Key, VersionID: info.VersionID, DeleteMarker: info.DeleteMarker, Seq: info.Seq,
		Size: info.Size, ETag: info.ETag, LastModified: info.LastModified,
		PartsCount: info.PartsCount, StorageClass: info.StorageClass, Owner: info.Owner,
		Checksums: maps.Clone(info.Checksums), ChecksumType: info.ChecksumType,
	}
	return l.info()
}

func byKey(e *keyEntry, key string) int { return strings.Compare(e.key, key) }

// entry returns key's index entry, or nil; the caller holds b.mu.
func (b *bucketState) entry(key string) *keyEntry {
	if i, found := slices.BinarySearchFunc(b.index, key, byKey); found {
		return b.index[i]
	}
	return nil
}

// setCurrent records info as the new current version of its key, if the
// index is loaded: it replaces a version with the same ID (the null
// version) and precedes the others. The caller holds b.mu.
func (b *bucketState) setCurrent(info *Info) {
	if !b.loaded {
		return
	}
	l := listing(info)
	i, found := slices.BinarySearchFunc(b.index, info.Key, byKey)
	if !found {
		b.index = slices.Insert(b.index, i, &keyEntry{key: info.Key, versions: []*Info{l}})
		return
	}
	e := b.index[i]
	if info.VersionID == NullVersion { // new IDs are unique: nothing to replace
		e.versions = slices.DeleteFunc(e.versions, func(v *Info) bool { return v.VersionID == NullVersion })
	}
	e.versions = slices.Insert(e.versions, 0, l)
}

// removeVersion drops a version of key from the index, if loaded, and the
// key once it has no version left; the caller holds b.mu.
func (b *bucketState) removeVersion(key, versionID string) {
	if !b.loaded {
		return
	}
	i, found := slices.BinarySearchFunc(b.index, key, byKey)
	if !found {
		return
	}
	e := b.index[i]
	e.versions = slices.DeleteFunc(e.versions, func(v *Info) bool { return v.VersionID == versionID })
	if len(e.versions) == 0 {
		b.index = slices.Delete(b.index, i, i+1)
	}
}

// List returns the objects of bucket whose keys start with prefix and sort
// (bytewise) after the exclusive lower bound after, in key order, at most
// limit of them (limit < 1: all), and whether more matched: the latest
// version of each key, leaving out keys whose latest version is a delete
// marker. The Infos hold the listing fields only: Key, VersionID, Seq,
// IsLatest, Size, ETag, LastModified, PartsCount, StorageClass, Owner,
// Checksums and ChecksumType; Head gives the rest.
func (s *Store) List(bucket, prefix, after string, limit int) ([]Info, bool, error) {
	if err := s.checkBucketDir(bucket); err != nil {
		return nil, false, opError("list", bucket, "", err)
	}
	b := s.state(bucket)
	b.mu.lockReading()
	defer b.mu.unlockReading()
	if err := s.load(bucket, b); err != nil {
		return nil, false, opError("list", bucket, "", err)
	}
	start, _ := slices.BinarySearchFunc(b.index, prefix, byKey)
	if after >= prefix {
		start, _ = slices.BinarySearchFunc(b.index, after+"\x00", byKey)
	}
	var out []Info
	for _, e := range b.index[start:] {
		if !strings.HasPrefix(e.key, prefix) {
			break
		}
		if e.versions[0].DeleteMarker {
			continue // deleted: only ListVersions shows it
		}
		if limit > 0 && len(out) == limit {
			return out, true, nil
		}
		out = append(out, latestCopy(e))
	}
	return out, false, nil
}

// latestCopy returns a copy of the entry's latest version.
func latestCopy(e *keyEntry) Info {
	return versionCopy(e.versions[0], true)
}

// versionCopy returns a copy of an index Info the caller may keep.
func versionCopy(v *Info, latest bool) Info {
	info := *v
	info.Checksums = maps.Clone(v.Checksums)
	info.IsLatest = latest
	return info
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

// scan reads the header of every version file of bucket, several shard
// directories at a time, and returns the index entries sorted by key.
// Files that are not version files are left out.
func (s *Store) scan(bucket string) ([]*keyEntry, error) {
	shards, err := s.shardDirs(bucket)
	if err != nil {
		return nil, err
	}
	work := make(chan string)
	results := make([][]*keyEntry, scanWorkers)
	errs := make([]error, scanWorkers)
	var wg sync.WaitGroup
	for w := range scanWorkers {
		wg.Go(func() {
			for dir := range work {
				entries, err := s.scanShardCached(bucket, dir)
				results[w] = append(results[w], entries...)
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
	slices.SortFunc(all, func(a, b *keyEntry) int { return strings.Compare(a.key, b.key) })
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

// scanShard reads the headers of the version files in one shard directory
// and groups them by key.
func scanShard(dir string) ([]*keyEntry, error) {
	names, err := readNames(dir)
	if err != nil {
		return nil, err
	}
	files, err := scanFiles(dir, names)
	if err != nil {
		return nil, err
	}
	return groupFiles(files), nil
}

// fileGroup is the version files of one key found by a scan.
type fileGroup struct {
	current    *Info
	noncurrent []*Info
}

// entry orders the group's versions: the current file first, then the
// noncurrent ones newest first. A noncurrent file with the current one's
// version ID is a leftover of an interrupted write and is left out.
func (g *fileGroup) entry() *keyEntry {
	vs := g.noncurrent
	slices.SortFunc(vs, func(a, b *Info) int { return cmp.Compare(b.Seq, a.Seq) })
	if g.current != nil {
		id := g.current.VersionID
		vs = slices.DeleteFunc(vs, func(v *Info) bool { return v.VersionID == id })
		vs = slices.Insert(vs, 0, g.current)
	}
	return &keyEntry{key: vs[0].Key, versions: vs}
}

// scanFile reads one version header, checking that the file is where its
// key belongs (hash is the name of the key's current file). Nearly every
// header fits buf and costs one open, one pread and one close; longer ones
// are read again in full. A file that is gone, or is no version file, gives
// nil; other errors (EMFILE, EIO) fail the scan rather than drop a version
// from the index.
func scanFile(path, hash string, buf []byte) (*listFields, error) {
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
	if _, want := objectName(l.Key); want != hash {
		return nil, nil
	}
	if l.VersionID == "" {
		l.VersionID = NullVersion
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
