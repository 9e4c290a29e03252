package s3_test

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/testenv"
)

func conditionCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// TestConditionalPut: If-None-Match "*" creates only when absent (the
// lock file pattern Terraform uses), If-Match replaces only the version
// the writer read, and of many racing creators exactly one wins.
func TestConditionalPut(t *testing.T) {
	env := testenv.Start(t)
	c := client(env, rootAKey, rootASecret)
	ctx := context.Background()
	put := func(key, body string, in func(*s3.PutObjectInput)) (*s3.PutObjectOutput, error) {
		p := &s3.PutObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String(key), Body: bytes.NewReader([]byte(body))}
		if in != nil {
			in(p)
		}
		return c.PutObject(ctx, p)
	}
	ifNone := func(p *s3.PutObjectInput) { p.IfNoneMatch = aws.String("*") }
	first, err := put("lock", "one", ifNone)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := put("lock", "two", ifNone); conditionCode(err) != "PreconditionFailed" {
		t.Fatalf("second create: %v", err)
	}
	if _, err := put("lock", "three", func(p *s3.PutObjectInput) { p.IfMatch = aws.String(`"0000"`) }); conditionCode(err) != "PreconditionFailed" {
		t.Fatalf("If-Match with a stale ETag: %v", err)
	}
	if _, err := put("lock", "four", func(p *s3.PutObjectInput) { p.IfMatch = first.ETag }); err != nil {
		t.Fatalf("If-Match with the current ETag: %v", err)
	}
	if _, err := put("absent", "x", func(p *s3.PutObjectInput) { p.IfMatch = aws.String("*") }); conditionCode(err) != "NoSuchKey" {
		t.Fatalf("If-Match on a missing key: %v", err)
	}
	var wins sync.WaitGroup
	var mu sync.Mutex
	won := 0
	for i := 0; i < 8; i++ {
		wins.Add(1)
		go func() {
			defer wins.Done()
			if _, err := put("race", "x", ifNone); err == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wins.Wait()
	if won != 1 {
		t.Fatalf("%d racing creators won, want 1", won)
	}
}

// TestHeadObjectRange: HEAD with a Range answers 206 with the range's
// length and Content-Range, as S3 does.
func TestHeadObjectRange(t *testing.T) {
	env := testenv.Start(t)
	c := client(env, rootAKey, rootASecret)
	out, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("account-a-bucket-0525"),
		Key: aws.String("test.txt"), Range: aws.String("bytes=0-4")})
	if err != nil || out.ContentLength == nil || *out.ContentLength != 5 || out.ContentRange == nil || *out.ContentRange != "bytes 0-4/21" {
		t.Fatalf("HEAD with Range: %+v %v", out, err)
	}
}

// TestConditionalDelete: DeleteObject's If-Match and a DeleteObjects
// entry's ETag delete only the object whose ETag they name; another ETag
// is PreconditionFailed and the object stays (S3's conditional deletes,
// general purpose buckets included).
func TestConditionalDelete(t *testing.T) {
	env := testenv.Start(t)
	c := client(env, rootAKey, rootASecret)
	ctx := context.Background()
	bucket := aws.String("account-a-bucket-0525")
	put := func(key string) *string {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: bytes.NewReader([]byte(key))})
		if err != nil {
			t.Fatal(err)
		}
		return out.ETag
	}
	exists := func(key string) bool {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String(key)})
		return err == nil
	}
	etag := put("cond-del")
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("cond-del"), IfMatch: aws.String(`"0000"`)})
	if conditionCode(err) != "PreconditionFailed" || !exists("cond-del") {
		t.Fatalf("DeleteObject with a stale If-Match: %v, still there: %v", err, exists("cond-del"))
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("cond-del"), IfMatch: etag}); err != nil || exists("cond-del") {
		t.Fatalf("DeleteObject with the current If-Match: %v, still there: %v", err, exists("cond-del"))
	}
	put("cond-star")
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("cond-star"), IfMatch: aws.String("*")}); err != nil || exists("cond-star") {
		t.Fatalf("DeleteObject with If-Match *: %v", err)
	}

	etag = put("cond-many")
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("cond-many"), ETag: aws.String(`"0000"`)}}}})
	if err != nil || len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "PreconditionFailed" || !exists("cond-many") {
		t.Fatalf("DeleteObjects with a stale ETag: %+v %v, still there: %v", out, err, exists("cond-many"))
	}
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("cond-many"), ETag: etag}}}})
	if err != nil || len(out.Errors) != 0 || exists("cond-many") {
		t.Fatalf("DeleteObjects with the current ETag: %+v %v", out, err)
	}
}

