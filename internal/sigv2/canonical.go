package sigv2

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// subResources are the query parameters that belong to S3's
// CanonicalizedResource. The list is S3's documented one (acl, lifecycle,
// location, logging, notification, partNumber, policy, requestPayment,
// torrent, uploadId, uploads, versionId, versioning, versions, website),
// the response-* overrides, and the others SigV2 clients sign (botocore's
// HmacV1Auth list: delete, cors, tagging, restore, ...). It also holds every
// other parameter that selects an S3 operation (encryption,
// ownershipControls, retention, ...): a signature over a URL without it
// then cannot be reused for the operation it selects.
var subResources = map[string]bool{
	"accelerate": true, "acl": true, "analytics": true, "attributes": true, "cors": true,
	"defaultObjectAcl": true, "delete": true, "encryption": true, "intelligent-tiering": true,
	"inventory": true, "legal-hold": true, "lifecycle": true, "location": true, "logging": true,
	"metrics": true, "notification": true, "object-lock": true, "ownershipControls": true,
	"partNumber": true, "policy": true, "policyStatus": true, "publicAccessBlock": true,
	"replication": true, "requestPayment": true, "restore": true, "retention": true,
	"select": true, "select-type": true, "storageClass": true, "tagging": true, "torrent": true,
	"uploadId": true, "uploads": true, "versionId": true, "versioning": true, "versions": true, "website": true,
	"response-cache-control": true, "response-content-disposition": true, "response-content-encoding": true,
	"response-content-language": true, "response-content-type": true, "response-expires": true,
}

// StringToSign builds S3's SigV2 string to sign for r:
//
//	Method \n Content-MD5 \n Content-Type \n Date \n CanonicalizedAmzHeaders CanonicalizedResource
//
// Date is the Date header, "" when x-amz-date is given, or Expires for a
// presigned URL. hostBucket is the bucket of a virtual-hosted Host, ""
// for path-style requests.
func StringToSign(r *http.Request, a *Auth, hostBucket string) string {
	return stringToSign(r, a, hostBucket, rawPath(r))
}

// stringsToSign lists the strings to sign a client may have used: the
// path as sent and, for a path-style bucket-level request ("/bucket"),
// also "/bucket/", which botocore signs for it. Both name the same
// resource.
func stringsToSign(r *http.Request, a *Auth, hostBucket string) []string {
	path := rawPath(r)
	sts := []string{stringToSign(r, a, hostBucket, path)}
	if hostBucket == "" && len(path) > 1 && strings.LastIndexByte(path, '/') == 0 {
		sts = append(sts, stringToSign(r, a, hostBucket, path+"/"))
	}
	return sts
}

func stringToSign(r *http.Request, a *Auth, hostBucket, path string) string {
	query := parseQuery(r.URL.RawQuery)
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(standardHeader(r, a, query, "Content-MD5"))
	b.WriteByte('\n')
	b.WriteString(standardHeader(r, a, query, "Content-Type"))
	b.WriteByte('\n')
	if a.Presigned {
		b.WriteString(a.expiresRaw)
	} else {
		b.WriteString(a.dateLine)
	}
	b.WriteByte('\n')
	writeAmzHeaders(&b, r, a, query)
	writeResource(&b, path, query, hostBucket)
	return b.String()
}

// standardHeader is a header's value; a presigned URL may carry it as a
// query parameter instead (botocore moves Content-Type and Content-MD5
// there), which counts when the header is absent.
func standardHeader(r *http.Request, a *Auth, query queryParams, name string) string {
	if v := r.Header.Values(name); len(v) > 0 {
		return strings.TrimSpace(v[0])
	}
	if a.Presigned {
		v, _ := query.get(strings.ToLower(name))
		return strings.TrimSpace(v)
	}
	return ""
}

// writeAmzHeaders writes CanonicalizedAmzHeaders: every x-amz-* header,
// lower-cased and sorted, values trimmed and joined with commas, one
// "name:value\n" each. A presigned URL's x-amz-* query parameters count as
// headers of that name.
func writeAmzHeaders(b *strings.Builder, r *http.Request, a *Auth, query queryParams) {
	values := map[string][]string{}
	for name, vs := range r.Header {
		if lower := strings.ToLower(name); strings.HasPrefix(lower, "x-amz-") {
			for _, v := range vs {
				values[lower] = append(values[lower], strings.TrimSpace(v))
			}
		}
	}
	if a.Presigned {
		for _, p := range query {
			if lower := strings.ToLower(p.name); strings.HasPrefix(lower, "x-amz-") {
				values[lower] = append(values[lower], strings.TrimSpace(p.value()))
			}
		}
	}
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(values[name], ","))
		b.WriteByte('\n')
	}
}

// writeResource writes CanonicalizedResource: "/bucket" for a
// virtual-hosted request, the path as sent, then the sub-resources sorted
// by name ("?acl", "?partNumber=2&uploadId=x"), values decoded.
func writeResource(b *strings.Builder, path string, query queryParams, hostBucket string) {
	if hostBucket != "" {
		b.WriteByte('/')
		b.WriteString(hostBucket)
	}
	b.WriteString(path)
	var subs []queryParam
	for _, p := range query {
		if subResources[p.name] {
			subs = append(subs, p)
		}
	}
	slices.SortStableFunc(subs, func(x, y queryParam) int { return strings.Compare(x.name, y.name) })
	for i, p := range subs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(p.name)
		if p.hasValue {
			b.WriteByte('=')
			v, err := url.PathUnescape(p.raw)
			if err != nil {
				v = p.raw
			}
			b.WriteString(v)
		}
	}
}

// rawPath is the request path exactly as the client sent (and signed) it.
func rawPath(r *http.Request) string {
	if uri := r.RequestURI; strings.HasPrefix(uri, "/") {
		path, _, _ := strings.Cut(uri, "?")
		return path
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// queryParam is one name[=value] of a raw query string.
type queryParam struct {
	name     string // decoded
	raw      string // the value as sent
	hasValue bool   // "acl=" and "acl" sign differently
}

func (p queryParam) value() string {
	v, err := url.QueryUnescape(p.raw)
	if err != nil {
		return p.raw
	}
	return v
}

type queryParams []queryParam

func parseQuery(raw string) queryParams {
	var params queryParams
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		name, value, hasValue := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		params = append(params, queryParam{name: name, raw: value, hasValue: hasValue})
	}
	return params
}

func (q queryParams) has(name string) bool {
	_, ok := q.get(name)
	return ok
}

// get returns the decoded value of the first parameter called name.
func (q queryParams) get(name string) (string, bool) {
	for _, p := range q {
		if p.name == name {
			return p.value(), true
		}
	}
	return "", false
}

// getFold is get with the name compared case-insensitively, as for the
// x-amz-* parameters, which stand for headers.
func (q queryParams) getFold(name string) (string, bool) {
	for _, p := range q {
		if strings.EqualFold(p.name, name) {
			return p.value(), true
		}
	}
	return "", false
}
