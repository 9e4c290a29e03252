package sigv4

import (
	"net/http"
	"sort"
	"strings"
)

// amzPrefix starts the names of the headers AWS requires to be signed.
// X-Amzn-Trace-Id does not match it: the SDKs leave it unsigned on purpose.
const amzPrefix = "x-amz-"

// checkAmzHeadersSigned refuses a request carrying an x-amz-* header that
// its signature does not cover. Such headers change what a request does
// (x-amz-copy-source turns a PUT into a copy, x-amz-tagging and
// x-amz-meta-* add to what is stored), so obeying an unsigned one lets
// whoever holds a presigned URL or a captured request run another
// operation with the signer's rights. AWS answers AccessDenied,
// HeadersNotSigned.
//
// The one exemption, as in S3, is x-amz-content-sha256: for header
// authentication its value is the payload line of the canonical request,
// so the signature covers it anyway; for a presigned request the signed
// payload is UNSIGNED-PAYLOAD and the header can only narrow what body is
// accepted (a hex value must match the body). Headers sent as query
// parameters are part of the canonical query and need no check.
//
// The common case (every x-amz-* header signed) does not allocate.
func (a *Auth) checkAmzHeadersSigned(h http.Header) error {
	var unsigned []string
	for name := range h {
		if !hasAmzPrefix(name) || strings.EqualFold(name, "x-amz-content-sha256") || a.signsFold(name) {
			continue
		}
		unsigned = append(unsigned, strings.ToLower(name))
	}
	if unsigned == nil {
		return nil
	}
	sort.Strings(unsigned)
	return &Error{Kind: KindHeadersNotSigned, Message: msgHeadersNotSigned, HeadersNotSigned: strings.Join(unsigned, ", ")}
}

func hasAmzPrefix(name string) bool {
	return len(name) >= len(amzPrefix) && strings.EqualFold(name[:len(amzPrefix)], amzPrefix)
}

// signsFold reports whether name, in any case, is a signed header.
func (a *Auth) signsFold(name string) bool {
	for _, h := range a.SignedHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}
