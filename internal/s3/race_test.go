package s3_test

import (
	"bytes"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// raceLog collects what the writers were told and what the deleter did.
type raceLog struct {
	mu       sync.Mutex
	acked    []string        // keys whose write was acknowledged
	deleted  map[string]bool // keys the deleter deleted
	failures []string        // answers no write may get
}

func (l *raceLog) ack(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acked = append(l.acked, key)
}

// refused records a failed write: true when it was refused because the
// bucket is gone (the writer stops), false when expected otherwise.
func (l *raceLog) refused(what string, err error, alsoOK ...string) bool {
	status, code, _ := apiError(err)
	if status == 404 && code == "NoSuchBucket" {
		return true
	}
	for _, ok := range alsoOK {
		if code == ok {
			return false
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failures = append(l.failures, fmt.Sprintf("%s: %d %s (%v)", what, status, code, err))
	return true
}

// TestDeleteBucketRacingWrites runs PutObject, CopyObject and multipart
// uploads into a bucket while its owner empties and deletes it, many times.
// Every write either is acknowledged before the delete (so the deleter saw
// and deleted it) or fails with NoSuchBucket, never 500; and a bucket
// another account then creates under the name is empty.
func TestDeleteBucketRacingWrites(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	b := client(env, rootBKey, rootBSecret)
	for i := range 50 {
		bucket := fmt.Sprintf("race-%d", i)
		must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
		log := &raceLog{deleted: map[string]bool{}}
		var wg sync.WaitGroup
		for w := range 3 {
			wg.Go(func() { putWriter(a, bucket, fmt.Sprintf("put-%d-", w), log) })
		}
		wg.Go(func() { copyWriter(a, bucket, log) })
		wg.Go(func() { multipartWriter(a, bucket, log) })
		deleteUntilGone(t, a, bucket, log)
		wg.Wait()
		for _, f := range log.failures {
			t.Errorf("round %d: %s", i, f)
		}
		for _, key := range log.acked {
			if !log.deleted[key] {
				t.Errorf("round %d: write of %s was acknowledged, but the bucket was deleted with it", i, key)
			}
		}
		must[*s3.CreateBucketOutput](t, "CreateBucket by B")(b.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
		listed := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 by B")(b.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}))
		if len(listed.Contents) != 0 {
			t.Fatalf("round %d: B's new bucket %s lists A's old objects %v", i, bucket, listItems(listed))
		}
		must[*s3.DeleteBucketOutput](t, "DeleteBucket by B")(b.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}))
	}
}

func putWriter(c *s3.Client, bucket, prefix string, log *raceLog) {
	for n := range 8 {
		key := fmt.Sprintf("%s%d", prefix, n)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader([]byte(key))})
		if err != nil {
			if log.refused("PutObject "+key, err) {
				return
			}
			continue
		}
		log.ack(key)
	}
}

func copyWriter(c *s3.Client, bucket string, log *raceLog) {
	for n := range 4 {
		key := fmt.Sprintf("copy-%d", n)
		_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), CopySource: aws.String("sdk-a-data/seed.txt")})
		if err != nil {
			if log.refused("CopyObject "+key, err) {
				return
			}
			continue
		}
		log.ack(key)
	}
}

// multipartWriter runs uploads of one small part; the deleter may abort
// them (NoSuchUpload).
func multipartWriter(c *s3.Client, bucket string, log *raceLog) {
	for n := range 3 {
		key := fmt.Sprintf("mp-%d", n)
		created, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			log.refused("CreateMultipartUpload "+key, err)
			return
		}
		part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: created.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte(key))})
		if err != nil {
			if log.refused("UploadPart "+key, err, "NoSuchUpload") {
				return
			}
			continue
		}
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: created.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32}}}})
		if err != nil {
			if log.refused("CompleteMultipartUpload "+key, err, "NoSuchUpload") {
				return
			}
			continue
		}
		log.ack(key)
	}
}

// deleteUntilGone deletes the bucket, emptying it (objects and uploads)
// each time the delete answers BucketNotEmpty.
func deleteUntilGone(t *testing.T, c *s3.Client, bucket string, log *raceLog) {
	t.Helper()
	for {
		_, err := c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
		if err == nil {
			return
		}
		wantError(t, "DeleteBucket "+bucket, err, 409, "BucketNotEmpty")
		listed := must[*s3.ListObjectsV2Output](t, "ListObjectsV2")(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}))
		for _, o := range listed.Contents {
			must[*s3.DeleteObjectOutput](t, "DeleteObject")(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: o.Key}))
			log.mu.Lock()
			log.deleted[aws.ToString(o.Key)] = true
			log.mu.Unlock()
		}
		uploads := must[*s3.ListMultipartUploadsOutput](t, "ListMultipartUploads")(c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)}))
		for _, u := range uploads.Uploads {
			_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(bucket), Key: u.Key, UploadId: u.UploadId})
			if err != nil {
				wantError(t, "AbortMultipartUpload", err, 404, "NoSuchUpload")
			}
		}
	}
}
