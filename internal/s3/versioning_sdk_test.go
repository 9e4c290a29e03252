package s3_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// errorHeader returns a header of the HTTP response behind an SDK error.
func errorHeader(err error, name string) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get(name)
	}
	return ""
}

func enableVersioning(t *testing.T, c *s3.Client, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	must[*s3.PutBucketVersioningOutput](t, "PutBucketVersioning "+string(status))(c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String(bucket), VersioningConfiguration: &types.VersioningConfiguration{Status: status}}))
}

func putBody(t *testing.T, c *s3.Client, bucket, key, body string) *s3.PutObjectOutput {
	t.Helper()
	return must[*s3.PutObjectOutput](t, "PutObject "+key)(c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)}))
}

func getVersion(t *testing.T, c *s3.Client, bucket, key, id string) (string, string) {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if id != "" {
		in.VersionId = aws.String(id)
	}
	out := must[*s3.GetObjectOutput](t, "GetObject "+key+" "+id)(c.GetObject(ctx, in))
	return readAll(t, out.Body), aws.ToString(out.VersionId)
}

// TestSDKBucketVersioningConfiguration: PutBucketVersioning stores
// Enabled or Suspended, validates as S3 does, and never goes back to
// "never versioned".
func TestSDKBucketVersioningConfiguration(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := "ver-config"
	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
	get := func() types.BucketVersioningStatus {
		out := must[*s3.GetBucketVersioningOutput](t, "GetBucketVersioning")(a.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String(bucket)}))
		return out.Status
	}
	if s := get(); s != "" {
		t.Fatalf("new bucket: status %q", s)
	}
	enableVersioning(t, a, bucket, types.BucketVersioningStatusEnabled)
	if s := get(); s != types.BucketVersioningStatusEnabled {
		t.Fatalf("after Enabled: %q", s)
	}
	enableVersioning(t, a, bucket, types.BucketVersioningStatusSuspended)
	if s := get(); s != types.BucketVersioningStatusSuspended {
		t.Fatalf("after Suspended: %q", s)
	}
	_, err := a.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: "Disabled"}})
	wantError(t, "PutBucketVersioning Disabled", err, 400, "MalformedXML")
	_, err = a.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{}})
	wantError(t, "PutBucketVersioning without Status", err, 400, "IllegalVersioningConfigurationException")
	_, err = a.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
	wantError(t, "PutBucketVersioning MFA delete", err, 501, "NotImplemented")
	if s := get(); s != types.BucketVersioningStatusSuspended {
		t.Fatalf("after refused Puts: %q", s)
	}
	// Another account may neither read nor change it.
	b := client(env, rootBKey, rootBSecret)
	_, err = b.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}})
	wantError(t, "PutBucketVersioning by B", err, 403, "AccessDenied")
	// Object lock needs Enabled (the check reads the same setting).
	enableVersioning(t, a, bucket, types.BucketVersioningStatusEnabled)
	must[*s3.PutObjectLockConfigurationOutput](t, "PutObjectLockConfiguration")(a.PutObjectLockConfiguration(ctx, &s3.PutObjectLockConfigurationInput{Bucket: aws.String(bucket),
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}}))
	_, err = a.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(bucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantError(t, "Suspend with object lock", err, 409, "InvalidBucketState")
}

