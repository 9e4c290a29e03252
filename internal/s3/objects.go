package s3

import (
	"crypto/md5"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/sigv4"
	"github.com/sekisho/sekisho/internal/store"
)

// maxKeyLength is S3's limit on object key length in bytes.
const maxKeyLength = 1024

// objectMeta reads the stored headers of a PUT (or multipart create).
func objectMeta(h http.Header) blob.Meta {
	m := blob.Meta{
		ContentType: h.Get("Content-Type"), ContentEncoding: stripAWSChunked(h.Get("Content-Encoding")),
		ContentDisposition: h.Get("Content-Disposition"), CacheControl: h.Get("Cache-Control"),
		ContentLanguage: h.Get("Content-Language"), Expires: h.Get("Expires"),
		UserMetadata: map[string]string{}, StorageClass: h.Get("x-amz-storage-class"),
	}
	if m.ContentType == "" {
		m.ContentType = "binary/octet-stream"
	}
	for name, values := range h {
		if k, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-"); ok && len(values) > 0 {
			m.UserMetadata[k] = values[0]
		}
	}
	return m
}

// stripAWSChunked removes the aws-chunked coding SDKs add for streaming uploads.
func stripAWSChunked(enc string) string {
	var keep []string
	for _, part := range strings.Split(enc, ",") {
		if p := strings.TrimSpace(part); p != "" && !strings.EqualFold(p, "aws-chunked") {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, ",")
}

// bodyChecks are the digests a PUT's headers and trailers promise.
type bodyChecks struct {
	md5       []byte                    // Content-MD5
	checksums map[blob.Algorithm]string // from x-amz-checksum-* headers; blob checks them
	trailers  func() map[string]string
	want      []blob.Algorithm // further algorithms to compute (trailers, SDK hints)
}

func readBodyChecks(req *Request) (*bodyChecks, *Error) {
	h := req.HTTP.Header
	if e := checkChecksumHeaders(h); e != nil {
		return nil, e
	}
	c := &bodyChecks{checksums: map[blob.Algorithm]string{}, trailers: req.Trailers}
	if v := h.Get("Content-MD5"); v != "" {
		sum, err := base64.StdEncoding.DecodeString(v)
		if err != nil || len(sum) != md5.Size {
			return nil, s3Error("InvalidDigest")
		}
		c.md5 = sum
	}
	for _, alg := range blob.AllAlgorithms() {
		if v := h.Get("x-amz-checksum-" + strings.ToLower(string(alg))); v != "" {
			c.checksums[alg] = v
		}
	}
	for _, t := range strings.Split(h.Get("x-amz-trailer"), ",") {
		if name, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(t)), "x-amz-checksum-"); ok {
			if alg, ok := blob.ParseAlgorithm(name); ok {
				c.want = append(c.want, alg)
			}
		}
	}
	if alg, ok := blob.ParseAlgorithm(h.Get("x-amz-sdk-checksum-algorithm")); ok {
		c.want = append(c.want, alg)
	}
	return c, nil
}

// unservedChecksums are checksum algorithms S3 takes (x-amz-checksum-md5,
// -sha512, -xxhash*, and as x-amz-checksum-algorithm) that the object
// store does not compute.
var unservedChecksums = []string{"md5", "sha512", "xxhash3", "xxhash64", "xxhash128"}

// checkUnservedChecksum answers NotImplemented for a request whose
// checksum headers, trailer or SDK algorithm name an unserved algorithm:
// served, its checksum would be accepted unchecked, where S3 refuses a
// body that does not match it.
func checkUnservedChecksum(h http.Header) *Error {
	named := strings.ToLower(h.Get("x-amz-sdk-checksum-algorithm"))
	trailer := strings.ToLower(h.Get("x-amz-trailer"))
	for _, alg := range unservedChecksums {
		if named == alg || h.Get("x-amz-checksum-"+alg) != "" || strings.Contains(trailer, "x-amz-checksum-"+alg) {
			return errNotImplemented("x-amz-checksum-" + alg)
		}
	}
	return nil
}

