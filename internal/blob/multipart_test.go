package blob

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// uploadParts uploads bodies as parts 1..n and returns what Complete needs.
func uploadParts(t *testing.T, s *Store, key, id string, bodies [][]byte) []CompletedPart {
	t.Helper()
	var done []CompletedPart
	for i, b := range bodies {
		p, err := s.PutPart(testBucket, key, id, i+1, bytes.NewReader(b), nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p.ETag != quotedMD5(b) || p.Size != int64(len(b)) || p.PartNumber != i+1 {
			t.Fatalf("part %d: %+v", i+1, p)
		}
		done = append(done, CompletedPart{PartNumber: i + 1, ETag: p.ETag})
	}
	return done
}

// bigParts returns three MinPartSize parts and a small last one.
func bigParts() [][]byte {
	return [][]byte{randomBytes(11, MinPartSize), randomBytes(12, MinPartSize), randomBytes(13, MinPartSize), []byte("tail")}
}

func wantMultipartETag(bodies [][]byte) string {
	h := md5.New()
	for _, b := range bodies {
		sum := md5.Sum(b)
		h.Write(sum[:])
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(h.Sum(nil)), len(bodies))
}

func TestMultipartHappyPath(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	meta := Meta{ContentType: "video/mp4", UserMetadata: map[string]string{"a": "b"}, WantChecksums: []Algorithm{CRC32}}
	id, err := s.CreateUpload(testBucket, "movie", meta)
	if err != nil {
		t.Fatal(err)
	}
	bodies := bigParts()
	done := uploadParts(t, s, "movie", id, bodies)
	info, err := s.CompleteUpload(testBucket, "movie", id, done)
	if err != nil {
		t.Fatal(err)
	}
	whole := bytes.Join(bodies, nil)
	if info.ETag != wantMultipartETag(bodies) || info.Size != int64(len(whole)) || info.PartsCount != 4 {
		t.Fatalf("completed: %+v", info)
	}
	if info.ChecksumType != ChecksumComposite || info.Checksums[CRC32] != compositeOf(CRC32, bodies) {
		t.Fatalf("checksums: %v %s", info.Checksums, info.ChecksumType)
	}
	head, _ := s.Head(testBucket, "movie")
	if head.ContentType != "video/mp4" || head.UserMetadata["a"] != "b" || head.ETag != info.ETag {
		t.Fatalf("head: %+v", head)
	}
	if !bytes.Equal(readAll(t, s, "movie"), whole) {
		t.Fatal("assembled body differs")
	}
	if ups, _ := s.ListUploads(testBucket, ""); len(ups) != 0 {
		t.Fatalf("upload still listed: %+v", ups)
	}
	if _, err := os.Stat(filepath.Join(root, testBucket, uploadsDir, id)); !os.IsNotExist(err) {
		t.Fatal("upload directory left behind")
	}
	_, err = s.CompleteUpload(testBucket, "movie", id, done)
	wantErr(t, err, ErrNoSuchUpload)
}

func compositeOf(a Algorithm, bodies [][]byte) string {
	h := a.NewHash()
	for _, b := range bodies {
		p := a.NewHash()
		p.Write(b)
		h.Write(p.Sum(nil))
	}
	return fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(h.Sum(nil)), len(bodies))
}

func TestMultipartFullObjectChecksum(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	id, err := s.CreateUpload(testBucket, "k", Meta{WantChecksums: []Algorithm{CRC64NVME}})
	if err != nil {
		t.Fatal(err)
	}
	bodies := [][]byte{randomBytes(14, MinPartSize), randomBytes(15, 1000)}
	info, err := s.CompleteUpload(testBucket, "k", id, uploadParts(t, s, "k", id, bodies))
	if err != nil {
		t.Fatal(err)
	}
	if info.ChecksumType != ChecksumFullObject || info.Checksums[CRC64NVME] != crcB64(CRC64NVME, bytes.Join(bodies, nil)) {
		t.Fatalf("full-object checksum: %v %s", info.Checksums, info.ChecksumType)
	}
}

