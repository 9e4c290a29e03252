package server

import (
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/metrics"
	"github.com/sekisho/sekisho/internal/s3"
	"github.com/sekisho/sekisho/internal/sigv2"
	"github.com/sekisho/sekisho/internal/sigv4"
	"github.com/sekisho/sekisho/internal/store"
)

// isQueryRequest tells a Query-protocol call (a form POST to "/") from an
// S3 REST call when the credential scope cannot say.
func isQueryRequest(r *http.Request, auth *sigv4.Auth) bool {
	if auth != nil {
		return auth.Service != "s3"
	}
	return r.Method == http.MethodPost && r.URL.Path == "/" &&
		strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || isUnsignedQueryGet(r)
}

// bucketAndKey reads the bucket and key from a virtual-hosted Host
// (bucket.localhost:4566) or from the path (/bucket/key).
func (s *Server) bucketAndKey(r *http.Request) (string, string) {
	path := strings.TrimPrefix(r.URL.Path, "/")
	if bucket := s.hostBucket(r); bucket != "" {
		return bucket, path
	}
	bucket, key, _ := strings.Cut(path, "/")
	return bucket, key
}

// hostBucket is the bucket a virtual-hosted Host names, "" for a
// path-style request.
func (s *Server) hostBucket(r *http.Request) string {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	for _, base := range s.cfg.VirtualHostBases {
		if host == base {
			return "" // the endpoint itself (s3.localhost is no bucket "s3" under localhost): path style
		}
		if bucket, ok := strings.CutSuffix(host, "."+base); ok && bucket != "" {
			return bucket
		}
	}
	return ""
}

// serveS3 authenticates an S3 request (SigV4, SigV2, or anonymous when it
// carries no signature at all) and hands it to the S3 service.
func (s *Server) serveS3(w http.ResponseWriter, r *http.Request, requestID string, auth *sigv4.Auth, authErr error) {
	metrics.SetOperation(w, "s3", "unknown") // until the S3 service routes it
	bucket, key := s.bucketAndKey(r)
	serve, fail := s.cfg.S3.Serve, func(e *s3.Error) { s3.WriteError(w, r, requestID, e) }
	if s3.IsControlRequest(r) {
		// S3 Control (/v20180820/...) names no bucket, whatever the Host:
		// SDKs put the account id in front of a custom endpoint's host.
		bucket, key = "", ""
		serve, fail = s.cfg.S3.ServeControl, func(e *s3.Error) { s3.WriteControlError(w, r, requestID, e) }
	}
	req := &s3.Request{HTTP: r, RequestID: requestID, Bucket: bucket, Key: key, Body: r.Body,
		Trailers: func() map[string]string { return nil }}
	v2, err := sigv2.Parse(r)
	switch {
	case err != nil:
		fail(s3SigV2Error(err))
		return
	case v2 != nil:
		if e := s.authenticateS3V2(r, v2, req); e != nil {
			fail(e)
			return
		}
		serve(w, req)
		return
	}
	if authErr != nil && sigv4.KindOf(authErr) != sigv4.KindMissingAuth {
		fail(s3AuthError(authErr))
		return
	}
	if authErr == nil {
		if region, e := s.checkSigningRegion(r, auth, bucket, key); e != nil {
			if region != "" {
				w.Header().Set("x-amz-bucket-region", region)
			}
			fail(e)
			return
		}
		if e := s.authenticateS3(r, auth, req); e != nil {
			fail(e)
			return
		}
		req.Context = s.requestContext(r, auth, s3ContextKeys)
		setSignatureKeys(req.Context, sigv4.Algorithm, authType(auth.Presigned), v4SignatureAge(auth, s.cfg.Now()))
	} else {
		req.Context = s.requestContext(r, &sigv4.Auth{}, s3ContextKeys)
	}
	serve(w, req)
}

