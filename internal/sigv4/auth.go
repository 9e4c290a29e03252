package sigv4

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm this package accepts.
const Algorithm = "AWS4-HMAC-SHA256"

// Values of the x-amz-content-sha256 header that are not a hex SHA-256.
const (
	UnsignedPayload                 = "UNSIGNED-PAYLOAD"
	StreamingSignedPayload          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingSignedPayloadTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// EmptyPayloadHash is the hex SHA-256 of an empty body.
const EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

const (
	amzDateFormat       = "20060102T150405Z"
	scopeTerminator     = "aws4_request"
	defaultPresignLife  = 15 * time.Minute
	maxPresignLife      = 604800 // seconds: one week
	maxEchoedInputBytes = 64
)

// Auth holds a request's authentication parameters, as read by Parse. It
// contains no secret.
type Auth struct {
	// AccessKeyID is the first part of the credential scope.
	AccessKeyID string
	// SessionToken comes from the X-Amz-Security-Token header or, for
	// presigned requests, query parameter; "" when absent.
	SessionToken string
	// Date is the signing time (X-Amz-Date, or the Date header).
	Date time.Time
	// Region and Service come from the credential scope; the server routes
	// on Service and checks that it serves Region.
	Region, Service string
	// SignedHeaders are the lower-cased names from SignedHeaders or
	// X-Amz-SignedHeaders, in the order given.
	SignedHeaders []string
	// Signature is the client's signature, lower-cased.
	Signature string
	// Presigned is set for query-string (presigned URL) authentication.
	Presigned bool
	// Expires is the presigned lifetime (X-Amz-Expires); 15 minutes when a
	// non-S3 presigned request omits it. Zero for header auth.
	Expires time.Duration
	// PayloadHash is the x-amz-content-sha256 header ("" if absent).
	PayloadHash string
	// DecodedContentLength is x-amz-decoded-content-length for streaming
	// payloads, -1 when absent.
	DecodedContentLength int64

	amzDate string // the timestamp as it appears in the string to sign
}

// Scope returns the credential scope "yyyymmdd/region/service/aws4_request".
func (a *Auth) Scope() string {
	return a.scopeDate() + "/" + a.Region + "/" + a.Service + "/" + scopeTerminator
}

func (a *Auth) scopeDate() string {
	if len(a.amzDate) < 8 {
		return a.amzDate
	}
	return a.amzDate[:8]
}

// Streaming reports whether the body is aws-chunked, i.e. whether it must
// be read through NewChunkedReader.
func (a *Auth) Streaming() bool {
	switch a.PayloadHash {
	case StreamingSignedPayload, StreamingSignedPayloadTrailer, StreamingUnsignedPayloadTrailer:
		return true
	}
	return false
}

func (a *Auth) signs(header string) bool {
	for _, h := range a.SignedHeaders {
		if h == header {
			return true
		}
	}
	return false
}

// Parse extracts the authentication parameters of r, from its
// Authorization header or its presigned query, without needing a secret.
// It checks their syntax only; Verify checks times and the signature.
func (v *Verifier) Parse(r *http.Request) (*Auth, error) {
	a, err := parseScheme(r)
	if err != nil {
		return nil, err
	}
	if err := a.readPayloadHeaders(r); err != nil {
		return nil, err
	}
	return a, nil
}

// parseScheme picks header or presigned-query authentication.
func parseScheme(r *http.Request) (*Auth, error) {
	params := parseQuery(r.URL.RawQuery)
	header := strings.TrimSpace(r.Header.Get("Authorization"))
	presigned := params.has("X-Amz-Algorithm") || params.has("X-Amz-Credential") || params.has("X-Amz-Signature")
	switch {
	case header != "" && presigned:
		return nil, newError(KindAmbiguousAuth, "Only one auth mechanism allowed; only the X-Amz-Algorithm query "+
			"parameter, Signature query string parameter or the Authorization header should be specified")
	case presigned:
		return parsePresigned(r, params)
	case header != "":
		return parseHeader(r, header)
	case params.has("AWSAccessKeyId") && params.has("Signature"):
		return nil, newError(KindUnsupportedAlgorithm, msgSigV2)
	}
	return nil, newError(KindMissingAuth, "Request is missing Authentication Token")
}

func parseHeader(r *http.Request, header string) (*Auth, error) {
	algorithm, rest := header, ""
	if i := strings.IndexAny(header, " \t"); i >= 0 {
		algorithm, rest = header[:i], header[i+1:]
	}
	if algorithm == "AWS" {
		return nil, newError(KindUnsupportedAlgorithm, msgSigV2)
	}
	if algorithm != Algorithm {
		return nil, newError(KindUnsupportedAlgorithm,
			fmt.Sprintf("Unsupported AWS 'algorithm': '%s'.", clip(algorithm)))
	}
	fields := parseAuthFields(rest)
	amzDate, date, dateErr := headerDate(r)
	if err := checkComplete(fields, dateErr); err != nil {
		return nil, err
	}
	a := &Auth{Date: date, amzDate: amzDate, Signature: strings.ToLower(fields.signature)}
	if !a.setCredential(fields.credential) {
		return nil, newError(KindMalformedHeader,
			"The authorization header is malformed; the Credential is mal-formed; "+msgCredentialShape)
	}
	if scopeDate := credentialDate(fields.credential); scopeDate != amzDate[:8] {
		return nil, newError(KindMalformedHeader, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD "+
			"from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.", scopeDate, amzDate[:8], amzDate))
	}
	if !a.setSignedHeaders(fields.signedHeaders) {
		return nil, newError(KindSignatureMismatch, msgHostUnsigned)
	}
	a.SessionToken = r.Header.Get("X-Amz-Security-Token")
	return a, nil
}

