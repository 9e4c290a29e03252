package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/gob"
	"errors"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The first listing of a bucket after Open reads the header of every
// version file (about 2 s for 100,000 versions on a loaded 2-core VM). A
// scan cache keeps what a scan read of one shard directory in
// <bucket>/.index/<ab>, stamped with the directory's modification time
// and a digest of its names, so the next process reads one file per shard
// instead of one per version, for the shards nothing has touched since.
//
// Every change to a shard (publish, link, remove, rewrite) renames or
// removes an entry of the shard directory, which sets the directory's
// modification time; a stamp that still matches therefore means the
// files are the ones scanned. Timestamps are coarse (a clock tick, a
// second on some file systems), so a change in the same tick as the scan
// could keep the stamp: a shard is only cached when its directory was
// last modified scanCacheMargin before the scan. The cache is a hint,
// never the truth: anything unreadable, corrupt or stale is ignored and
// the shard scanned again; in Shared mode, where other processes write,
// it is not used at all.

// indexDir is the per-bucket directory of scan caches.
const indexDir = ".index"

// scanCacheMargin is how long a shard must have been left alone before
// its scan is cached.
const scanCacheMargin = 5 * time.Second

// scanCacheFormat versions the cache layout; another value is ignored.
const scanCacheFormat = 1

// scannedFile is one version file a scan accepted.
type scannedFile struct {
	Name   string
	Fields listFields
}

// shardCache is what a cache file holds.
type shardCache struct {
	Format int
	Mtime  int64    // the shard directory's, in nanoseconds
	Names  [32]byte // SHA-256 of the directory's sorted names
	Files  []scannedFile
}

// scanShardCached scans one shard directory of bucket, from its cache when
// the cache is current, writing the cache when the shard has been left
// alone long enough.
func (s *Store) scanShardCached(bucket, dir string) ([]*keyEntry, error) {
	if s.shared {
		return scanShard(dir)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return scanShard(dir)
	}
	names, err := readNames(dir)
	if err != nil {
		return nil, err
	}
	stamp := shardCache{Format: scanCacheFormat, Mtime: fi.ModTime().UnixNano(), Names: namesDigest(names)}
	cachePath := filepath.Join(s.bucketDir(bucket), indexDir, filepath.Base(dir))
	if files, ok := readShardCache(cachePath, stamp); ok {
		return groupFiles(files), nil
	}
	files, err := scanFiles(dir, names)
	if err != nil {
		return nil, err
	}
	if time.Since(fi.ModTime()) > s.scanCacheMargin {
		stamp.Files = files
		_ = writeShardCache(cachePath, stamp) // only a hint: the next scan reads the files
	}
	return groupFiles(files), nil
}

// namesDigest is a digest of a directory's entry names.
func namesDigest(names []string) [32]byte {
	sorted := slices.Sorted(slices.Values(names))
	h := sha256.New()
	for _, n := range sorted {
		h.Write([]byte(n))
		h.Write([]byte{0})
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// readShardCache returns the cached files when the cache at path exists,
// is intact and carries stamp.
func readShardCache(path string, stamp shardCache) ([]scannedFile, bool) {
	raw, err := os.ReadFile(path)
	if err != nil || len(raw) < 4 {
		return nil, false
	}
	payload := raw[4:]
	if binary.BigEndian.Uint32(raw[:4]) != crc32.ChecksumIEEE(payload) {
		return nil, false
	}
	var c shardCache
	if gob.NewDecoder(bytes.NewReader(payload)).Decode(&c) != nil {
		return nil, false
	}
	if c.Format != stamp.Format || c.Mtime != stamp.Mtime || c.Names != stamp.Names {
		return nil, false
	}
	return c.Files, true
}

// writeShardCache writes c to path through a temporary file and a rename,
// so a reader sees a whole cache or none; no fsync, as a cache lost in a
// crash only costs a scan.
func writeShardCache(path string, c shardCache) error {
	var buf bytes.Buffer
	buf.Write(make([]byte, 4))
	if err := gob.NewEncoder(&buf).Encode(c); err != nil {
		return err
	}
	raw := buf.Bytes()
	binary.BigEndian.PutUint32(raw[:4], crc32.ChecksumIEEE(raw[4:]))
	dir := filepath.Dir(path)
	if err := os.Mkdir(dir, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	tmp := path + ".tmp-" + randomHex(4)
	if err := os.WriteFile(tmp, raw, 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// scanFiles reads the headers of the version files among names in dir.
func scanFiles(dir string, names []string) ([]scannedFile, error) {
	var out []scannedFile
	buf := make([]byte, headerReadAhead)
	for _, name := range names {
		hash, versionID, noncurrent := strings.Cut(name, ".")
		if !isHex(hash, 64) || noncurrent && checkVersionID(versionID) != nil {
			continue
		}
		l, err := scanFile(filepath.Join(dir, name), hash, buf)
		if err != nil {
			return nil, err
		}
		if l == nil || noncurrent && l.VersionID != versionID {
			continue
		}
		out = append(out, scannedFile{Name: name, Fields: *l})
	}
	return out, nil
}

// groupFiles groups a shard's version files by key into index entries.
func groupFiles(files []scannedFile) []*keyEntry {
	groups := make(map[string]*fileGroup)
	for i := range files {
		hash, _, noncurrent := strings.Cut(files[i].Name, ".")
		g := groups[hash]
		if g == nil {
			g = &fileGroup{}
			groups[hash] = g
		}
		if noncurrent {
			g.noncurrent = append(g.noncurrent, files[i].Fields.info())
		} else {
			g.current = files[i].Fields.info()
		}
	}
	out := make([]*keyEntry, 0, len(groups))
	for _, g := range groups {
		out = append(out, g.entry())
	}
	return out
}
