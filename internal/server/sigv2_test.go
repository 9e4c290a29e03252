package server_test

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/sigv2"
	"github.com/sekisho/sekisho/internal/testenv"
)

const (
	aliceKey    = "AKIA2222ALICE0000001"
	aliceSecret = "DemoSecretForAliceInAccountB000000000001"
)

// sigV2Error is S3's error document with the elements of SigV2 failures.
type sigV2Error struct {
	Code, Message                                 string
	AWSAccessKeyId, StringToSign                  string
	SignatureProvided, StringToSignBytes          string
	Expires, ServerTime, RequestTime              string
	MaxAllowedSkewMilliseconds, Region, RequestId string
	ArgumentName, ArgumentValue                   string
}

// v2Request is a request to sign with SigV2 the way SigV2 clients do.
func v2Request(t *testing.T, method, target string, header map[string]string, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if req.Header.Get("Date") == "" {
		req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	}
	return req
}

// stringToSign computes the string to sign as the server will see req:
// the path as sent (RequestURI) is what a client signs.
func stringToSign(t *testing.T, req *http.Request, presigned bool) string {
	t.Helper()
	server := req.Clone(context.Background())
	server.RequestURI = req.URL.RequestURI()
	a, err := sigv2.Parse(server)
	if err != nil || a == nil {
		t.Fatalf("sigv2.Parse of the request to sign: %v", err)
	}
	return sigv2.StringToSign(server, a, "")
}

// signV2 adds an Authorization: AWS header to req.
func signV2(t *testing.T, req *http.Request, key, secret string) {
	t.Helper()
	req.Header.Set("Authorization", "AWS "+key+":placeholder")
	req.Header.Set("Authorization", "AWS "+key+":"+sigv2.Sign(secret, stringToSign(t, req, false)))
}

// presignV2 returns target presigned with SigV2 until expires.
func presignV2(t *testing.T, method, target, key, secret string, expires time.Time) string {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.RawQuery
	if q != "" {
		q += "&"
	}
	epoch := strconv.FormatInt(expires.Unix(), 10)
	u.RawQuery = q + "AWSAccessKeyId=" + key + "&Expires=" + epoch + "&Signature=placeholder"
	req, _ := http.NewRequest(method, u.String(), nil)
	sig := sigv2.Sign(secret, stringToSign(t, req, true))
	u.RawQuery = q + "AWSAccessKeyId=" + key + "&Expires=" + epoch + "&Signature=" + url.QueryEscape(sig)
	return u.String()
}

// presignerAt presigns as if at a fixed time.
type presignerAt struct {
	at     time.Time
	signer *v4.Signer
}

func (p presignerAt) PresignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string,
	_ time.Time, optFns ...func(*v4.SignerOptions)) (string, http.Header, error) {
	return p.signer.PresignHTTP(ctx, creds, r, payloadHash, service, region, p.at, optFns...)
}

func doV2(t *testing.T, req *http.Request) (int, sigV2Error, string, http.Header) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var doc sigV2Error
	_ = xml.Unmarshal(raw, &doc)
	return resp.StatusCode, doc, string(raw), resp.Header
}

func TestSigV2HeaderSigned(t *testing.T) {
	env, _ := startWithSecret(t)
	objURL := env.URL + "/" + demoBucket + "/" + secretKey

	req := v2Request(t, "GET", objURL, nil, "")
	signV2(t, req, rootAKey, rootASecret)
	if status, _, raw, _ := doV2(t, req); status != 200 || raw != secretBody {
		t.Fatalf("SigV2 GET: %d %s", status, raw)
	}

	req = v2Request(t, "PUT", env.URL+"/"+demoBucket+"/v2/put.txt", map[string]string{
		"Content-Type": "text/plain", "X-Amz-Meta-Sig": "v2", "X-Amz-Date": time.Now().UTC().Format(http.TimeFormat)}, "written over SigV2")
	signV2(t, req, rootAKey, rootASecret)
	if status, _, raw, _ := doV2(t, req); status != 200 {
		t.Fatalf("SigV2 PUT with x-amz-date: %d %s", status, raw)
	}
}

