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
)

// queryParam is one decoded name=value pair of a query string.
type queryParam struct{ name, value string }

type queryParams []queryParam

// parseQuery splits a raw query into decoded pairs, keeping duplicates
// and order. A component that does not decode is kept as sent.
func parseQuery(raw string) queryParams {
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

// canonicalURIs returns the canonical URI to try: S3 signs the path as
// sent; other services sign it normalized and encoded once more. For
// non-S3 services the un-normalized form is tried too, since some SDKs
// (aws-sdk-go-v2) skip normalization.
func canonicalURIs(r *http.Request, service string) []string {
	p := requestPath(r)
	if service == "s3" {
		return []string{p}
	}
	normalized := uriEncode(normalizePath(p), true)
	if raw := uriEncode(p, true); raw != normalized {
		return []string{normalized, raw}
	}
	return []string{normalized}
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
	var b strings.Builder
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	return b.String()
}

// headerValue joins the header's values with ",", each trimmed and with
// inner runs of white space collapsed. Host, Content-Length and
// Transfer-Encoding, which net/http moves out of r.Header, are read from
// the request fields.
func headerValue(r *http.Request, name string) string {
	values := promotedHeader(r, name)
	if values == nil {
		values = headerValues(r.Header, name)
	}
	cleaned := make([]string, len(values))
	for i, v := range values {
		cleaned[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(cleaned, ",")
}

// headerValues looks name up case-insensitively, including keys that
// net/http could not canonicalize.
func headerValues(h http.Header, name string) []string {
	if values, ok := h[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return values
	}
	for key, values := range h {
		if strings.EqualFold(key, name) {
			return values
		}
	}
	return nil
}

func promotedHeader(r *http.Request, name string) []string {
	switch name {
	case "host":
		if r.Host != "" {
			return []string{r.Host}
		}
		return []string{r.URL.Host}
	case "content-length":
		if _, sent := r.Header["Content-Length"]; !sent && r.ContentLength > 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		if _, sent := r.Header["Transfer-Encoding"]; !sent {
			return r.TransferEncoding
		}
	}
	return nil
}

// canonicalRequest builds the canonical request for one candidate URI and
// payload hash.
func canonicalRequest(r *http.Request, a *Auth, uri, payloadHash string) string {
	return strings.Join([]string{
		r.Method,
		uri,
		canonicalQuery(r.URL.RawQuery, a.Presigned),
		canonicalHeaders(r, a.SignedHeaders),
		strings.Join(a.SignedHeaders, ";"),
		payloadHash,
	}, "\n")
}

func stringToSign(a *Auth, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + a.amzDate + "\n" + a.Scope() + "\n" + hex.EncodeToString(sum[:])
}
