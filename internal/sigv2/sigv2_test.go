package sigv2

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The examples of S3's "Signing and authenticating REST requests"
// (Signature Version 2) appendix.
const (
	docKey    = "AKIAIOSFODNN7EXAMPLE"
	docSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func newRequest(method, target string, header map[string]string) *http.Request {
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	return r
}

func TestDocumentedHeaderExample(t *testing.T) {
	r := newRequest("GET", "http://awsexamplebucket1.us-west-1.s3.amazonaws.com/photos/puppy.jpg", map[string]string{
		"Date":          "Tue, 27 Mar 2007 19:36:42 +0000",
		"Authorization": "AWS " + docKey + ":qgk2+6Sv9/oM7G3qLEjTH1a1l1g=",
	})
	a, err := Parse(r)
	if err != nil || a == nil {
		t.Fatalf("Parse: %v %v", a, err)
	}
	if got, want := StringToSign(r, a, "awsexamplebucket1"), "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg"; got != want {
		t.Fatalf("string to sign %q, want %q", got, want)
	}
	signedAt := time.Date(2007, 3, 27, 19, 40, 0, 0, time.UTC)
	if err := Verify(r, a, docSecret, "awsexamplebucket1", signedAt); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if err := Verify(r, a, docSecret, "awsexamplebucket1", signedAt.Add(20*time.Minute)); KindOf(err) != KindSkew {
		t.Fatalf("20 minutes later: %v, want Skew", err)
	}
	if err := Verify(r, a, "wrong"+docSecret, "awsexamplebucket1", signedAt); KindOf(err) != KindSignatureMismatch {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestDocumentedPresignedExample(t *testing.T) {
	r := newRequest("GET", "http://johnsmith.s3.amazonaws.com/photos/puppy.jpg"+
		"?AWSAccessKeyId="+docKey+"&Expires=1175139620&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D", nil)
	a, err := Parse(r)
	if err != nil || !a.Presigned || a.AuthType() != "REST-QUERY-STRING" {
		t.Fatalf("Parse: %+v %v", a, err)
	}
	if got, want := StringToSign(r, a, "johnsmith"), "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"; got != want {
		t.Fatalf("string to sign %q, want %q", got, want)
	}
	if err := Verify(r, a, docSecret, "johnsmith", time.Unix(1175139000, 0)); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	err = Verify(r, a, docSecret, "johnsmith", time.Unix(1175139621, 0))
	if e, ok := err.(*Error); !ok || e.Kind != KindExpired || e.Message != "Request has expired" || !e.Expires.Equal(time.Unix(1175139620, 0)) {
		t.Fatalf("after Expires: %v", err)
	}
}

func TestStringToSign(t *testing.T) {
	cases := []struct {
		name, method, target string
		header               map[string]string
		hostBucket, want     string
	}{
		{"amz headers sorted, lower-cased, values joined", "PUT", "/bucket/key", map[string]string{
			"Date": "Tue, 27 Mar 2007 21:15:45 +0000", "Content-Type": "text/plain", "Content-MD5": "4gJE4saaMU4BqNR0kLY+lw==",
			"X-Amz-Meta-B": " two ", "x-amz-acl": "public-read", "X-Amz-Meta-A": "one"},
			"", "PUT\n4gJE4saaMU4BqNR0kLY+lw==\ntext/plain\nTue, 27 Mar 2007 21:15:45 +0000\n" +
				"x-amz-acl:public-read\nx-amz-meta-a:one\nx-amz-meta-b:two\n/bucket/key"},
		{"x-amz-date empties the Date line", "GET", "/bucket/key", map[string]string{
			"Date": "Tue, 27 Mar 2007 21:15:45 +0000", "X-Amz-Date": "Tue, 27 Mar 2007 21:20:26 +0000"},
			"", "GET\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/bucket/key"},
		{"sub-resources sorted, values decoded, others left out", "GET",
			"/bucket/key?versionId=v%2F1&response-content-type=text%2Fplain&prefix=p&acl&x-id=GetObject", nil,
			"", "GET\n\n\n\n/bucket/key?acl&response-content-type=text/plain&versionId=v/1"},
		{"empty value keeps its '='", "GET", "/bucket?tagging=", nil, "", "GET\n\n\n\n/bucket?tagging="},
		{"operation-selecting parameters are signed", "PUT", "/bucket?ownershipControls", nil, "", "PUT\n\n\n\n/bucket?ownershipControls"},
		{"virtual host: bucket prefixed, path as sent", "GET", "http://b1.localhost/a%20b/c+d", nil, "b1", "GET\n\n\n\n/b1/a%20b/c+d"},
		{"virtual host bucket root", "GET", "http://b1.localhost/", nil, "b1", "GET\n\n\n\n/b1/"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRequest(c.method, c.target, c.header)
			a := &Auth{dateLine: r.Header.Get("Date")}
			if r.Header.Get("X-Amz-Date") != "" {
				a.dateLine = ""
			}
			if got := StringToSign(r, a, c.hostBucket); got != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestPresignedAmzParametersAreHeaders: a presigned URL's x-amz-* query
// parameters (botocore moves x-amz-security-token there) and any x-amz-*
// header sent with it are both in the string to sign.
func TestPresignedAmzParametersAreHeaders(t *testing.T) {
	r := newRequest("GET", "/b/k?AWSAccessKeyId=AK&Expires=100&Signature=c2ln&x-amz-security-token=TOK%2B1", map[string]string{
		"X-Amz-Meta-Planted": "yes"})
	a, err := Parse(r)
	if err != nil || a.SessionToken != "TOK+1" {
		t.Fatalf("Parse: %+v %v", a, err)
	}
	if got, want := StringToSign(r, a, ""), "GET\n\n\n100\nx-amz-meta-planted:yes\nx-amz-security-token:TOK+1\n/b/k"; got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

// TestEveryAmzHeaderIsSigned: adding any x-amz-* header to a signed
// request breaks its signature.
func TestEveryAmzHeaderIsSigned(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	r := newRequest("PUT", "/b/k", map[string]string{"Date": date})
	a, _ := Parse(withAuth(r, "AWS AK:x"))
	r.Header.Set("Authorization", "AWS AK:"+Sign("secret", StringToSign(r, a, "")))
	a, _ = Parse(r)
	if err := Verify(r, a, "secret", "", now); err != nil {
		t.Fatalf("signed request: %v", err)
	}
	for _, h := range []string{"X-Amz-Copy-Source", "x-amz-acl", "X-Amz-Meta-Extra", "X-Amz-Server-Side-Encryption", "X-Amz-Date"} {
		r2 := r.Clone(r.Context())
		r2.Header.Set(h, "Tue, 27 Mar 2007 21:20:26 +0000")
		a2, err := Parse(r2)
		if err != nil {
			t.Fatalf("%s: %v", h, err)
		}
		if err := Verify(r2, a2, "secret", "", now); KindOf(err) != KindSignatureMismatch && KindOf(err) != KindSkew {
			t.Fatalf("%s added: %v, want a refusal", h, err)
		}
	}
}

func withAuth(r *http.Request, v string) *http.Request {
	r.Header.Set("Authorization", v)
	return r
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		name, target string
		header       map[string]string
		kind         Kind
		message      string
	}{
		{"no colon", "/b", map[string]string{"Authorization": "AWS AKIDONLY", "Date": http.TimeFormat}, KindMalformedHeader, msgMalformedHeader},
		{"empty signature", "/b", map[string]string{"Authorization": "AWS AK:", "Date": http.TimeFormat}, KindMalformedHeader, msgMalformedHeader},
		{"no date", "/b", map[string]string{"Authorization": "AWS AK:c2ln"}, KindMissingDate, msgMissingDate},
		{"bad x-amz-date", "/b", map[string]string{"Authorization": "AWS AK:c2ln", "X-Amz-Date": "yesterday"}, KindMissingDate, msgMissingDate},
		{"query without Expires", "/b?AWSAccessKeyId=AK&Signature=c2ln", nil, KindMissingQueryParams, msgMissingQueryParams},
		{"query without key", "/b?Signature=c2ln&Expires=1", nil, KindMissingQueryParams, msgMissingQueryParams},
		{"bad Expires", "/b?AWSAccessKeyId=AK&Signature=c2ln&Expires=soon", nil, KindBadExpires, "Invalid date (should be seconds since epoch): soon"},
		{"query and header", "/b?AWSAccessKeyId=AK&Signature=c2ln&Expires=1", map[string]string{"Authorization": "AWS AK:c2ln"}, KindAmbiguous, msgAmbiguous},
		{"v2 query and v4 query", "/b?AWSAccessKeyId=AK&Signature=c2ln&Expires=1&X-Amz-Signature=00", nil, KindAmbiguous, msgAmbiguous},
		{"v2 header and v4 query", "/b?X-Amz-Algorithm=AWS4-HMAC-SHA256", map[string]string{"Authorization": "AWS AK:c2ln"}, KindAmbiguous, msgAmbiguous},
		{"v4 header and v2 query", "/b?Signature=c2ln", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=x"}, KindAmbiguous, msgAmbiguous},
		{"v4 header and escaped v2 query", "/b?%53ignature=c2ln", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=x"}, KindAmbiguous, msgAmbiguous},
		{"v4 header and escaped v2 key id", "/b?AWS%41ccessKeyId=AK", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=x"}, KindAmbiguous, msgAmbiguous},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a, err := Parse(newRequest("GET", c.target, c.header))
			e, ok := err.(*Error)
			if !ok || e.Kind != c.kind || e.Message != c.message {
				t.Fatalf("got %+v %v, want %v %q", a, err, c.kind, c.message)
			}
		})
	}
	for _, target := range []string{"/b", "/b?X-Amz-Signature=00", "/b?Expires=1"} {
		if a, err := Parse(newRequest("GET", target, nil)); a != nil || err != nil {
			t.Errorf("%s: %+v %v, want not SigV2", target, a, err)
		}
	}
	if a, err := Parse(newRequest("GET", "/b", map[string]string{"Authorization": "AWS4-HMAC-SHA256 Credential=x"})); a != nil || err != nil {
		t.Errorf("SigV4 header: %+v %v, want not SigV2", a, err)
	}
}

func TestSignatureMismatchDetails(t *testing.T) {
	r := newRequest("GET", "/b/k?AWSAccessKeyId=AK&Expires=100&Signature=bm9wZQ%3D%3D", nil)
	a, _ := Parse(r)
	err := Verify(r, a, "secret", "", time.Unix(50, 0))
	e, ok := err.(*Error)
	if !ok || e.Kind != KindSignatureMismatch || e.StringToSign != "GET\n\n\n100\n/b/k" || e.SignatureProvided != "bm9wZQ==" ||
		e.AccessKeyID != "AK" || !strings.HasPrefix(e.StringToSignBytes(), "47 45 54 0a") {
		t.Fatalf("got %+v", err)
	}
}

// TestBucketLevelTrailingSlash: botocore signs a path-style bucket-level
// request (/bucket?list-type=2) with the resource "/bucket/".
func TestBucketLevelTrailingSlash(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	r := newRequest("GET", "/bkt?list-type=2&prefix=v2%2F", map[string]string{"Date": now.Format(http.TimeFormat)})
	r.Header.Set("Authorization", "AWS AK:"+Sign("secret", "GET\n\n\n"+now.Format(http.TimeFormat)+"\n/bkt/"))
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(r, a, "secret", "", now); err != nil {
		t.Fatalf("/bkt signed as /bkt/: %v", err)
	}
	r = newRequest("GET", "/bkt/key", map[string]string{"Date": now.Format(http.TimeFormat)})
	r.Header.Set("Authorization", "AWS AK:"+Sign("secret", "GET\n\n\n"+now.Format(http.TimeFormat)+"\n/bkt/key/"))
	a, _ = Parse(r)
	if err := Verify(r, a, "secret", "", now); KindOf(err) != KindSignatureMismatch {
		t.Fatalf("/bkt/key signed as /bkt/key/: %v", err)
	}
}
