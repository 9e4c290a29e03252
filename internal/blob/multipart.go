package blob

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Upload is a multipart upload in progress.
type Upload struct {
	UploadID  string
	Key       string
	Initiated time.Time // UTC, millisecond precision
	Meta      Meta      // as given to CreateUpload, WantChecksums included
}

// uploadRecord is the upload file's header.
type uploadRecord struct {
	Upload
	Want []Algorithm `json:",omitempty"` // checksums every part computes
}

// PartInfo describes an uploaded part.
type PartInfo struct {
	PartNumber   int
	ETag         string // quoted hex MD5 of the part
	Size         int64
	LastModified time.Time
	Checksums    map[Algorithm]string `json:",omitempty"` // base64, of the upload's algorithms and any given
}

// CompletedPart is one entry of a CompleteMultipartUpload request.
type CompletedPart struct {
	PartNumber int
	ETag       string               // with or without quotes
	Checksums  map[Algorithm]string // optional; each must equal the part's
}

func (s *Store) uploadDir(bucket, id string) string {
	return filepath.Join(s.bucketDir(bucket), uploadsDir, id)
}

func partName(n int) string { return fmt.Sprintf("%s%05d", partPrefix, n) }

// CreateUpload starts a multipart upload of bucket/key and returns its ID.
// meta is what the object will carry; meta.WantChecksums (and the
// algorithms named in meta.Checksums, whose values are ignored) are computed
// for every part and combined at completion as meta.ChecksumType says.
func (s *Store) CreateUpload(bucket, key string, meta Meta) (string, error) {
	id, err := s.createUpload(bucket, key, meta)
	if err != nil {
		return "", opError("create upload", bucket, key, err)
	}
	return id, nil
}

func (s *Store) createUpload(bucket, key string, meta Meta) (string, error) {
	if err := checkObject(bucket, key); err != nil {
		return "", err
	}
	algs, err := algorithmsFor(meta.WantChecksums, meta.Checksums)
	if err != nil {
		return "", err
	}
	meta = meta.clone()
	meta.Checksums, meta.WantChecksums = nil, nil
	rec := uploadRecord{Upload: Upload{UploadID: randomHex(16), Key: key, Initiated: s.stamp(), Meta: meta}, Want: algs}
	b := s.state(bucket)
	b.mu.Lock() // against DeleteBucketDir's emptiness check
	defer b.mu.Unlock()
	dir := s.uploadDir(bucket, rec.UploadID)
	parent, err := openDirsAt(filepath.Dir(dir))
	if err != nil {
		return "", err
	}
	if _, err := mkdirNew(dir); err != nil {
		parent.close()
		return "", err
	}
	if err := s.writeRecord(bucket, dir, recordName, &rec); err != nil {
		parent.close()
		os.RemoveAll(dir)
		return "", err
	}
	return rec.UploadID, s.syncClose(parent)
}

// loadUpload reads the record of upload id, which must be of key.
func (s *Store) loadUpload(bucket, key, id string) (uploadRecord, error) {
	if err := checkObject(bucket, key); err != nil {
		return uploadRecord{}, err
	}
	if !isHex(id, 32) {
		return uploadRecord{}, s.missing(bucket, ErrNoSuchUpload)
	}
	rec, err := readRecord(filepath.Join(s.uploadDir(bucket, id), recordName))
	if errors.Is(err, fs.ErrNotExist) {
		return uploadRecord{}, s.missing(bucket, ErrNoSuchUpload)
	}
	if err == nil && rec.Key != key {
		err = ErrNoSuchUpload
	}
	return rec, err
}

func readRecord(path string) (uploadRecord, error) {
	f, err := os.Open(path)
	if err != nil {
		return uploadRecord{}, err
	}
	defer f.Close()
	var rec uploadRecord
	if _, err := readHeader(f, &rec); err != nil {
		return uploadRecord{}, err
	}
	rec.Meta.WantChecksums = rec.Want
	return rec, nil
}

