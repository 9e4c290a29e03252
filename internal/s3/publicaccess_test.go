package s3_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	controltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"

	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sekisho/sekisho/internal/testenv"
)

const accountA = "111111111111"

// controlClient is an S3 Control client against the test server, with
// what the SDK does to a custom endpoint left as is (it puts the account
// id in front of the host): every host dials the test server, and the
// hosts sent are recorded.
func controlClient(env *testenv.Env, key, secret string, hosts *hostLog) *s3control.Client {
	cfg := sdkConfig(env, key, secret, "")
	cfg.HTTPClient = awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) { t.DialContext = loopbackDialer(env) })
	return s3control.NewFromConfig(cfg, func(o *s3control.Options) {
		o.APIOptions = append(o.APIOptions, hosts.middleware)
	})
}

// requestIDOf is the x-amz-request-id of a failed call.
func requestIDOf(t *testing.T, err error) string {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("no request id in %v", err)
	}
	return re.ServiceRequestID()
}

// explained joins what explain says about a request's decisions.
func explained(t *testing.T, env *testenv.Env, requestID string) string {
	t.Helper()
	xs, ok := env.Decisions.Explain(requestID)
	if !ok {
		t.Fatalf("no decision logged for %s", requestID)
	}
	var b strings.Builder
	for _, x := range xs {
		b.WriteString(x.Reason + " | " + x.Message + " | " + strings.Join(x.Deciding, "; ") + " | " + x.Advice + "\n")
	}
	return b.String()
}

func wantContains(t *testing.T, what, text string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(text, p) {
			t.Errorf("%s: %q lacks %q", what, text, p)
		}
	}
}

const publicReadPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::sdk-bpa/*"}]}`

// TestSDKPublicAccessBlock: a new bucket blocks all public access; a
// public policy is refused (and explained) until the bucket-level block
// is deleted; then RestrictPublicBuckets at the account level (S3
// Control) takes anonymous and other accounts' access away again.
func TestSDKPublicAccessBlock(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	b := client(env, rootBKey, rootBSecret)
	anon := client(env, "", "", func(o *s3.Options) { o.Credentials = aws.AnonymousCredentials{} })
	bucket := aws.String("sdk-bpa")

	// Buckets that predate the change (the world's) have no configuration.
	_, err := a.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("sdk-a-data")})
	wantError(t, "GetPublicAccessBlock of a world bucket", err, 404, "NoSuchPublicAccessBlockConfiguration")

	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: bucket}))
	got := must[*s3.GetPublicAccessBlockOutput](t, "GetPublicAccessBlock")(a.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket}))
	if c := got.PublicAccessBlockConfiguration; !aws.ToBool(c.BlockPublicAcls) || !aws.ToBool(c.IgnorePublicAcls) || !aws.ToBool(c.BlockPublicPolicy) || !aws.ToBool(c.RestrictPublicBuckets) {
		t.Errorf("new bucket's configuration %+v, want all four on", c)
	}
	must[*s3.PutObjectOutput](t, "PutObject")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("index.html"), Body: strings.NewReader("hello")}))

	// BlockPublicPolicy refuses a public policy, and explain says why.
	_, err = a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(publicReadPolicy)})
	msg := wantError(t, "public PutBucketPolicy under BlockPublicPolicy", err, 403, "AccessDenied")
	wantContains(t, "denial message", msg, `is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::sdk-bpa"`,
		"because public policies are blocked by the BlockPublicPolicy block public access setting")
	wantContains(t, "explain", explained(t, env, requestIDOf(t, err)), "BlockPublicPolicy", "bucket level")
	// A policy naming a principal is not public: accepted.
	named := strings.Replace(publicReadPolicy, `"Principal":"*"`, `"Principal":{"AWS":"arn:aws:iam::222222222222:root"}`, 1)
	must[*s3.PutBucketPolicyOutput](t, "non-public PutBucketPolicy")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(named)}))
	status := must[*s3.GetBucketPolicyStatusOutput](t, "GetBucketPolicyStatus")(a.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: bucket}))
	if aws.ToBool(status.PolicyStatus.IsPublic) {
		t.Errorf("a policy naming account B is reported public")
	}

	// Other accounts cannot change the bucket's block.
	_, err = b.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: bucket})
	wantError(t, "DeletePublicAccessBlock by B", err, 403, "AccessDenied")

	// Turned off, the public policy is accepted and anonymous reads work.
	must[*s3.DeletePublicAccessBlockOutput](t, "DeletePublicAccessBlock")(a.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: bucket}))
	_, err = a.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket})
	wantError(t, "GetPublicAccessBlock after delete", err, 404, "NoSuchPublicAccessBlockConfiguration")
	must[*s3.DeletePublicAccessBlockOutput](t, "DeletePublicAccessBlock again")(a.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: bucket}))
	must[*s3.PutBucketPolicyOutput](t, "public PutBucketPolicy")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(publicReadPolicy)}))
	status = must[*s3.GetBucketPolicyStatusOutput](t, "GetBucketPolicyStatus")(a.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: bucket}))
	if !aws.ToBool(status.PolicyStatus.IsPublic) {
		t.Errorf("a policy granting to * is not reported public")
	}
	must[*s3.GetObjectOutput](t, "anonymous GetObject")(anon.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("index.html")}))
	must[*s3.GetObjectOutput](t, "GetObject by B")(b.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("index.html")}))

	// RestrictPublicBuckets at the account level, through S3 Control.
	var hosts hostLog
	control := controlClient(env, rootAKey, rootASecret, &hosts)
	_, err = control.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(accountA)})
	wantError(t, "account GetPublicAccessBlock unset", err, 404, "NoSuchPublicAccessBlockConfiguration")
	must[*s3control.PutPublicAccessBlockOutput](t, "account PutPublicAccessBlock")(control.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{
		AccountId: aws.String(accountA), PublicAccessBlockConfiguration: &controltypes.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}}))
	acct := must[*s3control.GetPublicAccessBlockOutput](t, "account GetPublicAccessBlock")(control.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(accountA)}))
	if c := acct.PublicAccessBlockConfiguration; !aws.ToBool(c.RestrictPublicBuckets) || aws.ToBool(c.BlockPublicPolicy) || aws.ToBool(c.BlockPublicAcls) || aws.ToBool(c.IgnorePublicAcls) {
		t.Errorf("account configuration %+v, want RestrictPublicBuckets only", c)
	}
	if len(hosts.all()) == 0 {
		t.Error("no S3 Control request host recorded")
	}
	for _, h := range hosts.all() {
		if !strings.HasPrefix(h, accountA+".") {
			t.Errorf("S3 Control request host %q: the SDK was expected to prefix the account id", h)
		}
	}

	_, err = anon.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("index.html")})
	wantError(t, "anonymous GetObject under RestrictPublicBuckets", err, 403, "AccessDenied")
	wantContains(t, "explain", explained(t, env, requestIDOf(t, err)), "RestrictPublicBuckets", "account level", "account "+accountA)
	_, err = b.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("index.html")})
	wantError(t, "GetObject by B under RestrictPublicBuckets", err, 403, "AccessDenied")
	// The owner's account keeps access through the public policy.
	nobody := client(env, nobodyKey, nobodySecret)
	must[*s3.GetObjectOutput](t, "GetObject by a user of the owner's account")(nobody.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("index.html")}))

	// Only account A manages account A's settings.
	bControl := controlClient(env, rootBKey, rootBSecret, &hosts)
	_, err = bControl.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(accountA)})
	wantError(t, "account GetPublicAccessBlock by B", err, 403, "AccessDenied")
	_, err = bControl.DeletePublicAccessBlock(ctx, &s3control.DeletePublicAccessBlockInput{AccountId: aws.String(accountA)})
	wantError(t, "account DeletePublicAccessBlock by B", err, 403, "AccessDenied")
	nobodyControl := controlClient(env, nobodyKey, nobodySecret, &hosts)
	_, err = nobodyControl.DeletePublicAccessBlock(ctx, &s3control.DeletePublicAccessBlockInput{AccountId: aws.String(accountA)})
	wantError(t, "account DeletePublicAccessBlock without s3:PutAccountPublicAccessBlock", err, 403, "AccessDenied")

	// Deleted, the account block stops applying.
	must[*s3control.DeletePublicAccessBlockOutput](t, "account DeletePublicAccessBlock")(control.DeletePublicAccessBlock(ctx, &s3control.DeletePublicAccessBlockInput{AccountId: aws.String(accountA)}))
	_, err = control.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(accountA)})
	wantError(t, "account GetPublicAccessBlock after delete", err, 404, "NoSuchPublicAccessBlockConfiguration")
	must[*s3.GetObjectOutput](t, "anonymous GetObject after the account block is gone")(anon.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("index.html")}))

	// BlockPublicPolicy at the account level refuses a public policy
	// on a bucket with no block of its own, and explain names the level.
	must[*s3control.PutPublicAccessBlockOutput](t, "account PutPublicAccessBlock")(control.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{
		AccountId: aws.String(accountA), PublicAccessBlockConfiguration: &controltypes.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)}}))
	_, err = a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(publicReadPolicy)})
	wantError(t, "public PutBucketPolicy under account BlockPublicPolicy", err, 403, "AccessDenied")
	wantContains(t, "explain", explained(t, env, requestIDOf(t, err)), "BlockPublicPolicy", "account level")

	// A partial bucket configuration round-trips as sent.
	must[*s3.PutPublicAccessBlockOutput](t, "PutPublicAccessBlock")(a.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: bucket,
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)}}))
	got = must[*s3.GetPublicAccessBlockOutput](t, "GetPublicAccessBlock")(a.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: bucket}))
	if c := got.PublicAccessBlockConfiguration; !aws.ToBool(c.IgnorePublicAcls) || aws.ToBool(c.BlockPublicAcls) || aws.ToBool(c.BlockPublicPolicy) || aws.ToBool(c.RestrictPublicBuckets) {
		t.Errorf("bucket configuration %+v, want IgnorePublicAcls only", c)
	}
}

// TestPublicAccessBlockBadInput: malformed documents and requests get
// S3's errors, and nothing is stored.
func TestPublicAccessBlockBadInput(t *testing.T) {
	env := startSDK(t)
	badDocs := []string{"<NotIt/>", "<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>", "not xml"}
	for _, doc := range badDocs {
		r := rawRequest{Method: "PUT", Target: "/sdk-a-data?publicAccessBlock", Body: []byte(doc), Key: rootAKey, Secret: rootASecret,
			Header: map[string]string{"Content-MD5": contentMD5(doc)}}
		if got := r.do(t, env); got.Status != 400 || got.Code != "MalformedXML" {
			t.Errorf("bucket PutPublicAccessBlock %q: %d %s, want 400 MalformedXML", doc, got.Status, got.Code)
		}
		r = rawRequest{Method: "PUT", Target: "/v20180820/configuration/publicAccessBlock", Body: []byte(doc), Key: rootAKey, Secret: rootASecret,
			Header: map[string]string{"x-amz-account-id": accountA}}
		if got := r.do(t, env); got.Status != 400 || !strings.Contains(got.Body, "<ErrorResponse><Error><Code>MalformedXML</Code>") {
			t.Errorf("account PutPublicAccessBlock %q: %d %s, want 400 MalformedXML in an ErrorResponse", doc, got.Status, got.Body)
		}
	}
	noDigest := rawRequest{Method: "PUT", Target: "/sdk-a-data?publicAccessBlock", Body: []byte("<PublicAccessBlockConfiguration/>"), Key: rootAKey, Secret: rootASecret}
	if got := noDigest.do(t, env); got.Status != 400 {
		t.Errorf("bucket PutPublicAccessBlock without Content-MD5: %d %s, want 400", got.Status, got.Code)
	}
	_, err := client(env, rootAKey, rootASecret).GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String("sdk-a-data")})
	wantError(t, "GetPublicAccessBlock after bad puts", err, 404, "NoSuchPublicAccessBlockConfiguration")

	// Without x-amz-account-id the path is a path-style S3 request for a
	// bucket named v20180820.
	missing := rawRequest{Method: "GET", Target: "/v20180820/configuration/publicAccessBlock", Key: rootAKey, Secret: rootASecret}
	if got := missing.do(t, env); got.Status != 404 || got.Code != "NoSuchBucket" {
		t.Errorf("/v20180820/... without x-amz-account-id: %d %s, want 404 NoSuchBucket", got.Status, got.Body)
	}
	anonymous := rawRequest{Method: "GET", Target: "/v20180820/configuration/publicAccessBlock", Header: map[string]string{"x-amz-account-id": accountA}}
	if got := anonymous.do(t, env); got.Status != 403 || !strings.Contains(got.Body, "<ErrorResponse><Error><Code>AccessDenied</Code>") {
		t.Errorf("anonymous S3 Control: %d %s, want 403 AccessDenied in an ErrorResponse", got.Status, got.Body)
	}
}

// hostLog records the Host of each request a client sends.
type hostLog struct {
	mu    sync.Mutex
	hosts []string
}

func (h *hostLog) all() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.hosts...)
}

// middleware records each request's Host once it is built.
func (h *hostLog) middleware(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("recordHost", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		if req, ok := in.Request.(*smithyhttp.Request); ok {
			h.mu.Lock()
			h.hosts = append(h.hosts, req.URL.Host)
			h.mu.Unlock()
		}
		return next.HandleFinalize(ctx, in)
	}), middleware.After)
}
