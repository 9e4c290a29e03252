package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"sort"
	"strings"
	"time"
)

// unsignedHeaders are left out of the signature, as the AWS SDKs leave
// them: proxies and clients may change them on the way.
var unsignedHeaders = map[string]bool{
	"authorization": true, "user-agent": true, "x-amzn-trace-id": true, "expect": true, "transfer-encoding": true,
}

// Sign signs r in place with SigV4 header authentication, as the AWS SDKs
// do, for a client of this module (the tool's own STS calls). It sets
// X-Amz-Date, X-Amz-Security-Token when sessionToken is not empty, for S3
// X-Amz-Content-Sha256, and Authorization. body is the request body, whose
// SHA-256 is the payload hash; the caller sets r.Body and r.ContentLength
// (http.NewRequest does). Host, Content-Length when positive and every
// header already on r are signed except Authorization, User-Agent,
// X-Amzn-Trace-Id, Expect and Transfer-Encoding. A default port is removed
// from the host first, as the SDKs do.
func Sign(r *http.Request, body []byte, accessKeyID, secret, sessionToken, region, service string, t time.Time) error {
	if accessKeyID == "" || secret == "" || region == "" || service == "" {
		return errors.New("sigv4: sign: access key, secret, region and service are required")
	}
	if r.URL == nil || (r.Host == "" && r.URL.Host == "") {
		return errors.New("sigv4: sign: the request has no host")
	}
	t = t.UTC()
	amzDate := t.Format(amzDateFormat)
	r.Header.Del("Authorization")
	r.Header.Set("X-Amz-Date", amzDate)
	r.Header.Del("X-Amz-Security-Token")
	if sessionToken != "" {
		r.Header.Set("X-Amz-Security-Token", sessionToken)
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if service == "s3" && r.Header.Get("X-Amz-Content-Sha256") == "" {
		r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	dropDefaultPort(r)
	a := &Auth{AccessKeyID: accessKeyID, Region: region, Service: service, SignedHeaders: headersToSign(r), amzDate: amzDate}
	canonical := canonicalRequest(r, a, clientCanonicalURI(r, service), payloadHash)
	a.Signature = hmacHex(deriveSigningKey(secret, a.scopeDate(), region, service), stringToSign(a, canonical))
	r.Header.Set("Authorization", Algorithm+" Credential="+accessKeyID+"/"+a.Scope()+
		", SignedHeaders="+strings.Join(a.SignedHeaders, ";")+", Signature="+a.Signature)
	return nil
}

// headersToSign lists the lower-cased names of the headers to sign, sorted.
func headersToSign(r *http.Request) []string {
	names := []string{"host"}
	if r.ContentLength > 0 {
		names = append(names, "content-length")
	}
	for key := range r.Header {
		name := strings.ToLower(key)
		if unsignedHeaders[name] || name == "host" || name == "content-length" {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// clientCanonicalURI is the canonical URI of an outgoing request: S3
// signs the path as it will be sent, other services encode it once more.
func clientCanonicalURI(r *http.Request, service string) string {
	p := requestPath(r)
	if service == "s3" {
		return p
	}
	return uriEncode(p, true)
}

// dropDefaultPort removes :80 from an http and :443 from an https host.
func dropDefaultPort(r *http.Request) {
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return
	}
	if port == "80" && r.URL.Scheme == "http" || port == "443" && r.URL.Scheme == "https" {
		if strings.Contains(h, ":") {
			h = "[" + h + "]"
		}
		r.Host = h
	}
}
