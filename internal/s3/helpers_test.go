package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// Demo-world keys.
const (
	rootAKey    = "AKIA1111ROOT00000001"
	rootASecret = "DemoRootSecretForAccountA0000000000000001"
	rootBKey    = "AKIA2222ROOT00000001"
	rootBSecret = "DemoRootSecretForAccountB0000000000000001"
	aliceKey    = "AKIA2222ALICE0000001"
	aliceSecret = "DemoSecretForAliceInAccountB000000000001"
	carolKey    = "AKIA2222CAROL0000001"
	carolSecret = "DemoSecretForCarolNoPoliciesAccountB0001"
)

// Keys of the users sdkWorld adds.
const (
	getterKey     = "AKIA1111GETTER000001" // A: s3:GetObject on sdk-a-data/* only
	getterSecret  = "GetterSecretInAccountA000000000000000001"
	deleterKey    = "AKIA1111DELETER00001" // A: s3:DeleteObject on sdk-a-data/allowed/* only
	deleterSecret = "DeleterSecretInAccountA00000000000000001"
	nobodyKey     = "AKIA1111NOBODY000001" // A: no policies
	nobodySecret  = "NobodySecretInAccountA000000000000000001"
	copierKey     = "AKIA2222COPIER000001" // B: reads sdk-a-shared/*, writes sdk-b-dest/* and (by both policies) sdk-a-shared/incoming/*
	copierSecret  = "CopierSecretInAccountB000000000000000001"
	noreadKey     = "AKIA2222NOREAD000001" // B: writes sdk-b-dest/* only
	noreadSecret  = "NoreadSecretInAccountB000000000000000001"
)

// sdkWorld adds to the demo world the users and buckets the S3 tests need.
const sdkWorld = `
accounts:
  - id: "111111111111"
    users:
      - name: sdk-getter
        access_keys: [{access_key_id: AKIA1111GETTER000001, secret_access_key: GetterSecretInAccountA000000000000000001}]
        inline_policies:
          get: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::sdk-a-data/*"}]}
      - name: sdk-deleter
        access_keys: [{access_key_id: AKIA1111DELETER00001, secret_access_key: DeleterSecretInAccountA00000000000000001}]
        inline_policies:
          del: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:DeleteObject", Resource: "arn:aws:s3:::sdk-a-data/allowed/*"}]}
      - name: sdk-nobody
        access_keys: [{access_key_id: AKIA1111NOBODY000001, secret_access_key: NobodySecretInAccountA000000000000000001}]
    buckets:
      - name: sdk-a-data
        objects: {"seed.txt": "seed\n"}
      - name: sdk-a-shared
        objects: {"public/src.txt": "shared source\n", "private/src.txt": "private\n"}
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: CopiersReadPublic
              Effect: Allow
              Principal: {AWS: ["arn:aws:iam::222222222222:user/sdk-copier", "arn:aws:iam::222222222222:user/sdk-noread"]}
              Action: s3:GetObject
              Resource: arn:aws:s3:::sdk-a-shared/public/*
            - Sid: CopierWritesIncoming
              Effect: Allow
              Principal: {AWS: "arn:aws:iam::222222222222:user/sdk-copier"}
              Action: s3:PutObject
              Resource: arn:aws:s3:::sdk-a-shared/incoming/*
            - Sid: AccountBMayManagePolicy
              Effect: Allow
              Principal: {AWS: "arn:aws:iam::222222222222:root"}
              Action: [s3:GetBucketPolicy, s3:PutBucketPolicy, s3:DeleteBucketPolicy, s3:GetBucketPolicyStatus]
              Resource: arn:aws:s3:::sdk-a-shared
      - name: sdk-public
        objects: {"pub/hello.txt": "hello, anyone\n", "secret.txt": "not for you\n"}
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: PublicRead
              Effect: Allow
              Principal: "*"
              Action: s3:GetObject
              Resource: arn:aws:s3:::sdk-public/pub/*
  - id: "222222222222"
    users:
      - name: sdk-copier
        access_keys: [{access_key_id: AKIA2222COPIER000001, secret_access_key: CopierSecretInAccountB000000000000000001}]
        inline_policies:
          copy:
            Version: "2012-10-17"
            Statement:
              - {Effect: Allow, Action: "s3:GetObject", Resource: "arn:aws:s3:::sdk-a-shared/*"}
              - {Effect: Allow, Action: "s3:PutObject", Resource: ["arn:aws:s3:::sdk-b-dest/*", "arn:aws:s3:::sdk-a-shared/*"]}
      - name: sdk-noread
        access_keys: [{access_key_id: AKIA2222NOREAD000001, secret_access_key: NoreadSecretInAccountB000000000000000001}]
        inline_policies:
          put: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: "s3:PutObject", Resource: "arn:aws:s3:::sdk-b-dest/*"}]}
    buckets:
      - name: sdk-b-dest
`