// TestConditionalCopy: CopyObject's If-None-Match "*" and If-Match apply
// to the destination, as for PutObject: an existing destination, or one
// with another ETag, is PreconditionFailed and stays as it was.
func TestConditionalCopy(t *testing.T) {
	env := testenv.Start(t)
	c := client(env, rootAKey, rootASecret)
	ctx := context.Background()
	bucket := aws.String("account-a-bucket-0525")
	dst, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("copy-dst"), Body: bytes.NewReader([]byte("kept"))})
	if err != nil {
		t.Fatal(err)
	}
	copyTo := func(in func(*s3.CopyObjectInput)) error {
		p := &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copy-dst"), CopySource: aws.String("account-a-bucket-0525/test.txt")}
		in(p)
		_, err := c.CopyObject(ctx, p)
		return err
	}
	kept := func() bool {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("copy-dst")})
		return err == nil && readAll(t, out.Body) == "kept"
	}
	if err := copyTo(func(p *s3.CopyObjectInput) { p.IfNoneMatch = aws.String("*") }); conditionCode(err) != "PreconditionFailed" || !kept() {
		t.Fatalf("CopyObject If-None-Match * onto an object: %v, kept: %v", err, kept())
	}
	if err := copyTo(func(p *s3.CopyObjectInput) { p.IfMatch = aws.String(`"0000"`) }); conditionCode(err) != "PreconditionFailed" || !kept() {
		t.Fatalf("CopyObject with a stale If-Match: %v, kept: %v", err, kept())
	}
	if err := copyTo(func(p *s3.CopyObjectInput) { p.IfMatch = dst.ETag }); err != nil || kept() {
		t.Fatalf("CopyObject with the current If-Match: %v", err)
	}
}

// TestConditionalComplete: CompleteMultipartUpload's If-None-Match "*" and
// If-Match hold the key as PutObject's do; a refused Complete leaves the
// object and the upload as they were.
func TestConditionalComplete(t *testing.T) {
	env := testenv.Start(t)
	c := client(env, rootAKey, rootASecret)
	ctx := context.Background()
	bucket, key := aws.String("account-a-bucket-0525"), aws.String("mp-cond")
	old, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: key, Body: bytes.NewReader([]byte("kept"))})
	if err != nil {
		t.Fatal(err)
	}
	create, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: create.UploadId, PartNumber: aws.Int32(1),
		Body: bytes.NewReader([]byte("new"))})
	if err != nil {
		t.Fatal(err)
	}
	complete := func(in func(*s3.CompleteMultipartUploadInput)) error {
		p := &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: key, UploadId: create.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}
		in(p)
		_, err := c.CompleteMultipartUpload(ctx, p)
		return err
	}
	kept := func() bool {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key})
		return err == nil && readAll(t, out.Body) == "kept"
	}
	if err := complete(func(p *s3.CompleteMultipartUploadInput) { p.IfNoneMatch = aws.String("*") }); conditionCode(err) != "PreconditionFailed" || !kept() {
		t.Fatalf("Complete If-None-Match * onto an object: %v, kept: %v", err, kept())
	}
	if err := complete(func(p *s3.CompleteMultipartUploadInput) { p.IfMatch = aws.String(`"0000"`) }); conditionCode(err) != "PreconditionFailed" || !kept() {
		t.Fatalf("Complete with a stale If-Match: %v, kept: %v", err, kept())
	}
	if err := complete(func(p *s3.CompleteMultipartUploadInput) { p.IfMatch = old.ETag }); err != nil || kept() {
		t.Fatalf("Complete with the current If-Match: %v", err)
	}
}
