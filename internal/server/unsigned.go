package server

import (
	"net/http"

	"github.com/sekisho/sekisho/internal/sigv4"
)

// unsignedRegion is the region of a call that carries no credential
// scope: STS's global endpoint answers it, as AWS's does.
const unsignedRegion = "us-east-1"

// unsignedQueryService is the front door's table of the Query operations
// AWS serves without a signature: it returns the service that answers
// action when the request carries none, and "" for every operation that
// must be signed. The caller of such a call is the token or assertion in
// its parameters, which the service itself verifies.
func unsignedQueryService(action string) string {
	switch action {
	case "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML":
		return "sts"
	}
	return ""
}

// isUnsignedQueryGet recognizes an unsigned Query call sent as a GET of
// "/" with its parameters in the URL (AWS documents this form for
// AssumeRoleWithWebIdentity). Any other unsigned GET stays S3's.
func isUnsignedQueryGet(r *http.Request) bool {
	if r.Method != http.MethodGet || r.URL.Path != "/" {
		return false
	}
	q := r.URL.Query()
	return q.Has("Action") && unsignedQueryService(q.Get("Action")) != "" && !q.Has("Signature") && !q.Has("AWSAccessKeyId")
}

// servesUnsigned reports whether a Query call that failed authentication
// only because it carries no authentication at all may go on unsigned.
// A malformed or wrong signature is never ignored, whatever the action.
func servesUnsigned(authErr error, action string) bool {
	return sigv4.KindOf(authErr) == sigv4.KindMissingAuth && unsignedQueryService(action) != ""
}