// checkChecksumHeaders holds x-amz-sdk-checksum-algorithm to what S3
// documents for every request that takes it: it needs an
// x-amz-checksum-<algorithm> header or an x-amz-trailer (400 otherwise),
// and a checksum header of another algorithm is BadDigest. Without it, a
// request naming an algorithm would pass with no checksum checked. An
// algorithm not served here is NotImplemented (checkUnservedChecksum).
func checkChecksumHeaders(h http.Header) *Error {
	if e := checkSingleChecksum(h); e != nil {
		return e
	}
	if e := checkUnservedChecksum(h); e != nil {
		return e
	}
	named := h.Get("x-amz-sdk-checksum-algorithm")
	if named == "" {
		return nil
	}
	var sent []blob.Algorithm
	for _, alg := range blob.AllAlgorithms() {
		if h.Get("x-amz-checksum-"+strings.ToLower(string(alg))) != "" {
			sent = append(sent, alg)
		}
	}
	if len(sent) == 0 {
		if h.Get("x-amz-trailer") != "" {
			return nil
		}
		return s3Errorf("InvalidRequest", "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.")
	}
	if alg, ok := blob.ParseAlgorithm(named); !ok || !slices.Contains(sent, alg) {
		return s3Errorf("BadDigest", "Value for x-amz-sdk-checksum-algorithm header is invalid.")
	}
	return nil
}

// checksumHeaderNames are the canonical names of every
// x-amz-checksum-<algorithm> header S3 knows, served or not.
var checksumHeaderNames = func() []string {
	var out []string
	for _, alg := range blob.AllAlgorithms() {
		out = append(out, textproto.CanonicalMIMEHeaderKey("x-amz-checksum-"+strings.ToLower(string(alg))))
	}
	for _, alg := range unservedChecksums {
		out = append(out, textproto.CanonicalMIMEHeaderKey("x-amz-checksum-"+alg))
	}
	return out
}()

