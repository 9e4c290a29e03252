package blob

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Limits the store enforces, from S3's.
const (
	MaxKeyLength  = 1024    // bytes of UTF-8 in a key
	MaxPutSize    = 5 << 30 // bytes in one Put body or one part
	MaxObjectSize = 5 << 40 // bytes in a completed multipart object
	MinPartSize   = 5 << 20 // bytes in every part but the last
	MaxParts      = 10000   // highest part number
)

// Internal names and sizes.
const (
	bufferSize  = 256 << 10  // bytes each body copy holds in memory
	dirMode     = 0o700      // directories the store creates
	uploadsDir  = ".uploads" // per-bucket directory of multipart uploads
	tmpDir      = ".tmp"     // per-bucket directory of files being written
	trashPrefix = ".trash-"  // root entries of buckets being deleted
	recordName  = "upload"   // the record file in an upload directory
	partPrefix  = "part-"    // part files in an upload directory
	scanWorkers = 8          // goroutines reading headers during a scan
)

// Store keeps objects under one root directory. Its methods are safe for
// concurrent use. Only one Store (in one process) may use a root at a time,
// since Open removes the temporary files of whatever wrote there before —
// unless every process opens it Shared.
type Store struct {
	root   string
	sync   bool             // fsync files and directories (false only for tests and scratch data)
	shared bool             // other processes write here too
	now    func() time.Time // clock for LastModified and Initiated
	bufs   sync.Pool        // *[]byte of bufferSize
	seq    atomic.Int64     // the last version Seq handed out
	// firstSeq: every Seq this Store hands out is above it (the clock at
	// Open less one, or the Seq watermark if higher); see stampedHere.
	firstSeq int64
	// mark is the Seq watermark (seqmark.go): no Seq above it is handed
	// out before it has been raised, durably, under markMu.
	mark   atomic.Int64
	markMu sync.Mutex
	// spareBatch: how many spares a batch makes (spare.go); tests set 0
	// to write without spares.
	spareBatch int
	// scanCacheMargin: how long a shard must be left alone before its
	// scan is cached (scancache.go); tests shorten it.
	scanCacheMargin time.Duration

	mu      sync.Mutex
	buckets map[string]*bucketState

	headers headerCache // decoded object headers by their bytes
	objects objectCache // small objects recently read (objectcache.go)

	// fsync makes a file or directory durable: (*os.File).Sync, or a
	// test's counting or failing stand-in. Every fsync of the store goes
	// through it.
	fsync func(*os.File) error

	groupMu sync.Mutex
	groups  map[string]dirGroups // each directory's groups not yet fsynced (commit.go)
}

// Option adjusts a Store at Open.
type Option func(*Store)

// WithoutSync skips every fsync: writes are still atomic for other readers
// and survive a crash of the process, but not of the machine. For tests and
// throwaway data only.
func WithoutSync() Option { return func(s *Store) { s.sync = false } }

// Shared is for a root that several Sekisho replicas use at once (a
// shared directory): Open leaves other processes' temporary files and
// uploads alone, and listings are read from the files every time instead
// of from this process's index, so every replica sees every object.
func Shared() Option { return func(s *Store) { s.shared = true } }

// WithClock replaces the clock that stamps LastModified and Initiated.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// Open opens (creating if needed) the store rooted at root and removes what
// an interrupted run left behind: temporary files, upload directories
// without a record and half-deleted buckets.
func Open(root string, opts ...Option) (*Store, error) {
	s := &Store{root: root, sync: true, now: time.Now, buckets: make(map[string]*bucketState), scanCacheMargin: scanCacheMargin, spareBatch: defaultSpareBatch, fsync: (*os.File).Sync}
	for _, o := range opts {
		o(s)
	}
	s.bufs.New = func() any { b := make([]byte, bufferSize); return &b }
	if err := os.MkdirAll(root, dirMode); err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", root, err)
	}
	mark, err := readSeqMark(root)
	if err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", root, err)
	}
	s.mark.Store(mark)
	s.firstSeq = max(s.now().UnixNano()-1, mark)
	s.seq.Store(s.firstSeq)
	if err := s.recover(); err != nil {
		return nil, fmt.Errorf("blob: open %s: %w", root, err)
	}
	return s, nil
}