// TestSDKVersionedObjects: version IDs on PUT, GET, HEAD, copy and
// multipart complete; delete markers; reads, tags and deletes of one
// version; Suspended writes the null version.
func TestSDKVersionedObjects(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := "ver-objects"
	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))

	// Before versioning: no x-amz-version-id.
	if out := putBody(t, a, bucket, "pre", "old null"); out.VersionId != nil {
		t.Errorf("unversioned PUT has version %q", aws.ToString(out.VersionId))
	}
	if _, id := getVersion(t, a, bucket, "pre", ""); id != "" {
		t.Errorf("unversioned GET has version %q", id)
	}
	enableVersioning(t, a, bucket, types.BucketVersioningStatusEnabled)
	if _, id := getVersion(t, a, bucket, "pre", ""); id != "null" {
		t.Errorf("GET of the null version in a versioned bucket: version %q, want null", id)
	}

	v1 := aws.ToString(putBody(t, a, bucket, "k", "one").VersionId)
	v2 := aws.ToString(putBody(t, a, bucket, "k", "two").VersionId)
	if v1 == "" || v1 == "null" || v1 == v2 || v2 == "" {
		t.Fatalf("version ids %q %q", v1, v2)
	}
	if body, id := getVersion(t, a, bucket, "k", ""); body != "two" || id != v2 {
		t.Errorf("latest: %q %q", body, id)
	}
	if body, id := getVersion(t, a, bucket, "k", v1); body != "one" || id != v1 {
		t.Errorf("version 1: %q %q", body, id)
	}
	head := must[*s3.HeadObjectOutput](t, "HeadObject v1")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(v1)}))
	if aws.ToString(head.VersionId) != v1 || aws.ToInt64(head.ContentLength) != 3 {
		t.Errorf("HeadObject v1: %q %d", aws.ToString(head.VersionId), aws.ToInt64(head.ContentLength))
	}
	_, err := a.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String("0123456789abcdef0123456789abcdef")})
	wantError(t, "GetObject of a missing version", err, 404, "NoSuchVersion")
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String("bogus")})
	wantError(t, "GetObject of a malformed version", err, 400, "InvalidArgument")

	// DELETE without a version: a delete marker.
	del := must[*s3.DeleteObjectOutput](t, "DeleteObject")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")}))
	marker := aws.ToString(del.VersionId)
	if !aws.ToBool(del.DeleteMarker) || marker == "" || marker == v2 {
		t.Fatalf("DeleteObject: marker %v %q", aws.ToBool(del.DeleteMarker), marker)
	}
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")})
	wantError(t, "GetObject behind a delete marker", err, 404, "NoSuchKey")
	if errorHeader(err, "x-amz-delete-marker") != "true" || errorHeader(err, "x-amz-version-id") != marker {
		t.Errorf("404 behind a marker: headers %q %q", errorHeader(err, "x-amz-delete-marker"), errorHeader(err, "x-amz-version-id"))
	}
	_, err = a.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(marker)})
	wantError(t, "GetObject of the delete marker", err, 405, "MethodNotAllowed")
	if errorHeader(err, "x-amz-delete-marker") != "true" || errorHeader(err, "Allow") != "DELETE" {
		t.Errorf("405: headers %q %q", errorHeader(err, "x-amz-delete-marker"), errorHeader(err, "Allow"))
	}
	if body, _ := getVersion(t, a, bucket, "k", v1); body != "one" {
		t.Errorf("old version behind the marker: %q", body)
	}
	list := must[*s3.ListObjectsV2Output](t, "ListObjectsV2")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)}))
	if got := listItems(list); len(got) != 1 || got[0] != "pre" {
		t.Errorf("ListObjectsV2 with k deleted: %v", got)
	}

	// Deleting the marker by ID brings v2 back.
	del = must[*s3.DeleteObjectOutput](t, "DeleteObject marker")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(marker)}))
	if !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) != marker {
		t.Errorf("delete of the marker: %v %q", aws.ToBool(del.DeleteMarker), aws.ToString(del.VersionId))
	}
	if body, id := getVersion(t, a, bucket, "k", ""); body != "two" || id != v2 {
		t.Errorf("after removing the marker: %q %q", body, id)
	}
	// Deleting a version that does not exist succeeds, echoing its ID.
	gone := "0123456789abcdef0123456789abcdef"
	del = must[*s3.DeleteObjectOutput](t, "DeleteObject missing version")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(gone)}))
	if aws.ToString(del.VersionId) != gone || aws.ToBool(del.DeleteMarker) {
		t.Errorf("delete of a missing version: %+v", del)
	}
	_, err = a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String("bogus")})
	wantError(t, "DeleteObject malformed version", err, 400, "InvalidArgument")

	// CopyObject from an old version.
	cp := must[*s3.CopyObjectOutput](t, "CopyObject v1")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy"),
		CopySource: aws.String(bucket + "/k?versionId=" + v1)}))
	if aws.ToString(cp.CopySourceVersionId) != v1 || aws.ToString(cp.VersionId) == "" || aws.ToString(cp.VersionId) == "null" {
		t.Errorf("CopyObject: source version %q, version %q", aws.ToString(cp.CopySourceVersionId), aws.ToString(cp.VersionId))
	}
	if body, _ := getVersion(t, a, bucket, "copy", ""); body != "one" {
		t.Errorf("copy of v1: %q", body)
	}
	_, err = a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy2"), CopySource: aws.String(bucket + "/k?versionId=" + gone)})
	wantError(t, "CopyObject from a missing version", err, 404, "NoSuchVersion")

	// Tags of one version.
	must[*s3.PutObjectTaggingOutput](t, "PutObjectTagging v1")(a.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(v1),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("old"), Value: aws.String("yes")}}}}))
	tags := must[*s3.GetObjectTaggingOutput](t, "GetObjectTagging v1")(a.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(v1)}))
	if len(tags.TagSet) != 1 || aws.ToString(tags.VersionId) != v1 {
		t.Errorf("tags of v1: %+v version %q", tags.TagSet, aws.ToString(tags.VersionId))
	}
	tags = must[*s3.GetObjectTaggingOutput](t, "GetObjectTagging latest")(a.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k")}))
	if len(tags.TagSet) != 0 || aws.ToString(tags.VersionId) != v2 {
		t.Errorf("tags of the latest: %+v version %q", tags.TagSet, aws.ToString(tags.VersionId))
	}
	must[*s3.DeleteObjectTaggingOutput](t, "DeleteObjectTagging v1")(a.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("k"), VersionId: aws.String(v1)}))

	// Multipart complete gets a version ID.
	up := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp")}))
	part := must[*s3.UploadPartOutput](t, "UploadPart")(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))}))
	done := must[*s3.CompleteMultipartUploadOutput](t, "CompleteMultipartUpload")(a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}))
	if id := aws.ToString(done.VersionId); id == "" || id == "null" {
		t.Errorf("CompleteMultipartUpload version %q", id)
	}

	// Suspended: writes replace the null version and keep the others.
	enableVersioning(t, a, bucket, types.BucketVersioningStatusSuspended)
	if id := aws.ToString(putBody(t, a, bucket, "k", "three").VersionId); id != "null" {
		t.Errorf("suspended PUT: version %q", id)
	}
	if body, id := getVersion(t, a, bucket, "k", ""); body != "three" || id != "null" {
		t.Errorf("suspended latest: %q %q", body, id)
	}
	if body, _ := getVersion(t, a, bucket, "k", v2); body != "two" {
		t.Errorf("v2 after a suspended PUT: %q", body)
	}
	del = must[*s3.DeleteObjectOutput](t, "DeleteObject suspended")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k")}))
	if !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) != "null" {
		t.Errorf("suspended delete: marker %v version %q", aws.ToBool(del.DeleteMarker), aws.ToString(del.VersionId))
	}
}

