package blob

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"slices"
	"sync"
	"time"
)

// Meta is what the caller says about an object: the headers S3 stores and
// returns with it, and the checksums to compute.
type Meta struct {
	ContentType        string            `json:",omitempty"`
	ContentEncoding    string            `json:",omitempty"`
	ContentDisposition string            `json:",omitempty"`
	CacheControl       string            `json:",omitempty"`
	ContentLanguage    string            `json:",omitempty"`
	Expires            string            `json:",omitempty"` // the Expires header as given
	UserMetadata       map[string]string `json:",omitempty"` // x-amz-meta-* without the prefix
	Tags               map[string]string `json:",omitempty"`
	StorageClass       string            `json:",omitempty"`
	Owner              string            `json:",omitempty"` // owning account, if the caller tracks it
	// ACL is the object's access control list as the caller encodes it
	// ("" = the owner's full control only). Opaque here.
	ACL string `json:",omitempty"`

	// Server-side encryption as S3 reports it: the algorithm (AES256,
	// aws:kms or aws:kms:dsse; "" in objects stored before it was
	// recorded, which S3 reports as AES256), the KMS key, and whether an
	// S3 Bucket Key is used. Stored only: nothing here encrypts.
	SSEAlgorithm        string `json:",omitempty"`
	SSEKMSKeyID         string `json:",omitempty"`
	SSEBucketKeyEnabled bool   `json:",omitempty"`

	// Checksums are base64 checksums by algorithm. Given to Put, each one
	// named is computed and stored, and a non-empty value must equal the
	// computed one (ErrBadDigest). In an Info they are the stored values:
	// full-object, or composite ("<base64>-N") for multipart objects.
	Checksums map[Algorithm]string `json:",omitempty"`
	// ChecksumType is FULL_OBJECT or COMPOSITE. Put sets FULL_OBJECT when it
	// stores checksums; for CreateUpload it chooses how CompleteUpload
	// combines the parts' checksums (default COMPOSITE, except CRC64NVME,
	// which is always FULL_OBJECT).
	ChecksumType string `json:",omitempty"`
	// WantChecksums are further algorithms to compute and store without an
	// expected value (x-amz-checksum-algorithm, x-amz-sdk-checksum-algorithm
	// or a trailer to be checked in the verify hook). Not stored itself.
	WantChecksums []Algorithm `json:"-"`
	// Precondition makes Put fail with ErrPreconditionFailed when an
	// object is already there (IfNoneMatch) or the object there has
	// another ETag (IfMatch; "*" matches any), or with ErrNoSuchKey when
	// IfMatch finds none. It is checked under the bucket lock, just before
	// the new object replaces the old, so two conditional writers cannot
	// both win. Not stored.
	Precondition `json:"-"`
}

// clone returns m with its own maps and slice.
func (m Meta) clone() Meta {
	m.UserMetadata = maps.Clone(m.UserMetadata)
	m.Tags = maps.Clone(m.Tags)
	m.Checksums = maps.Clone(m.Checksums)
	m.WantChecksums = slices.Clone(m.WantChecksums)
	return m
}

// Info describes a stored object version; it is what the version file's
// header holds (IsLatest excepted).
type Info struct {
	Key string
	// VersionID is NullVersion ("null") or 32 lowercase hex digits. Files
	// written before versions existed have none and read as "null".
	VersionID string `json:",omitempty"`
	// DeleteMarker marks a version that is a delete marker: no body, no
	// ETag; a key whose latest version is one is absent from List and Get.
	DeleteMarker bool `json:",omitempty"`
	// Seq orders the versions of a key (larger is newer): nanoseconds since
	// the epoch, strictly increasing within a Store. Older files have none
	// and use LastModified.
	Seq int64 `json:",omitempty"`
	// IsLatest is set by the calls that return it (Get, Head, GetVersion,
	// HeadVersion, ListVersions, List); it is not stored.
	IsLatest     bool `json:"-"`
	Size         int64
	ETag         string    // quoted: "<hex md5>", or "<hex md5 of part md5s>-N"
	LastModified time.Time // UTC, millisecond precision
	PartsCount   int       `json:",omitempty"` // parts of a multipart object; 0 for a simple Put
	// PartSizes are the sizes of a multipart object's parts, in order
	// (GetObject's partNumber); objects completed before they were kept
	// have none. Only the header holds them, not listings.
	PartSizes []int64 `json:",omitempty"`
	Meta
}

