package sigv2

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind classifies a SigV2 failure. The S3 error each maps to:
//
//	KindAmbiguous           400 InvalidArgument (SigV2 mixed with another mechanism)
//	KindMalformedHeader     400 InvalidArgument ("Expected AwsAccessKeyId:signature")
//	KindMissingQueryParams  403 AccessDenied
//	KindBadExpires          403 AccessDenied
//	KindMissingDate         403 AccessDenied
//	KindSkew                403 RequestTimeTooSkewed
//	KindExpired             403 AccessDenied ("Request has expired")
//	KindSignatureMismatch   403 SignatureDoesNotMatch (+ StringToSign, ...)
type Kind int

// The kinds of SigV2 failure.
const (
	KindAmbiguous Kind = iota + 1
	KindMalformedHeader
	KindMissingQueryParams
	KindBadExpires
	KindMissingDate
	KindSkew
	KindExpired
	KindSignatureMismatch
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindAmbiguous:
		return "Ambiguous"
	case KindMalformedHeader:
		return "MalformedHeader"
	case KindMissingQueryParams:
		return "MissingQueryParams"
	case KindBadExpires:
		return "BadExpires"
	case KindMissingDate:
		return "MissingDate"
	case KindSkew:
		return "Skew"
	case KindExpired:
		return "Expired"
	case KindSignatureMismatch:
		return "SignatureMismatch"
	}
	return "Unknown"
}

// Error is a SigV2 verification failure, with the details S3 puts in its
// error document. It never holds a secret.
type Error struct {
	Kind    Kind
	Message string // S3's message
	// Header is the Authorization header, for KindAmbiguous and
	// KindMalformedHeader (S3's ArgumentValue).
	Header string
	// RequestTime (as sent) and ServerTime, for KindSkew.
	RequestTime string
	ServerTime  time.Time
	// Expires, for KindExpired (with ServerTime).
	Expires time.Time
	// For KindSignatureMismatch: what S3 echoes so a client can compare
	// its string to sign with the server's.
	AccessKeyID, StringToSign, SignatureProvided string
}

// Error returns "sigv2: <kind>: <message>".
func (e *Error) Error() string { return "sigv2: " + e.Kind.String() + ": " + e.Message }

// KindOf returns the Kind of the *Error in err's chain, or 0.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

// StringToSignBytes is S3's <StringToSignBytes>: the string to sign as
// space-separated hex bytes.
func (e *Error) StringToSignBytes() string {
	parts := make([]string, len(e.StringToSign))
	for i := 0; i < len(e.StringToSign); i++ {
		parts[i] = fmt.Sprintf("%02x", e.StringToSign[i])
	}
	return strings.Join(parts, " ")
}

const (
	msgAmbiguous = "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, " +
		"Signature query string parameter or the Authorization header should be specified"
	msgMalformedHeader    = "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"
	msgMissingQueryParams = "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"
	msgMissingDate        = "AWS authentication requires a valid Date or x-amz-date header"
	msgSkew               = "The difference between the request time and the current time is too large."
	msgSignatureMismatch  = "The request signature we calculated does not match the signature you provided. " +
		"Check your key and signing method."
)
