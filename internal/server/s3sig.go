package server

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/s3"
	"github.com/sekisho/sekisho/internal/sigv2"
	"github.com/sekisho/sekisho/internal/sigv4"
	"github.com/sekisho/sekisho/internal/store"
)

// defaultS3Region is the region of S3's global endpoint, where SigV2
// requests (which name no region) and bucket-less calls land.
const defaultS3Region = "us-east-1"

// maxEchoedRegionBytes bounds the client's region echoed in an error.
const maxEchoedRegionBytes = 64

// authenticateS3V2 resolves a SigV2 request's caller through the same gate
// as SigV4, verifies the signature and fills req. req.Auth stays nil: it
// describes SigV4 parameters, and a SigV2 request has none.
func (s *Server) authenticateS3V2(r *http.Request, a *sigv2.Auth, req *s3.Request) *s3.Error {
	caller, secret, err := s.cfg.Gate.Resolve(r.Context(), a.AccessKeyID, a.SessionToken)
	if e := s.s3CredentialError(err, a.AccessKeyID); e != nil {
		return e
	}
	if err := sigv2.Verify(r, a, secret, s.hostBucket(r), s.cfg.Now()); err != nil {
		return s3SigV2Error(err)
	}
	req.Caller = caller
	req.Context = s.requestContext(r, &sigv4.Auth{Region: s.bucketRegion(r, req.Bucket)}, s3ContextKeys)
	// S3 documents s3:signatureAge as always 0 for Signature Version 2.
	setSignatureKeys(req.Context, sigv2.SignatureVersion, a.AuthType(), "0")
	return nil
}

// bucketRegion is the region a request for bucket is served from: the
// bucket's, or the global endpoint's when there is no such bucket.
func (s *Server) bucketRegion(r *http.Request, bucket string) string {
	if bucket != "" {
		if b, err := s.cfg.Gate.Bucket(r.Context(), bucket); err == nil && b.Region != "" {
			return b.Region
		}
	}
	return defaultS3Region
}

// setSignatureKeys sets S3's signature condition keys: s3:signatureversion
// ("AWS" or "AWS4-HMAC-SHA256"), s3:authType and, when known,
// s3:signatureAge in milliseconds.
func setSignatureKeys(ctx *policy.Context, version, authType, ageMillis string) {
	// Lower-cased keys (Set need not lower them) and one backing array
	// for the single values, as in requestContext.
	values := make([]string, 0, 3)
	set := func(key, value string) {
		values = append(values, value)
		ctx.Set(key, values[len(values)-1:len(values):len(values)]...)
	}
	set("s3:signatureversion", version)
	set("s3:authtype", authType)
	if ageMillis != "" {
		set("s3:signatureage", ageMillis)
	}
}

func authType(presigned bool) string {
	if presigned {
		return "REST-QUERY-STRING"
	}
	return "REST-HEADER"
}

// v4SignatureAge is how long ago a presigned URL was signed, in
// milliseconds; S3 sets s3:signatureAge for presigned requests only.
func v4SignatureAge(a *sigv4.Auth, now time.Time) string {
	if !a.Presigned {
		return ""
	}
	return strconv.FormatInt(max(now.Sub(a.Date).Milliseconds(), 0), 10)
}

// checkSigningRegion holds a SigV4 request to its bucket's region, as S3
// does: a request signed for another region is refused, naming the
// bucket's region, which the SDKs then sign for. It returns that region
// with the error (for the x-amz-bucket-region header). CreateBucket (which
// has its own LocationConstraint rules), GetBucketLocation (the call that
// finds the region), ListBuckets and requests for a bucket that does not
// exist are not held to a region.
func (s *Server) checkSigningRegion(r *http.Request, a *sigv4.Auth, bucket, key string) (string, *s3.Error) {
	if bucket == "" || isCreateBucket(r, key) || isGetBucketLocation(r, key) {
		return "", nil
	}
	b, err := s.cfg.Gate.Bucket(r.Context(), bucket)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", nil
	case errors.Is(err, store.ErrUnavailable):
		return "", &s3.Error{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "Please reduce your request rate."}
	case err != nil:
		s.cfg.Log.Error("bucket lookup failed", "bucket", bucket, "err", err)
		return "", &s3.Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."}
	}
	want := b.Region
	if want == "" {
		want = defaultS3Region
	}
	if a.Region == want {
		return "", nil
	}
	e := &s3.Error{Status: http.StatusBadRequest, Code: "AuthorizationHeaderMalformed",
		Message: "The authorization header is malformed; the region '" + clipRegion(a.Region) + "' is wrong; expecting '" + want + "'",
		Extra:   map[string]string{"Region": want}}
	if a.Presigned {
		e.Code = "AuthorizationQueryParametersError"
		e.Message = "Error parsing the X-Amz-Credential parameter; the region '" + clipRegion(a.Region) + "' is wrong; expecting '" + want + "'"
	}
	return want, e
}

func clipRegion(region string) string {
	if len(region) > maxEchoedRegionBytes {
		return region[:maxEchoedRegionBytes] + "..."
	}
	return region
}

// isCreateBucket tells PUT /bucket with no sub-resource (only presigning
// parameters) from the bucket-level PUT operations (?policy, ?tagging, ...).
func isCreateBucket(r *http.Request, key string) bool {
	if r.Method != http.MethodPut || key != "" {
		return false
	}
	for name := range r.URL.Query() {
		if !strings.HasPrefix(strings.ToLower(name), "x-amz-") && name != "x-id" {
			return false
		}
	}
	return true
}

func isGetBucketLocation(r *http.Request, key string) bool {
	if r.Method != http.MethodGet || key != "" {
		return false
	}
	_, location := r.URL.Query()["location"]
	return location
}

// s3SigV2Error maps a SigV2 failure to S3's error.
func s3SigV2Error(err error) *s3.Error {
	var se *sigv2.Error
	if !errors.As(err, &se) {
		return &s3.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}
	}
	e := &s3.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: se.Message}
	switch se.Kind {
	case sigv2.KindAmbiguous, sigv2.KindMalformedHeader:
		e.Status, e.Code = http.StatusBadRequest, "InvalidArgument"
		e.Extra = map[string]string{"ArgumentName": "Authorization", "ArgumentValue": se.Header}
	case sigv2.KindSkew:
		e.Code = "RequestTimeTooSkewed"
		e.Extra = map[string]string{"RequestTime": se.RequestTime,
			"ServerTime": se.ServerTime.UTC().Format("2006-01-02T15:04:05Z"), "MaxAllowedSkewMilliseconds": "900000"}
	case sigv2.KindExpired:
		e.Extra = map[string]string{"Expires": se.Expires.UTC().Format("2006-01-02T15:04:05Z"),
			"ServerTime": se.ServerTime.UTC().Format("2006-01-02T15:04:05Z")}
	case sigv2.KindSignatureMismatch:
		e.Code = "SignatureDoesNotMatch"
		e.Extra = map[string]string{"AWSAccessKeyId": se.AccessKeyID, "StringToSign": se.StringToSign,
			"SignatureProvided": se.SignatureProvided, "StringToSignBytes": se.StringToSignBytes()}
	}
	return e
}