// Body is an open object body: a reader over just the body bytes of the
// object file, safe for http.ServeContent (Seek) and range reads (ReadAt,
// io.NewSectionReader for UploadPartCopy). It keeps reading the version it
// was opened on even if the object is overwritten or deleted meanwhile.
// The caller must Close it.
type Body struct {
	io.SectionReader
	f     *os.File // nil when the whole body is in small
	small []byte   // the whole body when it was read with the header, else nil
	mem   memReaderAt
	buf   *[]byte // the pooled buffer small lies in, if it does
	store *Store
}

// memReaderAt reads a small body held in memory.
type memReaderAt struct{ b []byte }

func (m *memReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("blob: negative offset")
	}
	if off >= int64(len(m.b)) {
		return 0, io.EOF
	}
	n := copy(p, m.b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Close closes the underlying file, if any.
func (b *Body) Close() error {
	if b.buf != nil {
		b.store.headers.release(b.buf)
	}
	b.buf, b.small, b.mem.b = nil, nil, nil
	if b.f == nil {
		return nil
	}
	return b.f.Close()
}

// CopyRangeTo writes n bytes of the body from offset start to w straight
// from the file, so that an HTTP response on a TCP connection can use
// sendfile instead of copying through user space. A range of at most
// smallCopy bytes is read with one pread and written with one Write
// instead: for small objects, net/http's sniffing read, the seek and the
// separate sendfile cost more system calls than the copy saves.
func (b *Body) CopyRangeTo(w io.Writer, start, n int64) (int64, error) {
	_, base, size := b.Outer()
	if start < 0 || n < 0 || start+n > size {
		return 0, fmt.Errorf("blob: range %d+%d outside a %d-byte body", start, n, size)
	}
	if b.small != nil {
		written, err := w.Write(b.small[start : start+n])
		return int64(written), err
	}
	if n <= smallCopy {
		return b.copySmall(w, base+start, int(n))
	}
	if _, err := b.f.Seek(base+start, io.SeekStart); err != nil {
		return 0, fmt.Errorf("blob: seek body: %w", err)
	}
	return io.Copy(w, io.LimitReader(b.f, n))
}

// smallCopy is the largest range CopyRangeTo copies through a buffer.
const smallCopy = 32 << 10

var smallCopyBuffers = sync.Pool{New: func() any { return new([smallCopy]byte) }}

func (b *Body) copySmall(w io.Writer, off int64, n int) (int64, error) {
	buf := smallCopyBuffers.Get().(*[smallCopy]byte)
	defer smallCopyBuffers.Put(buf)
	read, err := b.f.ReadAt(buf[:n], off)
	if read < n {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, fmt.Errorf("blob: read body: %w", err)
	}
	written, err := w.Write(buf[:n])
	return int64(written), err
}

// Put stores body as bucket/key, replacing any object there, and returns
// the stored Info. The body is streamed to disk (at most MaxPutSize bytes),
// MD5 and the checksums meta asks for are computed on the way, meta's given
// checksums are compared, then verify (when not nil) sees the digests and may
// refuse the body by returning an error, which Put returns wrapped. Put
// returns only after the object is durable; on any error no trace is left.
// Put is PutVersion with Unversioned: it writes the "null" version.
func (s *Store) Put(bucket, key string, body io.Reader, meta Meta, verify func(Digests) error) (Info, error) {
	return s.PutVersion(bucket, key, body, meta, verify, Unversioned)
}

// PutVersion is Put in a bucket whose versioning state is v. With
// VersioningEnabled the object gets a new version ID and every existing
// version of the key is kept; otherwise it is the "null" version, which
// replaces the key's null version (if any) and keeps the others. The
// returned Info holds the VersionID; the new version is the latest.
func (s *Store) PutVersion(bucket, key string, body io.Reader, meta Meta, verify func(Digests) error, v Versioning) (Info, error) {
	info, err := s.put(bucket, key, body, meta, verify, v)
	if err != nil {
		return Info{}, opError("put", bucket, key, err)
	}
	return info, nil
}

func (s *Store) put(bucket, key string, body io.Reader, meta Meta, verify func(Digests) error, v Versioning) (Info, error) {
	if err := checkObject(bucket, key); err != nil {
		return Info{}, err
	}
	algs, err := algorithmsFor(meta.WantChecksums, meta.Checksums)
	if err != nil {
		return Info{}, err
	}
	info := Info{Key: key, Meta: meta.clone()}
	info.WantChecksums, info.Precondition = nil, Precondition{}
	reserve, err := reserveInfo(info)
	if err != nil {
		return Info{}, err
	}
	t, err := s.newWriteFile(bucket, v)
	if err != nil {
		return Info{}, err
	}
	defer t.discard()
	in := intake{md5: true, algs: algs, expect: meta.Checksums, verify: verify, limit: MaxPutSize}
	d, err := s.receive(t, int64(fixedHeader+reserve), body, in)
	if err != nil {
		return Info{}, err
	}
	info.Size, info.ETag = d.Size, d.ETag()
	if err := s.stampVersion(&info, v); err != nil {
		return Info{}, err
	}
	info.Checksums, info.ChecksumType = storedChecksums(d, algs), ""
	if len(algs) > 0 {
		info.ChecksumType = ChecksumFullObject
	}
	if err := s.sealAndPublish(bucket, t, &info, reserve, s.writeCondition(meta.Precondition)); err != nil {
		return Info{}, err
	}
	info.IsLatest = true
	return info, nil
}

// writeCondition returns the check publish runs on the object's path for
// a conditional Put, or nil for an unconditional one.
func (s *Store) writeCondition(m Precondition) func(path string) error {
	if !m.IfNoneMatch && m.IfMatch == "" {
		return nil
	}
	return func(path string) error {
		hf, err := openHead(path)
		if errors.Is(err, fs.ErrNotExist) {
			if m.IfMatch != "" {
				return ErrNoSuchKey
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("open for condition: %w", err)
		}
		defer hf.close()
		head, err := s.readHead(hf)
		if err != nil {
			return err
		}
		s.releaseHead(&head)
		info := head.info
		switch {
		case info.DeleteMarker && m.IfMatch != "":
			return ErrNoSuchKey // a delete marker is no object
		case info.DeleteMarker:
			return nil
		case m.IfNoneMatch:
			return ErrPreconditionFailed
		case m.IfMatch == "*":
			return nil
		}
		if normalizeETag(info.ETag) != normalizeETag(m.IfMatch) {
			return ErrPreconditionFailed
		}
		return nil
	}
}

// storedChecksums returns the base64 values of algs, or nil for none.
func storedChecksums(d Digests, algs []Algorithm) map[Algorithm]string {
	if len(algs) == 0 {
		return nil
	}
	out := make(map[Algorithm]string, len(algs))
	for _, a := range algs {
		out[a] = d.Base64(a)
	}
	return out
}

// sealAndPublish writes info's header into t and publishes t as the
// latest version of info.Key.
func (s *Store) sealAndPublish(bucket string, t *tempFile, info *Info, reserve int, check func(string) error) error {
	hdr, err := encodeHeader(info, reserve)
	if err != nil {
		return err
	}
	if err := s.seal(t, hdr); err != nil {
		return err
	}
	return s.publish(bucket, t, info, check)
}

// Get opens the latest version of bucket/key for reading (ErrNoSuchKey,
// ErrNoSuchBucket). When that version is a delete marker the error is
// both ErrNoSuchKey and ErrDeleteMarker, and the Info is the marker's
// (S3 answers 404 with x-amz-delete-marker and the marker's version ID).
func (s *Store) Get(bucket, key string) (Info, *Body, error) {
	return s.GetVersion(bucket, key, "")
}

// GetVersion opens version versionID of bucket/key ("" = the latest, as
// Get). A malformed ID gives ErrInvalidVersionID, a missing one
// ErrNoSuchVersion; a version that is a delete marker gives
// ErrDeleteMarker alone (S3: 405 MethodNotAllowed) with the marker's Info.
func (s *Store) GetVersion(bucket, key, versionID string) (Info, *Body, error) {
	v, err := s.openRead(bucket, key, versionID, false)
	if err != nil {
		return v.info, nil, opError("get", bucket, key, err)
	}
	b := &Body{f: v.f, small: v.head.body, buf: v.head.buf, store: s}
	if v.f != nil {
		b.SectionReader = *io.NewSectionReader(v.f, v.off, v.info.Size)
	} else {
		b.mem.b = v.head.body
		b.SectionReader = *io.NewSectionReader(&b.mem, 0, v.info.Size)
	}
	return v.info, b, nil
}

// Head returns the Info of the latest version of bucket/key; errors as Get.
func (s *Store) Head(bucket, key string) (Info, error) {
	return s.HeadVersion(bucket, key, "")
}

// HeadVersion returns the Info of version versionID of bucket/key ("" =
// the latest); errors as GetVersion.
func (s *Store) HeadVersion(bucket, key, versionID string) (Info, error) {
	v, err := s.openRead(bucket, key, versionID, false)
	if err != nil {
		return v.info, opError("head", bucket, key, err)
	}
	s.closeVersion(&v)
	return v.info, nil
}

// closeVersion releases what an opened version holds: its pooled buffer
// and its file, if open.
func (s *Store) closeVersion(v *openedVersion) {
	s.releaseHead(&v.head)
	if v.f != nil {
		v.f.Close()
		v.f = nil
	}
}

// openRead opens a version for reading and turns a delete marker into the
// error Get reports, keeping its Info. With needFile false a small
// object's file may be closed already (f nil, the body in head.body), and
// the object may come from the cache of small objects (objectcache.go).
// On error only the returned version's info is set.
func (s *Store) openRead(bucket, key, versionID string, needFile bool) (openedVersion, error) {
	if needFile || s.shared {
		return s.openReadDisk(bucket, key, versionID, needFile)
	}
	if err := checkObject(bucket, key); err != nil {
		return openedVersion{}, err
	}
	b := s.state(bucket)
	gen := b.mu.generation()
	if v, ok := s.objects.get(bucket, key, versionID, gen); ok {
		return v, nil
	}
	v, err := s.openReadDisk(bucket, key, versionID, false)
	if err == nil && v.f == nil && v.head.body != nil && b.mu.generation() == gen {
		s.objects.put(bucket, key, versionID, gen, v.info, v.head.body)
	}
	return v, err
}

// openReadDisk is openRead reading the file.
func (s *Store) openReadDisk(bucket, key, versionID string, needFile bool) (openedVersion, error) {
	v, err := s.openVersion(bucket, key, versionID, needFile)
	if err != nil {
		return openedVersion{}, err
	}
	if v.info.DeleteMarker {
		s.closeVersion(&v)
		if versionID == "" {
			return openedVersion{info: v.info}, fmt.Errorf("%w: %w", ErrNoSuchKey, ErrDeleteMarker)
		}
		return openedVersion{info: v.info}, ErrDeleteMarker
	}
	return v, nil
}

// objectHead is the start of an object file as openFile read it: its
// decoded header and, when the one read reached the end of the file (a
// small object), the whole body, held in a pooled buffer until released.
type objectHead struct {
	info Info
	off  int64   // where the body starts
	body []byte  // the whole body, or nil if the file is longer than the read
	buf  *[]byte // the pooled buffer body lies in (nil once released)
}

// releaseHead gives h's buffer back; h.body must not be used afterwards.
func (s *Store) releaseHead(h *objectHead) {
	if h.buf != nil {
		s.headers.release(h.buf)
	}
	h.buf, h.body = nil, nil
}

// readHead reads and decodes a stored file's header (opened by openHead),
// checking the file's length against it, with one pread of
// objectReadAhead bytes in the common case: when it comes back
// short holding exactly the header and the body the header announces, the
// file has ended there (a pread of a regular file stops short only at its
// end), so neither a second pread to see the end nor an fstat is needed.
// Otherwise the length is checked with fstat.
func (s *Store) readHead(hf headFile) (objectHead, error) {
	buf := s.headers.buffer()
	h := objectHead{buf: buf}
	n, err := hf.preadOnce(*buf, 0)
	if err != nil {
		s.releaseHead(&h)
		return objectHead{}, fmt.Errorf("%w: short header: %v", ErrCorrupt, err)
	}
	raw, err := completeHeader(hf, (*buf)[:n])
	if err == nil {
		h.info, err = s.headers.decode(raw)
	}
	if err != nil {
		s.releaseHead(&h)
		return objectHead{}, err
	}
	h.off = int64(len(raw))
	if n < len(*buf) && len(raw) <= n && int64(n) == h.off+h.info.Size {
		h.body = (*buf)[h.off:n]
	} else {
		size, err := hf.size()
		if err != nil {
			s.releaseHead(&h)
			return objectHead{}, fmt.Errorf("stat: %w", err)
		}
		if size != h.off+h.info.Size {
			s.releaseHead(&h)
			return objectHead{}, fmt.Errorf("%w: file is %d bytes, header says %d", ErrCorrupt, size, h.off+h.info.Size)
		}
	}
	h.info.normalize()
	return h, nil
}

// missing returns notFound, or ErrNoSuchBucket when the bucket itself is
// missing.
func (s *Store) missing(bucket string, notFound error) error {
	if err := s.checkBucketDir(bucket); err != nil {
		return err
	}
	return notFound
}

// Delete permanently removes the "null" version of bucket/key, which in a
// bucket that never had versioning is the object; deleting a missing key
// succeeds. (With versioning, S3's DELETE without a version ID is
// PutDeleteMarker; with one, DeleteVersion.)
func (s *Store) Delete(bucket, key string) error {
	_, err := s.DeleteVersion(bucket, key, NullVersion)
	if errors.Is(err, ErrNoSuchVersion) {
		return nil
	}
	return err
}

// SetTags replaces the tags of the latest version of bucket/key; see
// SetVersionTags.
func (s *Store) SetTags(bucket, key string, tags map[string]string) (Info, error) {
	return s.SetVersionTags(bucket, key, "", tags)
}

// SetVersionTags replaces the tags of version versionID of bucket/key ("" =
// the latest), keeping its body, ETag, LastModified and version ID, and
// returns the new Info; errors as GetVersion (a delete marker has no tags).
// The version's file is rewritten (the body copied in-kernel where the OS
// can); if the version is replaced or moved meanwhile (a newer version
// makes it noncurrent) the rewrite is retried, so a concurrent Put is never
// undone.
func (s *Store) SetVersionTags(bucket, key, versionID string, tags map[string]string) (Info, error) {
	return s.rewriteMeta(bucket, key, versionID, func(info *Info) { info.Tags = maps.Clone(tags) })
}

// SetVersionACL replaces the ACL of version versionID of bucket/key ("" =
// the latest), as SetVersionTags replaces its tags.
func (s *Store) SetVersionACL(bucket, key, versionID, acl string) (Info, error) {
	return s.rewriteMeta(bucket, key, versionID, func(info *Info) { info.ACL = acl })
}

// rewriteMeta rewrites a version's header with change applied, retrying
// while the version is replaced underneath.
func (s *Store) rewriteMeta(bucket, key, versionID string, change func(*Info)) (Info, error) {
	for range 5 {
		info, err := s.retag(bucket, key, versionID, change)
		if !errors.Is(err, errReplaced) {
			if err != nil {
				return info, opError("set tags", bucket, key, err)
			}
			return info, nil
		}
	}
	return Info{}, opError("set tags", bucket, key, errors.New("object keeps changing"))
}

var errReplaced = errors.New("object replaced while rewriting")

// retag rewrites a version's file once with new tags, failing with
// errReplaced when the file changed while it copied.
func (s *Store) retag(bucket, key, versionID string, change func(*Info)) (Info, error) {
	v, err := s.openRead(bucket, key, versionID, true)
	if err != nil {
		return v.info, err
	}
	s.releaseHead(&v.head)
	info, f, off := v.info, v.f, v.off
	defer f.Close()
	if versionID == "" {
		versionID = info.VersionID // pin the version: it may become noncurrent
	}
	change(&info)
	t, err := s.newTemp(bucket)
	if err != nil {
		return Info{}, err
	}
	defer t.discard()
	hdr, err := encodeHeader(&info, 0)
	if err != nil {
		return Info{}, err
	}
	if err := copyBody(t.f, f, int64(len(hdr)), off, info.Size); err != nil {
		return Info{}, err
	}
	if err := s.seal(t, hdr); err != nil {
		return Info{}, err
	}
	return info, s.rewriteVersion(bucket, key, versionID, t, f)
}

// copyBody copies n bytes of src from srcOff to dst at dstOff, letting
// os.File.ReadFrom use copy_file_range where it can.
func copyBody(dst, src *os.File, dstOff, srcOff, n int64) error {
	if _, err := dst.Seek(dstOff, io.SeekStart); err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	if _, err := src.Seek(srcOff, io.SeekStart); err != nil {
		return fmt.Errorf("seek: %w", err)
	}
	got, err := dst.ReadFrom(&io.LimitedReader{R: src, N: n})
	if err != nil {
		return fmt.Errorf("copy body: %w", err)
	}
	if got != n {
		return fmt.Errorf("%w: body is %d bytes, header says %d", ErrCorrupt, got, n)
	}
	return nil
}

// sameFile fails with errReplaced unless path still names f's file.
func sameFile(f *os.File, path string) error {
	a, err := f.Stat()
	if err != nil {
		return err
	}
	b, err := os.Stat(path)
	if err != nil || !os.SameFile(a, b) {
		return errReplaced
	}
	return nil
}

// checkObject validates a bucket name and a key.
func checkObject(bucket, key string) error {
	if err := checkBucket(bucket); err != nil {
		return err
	}
	return checkKey(key)
}
