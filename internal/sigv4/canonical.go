package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// queryParam is one decoded name=value pair of a query string.
type queryParam struct{ name, value string }

type queryParams []queryParam

// parseQuery splits a raw query into decoded pairs, keeping duplicates
// and order. A component that does not decode is kept as sent.
func parseQuery(raw string) queryParams {
	if raw == "" {
		return nil // most header-signed requests: no query to split
	}
	var params queryParams
	for _, pair := range strings.Split(raw, "&") {
		if pair == "" {
			continue
		}
		name, value, _ := strings.Cut(pair, "=")
		params = append(params, queryParam{unescapeQuery(name), unescapeQuery(value)})
	}
	return params
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func (q queryParams) has(name string) bool {
	_, ok := q.get(name)
	return ok
}

// get returns the first value of name and whether name is present.
func (q queryParams) get(name string) (string, bool) {
	for _, p := range q {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// canonicalQuery encodes every pair per RFC 3986 and sorts by name then
// value; presigned requests leave out X-Amz-Signature.
func canonicalQuery(raw string, presigned bool) string {
	var pairs []queryParam
	for _, p := range parseQuery(raw) {
		if presigned && p.name == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, queryParam{uriEncode(p.name, false), uriEncode(p.value, false)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].name != pairs[j].name {
			return pairs[i].name < pairs[j].name
		}
		return pairs[i].value < pairs[j].value
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// uriEncode percent-encodes every byte outside A-Za-z0-9-_.~ with
// upper-case hex, leaving '/' alone when keepSlash is set.
func uriEncode(s string, keepSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || keepSlash && c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// requestPath returns the path exactly as the client sent it, still
// percent-encoded.
func requestPath(r *http.Request) string {
	var p string
	switch {
	case r.RequestURI != "" && r.RequestURI != "*":
		p = pathOfTarget(r.RequestURI)
	case r.URL.Opaque != "":
		p = pathOfOpaque(r.URL.Opaque)
	default:
		p = r.URL.EscapedPath()
	}
	if p == "" {
		return "/"
	}
	return p
}

// pathOfTarget returns the path of a server-side request target, either
// origin-form ("/path?query") or absolute-form ("http://host/path").
func pathOfTarget(target string) string {
	target, _, _ = strings.Cut(target, "?")
	if strings.HasPrefix(target, "/") {
		return target
	}
	if _, rest, ok := strings.Cut(target, "://"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:]
		}
		return "/"
	}
	return target
}

// pathOfOpaque returns the path of a client-side URL.Opaque in the
// "//host/path" form the AWS SDKs use to pre-escape a path.
func pathOfOpaque(opaque string) string {
	opaque, _, _ = strings.Cut(opaque, "?")
	if rest, ok := strings.CutPrefix(opaque, "//"); ok {
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return rest[i:]
		}
		return "/"
	}
	return opaque
}

// canonicalURIs returns the canonical URIs to try (one or two): S3 signs
// the path as sent; other services sign it normalized and encoded once
// more. For non-S3 services the un-normalized form is tried too, since
// some SDKs (aws-sdk-go-v2) skip normalization.
func canonicalURIs(r *http.Request, service string) ([2]string, int) {
	p := requestPath(r)
	if service == "s3" {
		return [2]string{p}, 1
	}
	if isPlainPath(p) {
		return [2]string{p}, 1 // normalizing and encoding leave it as it is
	}
	normalized := uriEncode(normalizePath(p), true)
	if raw := uriEncode(p, true); raw != normalized {
		return [2]string{normalized, raw}, 2
	}
	return [2]string{normalized}, 1
}

// isPlainPath reports whether p is its own normalized, encoded form: it
// starts with '/', holds only unreserved characters and slashes, and has
// no empty, "." or ".." segment (a trailing slash is kept by
// normalizePath, except on "/" itself, which is plain).
func isPlainPath(p string) bool {
	if p == "/" {
		return true
	}
	if len(p) == 0 || p[0] != '/' {
		return false
	}
	segStart := 1
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			if !isUnreserved(p[i]) {
				return false
			}
			continue
		}
		seg := p[segStart:i]
		if seg == "." || seg == ".." || (seg == "" && i < len(p)) {
			return false
		}
		segStart = i + 1
	}
	return true
}

// normalizePath removes "." and ".." segments and empty segments
// (duplicate slashes), keeping a leading and a trailing slash.
func normalizePath(p string) string {
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	joined := "/" + strings.Join(out, "/")
	if strings.HasSuffix(p, "/") && len(out) > 0 {
		joined += "/"
	}
	return joined
}

// canonicalHeaders returns "name:value\n" for each signed header.
func canonicalHeaders(r *http.Request, names []string) string {
	return string(appendCanonicalHeaders(nil, r, names))
}

func appendCanonicalHeaders(dst []byte, r *http.Request, names []string) []byte {
	for _, name := range names {
		dst = append(dst, name...)
		dst = append(dst, ':')
		dst = appendHeaderValue(dst, r, name)
		dst = append(dst, '\n')
	}
	return dst
}

// headerValue joins the header's values with ",", each trimmed and with
// inner runs of white space collapsed. Host, Content-Length and
// Transfer-Encoding, which net/http moves out of r.Header, are read from
// the request fields.
func headerValue(r *http.Request, name string) string {
	return string(appendHeaderValue(nil, r, name))
}

func appendHeaderValue(dst []byte, r *http.Request, name string) []byte {
	if v, ok := promotedHeader(r, name); ok {
		return appendCollapsed(dst, v)
	}
	values := promotedHeaders(r, name)
	if values == nil {
		values = headerValues(r.Header, name)
	}
	for i, v := range values {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCollapsed(dst, v)
	}
	return dst
}

// appendCollapsed appends strings.Join(strings.Fields(v), " ") without
// allocating.
func appendCollapsed(dst []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		if v[i] >= utf8.RuneSelf {
			return append(dst, strings.Join(strings.Fields(v), " ")...)
		}
	}
	first := true
	for len(v) > 0 {
		start := 0
		for start < len(v) && isFieldSpace(v[start]) {
			start++
		}
		v = v[start:]
		if v == "" {
			break
		}
		end := 0
		for end < len(v) && !isFieldSpace(v[end]) {
			end++
		}
		if !first {
			dst = append(dst, ' ')
		}
		dst = append(dst, v[:end]...)
		first = false
		v = v[end:]
	}
	return dst
}