// checkSingleChecksum refuses a request carrying checksum headers of two
// algorithms, even empty ones, as S3 does: which one would it check?
func checkSingleChecksum(h http.Header) *Error {
	n := 0
	for _, name := range checksumHeaderNames {
		if _, ok := h[name]; ok {
			n++
		}
	}
	if n > 1 {
		return s3Errorf("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
	}
	return nil
}

// checkError carries an S3 error out of blob's verify hook.
type checkError struct{ e *Error }

func (c checkError) Error() string { return c.e.Error() }

// verify compares what was received with what was promised.
func (c *bodyChecks) verify(d blob.Digests) error {
	if c.md5 != nil && string(c.md5) != string(d.MD5) {
		return checkError{s3Error("BadDigest")}
	}
	if c.trailers == nil {
		return nil
	}
	for k, v := range c.trailers() {
		name, ok := strings.CutPrefix(strings.ToLower(k), "x-amz-checksum-")
		if !ok {
			continue
		}
		if alg, ok := blob.ParseAlgorithm(name); ok && d.Base64(alg) != "" && d.Base64(alg) != v {
			return checkError{s3Errorf("BadDigest", "The %s you specified did not match the calculated checksum.", alg)}
		}
	}
	return nil
}

// blobError maps blob and body-reading errors to S3 errors.
func (s *Service) blobError(err error, bucket, key string) *Error {
	var ce checkError
	var se *sigv4.Error
	switch {
	case errors.As(err, &ce):
		return ce.e
	case errors.As(err, &se):
		return payloadError(se)
	case errors.Is(err, blob.ErrPreconditionFailed):
		return s3Error("PreconditionFailed")
	case errors.Is(err, blob.ErrBadDigest):
		return s3Errorf("BadDigest", "The checksum you specified did not match the calculated checksum.")
	case errors.Is(err, blob.ErrEntityTooLarge):
		return s3Error("EntityTooLarge")
	case errors.Is(err, blob.ErrInvalidKey), errors.Is(err, blob.ErrInvalidArgument):
		return errInvalidArgument("%s", err.Error())
	case errors.Is(err, blob.ErrNoSuchKey):
		return errNoSuchKey(key)
	case errors.Is(err, blob.ErrNoSuchBucket):
		return errNoSuchBucket(bucket) // deleted while the request was under way
	case errors.Is(err, blob.ErrKeyTooLong):
		return s3Error("KeyTooLongError")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return s3Error("IncompleteBody")
	}
	if s.onBlobError != nil {
		s.onBlobError(err)
	}
	s.log.Error("object store", "err", err)
	return errInternal()
}

// payloadError maps a failure of the SigV4 payload checks (hash, chunk
// signatures, aws-chunked framing) met while reading a body.
func payloadError(se *sigv4.Error) *Error {
	switch se.Kind {
	case sigv4.KindContentSHA256Mismatch:
		return s3Error("XAmzContentSHA256Mismatch")
	case sigv4.KindSignatureMismatch:
		return s3Errorf("SignatureDoesNotMatch", "%s", se.Message)
	case sigv4.KindIncompleteBody:
		return s3Error("IncompleteBody")
	}
	return s3Errorf("InvalidRequest", "%s", se.Message)
}

// readError maps a failure reading a small request document (XML, policy).
func readError(err error) *Error {
	var se *sigv4.Error
	var ce checkError
	switch {
	case errors.As(err, &ce):
		return ce.e
	case errors.As(err, &se):
		return payloadError(se)
	}
	return s3Errorf("IncompleteBody", "The request body could not be read")
}

// objectOwner is the account owning an object req writes into b: the
// bucket owner, unless the bucket's ownership setting leaves objects to
// their writers (ObjectWriter, or BucketOwnerPreferred without the
// bucket-owner-full-control ACL).
func objectOwner(req *Request, b *store.Bucket) string {
	writerOwns := b.Ownership == "ObjectWriter" ||
		b.Ownership == "BucketOwnerPreferred" && req.HTTP.Header.Get("x-amz-acl") != "bucket-owner-full-control"
	if writerOwns && req.Caller != nil {
		return req.Caller.Principal.Account
	}
	return b.Account
}

// writable opens the way for a new object at req's key (PutObject and
// CreateMultipartUpload): the bucket exists, the key fits, the tags are
// valid, the caller may write (and tag), and the bucket admits the ACL
// asked for.
func (s *Service) writable(req *Request) (store.Bucket, map[string]string, *Error) {
	b, e := s.requestBucket(req)
	if e != nil {
		return b, nil, e
	}
	if len(req.Key) > maxKeyLength {
		return b, nil, s3Error("KeyTooLongError")
	}
	if e := checkNewObjectHeaders(req.HTTP.Header); e != nil {
		return b, nil, e
	}
	tags, e := requestTags(req.HTTP.Header)
	if e != nil {
		return b, nil, e
	}
	if e := s.authorizeWrite(req, &b, tags); e != nil {
		return b, nil, e
	}
	return b, tags, s.checkWriteACL(req, &b)
}

// storageClasses are the values of S3's StorageClass, which
// x-amz-storage-class must name.
var storageClasses = []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
	"GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP",
	"AWS_BACKUP_WARM", "AWS_BACKUP_LOW_COST_WARM"}

// checkStorageClass refuses a new object's x-amz-storage-class naming no
// storage class (InvalidStorageClass), which would otherwise be stored
// and reported back as the object's class.
func checkStorageClass(h http.Header) *Error {
	if v := h.Get("x-amz-storage-class"); v != "" && !slices.Contains(storageClasses, v) {
		return s3Error("InvalidStorageClass")
	}
	return nil
}

