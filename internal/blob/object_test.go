package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRoundTripWithMetadata(t *testing.T) {
	clock := time.Date(2026, 3, 4, 5, 6, 7, 891_234_567, time.FixedZone("x", 3600))
	s, _ := newStore(t, WithClock(func() time.Time { return clock }))
	body := randomBytes(1, 100_000)
	meta := Meta{
		ContentType: "text/plain", ContentEncoding: "gzip", ContentDisposition: "attachment",
		CacheControl: "no-cache", ContentLanguage: "ja", Expires: "Thu, 01 Dec 2094 16:00:00 GMT",
		UserMetadata: map[string]string{"color": "blue", "x": "<&>"},
		Tags:         map[string]string{"env": "prod"},
		StorageClass: "STANDARD", Owner: "111122223333",
		Checksums:     map[Algorithm]string{SHA256: sha256B64(body)},
		WantChecksums: []Algorithm{CRC32C},
	}
	key := "dir/../ü/ key?&=%00"
	put, err := s.Put(testBucket, key, bytes.NewReader(body), meta, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Key: key, VersionID: NullVersion, Seq: clock.UnixNano(), IsLatest: true, Size: int64(len(body)), ETag: quotedMD5(body),
		LastModified: time.Date(2026, 3, 4, 4, 6, 7, 891_000_000, time.UTC), Meta: meta.clone()}
	want.WantChecksums = nil
	want.Checksums[CRC32C] = crcB64(CRC32C, body)
	want.ChecksumType = ChecksumFullObject
	assertInfo(t, put, want)
	head, err := s.Head(testBucket, key)
	if err != nil {
		t.Fatal(err)
	}
	assertInfo(t, head, want)
	if got := readAll(t, s, key); !bytes.Equal(got, body) {
		t.Fatal("body differs")
	}
}

func assertInfo(t *testing.T, got, want Info) {
	t.Helper()
	if !got.LastModified.Equal(want.LastModified) || got.LastModified.Location() != time.UTC {
		t.Errorf("LastModified %v, want %v", got.LastModified, want.LastModified)
	}
	got.LastModified, want.LastModified = time.Time{}, time.Time{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("info\n got %+v\nwant %+v", got, want)
	}
}

