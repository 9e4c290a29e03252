package server_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/sigv4"
	"github.com/sekisho/sekisho/internal/testenv"
)

// Account A's root owns demoBucket in the demo world; it presigns the URLs
// an attacker then abuses.
const (
	rootAKey    = "AKIA1111ROOT00000001"
	rootASecret = "DemoRootSecretForAccountA0000000000000001"
	demoBucket  = "account-a-bucket-0525"
	secretKey   = "private/secret.txt"
	secretBody  = "only the bucket owner may read this\n"
)

// s3Error is S3's error document, with the element AWS adds for unsigned
// headers.
type s3Error struct {
	Code             string
	Message          string
	HeadersNotSigned string
	RequestId        string
}

func rootAClient(env *testenv.Env) *s3.Client {
	return s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(env.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(rootAKey, rootASecret, ""),
		Retryer:     aws.NopRetryer{},
	})
}

// startWithSecret starts a server whose demo bucket holds an object only
// account A may read.
func startWithSecret(t *testing.T) (*testenv.Env, *s3.Client) {
	t.Helper()
	env := testenv.Start(t)
	c := rootAClient(env)
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(secretKey),
		Body: strings.NewReader(secretBody)}); err != nil {
		t.Fatal(err)
	}
	return env, c
}

// send issues method url with the given headers and body, and returns the
// status and the parsed S3 error document.
func send(t *testing.T, method, url string, header http.Header, body string) (int, s3Error, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if !strings.EqualFold(k, "host") {
			req.Header[k] = v
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var doc s3Error
	_ = xml.Unmarshal(raw, &doc)
	return resp.StatusCode, doc, string(raw)
}

func wantHeadersNotSigned(t *testing.T, what string, status int, doc s3Error, raw, headers string) {
	t.Helper()
	if status != http.StatusForbidden || doc.Code != "AccessDenied" || doc.HeadersNotSigned != headers ||
		doc.Message != "There were headers present in the request which were not signed" || doc.RequestId == "" {
		t.Fatalf("%s: got %d\n%s", what, status, raw)
	}
}

// wantNoObject checks that key was never written.
func wantNoObject(t *testing.T, c *s3.Client, key string) {
	t.Helper()
	_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(key)})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "NotFound" {
		t.Fatalf("%s exists after a refused request (err %v)", key, err)
	}
}

// presignedURLs are the presigned requests of one presigner: a PUT of
// putKey and an UploadPart (part 1 of uploadID) of partKey.
type presignedURLs struct {
	put, part     string
	putHeaders    http.Header
	partHeaders   http.Header
	putKey        string
	partKey       string
	partUploadID  string
	presignerName string
}

func goPresigned(t *testing.T, c *s3.Client, prefix string) presignedURLs {
	t.Helper()
	ctx := context.Background()
	u := presignedURLs{putKey: prefix + "drop.txt", partKey: prefix + "multipart.bin", presignerName: "aws-sdk-go-v2"}
	p := s3.NewPresignClient(c)
	put, err := p.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(u.putKey)}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	u.put, u.putHeaders = put.URL, put.SignedHeader
	mp, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(demoBucket), Key: aws.String(u.partKey)})
	if err != nil {
		t.Fatal(err)
	}
	u.partUploadID = *mp.UploadId
	part, err := p.PresignUploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(demoBucket), Key: aws.String(u.partKey),
		UploadId: mp.UploadId, PartNumber: aws.Int32(1)}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	u.part, u.partHeaders = part.URL, part.SignedHeader
	return u
}

// boto3Presign is run by python3: botocore's own presigner (SigV4, path
// style) for a PUT and an UploadPart.
const boto3Presign = `
import os, boto3
from botocore.config import Config
s3 = boto3.client("s3", endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1",
    aws_access_key_id=os.environ["KEY"], aws_secret_access_key=os.environ["SECRET"],
    config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))
b = os.environ["BUCKET"]
print(s3.generate_presigned_url("put_object", Params={"Bucket": b, "Key": os.environ["PUT_KEY"]}, ExpiresIn=60))
print(s3.generate_presigned_url("upload_part", Params={"Bucket": b, "Key": os.environ["PART_KEY"],
    "UploadId": os.environ["UPLOAD_ID"], "PartNumber": 1}, ExpiresIn=60))
`

