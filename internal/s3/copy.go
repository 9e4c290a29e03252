package s3

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
)

// openCopySource authorizes s3:GetObject (s3:GetObjectVersion when a
// version is named) on x-amz-copy-source, under its own bucket's policy,
// and opens the object.
func (s *Service) openCopySource(req *Request, header string) (blob.Info, *blob.Body, *Error) {
	bucket, key, e := copySource(header)
	if e != nil {
		return blob.Info{}, nil, e
	}
	expected, given, e := expectedOwner(req, "x-amz-source-expected-bucket-owner")
	if e != nil {
		return blob.Info{}, nil, e
	}
	ctx := req.HTTP.Context()
	src, e := s.bucket(ctx, bucket)
	if e != nil {
		return blob.Info{}, nil, e
	}
	if given && src.Account != expected {
		return blob.Info{}, nil, errAccessDenied("Access Denied")
	}
	id, action, e := copySourceVersion(header)
	if e != nil {
		return blob.Info{}, nil, e
	}
	if e := s.authorize(ctx, req, &src, check{action: action, resource: objectARN(bucket, key)}); e != nil {
		return blob.Info{}, nil, e
	}
	info, body, err := s.blobs.GetVersion(bucket, key, id)
	if missingVersion(err) || errors.Is(err, blob.ErrInvalidVersionID) {
		return info, nil, copySourceError(key, id, err)
	}
	if err != nil {
		return info, nil, s.blobError(err, bucket, key)
	}
	if e, status := copyPreconditions(req.HTTP, info); e != nil || status != 0 {
		body.Close()
		return info, nil, s3Error("PreconditionFailed")
	}
	return info, body, nil
}

// copyPreconditions applies the x-amz-copy-source-if-* headers.
func copyPreconditions(r *http.Request, info blob.Info) (*Error, int) {
	h := http.Header{}
	for _, name := range []string{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if v := r.Header.Get("x-amz-copy-source-" + name); v != "" {
			h.Set(name, v)
		}
	}
	return preconditions(&http.Request{Header: h}, info)
}