func TestMultipartErrors(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	id, err := s.CreateUpload(testBucket, "k", Meta{})
	if err != nil {
		t.Fatal(err)
	}
	small := [][]byte{[]byte("one"), []byte("two"), []byte("three")}
	done := uploadParts(t, s, "k", id, small)
	cases := []struct {
		name  string
		parts []CompletedPart
		want  error
	}{
		{"empty", nil, ErrInvalidPart},
		{"descending", []CompletedPart{done[1], done[0]}, ErrInvalidPartOrder},
		{"duplicate", []CompletedPart{done[0], done[0]}, ErrInvalidPartOrder},
		{"unknown part", []CompletedPart{{PartNumber: 7, ETag: done[0].ETag}}, ErrInvalidPart},
		{"etag mismatch", []CompletedPart{{PartNumber: 1, ETag: done[1].ETag}}, ErrInvalidPart},
		{"checksum mismatch", []CompletedPart{{PartNumber: 1, ETag: done[0].ETag, Checksums: map[Algorithm]string{CRC32: "AAAAAA=="}}}, ErrInvalidPart},
		{"part number 0", []CompletedPart{{PartNumber: 0, ETag: done[0].ETag}}, ErrInvalidArgument},
		{"too small", []CompletedPart{done[0], done[2]}, ErrEntityTooSmall},
	}
	for _, c := range cases {
		_, err := s.CompleteUpload(testBucket, "k", id, c.parts)
		if !errorsIs(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	// None of the failures consumed the upload: one part alone completes.
	info, err := s.CompleteUpload(testBucket, "k", id, []CompletedPart{{PartNumber: 2, ETag: normalizeETag(done[1].ETag)}})
	if err != nil || info.Size != 3 || !bytes.Equal(readAll(t, s, "k"), []byte("two")) {
		t.Fatalf("single-part completion: %+v, %v", info, err)
	}
}

func TestMultipartUnknownUploads(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	id, _ := s.CreateUpload(testBucket, "k", Meta{})
	for _, bad := range []struct{ key, id string }{
		{"k", "0123456789abcdef0123456789abcdef"}, {"k", "../../x"}, {"other", id},
	} {
		_, err := s.PutPart(testBucket, bad.key, bad.id, 1, bytes.NewReader(nil), nil, nil)
		wantErr(t, err, ErrNoSuchUpload)
		_, err = s.ListParts(testBucket, bad.key, bad.id)
		wantErr(t, err, ErrNoSuchUpload)
		wantErr(t, s.AbortUpload(testBucket, bad.key, bad.id), ErrNoSuchUpload)
		_, err = s.CompleteUpload(testBucket, bad.key, bad.id, []CompletedPart{{PartNumber: 1}})
		wantErr(t, err, ErrNoSuchUpload)
	}
	for _, n := range []int{0, MaxParts + 1} {
		_, err := s.PutPart(testBucket, "k", id, n, bytes.NewReader(nil), nil, nil)
		wantErr(t, err, ErrInvalidArgument)
	}
	_, err := s.CreateUpload("nope", "k", Meta{})
	wantErr(t, err, ErrNoSuchBucket)
}

func TestMultipartListAbort(t *testing.T) {
	s, root := newStore(t, WithoutSync())
	ids := map[string]string{}
	for _, key := range []string{"b", "a/2", "a/1"} {
		id, err := s.CreateUpload(testBucket, key, Meta{Owner: "123"})
		if err != nil {
			t.Fatal(err)
		}
		ids[key] = id
	}
	ups, err := s.ListUploads(testBucket, "a/")
	if err != nil || len(ups) != 2 || ups[0].Key != "a/1" || ups[1].Key != "a/2" || ups[0].Meta.Owner != "123" {
		t.Fatalf("ListUploads: %+v, %v", ups, err)
	}
	id := ids["b"]
	for _, n := range []int{3, 1, 2, 1} {
		if _, err := s.PutPart(testBucket, "b", id, n, bytes.NewReader([]byte(fmt.Sprint(n, "x"))), nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	parts, err := s.ListParts(testBucket, "b", id)
	if err != nil || len(parts) != 3 || !slices.IsSortedFunc(parts, func(a, b PartInfo) int { return a.PartNumber - b.PartNumber }) {
		t.Fatalf("ListParts: %+v, %v", parts, err)
	}
	_, err = s.PutPart(testBucket, "b", id, 4, bytes.NewReader(nil), map[Algorithm]string{SHA256: "bad"}, nil)
	wantErr(t, err, ErrBadDigest)
	wantErr(t, s.DeleteBucketDir(testBucket), ErrBucketNotEmpty)
	for key, id := range ids {
		if err := s.AbortUpload(testBucket, key, id); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.PutPart(testBucket, "b", id, 1, bytes.NewReader(nil), nil, nil)
	wantErr(t, err, ErrNoSuchUpload)
	if left := tmpEntries(t, root, testBucket); len(left) != 0 {
		t.Fatalf("temp files left: %v", left)
	}
	if err := s.DeleteBucketDir(testBucket); err != nil {
		t.Fatal(err)
	}
}

// TestUploadPartCopy feeds a range of one object to PutPart, as
// UploadPartCopy does.
func TestUploadPartCopy(t *testing.T) {
	s, _ := newStore(t, WithoutSync())
	src := randomBytes(16, 100_000)
	mustPut(t, s, "src", src)
	id, _ := s.CreateUpload(testBucket, "dst", Meta{})
	_, body, err := s.Get(testBucket, "src")
	if err != nil {
		t.Fatal(err)
	}
	defer body.Close()
	p, err := s.PutPart(testBucket, "dst", id, 1, sectionOf(body, 1000, 5000), nil, nil)
	if err != nil || p.ETag != quotedMD5(src[1000:6000]) {
		t.Fatalf("part copy: %+v, %v", p, err)
	}
}