// TestSDKListObjectVersions: versions and delete markers in S3's order,
// paged by key-marker and version-id-marker, with prefix, delimiter and
// URL encoding.
func TestSDKListObjectVersions(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := "ver-list"
	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
	enableVersioning(t, a, bucket, types.BucketVersioningStatusEnabled)
	var want []string // "key id", S3's order: keys ascending, newest first
	for _, key := range []string{"a/x", "b", "dir/one", "dir/two"} {
		var ids []string
		for i := range 3 {
			ids = append(ids, aws.ToString(putBody(t, a, bucket, key, fmt.Sprint(key, i)).VersionId))
		}
		if key == "b" {
			del := must[*s3.DeleteObjectOutput](t, "DeleteObject b")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}))
			ids = append(ids, aws.ToString(del.VersionId))
		}
		for i := len(ids) - 1; i >= 0; i-- {
			want = append(want, key+" "+ids[i])
		}
	}
	out := must[*s3.ListObjectVersionsOutput](t, "ListObjectVersions")(a.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)}))
	if len(out.Versions) != 12 || len(out.DeleteMarkers) != 1 || aws.ToBool(out.IsTruncated) {
		t.Fatalf("ListObjectVersions: %d versions %d markers truncated %v", len(out.Versions), len(out.DeleteMarkers), aws.ToBool(out.IsTruncated))
	}
	if m := out.DeleteMarkers[0]; aws.ToString(m.Key) != "b" || !aws.ToBool(m.IsLatest) || m.Owner == nil {
		t.Errorf("delete marker %+v", m)
	}
	for _, v := range out.Versions {
		if aws.ToString(v.Key) == "b" && aws.ToBool(v.IsLatest) {
			t.Errorf("a version of b is latest behind the marker")
		}
		if v.StorageClass != types.ObjectVersionStorageClassStandard || aws.ToString(v.ETag) == "" || aws.ToInt64(v.Size) == 0 {
			t.Errorf("version %+v", v)
		}
	}

	// One entry per page: the markers walk every version in order.
	var got []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(1)}
	for pages := 0; ; pages++ {
		if pages > 20 {
			t.Fatal("paging does not end")
		}
		page := must[*s3.ListObjectVersionsOutput](t, "ListObjectVersions page")(a.ListObjectVersions(ctx, in))
		for _, v := range page.Versions {
			got = append(got, aws.ToString(v.Key)+" "+aws.ToString(v.VersionId))
		}
		for _, m := range page.DeleteMarkers {
			got = append(got, aws.ToString(m.Key)+" "+aws.ToString(m.VersionId))
		}
		if !aws.ToBool(page.IsTruncated) {
			break
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("paged listing\n got %v\nwant %v", got, want)
	}

	// Prefix and delimiter.
	out = must[*s3.ListObjectVersionsOutput](t, "ListObjectVersions delimiter")(a.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Delimiter: aws.String("/")}))
	if len(out.CommonPrefixes) != 2 || aws.ToString(out.CommonPrefixes[0].Prefix) != "a/" || len(out.Versions) != 3 {
		t.Errorf("delimiter: prefixes %d versions %d", len(out.CommonPrefixes), len(out.Versions))
	}
	out = must[*s3.ListObjectVersionsOutput](t, "ListObjectVersions prefix")(a.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String("dir/t")}))
	if len(out.Versions) != 3 || aws.ToString(out.Versions[0].Key) != "dir/two" {
		t.Errorf("prefix: %d versions", len(out.Versions))
	}
	out = must[*s3.ListObjectVersionsOutput](t, "ListObjectVersions max-keys 0")(a.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(0)}))
	if len(out.Versions)+len(out.DeleteMarkers) != 0 {
		t.Errorf("max-keys 0: %d entries", len(out.Versions)+len(out.DeleteMarkers))
	}
	_, err := a.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), VersionIdMarker: aws.String("null")})
	wantError(t, "version-id-marker without key-marker", err, 400, "InvalidArgument")

	// encoding-type=url: the SDK asks for it and decodes keys.
	putBody(t, a, bucket, "odd key+&", "x")
	out = must[*s3.ListObjectVersionsOutput](t, "ListObjectVersions odd key")(a.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), Prefix: aws.String("odd"), EncodingType: types.EncodingTypeUrl}))
	if len(out.Versions) != 1 || aws.ToString(out.Versions[0].Key) != "odd%20key%2B%26" && aws.ToString(out.Versions[0].Key) != "odd key+&" {
		t.Errorf("encoded key: %+v", out.Versions)
	}
	raw := rawRequest{Method: "GET", Target: "/" + bucket + "?versions&encoding-type=url&prefix=odd", Key: rootAKey, Secret: rootASecret}.do(t, env)
	if !strings.Contains(raw.Body, "<Key>odd%20key%2B%26</Key>") || !strings.Contains(raw.Body, "<EncodingType>url</EncodingType>") {
		t.Errorf("raw encoded listing: %s", raw.Body)
	}
	// An empty versionId is refused, not read as the latest.
	raw = rawRequest{Method: "GET", Target: "/" + bucket + "/b?versionId=", Key: rootAKey, Secret: rootASecret}.do(t, env)
	if raw.Status != 400 || raw.Message != "Version id cannot be the empty string" {
		t.Errorf("empty versionId: %d %s", raw.Status, raw.Body)
	}
}