// boto3Presigned presigns with boto3, or skips when python3 cannot
// import it (CI installs python3-boto3).
func boto3Presigned(t *testing.T, env *testenv.Env, c *s3.Client, prefix string) presignedURLs {
	t.Helper()
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("boto3 is not installed (apt-get install python3-boto3)")
		}
		t.Skip("boto3 is not installed (apt-get install python3-boto3)")
	}
	u := presignedURLs{putKey: prefix + "drop.txt", partKey: prefix + "multipart.bin", presignerName: "boto3",
		putHeaders: http.Header{}, partHeaders: http.Header{}}
	mp, err := c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String(demoBucket), Key: aws.String(u.partKey)})
	if err != nil {
		t.Fatal(err)
	}
	u.partUploadID = *mp.UploadId
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "-c", boto3Presign)
	for _, kv := range os.Environ() { // no profile or credentials of the machine
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "BOTO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	dir := t.TempDir()
	cmd.Env = append(cmd.Env, "AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
		"ENDPOINT="+env.URL, "KEY="+rootAKey, "SECRET="+rootASecret, "BUCKET="+demoBucket,
		"PUT_KEY="+u.putKey, "PART_KEY="+u.partKey, "UPLOAD_ID="+u.partUploadID)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("boto3 presign: %v\n%s", err, stderr.String())
	}
	lines := strings.Fields(string(out))
	if len(lines) != 2 {
		t.Fatalf("boto3 presign printed %q", out)
	}
	u.put, u.part = lines[0], lines[1]
	return u
}

// TestPresignedURLsRefuseUnsignedAmzHeaders is the exfiltration of issue
// 10: whoever holds a presigned PUT (or UploadPart) URL adds an unsigned
// x-amz-copy-source and would have the presigner copy any object it can
// read into the key, to read it back with the matching presigned GET. The
// same with x-amz-tagging and x-amz-meta-*. Every such request is refused
// with S3's AccessDenied/HeadersNotSigned and writes nothing; the same
// URLs without the extra header still work.
func TestPresignedURLsRefuseUnsignedAmzHeaders(t *testing.T) {
	env, c := startWithSecret(t)
	presigners := map[string]func(t *testing.T, prefix string) presignedURLs{
		"aws-sdk-go-v2": func(t *testing.T, prefix string) presignedURLs { return goPresigned(t, c, prefix) },
		"boto3":         func(t *testing.T, prefix string) presignedURLs { return boto3Presigned(t, env, c, prefix) },
	}
	attacks := []struct {
		name    string
		header  http.Header
		listed  string
		partToo bool
	}{
		{"copy-source", http.Header{"X-Amz-Copy-Source": {demoBucket + "/" + secretKey}}, "x-amz-copy-source", true},
		{"tagging", http.Header{"X-Amz-Tagging": {"owner=eve"}}, "x-amz-tagging", false},
		{"metadata", http.Header{"X-Amz-Meta-Planted": {"1"}, "x-amz-meta-other": {"2"}}, "x-amz-meta-other, x-amz-meta-planted", false},
		{"acl", http.Header{"X-Amz-Acl": {"public-read"}}, "x-amz-acl", false},
	}
	for name, presign := range presigners {
		t.Run(name, func(t *testing.T) {
			for _, attack := range attacks {
				t.Run(attack.name, func(t *testing.T) {
					u := presign(t, name+"/"+attack.name+"/")
					status, doc, raw := send(t, http.MethodPut, u.put, merge(u.putHeaders, attack.header), "")
					wantHeadersNotSigned(t, "presigned PUT", status, doc, raw, attack.listed)
					wantNoObject(t, c, u.putKey)
					if attack.partToo {
						status, doc, raw = send(t, http.MethodPut, u.part, merge(u.partHeaders, attack.header), "")
						wantHeadersNotSigned(t, "presigned UploadPart", status, doc, raw, attack.listed)
						wantNoParts(t, c, u)
					}
					// The URLs themselves are good.
					if status, _, raw := send(t, http.MethodPut, u.put, u.putHeaders, "harmless"); status != http.StatusOK {
						t.Fatalf("presigned PUT without the extra header: %d %s", status, raw)
					}
					if status, _, raw := send(t, http.MethodPut, u.part, u.partHeaders, "part one"); status != http.StatusOK {
						t.Fatalf("presigned UploadPart without the extra header: %d %s", status, raw)
					}
					got, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(u.putKey)})
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(got.Body)
					got.Body.Close()
					if string(body) != "harmless" || len(got.Metadata) != 0 {
						t.Fatalf("stored %q with metadata %v", body, got.Metadata)
					}
				})
			}
		})
	}
}