// authFields are the Authorization header's three fields ("" when absent).
type authFields struct{ credential, signedHeaders, signature string }

// parseAuthFields splits "Credential=..., SignedHeaders=..., Signature=..."
// tolerating any mix of commas and white space between the fields. The
// first occurrence of a field counts; unknown fields are ignored.
//
// The separators are ASCII, which no byte of a multi-byte UTF-8 sequence
// is, so the fields are split byte by byte (as strings.FieldsFunc would
// split them rune by rune).
func parseAuthFields(s string) authFields {
	var f authFields
	var seenCredential, seenSignedHeaders, seenSignature bool
	for s != "" {
		i := 0
		for i < len(s) && isAuthSeparator(s[i]) {
			i++
		}
		s = s[i:]
		i = 0
		for i < len(s) && !isAuthSeparator(s[i]) {
			i++
		}
		field := s[:i]
		s = s[i:]
		name, value, ok := strings.Cut(field, "=")
		if !ok {
			continue
		}
		switch name {
		case "Credential":
			if !seenCredential {
				f.credential, seenCredential = value, true
			}
		case "SignedHeaders":
			if !seenSignedHeaders {
				f.signedHeaders, seenSignedHeaders = value, true
			}
		case "Signature":
			if !seenSignature {
				f.signature, seenSignature = value, true
			}
		}
	}
	return f
}

func isAuthSeparator(c byte) bool { return c == ',' || c == ' ' || c == '\t' }

func checkComplete(fields authFields, dateErr *Error) error {
	var missing []string
	for _, field := range [...]struct{ name, value string }{
		{"Credential", fields.credential}, {"Signature", fields.signature}, {"SignedHeaders", fields.signedHeaders},
	} {
		if field.value == "" {
			missing = append(missing, "Authorization header requires '"+field.name+"' parameter.")
		}
	}
	if len(missing) == 0 {
		if dateErr != nil {
			return dateErr
		}
		return nil
	}
	if dateErr != nil {
		missing = append(missing, msgMissingDate)
	}
	return newError(KindIncompleteSignature, strings.Join(missing, " "))
}

// headerDate returns the signing time from X-Amz-Date or, failing that,
// the Date header.
func headerDate(r *http.Request) (string, time.Time, *Error) {
	if v := r.Header.Get("X-Amz-Date"); v != "" {
		t, err := parseAmzDate(v)
		if err != nil {
			return "", time.Time{}, newError(KindMissingDate,
				fmt.Sprintf("Date must be in ISO-8601 'basic format'. Got '%s'.", clip(v)))
		}
		return v, t, nil
	}
	if v := r.Header.Get("Date"); v != "" {
		if t, err := http.ParseTime(v); err == nil {
			return t.UTC().Format(amzDateFormat), t.UTC(), nil
		}
	}
	return "", time.Time{}, newError(KindMissingDate, msgMissingDate)
}

// parseAmzDate is time.Parse(amzDateFormat, v), read directly when v is
// a valid yyyymmddThhmmssZ (what clients send) and by time.Parse
// otherwise, whose result and error are then the answer (it also accepts
// forms such as fractional seconds). FuzzParseAmzDate pins the two
// together.
func parseAmzDate(v string) (time.Time, error) {
	if t, ok := readAmzDate(v); ok {
		return t, nil
	}
	return time.Parse(amzDateFormat, v)
}

// readAmzDate reads a valid yyyymmddThhmmssZ, in UTC.
func readAmzDate(v string) (time.Time, bool) {
	if len(v) != len(amzDateFormat) || v[8] != 'T' || v[15] != 'Z' {
		return time.Time{}, false
	}
	num := func(s string) (int, bool) {
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	year, ok1 := num(v[0:4])
	month, ok2 := num(v[4:6])
	day, ok3 := num(v[6:8])
	hour, ok4 := num(v[9:11])
	minute, ok5 := num(v[11:13])
	second, ok6 := num(v[13:15])
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 ||
		month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, second, 0, time.UTC)
	if t.Day() != day { // past the month's end: time.Parse's range error
		return time.Time{}, false
	}
	return t, true
}

