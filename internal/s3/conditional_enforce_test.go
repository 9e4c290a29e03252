package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// A bucket policy can demand conditional writes and deletes (S3 User
// Guide, "Enforce conditional writes" and "Enforce conditional deletes"):
// s3:if-none-match and s3:if-match carry the request's If-None-Match and
// If-Match, and a DeleteObjects entry's ETag; a read's If-Match sets no
// key.
func TestPolicyEnforcesConditionalRequests(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	must[*s3.PutBucketPolicyOutput](t, "PutBucketPolicy")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(`{
		"Version": "2012-10-17",
		"Statement": [
			{"Sid": "OnlyConditionalPuts", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
			 "Resource": "arn:aws:s3:::sdk-a-data/*", "Condition": {"Null": {"s3:if-none-match": "true"}}},
			{"Sid": "OnlyConditionalDeletes", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
			 "Resource": "arn:aws:s3:::sdk-a-data/*", "Condition": {"Null": {"s3:if-match": "true"}}}
		]}`)}))

	_, err := a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("k1"), Body: strings.NewReader("one")})
	wantError(t, "PutObject without If-None-Match", err, 403, "AccessDenied")
	put := func(key string) *s3.PutObjectOutput {
		return must[*s3.PutObjectOutput](t, "PutObject with If-None-Match")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket,
			Key: aws.String(key), Body: strings.NewReader(key), IfNoneMatch: aws.String("*")}))
	}
	k1, k2 := put("k1"), put("k2")

	_, err = a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("k1")})
	wantError(t, "DeleteObject without If-Match", err, 403, "AccessDenied")
	must[*s3.DeleteObjectOutput](t, "DeleteObject with If-Match")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket,
		Key: aws.String("k1"), IfMatch: k1.ETag}))

	out := must[*s3.DeleteObjectsOutput](t, "DeleteObjects")(a.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket,
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("seed.txt")}, {Key: aws.String("k2"), ETag: k2.ETag}}}}))
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "k2" {
		t.Errorf("DeleteObjects deleted %+v, want only k2 (its entry names an ETag)", out.Deleted)
	}
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "seed.txt" || aws.ToString(out.Errors[0].Code) != "AccessDenied" {
		t.Errorf("DeleteObjects errors %+v, want AccessDenied for seed.txt", out.Errors)
	}

	// A read's If-Match is no condition key: a policy denying reads that
	// carry s3:if-match does not stop it.
	must[*s3.PutBucketPolicyOutput](t, "PutBucketPolicy")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(`{
		"Version": "2012-10-17",
		"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
			"Resource": "arn:aws:s3:::sdk-a-data/*", "Condition": {"Null": {"s3:if-match": "false"}}}]}`)}))
	must[*s3.GetObjectOutput](t, "GetObject with If-Match")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("seed.txt"),
		IfMatch: aws.String("*")}))
}