// TestSigV2HeaderNotSigned: a header added to (or changed in) a SigV2
// request after signing is refused with S3's SignatureDoesNotMatch, which
// shows the string to sign the server computed.
func TestSigV2HeaderNotSigned(t *testing.T) {
	env, c := startWithSecret(t)
	for name, tamper := range map[string]func(*http.Request){
		"x-amz-* header added": func(r *http.Request) { r.Header.Set("X-Amz-Meta-Planted", "yes") },
		"x-amz-acl added":      func(r *http.Request) { r.Header.Set("x-amz-acl", "public-read") },
		"content-type changed": func(r *http.Request) { r.Header.Set("Content-Type", "text/html") },
		"sub-resource added":   func(r *http.Request) { r.URL.RawQuery = "tagging" },
	} {
		t.Run(name, func(t *testing.T) {
			req := v2Request(t, "PUT", env.URL+"/"+demoBucket+"/v2/tampered", map[string]string{"Content-Type": "text/plain"}, "x")
			signV2(t, req, rootAKey, rootASecret)
			tamper(req)
			status, doc, raw, _ := doV2(t, req)
			if status != 403 || doc.Code != "SignatureDoesNotMatch" || doc.AWSAccessKeyId != rootAKey ||
				doc.Message != "The request signature we calculated does not match the signature you provided. Check your key and signing method." ||
				!strings.HasPrefix(doc.StringToSign, "PUT\n") || doc.SignatureProvided == "" || !strings.HasPrefix(doc.StringToSignBytes, "50 55 54 0a") {
				t.Fatalf("got %d\n%s", status, raw)
			}
			wantNoObject(t, c, "v2/tampered")
		})
	}
}

