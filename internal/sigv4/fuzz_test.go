package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// FuzzParseAuthorization fuzzes the Authorization header form (and the
// presigned query that competes with it) with no secret behind it: every
// failure is a typed *Error and nothing verifies.
func FuzzParseAuthorization(f *testing.F) {
	var seeds []string
	for _, raw := range []string{stsWire(f), s3GetWire(f)} {
		h := raw[strings.Index(raw, "AWS4-HMAC-SHA256"):]
		seeds = append(seeds, h[:strings.Index(h, "\r\n")])
	}
	seeds = append(seeds,
		strings.ReplaceAll(seeds[0], ", ", ","),
		"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="+strings.Repeat("ab", 32),
		"AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/g, SignedHeaders=HOST, Signature==",
		"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/s3/aws4_request,SignedHeaders=host,Signature=1,Signature=2,Credential=x",
		"AWS4-HMAC-SHA256 ,,,,==,",
		"AWS4-HMAC-SHA256",
		"AWS4-ECDSA-P256-SHA256 Credential=AKID/20250102/s3/aws4_request, SignedHeaders=host, Signature=00",
		"AWS AKIDEXAMPLE:c2lnbmF0dXJl",
		"Bearer x",
		"",
		"\x00\xff",
	)
	for _, seed := range seeds {
		for _, payload := range []string{"", EmptyPayloadHash, UnsignedPayload, StreamingSignedPayloadTrailer, "garbage"} {
			f.Add(seed, "20250102T030405Z", "", payload)
		}
		f.Add(seed, "", "X-Amz-Expires=60", "")
	}
	f.Add("", "20250102T030405Z", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250102%2Fus-east-1%2Fs3%2Faws4_request"+
		"&X-Amz-Date=20250102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00", "")
	v := NewVerifier(clockAt(signedAt))
	f.Fuzz(func(t *testing.T, authorization, amzDate, query, contentSHA256 string) {
		r := &http.Request{Method: http.MethodGet, Host: "example.com", Header: http.Header{}}
		r.URL = mustURL(query)
		r.Header["Authorization"] = []string{authorization}
		r.Header["X-Amz-Date"] = []string{amzDate}
		if contentSHA256 != "" {
			r.Header["X-Amz-Content-Sha256"] = []string{contentSHA256}
		}
		a, err := v.Parse(r)
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		_ = a.Scope()
		if err := v.Verify(r, a, testSecret, ""); err == nil {
			t.Fatalf("fuzzed request verified: %q", authorization)
		} else if KindOf(err) == 0 {
			t.Fatalf("untyped error %v", err)
		}
	})
}

func mustURL(rawQuery string) *url.URL {
	return &url.URL{Scheme: "http", Host: "example.com", Path: "/p", RawQuery: rawQuery}
}

// presignHost is the host every FuzzParsePresigned request is signed for.
const presignHost = "s3.us-east-1.amazonaws.com"

// presignedSeeds are presigned requests made by the SDK's presigner: S3
// GET (with response overrides), PUT (with x-amz-* values sent as query
// parameters and a signed Content-Type), UploadPart, and an STS
// GetCallerIdentity.
func presignedSeeds(f *testing.F) []*http.Request {
	presign := func(method, target, service, payload string, header http.Header) *http.Request {
		req := newRequest(f, method, "https://"+presignHost+target, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		var opts []func(*v4.SignerOptions)
		if service == "s3" {
			req.URL.RawQuery += map[bool]string{true: "&", false: ""}[req.URL.RawQuery != ""] + "X-Amz-Expires=3600"
			opts = append(opts, s3Signing)
		}
		signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), testCredentials(""), req, payload,
			service, testRegion, signedAt, opts...)
		if err != nil {
			f.Fatal(err)
		}
		return newRequest(f, method, signed, nil)
	}
	return []*http.Request{
		presign(http.MethodGet, "/bucket/a%20b/c~d?response-content-type=text%2Fplain&versionId=v1", "s3", UnsignedPayload, nil),
		presign(http.MethodPut, "/bucket/key?x-amz-acl=private&x-amz-meta-color=blue", "s3", UnsignedPayload,
			http.Header{"Content-Type": {"text/plain"}}),
		presign(http.MethodPut, "/bucket/key?partNumber=1&uploadId=abc", "s3", UnsignedPayload, nil),
		presign(http.MethodGet, "/?Action=GetCallerIdentity&Version=2011-06-15", "sts", EmptyPayloadHash, nil),
	}
}