func parsePresigned(r *http.Request, params queryParams) (*Auth, error) {
	for _, name := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders"} {
		if v, _ := params.get(name); v == "" {
			return nil, newError(KindMalformedQuery, msgPresignParams)
		}
	}
	if v, _ := params.get("X-Amz-Algorithm"); v != Algorithm {
		return nil, newError(KindMalformedQuery, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	a := &Auth{Presigned: true}
	credential, _ := params.get("X-Amz-Credential")
	if !a.setCredential(credential) {
		return nil, newError(KindMalformedQuery,
			"Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "+msgCredentialShape)
	}
	if err := a.setPresignDates(params, credentialDate(credential)); err != nil {
		return nil, err
	}
	signedHeaders, _ := params.get("X-Amz-SignedHeaders")
	if !a.setSignedHeaders(signedHeaders) {
		return nil, newError(KindSignatureMismatch, msgHostUnsigned)
	}
	signature, _ := params.get("X-Amz-Signature")
	a.Signature = strings.ToLower(signature)
	if a.SessionToken, _ = params.get("X-Amz-Security-Token"); a.SessionToken == "" {
		a.SessionToken = r.Header.Get("X-Amz-Security-Token")
	}
	return a, nil
}

func (a *Auth) setPresignDates(params queryParams, scopeDate string) error {
	amzDate, _ := params.get("X-Amz-Date")
	t, err := parseAmzDate(amzDate)
	if err != nil {
		return newError(KindMalformedQuery, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	if scopeDate != amzDate[:8] {
		return newError(KindMalformedQuery, msgScopeDate)
	}
	a.Date, a.amzDate = t, amzDate
	expires, present := params.get("X-Amz-Expires")
	if !present {
		if a.Service == "s3" {
			return newError(KindMalformedQuery, msgPresignParams)
		}
		a.Expires = defaultPresignLife
		return nil
	}
	seconds, err := parseExpires(expires)
	a.Expires = time.Duration(seconds) * time.Second
	return err
}

func parseExpires(v string) (int64, error) {
	seconds, err := strconv.ParseInt(v, 10, 64)
	switch {
	case err != nil:
		return 0, newError(KindMalformedQuery, "X-Amz-Expires should be a number")
	case seconds < 0:
		return 0, newError(KindMalformedQuery, "X-Amz-Expires must be non-negative")
	case seconds == 0:
		return 0, newError(KindMalformedQuery, "X-Amz-Expires must be at least 1 second")
	case seconds > maxPresignLife:
		return 0, newError(KindMalformedQuery, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	return seconds, nil
}

// setCredential fills the access key, region and service from
// "AKID/yyyymmdd/region/service/aws4_request" and reports whether the
// credential had that shape.
func (a *Auth) setCredential(credential string) bool {
	// The last four parts are fixed; the access key (before them) may
	// itself hold slashes.
	rest := credential
	var parts [4]string
	for i := 3; i >= 0; i-- {
		j := strings.LastIndexByte(rest, '/')
		if j < 0 {
			return false
		}
		parts[i], rest = rest[j+1:], rest[:j]
	}
	akid := rest
	date, region, service, terminator := parts[0], parts[1], parts[2], parts[3]
	if akid == "" || !isDigits(date, 8) || region == "" || service == "" || terminator != scopeTerminator {
		return false
	}
	a.AccessKeyID, a.Region, a.Service = akid, region, service
	return true
}

// credentialDate returns the yyyymmdd part of a credential that
// setCredential accepted.
func credentialDate(credential string) string {
	rest := credential
	for range 3 {
		rest = rest[:strings.LastIndexByte(rest, '/')]
	}
	return rest[strings.LastIndexByte(rest, '/')+1:]
}

// setSignedHeaders records the signed header names and reports whether
// host is among them.
func (a *Auth) setSignedHeaders(list string) bool {
	a.SignedHeaders = make([]string, 0, strings.Count(list, ";")+1)
	for name := range strings.SplitSeq(list, ";") {
		if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
			a.SignedHeaders = append(a.SignedHeaders, name)
		}
	}
	return a.signs("host")
}

func (a *Auth) readPayloadHeaders(r *http.Request) error {
	a.PayloadHash = r.Header.Get("X-Amz-Content-Sha256")
	a.DecodedContentLength = -1
	if a.Service == "s3" && a.PayloadHash != "" && !validPayloadHash(a.PayloadHash) {
		return newError(KindInvalidContentSHA256, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "+
			"STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "+
			"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
	}
	if a.Service == "s3" && !a.Presigned && a.PayloadHash == "" {
		// Without the header nothing binds the body to the signature; S3
		// requires it on every header-signed request, GETs included.
		return newError(KindMissingContentSHA256, msgMissingContentSHA256)
	}
	v := r.Header.Get("X-Amz-Decoded-Content-Length")
	if !a.Streaming() || v == "" {
		return nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return newError(KindBadChunk, "Invalid x-amz-decoded-content-length header")
	}
	a.DecodedContentLength = n
	return nil
}

func validPayloadHash(v string) bool {
	switch v {
	case UnsignedPayload, StreamingSignedPayload, StreamingSignedPayloadTrailer, StreamingUnsignedPayloadTrailer:
		return true
	}
	return isHexHash(v)
}

func isHexHash(v string) bool {
	if len(v) != 64 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens client-supplied text echoed in an error message.
func clip(s string) string {
	if len(s) > maxEchoedInputBytes {
		return s[:maxEchoedInputBytes] + "..."
	}
	return s
}
