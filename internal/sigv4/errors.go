package sigv4

import (
	"errors"
	"time"
)

// Kind classifies a verification failure; the package doc gives the AWS
// error code each kind maps to.
type Kind int

// The kinds of verification failure.
const (
	// KindMissingAuth: the request carries no SigV4 authentication at all.
	KindMissingAuth Kind = iota + 1
	// KindAmbiguousAuth: both an Authorization header and presigned query
	// parameters are present.
	KindAmbiguousAuth
	// KindUnsupportedAlgorithm: the request uses another scheme: SigV2
	// (header or presigned query), SigV4a, ...
	KindUnsupportedAlgorithm
	// KindIncompleteSignature: the Authorization header lacks Credential,
	// SignedHeaders or Signature.
	KindIncompleteSignature
	// KindMalformedHeader: the Authorization header's parts are present
	// but malformed (credential scope, credential date).
	KindMalformedHeader
	// KindMalformedQuery: presigned query parameters are missing or
	// malformed (S3's AuthorizationQueryParametersError).
	KindMalformedQuery
	// KindMissingDate: neither a valid X-Amz-Date nor a valid Date header.
	KindMissingDate
	// KindInvalidContentSHA256: an S3 request's x-amz-content-sha256 is
	// neither a known keyword nor a hex SHA-256.
	KindInvalidContentSHA256
	// KindSignatureMismatch: a request, chunk or trailer signature is wrong.
	KindSignatureMismatch
	// KindSkew: the request time is more than 15 minutes off the server's.
	KindSkew
	// KindPresignExpired: a presigned request is past X-Amz-Expires.
	KindPresignExpired
	// KindPresignNotYetValid: a presigned request's date is in the future.
	KindPresignNotYetValid
	// KindContentSHA256Mismatch: the body does not hash to the
	// x-amz-content-sha256 value.
	KindContentSHA256Mismatch
	// KindBadChunk: the aws-chunked framing is malformed or a chunk is
	// larger than MaxChunkSize.
	KindBadChunk
	// KindIncompleteBody: the body ended early or its decoded length
	// differs from x-amz-decoded-content-length.
	KindIncompleteBody
	// KindHeadersNotSigned: an x-amz-* header is present that the
	// signature does not cover (Error.HeadersNotSigned lists them).
	KindHeadersNotSigned
	// KindMissingContentSHA256: a header-signed S3 request lacks the
	// x-amz-content-sha256 header, so nothing binds its body.
	KindMissingContentSHA256
)

// String returns the kind's name, e.g. "SignatureMismatch".
func (k Kind) String() string {
	switch k {
	case KindMissingAuth:
		return "MissingAuth"
	case KindAmbiguousAuth:
		return "AmbiguousAuth"
	case KindUnsupportedAlgorithm:
		return "UnsupportedAlgorithm"
	case KindIncompleteSignature:
		return "IncompleteSignature"
	case KindMalformedHeader:
		return "MalformedHeader"
	case KindMalformedQuery:
		return "MalformedQuery"
	case KindMissingDate:
		return "MissingDate"
	case KindInvalidContentSHA256:
		return "InvalidContentSHA256"
	case KindSignatureMismatch:
		return "SignatureMismatch"
	case KindSkew:
		return "Skew"
	case KindPresignExpired:
		return "PresignExpired"
	case KindPresignNotYetValid:
		return "PresignNotYetValid"
	case KindContentSHA256Mismatch:
		return "ContentSHA256Mismatch"
	case KindBadChunk:
		return "BadChunk"
	case KindIncompleteBody:
		return "IncompleteBody"
	case KindHeadersNotSigned:
		return "HeadersNotSigned"
	case KindMissingContentSHA256:
		return "MissingContentSHA256"
	}
	return "Unknown"
}

// Error is the error every function of this package returns for a request
// that fails verification.
type Error struct {
	Kind    Kind
	Message string // AWS-style message, free of secrets
	// RequestTime and ServerTime are set for KindSkew, KindPresignExpired
	// and KindPresignNotYetValid.
	RequestTime, ServerTime time.Time
	// Expires is the presigned lifetime, set for KindPresignExpired.
	Expires time.Duration
	// HeadersNotSigned is set for KindHeadersNotSigned: the offending
	// header names, lower-cased, sorted and joined with ", " as S3 lists
	// them in its <HeadersNotSigned> element.
	HeadersNotSigned string
}

// Error returns "sigv4: <kind>: <message>".
func (e *Error) Error() string {
	return "sigv4: " + e.Kind.String() + ": " + e.Message
}

// KindOf returns the Kind of the *Error in err's chain, or 0 if there is none.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func newError(kind Kind, msg string) *Error {
	return &Error{Kind: kind, Message: msg}
}

const (
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgPresignParams = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, " +
		"X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	msgCredentialShape      = `expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`
	msgMissingDate          = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	msgHostUnsigned         = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgScopeDate            = "Invalid credential date. Date is not the same as X-Amz-Date."
	msgSigV2                = "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."
	msgHeadersNotSigned     = "There were headers present in the request which were not signed"
	msgMissingContentSHA256 = "Missing required header for this request: x-amz-content-sha256"
)

func signatureMismatch() *Error { return newError(KindSignatureMismatch, msgSignatureMismatch) }
