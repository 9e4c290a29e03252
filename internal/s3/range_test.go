package s3_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// rangeCase is one Range header and S3's answer to it.
type rangeCase struct {
	key, rng     string
	status       int    // 200, 206 or 416
	body         string // for 200 and 206
	contentRange string // for 206
}

// rangeCases: the objects are "ten" (0123456789) and "empty" (no bytes).
// S3 serves one range, ignores a header it cannot parse (whole object),
// and answers 416 InvalidRange when the range starts past the end.
var rangeCases = []rangeCase{
	{"ten", "bytes=0-4", 206, "01234", "bytes 0-4/10"},
	{"ten", "bytes=5-", 206, "56789", "bytes 5-9/10"},
	{"ten", "bytes=-3", 206, "789", "bytes 7-9/10"},
	{"ten", "bytes=-20", 206, "0123456789", "bytes 0-9/10"},
	{"ten", "bytes=3-100", 206, "3456789", "bytes 3-9/10"},
	{"ten", "bytes=9-9", 206, "9", "bytes 9-9/10"},
	{"ten", "bytes=--5", 200, "0123456789", ""},
	{"ten", "bytes=5-2", 200, "0123456789", ""},
	{"ten", "bytes=a-b", 200, "0123456789", ""},
	{"ten", "bytes=+1-2", 200, "0123456789", ""},
	{"ten", "bytes=1--2", 200, "0123456789", ""},
	{"ten", "bytes=-", 200, "0123456789", ""},
	{"ten", "bytes=0-1,3-4", 200, "0123456789", ""},
	{"ten", "items=0-1", 200, "0123456789", ""},
	{"ten", "bytes 0-1", 200, "0123456789", ""},
	{"ten", "bytes=10-", 416, "", ""},
	{"ten", "bytes=10-20", 416, "", ""},
	{"ten", "bytes=-0", 416, "", ""},
	{"ten", "bytes=99999999999999999999-", 416, "", ""},
	{"empty", "bytes=-5", 200, "", ""},
	{"empty", "bytes=0-", 416, "", ""},
	{"empty", "bytes=0-0", 416, "", ""},
}

// statusOf is the HTTP status of an SDK call's response.
func statusOf(md middleware.Metadata) int {
	if raw, ok := awsmiddleware.GetRawResponse(md).(*smithyhttp.Response); ok {
		return raw.StatusCode
	}
	return 0
}

// TestSDKRangeTable pins GetObject and HeadObject against the table.
// Before the fix "bytes=--5" answered 206 with an inverted Content-Range
// and a suffix range of an empty object answered "bytes 0--1/0".
func TestSDKRangeTable(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	for key, body := range map[string]string{"ten": "0123456789", "empty": ""} {
		must[*s3.PutObjectOutput](t, "PutObject "+key)(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("range/" + key), Body: strings.NewReader(body)}))
	}
	for _, c := range rangeCases {
		what := fmt.Sprintf("%s %q", c.key, c.rng)
		key := aws.String("range/" + c.key)
		got, err := a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: key, Range: aws.String(c.rng)})
		head, herr := a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: key, Range: aws.String(c.rng)})
		if c.status == 416 {
			wantError(t, "GetObject "+what, err, 416, "InvalidRange")
			wantError(t, "HeadObject "+what, herr, 416, "")
			continue
		}
		if err != nil || herr != nil {
			t.Errorf("%s: GetObject %v, HeadObject %v", what, err, herr)
			continue
		}
		data := readAll(t, got.Body)
		if status := statusOf(got.ResultMetadata); status != c.status || data != c.body || aws.ToString(got.ContentRange) != c.contentRange {
			t.Errorf("GetObject %s: %d %q Content-Range %q, want %d %q %q", what, status, data, aws.ToString(got.ContentRange), c.status, c.body, c.contentRange)
		}
		if status := statusOf(head.ResultMetadata); status != c.status || aws.ToInt64(head.ContentLength) != int64(len(c.body)) || aws.ToString(head.ContentRange) != c.contentRange {
			t.Errorf("HeadObject %s: %d length %d Content-Range %q, want %d %d %q", what, status, aws.ToInt64(head.ContentLength), aws.ToString(head.ContentRange), c.status, len(c.body), c.contentRange)
		}
	}
	// The error document names the range and the size, as S3's does.
	r := rawRequest{Method: "GET", Target: "/sdk-a-data/range/ten", Header: map[string]string{"Range": "bytes=10-"}, Key: rootAKey, Secret: rootASecret}.do(t, env)
	if r.Status != 416 || !strings.Contains(r.Body, "<RangeRequested>bytes=10-</RangeRequested>") || !strings.Contains(r.Body, "<ActualObjectSize>10</ActualObjectSize>") {
		t.Errorf("InvalidRange document: %d %s", r.Status, r.Body)
	}
}

// TestSDKUploadPartCopyRange: x-amz-copy-source-range must be
// bytes=first-last inside the source (InvalidArgument, with S3's
// messages); before the fix an out-of-range or open range was accepted
// and stored a short part.
func TestSDKUploadPartCopyRange(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	must[*s3.PutObjectOutput](t, "PutObject")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("range/src"), Body: bytes.NewReader([]byte("0123456789"))}))
	key := aws.String("range/dst")
	up := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: key}))
	copyPart := func(rng string) error {
		_, err := a.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: bucket, Key: key, UploadId: up.UploadId, PartNumber: aws.Int32(1),
			CopySource: aws.String("sdk-a-data/range/src"), CopySourceRange: aws.String(rng)})
		return err
	}
	const form = "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"
	const outside = "Range specified is not valid for source object of size: 10"
	for rng, message := range map[string]string{
		"bytes=5-2": form, "bytes=--5": form, "bytes=0-": form, "bytes=-3": form, "0-4": form, "bytes=a-b": form, "bytes=0-1,3-4": form,
		"bytes=0-10": outside, "bytes=10-12": outside, "bytes=3-99999999999999999999": outside,
	} {
		if msg := wantError(t, "UploadPartCopy "+rng, copyPart(rng), 400, "InvalidArgument"); msg != message {
			t.Errorf("UploadPartCopy %s: message %q, want %q", rng, msg, message)
		}
	}
	parts := must[*s3.ListPartsOutput](t, "ListParts")(a.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: key, UploadId: up.UploadId}))
	if len(parts.Parts) != 0 {
		t.Fatalf("refused copies stored parts: %+v", parts.Parts)
	}
	if err := copyPart("bytes=2-9"); err != nil {
		t.Fatal(err)
	}
	parts = must[*s3.ListPartsOutput](t, "ListParts")(a.ListParts(ctx, &s3.ListPartsInput{Bucket: bucket, Key: key, UploadId: up.UploadId}))
	if len(parts.Parts) != 1 || aws.ToInt64(parts.Parts[0].Size) != 8 {
		t.Fatalf("parts %+v", parts.Parts)
	}
}
