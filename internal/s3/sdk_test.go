package s3_test

// Integration tests of the S3 service with aws-sdk-go-v2 and its default
// settings (request checksums computed, response checksums validated),
// against a real server on loopback.

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sekisho/sekisho/internal/testenv"
)

func TestSDKBuckets(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	b := client(env, rootBKey, rootBSecret)

	for _, name := range []string{"ab", "Bad_Name", "-leading-dash", "two..dots", "192.168.1.1"} {
		_, err := a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)})
		wantError(t, "CreateBucket "+name, err, 400, "InvalidBucketName")
	}

	// us-east-1: creating a bucket you own again answers 200.
	must[*s3.CreateBucketOutput](t, "CreateBucket sdk-east")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-east")}))
	must[*s3.CreateBucketOutput](t, "CreateBucket sdk-east again")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-east")}))
	_, err := b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-east")})
	wantError(t, "CreateBucket of A's bucket by B", err, 409, "BucketAlreadyExists")

	// Elsewhere: LocationConstraint, and BucketAlreadyOwnedByYou.
	west := client(env, rootAKey, rootASecret, func(o *s3.Options) { o.Region = "eu-west-1" })
	westIn := &s3.CreateBucketInput{Bucket: aws.String("sdk-west"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}
	must[*s3.CreateBucketOutput](t, "CreateBucket sdk-west")(west.CreateBucket(ctx, westIn))
	_, err = west.CreateBucket(ctx, westIn)
	wantError(t, "CreateBucket sdk-west again", err, 409, "BucketAlreadyOwnedByYou")
	_, err = b.CreateBucket(ctx, westIn)
	wantError(t, "CreateBucket sdk-west by B", err, 409, "BucketAlreadyExists")

	loc := must[*s3.GetBucketLocationOutput](t, "GetBucketLocation west")(a.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("sdk-west")}))
	if loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
		t.Errorf("location of sdk-west: %q", loc.LocationConstraint)
	}
	loc = must[*s3.GetBucketLocationOutput](t, "GetBucketLocation east")(a.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("sdk-east")}))
	if loc.LocationConstraint != "" {
		t.Errorf("location of sdk-east: %q, want empty (us-east-1)", loc.LocationConstraint)
	}
	head := must[*s3.HeadBucketOutput](t, "HeadBucket")(west.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("sdk-west")}))
	if aws.ToString(head.BucketRegion) != "eu-west-1" {
		t.Errorf("HeadBucket region %q", aws.ToString(head.BucketRegion))
	}
	// B signs for the bucket's region: S3 refuses a request signed for
	// another region (400) before it looks at the caller's permissions.
	bWest := client(env, rootBKey, rootBSecret, func(o *s3.Options) { o.Region = "eu-west-1" })
	_, err = bWest.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("sdk-west")})
	wantError(t, "HeadBucket by B", err, 403, "")
	_, err = a.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("sdk-nowhere")})
	wantError(t, "HeadBucket missing", err, 404, "")

	// ListBuckets: only the caller's account's buckets.
	must[*s3.CreateBucketOutput](t, "CreateBucket by B")(b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-b-own")}))
	names := func(c *s3.Client) []string {
		out := must[*s3.ListBucketsOutput](t, "ListBuckets")(c.ListBuckets(ctx, &s3.ListBucketsInput{}))
		var n []string
		for _, bk := range out.Buckets {
			n = append(n, aws.ToString(bk.Name))
		}
		if out.Owner == nil || len(aws.ToString(out.Owner.ID)) != 64 {
			t.Errorf("ListBuckets owner %+v", out.Owner)
		}
		return n
	}
	aNames, bNames := names(a), names(b)
	for _, want := range []string{"account-a-bucket-0525", "sdk-east", "sdk-west", "sdk-a-data"} {
		if !contains(aNames, want) {
			t.Errorf("A's ListBuckets %v lacks %s", aNames, want)
		}
	}
	if contains(aNames, "sdk-b-own") || contains(aNames, "sdk-b-dest") {
		t.Errorf("A's ListBuckets %v shows B's buckets", aNames)
	}
	if !contains(bNames, "sdk-b-own") || contains(bNames, "sdk-east") || contains(bNames, "account-a-bucket-0525") {
		t.Errorf("B's ListBuckets %v", bNames)
	}

	// Versioning: never enabled (TestSDKVersioning enables it).
	ver := must[*s3.GetBucketVersioningOutput](t, "GetBucketVersioning")(a.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("sdk-east")}))
	if ver.Status != "" || ver.MFADelete != "" {
		t.Errorf("versioning %+v", ver)
	}

	// Ownership controls.
	own := must[*s3.GetBucketOwnershipControlsOutput](t, "GetBucketOwnershipControls")(a.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("sdk-east")}))
	if len(own.OwnershipControls.Rules) != 1 || own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("ownership %+v", own.OwnershipControls)
	}
	must[*s3.PutBucketOwnershipControlsOutput](t, "PutBucketOwnershipControls")(a.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("sdk-east"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred}}}}))
	own = must[*s3.GetBucketOwnershipControlsOutput](t, "GetBucketOwnershipControls")(a.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("sdk-east")}))
	if own.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerPreferred {
		t.Errorf("ownership after put %+v", own.OwnershipControls.Rules)
	}

	// DeleteBucket: not while it holds objects; then gone.
	must[*s3.PutObjectOutput](t, "PutObject")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-east"), Key: aws.String("x"), Body: strings.NewReader("x")}))
	_, err = a.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("sdk-east")})
	wantError(t, "DeleteBucket non-empty", err, 409, "BucketNotEmpty")
	_, err = b.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("sdk-east")})
	wantError(t, "DeleteBucket by B", err, 403, "AccessDenied")
	must[*s3.DeleteObjectOutput](t, "DeleteObject")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("sdk-east"), Key: aws.String("x")}))
	must[*s3.DeleteBucketOutput](t, "DeleteBucket")(a.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("sdk-east")}))
	_, err = a.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("sdk-east")})
	wantError(t, "DeleteBucket again", err, 404, "NoSuchBucket")
	_, err = a.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("sdk-east")})
	wantError(t, "HeadBucket deleted", err, 404, "")
	// The name is free again, for anyone.
	must[*s3.CreateBucketOutput](t, "CreateBucket sdk-east by B")(b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-east")}))
}