// FuzzParsePresigned fuzzes presigned requests as the server reads them
// off the wire (request line, one extra header). Seeded with real
// presigned URLs, it checks that whatever verifies is one of the signed
// requests (same method, path, canonical query and headers) and carries no
// unsigned x-amz-* header.
func FuzzParsePresigned(f *testing.F) {
	signed := map[string]bool{}
	v := NewVerifier(clockAt(signedAt))
	for _, req := range presignedSeeds(f) {
		target := req.URL.RequestURI()
		var contentType string
		if req.Method == http.MethodPut && !strings.Contains(target, "partNumber") {
			contentType = "text/plain"
		}
		f.Add(req.Method, target, "Content-Type", contentType)
		f.Add(req.Method, target, "X-Amz-Copy-Source", "bucket/secret")
		f.Add(req.Method, target, "X-Amz-Content-Sha256", UnsignedPayload)
		f.Add(req.Method, strings.Replace(target, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1), "", "")
		f.Add(req.Method, strings.Replace(target, "&X-Amz-Signature=", "&X-Amz-Signature=0&X-Amz-Signature=", 1), "", "")
		r := readPresigned(req.Method, target, "Content-Type", contentType)
		a, err := v.Parse(r)
		if err == nil {
			err = v.Verify(r, a, testSecret, EmptyPayloadHash)
		}
		if err != nil {
			f.Fatalf("seed %s: %v", target, err)
		}
		signed[presignedIdentity(r, a)] = true
	}
	f.Fuzz(func(t *testing.T, method, target, headerName, headerValue string) {
		r := readPresigned(method, target, headerName, headerValue)
		if r == nil {
			return
		}
		a, err := v.Parse(r)
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		err = v.Verify(r, a, testSecret, EmptyPayloadHash)
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !signed[presignedIdentity(r, a)] {
			t.Fatalf("a request nobody signed verified: %s %s", method, target)
		}
		for name := range r.Header {
			if hasAmzPrefix(name) && !strings.EqualFold(name, "x-amz-content-sha256") && !a.signsFold(name) {
				t.Fatalf("verified with unsigned %s", name)
			}
		}
	})
}

// readPresigned parses the request as a server would, nil when net/http
// would refuse it.
func readPresigned(method, target, headerName, headerValue string) *http.Request {
	raw := method + " " + target + " HTTP/1.1\r\nHost: " + presignHost + "\r\n"
	if headerName != "" {
		raw += headerName + ": " + headerValue + "\r\n"
	}
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw + "\r\n")))
	if err != nil {
		return nil
	}
	return r
}

// presignedIdentity is what a presigned signature covers, as the
// service will read it: method, path, query and the signed headers.
func presignedIdentity(r *http.Request, a *Auth) string {
	return r.Method + "\n" + requestPath(r) + "\n" + canonicalQuery(r.URL.RawQuery, true) + "\n" +
		canonicalHeaders(r, a.SignedHeaders)
}

// FuzzChunkedReader fuzzes aws-chunked bodies in the three framings,
// against the Auth of a real signed upload so that valid chunk
// signatures let the fuzzer past the first chunk. A body read to io.EOF
// has the declared decoded length, and under a signed framing is exactly
// what the client signed.
func FuzzChunkedReader(f *testing.F) {
	data := testPayload(300)
	auths := make([]*Auth, len(streamingModes))
	for i, mode := range streamingModes {
		req, body := uploadBody(f, mode, data, 100)
		auths[i] = verifiedStreamingAuth(f, req)
		for _, declared := range []int64{int64(len(data)), -1, 0, 299} {
			f.Add(body, uint8(i), declared)
		}
		f.Add(body[:len(body)/2], uint8(i), int64(len(data)))
		f.Add(bytes.Replace(body, []byte("64;"), []byte("064;"), 1), uint8(i), int64(len(data)))
	}
	for _, seed := range [][]byte{
		encodeChunks(data, 100, unsigned, "x-amz-checksum-crc32:"+crc32Trailer(data)+"\r\n"),
		encodeChunks(data, 300, unsigned, "x-amz-checksum-crc32:"+crc32Trailer(data)+"\r\nx-amz-checksum-sha256:AAAA\r\n"),
		encodeChunks(nil, 100, unsigned, ""),
		[]byte("0\r\n\r\n"),
		[]byte("0;chunk-signature=00\r\n\r\n"),
		[]byte("ffffffffffffffff\r\n"),
		[]byte("A;chunk-signature=\r\n0123456789\r\n0\r\n\r\n"),
		[]byte("5\r\nabc"),
		[]byte("5;\r\nabcde\r\n0\r\nx-amz-checksum-crc32\r\n\r\n"),
	} {
		for i := range streamingModes {
			f.Add(seed, uint8(i), int64(-1))
		}
	}
	v := NewVerifier(nil)
	f.Fuzz(func(t *testing.T, body []byte, mode uint8, declared int64) {
		i := int(mode) % len(streamingModes)
		a := *auths[i]
		a.DecodedContentLength = max(declared, -1)
		c := v.NewChunkedReader(bytes.NewReader(body), &a, testSecret)
		out, err := io.ReadAll(c)
		if len(out) > len(body) {
			t.Fatalf("decoded %d bytes out of %d", len(out), len(body))
		}
		if err != nil {
			if KindOf(err) == 0 {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if declared >= 0 && int64(len(out)) != declared {
			t.Fatalf("decoded %d bytes, %d declared", len(out), declared)
		}
		if streamingModes[i] != StreamingUnsignedPayloadTrailer && !bytes.Equal(out, data) {
			t.Fatalf("signed framing yielded %d bytes nobody signed", len(out))
		}
	})
}

// verifiedStreamingAuth parses and verifies the signed headers of a
// streaming upload as the server does.
func verifiedStreamingAuth(t testing.TB, req *http.Request) *Auth {
	req.Body = io.NopCloser(bytes.NewReader(make([]byte, req.ContentLength)))
	r := serverSide(t, req)
	v := NewVerifier(clockAt(signedAt))
	a, err := v.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(r, a, testSecret, ""); err != nil {
		t.Fatal(err)
	}
	return a
}
