package s3

import (
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
)

// Object-level server-side encryption. Since January 2023 S3 encrypts
// every new object: with what the request's x-amz-server-side-encryption
// headers ask for, else with the bucket's default encryption (SSE-S3 unless
// configured). Nothing is encrypted here; the effective settings are stored
// with the object and reported as S3 reports them.
//
// The s3:x-amz-server-side-encryption condition key is NOT derived from
// this: as in AWS it reflects only the request header (see s3.go), so a
// bucket policy denying uploads without the header still denies them.

const (
	sseHeader          = "x-amz-server-side-encryption"
	sseKMSKeyHeader    = "x-amz-server-side-encryption-aws-kms-key-id"
	sseBucketKeyHeader = "x-amz-server-side-encryption-bucket-key-enabled"
)

// applyEncryption fills meta's SSE fields for a new object (PutObject,
// CopyObject, CreateMultipartUpload) in bucket from req's headers, or the
// bucket's default encryption when the request names none.
func (s *Service) applyEncryption(req *Request, bucket string, meta *blob.Meta) *Error {
	h := req.HTTP.Header
	alg, keyID, bucketKey := h.Get(sseHeader), h.Get(sseKMSKeyHeader), h.Get(sseBucketKeyHeader)
	switch alg {
	case "", sseAES256, sseKMS, sseKMSDSSE:
	default:
		return errInvalidArgument("The encryption method specified is not supported").
			with("ArgumentName", sseHeader).with("ArgumentValue", alg)
	}
	if bucketKey != "" && !strings.EqualFold(bucketKey, "true") && !strings.EqualFold(bucketKey, "false") {
		return errInvalidArgument("Invalid value for x-amz-server-side-encryption-bucket-key-enabled").
			with("ArgumentName", sseBucketKeyHeader).with("ArgumentValue", bucketKey)
	}
	if keyID != "" && alg != sseKMS && alg != sseKMSDSSE {
		return errInvalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms").
			with("ArgumentName", sseHeader).with("ArgumentValue", alg)
	}
	def, e := s.defaultEncryption(req, bucket)
	if e != nil {
		return e
	}
	if e := refuseSSEC(h, def); e != nil {
		return e
	}
	if alg == "" {
		alg, keyID = def.Algorithm, def.KMSKeyID
	} else if alg == def.Algorithm && keyID == "" {
		keyID = def.KMSKeyID
	}
	meta.SSEAlgorithm, meta.SSEKMSKeyID, meta.SSEBucketKeyEnabled = alg, "", false
	if alg == sseAES256 {
		return nil // neither a KMS key nor a Bucket Key applies to SSE-S3
	}
	meta.SSEKMSKeyID = keyID
	meta.SSEBucketKeyEnabled = strings.EqualFold(bucketKey, "true") || bucketKey == "" && def.Algorithm == alg && def.BucketKeyEnabled
	return nil
}

// sseCHeaders are the headers by which an upload asks for SSE-C.
var sseCHeaders = []string{"x-amz-server-side-encryption-customer-algorithm",
	"x-amz-server-side-encryption-customer-key", "x-amz-server-side-encryption-customer-key-MD5"}

// refuseSSEC refuses an upload asking for SSE-C (customer-provided keys):
// S3 answers 403 AccessDenied while the bucket blocks SSE-C, its default;
// where the bucket allows it, Sekisho cannot encrypt with the customer's
// key, and storing the object in the clear would let anyone read it
// without the key: NotImplemented.
func refuseSSEC(h http.Header, def DefaultEncryption) *Error {
	for _, name := range sseCHeaders {
		if h.Get(name) == "" {
			continue
		}
		if !def.SSECAllowed {
			return errAccessDenied("Access Denied")
		}
		return errNotImplemented("SSE-C")
	}
	return nil
}

// defaultEncryption reads the bucket's default encryption.
func (s *Service) defaultEncryption(req *Request, bucket string) (DefaultEncryption, *Error) {
	ctx := req.HTTP.Context()
	gen, err := s.store.Generation(ctx)
	if err != nil {
		return DefaultEncryption{}, s.storeError(err, bucket)
	}
	if def, ok := s.encryption.get(gen, bucket); ok {
		return def, nil
	}
	var def DefaultEncryption
	err = s.store.View(ctx, func(tx store.Tx) error {
		var err error
		def, err = bucketEncryption(tx, bucket)
		return err
	})
	if e := s.storeError(err, bucket); e != nil {
		return def, e
	}
	s.encryption.put(gen, bucket, def)
	return def, nil
}

// setEncryptionHeaders reports an object's encryption; objects stored
// before it was recorded are SSE-S3, as every S3 object is.
func setEncryptionHeaders(set func(canonicalName, value string), m blob.Meta) {
	alg := m.SSEAlgorithm
	if alg == "" {
		alg = sseAES256
	}
	set(hdrSSE, alg)
	if m.SSEKMSKeyID != "" {
		set(hdrSSEKMSKey, m.SSEKMSKeyID)
	}
	if m.SSEBucketKeyEnabled {
		set(hdrSSEBucketKey, "true")
	}
}

// encryptionChanged reports whether a copy request asks for other
// encryption settings, which makes copying an object onto itself legal.
func encryptionChanged(h http.Header) bool {
	return strings.TrimSpace(h.Get(sseHeader)) != "" || h.Get(sseKMSKeyHeader) != "" || h.Get(sseBucketKeyHeader) != ""
}
