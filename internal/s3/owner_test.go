package s3_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestSDKExpectedBucketOwner: x-amz-expected-bucket-owner and
// x-amz-source-expected-bucket-owner are honoured (403 AccessDenied when
// the bucket belongs to another account, 400 InvalidBucketOwnerAWSAccountID
// when the value is no account ID). Before the fix they were ignored.
func TestSDKExpectedBucketOwner(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	const ownerA, ownerB = "111111111111", "222222222222"

	must[*s3.PutObjectOutput](t, "PutObject right owner")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("owner/x"),
		Body: bytes.NewReader([]byte("x")), ExpectedBucketOwner: aws.String(ownerA)}))
	must[*s3.GetObjectOutput](t, "GetObject right owner")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("owner/x"), ExpectedBucketOwner: aws.String(ownerA)}))

	_, err := a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("owner/y"), Body: bytes.NewReader([]byte("y")), ExpectedBucketOwner: aws.String(ownerB)})
	if msg := wantError(t, "PutObject wrong owner", err, 403, "AccessDenied"); msg != "Access Denied" {
		t.Errorf("message %q", msg)
	}
	_, err = a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("owner/y")})
	wantError(t, "HeadObject of the refused put", err, 404, "")
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("owner/x"), ExpectedBucketOwner: aws.String(ownerB)})
	wantError(t, "GetObject wrong owner", err, 403, "AccessDenied")
	_, err = a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: bucket, ExpectedBucketOwner: aws.String(ownerB)})
	wantError(t, "ListObjectsV2 wrong owner", err, 403, "AccessDenied")
	_, err = a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("owner/x"), ExpectedBucketOwner: aws.String(ownerB)})
	wantError(t, "DeleteObject wrong owner", err, 403, "AccessDenied")
	_, err = a.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("sdk-a-shared"), ExpectedBucketOwner: aws.String(ownerB)})
	wantError(t, "DeleteBucketPolicy wrong owner", err, 403, "AccessDenied")
	for _, bad := range []string{"abc", "11111111111", "1111111111111", "11111111111x"} {
		_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("owner/x"), ExpectedBucketOwner: aws.String(bad)})
		wantError(t, "GetObject owner "+bad, err, 400, "InvalidBucketOwnerAWSAccountID")
	}
	must[*s3.GetObjectOutput](t, "GetObject still there")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("owner/x")}))

	// The copy source's owner: B's copier reads A's shared bucket.
	copier := client(env, copierKey, copierSecret)
	copyIn := func(owner string) error {
		_, err := copier.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("sdk-b-dest"), Key: aws.String("copied"),
			CopySource: aws.String("sdk-a-shared/public/src.txt"), ExpectedSourceBucketOwner: aws.String(owner), ExpectedBucketOwner: aws.String(ownerB)})
		return err
	}
	if err := copyIn(ownerA); err != nil {
		t.Fatal("CopyObject right source owner:", err)
	}
	wantError(t, "CopyObject wrong source owner", copyIn(ownerB), 403, "AccessDenied")
	wantError(t, "CopyObject malformed source owner", copyIn("nope"), 400, "InvalidBucketOwnerAWSAccountID")

	up := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(copier.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("sdk-b-dest"), Key: aws.String("mp")}))
	_, err = copier.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("sdk-b-dest"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("sdk-a-shared/public/src.txt"), ExpectedSourceBucketOwner: aws.String(ownerB)})
	wantError(t, "UploadPartCopy wrong source owner", err, 403, "AccessDenied")
	_, err = copier.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("sdk-b-dest"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		CopySource: aws.String("sdk-a-shared/public/src.txt"), ExpectedBucketOwner: aws.String(ownerA)})
	wantError(t, "UploadPartCopy wrong destination owner", err, 403, "AccessDenied")
}

// TestSDKAnonymousResponseOverrides: an anonymous GetObject or HeadObject
// may not rewrite response headers with response-* parameters (S3's
// InvalidRequest); a signed one may. Before the fix an anonymous caller
// could serve a public object as text/html.
func TestSDKAnonymousResponseOverrides(t *testing.T) {
	env := startSDK(t)
	anon := client(env, "", "", func(o *s3.Options) { o.Credentials = aws.AnonymousCredentials{} })
	bucket, key := aws.String("sdk-public"), aws.String("pub/hello.txt")
	const message = "Request specific response headers cannot be used for anonymous GET requests."
	inputs := map[string]*s3.GetObjectInput{
		"response-content-type":        {Bucket: bucket, Key: key, ResponseContentType: aws.String("text/html")},
		"response-content-disposition": {Bucket: bucket, Key: key, ResponseContentDisposition: aws.String("attachment")},
		"response-content-encoding":    {Bucket: bucket, Key: key, ResponseContentEncoding: aws.String("gzip")},
		"response-content-language":    {Bucket: bucket, Key: key, ResponseContentLanguage: aws.String("fr")},
		"response-cache-control":       {Bucket: bucket, Key: key, ResponseCacheControl: aws.String("no-cache")},
		"response-expires":             {Bucket: bucket, Key: key, ResponseExpires: aws.Time(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))},
	}
	for name, in := range inputs {
		_, err := anon.GetObject(ctx, in)
		if msg := wantError(t, "anonymous GetObject with "+name, err, 400, "InvalidRequest"); msg != message {
			t.Errorf("%s: message %q", name, msg)
		}
	}
	_, err := anon.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key, ResponseContentType: aws.String("text/html")})
	wantError(t, "anonymous HeadObject with response-content-type", err, 400, "")
	must[*s3.GetObjectOutput](t, "anonymous GetObject without overrides")(anon.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key}))

	a := client(env, rootAKey, rootASecret)
	got := must[*s3.GetObjectOutput](t, "signed GetObject with override")(a.GetObject(ctx, inputs["response-content-type"]))
	if aws.ToString(got.ContentType) != "text/html" {
		t.Errorf("signed override: Content-Type %q", aws.ToString(got.ContentType))
	}
}