// recover cleans every bucket directory and removes leftover trash. A
// shared root is left alone: its temporary files may be other replicas'
// writes in progress.
func (s *Store) recover() error {
	if s.shared {
		return nil
	}
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return fmt.Errorf("read root: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, trashPrefix):
			err = os.RemoveAll(filepath.Join(s.root, name))
		case isSeqMarkTemp(name):
			err = os.Remove(filepath.Join(s.root, name))
		case e.IsDir() && checkBucket(name) == nil:
			err = s.recoverBucket(name)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// recoverBucket publishes again the spares a crash left complete in the
// bucket's .tmp (spare.go), empties .tmp, and drops upload directories
// whose record never got published.
func (s *Store) recoverBucket(bucket string) error {
	dir := s.bucketDir(bucket)
	if err := s.replaySpares(bucket); err != nil {
		return fmt.Errorf("clean %s: %w", bucket, err)
	}
	if err := ensureDirs(dir); err != nil {
		return fmt.Errorf("clean %s: %w", bucket, err)
	}
	ups, err := os.ReadDir(filepath.Join(dir, uploadsDir))
	if err != nil {
		return fmt.Errorf("clean %s: %w", bucket, err)
	}
	for _, u := range ups {
		up := filepath.Join(dir, uploadsDir, u.Name())
		if _, err := os.Stat(filepath.Join(up, recordName)); errors.Is(err, fs.ErrNotExist) {
			if err := os.RemoveAll(up); err != nil {
				return fmt.Errorf("clean %s: %w", bucket, err)
			}
		}
	}
	return nil
}

// ensureDirs creates a bucket directory's .tmp and .uploads.
func ensureDirs(dir string) error {
	for _, sub := range []string{tmpDir, uploadsDir} {
		if err := os.Mkdir(filepath.Join(dir, sub), dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	return nil
}

// CreateBucketDir creates the directory of bucket; it is a no-op when the
// directory exists.
func (s *Store) CreateBucketDir(bucket string) error {
	if err := checkBucket(bucket); err != nil {
		return opError("create bucket", bucket, "", err)
	}
	b := s.state(bucket)
	b.mu.Lock()
	defer b.mu.Unlock()
	dir := s.bucketDir(bucket)
	err := os.Mkdir(dir, dirMode)
	created := err == nil
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return opError("create bucket", bucket, "", err)
	}
	if err := ensureDirs(dir); err != nil {
		return opError("create bucket", bucket, "", err)
	}
	if created {
		b.index, b.loaded = nil, true // a new bucket is known to be empty
	}
	if err := s.syncDirs(dir, s.root); err != nil {
		return opError("create bucket", bucket, "", err)
	}
	return nil
}

// checkBucketDir validates the bucket name and reports ErrNoSuchBucket when
// its directory is missing.
func (s *Store) checkBucketDir(bucket string) error {
	if err := checkBucket(bucket); err != nil {
		return err
	}
	fi, err := os.Stat(s.bucketDir(bucket))
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !fi.IsDir()) {
		return ErrNoSuchBucket
	}
	return err
}

// checkBucket accepts names that are safe as one directory entry: 1-255
// characters of [A-Za-z0-9._-], starting with a letter or digit. S3's own
// naming rules are the caller's.
func checkBucket(bucket string) error {
	if bucket == "" || len(bucket) > 255 {
		return ErrInvalidBucketName
	}
	for i, c := range []byte(bucket) {
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '-' && c != '_') {
			return ErrInvalidBucketName
		}
	}
	return nil
}

// checkKey accepts 1 to MaxKeyLength bytes of NUL-free UTF-8.
func checkKey(key string) error {
	switch {
	case key == "":
		return fmt.Errorf("%w: empty", ErrInvalidKey)
	case len(key) > MaxKeyLength:
		return fmt.Errorf("%w: %d bytes", ErrKeyTooLong, len(key))
	case !utf8.ValidString(key):
		return fmt.Errorf("%w: not UTF-8", ErrInvalidKey)
	case strings.IndexByte(key, 0) >= 0:
		return fmt.Errorf("%w: NUL byte", ErrInvalidKey)
	}
	return nil
}

func (s *Store) bucketDir(bucket string) string { return filepath.Join(s.root, bucket) }

// objectName returns the shard directory and file name of key.
func objectName(key string) (shard, name string) {
	sum := sha256.Sum256([]byte(key))
	name = hex.EncodeToString(sum[:])
	return name[:2], name
}

func (s *Store) objectPath(bucket, key string) string {
	shard, name := objectName(key)
	return filepath.Join(s.root, bucket, shard, name)
}

// stamp returns the current time as S3 keeps it: UTC, milliseconds.
func (s *Store) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// syncDirs fsyncs each directory, so entries created, renamed or removed
// in it are durable.
func (s *Store) syncDirs(dirs ...string) error {
	if !s.sync {
		return nil
	}
	for _, dir := range dirs {
		f, err := os.Open(dir)
		if err != nil {
			return fmt.Errorf("sync dir: %w", err)
		}
		err = s.fsync(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("sync dir %s: %w", dir, err)
		}
	}
	return nil
}

// randomHex returns n random bytes in hex.
func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
