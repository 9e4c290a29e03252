package sigv4

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

type signCase struct {
	name, method, url, body, service, token string
	header                                  map[string]string
}

var signCases = []signCase{
	{name: "sts form", method: http.MethodPost, url: "http://127.0.0.1:4566/", service: "sts", token: testToken,
		body:   "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fr&RoleSessionName=s",
		header: map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8", "User-Agent": "sekisho/dev"}},
	{name: "sts without token", method: http.MethodPost, url: "http://localhost:4566", service: "sts",
		body: "Action=GetCallerIdentity&Version=2011-06-15", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
	{name: "default port", method: http.MethodGet, url: "http://sts.example.com:80/?Action=GetCallerIdentity&Version=2011-06-15", service: "sts"},
	{name: "s3 path and query", method: http.MethodGet, url: "http://127.0.0.1:4566/bucket/a%20b+c%2Fd.txt?list-type=2&prefix=a%2Fb&delimiter=%2F", service: "s3", token: testToken,
		header: map[string]string{"X-Amz-Meta-Note": "  two  spaces  ", "Range": "bytes=0-9"}},
}

func (c signCase) request(t *testing.T) *http.Request {
	t.Helper()
	req := newRequest(t, c.method, c.url, strings.NewReader(c.body))
	if c.body == "" {
		req = newRequest(t, c.method, c.url, nil)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	return req
}

// TestSignMatchesSDK signs each request with Sign and with aws-sdk-go-v2's
// signer and compares the signatures.
func TestSignMatchesSDK(t *testing.T) {
	for _, c := range signCases {
		t.Run(c.name, func(t *testing.T) {
			ours := c.request(t)
			if err := Sign(ours, []byte(c.body), testAKID, testSecret, c.token, testRegion, c.service, signedAt); err != nil {
				t.Fatal(err)
			}
			theirs := c.request(t)
			var opts []func(*v4.SignerOptions)
			if c.service == "s3" {
				theirs.Header.Set("X-Amz-Content-Sha256", sha256Hex([]byte(c.body)))
				opts = append(opts, s3Signing)
			}
			sdkSign(t, theirs, sha256Hex([]byte(c.body)), c.service, c.token, opts...)
			for _, h := range []string{"Authorization", "X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-Sha256"} {
				if ours.Header.Get(h) != theirs.Header.Get(h) {
					t.Errorf("%s:\n ours   %q\n theirs %q", h, ours.Header.Get(h), theirs.Header.Get(h))
				}
			}
			if ours.Host != theirs.Host {
				t.Errorf("host %q, the SDK sends %q", ours.Host, theirs.Host)
			}
		})
	}
}

// TestSignVerifies checks that the package's Verifier accepts what Sign
// produces once the request has crossed the wire.
func TestSignVerifies(t *testing.T) {
	v := NewVerifier(clockAt(signedAt.Add(time.Minute)))
	for _, c := range signCases {
		t.Run(c.name, func(t *testing.T) {
			req := c.request(t)
			if err := Sign(req, []byte(c.body), testAKID, testSecret, c.token, testRegion, c.service, signedAt); err != nil {
				t.Fatal(err)
			}
			sent := wire(t, req)
			a, err := parseAndVerify(t, v, fromWire(t, sent), testSecret)
			if err != nil {
				t.Fatal(err)
			}
			if a.AccessKeyID != testAKID || a.SessionToken != c.token || a.Service != c.service || a.Region != testRegion {
				t.Errorf("parsed %+v", a)
			}
			if _, err := parseAndVerify(t, v, fromWire(t, sent), "wrong"+testSecret); KindOf(err) != KindSignatureMismatch {
				t.Errorf("a wrong secret verified: %v", err)
			}
		})
	}
}

func TestSignRefusesIncompleteInput(t *testing.T) {
	req := newRequest(t, http.MethodGet, "http://127.0.0.1:4566/", nil)
	if err := Sign(req, nil, "", testSecret, "", testRegion, "sts", signedAt); err == nil {
		t.Error("signed without an access key")
	}
	noHost := &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{}}
	if err := Sign(noHost, nil, testAKID, testSecret, "", testRegion, "sts", signedAt); err == nil {
		t.Error("signed a request without a host")
	}
}
