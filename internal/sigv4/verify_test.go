package sigv4

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/smithy-go/encoding/httpbinding"
)

const stsBody = "Action=GetCallerIdentity&Version=2011-06-15"

// stsWire is an STS POST form signed by the SDK with a session token.
func stsWire(t testing.TB) string {
	req := newRequest(t, http.MethodPost, "https://sts.amazonaws.com/", strings.NewReader(stsBody))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sdkSign(t, req, sha256Hex([]byte(stsBody)), "sts", testToken)
	return wire(t, req)
}

const oddKey = "a b/c+d%2F~é"

// s3GetWire is an S3 GET of an awkward key with an awkward query, signed
// by the SDK the way the S3 client signs.
func s3GetWire(t testing.TB) string {
	req := newRequest(t, http.MethodGet, "http://127.0.0.1:9000/", nil)
	req.URL.Path = "/bucket/" + oddKey
	req.URL.RawPath = "/bucket/" + httpbinding.EscapePath(oddKey, false)
	req.URL.RawQuery = "versionId=v%2B1&response-content-disposition=attachment%3B%20filename%3D%22x%20y.txt%22&empty&x=a+b&%C3%A9=%7E"
	req.Header.Set("X-Amz-Content-Sha256", EmptyPayloadHash)
	req.Header.Set("X-Amz-Meta-Color", "  blue  and   green ")
	req.Header.Add("X-Amz-Meta-Color", "red")
	sdkSign(t, req, EmptyPayloadHash, "s3", "", s3Signing)
	return wire(t, req)
}

