package s3

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/blob"
)

type initiateResult struct {
	XMLName  xml.Name `xml:"InitiateMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (s *Service) createUpload(w http.ResponseWriter, req *Request) *Error {
	b, tags, e := s.writable(req)
	if e != nil {
		return e
	}
	meta := objectMeta(req.HTTP.Header)
	meta.Tags = tags
	meta.Owner = objectOwner(req, &b)
	meta.ACL = writeACL(req, &b, meta.Owner)
	if v := req.HTTP.Header.Get("x-amz-checksum-algorithm"); v != "" {
		alg, ok := blob.ParseAlgorithm(v)
		if !ok && slices.Contains(unservedChecksums, strings.ToLower(v)) {
			return errNotImplemented("x-amz-checksum-algorithm " + v)
		}
		if !ok {
			return errInvalidArgument("Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]")
		}
		meta.WantChecksums = []blob.Algorithm{alg}
		meta.ChecksumType = req.HTTP.Header.Get("x-amz-checksum-type")
	}
	if e := s.applyEncryption(req, b.Name, &meta); e != nil {
		return e
	}
	defaultChecksum(&meta) // CRC64NVME: full-object, computed at Complete
	id, err := s.blobs.CreateUpload(b.Name, req.Key, meta)
	if err != nil {
		return s.blobError(err, req.Bucket, req.Key)
	}
	setEncryptionHeaders(w.Header().Set, meta)
	writeXML(w, req.RequestID, initiateResult{Xmlns: xmlns, Bucket: b.Name, Key: req.Key, UploadID: id})
	return nil
}

func partNumber(req *Request) (int, *Error) {
	n, err := strconv.Atoi(req.query().Get("partNumber"))
	if err != nil || n < 1 || n > 10000 {
		return 0, errInvalidArgument("Part number must be an integer between 1 and 10000, inclusive").with("ArgumentName", "partNumber")
	}
	return n, nil
}

type copyPartResult struct {
	XMLName      xml.Name `xml:"CopyPartResult"`
	Xmlns        string   `xml:"xmlns,attr"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
}