type copyObjectResult struct {
	XMLName      xml.Name `xml:"CopyObjectResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	checksumElements
}

// copyObject authorizes reading the source and writing the destination,
// which may be in different buckets and accounts.
func (s *Service) copyObject(w http.ResponseWriter, req *Request) *Error {
	dst, e := s.requestBucket(req)
	if e != nil {
		return e
	}
	if len(req.Key) > maxKeyLength {
		return s3Error("KeyTooLongError")
	}
	if e := checkNewObjectHeaders(req.HTTP.Header); e != nil {
		return e
	}
	if e := s.authorizeOp(req, &dst, nil); e != nil {
		return e
	}
	if e := s.checkWriteACL(req, &dst); e != nil {
		return e
	}
	srcHeader := req.HTTP.Header.Get("x-amz-copy-source")
	info, body, e := s.openCopySource(req, srcHeader)
	if e != nil {
		return e
	}
	defer body.Close()
	replace := req.HTTP.Header.Get("x-amz-metadata-directive") == "REPLACE"
	srcBucket, srcKey, _ := copySource(srcHeader)
	if srcBucket == dst.Name && srcKey == req.Key && !replace && req.HTTP.Header.Get("x-amz-storage-class") == "" &&
		!encryptionChanged(req.HTTP.Header) {
		return s3Errorf("InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.")
	}
	meta := info.Meta
	if replace {
		meta = objectMeta(req.HTTP.Header)
		meta.Tags = info.Tags
	}
	if req.HTTP.Header.Get("x-amz-tagging-directive") == "REPLACE" {
		tags, e := requestTags(req.HTTP.Header)
		if e != nil {
			return e
		}
		meta.Tags = tags
	}
	meta.Owner = objectOwner(req, &dst)
	meta.ACL = writeACL(req, &dst, meta.Owner)
	if e := copyChecksums(req.HTTP.Header, info, &meta); e != nil {
		return e
	}
	if e := s.applyEncryption(req, dst.Name, &meta); e != nil {
		return e
	}
	// If-None-Match and If-Match hold the destination, as for PutObject.
	if e := writeConditions(req.HTTP.Header, &meta.Precondition); e != nil {
		return e
	}
	out, e := s.putVersioned(w, req, dst.Name, req.Key, body, meta, nil)
	if e != nil {
		return e
	}
	setEncryptionHeaders(w.Header().Set, out.Meta)
	setCopyVersionHeaders(w, srcHeader, info)
	writeXML(w, req.RequestID, copyObjectResult{Xmlns: xmlns, LastModified: isoTime(out.LastModified), ETag: out.ETag,
		checksumElements: checksumXML(out.Checksums, out.ChecksumType)})
	return nil
}

// copyChecksums chooses the checksums a copy computes over its new body:
// the x-amz-checksum-algorithm asked for, else the source's algorithms,
// else CRC64NVME, as for any new object. A copy's checksums are always
// full-object, even of a multipart source.
func copyChecksums(h http.Header, src blob.Info, meta *blob.Meta) *Error {
	meta.WantChecksums, meta.Checksums, meta.ChecksumType = nil, nil, ""
	if v := h.Get("x-amz-checksum-algorithm"); v != "" {
		alg, ok := blob.ParseAlgorithm(v)
		if !ok && slices.Contains(unservedChecksums, strings.ToLower(v)) {
			return errNotImplemented("x-amz-checksum-algorithm " + v)
		}
		if !ok {
			return errInvalidArgument("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		meta.WantChecksums = []blob.Algorithm{alg}
		return nil
	}
	for alg := range src.Checksums {
		meta.WantChecksums = append(meta.WantChecksums, alg)
	}
	defaultChecksum(meta)
	return nil
}

// checksumElements are the Checksum* elements of CopyObjectResult,
// CompleteMultipartUploadResult and GetObjectAttributes' Checksum.
type checksumElements struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
}

func checksumXML(sums map[blob.Algorithm]string, typ string) checksumElements {
	if len(sums) == 0 {
		return checksumElements{}
	}
	return checksumElements{ChecksumCRC32: sums[blob.CRC32], ChecksumCRC32C: sums[blob.CRC32C], ChecksumCRC64NVME: sums[blob.CRC64NVME],
		ChecksumSHA1: sums[blob.SHA1], ChecksumSHA256: sums[blob.SHA256], ChecksumType: typ}
}

type deleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       *string `xml:"Key"`
		VersionID *string `xml:"VersionId"`
		ETag      string  `xml:"ETag"` // a conditional delete's If-Match
	} `xml:"Object"`
}

// parseDeleteRequest reads a DeleteObjects body as S3 validates it: a
// <Delete> of 1 to 1,000 <Object>s, each with its <Key> (MalformedXML),
// none of them empty (UserKeyMustBeSpecified, for the whole request).
func parseDeleteRequest(raw []byte) (deleteRequest, *Error) {
	var in deleteRequest
	if xml.Unmarshal(raw, &in) != nil || len(in.Objects) == 0 || len(in.Objects) > 1000 {
		return in, errMalformedXML()
	}
	for _, o := range in.Objects {
		if o.Key == nil {
			return in, errMalformedXML()
		}
		if *o.Key == "" {
			return in, s3Error("UserKeyMustBeSpecified")
		}
	}
	return in, nil
}

type deletedEntry struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

type deleteErrorEntry struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

type deleteResult struct {
	XMLName xml.Name           `xml:"DeleteResult"`
	Xmlns   string             `xml:"xmlns,attr"`
	Deleted []deletedEntry     `xml:"Deleted"`
	Errors  []deleteErrorEntry `xml:"Error"`
}

// deleteObjects authorizes s3:DeleteObject per key, as S3 does.
func (s *Service) deleteObjects(w http.ResponseWriter, req *Request) *Error {
	b, e := s.requestBucket(req)
	if e != nil {
		return e
	}
	raw, err := io.ReadAll(io.LimitReader(req.Body, 2<<20))
	if err != nil {
		return readError(err)
	}
	if e := checkDeleteDigest(req, raw); e != nil {
		return e
	}
	in, e := parseDeleteRequest(raw)
	if e != nil {
		return e
	}
	out := deleteResult{Xmlns: xmlns}
	for _, o := range in.Objects {
		version := ""
		if o.VersionID != nil {
			version = *o.VersionID
		}
		deleted, e := s.deleteOne(req, &b, *o.Key, o.VersionID, o.ETag)
		if e != nil {
			out.Errors = append(out.Errors, deleteErrorEntry{Key: *o.Key, VersionID: version, Code: e.Code, Message: e.Message})
			continue
		}
		if !in.Quiet {
			out.Deleted = append(out.Deleted, deleted)
		}
	}
	writeXML(w, req.RequestID, out)
	return nil
}

// deleteOne is one key of DeleteObjects, authorized on its own: an entry
// naming a version asks for s3:DeleteObjectVersion (with s3:VersionId);
// one naming an ETag deletes only that object (authorizeDeleteIfMatch).
func (s *Service) deleteOne(req *Request, b *store.Bucket, key string, version *string, etag string) (deletedEntry, *Error) {
	if len(key) > maxKeyLength {
		return deletedEntry{}, s3Error("KeyTooLongError")
	}
	action, extra := req.op.Action, map[string][]string(nil)
	if version != nil {
		action, extra = req.op.VersionAction, withVersionKey(nil, *version, true)
	}
	if etag != "" {
		// The entry's ETag is its If-Match (authorizeDeleteIfMatch), and a
		// policy demanding conditional deletes reads it as s3:if-match.
		if extra == nil {
			extra = make(map[string][]string, 1)
		}
		extra["s3:if-match"] = []string{etag}
	}
	if e := s.authorize(req.HTTP.Context(), req, b, check{action: action, resource: req.resourceOf(key), extra: extra}); e != nil {
		return deletedEntry{}, e
	}
	if version == nil {
		var e *Error
		if etag, e = s.authorizeDeleteIfMatch(req, b, key, etag); e != nil {
			return deletedEntry{}, e
		}
	}
	return s.deleteEntry(req.HTTP.Context(), b.Name, key, version, etag)
}

// checkDeleteDigest: DeleteObjects needs Content-MD5 or a checksum (header
// or trailer); those sent must match.
func checkDeleteDigest(req *Request, body []byte) *Error {
	h := req.HTTP.Header
	if e := checkChecksumHeaders(h); e != nil {
		return e
	}
	if v := h.Get("Content-MD5"); v != "" {
		sum := md5.Sum(body)
		if base64.StdEncoding.EncodeToString(sum[:]) != v {
			return s3Error("BadDigest")
		}
		return nil
	}
	var trailers map[string]string
	if req.Trailers != nil {
		trailers = req.Trailers()
	}
	for _, alg := range blob.AllAlgorithms() {
		name := "x-amz-checksum-" + strings.ToLower(string(alg))
		v := h.Get(name)
		if v == "" {
			v = trailers[name]
		}
		if v == "" {
			continue
		}
		sum := alg.NewHash()
		sum.Write(body)
		if base64.StdEncoding.EncodeToString(sum.Sum(nil)) != v {
			return s3Errorf("BadDigest", "The %s you specified did not match the calculated checksum.", alg)
		}
		return nil
	}
	if h.Get("x-amz-sdk-checksum-algorithm") != "" || h.Get("x-amz-trailer") != "" {
		return nil
	}
	return s3Errorf("InvalidRequest", "Missing required header for this request: Content-MD5")
}