// startSDK starts a server with the demo world and sdkWorld.
func startSDK(t *testing.T, opts ...testenv.Option) *testenv.Env {
	t.Helper()
	w, err := world.Parse([]byte(sdkWorld))
	if err != nil {
		t.Fatal(err)
	}
	return testenv.Start(t, append([]testenv.Option{testenv.WithWorld(w)}, opts...)...)
}

// client is an S3 client with the SDK's defaults (checksums included),
// path-style against the test server.
func client(env *testenv.Env, key, secret string, opts ...func(*s3.Options)) *s3.Client {
	return s3.NewFromConfig(sdkConfig(env, key, secret, ""), append([]func(*s3.Options){func(o *s3.Options) { o.UsePathStyle = true }}, opts...)...)
}

var ctx = context.Background()

// sdkConfig is what config.LoadDefaultConfig gives on a clean machine
// (request checksums and response validation "when supported"), without
// reading the environment or ~/.aws. Retries are off: errors are expected.
func sdkConfig(env *testenv.Env, key, secret, token string) aws.Config {
	return aws.Config{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(env.URL),
		Credentials:                credentials.NewStaticCredentialsProvider(key, secret, token),
		Retryer:                    func() aws.Retryer { return aws.NopRetryer{} },
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
}

// apiError returns the HTTP status, code and message of an SDK error.
func apiError(err error) (int, string, string) {
	status := 0
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return status, ae.ErrorCode(), ae.ErrorMessage()
	}
	return status, "", ""
}

// wantError fails unless err is an S3 error with status and code.
func wantError(t *testing.T, what string, err error, status int, code string) string {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: succeeded, want %d %s", what, status, code)
	}
	gotStatus, gotCode, msg := apiError(err)
	if gotStatus != status || (code != "" && gotCode != code) {
		t.Fatalf("%s: got %d %s (%v), want %d %s", what, gotStatus, gotCode, err, status, code)
	}
	return msg
}

func must[T any](t *testing.T, what string) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
}

func readAll(t *testing.T, r io.ReadCloser) string {
	t.Helper()
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return string(b)
}

// rawResponse is a raw request's outcome with its S3 error document.
type rawResponse struct {
	Status  int
	Header  http.Header
	Body    string
	Code    string `xml:"Code"`
	Message string `xml:"Message"`
}

// rawRequest describes a hand-made request.
type rawRequest struct {
	Method, Target string // Target: path and query, already escaped
	Host           string // overrides the Host header (virtual-hosted style)
	Header         map[string]string
	Body           []byte
	PayloadHash    string // x-amz-content-sha256; default: the body's SHA-256
	Key, Secret    string // empty: unsigned
}

// do sends r to env, signed with SigV4 as the SDK signs S3 requests.
func (r rawRequest) do(t *testing.T, env *testenv.Env) rawResponse {
	t.Helper()
	req, err := http.NewRequest(r.Method, env.URL+r.Target, bytes.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if r.Host != "" {
		req.Host = r.Host
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	if r.Key != "" {
		hash := r.PayloadHash
		if hash == "" {
			sum := sha256.Sum256(r.Body)
			hash = hex.EncodeToString(sum[:])
		}
		req.Header.Set("X-Amz-Content-Sha256", hash)
		signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
		creds := aws.Credentials{AccessKeyID: r.Key, SecretAccessKey: r.Secret}
		if err := signer.SignHTTP(ctx, creds, req, hash, "s3", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.Target, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: string(body)}
	_ = xml.Unmarshal(body, &out)
	if out.Status >= 500 && out.Status != http.StatusNotImplemented { // 501: an honest NotImplemented
		t.Errorf("%s %s: server error %d %s", r.Method, r.Target, out.Status, body)
	}
	return out
}

// wireResponse sends a request signed by account A's root over a bare
// connection and returns the response head as it came, header case intact.
func wireResponse(t *testing.T, env *testenv.Env, method, target string) string {
	t.Helper()
	req, _ := http.NewRequest(method, env.URL+target, nil)
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err := signer.SignHTTP(ctx, aws.Credentials{AccessKeyID: rootAKey, SecretAccessKey: rootASecret}, req, emptySHA256, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	req.Close = true
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	head, _ := io.ReadAll(io.LimitReader(conn, 64<<10))
	return string(head)
}

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// loopbackDialer connects every address (bucket.localhost:port included)
// to the test server's port on 127.0.0.1: *.localhost names need not
// resolve on the test machine.
func loopbackDialer(env *testenv.Env) func(context.Context, string, string) (net.Conn, error) {
	u, _ := url.Parse(env.URL)
	var d net.Dialer
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, "127.0.0.1:"+u.Port())
	}
}

func port(env *testenv.Env) string {
	u, _ := url.Parse(env.URL)
	return u.Port()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