func (s *Service) uploadPart(w http.ResponseWriter, req *Request) *Error {
	b, e := s.requestBucket(req)
	if e != nil {
		return e
	}
	n, e := partNumber(req)
	if e != nil {
		return e
	}
	if e := s.authorizeOp(req, &b, nil); e != nil {
		return e
	}
	body, copied, e := s.partBody(req)
	if e != nil {
		return e
	}
	if closer, ok := body.(io.Closer); ok && copied {
		defer closer.Close()
	}
	checks, e := readBodyChecks(req)
	if e != nil {
		return e
	}
	if copied {
		checks = &bodyChecks{checksums: map[blob.Algorithm]string{}}
	} else if e := s.checkPartAlgorithm(req, b.Name, checks); e != nil {
		return e
	}
	for _, alg := range checks.want { // computed for the trailer check, with no value to compare yet
		if _, ok := checks.checksums[alg]; !ok {
			checks.checksums[alg] = ""
		}
	}
	part, err := s.blobs.PutPart(b.Name, req.Key, req.query().Get("uploadId"), n, body, checks.checksums, checks.verify)
	if err != nil {
		return s.multipartError(err, req.Bucket, req.Key)
	}
	s.setUploadEncryptionHeaders(w.Header(), b.Name, req.Key, req.query().Get("uploadId"))
	if copied {
		writeXML(w, req.RequestID, copyPartResult{Xmlns: xmlns, LastModified: isoTime(part.LastModified), ETag: part.ETag})
		return nil
	}
	h := w.Header()
	h.Set("ETag", part.ETag)
	setChecksumHeaders(h, part.Checksums)
	h.Set("x-amz-request-id", req.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// checkPartAlgorithm holds a part's checksum (header or trailer) to the
// algorithm its upload was created with (x-amz-checksum-algorithm), as S3
// requires: another is InvalidRequest. An upload created without one has
// the default CRC64NVME, which a part of another algorithm may not be
// refused for (S3's rule there is not documented), so it is not checked.
// A missing upload is left to PutPart (NoSuchUpload).
func (s *Service) checkPartAlgorithm(req *Request, bucket string, checks *bodyChecks) *Error {
	u, ok := s.findUpload(bucket, req.Key, req.query().Get("uploadId"))
	if !ok || len(u.Meta.WantChecksums) != 1 || u.Meta.WantChecksums[0] == blob.CRC64NVME {
		return nil
	}
	want := u.Meta.WantChecksums[0]
	sent := checks.want
	for alg := range checks.checksums {
		sent = append(sent, alg)
	}
	for _, alg := range sent {
		if alg != want {
			return s3Errorf("InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s",
				strings.ToLower(string(want)), strings.ToLower(string(alg)))
		}
	}
	return nil
}

// partBody is the request body, or for UploadPartCopy the (ranged) source
// object after authorizing s3:GetObject on it.
func (s *Service) partBody(req *Request) (io.Reader, bool, *Error) {
	src := req.HTTP.Header.Get("x-amz-copy-source")
	if src == "" {
		return req.Body, false, nil
	}
	info, body, e := s.openCopySource(req, src)
	if e != nil {
		return nil, false, e
	}
	start, length := int64(0), info.Size
	if r, ok := req.HTTP.Header["X-Amz-Copy-Source-Range"]; ok {
		start, length, e = copyRange(strings.Join(r, ","), info.Size)
		if e != nil {
			body.Close()
			return nil, false, e
		}
	}
	return readCloser{io.NewSectionReader(body, start, length), body}, true, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

func (s *Service) multipartError(err error, bucket, key string) *Error {
	switch {
	case errors.Is(err, blob.ErrNoSuchUpload):
		return s3Error("NoSuchUpload")
	case errors.Is(err, blob.ErrInvalidPart):
		return s3Error("InvalidPart")
	case errors.Is(err, blob.ErrInvalidPartOrder):
		return s3Error("InvalidPartOrder")
	case errors.Is(err, blob.ErrEntityTooSmall):
		return s3Error("EntityTooSmall")
	}
	return s.blobError(err, bucket, key)
}

type completeRequest struct {
	Parts []struct {
		PartNumber        int    `xml:"PartNumber"`
		ETag              string `xml:"ETag"`
		ChecksumCRC32     string `xml:"ChecksumCRC32"`
		ChecksumCRC32C    string `xml:"ChecksumCRC32C"`
		ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME"`
		ChecksumSHA1      string `xml:"ChecksumSHA1"`
		ChecksumSHA256    string `xml:"ChecksumSHA256"`
	} `xml:"Part"`
}

// parseCompleteRequest reads a CompleteMultipartUpload body: at least one
// part (MalformedXML otherwise); blob checks numbers, order and ETags.
func parseCompleteRequest(raw []byte) ([]blob.CompletedPart, *Error) {
	var in completeRequest
	if xml.Unmarshal(raw, &in) != nil || len(in.Parts) == 0 {
		return nil, errMalformedXML()
	}
	parts := make([]blob.CompletedPart, 0, len(in.Parts))
	for _, p := range in.Parts {
		sums := map[blob.Algorithm]string{}
		for alg, v := range map[blob.Algorithm]string{blob.CRC32: p.ChecksumCRC32, blob.CRC32C: p.ChecksumCRC32C,
			blob.CRC64NVME: p.ChecksumCRC64NVME, blob.SHA1: p.ChecksumSHA1, blob.SHA256: p.ChecksumSHA256} {
			if v != "" {
				sums[alg] = v
			}
		}
		parts = append(parts, blob.CompletedPart{PartNumber: p.PartNumber, ETag: p.ETag, Checksums: sums})
	}
	return parts, nil
}

type completeResult struct {
	XMLName  xml.Name `xml:"CompleteMultipartUploadResult"`
	Xmlns    string   `xml:"xmlns,attr"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumElements
}

func (s *Service) completeUpload(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	raw, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
	if err != nil {
		return readError(err)
	}
	parts, e := parseCompleteRequest(raw)
	if e != nil {
		return e
	}
	uploadID := req.query().Get("uploadId")
	if e := s.checkWholeChecksum(req, b.Name, uploadID, parts); e != nil {
		return e
	}
	if e := s.checkObjectSize(req, b.Name, uploadID, parts); e != nil {
		return e
	}
	pre, e := completeConditions(req)
	if e != nil {
		return e
	}
	v, e := s.bucketVersioning(req.HTTP.Context(), b.Name)
	if e != nil {
		return e
	}
	info, err := s.blobs.CompleteUploadIf(b.Name, req.Key, uploadID, parts, v, pre)
	if err != nil {
		return s.multipartError(err, req.Bucket, req.Key)
	}
	setEncryptionHeaders(w.Header().Set, info.Meta)
	s.setVersionHeader(w, req.HTTP.Context(), b.Name, info)
	writeXML(w, req.RequestID, completeResult{Xmlns: xmlns, Location: "/" + b.Name + "/" + req.Key, Bucket: b.Name, Key: req.Key, ETag: info.ETag,
		checksumElements: checksumXML(info.Checksums, info.ChecksumType)})
	return nil
}

// completeConditions are a Complete's If-None-Match "*" and If-Match,
// held as PutObject's: the object store checks them at the moment the
// object would replace the key's current one (PreconditionFailed; If-Match
// on a missing key is NoSuchKey), and the upload then stays open.
func completeConditions(req *Request) (blob.Precondition, *Error) {
	var pre blob.Precondition
	e := writeConditions(req.HTTP.Header, &pre)
	return pre, e
}

// checkObjectSize holds a Complete to its x-amz-mp-object-size, the size
// the client expects the object to have: another size is InvalidRequest
// and the upload stays as it was, as S3 documents. Parts that are missing
// are left to the Complete itself (InvalidPart).
func (s *Service) checkObjectSize(req *Request, bucket, uploadID string, listed []blob.CompletedPart) *Error {
	v := req.HTTP.Header.Get("x-amz-mp-object-size")
	if v == "" {
		return nil
	}
	want, err := strconv.ParseInt(v, 10, 64)
	if err != nil || want < 0 {
		return s3Errorf("InvalidRequest", "Value for x-amz-mp-object-size header is invalid.")
	}
	stored, err := s.blobs.ListParts(bucket, req.Key, uploadID)
	if err != nil {
		return s.multipartError(err, bucket, req.Key)
	}
	parts, ok := listedParts(stored, listed)
	if !ok {
		return nil
	}
	var size int64
	for _, p := range parts {
		size += p.Size
	}
	if size != want {
		return s3Errorf("InvalidRequest", "The provided 'x-amz-mp-object-size' header value %d does not match the object size %d.", want, size)
	}
	return nil
}

// setUploadEncryptionHeaders reports the encryption an upload's object
// will have, as UploadPart answers. The upload was found moments ago by
// PutPart; if it is gone now the headers are simply left out.
func (s *Service) setUploadEncryptionHeaders(h http.Header, bucket, key, uploadID string) {
	if u, ok := s.findUpload(bucket, key, uploadID); ok {
		setEncryptionHeaders(h.Set, u.Meta)
	}
}

func (s *Service) abortUpload(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	if err := s.blobs.AbortUpload(b.Name, req.Key, req.query().Get("uploadId")); err != nil {
		return s.multipartError(err, req.Bucket, req.Key)
	}
	noContent(w, req)
	return nil
}

type partEntry struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
}

type listPartsResult struct {
	XMLName              xml.Name    `xml:"ListPartsResult"`
	Xmlns                string      `xml:"xmlns,attr"`
	Bucket               string      `xml:"Bucket"`
	Key                  string      `xml:"Key"`
	UploadID             string      `xml:"UploadId"`
	PartNumberMarker     int         `xml:"PartNumberMarker"`
	NextPartNumberMarker int         `xml:"NextPartNumberMarker"`
	MaxParts             int         `xml:"MaxParts"`
	IsTruncated          bool        `xml:"IsTruncated"`
	StorageClass         string      `xml:"StorageClass"`
	Initiator            owner       `xml:"Initiator"`
	Owner                owner       `xml:"Owner"`
	Parts                []partEntry `xml:"Part"`
}

func (s *Service) listParts(w http.ResponseWriter, req *Request) *Error {
	q := req.query()
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	maxParts, e := intParam(q, "max-parts", 1000)
	if e != nil {
		return e
	}
	marker, e := intParam(q, "part-number-marker", 0)
	if e != nil {
		return e
	}
	parts, err := s.blobs.ListParts(b.Name, req.Key, q.Get("uploadId"))
	if err != nil {
		return s.multipartError(err, req.Bucket, req.Key)
	}
	out := listPartsResult{Xmlns: xmlns, Bucket: b.Name, Key: req.Key, UploadID: q.Get("uploadId"), PartNumberMarker: marker,
		MaxParts: maxParts, StorageClass: "STANDARD", Initiator: uploadOwner(b.Account), Owner: uploadOwner(b.Account)}
	for _, p := range parts {
		if p.PartNumber <= marker {
			continue
		}
		if len(out.Parts) == maxParts {
			out.IsTruncated = true
			break
		}
		out.Parts = append(out.Parts, partEntry{PartNumber: p.PartNumber, LastModified: isoTime(p.LastModified), ETag: p.ETag, Size: p.Size})
		out.NextPartNumberMarker = p.PartNumber
	}
	writeXML(w, req.RequestID, out)
	return nil
}

type uploadEntry struct {
	Key          string `xml:"Key"`
	UploadID     string `xml:"UploadId"`
	Initiator    owner  `xml:"Initiator"`
	Owner        owner  `xml:"Owner"`
	Initiated    string `xml:"Initiated"`
	StorageClass string `xml:"StorageClass"`
}

// uploadOwner names an upload's owner, and its initiator: uploads keep the
// owning account only, so the initiator is given as that account too (S3
// would name an IAM initiator by its ARN).
func uploadOwner(account string) owner {
	return owner{ID: canonicalID(account), DisplayName: account}
}

type listUploadsResult struct {
	XMLName            xml.Name      `xml:"ListMultipartUploadsResult"`
	Xmlns              string        `xml:"xmlns,attr"`
	Bucket             string        `xml:"Bucket"`
	KeyMarker          string        `xml:"KeyMarker"`
	UploadIDMarker     string        `xml:"UploadIdMarker"`
	NextKeyMarker      string        `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker string        `xml:"NextUploadIdMarker,omitempty"`
	Prefix             string        `xml:"Prefix"`
	MaxUploads         int           `xml:"MaxUploads"`
	IsTruncated        bool          `xml:"IsTruncated"`
	Uploads            []uploadEntry `xml:"Upload"`
}

func (s *Service) listMultipartUploads(w http.ResponseWriter, req *Request) *Error {
	q := req.query()
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	maxUploads, e := intParam(q, "max-uploads", 1000)
	if e != nil {
		return e
	}
	uploads, err := s.blobs.ListUploads(b.Name, q.Get("prefix"))
	if err != nil {
		return s.blobError(err, req.Bucket, "")
	}
	// Resume after key-marker, or after upload-id-marker within key-marker.
	keyMarker, idMarker := q.Get("key-marker"), q.Get("upload-id-marker")
	out := listUploadsResult{Xmlns: xmlns, Bucket: b.Name, KeyMarker: keyMarker, UploadIDMarker: idMarker, Prefix: q.Get("prefix"), MaxUploads: maxUploads}
	passed := idMarker == ""
	for _, u := range uploads {
		if u.Key < keyMarker || u.Key == keyMarker && !passed {
			passed = passed || u.UploadID == idMarker
			continue
		}
		if len(out.Uploads) == min(maxUploads, 1000) {
			out.IsTruncated = true
			break
		}
		account := u.Meta.Owner
		if account == "" {
			account = b.Account
		}
		out.Uploads = append(out.Uploads, uploadEntry{Key: u.Key, UploadID: u.UploadID, Initiator: uploadOwner(account), Owner: uploadOwner(account),
			Initiated: isoTime(u.Initiated), StorageClass: "STANDARD"})
		out.NextKeyMarker, out.NextUploadIDMarker = u.Key, u.UploadID
	}
	writeXML(w, req.RequestID, out)
	return nil
}