// PutPart stores part partNumber (1..MaxParts) of an upload, replacing any
// earlier part with that number. Like Put, it streams body (at most
// MaxPutSize bytes), computes MD5 and the upload's checksums plus those
// named in expect, compares expect's non-empty values (ErrBadDigest), lets
// verify refuse the body, and returns only once the part is durable.
func (s *Store) PutPart(bucket, key, uploadID string, partNumber int, body io.Reader, expect map[Algorithm]string, verify func(Digests) error) (PartInfo, error) {
	p, err := s.putPart(bucket, key, uploadID, partNumber, body, expect, verify)
	if err != nil {
		return PartInfo{}, opError(fmt.Sprintf("put part %d of upload %s", partNumber, uploadID), bucket, key, err)
	}
	return p, nil
}

func (s *Store) putPart(bucket, key, id string, n int, body io.Reader, expect map[Algorithm]string, verify func(Digests) error) (PartInfo, error) {
	if n < 1 || n > MaxParts {
		return PartInfo{}, fmt.Errorf("%w: part number must be 1 to %d", ErrInvalidArgument, MaxParts)
	}
	rec, err := s.loadUpload(bucket, key, id)
	if err != nil {
		return PartInfo{}, err
	}
	algs, err := algorithmsFor(rec.Want, expect)
	if err != nil {
		return PartInfo{}, err
	}
	t, err := s.newTemp(bucket)
	if err != nil {
		return PartInfo{}, err
	}
	defer t.discard()
	reserve := reservePart()
	in := intake{md5: true, algs: algs, expect: expect, verify: verify, limit: MaxPutSize}
	d, err := s.receive(t, int64(fixedHeader+reserve), body, in)
	if err != nil {
		return PartInfo{}, err
	}
	p := PartInfo{PartNumber: n, ETag: d.ETag(), Size: d.Size, LastModified: s.stamp(), Checksums: storedChecksums(d, algs)}
	return p, s.publishPart(bucket, id, t, &p, reserve)
}

// publishPart seals a part, makes it durable and renames it into its
// upload directory, sharing that directory's fsync with concurrent parts
// (commit.go); a missing directory means the upload was completed or
// aborted meanwhile.
func (s *Store) publishPart(bucket, id string, t *tempFile, p *PartInfo, reserve int) error {
	hdr, err := encodeHeader(p, reserve)
	if err != nil {
		return err
	}
	if err := s.seal(t, hdr); err != nil {
		return err
	}
	dir := s.uploadDir(bucket, id)
	g, err := s.flush(t, dir, p.Size)
	if err != nil {
		return err
	}
	dirs, err := openDirsAt(dir)
	if err == nil {
		err = renameIn(t.path, filepath.Join(dir, partName(p.PartNumber)))
	}
	if err != nil {
		dirs.close()
		s.settle(dir, g, nil)
		if errors.Is(err, ErrNoSuchBucket) {
			return s.missing(bucket, ErrNoSuchUpload)
		}
		return err
	}
	t.kept = true
	return s.commit(dir, g, dirs)
}

// ListParts returns the parts of an upload, by part number.
func (s *Store) ListParts(bucket, key, uploadID string) ([]PartInfo, error) {
	parts, err := s.listParts(bucket, key, uploadID)
	if err != nil {
		return nil, opError("list parts of upload "+uploadID, bucket, key, err)
	}
	return parts, nil
}

