// Package sigv2 verifies AWS Signature Version 2 as Amazon S3 accepts it:
// the header form (Authorization: AWS AKID:signature) and the query-string
// form of presigned URLs (AWSAccessKeyId, Expires, Signature), both an
// HMAC-SHA1 over S3's string to sign.
//
// It is kept apart from package sigv4: the two schemes share nothing but
// the idea of an HMAC. As with sigv4, verification is two-phase so the
// server can look up the secret in between:
//
//	a, err := sigv2.Parse(r)        // nil, nil: not a SigV2 request
//	secret := lookup(a.AccessKeyID)
//	err = sigv2.Verify(r, a, secret, hostBucket, now)
//
// Every x-amz-* header the request carries (and, for a presigned URL,
// every x-amz-* query parameter) is part of the string to sign by
// construction, so none can be added to a signed request unnoticed. The
// query parameters that select an S3 operation (sub-resources) are part
// of the canonicalized resource, so a URL presigned for one operation
// cannot be turned into another by adding one.
package sigv2

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SignatureVersion is S3's s3:signatureversion value for SigV2 requests.
const SignatureVersion = "AWS"

// MaxSkew is how far the Date (or x-amz-date) of a header-signed request
// may be from the server's clock.
const MaxSkew = 15 * time.Minute

// maxEchoedInputBytes bounds client text echoed in an error.
const maxEchoedInputBytes = 256

// Auth holds a SigV2 request's authentication parameters, as read by
// Parse. It contains no secret.
type Auth struct {
	AccessKeyID string
	// SessionToken is x-amz-security-token (header, or query parameter of
	// a presigned URL); "" when absent.
	SessionToken string
	// Signature is the base64 signature as the client sent it.
	Signature string
	// Presigned is set for query-string authentication.
	Presigned bool
	// Expires is when a presigned URL stops working (zero for the header
	// form); expiresRaw is the parameter as it is signed.
	Expires    time.Time
	expiresRaw string
	// Date is the header form's signing time: x-amz-date, else Date.
	// dateRaw is the header as sent; dateLine is what the string to sign
	// carries on its Date line ("" when x-amz-date is given).
	Date              time.Time
	dateRaw, dateLine string
}

// AuthType is S3's s3:authType value for the request.
func (a *Auth) AuthType() string {
	if a.Presigned {
		return "REST-QUERY-STRING"
	}
	return "REST-HEADER"
}

// Parse reads the SigV2 parameters of r. It returns nil, nil when r is not
// a SigV2 request, and an *Error when it is one that is malformed, or mixes
// SigV2 with another authentication mechanism.
func Parse(r *http.Request) (*Auth, error) {
	header := strings.TrimSpace(r.Header.Get("Authorization"))
	headerV2 := strings.HasPrefix(header, "AWS ")
	var query queryParams
	if headerV2 || mayNameV2(r.URL.RawQuery) {
		query = parseQuery(r.URL.RawQuery)
	}
	queryV2 := query.has("AWSAccessKeyId") || query.has("Signature")
	queryV4 := query.has("X-Amz-Algorithm") || query.has("X-Amz-Credential") || query.has("X-Amz-Signature")
	switch {
	case !headerV2 && !queryV2:
		return nil, nil
	case queryV2 && (header != "" || queryV4), headerV2 && queryV4:
		return nil, &Error{Kind: KindAmbiguous, Message: msgAmbiguous, Header: clip(header)}
	case headerV2:
		return parseHeader(r, header)
	}
	return parsePresigned(r, query)
}

// mayNameV2 says whether a raw query can hold a SigV2 parameter: it names
// one, or escapes a name that might decode to one. Most requests' queries
// (SigV4 in the header, ?x-id=GetObject) need no splitting then.
func mayNameV2(raw string) bool {
	return strings.Contains(raw, "AWSAccessKeyId") || strings.Contains(raw, "Signature") || strings.IndexByte(raw, '%') >= 0
}