// unservedWriteHeaders ask for what a write does not do here: Object Lock
// (a new object's retention or legal hold) and appending at an offset
// (x-amz-write-offset-bytes, of S3 Express One Zone).
var unservedWriteHeaders = []string{"x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold",
	"x-amz-write-offset-bytes"}

// checkNewObjectHeaders vets the headers that describe a new object
// (PutObject, CopyObject, CreateMultipartUpload): its storage class, and
// none asking for what is not served: served as a plain write, a lock
// would be dropped (the object deletable at once, where S3 keeps it), an
// append would replace the object with the appended bytes.
func checkNewObjectHeaders(h http.Header) *Error {
	if e := checkStorageClass(h); e != nil {
		return e
	}
	for _, name := range unservedWriteHeaders {
		if h.Get(name) != "" {
			return errNotImplemented(name)
		}
	}
	return nil
}

func (s *Service) putObject(w http.ResponseWriter, req *Request) *Error {
	b, tags, e := s.writable(req)
	if e != nil {
		return e
	}
	checks, e := readBodyChecks(req)
	if e != nil {
		return e
	}
	meta := objectMeta(req.HTTP.Header)
	meta.WantChecksums, meta.Checksums, meta.Owner = checks.want, checks.checksums, objectOwner(req, &b)
	meta.ACL = writeACL(req, &b, meta.Owner)
	if e := writeConditions(req.HTTP.Header, &meta.Precondition); e != nil {
		return e
	}
	meta.Tags = tags
	if e := s.applyEncryption(req, b.Name, &meta); e != nil {
		return e
	}
	defaultChecksum(&meta)
	info, e := s.putVersioned(w, req, b.Name, req.Key, req.Body, meta, checks.verify)
	if e != nil {
		return e
	}
	h := w.Header()
	h.Set("ETag", info.ETag)
	setChecksumHeaders(h, info.Checksums)
	if info.ChecksumType != "" {
		h.Set("x-amz-checksum-type", info.ChecksumType)
	}
	setEncryptionHeaders(h.Set, info.Meta)
	h.Set("x-amz-request-id", req.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// defaultChecksum: since 2025 S3 computes a full-object CRC64NVME for
// every new object whose request names no checksum algorithm.
func defaultChecksum(meta *blob.Meta) {
	if len(meta.Checksums) == 0 && len(meta.WantChecksums) == 0 {
		meta.WantChecksums = []blob.Algorithm{blob.CRC64NVME}
	}
}

func setChecksumHeaders(h http.Header, sums map[blob.Algorithm]string) {
	for alg, v := range sums {
		h.Set("x-amz-checksum-"+strings.ToLower(string(alg)), v)
	}
}

// readable authorizes s3:GetObject (or s3:GetObjectVersion, with
// s3:VersionId) and loads the object or the version named; a missing one
// is NoSuchKey (NoSuchVersion, a delete marker's 404 or 405) only for
// callers who may also list the bucket (S3 hides existence from everyone
// else). It sets x-amz-version-id on w.
func (s *Service) readable(w http.ResponseWriter, req *Request) (store.Bucket, blob.Info, *blob.Body, *Error) {
	ctx := req.HTTP.Context()
	b, e := s.requestBucket(req)
	if e != nil {
		return b, blob.Info{}, nil, e
	}
	id, named, e := requestVersion(req)
	if e != nil {
		return b, blob.Info{}, nil, e
	}
	// The object is opened first so that its tags can be condition keys
	// (s3:ExistingObjectTag/<key>); whether it exists is only revealed
	// after the authorization.
	info, body, err := s.blobs.GetVersion(b.Name, req.Key, id)
	if errors.Is(err, blob.ErrInvalidVersionID) {
		return b, info, nil, errInvalidVersion(id)
	}
	if err != nil && !missingVersion(err) {
		return b, info, nil, s.blobError(err, req.Bucket, req.Key)
	}
	if e := s.authorizeOp(req, &b, withVersionKey(existingTagKeys(info.Tags), id, named)); e != nil {
		if body != nil {
			body.Close()
		}
		return b, info, nil, e
	}
	if body == nil {
		if e := s.authorize(ctx, req, &b, check{action: "s3:ListBucket", resource: bucketARN(b.Name)}); e != nil {
			return b, info, nil, e
		}
		return b, info, nil, versionReadError(w, req, info, id, err)
	}
	s.setVersionHeader(w, ctx, b.Name, info)
	return b, info, body, nil
}

// objectRead is the object a GET or HEAD reads and the part of it asked
// for by the Range header (all of it when not partial).
type objectRead struct {
	info          blob.Info
	body          *blob.Body
	start, length int64
	partial       bool
}

// openRead does what GET and HEAD share: it opens the object, checks the
// request's preconditions and Range, and writes the object's headers.
// done means the response is complete (304 Not Modified). Unless e is
// set or done, the caller closes r.body.
func (s *Service) openRead(w http.ResponseWriter, req *Request) (r objectRead, done bool, e *Error) {
	if e := refuseAnonymousOverrides(req); e != nil {
		return r, false, e
	}
	_, info, body, e := s.readable(w, req)
	if e != nil {
		return r, false, e
	}
	if e, status := preconditions(req.HTTP, info); e != nil || status != 0 {
		body.Close()
		if status == http.StatusNotModified {
			writeObjectHeaders(w, req, info)
			w.WriteHeader(status)
			return r, true, nil
		}
		return r, false, e
	}
	start, length, partial, e := readRange(req, info)
	if e != nil {
		body.Close()
		return r, false, e
	}
	writeObjectHeaders(w, req, info)
	if info.PartsCount > 0 && req.hasParam("partNumber") {
		w.Header().Set("x-amz-mp-parts-count", strconv.Itoa(info.PartsCount))
	}
	return objectRead{info: info, body: body, start: start, length: length, partial: partial}, false, nil
}

// readRange is the part of the object a GET or HEAD reads: its Range
// header's (byteRange), or the part its partNumber names, which S3 serves
// as a range of the part's bytes. A simple object is one part; a part
// past the last is InvalidPartNumber (416); both a Range and a partNumber
// is InvalidRequest.
func readRange(req *Request, info blob.Info) (start, length int64, partial bool, e *Error) {
	if !req.hasParam("partNumber") {
		return byteRange(req.HTTP.Header.Get("Range"), info.Size)
	}
	if req.HTTP.Header.Get("Range") != "" {
		return 0, 0, false, s3Errorf("InvalidRequest", "Cannot specify both Range header and partNumber query parameter")
	}
	n, e := partNumber(req)
	if e != nil {
		return 0, 0, false, e
	}
	if info.PartsCount == 0 {
		if n != 1 {
			return 0, 0, false, s3Error("InvalidPartNumber")
		}
		return 0, info.Size, info.Size > 0, nil
	}
	if n > info.PartsCount {
		return 0, 0, false, s3Error("InvalidPartNumber")
	}
	if len(info.PartSizes) != info.PartsCount {
		return 0, 0, false, errNotImplemented("partNumber of a multipart object completed before Sekisho kept part sizes")
	}
	for _, size := range info.PartSizes[:n-1] {
		start += size
	}
	length = info.PartSizes[n-1]
	return start, length, length > 0, nil
}

func (s *Service) getObject(w http.ResponseWriter, req *Request) *Error {
	r, done, e := s.openRead(w, req)
	if e != nil || done {
		return e
	}
	defer r.body.Close()
	h := w.Header()
	h[hdrContentLength] = []string{strconv.FormatInt(r.length, 10)} // h.Set, the key canonical already
	status := http.StatusOK
	if r.partial {
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", r.start, r.start+r.length-1, r.info.Size))
		status = http.StatusPartialContent
		// The stored checksums are of the whole object: S3 sends none with
		// a range, and SDKs would check the range against them.
		for alg := range r.info.Checksums {
			h.Del("x-amz-checksum-" + strings.ToLower(string(alg)))
		}
		h.Del("x-amz-checksum-type")
	}
	w.WriteHeader(status)
	_, _ = r.body.CopyRangeTo(w, r.start, r.length) // headers are out: a failure can only cut the body short
	return nil
}

func (s *Service) headObject(w http.ResponseWriter, req *Request) *Error {
	r, done, e := s.openRead(w, req)
	if e != nil || done {
		return e
	}
	r.body.Close()
	w.Header().Set("Content-Length", strconv.FormatInt(r.length, 10))
	if r.partial {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", r.start, r.start+r.length-1, r.info.Size))
		w.WriteHeader(http.StatusPartialContent)
		return nil
	}
	w.WriteHeader(http.StatusOK)
	return nil
}

// responseOverrides are the query parameters that replace a stored header
// in a GetObject or HeadObject response.
var responseOverrides = map[string]string{"response-content-type": "Content-Type", "response-content-language": "Content-Language",
	"response-expires": "Expires", "response-cache-control": "Cache-Control", "response-content-disposition": "Content-Disposition",
	"response-content-encoding": "Content-Encoding"}

// responseOverrideList is responseOverrides as a list, walked on every
// response without a map iteration (the headers are distinct, so the
// order does not matter).
var responseOverrideList = func() []struct{ param, header string } {
	var out []struct{ param, header string }
	for p, h := range responseOverrides {
		out = append(out, struct{ param, header string }{p, h})
	}
	return out
}()

// refuseAnonymousOverrides: S3 honours response-* overrides only in signed
// requests, so that a public object cannot be served under a type (say
// text/html) its owner never gave it.
func refuseAnonymousOverrides(req *Request) *Error {
	if req.Caller != nil {
		return nil
	}
	q := req.query()
	for param := range responseOverrides {
		if q.Has(param) {
			return s3Errorf("InvalidRequest", "Request specific response headers cannot be used for anonymous GET requests.")
		}
	}
	return nil
}

// writeObjectHeaders sets the object's stored headers, with response-*
// query overrides.
func writeObjectHeaders(w http.ResponseWriter, req *Request, info blob.Info) {
	h := w.Header()
	hs := headerSetter{h: h, vals: make([]string, 0, 12)}
	hs.set(hdrRequestID, req.RequestID)
	hs.set(hdrETag, info.ETag)
	hs.set(hdrLastModified, httpTime(info.LastModified))
	hs.set(hdrAcceptRanges, "bytes")
	set := func(name, v string) {
		if v != "" {
			hs.set(name, v)
		}
	}
	set(hdrContentType, info.ContentType)
	set(hdrContentEncoding, info.ContentEncoding)
	set(hdrContentDisposition, info.ContentDisposition)
	set(hdrContentLanguage, info.ContentLanguage)
	set(hdrCacheControl, info.CacheControl)
	set(hdrExpires, info.Expires)
	if info.StorageClass != "" && info.StorageClass != "STANDARD" {
		hs.set(hdrStorageClass, info.StorageClass)
	}
	if len(info.Tags) > 0 {
		hs.set(hdrTaggingCount, strconv.Itoa(len(info.Tags)))
	}
	setEncryptionHeaders(hs.set, info.Meta)
	for k, v := range info.UserMetadata {
		h["x-amz-meta-"+k] = []string{v} // as stored (lower case), not canonicalized: clients keep the case they see
	}
	if strings.EqualFold(headerGet(req.HTTP.Header, "x-amz-checksum-mode"), "ENABLED") {
		setChecksumHeaders(h, info.Checksums)
		if info.ChecksumType != "" {
			h.Set("x-amz-checksum-type", info.ChecksumType)
		}
	}
	if q := req.query(); len(q) > 0 {
		for _, o := range responseOverrideList {
			if v := q.Get(o.param); v != "" {
				h.Set(o.header, v)
			}
		}
	}
}

// preconditions applies If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since as S3 does. It returns an error (412) or the 304 status.
func preconditions(r *http.Request, info blob.Info) (*Error, int) {
	h := r.Header
	failed := func() *Error { return s3Error("PreconditionFailed") }
	if v := h.Get("If-Match"); v != "" && !etagMatches(v, info.ETag) {
		return failed().with("Condition", "If-Match"), 0
	}
	if v := h.Get("If-Unmodified-Since"); v != "" && h.Get("If-Match") == "" {
		if t, err := http.ParseTime(v); err == nil && info.LastModified.Truncate(time.Second).After(t) {
			return failed().with("Condition", "If-Unmodified-Since"), 0
		}
	}
	if v := h.Get("If-None-Match"); v != "" {
		if etagMatches(v, info.ETag) {
			return nil, http.StatusNotModified
		}
		return nil, 0
	}
	if v := h.Get("If-Modified-Since"); v != "" {
		if t, err := http.ParseTime(v); err == nil && !info.LastModified.Truncate(time.Second).After(t) {
			return nil, http.StatusNotModified
		}
	}
	return nil, 0
}

func etagMatches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || strings.Trim(v, `"`) == strings.Trim(etag, `"`) {
			return true
		}
	}
	return false
}