func sha256B64(b []byte) string {
	sum := sha256.Sum256(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func crcB64(a Algorithm, b []byte) string {
	h := a.NewHash()
	h.Write(b)
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func TestHeaderStaysSmall(t *testing.T) {
	info := Info{Key: strings.Repeat("k", 200), Meta: Meta{ContentType: "application/octet-stream", StorageClass: "STANDARD"}}
	n, err := reserveInfo(info)
	if err != nil {
		t.Fatal(err)
	}
	if fixedHeader+n > headerReadAhead {
		t.Fatalf("typical header takes %d bytes, over the %d read at once", fixedHeader+n, headerReadAhead)
	}
	t.Logf("reserved header for a 200-byte key: %d bytes", fixedHeader+n)
}

func TestEmptyAndNilBody(t *testing.T) {
	s, _ := newStore(t)
	info, err := s.Put(testBucket, "empty", nil, Meta{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != 0 || info.ETag != `"d41d8cd98f00b204e9800998ecf8427e"` {
		t.Fatalf("empty object: %+v", info)
	}
	if got := readAll(t, s, "empty"); len(got) != 0 {
		t.Fatalf("read %d bytes", len(got))
	}
}

func TestRangeAndServeContent(t *testing.T) {
	s, _ := newStore(t)
	body := randomBytes(2, 300_000)
	mustPut(t, s, "r", body)
	info, b, err := s.Get(testBucket, "r")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	part := make([]byte, 1000)
	if _, err := b.ReadAt(part, 123_456); err != nil || !bytes.Equal(part, body[123_456:124_456]) {
		t.Fatalf("ReadAt: %v", err)
	}
	sec, _ := io.ReadAll(io.NewSectionReader(b, 299_990, 100))
	if !bytes.Equal(sec, body[299_990:]) {
		t.Fatal("section at the end differs")
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/r", nil)
	req.Header.Set("Range", "bytes=100-199")
	http.ServeContent(rec, req, "r", info.LastModified, b)
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), body[100:200]) {
		t.Fatalf("ServeContent: %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestOverwriteAndDeleteWhileReading(t *testing.T) {
	s, _ := newStore(t)
	v1, v2 := randomBytes(3, 50_000), randomBytes(4, 70_000)
	mustPut(t, s, "k", v1)
	_, old, err := s.Get(testBucket, "k")
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	mustPut(t, s, "k", v2)
	if err := s.Delete(testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(old); !bytes.Equal(got, v1) {
		t.Fatal("reader of the old version saw other bytes")
	}
	mustPut(t, s, "k", v2)
	if got := readAll(t, s, "k"); !bytes.Equal(got, v2) {
		t.Fatal("new reader does not see the new version")
	}
}

func TestConcurrentWritersOneKey(t *testing.T) {
	s, root := newStore(t)
	const writers, size = 8, 1 << 20
	bodies := make([][]byte, writers)
	for i := range bodies {
		bodies[i] = bytes.Repeat([]byte{byte('a' + i)}, size)
	}
	mustPut(t, s, "hot", bodies[0])
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() { readUntorn(t, s, stop) })
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			for range 4 {
				if _, err := s.Put(testBucket, "hot", bytes.NewReader(bodies[i]), Meta{}, nil); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	got := readAll(t, s, "hot")
	info, _ := s.Head(testBucket, "hot")
	if len(got) != size || !bytes.Equal(got, bytes.Repeat(got[:1], size)) || info.ETag != quotedMD5(got) {
		t.Fatal("final object is torn")
	}
	if left := tmpEntries(t, root, testBucket); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

// readUntorn reads the hot key until stop, failing on any mixed body.
func readUntorn(t *testing.T, s *Store, stop chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		_, b, err := s.Get(testBucket, "hot")
		if err != nil {
			t.Error(err)
			return
		}
		got, err := io.ReadAll(b)
		b.Close()
		if err != nil || len(got) != 1<<20 || !bytes.Equal(got, bytes.Repeat(got[:1], len(got))) {
			t.Error("reader saw a torn object")
			return
		}
	}
}

func TestFailedVerifyLeavesNoTrace(t *testing.T) {
	s, root := newStore(t)
	v1 := randomBytes(5, 10_000)
	mustPut(t, s, "k", v1)
	refuse := errors.New("content-md5 mismatch")
	var seen Digests
	_, err := s.Put(testBucket, "k", bytes.NewReader(randomBytes(6, 20_000)), Meta{WantChecksums: []Algorithm{SHA1}},
		func(d Digests) error { seen = d; return refuse })
	wantErr(t, err, refuse)
	if seen.Size != 20_000 || len(seen.MD5) != 16 || len(seen.Sums[SHA1]) != 20 || len(seen.Sums) != 1 {
		t.Fatalf("verify saw %+v", seen)
	}
	_, err = s.Put(testBucket, "new", bytes.NewReader(v1), Meta{}, func(Digests) error { return refuse })
	wantErr(t, err, refuse)
	_, err = s.Head(testBucket, "new")
	wantErr(t, err, ErrNoSuchKey)
	if got := readAll(t, s, "k"); !bytes.Equal(got, v1) {
		t.Fatal("failed overwrite changed the object")
	}
	if left := tmpEntries(t, root, testBucket); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

func TestGivenChecksumMismatch(t *testing.T) {
	s, root := newStore(t)
	body := []byte("hello")
	_, err := s.Put(testBucket, "k", bytes.NewReader(body), Meta{Checksums: map[Algorithm]string{CRC32: "AAAAAA=="}}, nil)
	wantErr(t, err, ErrBadDigest)
	_, err = s.Put(testBucket, "k", bytes.NewReader(body), Meta{WantChecksums: []Algorithm{"MD4"}}, nil)
	wantErr(t, err, ErrInvalidArgument)
	_, err = s.Head(testBucket, "k")
	wantErr(t, err, ErrNoSuchKey)
	if left := tmpEntries(t, root, testBucket); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

func TestReaderErrorMidStream(t *testing.T) {
	s, root := newStore(t)
	for _, cause := range []error{io.ErrUnexpectedEOF, errors.New("connection reset")} {
		_, err := s.Put(testBucket, "k", failingReader(randomBytes(7, 600_000), cause), Meta{}, nil)
		wantErr(t, err, cause)
	}
	_, err := s.Head(testBucket, "k")
	wantErr(t, err, ErrNoSuchKey)
	if left := tmpEntries(t, root, testBucket); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
}

func TestKeysAndBuckets(t *testing.T) {
	s, _ := newStore(t)
	long := strings.Repeat("é", MaxKeyLength/2)
	mustPut(t, s, long, []byte("x"))
	_, err := s.Put(testBucket, long+"x", bytes.NewReader(nil), Meta{}, nil)
	wantErr(t, err, ErrKeyTooLong)
	for _, key := range []string{"", "a\x00b", "\xff"} {
		_, err := s.Put(testBucket, key, bytes.NewReader(nil), Meta{}, nil)
		wantErr(t, err, ErrInvalidKey)
	}
	for _, bucket := range []string{"", ".", "..", "a/b", ".uploads", "-x"} {
		_, err := s.Put(bucket, "k", bytes.NewReader(nil), Meta{}, nil)
		wantErr(t, err, ErrInvalidBucketName)
	}
	_, err = s.Put("nope", "k", bytes.NewReader(nil), Meta{}, nil)
	wantErr(t, err, ErrNoSuchBucket)
	_, _, err = s.Get("nope", "k")
	wantErr(t, err, ErrNoSuchBucket)
	wantErr(t, s.Delete("nope", "k"), ErrNoSuchBucket)
}

func TestDeleteIdempotent(t *testing.T) {
	s, _ := newStore(t)
	mustPut(t, s, "k", []byte("v"))
	for range 2 {
		if err := s.Delete(testBucket, "k"); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := s.Get(testBucket, "k")
	wantErr(t, err, ErrNoSuchKey)
}

func TestBucketDirLifecycle(t *testing.T) {
	s, _ := newStore(t)
	if err := s.CreateBucketDir(testBucket); err != nil {
		t.Fatal("create is not idempotent:", err)
	}
	mustPut(t, s, "k", []byte("v"))
	if empty, err := s.BucketEmpty(testBucket); err != nil || empty {
		t.Fatalf("BucketEmpty = %v, %v", empty, err)
	}
	wantErr(t, s.DeleteBucketDir(testBucket), ErrBucketNotEmpty)
	if err := s.Delete(testBucket, "k"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.DeleteBucketDir(testBucket), ErrNoSuchBucket)
	_, err := s.Put(testBucket, "k", bytes.NewReader(nil), Meta{}, nil)
	wantErr(t, err, ErrNoSuchBucket)
	if err := s.CreateBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
	if infos, _, err := s.List(testBucket, "", "", 0); err != nil || len(infos) != 0 {
		t.Fatalf("recreated bucket lists %v, %v", infos, err)
	}
}

func TestSetTagsKeepsBody(t *testing.T) {
	s, _ := newStore(t)
	body := randomBytes(8, 200_000)
	put, err := s.Put(testBucket, "k", bytes.NewReader(body), Meta{ContentType: "a/b", Tags: map[string]string{"a": "1"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.SetTags(testBucket, "k", map[string]string{"b": "2"})
	if err != nil {
		t.Fatal(err)
	}
	head, _ := s.Head(testBucket, "k")
	if head.ETag != put.ETag || !head.LastModified.Equal(put.LastModified) || head.ContentType != "a/b" ||
		!reflect.DeepEqual(head.Tags, map[string]string{"b": "2"}) || !reflect.DeepEqual(got.Tags, head.Tags) {
		t.Fatalf("after SetTags: %+v", head)
	}
	if !bytes.Equal(readAll(t, s, "k"), body) {
		t.Fatal("SetTags changed the body")
	}
	_, err = s.SetTags(testBucket, "missing", nil)
	wantErr(t, err, ErrNoSuchKey)
}
