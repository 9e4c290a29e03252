package s3_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestSDKVersionIDWithoutVersioning: in a bucket that never had
// versioning, ListObjectVersions lists each object as its null version
// (not a plain ListBucketResult), a versionId
// other than "null" is InvalidArgument and never acts on the current
// object, and "null" names the current object under the versioned action
// (s3:GetObjectVersion, s3:DeleteObjectVersion), as S3 authorizes it.
func TestSDKVersionIDWithoutVersioning(t *testing.T) {
	env := startSDK(t)
	root := client(env, rootAKey, rootASecret)
	getter := client(env, getterKey, getterSecret)    // s3:GetObject on sdk-a-data/* only
	deleter := client(env, deleterKey, deleterSecret) // s3:DeleteObject on sdk-a-data/allowed/* only
	bucket := aws.String("sdk-a-data")
	must[*s3.PutObjectOutput](t, "PutObject")(root.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt"), Body: strings.NewReader("current")}))

	vers := must[*s3.ListObjectVersionsOutput](t, "ListObjectVersions")(root.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: bucket, Prefix: aws.String("allowed/v.txt")}))
	if len(vers.Versions) != 1 || aws.ToString(vers.Versions[0].VersionId) != "null" || !aws.ToBool(vers.Versions[0].IsLatest) || len(vers.DeleteMarkers) != 0 {
		t.Errorf("ListObjectVersions of an unversioned bucket: %+v", vers.Versions)
	}
	var err error

	for _, id := range []string{"3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "x"} {
		_, err = root.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt"), VersionId: aws.String(id)})
		if msg := wantError(t, "GetObject versionId "+id, err, 400, "InvalidArgument"); msg != "Invalid version id specified" {
			t.Errorf("GetObject versionId %s: message %q", id, msg)
		}
		_, err = root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt"), VersionId: aws.String(id)})
		wantError(t, "HeadObject versionId "+id, err, 400, "")
		_, err = root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt"), VersionId: aws.String(id)})
		wantError(t, "DeleteObject versionId "+id, err, 400, "InvalidArgument")
		_, err = root.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bucket, Key: aws.String("allowed/v.txt"), VersionId: aws.String(id)})
		wantError(t, "GetObjectTagging versionId "+id, err, 400, "InvalidArgument")
	}
	// The refused deletes left the object in place.
	out := must[*s3.GetObjectOutput](t, "GetObject after refused deletes")(root.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt")}))
	if body := readAll(t, out.Body); body != "current" {
		t.Fatalf("object after refused deletes: %q", body)
	}

	// "null" is the current object, read under s3:GetObjectVersion.
	out = must[*s3.GetObjectOutput](t, "GetObject versionId null")(root.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt"), VersionId: aws.String("null")}))
	if body := readAll(t, out.Body); body != "current" {
		t.Fatalf("versionId null: %q", body)
	}
	must[*s3.GetObjectOutput](t, "GetObject by getter")(getter.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt")}))
	_, err = getter.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt"), VersionId: aws.String("null")})
	if msg := wantError(t, "GetObject versionId null by getter", err, 403, "AccessDenied"); !strings.Contains(msg, "s3:GetObjectVersion") {
		t.Errorf("denial names %q, want s3:GetObjectVersion", msg)
	}
	_, err = deleter.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt"), VersionId: aws.String("null")})
	if msg := wantError(t, "DeleteObject versionId null by deleter", err, 403, "AccessDenied"); !strings.Contains(msg, "s3:DeleteObjectVersion") {
		t.Errorf("denial names %q, want s3:DeleteObjectVersion", msg)
	}
	must[*s3.DeleteObjectOutput](t, "DeleteObject versionId null by root")(root.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt"), VersionId: aws.String("null")}))
	_, err = root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("allowed/v.txt")})
	wantError(t, "HeadObject after deleting the null version", err, 404, "")

	// A copy source naming a version: only "null", read as s3:GetObjectVersion.
	_, err = root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("allowed/copy.txt"), CopySource: aws.String("sdk-a-data/seed.txt?versionId=3HL4kqtJlcpXroDTDmJ")})
	wantError(t, "CopyObject from an unknown version", err, 400, "InvalidArgument")
	must[*s3.CopyObjectOutput](t, "CopyObject from the null version")(root.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("allowed/copy.txt"), CopySource: aws.String("sdk-a-data/seed.txt?versionId=null")}))

	// DeleteObjects entries with version ids: the same rules, per entry.
	for _, k := range []string{"allowed/keep.txt", "allowed/null.txt"} {
		must[*s3.PutObjectOutput](t, "PutObject "+k)(root.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String(k), Body: strings.NewReader(k)}))
	}
	del := must[*s3.DeleteObjectsOutput](t, "DeleteObjects by deleter")(deleter.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("allowed/null.txt"), VersionId: aws.String("null")}}}}))
	if len(del.Errors) != 1 || aws.ToString(del.Errors[0].Code) != "AccessDenied" {
		t.Errorf("DeleteObjects version null without s3:DeleteObjectVersion: %+v", del.Errors)
	}
	del = must[*s3.DeleteObjectsOutput](t, "DeleteObjects by root")(root.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("allowed/keep.txt"), VersionId: aws.String("3HL4kqtJlcpXroDTDmJ")},
		{Key: aws.String("allowed/null.txt"), VersionId: aws.String("null")}}}}))
	if len(del.Errors) != 1 || aws.ToString(del.Errors[0].Code) != "NoSuchVersion" || aws.ToString(del.Errors[0].VersionId) != "3HL4kqtJlcpXroDTDmJ" {
		t.Errorf("DeleteObjects unknown version: errors %+v", del.Errors)
	}
	if len(del.Deleted) != 1 || aws.ToString(del.Deleted[0].Key) != "allowed/null.txt" || aws.ToString(del.Deleted[0].VersionId) != "null" {
		t.Errorf("DeleteObjects null version: deleted %+v", del.Deleted)
	}
	must[*s3.HeadObjectOutput](t, "HeadObject keep.txt after an unknown version's delete")(root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("allowed/keep.txt")}))
	_, err = root.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("allowed/null.txt")})
	wantError(t, "HeadObject null.txt after deleting its null version", err, 404, "")
}