func (s *Store) listParts(bucket, key, id string) ([]PartInfo, error) {
	if _, err := s.loadUpload(bucket, key, id); err != nil {
		return nil, err
	}
	dir := s.uploadDir(bucket, id)
	names, err := readNames(dir)
	if err != nil {
		return nil, s.missing(bucket, ErrNoSuchUpload)
	}
	var parts []PartInfo
	for _, name := range names {
		n, err := strconv.Atoi(strings.TrimPrefix(name, partPrefix))
		if !strings.HasPrefix(name, partPrefix) || err != nil {
			continue
		}
		p, err := readPart(dir, n)
		if errors.Is(err, fs.ErrNotExist) {
			continue // the upload ended meanwhile, or the part is being replaced
		}
		if err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	slices.SortFunc(parts, func(a, b PartInfo) int { return a.PartNumber - b.PartNumber })
	return parts, nil
}

// readPart reads the header of part n in dir.
func readPart(dir string, n int) (PartInfo, error) {
	f, err := os.Open(filepath.Join(dir, partName(n)))
	if err != nil {
		return PartInfo{}, err
	}
	defer f.Close()
	var p PartInfo
	if _, err := readHeader(f, &p); err != nil {
		return PartInfo{}, err
	}
	return p, nil
}

// ListUploads returns the uploads in bucket whose keys start with prefix,
// sorted by key, then initiation time, then ID.
func (s *Store) ListUploads(bucket, prefix string) ([]Upload, error) {
	if err := s.checkBucketDir(bucket); err != nil {
		return nil, opError("list uploads", bucket, "", err)
	}
	dir := filepath.Join(s.bucketDir(bucket), uploadsDir)
	names, err := readNames(dir)
	if err != nil {
		return nil, opError("list uploads", bucket, "", err)
	}
	var out []Upload
	for _, id := range names {
		rec, err := readRecord(filepath.Join(dir, id, recordName))
		if err != nil || !strings.HasPrefix(rec.Key, prefix) {
			continue // being created or removed, or another prefix
		}
		out = append(out, rec.Upload)
	}
	slices.SortFunc(out, func(a, b Upload) int {
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		if c := a.Initiated.Compare(b.Initiated); c != 0 {
			return c
		}
		return strings.Compare(a.UploadID, b.UploadID)
	})
	return out, nil
}

// AbortUpload discards an upload and its parts.
func (s *Store) AbortUpload(bucket, key, uploadID string) error {
	if _, err := s.loadUpload(bucket, key, uploadID); err != nil {
		return opError("abort upload "+uploadID, bucket, key, err)
	}
	if err := s.dropUpload(bucket, uploadID); err != nil {
		return opError("abort upload "+uploadID, bucket, key, err)
	}
	return nil
}

// dropUpload moves the upload directory into .tmp, which takes it away at
// once and atomically, then removes it.
func (s *Store) dropUpload(bucket, id string) error {
	dir := s.uploadDir(bucket, id)
	gone := filepath.Join(s.bucketDir(bucket), tmpDir, id+"-"+randomHex(4))
	uploads := filepath.Dir(dir)
	parent, err := openDirsAt(uploads)
	if err != nil {
		return s.missing(bucket, ErrNoSuchUpload)
	}
	g := s.enlist(uploads)
	if err := os.Rename(dir, gone); err != nil {
		parent.close()
		s.settle(uploads, g, nil)
		if errors.Is(err, fs.ErrNotExist) {
			return s.missing(bucket, ErrNoSuchUpload)
		}
		return fmt.Errorf("drop upload: %w", err)
	}
	if err := s.commit(uploads, g, parent); err != nil {
		return err
	}
	return os.RemoveAll(gone)
}

// multipartETag returns S3's ETag of a multipart object: the MD5 of the
// concatenated binary part MD5s, in hex, with "-<number of parts>".
func multipartETag(parts []PartInfo) (string, error) {
	h := md5.New()
	for _, p := range parts {
		raw, err := hex.DecodeString(normalizeETag(p.ETag))
		if err != nil || len(raw) != md5.Size {
			return "", fmt.Errorf("%w: part %d has ETag %s", ErrCorrupt, p.PartNumber, p.ETag)
		}
		h.Write(raw)
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(h.Sum(nil)), len(parts)), nil
}

// compositeChecksum returns the checksum a of the concatenated raw part
// checksums, with "-<number of parts>", or "" when a part lacks it.
func compositeChecksum(a Algorithm, parts []PartInfo) string {
	h := a.NewHash()
	for _, p := range parts {
		raw, err := base64.StdEncoding.DecodeString(p.Checksums[a])
		if err != nil || len(raw) == 0 {
			return ""
		}
		h.Write(raw)
	}
	return fmt.Sprintf("%s-%d", base64.StdEncoding.EncodeToString(h.Sum(nil)), len(parts))
}

// checksumType returns how algorithm a of an upload declared as declared is
// combined: CRC64NVME only whole, others as declared, COMPOSITE by default.
func checksumType(a Algorithm, declared string) string {
	switch {
	case a == CRC64NVME:
		return ChecksumFullObject
	case declared != "":
		return declared
	}
	return ChecksumComposite
}