// byteRange applies a Range header as S3 does: one "bytes=first-last",
// "bytes=first-" or "bytes=-suffix" range is served (206); a header S3
// cannot parse (another unit, several ranges, signs, letters, last before
// first) is ignored and the whole object served; a range that starts at or
// past the end, or a zero-length suffix, is InvalidRange (416). A suffix
// range of an empty object is ignored, as S3 does.
func byteRange(header string, size int64) (start, length int64, partial bool, e *Error) {
	first, last, ok := splitRange(header)
	if !ok || first == "" && last == "" {
		return 0, size, false, nil
	}
	invalid := s3Error("InvalidRange").
		with("RangeRequested", header).with("ActualObjectSize", strconv.FormatInt(size, 10))
	if first == "" { // the last n bytes
		n := parseOffset(last)
		switch {
		case n == 0:
			return 0, 0, false, invalid
		case size == 0:
			return 0, 0, false, nil
		}
		n = min(n, size)
		return size - n, n, true, nil
	}
	from, to := parseOffset(first), size-1
	if last != "" {
		if to = parseOffset(last); to < from {
			return 0, size, false, nil
		}
	}
	if from >= size {
		return 0, 0, false, invalid
	}
	to = min(to, size-1)
	return from, to - from + 1, true, nil
}

// splitRange splits "bytes=first-last" into its two decimal numbers, either
// of which may be empty; ok is false for anything else.
func splitRange(header string) (first, last string, ok bool) {
	spec, ok := strings.CutPrefix(header, "bytes=")
	if !ok {
		return "", "", false
	}
	first, last, ok = strings.Cut(spec, "-")
	if !ok || !allDigits(first) || !allDigits(last) {
		return "", "", false
	}
	return first, last, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseOffset reads a string of decimal digits; one too large for int64
// is past the end of any object.
func parseOffset(digits string) int64 {
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return math.MaxInt64
	}
	return n
}

