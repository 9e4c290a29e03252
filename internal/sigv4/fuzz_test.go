package sigv4

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func FuzzParseAuthorization(f *testing.F) {
	raw := stsWire(f)
	sdkHeader := raw[strings.Index(raw, "AWS4-HMAC-SHA256"):]
	sdkHeader = sdkHeader[:strings.Index(sdkHeader, "\r\n")]
	for _, seed := range []string{
		sdkHeader,
		strings.ReplaceAll(sdkHeader, ", ", ","),
		"AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
		"AWS4-HMAC-SHA256 Credential=/////, SignedHeaders=;;;, Signature=",
		"AWS4-HMAC-SHA256 Credential=a/b/c/d/e/f/g, SignedHeaders=HOST, Signature==",
		"AWS4-HMAC-SHA256 ,,,,==,",
		"AWS4-HMAC-SHA256",
		"AWS AKIDEXAMPLE:c2lnbmF0dXJl",
		"Bearer x",
		"",
		"\x00\xff",
	} {
		f.Add(seed, "20250102T030405Z", "")
		f.Add(seed, "", "X-Amz-Expires=60")
	}
	f.Add("", "20250102T030405Z", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250102%2Fus-east-1%2Fs3%2Faws4_request"+
		"&X-Amz-Date=20250102T030405Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=00")
	v := NewVerifier(clockAt(signedAt))
	f.Fuzz(func(t *testing.T, authorization, amzDate, query string) {
		r := &http.Request{Method: http.MethodGet, Host: "example.com", Header: http.Header{}}
		r.URL = mustURL(query)
		r.Header["Authorization"] = []string{authorization}
		r.Header["X-Amz-Date"] = []string{amzDate}
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
		}
	})
}

func mustURL(rawQuery string) *url.URL {
	return &url.URL{Scheme: "http", Host: "example.com", Path: "/p", RawQuery: rawQuery}
}

func FuzzChunkedReader(f *testing.F) {
	data := testPayload(300)
	seeds := [][]byte{
		encodeChunks(data, 100, unsigned, "x-amz-checksum-crc32:"+crc32Trailer(data)+"\r\n"),
		[]byte("0\r\n\r\n"),
		[]byte("0;chunk-signature=00\r\n\r\n"),
		[]byte("ffffffffffffffff\r\n"),
		[]byte("5\r\nabc"),
	}
	for _, mode := range streamingModes {
		_, body := uploadBody(f, mode, data, 100)
		seeds = append(seeds, body)
	}
	for _, seed := range seeds {
		for mode := range streamingModes {
			f.Add(seed, uint8(mode))
		}
	}
	v := NewVerifier(nil)
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		a := &Auth{
			Region: testRegion, Service: "s3", amzDate: "20250102T030405Z", Signature: strings.Repeat("0", 64),
			PayloadHash: streamingModes[int(mode)%len(streamingModes)], DecodedContentLength: -1,
		}
		c := v.NewChunkedReader(bytes.NewReader(body), a, testSecret)
		n, err := io.Copy(io.Discard, c)
		if n > int64(len(body)) {
			t.Fatalf("decoded %d bytes out of %d", n, len(body))
		}
		if err != nil && KindOf(err) == 0 {
			t.Fatalf("untyped error %v", err)
		}
	})
}