func wantNoParts(t *testing.T, c *s3.Client, u presignedURLs) {
	t.Helper()
	parts, err := c.ListParts(context.Background(), &s3.ListPartsInput{Bucket: aws.String(demoBucket), Key: aws.String(u.partKey), UploadId: aws.String(u.partUploadID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Parts) != 0 {
		t.Fatalf("a refused UploadPart stored %d parts", len(parts.Parts))
	}
}

func merge(headers ...http.Header) http.Header {
	out := http.Header{}
	for _, h := range headers {
		for k, v := range h {
			out[k] = append(out[k], v...)
		}
	}
	return out
}

// TestCapturedRequestReplayedWithExtraAmzHeader: a header-signed PUT seen
// on the wire, replayed with an x-amz-* header its signature does not
// cover, is refused; replayed as it was, it is accepted.
func TestCapturedRequestReplayedWithExtraAmzHeader(t *testing.T) {
	env, c := startWithSecret(t)
	body := []byte("captured upload")
	capture := func() *http.Request {
		req, _ := http.NewRequest(http.MethodPut, env.URL+"/"+demoBucket+"/captured.txt", bytes.NewReader(body))
		if err := sigv4.Sign(req, body, rootAKey, rootASecret, "", "us-east-1", "s3", time.Now()); err != nil {
			t.Fatal(err)
		}
		return req
	}
	for _, extra := range []http.Header{
		{"X-Amz-Copy-Source": {demoBucket + "/" + secretKey}},
		{"X-Amz-Meta-Planted": {"1"}},
		{"X-Amz-Tagging": {"a=b"}},
		{"X-Amz-Server-Side-Encryption": {"AES256"}},
	} {
		status, doc, raw := send(t, http.MethodPut, env.URL+"/"+demoBucket+"/captured.txt", merge(capture().Header, extra), string(body))
		var listed string
		for k := range extra {
			listed = strings.ToLower(k)
		}
		wantHeadersNotSigned(t, "replayed PUT", status, doc, raw, listed)
		wantNoObject(t, c, "captured.txt")
	}
	if status, _, raw := send(t, http.MethodPut, env.URL+"/"+demoBucket+"/captured.txt", capture().Header, string(body)); status != http.StatusOK {
		t.Fatalf("the captured request itself: %d %s", status, raw)
	}
}

// TestS3HeaderSignedRequestNeedsContentSHA256: without
// x-amz-content-sha256 nothing binds the body of a header-signed S3
// request: a captured empty PUT (signed with the empty body's hash, no
// header) could be replayed with any body. S3 refuses such requests.
func TestS3HeaderSignedRequestNeedsContentSHA256(t *testing.T) {
	env, c := startWithSecret(t)
	url := env.URL + "/" + demoBucket + "/folder/"
	req, _ := http.NewRequest(http.MethodPut, url, nil)
	if err := signWithPayload(req, "s3", sigv4.EmptyPayloadHash); err != nil {
		t.Fatal(err)
	}
	if req.Header.Get("X-Amz-Content-Sha256") != "" {
		t.Fatal("the signer set x-amz-content-sha256")
	}
	for _, body := range []string{"planted body", ""} {
		status, doc, raw := send(t, http.MethodPut, url, req.Header, body)
		if status != http.StatusBadRequest || doc.Code != "InvalidRequest" ||
			doc.Message != "Missing required header for this request: x-amz-content-sha256" {
			t.Fatalf("got %d\n%s", status, raw)
		}
		wantNoObject(t, c, "folder/")
	}
}

// TestQueryAPIRefusesUnsignedPayload: a ListUsers signed with
// x-amz-content-sha256 UNSIGNED-PAYLOAD, replayed with a CreateUser body,
// is refused as AWS refuses a signature that does not cover the body; the
// user is not created.
func TestQueryAPIRefusesUnsignedPayload(t *testing.T) {
	env := testenv.Start(t)
	listUsers := "Action=ListUsers&Version=2010-05-08"
	for _, payload := range []string{sigv4.UnsignedPayload, sigv4.StreamingUnsignedPayloadTrailer, sigv4.StreamingSignedPayload} {
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(listUsers))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		req.Header.Set("X-Amz-Content-Sha256", payload)
		if err := signWithPayload(req, "iam", payload); err != nil {
			t.Fatal(err)
		}
		for _, body := range []string{"Action=CreateUser&Version=2010-05-08&UserName=eve", listUsers} {
			status, _, raw := send(t, http.MethodPost, env.URL+"/", req.Header, body)
			if status != http.StatusForbidden || queryError(raw).Code != "SignatureDoesNotMatch" {
				t.Fatalf("%s with %s: got %d\n%s", body, payload, status, raw)
			}
		}
	}
	status, _, raw := signedCall(t, env.URL, "iam", "Action=GetUser&Version=2010-05-08&UserName=eve")
	if !strings.Contains(raw, "NoSuchEntity") {
		t.Fatalf("eve exists after the replay: %d %s", status, raw)
	}
}

// TestQueryAPIRefusesUnsignedAmzHeaders: IAM and STS refuse x-amz-*
// headers their signature does not cover, as S3 does (AWS's Query APIs
// have no HeadersNotSigned element; the list is in the message).
func TestQueryAPIRefusesUnsignedAmzHeaders(t *testing.T) {
	env := testenv.Start(t)
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, []byte(body), rootAKey, rootASecret, "", "us-east-1", "sts", time.Now()); err != nil {
		t.Fatal(err)
	}
	if status, _, raw := send(t, http.MethodPost, env.URL+"/", req.Header, body); status != http.StatusOK {
		t.Fatalf("signed request: %d %s", status, raw)
	}
	header := merge(req.Header, http.Header{"X-Amz-Security-Token": {"planted"}})
	status, _, raw := send(t, http.MethodPost, env.URL+"/", header, body)
	if doc := queryError(raw); status != http.StatusForbidden || doc.Code != "AccessDenied" ||
		doc.Message != "There were headers present in the request which were not signed: x-amz-security-token" {
		t.Fatalf("got %d\n%s", status, raw)
	}
}

// signWithPayload signs req with the SDK's signer as account A's root,
// payloadHash standing for the body in the canonical request.
func signWithPayload(req *http.Request, service, payloadHash string) error {
	creds := aws.Credentials{AccessKeyID: rootAKey, SecretAccessKey: rootASecret}
	return v4.NewSigner().SignHTTP(context.Background(), creds, req, payloadHash, service, "us-east-1", time.Now())
}

// queryError parses a Query API error document.
func queryError(raw string) errorDoc {
	var doc errorDoc
	_ = xml.Unmarshal([]byte(raw), &doc)
	return doc
}

// signedCall sends a Query API call signed by account A's root.
func signedCall(t *testing.T, url, service, body string) (int, s3Error, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, []byte(body), rootAKey, rootASecret, "", "us-east-1", service, time.Now()); err != nil {
		t.Fatal(err)
	}
	return send(t, http.MethodPost, url+"/", req.Header, body)
}
