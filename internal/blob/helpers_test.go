package blob

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testBucket = "bkt"

// newStore opens a store in a fresh directory with bucket testBucket.
func newStore(t testing.TB, opts ...Option) (*Store, string) {
	t.Helper()
	root := t.TempDir()
	s, err := Open(root, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
	return s, root
}

// randomBytes returns n deterministic pseudo-random bytes.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

func quotedMD5(b []byte) string { return `"` + md5Hex(b) + `"` }

// mustPut stores body with no metadata.
func mustPut(t testing.TB, s *Store, key string, body []byte) Info {
	t.Helper()
	info, err := s.Put(testBucket, key, bytes.NewReader(body), Meta{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// readAll reads an object's body.
func readAll(t testing.TB, s *Store, key string) []byte {
	t.Helper()
	_, body, err := s.Get(testBucket, key)
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tmpEntries returns the names left in a bucket's .tmp directory, other
// than empty spares (the stock of spare.go, not leftovers).
func tmpEntries(t testing.TB, root, bucket string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, bucket, tmpDir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && fi.Size() == 0 && strings.HasPrefix(e.Name(), sparePrefix) {
			continue
		}
		names = append(names, e.Name())
	}
	return names
}

// withoutSpares makes every write take the usual way (two fsyncs, group
// commit), for the tests of that way.
func withoutSpares() Option { return func(s *Store) { s.spareBatch = 0 } }

// wantErr fails unless err matches target.
func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

// failingReader yields data, then err.
func failingReader(data []byte, err error) io.Reader {
	return io.MultiReader(bytes.NewReader(data), errReader{err})
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

func errorsIs(err, target error) bool { return errors.Is(err, target) }

// sectionOf returns n bytes of r from off.
func sectionOf(r io.ReaderAt, off, n int64) io.Reader { return io.NewSectionReader(r, off, n) }