// TestSDKListBucketsPaginated: the 2024 ListBuckets paging (max-buckets,
// continuation-token, prefix, bucket-region) through the SDK's paginator.
func TestSDKListBucketsPaginated(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	var want []string
	for _, name := range []string{"page-c", "page-a", "page-e", "page-b", "page-d"} {
		must[*s3.CreateBucketOutput](t, "CreateBucket "+name)(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}))
		want = append(want, name)
	}
	west := client(env, rootAKey, rootASecret, func(o *s3.Options) { o.Region = "eu-west-1" })
	must[*s3.CreateBucketOutput](t, "CreateBucket page-west")(west.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("page-west"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}}))
	want = append(want, "page-west")
	slices.Sort(want)

	p := s3.NewListBucketsPaginator(a, &s3.ListBucketsInput{MaxBuckets: aws.Int32(2), Prefix: aws.String("page-")})
	var got []string
	var sizes []int
	for p.HasMorePages() {
		page := must[*s3.ListBucketsOutput](t, "ListBuckets page")(p.NextPage(ctx))
		if aws.ToString(page.Prefix) != "page-" {
			t.Errorf("page Prefix %q", aws.ToString(page.Prefix))
		}
		sizes = append(sizes, len(page.Buckets))
		for _, b := range page.Buckets {
			got = append(got, aws.ToString(b.Name))
		}
		if len(sizes) > 10 {
			t.Fatal("paginator does not end")
		}
	}
	if !slices.Equal(got, want) || !slices.Equal(sizes, []int{2, 2, 2}) {
		t.Fatalf("paged buckets %v in pages %v, want %v in pages of 2", got, sizes, want)
	}

	// bucket-region filters; the last page carries no token.
	out := must[*s3.ListBucketsOutput](t, "ListBuckets bucket-region")(a.ListBuckets(ctx, &s3.ListBucketsInput{BucketRegion: aws.String("eu-west-1"), Prefix: aws.String("page-")}))
	if len(out.Buckets) != 1 || aws.ToString(out.Buckets[0].Name) != "page-west" || aws.ToString(out.Buckets[0].BucketRegion) != "eu-west-1" || out.ContinuationToken != nil {
		t.Errorf("bucket-region eu-west-1: %+v token %v", out.Buckets, out.ContinuationToken)
	}
	// Without paging parameters: every bucket, no token, no prefix.
	out = must[*s3.ListBucketsOutput](t, "ListBuckets")(a.ListBuckets(ctx, &s3.ListBucketsInput{}))
	if len(out.Buckets) < len(want) || out.ContinuationToken != nil || out.Prefix != nil {
		t.Errorf("unpaged: %d buckets, token %v, prefix %v", len(out.Buckets), out.ContinuationToken, out.Prefix)
	}

	for _, n := range []int32{0, -1, 10001} {
		_, err := a.ListBuckets(ctx, &s3.ListBucketsInput{MaxBuckets: aws.Int32(n)})
		wantError(t, "ListBuckets max-buckets", err, 400, "InvalidArgument")
	}
	_, err := a.ListBuckets(ctx, &s3.ListBucketsInput{ContinuationToken: aws.String("not base64!")})
	wantError(t, "ListBuckets bad token", err, 400, "InvalidArgument")
	resp := rawRequest{Method: "GET", Target: "/?max-buckets=ten", Key: rootAKey, Secret: rootASecret}.do(t, env)
	if resp.Status != 400 || resp.Code != "InvalidArgument" || !strings.Contains(resp.Body, "<ArgumentName>max-buckets</ArgumentName>") {
		t.Errorf("max-buckets=ten: %d %s", resp.Status, resp.Body)
	}
}
