package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func canonicalOf(account string) string { return strings.Repeat("0", 52) + account }

// Every object has an owner on S3, and the listings that name it name the
// one S3 reports: the bucket owner for what the world file seeded, and for
// every object once the bucket enforces ownership, whoever wrote it.
func TestSDKListingsNameTheOwner(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	accountA, accountB := canonicalOf("111111111111"), canonicalOf("222222222222")

	v2 := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 FetchOwner")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String("sdk-a-data"), FetchOwner: aws.Bool(true)}))
	wantOwners(t, "ListObjectsV2 of a seeded object", v2.Contents, accountA)
	plain := must[*s3.ListObjectsV2Output](t, "ListObjectsV2")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("sdk-a-data")}))
	if len(plain.Contents) == 0 || plain.Contents[0].Owner != nil {
		t.Errorf("ListObjectsV2 without FetchOwner: %+v, want no owner", plain.Contents)
	}
	v1 := must[*s3.ListObjectsOutput](t, "ListObjects")(a.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("sdk-a-data")}))
	wantOwners(t, "ListObjects of a seeded object", v1.Contents, accountA)
	versions := must[*s3.ListObjectVersionsOutput](t, "ListObjectVersions")(a.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{
		Bucket: aws.String("sdk-a-data")}))
	if len(versions.Versions) == 0 {
		t.Fatal("ListObjectVersions listed nothing")
	}
	for _, v := range versions.Versions {
		if v.Owner == nil || aws.ToString(v.Owner.ID) != accountA {
			t.Errorf("ListObjectVersions owner of %s: %+v, want account A", aws.ToString(v.Key), v.Owner)
		}
	}

	// Under ObjectWriter the writer from B owns its object; once the bucket
	// enforces ownership, A owns it.
	setOwnership(t, a, "sdk-a-shared", types.ObjectOwnershipObjectWriter)
	copier := client(env, copierKey, copierSecret)
	must[*s3.PutObjectOutput](t, "PutObject from B")(copier.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sdk-a-shared"),
		Key: aws.String("incoming/b.txt"), Body: strings.NewReader("from B")}))
	listIncoming := func() []types.Object {
		out := must[*s3.ListObjectsV2Output](t, "ListObjectsV2 incoming/")(a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
			Bucket: aws.String("sdk-a-shared"), Prefix: aws.String("incoming/"), FetchOwner: aws.Bool(true)}))
		return out.Contents
	}
	wantOwners(t, "object B wrote under ObjectWriter", listIncoming(), accountB)
	setOwnership(t, a, "sdk-a-shared", types.ObjectOwnershipBucketOwnerEnforced)
	wantOwners(t, "object B wrote, once ownership is enforced", listIncoming(), accountA)
}

func setOwnership(t *testing.T, c *s3.Client, bucket string, ownership types.ObjectOwnership) {
	t.Helper()
	must[*s3.PutBucketOwnershipControlsOutput](t, "PutBucketOwnershipControls")(c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{
		Bucket: aws.String(bucket), OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: ownership}}}}))
}

func wantOwners(t *testing.T, what string, objects []types.Object, id string) {
	t.Helper()
	if len(objects) == 0 {
		t.Fatalf("%s: nothing listed", what)
	}
	for _, o := range objects {
		if o.Owner == nil || aws.ToString(o.Owner.ID) != id {
			t.Errorf("%s: owner of %s is %+v, want %s", what, aws.ToString(o.Key), o.Owner, id)
		}
	}
}