// isFieldSpace is strings.Fields' notion of white space for ASCII; a value
// with non-ASCII white space takes the general path.
func isFieldSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// headerValues looks name up case-insensitively, including keys that
// net/http could not canonicalize.
func headerValues(h http.Header, name string) []string {
	var buf [64]byte
	if key, ok := appendCanonicalKey(buf[:0], name); ok {
		if values, ok := h[string(key)]; ok { // indexing by string(bytes) does not allocate
			return values
		}
	} else if values, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return values
	}
	for key, values := range h {
		if strings.EqualFold(key, name) {
			return values
		}
	}
	return nil
}

// appendCanonicalKey appends textproto.CanonicalMIMEHeaderKey(name) for a
// name of letters, digits and hyphens that fits in dst's capacity; ok is
// false for any other name, which CanonicalMIMEHeaderKey itself must
// handle.
func appendCanonicalKey(dst []byte, name string) ([]byte, bool) {
	if name == "" || len(name) > cap(dst)-len(dst) {
		return dst, false
	}
	upper := true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z':
			if upper {
				c -= 'a' - 'A'
			}
		case 'A' <= c && c <= 'Z':
			if !upper {
				c += 'a' - 'A'
			}
		case '0' <= c && c <= '9', c == '-':
		default:
			return dst, false
		}
		dst = append(dst, c)
		upper = c == '-'
	}
	return dst, true
}

// promotedHeader returns the single value of Host, or of a Content-Length
// that net/http moved out of r.Header.
func promotedHeader(r *http.Request, name string) (string, bool) {
	switch name {
	case "host":
		if r.Host != "" {
			return r.Host, true
		}
		return r.URL.Host, true
	case "content-length":
		if _, sent := r.Header["Content-Length"]; !sent && r.ContentLength > 0 {
			return strconv.FormatInt(r.ContentLength, 10), true
		}
	}
	return "", false
}

// promotedHeaders returns the Transfer-Encoding that net/http moved out of
// r.Header.
func promotedHeaders(r *http.Request, name string) []string {
	if name == "transfer-encoding" {
		if _, sent := r.Header["Transfer-Encoding"]; !sent {
			return r.TransferEncoding
		}
	}
	return nil
}

// canonicalRequest builds the canonical request for one candidate URI and
// payload hash.
func canonicalRequest(r *http.Request, a *Auth, uri, payloadHash string) string {
	return string(appendCanonicalRequest(nil, r, a, uri, payloadHash))
}

func appendCanonicalRequest(dst []byte, r *http.Request, a *Auth, uri, payloadHash string) []byte {
	dst = append(dst, r.Method...)
	dst = append(dst, '\n')
	dst = append(dst, uri...)
	dst = append(dst, '\n')
	if r.URL.RawQuery != "" {
		dst = append(dst, canonicalQuery(r.URL.RawQuery, a.Presigned)...)
	}
	dst = append(dst, '\n')
	dst = appendCanonicalHeaders(dst, r, a.SignedHeaders)
	dst = append(dst, '\n')
	for i, h := range a.SignedHeaders {
		if i > 0 {
			dst = append(dst, ';')
		}
		dst = append(dst, h...)
	}
	dst = append(dst, '\n')
	return append(dst, payloadHash...)
}

func stringToSign(a *Auth, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + a.amzDate + "\n" + a.Scope() + "\n" + hex.EncodeToString(sum[:])
}

// appendStringToSign appends the string to sign of a canonical request.
func appendStringToSign(dst []byte, a *Auth, canonical []byte) []byte {
	sum := sha256.Sum256(canonical)
	dst = append(dst, Algorithm...)
	dst = append(dst, '\n')
	dst = append(dst, a.amzDate...)
	dst = append(dst, '\n')
	dst = append(dst, a.scopeDate()...)
	dst = append(dst, '/')
	dst = append(dst, a.Region...)
	dst = append(dst, '/')
	dst = append(dst, a.Service...)
	dst = append(dst, '/')
	dst = append(dst, scopeTerminator...)
	dst = append(dst, '\n')
	return hex.AppendEncode(dst, sum[:])
}