func (s *Server) authenticateS3(r *http.Request, auth *sigv4.Auth, req *s3.Request) *s3.Error {
	caller, secret, err := s.cfg.Gate.Resolve(r.Context(), auth.AccessKeyID, auth.SessionToken)
	if e := s.s3CredentialError(err, auth.AccessKeyID); e != nil {
		return e
	}
	if err := s.cfg.Verifier.Verify(r, auth, secret, ""); err != nil {
		return s3AuthError(err)
	}
	req.Caller, req.Auth = caller, auth
	switch {
	case auth.Streaming():
		cr := s.cfg.Verifier.NewChunkedReader(r.Body, auth, secret)
		req.Body, req.Trailers = cr, cr.Trailers
	case r.Body == http.NoBody && strings.EqualFold(auth.PayloadHash, sigv4.EmptyPayloadHash):
		// No body, and the hash of none declared: nothing to check.
	case isHexHash(auth.PayloadHash):
		req.Body = sigv4.NewPayloadHashReader(r.Body, auth.PayloadHash)
	}
	return nil
}

// s3CredentialError maps a failed access key or session token lookup to
// S3's error; nil when err is nil.
func (s *Server) s3CredentialError(err error, accessKeyID string) *s3.Error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, access.ErrExpiredToken):
		return &s3.Error{Status: http.StatusBadRequest, Code: "ExpiredToken", Message: "The provided token has expired."}
	case errors.Is(err, access.ErrInvalidToken), errors.Is(err, access.ErrMissingToken):
		return &s3.Error{Status: http.StatusBadRequest, Code: "InvalidToken", Message: "The provided token is malformed or otherwise invalid."}
	case errors.Is(err, access.ErrUnknownKey), errors.Is(err, access.ErrInactiveKey):
		return &s3.Error{Status: http.StatusForbidden, Code: "InvalidAccessKeyId", Message: "The AWS Access Key Id you provided does not exist in our records.",
			Extra: map[string]string{"AWSAccessKeyId": accessKeyID}}
	case errors.Is(err, store.ErrUnavailable):
		return &s3.Error{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "Please reduce your request rate."}
	}
	s.cfg.Log.Error("credential lookup failed", "err", err)
	return &s3.Error{Status: http.StatusInternalServerError, Code: "InternalError", Message: "We encountered an internal error. Please try again."}
}

func isHexHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// s3AuthError maps a SigV4 failure to S3's error.
func s3AuthError(err error) *s3.Error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return &s3.Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: "Access Denied"}
	}
	e := &s3.Error{Status: http.StatusBadRequest, Message: se.Message}
	switch se.Kind {
	case sigv4.KindSignatureMismatch:
		e.Status, e.Code = http.StatusForbidden, "SignatureDoesNotMatch"
	case sigv4.KindSkew:
		e.Status, e.Code = http.StatusForbidden, "RequestTimeTooSkewed"
		e.Message = "The difference between the request time and the current time is too large."
		e.Extra = map[string]string{"RequestTime": se.RequestTime.UTC().Format("20060102T150405Z"),
			"ServerTime": se.ServerTime.UTC().Format("2006-01-02T15:04:05Z"), "MaxAllowedSkewMilliseconds": "900000"}
	case sigv4.KindPresignExpired, sigv4.KindPresignNotYetValid, sigv4.KindMissingDate:
		e.Status, e.Code = http.StatusForbidden, "AccessDenied"
	case sigv4.KindIncompleteSignature, sigv4.KindMalformedHeader:
		e.Code = "AuthorizationHeaderMalformed"
	case sigv4.KindMalformedQuery:
		e.Code = "AuthorizationQueryParametersError"
	case sigv4.KindContentSHA256Mismatch:
		e.Code = "XAmzContentSHA256Mismatch"
	case sigv4.KindBadChunk:
		e.Code = "InvalidRequest"
	case sigv4.KindIncompleteBody:
		e.Code = "IncompleteBody"
	case sigv4.KindUnsupportedAlgorithm, sigv4.KindMissingContentSHA256:
		e.Code = "InvalidRequest"
	case sigv4.KindHeadersNotSigned:
		e.Status, e.Code = http.StatusForbidden, "AccessDenied"
		e.Extra = map[string]string{"HeadersNotSigned": se.HeadersNotSigned}
	default:
		e.Code = "InvalidArgument"
	}
	return e
}