// copyRange applies x-amz-copy-source-range, which S3 requires in the form
// bytes=first-last (InvalidArgument otherwise) within the source object.
func copyRange(header string, size int64) (start, length int64, e *Error) {
	first, last, ok := splitRange(header)
	if !ok || first == "" || last == "" || parseOffset(last) < parseOffset(first) {
		return 0, 0, errInvalidArgument("The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy").
			with("ArgumentName", "x-amz-copy-source-range").with("ArgumentValue", header)
	}
	from, to := parseOffset(first), parseOffset(last)
	if to >= size {
		return 0, 0, errInvalidArgument("Range specified is not valid for source object of size: %d", size)
	}
	return from, to - from + 1, nil
}

func (s *Service) deleteObject(w http.ResponseWriter, req *Request) *Error {
	b, e := s.requestBucket(req)
	if e != nil {
		return e
	}
	return s.deleteObjectOrVersion(w, req, &b)
}

// copySource parses x-amz-copy-source: "/bucket/key" or "bucket/key", URL-encoded.
func copySource(v string) (string, string, *Error) {
	v, _, _ = strings.Cut(v, "?versionId=")
	decoded, err := url.PathUnescape(v)
	if err != nil {
		return "", "", errInvalidArgument("Invalid copy source encoding")
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(decoded, "/"), "/")
	if !ok || bucket == "" || key == "" {
		return "", "", errInvalidArgument("Invalid copy source object key").with("ArgumentName", "x-amz-copy-source")
	}
	return bucket, key, nil
}

