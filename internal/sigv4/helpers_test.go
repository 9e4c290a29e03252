package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	testToken  = "IQoJb3JpZ2luX2VjE/session+token=="
	testRegion = "us-east-1"
)

var signedAt = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

func testCredentials(token string) aws.Credentials {
	return aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret, SessionToken: token}
}

func clockAt(t time.Time) func() time.Time { return func() time.Time { return t } }

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// s3Signing is what the S3 client sets: the path is signed as sent.
func s3Signing(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }

// sdkSign signs req in place with the aws-sdk-go-v2 signer.
func sdkSign(t testing.TB, req *http.Request, payloadHash, service, token string, opts ...func(*v4.SignerOptions)) {
	t.Helper()
	err := v4.NewSigner().SignHTTP(context.Background(), testCredentials(token), req, payloadHash,
		service, testRegion, signedAt, opts...)
	if err != nil {
		t.Fatal(err)
	}
}

// wire returns req as it travels over HTTP/1.1.
func wire(t testing.TB, req *http.Request) string {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// fromWire parses a request the way a server does.
func fromWire(t testing.TB, s string) *http.Request {
	t.Helper()
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(s)))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func serverSide(t testing.TB, req *http.Request) *http.Request {
	t.Helper()
	return fromWire(t, wire(t, req))
}

func newRequest(t testing.TB, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// parseAndVerify runs both phases the way a server does, hashing the body
// itself when the client sent no x-amz-content-sha256.
func parseAndVerify(t testing.TB, v *Verifier, r *http.Request, secret string) (*Auth, error) {
	t.Helper()
	a, err := v.Parse(r)
	if err != nil {
		return nil, err
	}
	bodyHash := ""
	if a.PayloadHash == "" && r.Body != nil {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			t.Fatal(err)
		}
		bodyHash = sha256Hex(body)
	}
	return a, v.Verify(r, a, secret, bodyHash)
}

func wantKind(t testing.TB, err error, want Kind) {
	t.Helper()
	if got := KindOf(err); got != want {
		t.Fatalf("got error %v (kind %v), want kind %v", err, got, want)
	}
}

// testSigningKey derives kSigning independently of the package under test.
func testSigningKey(secret, date, region, service string) []byte {
	mac := func(key []byte, data string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(data))
		return m.Sum(nil)
	}
	return mac(mac(mac(mac([]byte("AWS4"+secret), date), region), service), "aws4_request")
}