func parseHeader(r *http.Request, header string) (*Auth, error) {
	credential := strings.TrimSpace(strings.TrimPrefix(header, "AWS "))
	i := strings.LastIndexByte(credential, ':')
	if i <= 0 || i == len(credential)-1 {
		return nil, &Error{Kind: KindMalformedHeader, Message: msgMalformedHeader, Header: clip(header)}
	}
	a := &Auth{AccessKeyID: credential[:i], Signature: credential[i+1:],
		SessionToken: r.Header.Get("X-Amz-Security-Token")}
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		a.dateRaw = strings.TrimSpace(v)
	} else {
		a.dateRaw = strings.TrimSpace(r.Header.Get("Date"))
		a.dateLine = a.dateRaw
	}
	t, ok := parseDate(a.dateRaw)
	if !ok {
		return nil, &Error{Kind: KindMissingDate, Message: msgMissingDate}
	}
	a.Date = t.UTC()
	return a, nil
}

// dateFormats are the HTTP date forms SigV2 clients send: RFC 1123 with
// GMT (botocore's formatdate) or with a numeric zone (S3's own examples),
// RFC 850 and asctime.
var dateFormats = []string{http.TimeFormat, time.RFC1123Z, time.RFC1123, time.RFC850, time.ANSIC}

func parseDate(v string) (time.Time, bool) {
	for _, layout := range dateFormats {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parsePresigned(r *http.Request, query queryParams) (*Auth, error) {
	akid, _ := query.get("AWSAccessKeyId")
	signature, _ := query.get("Signature")
	expires, _ := query.get("Expires")
	if akid == "" || signature == "" || expires == "" {
		return nil, &Error{Kind: KindMissingQueryParams, Message: msgMissingQueryParams}
	}
	seconds, err := strconv.ParseInt(expires, 10, 64)
	if err != nil || seconds < 0 {
		return nil, &Error{Kind: KindBadExpires, Message: "Invalid date (should be seconds since epoch): " + clip(expires)}
	}
	a := &Auth{AccessKeyID: akid, Presigned: true, Expires: time.Unix(seconds, 0).UTC(), expiresRaw: expires,
		// A '+' left unencoded arrives as a space, which base64 never
		// contains: read it back as the '+' it was.
		Signature: strings.ReplaceAll(signature, " ", "+")}
	if a.SessionToken, _ = query.getFold("x-amz-security-token"); a.SessionToken == "" {
		a.SessionToken = r.Header.Get("X-Amz-Security-Token")
	}
	return a, nil
}

// CheckTime checks a's times against now: a presigned URL must not be past
// Expires; a header-signed request must be within MaxSkew of now.
func CheckTime(a *Auth, now time.Time) error {
	now = now.UTC()
	if a.Presigned {
		if now.After(a.Expires) {
			return &Error{Kind: KindExpired, Message: "Request has expired", Expires: a.Expires, ServerTime: now}
		}
		return nil
	}
	if a.Date.Before(now.Add(-MaxSkew)) || a.Date.After(now.Add(MaxSkew)) {
		return &Error{Kind: KindSkew, Message: msgSkew, RequestTime: clip(a.dateRaw), ServerTime: now}
	}
	return nil
}

// Verify checks a's times (CheckTime) and then the signature of r with
// the secret access key. hostBucket is the bucket named by a
// virtual-hosted Host ("" for path-style requests): S3's canonicalized
// resource names the bucket either way.
func Verify(r *http.Request, a *Auth, secret, hostBucket string, now time.Time) error {
	if err := CheckTime(a, now); err != nil {
		return err
	}
	candidates := stringsToSign(r, a, hostBucket)
	if provided, err := base64.StdEncoding.DecodeString(a.Signature); err == nil {
		for _, sts := range candidates {
			if hmac.Equal(provided, sign(secret, sts)) {
				return nil
			}
		}
	}
	return &Error{Kind: KindSignatureMismatch, Message: msgSignatureMismatch,
		AccessKeyID: a.AccessKeyID, StringToSign: candidates[0], SignatureProvided: clip(a.Signature)}
}

func sign(secret, stringToSign string) []byte {
	m := hmac.New(sha1.New, []byte(secret))
	m.Write([]byte(stringToSign))
	return m.Sum(nil)
}

// Sign returns the base64 SigV2 signature of stringToSign; tests and tools
// use it to make requests the way SigV2 clients do.
func Sign(secret, stringToSign string) string {
	return base64.StdEncoding.EncodeToString(sign(secret, stringToSign))
}

// clip shortens client-supplied text echoed in an error.
func clip(s string) string {
	if len(s) > maxEchoedInputBytes {
		return s[:maxEchoedInputBytes] + "..."
	}
	return s
}