func TestSDKBucketPolicy(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	b := client(env, rootBKey, rootBSecret)
	bucket := aws.String("sdk-a-data")

	_, err := a.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
	wantError(t, "GetBucketPolicy without a policy", err, 404, "NoSuchBucketPolicy")
	_, err = a.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: bucket})
	wantError(t, "GetBucketPolicyStatus without a policy", err, 404, "NoSuchBucketPolicy")
	_, err = a.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String("sdk-nowhere")})
	wantError(t, "GetBucketPolicy missing bucket", err, 404, "NoSuchBucket")

	bad := map[string]string{
		"not JSON":     `{"Version": "2012-10-17", "Statement": [`,
		"not object":   `["a"]`,
		"no Principal": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::sdk-a-data/*"}]}`,
		"other bucket": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::account-a-bucket-0525/*"}]}`,
		"bad action":   `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"GetObject","Resource":"arn:aws:s3:::sdk-a-data/*"}]}`,
	}
	resourceDoc := func(resource string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"` + resource + `"}]}`
	}
	for _, r := range []string{"arn:aws:s3:::sdk-a-database/*", "arn:aws:s3:::sdk-a-dat", "arn:aws:s3:::other-*/*", "arn:aws:iam::111111111111:root"} {
		bad["resource "+r] = resourceDoc(r)
	}
	for name, doc := range bad {
		_, err := a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(doc)})
		wantError(t, "PutBucketPolicy "+name, err, 400, "MalformedPolicy")
	}
	for _, r := range []string{"*", "arn:aws:s3:::*", "arn:aws:s3:::sdk-*/*", "arn:aws:s3:::sdk-a-data", "arn:aws:s3:::sdk-a-dat?", "arn:aws:s3:::sdk-a-data/x?z", "arn:aws:s3:::sdk-a-data*"} {
		must[*s3.PutBucketPolicyOutput](t, "PutBucketPolicy resource "+r)(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(resourceDoc(r))}))
	}
	must[*s3.DeleteBucketPolicyOutput](t, "DeleteBucketPolicy")(a.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: bucket}))

	doc := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::sdk-a-data/pub/*"},` +
		`{"Sid":"B","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["s3:GetBucketPolicy","s3:ListBucket"],"Resource":"arn:aws:s3:::sdk-a-data"}]}`
	must[*s3.PutBucketPolicyOutput](t, "PutBucketPolicy")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(doc)}))
	got := must[*s3.GetBucketPolicyOutput](t, "GetBucketPolicy")(a.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket}))
	var v1, v2 any
	if json.Unmarshal([]byte(aws.ToString(got.Policy)), &v1) != nil || json.Unmarshal([]byte(doc), &v2) != nil || fmt.Sprint(v1) != fmt.Sprint(v2) {
		t.Errorf("GetBucketPolicy returned %s", aws.ToString(got.Policy))
	}
	status := must[*s3.GetBucketPolicyStatusOutput](t, "GetBucketPolicyStatus")(a.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: bucket}))
	if !aws.ToBool(status.PolicyStatus.IsPublic) {
		t.Errorf("policy with Principal * is not public")
	}

	// Another account: 405 even when the bucket policy allows it.
	_, err = b.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
	wantError(t, "GetBucketPolicy by B", err, 405, "MethodNotAllowed")
	for _, shared := range []*string{bucket, aws.String("sdk-a-shared")} {
		_, err = b.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: shared, Policy: aws.String(doc)})
		wantError(t, "PutBucketPolicy by B", err, 405, "MethodNotAllowed")
		_, err = b.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: shared})
		wantError(t, "DeleteBucketPolicy by B", err, 405, "MethodNotAllowed")
		_, err = b.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: shared})
		wantError(t, "GetBucketPolicyStatus by B", err, 405, "MethodNotAllowed")
	}
	// ... while the policy's other grant (ListBucket) works for B.
	must[*s3.ListObjectsV2Output](t, "ListObjectsV2 by B via the bucket policy")(b.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket}))

	// Same account, not root: the identity policy decides.
	nobody := client(env, nobodyKey, nobodySecret)
	_, err = nobody.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
	wantError(t, "GetBucketPolicy by a user without policies", err, 403, "AccessDenied")

	must[*s3.DeleteBucketPolicyOutput](t, "DeleteBucketPolicy")(a.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: bucket}))
	_, err = a.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: bucket})
	wantError(t, "GetBucketPolicy after delete", err, 404, "NoSuchBucketPolicy")
}

func crc32b64(data []byte) string {
	var sum [4]byte
	v := crc32.ChecksumIEEE(data)
	sum[0], sum[1], sum[2], sum[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func md5b64(data []byte) string {
	sum := md5.Sum(data)
	return base64.StdEncoding.EncodeToString(sum[:])
}

func TestSDKObjects(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	body := []byte("The quick brown fox jumps over the lazy dog\n")

	// PutObject with the SDK's default checksum: the server computes and
	// returns the same CRC32.
	put := must[*s3.PutObjectOutput](t, "PutObject")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"),
		Body: bytes.NewReader(body), ContentType: aws.String("text/x-fox"), Metadata: map[string]string{"color": "brown", "legs": "4"}}))
	if aws.ToString(put.ChecksumCRC32) != crc32b64(body) {
		t.Errorf("PutObject CRC32 %q, want %q", aws.ToString(put.ChecksumCRC32), crc32b64(body))
	}
	etag := aws.ToString(put.ETag)
	if sum := md5.Sum(body); etag != fmt.Sprintf("%q", fmt.Sprintf("%x", sum)) {
		t.Errorf("ETag %s", etag)
	}

	// Wrong checksums are refused, and nothing is stored.
	_, err := a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("bad-crc"), Body: bytes.NewReader(body),
		ChecksumCRC32: aws.String(crc32b64([]byte("something else")))})
	wantError(t, "PutObject wrong CRC32", err, 400, "BadDigest")
	_, err = a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("bad-md5"), Body: bytes.NewReader(body),
		ContentMD5: aws.String(md5b64([]byte("something else")))})
	wantError(t, "PutObject wrong Content-MD5", err, 400, "BadDigest")
	_, err = a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("bad-md5"), Body: bytes.NewReader(body),
		ContentMD5: aws.String("bm90IGFuIG1kNQ==")})
	wantError(t, "PutObject invalid Content-MD5", err, 400, "InvalidDigest")
	for _, key := range []string{"bad-crc", "bad-md5"} {
		_, err = a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String(key)})
		wantError(t, "HeadObject of a refused put", err, 404, "")
	}
	// A right Content-MD5 and another algorithm.
	sha := must[*s3.PutObjectOutput](t, "PutObject SHA256")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("docs/sha.txt"),
		Body: bytes.NewReader(body), ContentMD5: aws.String(md5b64(body)), ChecksumAlgorithm: types.ChecksumAlgorithmSha256}))
	if sha.ChecksumSHA256 == nil {
		t.Errorf("PutObject with SHA256 returned no SHA256")
	}

	// GetObject: body, metadata, content type, checksum (validated by the
	// SDK as it reads).
	get := must[*s3.GetObjectOutput](t, "GetObject")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"),
		ChecksumMode: types.ChecksumModeEnabled}))
	if got := readAll(t, get.Body); got != string(body) {
		t.Errorf("GetObject body %q", got)
	}
	if aws.ToString(get.ContentType) != "text/x-fox" || get.Metadata["color"] != "brown" || get.Metadata["legs"] != "4" ||
		aws.ToString(get.ETag) != etag || aws.ToInt64(get.ContentLength) != int64(len(body)) {
		t.Errorf("GetObject headers: type %q meta %v etag %s", aws.ToString(get.ContentType), get.Metadata, aws.ToString(get.ETag))
	}
	if aws.ToString(get.ChecksumCRC32) != crc32b64(body) {
		t.Errorf("GetObject CRC32 %q", aws.ToString(get.ChecksumCRC32))
	}
	shaGet := must[*s3.GetObjectOutput](t, "GetObject SHA256")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/sha.txt"), ChecksumMode: types.ChecksumModeEnabled}))
	readAll(t, shaGet.Body)
	if aws.ToString(shaGet.ChecksumSHA256) != aws.ToString(sha.ChecksumSHA256) {
		t.Errorf("GetObject SHA256 %q, put returned %q", aws.ToString(shaGet.ChecksumSHA256), aws.ToString(sha.ChecksumSHA256))
	}

	// Range.
	rng := must[*s3.GetObjectOutput](t, "GetObject range")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"), Range: aws.String("bytes=4-8")}))
	if got := readAll(t, rng.Body); got != "quick" || aws.ToString(rng.ContentRange) != fmt.Sprintf("bytes 4-8/%d", len(body)) {
		t.Errorf("range: %q %q", got, aws.ToString(rng.ContentRange))
	}
	rng = must[*s3.GetObjectOutput](t, "GetObject suffix range")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"), Range: aws.String("bytes=-4")}))
	if got := readAll(t, rng.Body); got != "dog\n" {
		t.Errorf("suffix range: %q", got)
	}
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"), Range: aws.String("bytes=1000-")})
	wantError(t, "GetObject range past the end", err, 416, "InvalidRange")

	// Conditional GETs.
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"), IfMatch: aws.String(`"0123"`)})
	wantError(t, "GetObject If-Match other", err, 412, "PreconditionFailed")
	ok := must[*s3.GetObjectOutput](t, "GetObject If-Match")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"), IfMatch: aws.String(etag)}))
	readAll(t, ok.Body)
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"), IfNoneMatch: aws.String(etag)})
	wantError(t, "GetObject If-None-Match", err, 304, "")
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"), IfModifiedSince: aws.Time(time.Now().Add(time.Hour))})
	wantError(t, "GetObject If-Modified-Since the future", err, 304, "")
	ok = must[*s3.GetObjectOutput](t, "GetObject If-Modified-Since yesterday")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"),
		IfModifiedSince: aws.Time(time.Now().Add(-24 * time.Hour))}))
	readAll(t, ok.Body)
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"), IfUnmodifiedSince: aws.Time(time.Now().Add(-24 * time.Hour))})
	wantError(t, "GetObject If-Unmodified-Since yesterday", err, 412, "PreconditionFailed")
	_, err = a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"), IfNoneMatch: aws.String(etag)})
	wantError(t, "HeadObject If-None-Match", err, 304, "")

	// response-* overrides.
	over := must[*s3.GetObjectOutput](t, "GetObject overrides")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt"),
		ResponseContentType: aws.String("application/x-override"), ResponseContentDisposition: aws.String(`attachment; filename="fox.txt"`),
		ResponseCacheControl: aws.String("no-store")}))
	readAll(t, over.Body)
	if aws.ToString(over.ContentType) != "application/x-override" || aws.ToString(over.ContentDisposition) != `attachment; filename="fox.txt"` ||
		aws.ToString(over.CacheControl) != "no-store" {
		t.Errorf("overrides: %q %q %q", aws.ToString(over.ContentType), aws.ToString(over.ContentDisposition), aws.ToString(over.CacheControl))
	}

	// User metadata goes out in the case it was stored (lower), as botocore
	// shows it as is.
	if wire := wireResponse(t, env, "HEAD", "/sdk-a-data/docs/fox.txt"); !strings.Contains(wire, "\r\nx-amz-meta-color: brown\r\n") {
		t.Errorf("metadata header not lower case:\n%s", wire)
	}

	// HeadObject.
	h := must[*s3.HeadObjectOutput](t, "HeadObject")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("docs/fox.txt")}))
	if aws.ToInt64(h.ContentLength) != int64(len(body)) || aws.ToString(h.ETag) != etag || h.Metadata["color"] != "brown" ||
		aws.ToString(h.ContentType) != "text/x-fox" || h.LastModified == nil {
		t.Errorf("HeadObject %+v", h)
	}

	// DeleteObject: 204 even when the key is absent.
	must[*s3.DeleteObjectOutput](t, "DeleteObject absent")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("never/was")}))
	must[*s3.DeleteObjectOutput](t, "DeleteObject")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("docs/sha.txt")}))
	_, err = a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("docs/sha.txt")})
	wantError(t, "HeadObject deleted", err, 404, "")
	_, err = a.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-nowhere"), Key: aws.String("k"), Body: strings.NewReader("x")})
	wantError(t, "PutObject to a missing bucket", err, 404, "NoSuchBucket")

	// An empty object and a key needing escapes.
	for _, key := range []string{"empty", "odd key/with space+plus&amp?q=1#h%41/ü", "trailing/", "dots/../x", "./y", "double//slash", "/leading", "tab\tand\nnewline"} {
		must[*s3.PutObjectOutput](t, "PutObject "+key)(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: strings.NewReader("")}))
		g := must[*s3.GetObjectOutput](t, "GetObject "+key)(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key)}))
		if got := readAll(t, g.Body); got != "" || aws.ToInt64(g.ContentLength) != 0 {
			t.Errorf("%q: %q", key, got)
		}
	}
	list := must[*s3.ListObjectsV2Output](t, "ListObjectsV2")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("odd")}))
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "odd key/with space+plus&amp?q=1#h%41/ü" {
		t.Errorf("listed %+v", list.Contents)
	}
}

func TestSDKDeleteObjects(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	put := func(keys ...string) {
		for _, k := range keys {
			must[*s3.PutObjectOutput](t, "PutObject "+k)(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(k), Body: strings.NewReader(k)}))
		}
	}
	ids := func(keys ...string) *types.Delete {
		d := &types.Delete{}
		for _, k := range keys {
			d.Objects = append(d.Objects, types.ObjectIdentifier{Key: aws.String(k)})
		}
		return d
	}
	put("d/1", "d/2", "d/3")
	out := must[*s3.DeleteObjectsOutput](t, "DeleteObjects")(a.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: ids("d/1", "d/2", "d/absent")}))
	if len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Errorf("DeleteObjects: deleted %d, errors %+v", len(out.Deleted), out.Errors)
	}
	del := ids("d/3")
	del.Quiet = aws.Bool(true)
	out = must[*s3.DeleteObjectsOutput](t, "DeleteObjects quiet")(a.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: del}))
	if len(out.Deleted) != 0 || len(out.Errors) != 0 {
		t.Errorf("quiet DeleteObjects: %+v %+v", out.Deleted, out.Errors)
	}
	left := must[*s3.ListObjectsV2Output](t, "ListObjectsV2")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("d/")}))
	if len(left.Contents) != 0 {
		t.Errorf("left after DeleteObjects: %d", len(left.Contents))
	}

	// Per-key authorization: the deleter may delete allowed/* only.
	put("allowed/1", "allowed/2", "kept/1")
	deleter := client(env, deleterKey, deleterSecret)
	for _, quiet := range []bool{false, true} {
		d := ids("allowed/1", "kept/1")
		d.Quiet = aws.Bool(quiet)
		out = must[*s3.DeleteObjectsOutput](t, "DeleteObjects by the deleter")(deleter.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: d}))
		if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "kept/1" || aws.ToString(out.Errors[0].Code) != "AccessDenied" ||
			!strings.Contains(aws.ToString(out.Errors[0].Message), "s3:DeleteObject") {
			t.Errorf("quiet=%v errors %+v", quiet, out.Errors)
		}
		if quiet && len(out.Deleted) != 0 || !quiet && (len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "allowed/1") {
			t.Errorf("quiet=%v deleted %+v", quiet, out.Deleted)
		}
	}
	if _, err := a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("kept/1")}); err != nil {
		t.Errorf("kept/1 was deleted: %v", err)
	}
	_, err := a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("allowed/1")})
	wantError(t, "allowed/1 after delete", err, 404, "")
	_, err = deleter.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("sdk-nowhere"), Delete: ids("x")})
	wantError(t, "DeleteObjects on a missing bucket", err, 404, "NoSuchBucket")
}

func TestSDKCopyObject(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	body := "copy me\n"
	must[*s3.PutObjectOutput](t, "PutObject")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("src dir/ü.txt"),
		Body: strings.NewReader(body), ContentType: aws.String("text/plain"), Metadata: map[string]string{"origin": "src"}}))
	source := aws.String("sdk-a-data/" + url.PathEscape("src dir") + "/" + url.PathEscape("ü.txt"))

	// COPY keeps the metadata; REPLACE takes the request's.
	cp := must[*s3.CopyObjectOutput](t, "CopyObject")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy1"), CopySource: source}))
	if cp.CopyObjectResult == nil || aws.ToString(cp.CopyObjectResult.ETag) == "" {
		t.Fatalf("CopyObject result %+v", cp.CopyObjectResult)
	}
	g := must[*s3.GetObjectOutput](t, "GetObject copy1")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("copy1")}))
	if got := readAll(t, g.Body); got != body || g.Metadata["origin"] != "src" || aws.ToString(g.ContentType) != "text/plain" {
		t.Errorf("copy1: %q %v %q", got, g.Metadata, aws.ToString(g.ContentType))
	}
	must[*s3.CopyObjectOutput](t, "CopyObject REPLACE")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy2"), CopySource: source,
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"origin": "replaced"}, ContentType: aws.String("text/x-new")}))
	g = must[*s3.GetObjectOutput](t, "GetObject copy2")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("copy2")}))
	if got := readAll(t, g.Body); got != body || g.Metadata["origin"] != "replaced" || aws.ToString(g.ContentType) != "text/x-new" {
		t.Errorf("copy2: %q %v %q", got, g.Metadata, aws.ToString(g.ContentType))
	}

	// To itself: only with REPLACE.
	_, err := a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy1"), CopySource: aws.String("sdk-a-data/copy1")})
	wantError(t, "CopyObject to itself", err, 400, "InvalidRequest")
	must[*s3.CopyObjectOutput](t, "CopyObject to itself REPLACE")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy1"),
		CopySource: aws.String("sdk-a-data/copy1"), MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"v": "2"}}))
	h := must[*s3.HeadObjectOutput](t, "HeadObject copy1")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("copy1")}))
	if h.Metadata["v"] != "2" || h.Metadata["origin"] != "" {
		t.Errorf("copy1 after REPLACE: %v", h.Metadata)
	}

	// Conditions and missing sources.
	_, err = a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy3"), CopySource: source, CopySourceIfMatch: aws.String(`"nope"`)})
	wantError(t, "CopyObject If-Match other", err, 412, "PreconditionFailed")
	_, err = a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy3"), CopySource: aws.String("sdk-a-data/absent")})
	wantError(t, "CopyObject of a missing key", err, 404, "NoSuchKey")
	_, err = a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy3"), CopySource: aws.String("sdk-nowhere/x")})
	wantError(t, "CopyObject from a missing bucket", err, 404, "NoSuchBucket")

	// Across accounts: B's copier reads A's shared bucket (A's bucket policy
	// and B's identity policy both allow) into B's bucket.
	copier := client(env, copierKey, copierSecret)
	must[*s3.CopyObjectOutput](t, "cross-account CopyObject")(copier.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sdk-b-dest"),
		Key: aws.String("from-a.txt"), CopySource: aws.String("sdk-a-shared/public/src.txt")}))
	bRoot := client(env, rootBKey, rootBSecret)
	g = must[*s3.GetObjectOutput](t, "GetObject of the copy")(bRoot.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-b-dest"), Key: aws.String("from-a.txt")}))
	if got := readAll(t, g.Body); got != "shared source\n" {
		t.Errorf("cross-account copy: %q", got)
	}
	// The source bucket's policy does not cover private/*.
	_, err = copier.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sdk-b-dest"), Key: aws.String("x"), CopySource: aws.String("sdk-a-shared/private/src.txt")})
	msg := wantError(t, "CopyObject, source outside the bucket policy", err, 403, "AccessDenied")
	if msg != "Access Denied" {
		t.Errorf("cross-account denial message %q", msg)
	}
	// The bucket policy names noread, but its own account does not allow reading.
	_, err = client(env, noreadKey, noreadSecret).CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sdk-b-dest"), Key: aws.String("x"),
		CopySource: aws.String("sdk-a-shared/public/src.txt")})
	wantError(t, "CopyObject without an identity grant on the source", err, 403, "AccessDenied")
	// The copier may not write into A's bucket.
	_, err = copier.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sdk-a-shared"), Key: aws.String("x"), CopySource: aws.String("sdk-a-shared/public/src.txt")})
	wantError(t, "CopyObject to an unwritable destination", err, 403, "AccessDenied")
	_, err = copier.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sdk-b-dest"), Key: aws.String("x"), CopySource: aws.String("sdk-a-data/copy2")})
	wantError(t, "CopyObject from a bucket without a policy", err, 403, "AccessDenied")
	_, err = bRoot.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sdk-b-dest"), Key: aws.String("x")})
	wantError(t, "refused copies left nothing", err, 404, "")

	// Into A's bucket where both A's bucket policy and B's identity allow;
	// under BucketOwnerEnforced, A owns what B wrote.
	must[*s3.CopyObjectOutput](t, "cross-account CopyObject into A")(copier.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sdk-a-shared"),
		Key: aws.String("incoming/copied.txt"), CopySource: aws.String("sdk-a-shared/public/src.txt")}))
	must[*s3.PutObjectOutput](t, "cross-account PutObject into A")(copier.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-a-shared"),
		Key: aws.String("incoming/put.txt"), Body: strings.NewReader("from B")}))
	listed := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 FetchOwner")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-a-shared"),
		Prefix: aws.String("incoming/"), FetchOwner: aws.Bool(true)}))
	if len(listed.Contents) != 2 {
		t.Fatalf("incoming/: %+v", listed.Contents)
	}
	for _, o := range listed.Contents {
		if o.Owner == nil || aws.ToString(o.Owner.ID) != strings.Repeat("0", 52)+"111111111111" {
			t.Errorf("owner of %s: %q, want account A", aws.ToString(o.Key), aws.ToString(o.Owner.ID))
		}
	}
}

// listItems is every key, then every common prefix, of a listing.
func listItems(out *s3.ListObjectsV2Output) []string {
	var items []string
	for _, o := range out.Contents {
		items = append(items, aws.ToString(o.Key))
	}
	for _, p := range out.CommonPrefixes {
		items = append(items, aws.ToString(p.Prefix))
	}
	return items
}

func TestSDKList(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("sdk-list")}))
	bucket := aws.String("sdk-list")
	keys := []string{"a.txt", "b/1.txt", "b/2.txt", "c/1.txt", "c/d/2.txt", "d.txt", "e/1", "e/2", "f.txt", "with space.txt", "z+plus", "ünïcode/ファイル.txt"}
	for _, k := range keys {
		must[*s3.PutObjectOutput](t, "PutObject "+k)(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(k), Body: strings.NewReader(k)}))
	}

	all := must[*s3.ListObjectsV2Output](t, "ListObjectsV2")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket}))
	if got := listItems(all); !slices.Equal(got, keys) || aws.ToInt32(all.KeyCount) != int32(len(keys)) || aws.ToBool(all.IsTruncated) {
		t.Errorf("all keys: %v (count %d)", got, aws.ToInt32(all.KeyCount))
	}
	for _, o := range all.Contents {
		if aws.ToInt64(o.Size) != int64(len(aws.ToString(o.Key))) || o.StorageClass != types.ObjectStorageClassStandard || o.LastModified == nil {
			t.Errorf("entry %+v", o)
		}
	}

	b := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 prefix")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("b/")}))
	if got := listItems(b); !slices.Equal(got, []string{"b/1.txt", "b/2.txt"}) {
		t.Errorf("prefix b/: %v", got)
	}
	wantTop := []string{"a.txt", "d.txt", "f.txt", "with space.txt", "z+plus", "b/", "c/", "e/", "ünïcode/"}
	top := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 delimiter")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Delimiter: aws.String("/")}))
	if got := listItems(top); !slices.Equal(got, wantTop) {
		t.Errorf("delimiter /: %v", got)
	}
	c := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 c/")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, Prefix: aws.String("c/"), Delimiter: aws.String("/")}))
	if got := listItems(c); !slices.Equal(got, []string{"c/1.txt", "c/d/"}) {
		t.Errorf("c/ with delimiter: %v", got)
	}

	// Pages of two, with a delimiter: every item once, in key order.
	var paged []string
	var pages int
	p := s3.NewListObjectsV2Paginator(a, &s3.ListObjectsV2Input{Bucket: bucket, Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 page")(p.NextPage(ctx))
		if n := len(page.Contents) + len(page.CommonPrefixes); n > 2 || aws.ToInt32(page.KeyCount) != int32(n) {
			t.Errorf("page of %d items, KeyCount %d", n, aws.ToInt32(page.KeyCount))
		}
		var pageItems []string
		for _, o := range page.Contents {
			pageItems = append(pageItems, aws.ToString(o.Key))
		}
		for _, pr := range page.CommonPrefixes {
			pageItems = append(pageItems, aws.ToString(pr.Prefix))
		}
		slices.Sort(pageItems)
		paged = append(paged, pageItems...)
		pages++
	}
	wantSorted := slices.Clone(wantTop)
	slices.Sort(wantSorted)
	if !slices.Equal(paged, wantSorted) || pages != 5 {
		t.Errorf("paged (%d pages): %v, want %v", pages, paged, wantSorted)
	}

	// StartAfter.
	after := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 StartAfter")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, StartAfter: aws.String("c/d/2.txt"), MaxKeys: aws.Int32(3)}))
	if got := listItems(after); !slices.Equal(got, []string{"d.txt", "e/1", "e/2"}) || !aws.ToBool(after.IsTruncated) || aws.ToString(after.StartAfter) != "c/d/2.txt" {
		t.Errorf("StartAfter: %v truncated %v", got, aws.ToBool(after.IsTruncated))
	}
	after = must[*s3.ListObjectsV2Output](t, "ListObjectsV2 StartAfter b/")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, StartAfter: aws.String("b/"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)}))
	if got := listItems(after); !slices.Equal(got, []string{"d.txt", "c/"}) {
		t.Errorf("StartAfter b/ with delimiter: %v", got)
	}

	// EncodingType=url: keys come back encoded and decode to the originals.
	enc := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 url")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, EncodingType: types.EncodingTypeUrl}))
	var decoded []string
	for _, o := range enc.Contents {
		k := aws.ToString(o.Key)
		if strings.ContainsAny(k, " üï") {
			t.Errorf("key %q not URL-encoded", k)
		}
		d, err := url.QueryUnescape(k)
		if err != nil {
			t.Errorf("key %q: %v", k, err)
		}
		decoded = append(decoded, d)
	}
	if !slices.Equal(decoded, keys) {
		t.Errorf("decoded keys %v", decoded)
	}
	encTop := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 url delimiter")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, EncodingType: types.EncodingTypeUrl,
		Delimiter: aws.String("/"), Prefix: aws.String("ü")}))
	if len(encTop.CommonPrefixes) != 1 || aws.ToString(encTop.CommonPrefixes[0].Prefix) != url.QueryEscape("ünïcode/") ||
		aws.ToString(encTop.Prefix) != url.QueryEscape("ü") {
		t.Errorf("encoded prefixes: %+v prefix %q", encTop.CommonPrefixes, aws.ToString(encTop.Prefix))
	}

	// ListObjects (V1): Marker, and NextMarker when a delimiter is given.
	v1 := must[*s3.ListObjectsOutput](t, "ListObjects")(a.ListObjects(ctx, &s3.ListObjectsInput{Bucket: bucket, Marker: aws.String("e/2"), MaxKeys: aws.Int32(2)}))
	if len(v1.Contents) != 2 || aws.ToString(v1.Contents[0].Key) != "f.txt" || aws.ToString(v1.Contents[1].Key) != "with space.txt" ||
		!aws.ToBool(v1.IsTruncated) || aws.ToString(v1.Marker) != "e/2" {
		t.Errorf("ListObjects after e/2: %+v", v1)
	}
	var v1Items []string
	marker := ""
	for i := 0; ; i++ {
		out := must[*s3.ListObjectsOutput](t, "ListObjects page")(a.ListObjects(ctx, &s3.ListObjectsInput{Bucket: bucket, Delimiter: aws.String("/"),
			MaxKeys: aws.Int32(2), Marker: aws.String(marker)}))
		var pageItems []string
		for _, o := range out.Contents {
			pageItems = append(pageItems, aws.ToString(o.Key))
		}
		for _, pr := range out.CommonPrefixes {
			pageItems = append(pageItems, aws.ToString(pr.Prefix))
		}
		slices.Sort(pageItems)
		v1Items = append(v1Items, pageItems...)
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		if out.NextMarker == nil || i > 10 {
			t.Fatalf("truncated V1 listing with a delimiter has no NextMarker")
		}
		marker = aws.ToString(out.NextMarker)
	}
	if !slices.Equal(v1Items, wantSorted) {
		t.Errorf("V1 paged: %v", v1Items)
	}

	// ListBucket is needed, and across accounts both sides must allow.
	_, err := client(env, rootBKey, rootBSecret).ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket})
	wantError(t, "ListObjectsV2 by B", err, 403, "AccessDenied")
	_, err = a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-nowhere")})
	wantError(t, "ListObjectsV2 of a missing bucket", err, 404, "NoSuchBucket")
}

func TestSDKMultipart(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	const mib = 1 << 20
	part := func(n int, size int) []byte {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(i*7 + n*13)
		}
		return b
	}
	p1, p2, p4 := part(1, 5*mib), part(2, 5*mib), part(4, 1000)
	srcBody := part(3, 6*mib)
	must[*s3.PutObjectOutput](t, "PutObject copy source")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("mp/source"), Body: bytes.NewReader(srcBody)}))

	key := aws.String("mp/big object")
	created := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key,
		ContentType: aws.String("application/x-big"), Metadata: map[string]string{"kind": "multipart"}}))
	id := created.UploadId
	if aws.ToString(id) == "" || aws.ToString(created.Key) != *key {
		t.Fatalf("CreateMultipartUpload %+v", created)
	}
	var completed []types.CompletedPart
	upload := func(n int32, body []byte) {
		out := must[*s3.UploadPartOutput](t, fmt.Sprintf("UploadPart %d", n))(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: id,
			PartNumber: aws.Int32(n), Body: bytes.NewReader(body)}))
		if sum := md5.Sum(body); aws.ToString(out.ETag) != fmt.Sprintf(`"%x"`, sum) {
			t.Errorf("part %d ETag %s", n, aws.ToString(out.ETag))
		}
		completed = append(completed, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	upload(1, p1)
	upload(2, p2)
	cp := must[*s3.UploadPartCopyOutput](t, "UploadPartCopy")(a.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bucket, Key: key, UploadId: id, PartNumber: aws.Int32(3),
		CopySource: aws.String("sdk-a-data/mp/source"), CopySourceRange: aws.String(fmt.Sprintf("bytes=%d-%d", mib, 6*mib-1))}))
	p3 := srcBody[mib:]
	if sum := md5.Sum(p3); cp.CopyPartResult == nil || aws.ToString(cp.CopyPartResult.ETag) != fmt.Sprintf(`"%x"`, sum) {
		t.Errorf("UploadPartCopy result %+v", cp.CopyPartResult)
	}
	completed = append(completed, types.CompletedPart{PartNumber: aws.Int32(3), ETag: cp.CopyPartResult.ETag})
	upload(4, p4)

	parts := must[*s3.ListPartsOutput](t, "ListParts")(a.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: key, UploadId: id}))
	if len(parts.Parts) != 4 || aws.ToInt64(parts.Parts[2].Size) != int64(len(p3)) || aws.ToInt64(parts.Parts[3].Size) != int64(len(p4)) {
		t.Errorf("ListParts %+v", parts.Parts)
	}
	page := must[*s3.ListPartsOutput](t, "ListParts paged")(a.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: key, UploadId: id, MaxParts: aws.Int32(2), PartNumberMarker: aws.String("1")}))
	if len(page.Parts) != 2 || aws.ToInt32(page.Parts[0].PartNumber) != 2 || !aws.ToBool(page.IsTruncated) || aws.ToString(page.NextPartNumberMarker) != "3" {
		t.Errorf("ListParts page %+v", page)
	}
	uploads := must[*s3.ListMultipartUploadsOutput](t, "ListMultipartUploads")(a.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: bucket}))
	if len(uploads.Uploads) != 1 || aws.ToString(uploads.Uploads[0].UploadId) != aws.ToString(id) || aws.ToString(uploads.Uploads[0].Key) != *key {
		t.Errorf("ListMultipartUploads %+v", uploads.Uploads)
	}
	// Pages of three through the SDK's paginator (one ends inside mp/other): every upload once.
	others := map[string]string{aws.ToString(id): *key} // upload id: key
	for _, k := range []string{"mp/big object", "mp/other", "mp/other", "mp/zzz"} {
		u := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String(k)}))
		others[aws.ToString(u.UploadId)] = k
	}
	seen := map[string]bool{}
	up := s3.NewListMultipartUploadsPaginator(a, &s3.ListMultipartUploadsInput{Bucket: bucket, MaxUploads: aws.Int32(3)})
	for i := 0; up.HasMorePages() && i < 10; i++ {
		page := must[*s3.ListMultipartUploadsOutput](t, "ListMultipartUploads page")(up.NextPage(ctx))
		for _, u := range page.Uploads {
			if seen[aws.ToString(u.UploadId)] {
				t.Errorf("upload %s listed twice", aws.ToString(u.UploadId))
			}
			seen[aws.ToString(u.UploadId)] = true
		}
	}
	if len(seen) != len(others) || up.HasMorePages() {
		t.Errorf("paged ListMultipartUploads saw %d of %d uploads", len(seen), len(others))
	}
	for u, k := range others {
		if u != aws.ToString(id) {
			must[*s3.AbortMultipartUploadOutput](t, "AbortMultipartUpload")(a.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bucket, Key: aws.String(k), UploadId: aws.String(u)}))
		}
	}

	// Out of order parts are refused, and the upload survives it.
	_, err := a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{completed[1], completed[0]}}})
	wantError(t, "CompleteMultipartUpload out of order", err, 400, "InvalidPartOrder")
	bogus := completed[0]
	bogus.ETag, bogus.ChecksumCRC32 = aws.String(`"00000000000000000000000000000000"`), nil
	_, err = a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{bogus}}})
	wantError(t, "CompleteMultipartUpload wrong ETag", err, 400, "InvalidPart")

	done := must[*s3.CompleteMultipartUploadOutput](t, "CompleteMultipartUpload")(a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: completed}}))
	h := md5.New()
	for _, b := range [][]byte{p1, p2, p3, p4} {
		sum := md5.Sum(b)
		h.Write(sum[:])
	}
	if want := fmt.Sprintf(`"%x-4"`, h.Sum(nil)); aws.ToString(done.ETag) != want {
		t.Errorf("multipart ETag %s, want %s", aws.ToString(done.ETag), want)
	}
	g := must[*s3.GetObjectOutput](t, "GetObject multipart")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key}))
	got, err := io.ReadAll(g.Body)
	g.Body.Close()
	if err != nil || !bytes.Equal(got, slices.Concat(p1, p2, p3, p4)) {
		t.Errorf("multipart content differs (%d bytes, %v)", len(got), err)
	}
	if aws.ToString(g.ContentType) != "application/x-big" || g.Metadata["kind"] != "multipart" || aws.ToInt32(g.PartsCount) > 4 {
		t.Errorf("multipart headers %q %v", aws.ToString(g.ContentType), g.Metadata)
	}
	rng := must[*s3.GetObjectOutput](t, "GetObject multipart range")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key,
		Range: aws.String(fmt.Sprintf("bytes=%d-%d", 5*mib-2, 5*mib+1))}))
	if got := readAll(t, rng.Body); got != string(slices.Concat(p1[5*mib-2:], p2[:2])) {
		t.Errorf("range across parts: %q", got)
	}
	_, err = a.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: key, UploadId: id})
	wantError(t, "ListParts after complete", err, 404, "NoSuchUpload")

	// Abort: the upload is gone.
	ab := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("mp/aborted")}))
	must[*s3.UploadPartOutput](t, "UploadPart")(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("mp/aborted"), UploadId: ab.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("small")}))
	must[*s3.AbortMultipartUploadOutput](t, "AbortMultipartUpload")(a.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bucket, Key: aws.String("mp/aborted"), UploadId: ab.UploadId}))
	_, err = a.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: aws.String("mp/aborted"), UploadId: ab.UploadId})
	wantError(t, "ListParts after abort", err, 404, "NoSuchUpload")
	_, err = a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("mp/aborted"), UploadId: ab.UploadId, PartNumber: aws.Int32(2), Body: strings.NewReader("x")})
	wantError(t, "UploadPart after abort", err, 404, "NoSuchUpload")
	_, err = a.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: bucket, Key: aws.String("mp/aborted"), UploadId: ab.UploadId})
	wantError(t, "AbortMultipartUpload again", err, 404, "NoSuchUpload")

	// Parts under 5 MiB (other than the last): EntityTooSmall.
	small := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("mp/small")}))
	var smallParts []types.CompletedPart
	for n := int32(1); n <= 2; n++ {
		out := must[*s3.UploadPartOutput](t, "UploadPart small")(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("mp/small"), UploadId: small.UploadId,
			PartNumber: aws.Int32(n), Body: strings.NewReader("tiny part")}))
		smallParts = append(smallParts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	_, err = a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: aws.String("mp/small"), UploadId: small.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: smallParts}})
	wantError(t, "CompleteMultipartUpload with small parts", err, 400, "EntityTooSmall")
	// One small part alone is a valid (last) part.
	one := must[*s3.CompleteMultipartUploadOutput](t, "CompleteMultipartUpload one part")(a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket,
		Key: aws.String("mp/small"), UploadId: small.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: smallParts[:1]}}))
	if !strings.HasSuffix(aws.ToString(one.ETag), `-1"`) {
		t.Errorf("one-part ETag %s", aws.ToString(one.ETag))
	}
	_, err = a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: aws.String("no-such-upload"), PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantError(t, "UploadPart to an unknown upload", err, 404, "NoSuchUpload")
}

// TestSDKMultipartChecksum: an upload created with a checksum algorithm
// stores the composite checksum, which the SDK accepts on GET.
func TestSDKMultipartChecksum(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket, key := aws.String("sdk-a-data"), aws.String("mp/sha")
	created := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key,
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256}))
	var parts []types.CompletedPart
	bodies := [][]byte{bytes.Repeat([]byte("a"), 5<<20), []byte("tail")}
	for i, body := range bodies {
		out := must[*s3.UploadPartOutput](t, "UploadPart")(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: created.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmSha256}))
		if out.ChecksumSHA256 == nil {
			t.Fatalf("UploadPart returned no SHA256")
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumSHA256: out.ChecksumSHA256})
	}
	must[*s3.CompleteMultipartUploadOutput](t, "CompleteMultipartUpload")(a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key,
		UploadId: created.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}))
	g := must[*s3.GetObjectOutput](t, "GetObject")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, ChecksumMode: types.ChecksumModeEnabled}))
	if got := readAll(t, g.Body); got != string(bodies[0])+string(bodies[1]) {
		t.Errorf("content differs")
	}
	if !strings.HasSuffix(aws.ToString(g.ChecksumSHA256), "-2") {
		t.Errorf("composite SHA256 %q", aws.ToString(g.ChecksumSHA256))
	}
}

func TestSDKPresign(t *testing.T) {
	var skew atomic.Int64
	env := startSDK(t, testenv.WithClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }))
	a := client(env, rootAKey, rootASecret)
	presign := s3.NewPresignClient(a)
	bucket := aws.String("sdk-a-data")

	// PUT through a presigned URL, then GET through another.
	put, err := presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("presigned/up.txt")}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(put.Method, put.URL, strings.NewReader("uploaded via a presigned URL\n"))
	for k, v := range put.SignedHeader {
		if !strings.EqualFold(k, "host") {
			req.Header[k] = v
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d %s (URL %s)", resp.StatusCode, raw, put.URL)
	}
	get, err := presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("presigned/up.txt")}, s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	fetch := func() (int, string) {
		resp, err := http.Get(get.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := fetch(); status != 200 || body != "uploaded via a presigned URL\n" {
		t.Fatalf("presigned GET: %d %s", status, body)
	}
	// A tampered URL fails its signature.
	resp, err = http.Get(strings.Replace(get.URL, "up.txt", "up.tx", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("tampered presigned URL: %d", resp.StatusCode)
	}

	// Two minutes later (by the server's clock) the URL has expired.
	skew.Store(int64(2 * time.Minute))
	status, body := fetch()
	if status != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") || !strings.Contains(body, "expired") {
		t.Errorf("expired presigned GET: %d %s", status, body)
	}
}

func TestSDKVirtualHosted(t *testing.T) {
	env := startSDK(t)
	// The SDK's default addressing, bucket.<base>, dialled on loopback, for
	// both bases.
	for i, base := range []string{"localhost", "s3.localhost"} {
		vh := client(env, rootAKey, rootASecret, func(o *s3.Options) {
			o.UsePathStyle = false
			o.BaseEndpoint = aws.String("http://" + base + ":" + port(env))
			o.HTTPClient = &http.Client{Transport: &http.Transport{DialContext: loopbackDialer(env)}}
		})
		key := aws.String(fmt.Sprintf("vh/%d a b.txt", i))
		must[*s3.PutObjectOutput](t, "virtual-hosted PutObject")(vh.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-a-data"), Key: key, Body: strings.NewReader("virtual")}))
		g := must[*s3.GetObjectOutput](t, "virtual-hosted GetObject")(vh.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-a-data"), Key: key}))
		if got := readAll(t, g.Body); got != "virtual" {
			t.Errorf("%s: virtual-hosted GetObject %q", base, got)
		}
		l := must[*s3.ListObjectsV2Output](t, "virtual-hosted ListObjectsV2")(vh.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-a-data"), Prefix: aws.String("vh/")}))
		if len(l.Contents) != i+1 || aws.ToString(l.Contents[i].Key) != *key {
			t.Errorf("%s: virtual-hosted list %+v", base, l.Contents)
		}
		must[*s3.HeadBucketOutput](t, "virtual-hosted HeadBucket")(vh.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("sdk-a-data")}))
		// No bucket: the request goes to the base host itself.
		lb := must[*s3.ListBucketsOutput](t, "ListBuckets at "+base)(vh.ListBuckets(ctx, &s3.ListBucketsInput{}))
		if len(lb.Buckets) < 3 {
			t.Errorf("ListBuckets at %s: %d buckets", base, len(lb.Buckets))
		}
	}
	// Path style through the s3.localhost endpoint is path style too.
	r := rawRequest{Method: "GET", Target: "/sdk-a-data/seed.txt", Host: "s3.localhost:" + port(env), Key: rootAKey, Secret: rootASecret}.do(t, env)
	if r.Status != 200 || r.Body != "seed\n" {
		t.Errorf("path style via Host s3.localhost: %d %s", r.Status, r.Body)
	}

	// Raw signed requests to both bases.
	for _, host := range []string{"sdk-a-data.localhost:" + port(env), "sdk-a-data.s3.localhost:" + port(env)} {
		r := rawRequest{Method: "GET", Target: "/vh/0%20a%20b.txt", Host: host, Key: rootAKey, Secret: rootASecret}.do(t, env)
		if r.Status != 200 || r.Body != "virtual" {
			t.Errorf("GET via Host %s: %d %s", host, r.Status, r.Body)
		}
		r = rawRequest{Method: "GET", Target: "/?list-type=2&prefix=vh%2F", Host: host, Key: rootAKey, Secret: rootASecret}.do(t, env)
		if r.Status != 200 || !strings.Contains(r.Body, "<Key>vh/0 a b.txt</Key>") {
			t.Errorf("list via Host %s: %d %s", host, r.Status, r.Body)
		}
	}
}

func TestSDKAnonymous(t *testing.T) {
	env := startSDK(t)
	get := func(path string) (int, string) {
		resp, err := http.Get(env.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := get("/sdk-public/pub/hello.txt"); status != 200 || body != "hello, anyone\n" {
		t.Errorf("public object: %d %s", status, body)
	}
	for _, path := range []string{"/sdk-public/secret.txt", "/sdk-public/pub/absent", "/account-a-bucket-0525/test.txt", "/sdk-public", "/"} {
		if status, body := get(path); status != 403 || !strings.Contains(body, "<Message>Access Denied</Message>") {
			t.Errorf("anonymous GET %s: %d %s", path, status, body)
		}
	}
	resp, err := http.Head(env.URL + "/sdk-public/pub/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ContentLength != int64(len("hello, anyone\n")) {
		t.Errorf("anonymous HEAD: %d %d", resp.StatusCode, resp.ContentLength)
	}
	req, _ := http.NewRequest("PUT", env.URL+"/sdk-public/pub/new.txt", strings.NewReader("x"))
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("anonymous PUT: %d", resp.StatusCode)
	}

	// The SDK with anonymous credentials.
	anon := client(env, "", "", func(o *s3.Options) { o.Credentials = aws.AnonymousCredentials{} })
	g := must[*s3.GetObjectOutput](t, "anonymous SDK GetObject")(anon.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-public"), Key: aws.String("pub/hello.txt")}))
	if got := readAll(t, g.Body); got != "hello, anyone\n" {
		t.Errorf("anonymous SDK GetObject %q", got)
	}
	_, err = anon.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-public"), Key: aws.String("secret.txt")})
	wantError(t, "anonymous SDK GetObject secret", err, 403, "AccessDenied")
}

func TestSDKCrossAccountAndDenials(t *testing.T) {
	env := startSDK(t)
	stsClient := sts.NewFromConfig(sdkConfig(env, aliceKey, aliceSecret, ""))
	role := must[*sts.AssumeRoleOutput](t, "AssumeRole")(stsClient.AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111111111111:role/assume_s3_role"), RoleSessionName: aws.String("sdk-test")}))
	c := role.Credentials
	assumed := s3.NewFromConfig(sdkConfig(env, aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)),
		func(o *s3.Options) { o.UsePathStyle = true })
	g := must[*s3.GetObjectOutput](t, "GetObject as the assumed role")(assumed.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("test.txt")}))
	if got := readAll(t, g.Body); got != "hello from account A\n" {
		t.Errorf("assumed role read %q", got)
	}
	l := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 as the assumed role")(assumed.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("account-a-bucket-0525")}))
	if len(l.Contents) != 2 {
		t.Errorf("assumed role list %+v", l.Contents)
	}
	_, err := assumed.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("nope"), Body: strings.NewReader("x")})
	msg := wantError(t, "PutObject as the read-only role", err, 403, "AccessDenied")
	if !strings.Contains(msg, "assumed-role/assume_s3_role/sdk-test") || !strings.Contains(msg, "s3:PutObject") {
		t.Errorf("same-account denial message %q", msg)
	}
	_, err = assumed.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("absent")})
	wantError(t, "GetObject absent as the role (ListBucket held)", err, 404, "NoSuchKey")
	// A presigned URL of the session (X-Amz-Security-Token in the query).
	signed := must[*v4.PresignedHTTPRequest](t, "PresignGetObject")(s3.NewPresignClient(assumed).PresignGetObject(ctx,
		&s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("test2.txt")}))
	resp, err := http.Get(signed.URL)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(got) != "second object\n" || !strings.Contains(signed.URL, "X-Amz-Security-Token=") {
		t.Errorf("presigned GET with a session: %d %s", resp.StatusCode, got)
	}
	resp.Body.Close()

	// carol (B, no policies): cross-account, so a bare "Access Denied".
	carol := client(env, carolKey, carolSecret)
	_, err = carol.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("test.txt")})
	if msg := wantError(t, "carol GetObject", err, 403, "AccessDenied"); msg != "Access Denied" {
		t.Errorf("cross-account denial message %q", msg)
	}
	// Alice herself (without assuming the role) is another account too.
	_, err = client(env, aliceKey, aliceSecret).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("test.txt")})
	wantError(t, "alice GetObject", err, 403, "AccessDenied")

	// Same account, no policy: the detailed message.
	nobody := client(env, nobodyKey, nobodySecret)
	_, err = nobody.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("test.txt")})
	msg = wantError(t, "nobody GetObject", err, 403, "AccessDenied")
	want := `User: arn:aws:iam::111111111111:user/sdk-nobody is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::account-a-bucket-0525/test.txt" because no identity-based policy allows the s3:GetObject action`
	if msg != want {
		t.Errorf("same-account denial message\n got %q\nwant %q", msg, want)
	}

	// A missing key: NoSuchKey with s3:ListBucket, AccessDenied without.
	root := client(env, rootAKey, rootASecret)
	_, err = root.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-a-data"), Key: aws.String("absent")})
	wantError(t, "root GetObject absent", err, 404, "NoSuchKey")
	getter := client(env, getterKey, getterSecret)
	g = must[*s3.GetObjectOutput](t, "getter GetObject")(getter.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-a-data"), Key: aws.String("seed.txt")}))
	readAll(t, g.Body)
	_, err = getter.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sdk-a-data"), Key: aws.String("absent")})
	msg = wantError(t, "getter GetObject absent", err, 403, "AccessDenied")
	if !strings.Contains(msg, "s3:ListBucket") {
		t.Errorf("missing-key denial message %q", msg)
	}
	_, err = getter.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sdk-a-data"), Key: aws.String("absent")})
	wantError(t, "getter HeadObject absent", err, 403, "")
	_, err = root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sdk-a-data"), Key: aws.String("absent")})
	wantError(t, "root HeadObject absent", err, 404, "")
}

// TestSDKTrailingChecksumOverTLS: over HTTPS the SDK streams PutObject and
// UploadPart as aws-chunked with the CRC32 in a trailer
// (STREAMING-UNSIGNED-PAYLOAD-TRAILER). A TLS proxy in front of the test
// server makes the SDK do so.
func TestSDKTrailingChecksumOverTLS(t *testing.T) {
	env := startSDK(t)
	target, _ := url.Parse(env.URL)
	var trailed atomic.Int32
	proxy := httptest.NewTLSServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		if r.In.Header.Get("X-Amz-Content-Sha256") == "STREAMING-UNSIGNED-PAYLOAD-TRAILER" {
			trailed.Add(1)
		}
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}})
	t.Cleanup(proxy.Close)
	a := client(env, rootAKey, rootASecret, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(proxy.URL)
		o.HTTPClient = proxy.Client()
	})
	bucket := aws.String("sdk-a-data")
	body := bytes.Repeat([]byte("0123456789abcdef"), 300_000) // 4.8 MB
	put := must[*s3.PutObjectOutput](t, "PutObject over TLS")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("tls/seekable"), Body: bytes.NewReader(body)}))
	if aws.ToString(put.ChecksumCRC32) != crc32b64(body) {
		t.Errorf("CRC32 %q, want %q", aws.ToString(put.ChecksumCRC32), crc32b64(body))
	}
	// An unseekable body of known length.
	must[*s3.PutObjectOutput](t, "PutObject unseekable over TLS")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("tls/stream"),
		Body: io.NopCloser(bytes.NewReader(body)), ContentLength: aws.Int64(int64(len(body)))}))
	for _, key := range []string{"tls/seekable", "tls/stream"} {
		g := must[*s3.GetObjectOutput](t, "GetObject "+key)(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled}))
		got, err := io.ReadAll(g.Body)
		g.Body.Close()
		if err != nil || !bytes.Equal(got, body) || aws.ToString(g.ChecksumCRC32) != crc32b64(body) || g.ContentEncoding != nil {
			t.Errorf("%s: %d bytes, %v, crc %q, encoding %q", key, len(got), err, aws.ToString(g.ChecksumCRC32), aws.ToString(g.ContentEncoding))
		}
	}
	// A part, too.
	up := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("tls/mp")}))
	part := must[*s3.UploadPartOutput](t, "UploadPart over TLS")(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("tls/mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(body[:1000])}))
	if aws.ToString(part.ChecksumCRC32) != crc32b64(body[:1000]) {
		t.Errorf("part CRC32 %q", aws.ToString(part.ChecksumCRC32))
	}
	must[*s3.CompleteMultipartUploadOutput](t, "CompleteMultipartUpload")(a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: aws.String("tls/mp"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32}}}}))
	if n := trailed.Load(); n < 3 {
		t.Errorf("only %d requests used a trailing checksum", n)
	}
	// Operations whose (small) bodies carry a required checksum.
	del := must[*s3.DeleteObjectsOutput](t, "DeleteObjects over TLS")(a.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket,
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("tls/stream")}}}}))
	if len(del.Deleted) != 1 {
		t.Errorf("DeleteObjects over TLS: %+v", del)
	}
	must[*s3.PutBucketPolicyOutput](t, "PutBucketPolicy over TLS")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket,
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::sdk-a-data/tls/*"}]}`)}))
	t.Logf("%d requests used a trailing checksum", trailed.Load())
}
