package s3_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// GetObject and HeadObject with partNumber read one part of a multipart
// object as a range of its bytes (206, Content-Range, x-amz-mp-parts-count),
// as the API reference describes and download managers use; a simple
// object is one part.
func TestSDKGetObjectPart(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket, key := aws.String("sdk-a-data"), aws.String("parts")
	parts := [][]byte{bytes.Repeat([]byte("a"), 5<<20), bytes.Repeat([]byte("b"), 5<<20), []byte(strings.Repeat("c", 1024))}
	up := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key}))
	var done []types.CompletedPart
	for i, p := range parts {
		n := aws.Int32(int32(i + 1))
		out := must[*s3.UploadPartOutput](t, "UploadPart")(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: key, UploadId: up.UploadId,
			PartNumber: n, Body: bytes.NewReader(p)}))
		done = append(done, types.CompletedPart{PartNumber: n, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	must[*s3.CompleteMultipartUploadOutput](t, "CompleteMultipartUpload")(a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: bucket, Key: key, UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}))

	got := must[*s3.GetObjectOutput](t, "GetObject part 2")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key,
		PartNumber: aws.Int32(2), ChecksumMode: types.ChecksumModeEnabled}))
	body := readAll(t, got.Body)
	if body != string(parts[1]) || aws.ToString(got.ContentRange) != "bytes 5242880-10485759/10486784" || aws.ToInt32(got.PartsCount) != 3 {
		t.Errorf("part 2: %d bytes, Content-Range %q, PartsCount %d", len(body), aws.ToString(got.ContentRange), aws.ToInt32(got.PartsCount))
	}
	head := must[*s3.HeadObjectOutput](t, "HeadObject part 3")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key, PartNumber: aws.Int32(3)}))
	if aws.ToInt64(head.ContentLength) != 1024 || aws.ToInt32(head.PartsCount) != 3 {
		t.Errorf("HeadObject part 3: length %d, PartsCount %d", aws.ToInt64(head.ContentLength), aws.ToInt32(head.PartsCount))
	}
	whole := must[*s3.HeadObjectOutput](t, "HeadObject")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key}))
	if whole.PartsCount != nil {
		t.Errorf("HeadObject without partNumber: PartsCount %d, want none", aws.ToInt32(whole.PartsCount))
	}

	_, err := a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, PartNumber: aws.Int32(4)})
	wantError(t, "part past the last", err, 416, "InvalidPartNumber")
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, PartNumber: aws.Int32(1), Range: aws.String("bytes=0-9")})
	wantError(t, "partNumber with a Range", err, 400, "InvalidRequest")
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, PartNumber: aws.Int32(0)})
	wantError(t, "part 0", err, 400, "InvalidArgument")

	simple := must[*s3.GetObjectOutput](t, "GetObject part 1 of a simple object")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket,
		Key: aws.String("seed.txt"), PartNumber: aws.Int32(1)}))
	if got := readAll(t, simple.Body); got != "seed\n" || simple.PartsCount != nil {
		t.Errorf("part 1 of seed.txt: %q, PartsCount %v", got, simple.PartsCount)
	}
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("seed.txt"), PartNumber: aws.Int32(2)})
	wantError(t, "part 2 of a simple object", err, 416, "InvalidPartNumber")
}