// writeConditions reads a conditional PUT's If-None-Match (only "*", as
// S3 supports) and If-Match into pre.
func writeConditions(h http.Header, pre *blob.Precondition) *Error {
	if v := h.Get("If-None-Match"); v != "" {
		if strings.TrimSpace(v) != "*" {
			return errNotImplemented("If-None-Match other than *")
		}
		pre.IfNoneMatch = true
	}
	pre.IfMatch = strings.TrimSpace(h.Get("If-Match"))
	return nil
}

// Canonical names of the response headers writeObjectHeaders sets, as
// http.Header.Set would store them (so "ETag" is "Etag" on the wire, as
// before); computed once instead of on every response.
var (
	hdrRequestID          = textproto.CanonicalMIMEHeaderKey("x-amz-request-id")
	hdrETag               = textproto.CanonicalMIMEHeaderKey("ETag")
	hdrLastModified       = textproto.CanonicalMIMEHeaderKey("Last-Modified")
	hdrAcceptRanges       = textproto.CanonicalMIMEHeaderKey("Accept-Ranges")
	hdrContentType        = textproto.CanonicalMIMEHeaderKey("Content-Type")
	hdrContentEncoding    = textproto.CanonicalMIMEHeaderKey("Content-Encoding")
	hdrContentDisposition = textproto.CanonicalMIMEHeaderKey("Content-Disposition")
	hdrContentLanguage    = textproto.CanonicalMIMEHeaderKey("Content-Language")
	hdrCacheControl       = textproto.CanonicalMIMEHeaderKey("Cache-Control")
	hdrExpires            = textproto.CanonicalMIMEHeaderKey("Expires")
	hdrStorageClass       = textproto.CanonicalMIMEHeaderKey("x-amz-storage-class")
	hdrTaggingCount       = textproto.CanonicalMIMEHeaderKey("x-amz-tagging-count")
	hdrSSE                = textproto.CanonicalMIMEHeaderKey(sseHeader)
	hdrSSEKMSKey          = textproto.CanonicalMIMEHeaderKey(sseKMSKeyHeader)
	hdrSSEBucketKey       = textproto.CanonicalMIMEHeaderKey(sseBucketKeyHeader)
	hdrContentLength      = textproto.CanonicalMIMEHeaderKey("Content-Length")
)

// headerSetter sets header values as http.Header.Set does, given canonical
// names, with the values of all the headers in one array.
type headerSetter struct {
	h    http.Header
	vals []string
}

// set is h.Set(name, v) for a canonical name. Each value slice is capped
// at its one element, so an Add to one header reallocates it instead of
// overwriting the next header's value.
func (s *headerSetter) set(name, v string) {
	s.vals = append(s.vals, v)
	n := len(s.vals)
	s.h[name] = s.vals[n-1 : n : n]
}