func TestVerifyAcceptsSDKSignedRequests(t *testing.T) {
	v := NewVerifier(clockAt(signedAt))
	for name, raw := range map[string]string{"sts": stsWire(t), "s3": s3GetWire(t)} {
		t.Run(name, func(t *testing.T) {
			if _, err := parseAndVerify(t, v, fromWire(t, raw), testSecret); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestParseSTS(t *testing.T) {
	a, err := NewVerifier(nil).Parse(fromWire(t, stsWire(t)))
	if err != nil {
		t.Fatal(err)
	}
	if a.AccessKeyID != testAKID || a.SessionToken != testToken || a.Region != testRegion || a.Service != "sts" {
		t.Errorf("got %+v", a)
	}
	if !a.Date.Equal(signedAt) || a.Presigned || a.PayloadHash != "" || a.Scope() != "20250102/us-east-1/sts/aws4_request" {
		t.Errorf("got %+v, scope %s", a, a.Scope())
	}
	if got := strings.Join(a.SignedHeaders, ";"); !strings.Contains(got, "host") || !strings.Contains(got, "x-amz-security-token") {
		t.Errorf("signed headers %s", got)
	}
}

func TestVerifyIAMWithOddPath(t *testing.T) {
	body := "Action=ListUsers&Version=2010-05-08"
	req := newRequest(t, http.MethodPost, "https://iam.amazonaws.com/", strings.NewReader(body))
	req.URL.Path = "//a/./b/../c d/"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sdkSign(t, req, sha256Hex([]byte(body)), "iam", "")
	if _, err := parseAndVerify(t, NewVerifier(clockAt(signedAt)), serverSide(t, req), testSecret); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyRejectsTampering(t *testing.T) {
	cases := []struct {
		name, wire, old, new, secret string
	}{
		{"method", s3GetWire(t), "GET /", "PUT /", testSecret},
		{"path", s3GetWire(t), "/bucket/a%20b", "/bucket/a%20c", testSecret},
		{"path encoding", s3GetWire(t), "c%2Bd", "c+d", testSecret},
		{"query", s3GetWire(t), "versionId=v%2B1", "versionId=v%2B2", testSecret},
		{"query added", s3GetWire(t), "?%C3%A9", "?acl&%C3%A9", testSecret},
		{"signed header", s3GetWire(t), "X-Amz-Meta-Color: red", "X-Amz-Meta-Color: rod", testSecret},
		{"date", s3GetWire(t), "T030405Z", "T030406Z", testSecret},
		{"secret", s3GetWire(t), "", "", testSecret + "x"},
		{"body", stsWire(t), "GetCallerIdentity", "GetCallerIdentitx", testSecret},
		{"token", stsWire(t), "session+token", "session+tokem", testSecret},
		{"host", stsWire(t), "Host: sts.amazonaws.com", "Host: sts.amazonaws.org", testSecret},
		{"signature", stsWire(t), "Signature=", "Signature=0", testSecret},
	}
	v := NewVerifier(clockAt(signedAt))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !strings.Contains(c.wire, c.old) {
				t.Fatalf("request lacks %q:\n%s", c.old, c.wire)
			}
			_, err := parseAndVerify(t, v, fromWire(t, strings.Replace(c.wire, c.old, c.new, 1)), c.secret)
			wantKind(t, err, KindSignatureMismatch)
			if !strings.Contains(err.Error(), "does not match the signature you provided") || strings.Contains(err.Error(), testSecret) {
				t.Errorf("message: %v", err)
			}
		})
	}
}

func TestVerifyIgnoresUnsignedNonAmzHeaders(t *testing.T) {
	raw := strings.Replace(s3GetWire(t), "\r\n\r\n", "\r\nUser-Agent: other\r\nX-Amzn-Trace-Id: Root=1-abc\r\n\r\n", 1)
	if _, err := parseAndVerify(t, NewVerifier(clockAt(signedAt)), fromWire(t, raw), testSecret); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyRefusesUnsignedAmzHeaders: an x-amz-* header outside
// SignedHeaders is refused, however it is spelled, both on header-signed
// and presigned requests, and S3's list of them is lower-case, sorted and
// joined with ", ".
func TestVerifyRefusesUnsignedAmzHeaders(t *testing.T) {
	v := NewVerifier(clockAt(signedAt))
	header := fromWire(t, strings.Replace(s3GetWire(t), "\r\n\r\n",
		"\r\nX-Amz-Meta-Extra: 1\r\nx-amz-copy-source: /other/secret\r\n\r\n", 1))
	_, err := parseAndVerify(t, v, header, testSecret)
	wantKind(t, err, KindHeadersNotSigned)
	if e := err.(*Error); e.HeadersNotSigned != "x-amz-copy-source, x-amz-meta-extra" ||
		e.Message != "There were headers present in the request which were not signed" {
		t.Errorf("got %+v", e)
	}

	for _, name := range []string{"X-Amz-Copy-Source", "X-Amz-Tagging", "X-Amz-Security-Token", "X-Amz-Date", "x-AMZ-acl"} {
		presigned := presignS3(t, "X-Amz-Expires=60", "")
		presigned.Header[name] = []string{"x"}
		_, err := parseAndVerify(t, v, presigned, testSecret)
		wantKind(t, err, KindHeadersNotSigned)
		if got := err.(*Error).HeadersNotSigned; got != strings.ToLower(name) {
			t.Errorf("%s: listed %q", name, got)
		}
	}
}

// TestVerifyAcceptsUnsignedContentSHA256: the one x-amz-* header S3 takes
// unsigned. On a presigned request it can only narrow the accepted body.
func TestVerifyAcceptsUnsignedContentSHA256(t *testing.T) {
	r := presignS3(t, "X-Amz-Expires=60", "")
	r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
	if _, err := parseAndVerify(t, NewVerifier(clockAt(signedAt)), r, testSecret); err != nil {
		t.Fatal(err)
	}
}

// TestQueryAPISignsTheBody: IAM and STS requests signed with
// x-amz-content-sha256 UNSIGNED-PAYLOAD (or a streaming value) are refused:
// the signature must cover the body the server received.
func TestQueryAPISignsTheBody(t *testing.T) {
	v := NewVerifier(clockAt(signedAt))
	for _, payload := range []string{UnsignedPayload, StreamingSignedPayload, StreamingUnsignedPayloadTrailer} {
		req := newRequest(t, http.MethodPost, "https://iam.amazonaws.com/", strings.NewReader("Action=ListUsers&Version=2010-05-08"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Amz-Content-Sha256", payload)
		sdkSign(t, req, payload, "iam", "")
		replayed := strings.Replace(wire(t, req), "Action=ListUsers&Version=2010-05-08", "Action=CreateUser&UserName=eve", 1)
		replayed = strings.Replace(replayed, "Content-Length: 35", "Content-Length: 30", 1)
		r := fromWire(t, replayed)
		a, err := v.Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		if string(body) != "Action=CreateUser&UserName=eve" {
			t.Fatalf("replayed body %q", body)
		}
		wantKind(t, v.Verify(r, a, testSecret, sha256Hex(body)), KindSignatureMismatch)
	}
}

// TestS3HeaderAuthRequiresContentSHA256: nothing binds the body of a
// header-signed S3 request without x-amz-content-sha256; S3 refuses it.
// Presigned requests imply UNSIGNED-PAYLOAD.
func TestS3HeaderAuthRequiresContentSHA256(t *testing.T) {
	req := newRequest(t, http.MethodPut, "http://127.0.0.1:9000/bucket/key", strings.NewReader("body"))
	sdkSign(t, req, sha256Hex([]byte("body")), "s3", "", s3Signing)
	_, err := NewVerifier(clockAt(signedAt)).Parse(serverSide(t, req))
	wantKind(t, err, KindMissingContentSHA256)
	if err.(*Error).Message != "Missing required header for this request: x-amz-content-sha256" {
		t.Errorf("message %q", err.(*Error).Message)
	}
	if _, err := parseAndVerify(t, NewVerifier(clockAt(signedAt)), presignS3(t, "X-Amz-Expires=60", ""), testSecret); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyContentSHA256MustMatchBody(t *testing.T) {
	r := fromWire(t, s3GetWire(t))
	v := NewVerifier(clockAt(signedAt))
	a, err := v.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, v.Verify(r, a, testSecret, sha256Hex([]byte("x"))), KindContentSHA256Mismatch)
	if err := v.Verify(r, a, testSecret, EmptyPayloadHash); err != nil {
		t.Fatal(err)
	}
}

func TestAuthorizationHeaderVariations(t *testing.T) {
	raw := stsWire(t)
	variations := map[string]func(string) string{
		"no spaces":    func(s string) string { return strings.ReplaceAll(s, ", ", ",") },
		"extra spaces": func(s string) string { return strings.ReplaceAll(s, ", ", " ,  ") },
		"tab":          func(s string) string { return strings.Replace(s, "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256\t", 1) },
		"upper hex": func(s string) string {
			i := strings.Index(s, "Signature=") + len("Signature=")
			return s[:i] + strings.ToUpper(s[i:i+64]) + s[i+64:]
		},
	}
	v := NewVerifier(clockAt(signedAt))
	for name, change := range variations {
		t.Run(name, func(t *testing.T) {
			if _, err := parseAndVerify(t, v, fromWire(t, change(raw)), testSecret); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestClockSkew(t *testing.T) {
	raw := stsWire(t)
	for _, c := range []struct {
		offset time.Duration
		want   Kind
	}{
		{14 * time.Minute, 0}, {-14 * time.Minute, 0},
		{16 * time.Minute, KindSkew}, {-16 * time.Minute, KindSkew},
	} {
		_, err := parseAndVerify(t, NewVerifier(clockAt(signedAt.Add(c.offset))), fromWire(t, raw), testSecret)
		wantKind(t, err, c.want)
	}
	_, err := parseAndVerify(t, NewVerifier(clockAt(signedAt.Add(30*time.Minute))), fromWire(t, raw), testSecret)
	want := "Signature expired: 20250102T030405Z is now earlier than 20250102T031905Z (20250102T033405Z - 15 min.)"
	if e := err.(*Error); e.Message != want || !e.RequestTime.Equal(signedAt) {
		t.Errorf("got %q, want %q", e.Message, want)
	}
}

func presignS3(t testing.TB, query, token string) *http.Request {
	req := newRequest(t, http.MethodGet, "https://s3.us-east-1.amazonaws.com/", nil)
	req.URL.Path = "/bucket/" + oddKey
	req.URL.RawPath = "/bucket/" + httpbinding.EscapePath(oddKey, false)
	req.URL.RawQuery = query
	url, headers, err := v4.NewSigner().PresignHTTP(context.Background(), testCredentials(token), req,
		UnsignedPayload, "s3", testRegion, signedAt, s3Signing)
	if err != nil {
		t.Fatal(err)
	}
	get := newRequest(t, http.MethodGet, url, nil)
	for name, values := range headers {
		if name != "Host" {
			get.Header[name] = values
		}
	}
	return serverSide(t, get)
}

func TestPresignedS3(t *testing.T) {
	for _, c := range []struct {
		offset time.Duration
		want   Kind
	}{
		{0, 0}, {59 * time.Minute, 0}, {-14 * time.Minute, 0},
		{61 * time.Minute, KindPresignExpired}, {-16 * time.Minute, KindPresignNotYetValid},
	} {
		r := presignS3(t, "X-Amz-Expires=3600&response-content-type=text%2Fplain", testToken)
		a, err := parseAndVerify(t, NewVerifier(clockAt(signedAt.Add(c.offset))), r, testSecret)
		wantKind(t, err, c.want)
		if c.want == 0 && (!a.Presigned || a.Expires != time.Hour || a.SessionToken != testToken) {
			t.Errorf("got %+v", a)
		}
	}
}

func TestPresignedTampering(t *testing.T) {
	r := presignS3(t, "X-Amz-Expires=3600", "")
	r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=3600", "X-Amz-Expires=7200", 1)
	_, err := parseAndVerify(t, NewVerifier(clockAt(signedAt)), r, testSecret)
	wantKind(t, err, KindSignatureMismatch)
}

func TestPresignedExpiresBounds(t *testing.T) {
	for _, expires := range []string{"604801", "0", "-1", "abc"} {
		r := presignS3(t, "X-Amz-Expires="+expires, "")
		_, err := NewVerifier(nil).Parse(r)
		wantKind(t, err, KindMalformedQuery)
	}
	r := presignS3(t, "", "")
	_, err := NewVerifier(nil).Parse(r)
	wantKind(t, err, KindMalformedQuery)
}

func TestPresignedSTSWithoutExpires(t *testing.T) {
	req := newRequest(t, http.MethodGet, "https://sts.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15", nil)
	url, _, err := v4.NewSigner().PresignHTTP(context.Background(), testCredentials(testToken), req,
		EmptyPayloadHash, "sts", testRegion, signedAt)
	if err != nil {
		t.Fatal(err)
	}
	r := serverSide(t, newRequest(t, http.MethodGet, url, nil))
	a, err := parseAndVerify(t, NewVerifier(clockAt(signedAt.Add(10*time.Minute))), r, testSecret)
	if err != nil || a.Expires != 15*time.Minute {
		t.Fatalf("auth %+v, err %v", a, err)
	}
}

func TestParseErrors(t *testing.T) {
	const cred = "Credential=AKID/20250102/us-east-1/sts/aws4_request"
	cases := []struct {
		name, auth, amzDate, query string
		want                       Kind
		message                    string
	}{
		{"no auth", "", "20250102T030405Z", "", KindMissingAuth, "Request is missing Authentication Token"},
		{"both", "AWS4-HMAC-SHA256 " + cred, "20250102T030405Z", "X-Amz-Algorithm=AWS4-HMAC-SHA256", KindAmbiguousAuth, ""},
		{"sigv2", "AWS AKID:c2ln", "20250102T030405Z", "", KindUnsupportedAlgorithm, msgSigV2},
		{"sigv2 presigned", "", "", "AWSAccessKeyId=AKID&Signature=c2ln&Expires=1795617848", KindUnsupportedAlgorithm, msgSigV2},
		{"sigv4a", "AWS4-ECDSA-P256-SHA256 " + cred, "20250102T030405Z", "", KindUnsupportedAlgorithm, "Unsupported AWS 'algorithm': 'AWS4-ECDSA-P256-SHA256'."},
		{"missing parts", "AWS4-HMAC-SHA256 Signature=abc", "20250102T030405Z", "", KindIncompleteSignature,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'SignedHeaders' parameter."},
		{"missing parts and date", "AWS4-HMAC-SHA256 " + cred, "", "", KindIncompleteSignature,
			"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " + msgMissingDate},
		{"missing date", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=ab", "", "", KindMissingDate, msgMissingDate},
		{"bad date", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=ab", "2025-01-02", "", KindMissingDate, ""},
		{"bad credential", "AWS4-HMAC-SHA256 Credential=AKID/2025/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=ab",
			"20250102T030405Z", "", KindMalformedHeader, ""},
		{"bad terminator", "AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws5_request, SignedHeaders=host, Signature=ab",
			"20250102T030405Z", "", KindMalformedHeader, ""},
		{"scope date", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=ab", "20250103T030405Z", "", KindMalformedHeader,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20250102' != '20250103', from '20250103T030405Z'."},
		{"host unsigned", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, Signature=ab", "20250102T030405Z", "", KindSignatureMismatch, msgHostUnsigned},
		{"presign partial", "", "", "X-Amz-Credential=AKID%2F20250102%2Fus-east-1%2Fs3%2Faws4_request", KindMalformedQuery, msgPresignParams},
		{"presign algorithm", "", "", "X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=a&X-Amz-Signature=b&X-Amz-Date=c&X-Amz-SignedHeaders=host",
			KindMalformedQuery, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`},
		{"presign scope date", "", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250101%2Fus-east-1%2Fs3%2Faws4_request" +
			"&X-Amz-Signature=b&X-Amz-Date=20250102T030405Z&X-Amz-SignedHeaders=host&X-Amz-Expires=60", KindMalformedQuery, msgScopeDate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRequest(t, http.MethodGet, "https://sts.amazonaws.com/?"+c.query, nil)
			if c.auth != "" {
				r.Header.Set("Authorization", c.auth)
			}
			if c.amzDate != "" {
				r.Header.Set("X-Amz-Date", c.amzDate)
			}
			_, err := NewVerifier(nil).Parse(r)
			wantKind(t, err, c.want)
			if c.message != "" && err.(*Error).Message != c.message {
				t.Errorf("message %q, want %q", err.(*Error).Message, c.message)
			}
		})
	}
}

func TestParseDateHeaderFallback(t *testing.T) {
	r := newRequest(t, http.MethodGet, "https://sts.amazonaws.com/", nil)
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKID/20250102/us-east-1/sts/aws4_request, SignedHeaders=date;host, Signature=ab")
	r.Header.Set("Date", signedAt.Format(http.TimeFormat))
	a, err := NewVerifier(nil).Parse(r)
	if err != nil || !a.Date.Equal(signedAt) || a.amzDate != "20250102T030405Z" {
		t.Fatalf("auth %+v, err %v", a, err)
	}
}

func TestParseInvalidContentSHA256(t *testing.T) {
	r := fromWire(t, strings.Replace(s3GetWire(t), EmptyPayloadHash, "not-a-hash", 1))
	_, err := NewVerifier(nil).Parse(r)
	wantKind(t, err, KindInvalidContentSHA256)
}

// TestAWSDocumentationVector checks the get-vanilla example of the AWS
// SigV4 test suite.
func TestAWSDocumentationVector(t *testing.T) {
	r := fromWire(t, "GET / HTTP/1.1\r\nHost: example.amazonaws.com\r\nX-Amz-Date: 20150830T123600Z\r\n"+
		"Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "+
		"SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31\r\n\r\n")
	v := NewVerifier(clockAt(time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)))
	if _, err := parseAndVerify(t, v, r, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"); err != nil {
		t.Fatal(err)
	}
}

func TestNormalizePath(t *testing.T) {
	for in, want := range map[string]string{
		"/": "/", "": "/", "//": "/", "/a//b/": "/a/b/", "/a/./b/../c": "/a/c", "/../a": "/a",
		"/a/b/..": "/a", "/a/%2E/b": "/a/%2E/b",
	} {
		if got := normalizePath(in); got != want {
			t.Errorf("normalizePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCanonicalQuery(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"b=2&a=1&a=0":              "a=0&a=1&b=2",
		"a+b=c%20d&e":              "a%20b=c%20d&e=",
		"k=%7e%2f/é&&":             "k=~%2F%2F%C3%A9",
		"X-Amz-Signature=s&a=1":    "X-Amz-Signature=s&a=1",
		"bad=%zz":                  "bad=%25zz",
		"a%2Fb=1&a-b=1":            "a%2Fb=1&a-b=1",
		"acl":                      "acl=",
		"list-type=2&prefix=a%2Bb": "list-type=2&prefix=a%2Bb",
	} {
		if got := canonicalQuery(in, false); got != want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", in, got, want)
		}
	}
	if got := canonicalQuery("X-Amz-Signature=s&a=1", true); got != "a=1" {
		t.Errorf("presigned query kept the signature: %q", got)
	}
}

func TestSigningKeyCacheIsBounded(t *testing.T) {
	v := NewVerifier(nil)
	a := &Auth{Region: testRegion, Service: "s3", amzDate: "20250102T030405Z"}
	first := v.keys.get(testSecret, a)
	for i := 0; i < maxCachedKeys+10; i++ {
		v.keys.get(testSecret+string(rune('a'+i%26))+strings.Repeat("x", i), a)
	}
	if len(v.keys.keys) > maxCachedKeys {
		t.Fatalf("cache holds %d keys", len(v.keys.keys))
	}
	if got := v.keys.get(testSecret, a); string(got) != string(first) {
		t.Fatal("re-derived key differs")
	}
	if want := testSigningKey(testSecret, "20250102", testRegion, "s3"); string(first) != string(want) {
		t.Fatal("derived key differs from the reference derivation")
	}
}

// TestAmzHeaderCheckDoesNotAllocate: the check runs on every request; a
// request whose x-amz-* headers are all signed costs no allocation.
func TestAmzHeaderCheckDoesNotAllocate(t *testing.T) {
	r := fromWire(t, s3GetWire(t))
	a, err := NewVerifier(nil).Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(100, func() {
		if err := a.checkAmzHeadersSigned(r.Header); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Fatalf("%v allocations per request", allocs)
	}
}

// BenchmarkParseVerifyS3Get is the per-request cost of authenticating an
// SDK-signed S3 GET (signing key cached).
func BenchmarkParseVerifyS3Get(b *testing.B) {
	r := fromWire(b, s3GetWire(b))
	v := NewVerifier(clockAt(signedAt))
	b.ReportAllocs()
	for b.Loop() {
		a, err := v.Parse(r)
		if err != nil {
			b.Fatal(err)
		}
		if err := v.Verify(r, a, testSecret, ""); err != nil {
			b.Fatal(err)
		}
	}
}