// TestSDKVersionAuthorization: a version named in a request is authorized
// as S3 authorizes it: s3:GetObjectVersion, s3:DeleteObjectVersion,
// s3:GetObjectVersionTagging, s3:ListBucketVersions, with s3:VersionId.
func TestSDKVersionAuthorization(t *testing.T) {
	env := startSDK(t)
	root := client(env, rootAKey, rootASecret)
	getter := client(env, getterKey, getterSecret)    // s3:GetObject on sdk-a-data/*
	deleter := client(env, deleterKey, deleterSecret) // s3:DeleteObject on sdk-a-data/allowed/*
	bucket := "sdk-a-data"
	enableVersioning(t, root, bucket, types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(putBody(t, root, bucket, "allowed/k", "one").VersionId)
	v2 := aws.ToString(putBody(t, root, bucket, "allowed/k", "two").VersionId)

	if body, _ := getVersion(t, getter, bucket, "allowed/k", ""); body != "two" {
		t.Errorf("getter latest: %q", body)
	}
	_, err := getter.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("allowed/k"), VersionId: aws.String(v1)})
	if msg := wantError(t, "getter GetObject v1", err, 403, "AccessDenied"); !strings.Contains(msg, "s3:GetObjectVersion") {
		t.Errorf("denial %q", msg)
	}
	_, err = getter.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String("allowed/k"), VersionId: aws.String(v1)})
	if msg := wantError(t, "getter GetObjectTagging v1", err, 403, "AccessDenied"); !strings.Contains(msg, "s3:GetObjectVersionTagging") {
		t.Errorf("denial %q", msg)
	}
	_, err = getter.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if msg := wantError(t, "getter ListObjectVersions", err, 403, "AccessDenied"); !strings.Contains(msg, "s3:ListBucketVersions") {
		t.Errorf("denial %q", msg)
	}
	_, err = deleter.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("allowed/k"), VersionId: aws.String(v1)})
	if msg := wantError(t, "deleter DeleteObject v1", err, 403, "AccessDenied"); !strings.Contains(msg, "s3:DeleteObjectVersion") {
		t.Errorf("denial %q", msg)
	}
	// s3:DeleteObject alone only hides the object behind a marker.
	del := must[*s3.DeleteObjectOutput](t, "deleter DeleteObject")(deleter.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("allowed/k")}))
	if !aws.ToBool(del.DeleteMarker) {
		t.Errorf("deleter's delete made no marker")
	}
	if body, _ := getVersion(t, root, bucket, "allowed/k", v1); body != "one" {
		t.Errorf("v1 after the deleter's delete: %q", body)
	}
	res := must[*s3.DeleteObjectsOutput](t, "deleter DeleteObjects")(deleter.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("allowed/k"), VersionId: aws.String(v2)}}}}))
	if len(res.Errors) != 1 || aws.ToString(res.Errors[0].Code) != "AccessDenied" {
		t.Errorf("DeleteObjects of a version without s3:DeleteObjectVersion: %+v", res.Errors)
	}

	// s3:VersionId: a bucket policy denying one version by ID.
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObjectVersion","Resource":"arn:aws:s3:::%s/*","Condition":{"StringEquals":{"s3:VersionId":"%s"}}}]}`, bucket, v1)
	must[*s3.PutBucketPolicyOutput](t, "PutBucketPolicy")(root.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)}))
	_, err = root.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("allowed/k"), VersionId: aws.String(v1)})
	wantError(t, "GetObject v1 denied by s3:VersionId", err, 403, "AccessDenied")
	if body, _ := getVersion(t, root, bucket, "allowed/k", v2); body != "two" {
		t.Errorf("v2 under the s3:VersionId policy: %q", body)
	}
}

// TestSDKEmptyBucketLikeTestSuites: the teardown test suites and
// force_destroy-style tools run (list object versions, DeleteObjects with
// the version IDs, DeleteBucket) empties versioned and unversioned buckets.
func TestSDKEmptyBucketLikeTestSuites(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	for _, versioned := range []bool{false, true} {
		bucket := fmt.Sprintf("ver-empty-%v", versioned)
		must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
		if versioned {
			enableVersioning(t, a, bucket, types.BucketVersioningStatusEnabled)
		}
		for i := range 5 {
			key := fmt.Sprintf("k%d", i%3)
			putBody(t, a, bucket, key, key)
		}
		must[*s3.DeleteObjectOutput](t, "DeleteObject")(a.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String("k0")}))
		if versioned {
			_, err := a.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)})
			wantError(t, "DeleteBucket with versions left", err, 409, "BucketNotEmpty")
		}
		removed := 0
		pages := s3.NewListObjectVersionsPaginator(a, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket), MaxKeys: aws.Int32(2)})
		for pages.HasMorePages() {
			page := must[*s3.ListObjectVersionsOutput](t, "ListObjectVersions")(pages.NextPage(ctx))
			var ids []types.ObjectIdentifier
			for _, v := range page.Versions {
				ids = append(ids, types.ObjectIdentifier{Key: v.Key, VersionId: v.VersionId})
			}
			for _, m := range page.DeleteMarkers {
				ids = append(ids, types.ObjectIdentifier{Key: m.Key, VersionId: m.VersionId})
			}
			if len(ids) == 0 {
				continue
			}
			res := must[*s3.DeleteObjectsOutput](t, "DeleteObjects")(a.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: ids}}))
			if len(res.Errors) != 0 {
				t.Fatalf("DeleteObjects: %+v", res.Errors)
			}
			for _, d := range res.Deleted {
				if aws.ToString(d.VersionId) == "" {
					t.Errorf("deleted entry without its version: %+v", d)
				}
				if aws.ToBool(d.DeleteMarker) && aws.ToString(d.DeleteMarkerVersionId) != aws.ToString(d.VersionId) {
					t.Errorf("deleted marker entry %+v", d)
				}
			}
			removed += len(res.Deleted)
		}
		want := 2 // k1, k2 (k0 deleted)
		if versioned {
			want = 6 // 5 versions and a marker
		}
		if removed != want {
			t.Errorf("%s: removed %d entries, want %d", bucket, removed, want)
		}
		must[*s3.DeleteBucketOutput](t, "DeleteBucket "+bucket)(a.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String(bucket)}))
	}
}

// TestSDKDeleteObjectsVersioned: DeleteObjects entries report what S3
// reports: a new delete marker (DeleteMarker, DeleteMarkerVersionId), a
// removed version (VersionId).
func TestSDKDeleteObjectsVersioned(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := "ver-delete-objects"
	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}))
	enableVersioning(t, a, bucket, types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(putBody(t, a, bucket, "x", "1").VersionId)
	putBody(t, a, bucket, "y", "1")
	res := must[*s3.DeleteObjectsOutput](t, "DeleteObjects")(a.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(bucket), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("x"), VersionId: aws.String(v1)}, {Key: aws.String("y")}}}}))
	if len(res.Deleted) != 2 || len(res.Errors) != 0 {
		t.Fatalf("DeleteObjects: %+v %+v", res.Deleted, res.Errors)
	}
	for _, d := range res.Deleted {
		switch aws.ToString(d.Key) {
		case "x":
			if aws.ToString(d.VersionId) != v1 || aws.ToBool(d.DeleteMarker) {
				t.Errorf("x: %+v", d)
			}
		case "y":
			if !aws.ToBool(d.DeleteMarker) || aws.ToString(d.DeleteMarkerVersionId) == "" || d.VersionId != nil {
				t.Errorf("y: %+v", d)
			}
		}
	}
	_, err := a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("x")})
	wantError(t, "HeadObject x after its only version went", err, 404, "")
}
