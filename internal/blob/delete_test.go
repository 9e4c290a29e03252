package blob

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// gatedReader blocks its first Read until gate is closed, after telling
// started that the write is under way (its temporary file exists).
type gatedReader struct {
	started chan<- struct{}
	gate    <-chan struct{}
	r       io.Reader
	once    bool
}

func (g *gatedReader) Read(p []byte) (int, error) {
	if !g.once {
		g.once = true
		close(g.started)
		<-g.gate
	}
	return g.r.Read(p)
}

// wantEmpty fails unless bucket lists no object.
func wantEmpty(t *testing.T, s *Store, bucket string) {
	t.Helper()
	infos, _, err := s.List(bucket, "", "", 0)
	if err != nil || len(infos) != 0 {
		t.Fatalf("bucket %s lists %v, %v; want nothing", bucket, infos, err)
	}
}

// TestWriteInFlightDuringBucketDelete: a Put whose body is still arriving
// when its (empty) bucket is deleted and created anew fails with
// ErrNoSuchBucket, and the new bucket never shows its object. Before the
// fix the delete ignored such writes and the object outlived the bucket.
func TestWriteInFlightDuringBucketDelete(t *testing.T) {
	for _, c := range []struct {
		shared bool
		v      Versioning
	}{{false, Unversioned}, {true, Unversioned}, {false, VersioningEnabled}, {true, VersioningEnabled}} {
		shared := c.shared
		name := map[bool]string{false: "private", true: "shared"}[shared] + map[Versioning]string{Unversioned: "", VersioningEnabled: "/versioned"}[c.v]
		t.Run(name, func(t *testing.T) {
			opts := []Option{WithoutSync()}
			if shared {
				opts = append(opts, Shared())
			}
			s, _ := newStore(t, opts...)
			started, gate := make(chan struct{}), make(chan struct{})
			done := make(chan error, 1)
			go func() {
				body := &gatedReader{started: started, gate: gate, r: strings.NewReader("late")}
				_, err := s.PutVersion(testBucket, "k", body, Meta{}, nil, c.v)
				done <- err
			}()
			<-started
			if err := s.DeleteBucketDir(testBucket); err != nil {
				t.Fatal(err)
			}
			if err := s.CreateBucketDir(testBucket); err != nil {
				t.Fatal(err)
			}
			close(gate)
			wantErr(t, <-done, ErrNoSuchBucket)
			wantEmpty(t, s, testBucket)
			if p, err := s.ListVersions(testBucket, VersionQuery{}); err != nil || len(p.Versions) != 0 {
				t.Fatalf("new bucket lists versions %+v, %v", p.Versions, err)
			}
		})
	}
}

// TestDetachRestore: a detached bucket is gone for writers (ErrNoSuchBucket)
// until restored, and keeps working afterwards.
func TestDetachRestore(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	d, err := s.DetachBucketDir(testBucket)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Put(testBucket, "k", bytes.NewReader([]byte("v")), Meta{}, nil)
	wantErr(t, err, ErrNoSuchBucket)
	_, err = s.CreateUpload(testBucket, "k", Meta{})
	wantErr(t, err, ErrNoSuchBucket)
	if err := d.Restore(); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, "k", []byte("v"))
	_, err = s.DetachBucketDir(testBucket)
	wantErr(t, err, ErrBucketNotEmpty)
	if got := readAll(t, s, "k"); string(got) != "v" {
		t.Fatalf("read %q", got)
	}
}

// TestSharedRecreatedBucket: a replica that wrote into a bucket another
// replica then deleted and created anew still writes into the new bucket
// (its memory of the old shard directories does not turn into a false
// NoSuchBucket), and it never sees the old object.
func TestSharedRecreatedBucket(t *testing.T) {
	root := t.TempDir()
	a, err := Open(root, Shared(), WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(root, Shared(), WithoutSync())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CreateBucketDir("shared"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Put("shared", "k", bytes.NewReader([]byte("old")), Meta{}, nil); err != nil {
		t.Fatal(err)
	}
	wantErr(t, a.DeleteBucketDir("shared"), ErrBucketNotEmpty)
	if err := b.Delete("shared", "k"); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteBucketDir("shared"); err != nil {
		t.Fatal(err)
	}
	_, err = b.Put("shared", "k", bytes.NewReader([]byte("gone")), Meta{}, nil)
	wantErr(t, err, ErrNoSuchBucket)
	if err := a.CreateBucketDir("shared"); err != nil {
		t.Fatal(err)
	}
	wantEmpty(t, a, "shared")
	if _, err := b.Put("shared", "k", bytes.NewReader([]byte("new")), Meta{}, nil); err != nil {
		t.Fatal("write into the recreated bucket:", err)
	}
	_, body, err := a.Get("shared", "k")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	if got, _ := io.ReadAll(body); string(got) != "new" {
		t.Fatalf("read %q", got)
	}
}
