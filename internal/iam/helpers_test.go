package iam_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sekisho/sekisho/internal/testenv"
)

// Demo world credentials (internal/world/demo.yaml).
const (
	accountA    = "111111111111"
	accountB    = "222222222222"
	rootAKey    = "AKIA1111ROOT00000001"
	rootASecret = "DemoRootSecretForAccountA0000000000000001"
	rootBKey    = "AKIA2222ROOT00000001"
	rootBSecret = "DemoRootSecretForAccountB0000000000000001"
	carolKey    = "AKIA2222CAROL0000001"
	carolSecret = "DemoSecretForCarolNoPoliciesAccountB0001"
	aliceKey    = "AKIA2222ALICE0000001"
	aliceSecret = "DemoSecretForAliceInAccountB000000000001"
)

// Policy documents used across the tests.
const (
	allowS3Read = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	allowIAM    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}`
	trustEC2    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
)

var bg = context.Background()

// client is an IAM client of the demo server with the given long-term key.
func client(env *testenv.Env, key, secret string) *iam.Client {
	return iam.New(iam.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(env.URL),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""),
		Retryer:     aws.NopRetryer{},
	})
}

// start runs the test in parallel with a fresh demo server.
func start(t *testing.T) *testenv.Env {
	t.Helper()
	t.Parallel()
	return testenv.Start(t)
}

// rootA starts a server and returns it with account A's root client.
func rootA(t *testing.T) (*testenv.Env, *iam.Client) {
	t.Helper()
	env := start(t)
	return env, client(env, rootAKey, rootASecret)
}

// wantCode fails unless err is an AWS error with code and HTTP status.
func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want %s, got %s: %s", code, ae.ErrorCode(), ae.ErrorMessage())
	}
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("%s: want status %d, got %d", code, status, re.HTTPStatusCode())
	}
}

// wantError is wantCode that also checks the message.
func wantError(t *testing.T, err error, code string, status int, message string) {
	t.Helper()
	wantCode(t, err, code, status)
	var ae smithy.APIError
	errors.As(err, &ae)
	if ae.ErrorMessage() != message {
		t.Fatalf("%s: want message %q, got %q", code, message, ae.ErrorMessage())
	}
}

// must returns v, failing the test on err: must(c.CreateUser(...))(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// decode undoes IAM's URL-encoding of policy documents, which the Go SDK
// (unlike botocore) leaves to the caller.
func decode(t *testing.T, s *string) string {
	t.Helper()
	if s == nil {
		t.Fatal("document missing")
	}
	d, err := url.QueryUnescape(*s)
	if err != nil {
		t.Fatalf("document %q is not URL-encoded: %v", *s, err)
	}
	return d
}

// raw sends a hand-built, SigV4-signed form body to the server and
// returns the status and response body.
func raw(t *testing.T, env *testenv.Env, key, secret string, form string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(bg, creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(body)
}