func TestSigV2Presigned(t *testing.T) {
	env, _ := startWithSecret(t)
	objURL := env.URL + "/" + demoBucket + "/" + secretKey

	url := presignV2(t, "GET", objURL, rootAKey, rootASecret, time.Now().Add(time.Hour))
	if status, _, raw, _ := doV2(t, v2Request(t, "GET", url, nil, "")); status != 200 || raw != secretBody {
		t.Fatalf("presigned V2 GET: %d %s", status, raw)
	}

	expired := presignV2(t, "GET", objURL, rootAKey, rootASecret, time.Now().Add(-time.Minute))
	status, doc, raw, _ := doV2(t, v2Request(t, "GET", expired, nil, ""))
	if status != 403 || doc.Code != "AccessDenied" || doc.Message != "Request has expired" || doc.Expires == "" || doc.ServerTime == "" {
		t.Fatalf("expired presigned V2 GET: %d %s", status, raw)
	}

	// A URL presigned for GetObject cannot be turned into another
	// operation on the same object.
	status, doc, raw, _ = doV2(t, v2Request(t, "GET", strings.Replace(url, "?", "?tagging&", 1), nil, ""))
	if status != 403 || doc.Code != "SignatureDoesNotMatch" {
		t.Fatalf("presigned GET turned into GetObjectTagging: %d %s", status, raw)
	}

	// A presigned SigV2 request for a bucket called "latest" is S3's, not
	// the instance metadata endpoint's.
	latest := presignV2(t, "GET", env.URL+"/latest/meta-data/iam", rootAKey, rootASecret, time.Now().Add(time.Hour))
	if status, doc, raw, _ := doV2(t, v2Request(t, "GET", latest, nil, "")); status != 404 || doc.Code != "NoSuchBucket" {
		t.Fatalf("presigned V2 GET of bucket latest: %d %s", status, raw)
	}

	for name, c := range map[string]struct {
		target, code, message string
		status                int
	}{
		"no Expires":  {objURL + "?AWSAccessKeyId=" + rootAKey + "&Signature=c2ln", "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters", 403},
		"bad Expires": {objURL + "?AWSAccessKeyId=" + rootAKey + "&Signature=c2ln&Expires=soon", "AccessDenied", "Invalid date (should be seconds since epoch): soon", 403},
		"unknown key": {objURL + "?AWSAccessKeyId=AKIANOBODY0000000000&Signature=c2ln&Expires=9999999999", "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403},
	} {
		status, doc, raw, _ := doV2(t, v2Request(t, "GET", c.target, nil, ""))
		if status != c.status || doc.Code != c.code || doc.Message != c.message {
			t.Errorf("%s: got %d\n%s", name, status, raw)
		}
	}
}

func TestSigV2Errors(t *testing.T) {
	env, _ := startWithSecret(t)
	objURL := env.URL + "/" + demoBucket + "/" + secretKey

	req := v2Request(t, "GET", objURL, map[string]string{"Date": time.Now().Add(-20 * time.Minute).UTC().Format(http.TimeFormat)}, "")
	signV2(t, req, rootAKey, rootASecret)
	status, doc, raw, _ := doV2(t, req)
	if status != 403 || doc.Code != "RequestTimeTooSkewed" || doc.MaxAllowedSkewMilliseconds != "900000" || doc.RequestTime == "" {
		t.Fatalf("skewed SigV2: %d %s", status, raw)
	}

	req = v2Request(t, "GET", objURL, map[string]string{"Authorization": "AWS " + rootAKey}, "")
	status, doc, raw, _ = doV2(t, req)
	if status != 400 || doc.Code != "InvalidArgument" || doc.ArgumentName != "Authorization" ||
		doc.Message != "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature" {
		t.Fatalf("malformed SigV2 header: %d %s", status, raw)
	}

	req = v2Request(t, "GET", objURL+"?AWSAccessKeyId=x&Signature=y&Expires=1", map[string]string{"Authorization": "AWS " + rootAKey + ":c2ln"}, "")
	if status, doc, raw, _ = doV2(t, req); status != 400 || doc.Code != "InvalidArgument" {
		t.Fatalf("two mechanisms: %d %s", status, raw)
	}
}

// TestSignatureVersionCondition: a bucket policy denying
// s3:signatureversion "AWS" refuses SigV2 and lets SigV4 through; one
// denying s3:authType REST-QUERY-STRING refuses presigned URLs of either
// version.
func TestSignatureVersionCondition(t *testing.T) {
	env, c := startWithSecret(t)
	ctx := context.Background()
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::` + demoBucket + `/v4only/*",
	  "Condition":{"StringEquals":{"s3:signatureversion":"AWS"}}},
	 {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::` + demoBucket + `/noquery/*",
	  "Condition":{"StringEquals":{"s3:authType":"REST-QUERY-STRING"}}},
	 {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + demoBucket + `/fresh/*",
	  "Condition":{"NumericGreaterThan":{"s3:signatureAge":"600000"}}}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(demoBucket), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"v4only/a.txt", "noquery/a.txt", "fresh/a.txt"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(key), Body: strings.NewReader("a")}); err != nil {
			t.Fatalf("SigV4 PutObject %s: %v", key, err)
		}
	}
	base := env.URL + "/" + demoBucket + "/"

	req := v2Request(t, "GET", base+"v4only/a.txt", nil, "")
	signV2(t, req, rootAKey, rootASecret)
	if status, doc, raw, _ := doV2(t, req); status != 403 || doc.Code != "AccessDenied" {
		t.Fatalf("SigV2 GET under a policy denying s3:signatureversion AWS: %d %s", status, raw)
	}
	if _, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("v4only/a.txt")}); err != nil {
		t.Fatalf("SigV4 GET under the same policy: %v", err)
	}

	req = v2Request(t, "GET", base+"noquery/a.txt", nil, "")
	signV2(t, req, rootAKey, rootASecret)
	if status, _, raw, _ := doV2(t, req); status != 200 {
		t.Fatalf("header-signed SigV2 under a policy denying REST-QUERY-STRING: %d %s", status, raw)
	}
	url := presignV2(t, "GET", base+"noquery/a.txt", rootAKey, rootASecret, time.Now().Add(time.Hour))
	if status, doc, raw, _ := doV2(t, v2Request(t, "GET", url, nil, "")); status != 403 || doc.Code != "AccessDenied" {
		t.Fatalf("presigned SigV2 under a policy denying REST-QUERY-STRING: %d %s", status, raw)
	}
	presigned, err := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("noquery/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if status, doc, raw, _ := doV2(t, v2Request(t, "GET", presigned.URL, nil, "")); status != 403 || doc.Code != "AccessDenied" {
		t.Fatalf("presigned SigV4 under a policy denying REST-QUERY-STRING: %d %s", status, raw)
	}

	// s3:signatureAge: a SigV4 URL signed 11 minutes ago is refused, a
	// fresh one is not; SigV2's age is always 0.
	old, err := s3.NewPresignClient(c, func(o *s3.PresignOptions) {
		o.Presigner = presignerAt{at: time.Now().Add(-11 * time.Minute), signer: v4.NewSigner()}
	}).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("fresh/a.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if status, doc, raw, _ := doV2(t, v2Request(t, "GET", old.URL, nil, "")); status != 403 || doc.Code != "AccessDenied" {
		t.Fatalf("SigV4 URL signed 11 minutes ago, policy denies s3:signatureAge > 600000: %d %s", status, raw)
	}
	fresh, _ := s3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("fresh/a.txt")})
	if status, _, raw, _ := doV2(t, v2Request(t, "GET", fresh.URL, nil, "")); status != 200 {
		t.Fatalf("fresh SigV4 URL: %d %s", status, raw)
	}
	url = presignV2(t, "GET", base+"fresh/a.txt", rootAKey, rootASecret, time.Now().Add(time.Hour))
	if status, _, raw, _ := doV2(t, v2Request(t, "GET", url, nil, "")); status != 200 {
		t.Fatalf("SigV2 URL (signature age 0): %d %s", status, raw)
	}
}

// TestWrongSigningRegion: a request signed for another region than the
// bucket's is refused with the region S3 expects, in the error document
// and in x-amz-bucket-region. aws-sdk-go-v2 does not retry there by
// itself: the caller sees the error.
func TestWrongSigningRegion(t *testing.T) {
	env, _ := startWithSecret(t)
	ctx := context.Background()
	tokyo := s3.New(s3.Options{
		Region: "ap-northeast-1", BaseEndpoint: aws.String(env.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(rootAKey, rootASecret, ""),
		Retryer:     aws.NopRetryer{},
	})
	_, err := tokyo.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(secretKey)})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "AuthorizationHeaderMalformed" ||
		api.ErrorMessage() != "The authorization header is malformed; the region 'ap-northeast-1' is wrong; expecting 'us-east-1'" {
		t.Fatalf("GetObject signed for ap-northeast-1: %v", err)
	}
	_, err = tokyo.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("from-tokyo"), Body: strings.NewReader("x")})
	if !errors.As(err, &api) || api.ErrorCode() != "AuthorizationHeaderMalformed" {
		t.Fatalf("PutObject signed for ap-northeast-1: %v", err)
	}
	wantNoObject(t, rootAClient(env), "from-tokyo")

	// The raw document: <Region>, and the header HEAD requests rely on.
	presigned, err := s3.NewPresignClient(tokyo).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(secretKey)})
	if err != nil {
		t.Fatal(err)
	}
	status, doc, raw, header := doV2(t, v2Request(t, "GET", presigned.URL, nil, ""))
	if status != 400 || doc.Code != "AuthorizationQueryParametersError" || doc.Region != "us-east-1" ||
		doc.Message != "Error parsing the X-Amz-Credential parameter; the region 'ap-northeast-1' is wrong; expecting 'us-east-1'" ||
		header.Get("x-amz-bucket-region") != "us-east-1" {
		t.Fatalf("presigned for ap-northeast-1: %d %v\n%s", status, header, raw)
	}
	_, err = tokyo.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(secretKey)})
	var re interface{ HTTPStatusCode() int }
	if !errors.As(err, &re) || re.HTTPStatusCode() != 400 {
		t.Fatalf("HeadObject signed for ap-northeast-1: %v", err)
	}

	// Not held to a region: ListBuckets, GetBucketLocation, CreateBucket
	// (its LocationConstraint rules apply), buckets that do not exist.
	if _, err := tokyo.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("ListBuckets signed for ap-northeast-1: %v", err)
	}
	if _, err := tokyo.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String(demoBucket)}); err != nil {
		t.Fatalf("GetBucketLocation signed for ap-northeast-1: %v", err)
	}
	_, err = tokyo.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("no-such-bucket-sigv2"), Key: aws.String("k")})
	if !errors.As(err, &api) || api.ErrorCode() != "NoSuchBucket" {
		t.Fatalf("GetObject in a missing bucket: %v", err)
	}
	if _, err := tokyo.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("tokyo-bucket-sigv2"),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraintApNortheast1}}); err != nil {
		t.Fatalf("CreateBucket in ap-northeast-1: %v", err)
	}
	if _, err := tokyo.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("tokyo-bucket-sigv2"), Key: aws.String("k"), Body: strings.NewReader("x")}); err != nil {
		t.Fatalf("PutObject to the ap-northeast-1 bucket: %v", err)
	}
	_, err = rootAClient(env).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tokyo-bucket-sigv2"), Key: aws.String("k")})
	if !errors.As(err, &api) || api.ErrorCode() != "AuthorizationHeaderMalformed" ||
		api.ErrorMessage() != "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'ap-northeast-1'" {
		t.Fatalf("GetObject signed for us-east-1 from an ap-northeast-1 bucket: %v", err)
	}
}

// TestSigV2Boto3 runs testdata/sigv2_boto3.py: boto3's default presigned
// URL, signature_version='s3' (header and presigned, session credentials
// included), and a client configured for the wrong region.
func TestSigV2Boto3(t *testing.T) {
	py := "python3"
	if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("boto3 is not installed: %s", out)
		}
		t.Skip("boto3 is not installed")
	}
	env := testenv.Start(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "testdata/sigv2_boto3.py")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "BOTO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "no-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "SEKISHO_ENDPOINT="+env.URL, "SEKISHO_BUCKET="+demoBucket,
		"ROOT_A_KEY="+rootAKey, "ROOT_A_SECRET="+rootASecret, "ALICE_KEY="+aliceKey, "ALICE_SECRET="+aliceSecret)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil || !strings.Contains(string(out), "\nOK\n") {
		t.Fatalf("sigv2_boto3.py: %v", err)
	}
}
