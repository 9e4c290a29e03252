package s3_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// tagWorld: reader may read only objects tagged public=yes; writer may
// write only when tagging team=infra.
const tagWorld = `
accounts:
  - id: "111111111111"
    policies:
      - name: ReadPublicTagged
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:GetObjectTagging"],"Resource":"arn:aws:s3:::tag-bucket/*","Condition":{"StringEquals":{"s3:ExistingObjectTag/public":"yes"}}}]}'
      - name: WriteInfraTagged
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"arn:aws:s3:::tag-bucket/*","Condition":{"StringEquals":{"s3:RequestObjectTag/team":"infra"},"ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["team","public"]}}}]}'
    users:
      - name: tag-reader
        access_keys: [{access_key_id: AKIA1111TAGREADER001, secret_access_key: TagReaderSecret00000000000000000000000001}]
        policies: [ReadPublicTagged]
      - name: tag-writer
        access_keys: [{access_key_id: AKIA1111TAGWRITER001, secret_access_key: TagWriterSecret00000000000000000000000001}]
        policies: [WriteInfraTagged]
    buckets:
      - name: tag-bucket
`

func TestObjectTagsAsConditions(t *testing.T) {
	w, err := world.Parse([]byte(tagWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	ctx := context.Background()
	root := client(env, rootAKey, rootASecret)
	writer := client(env, "AKIA1111TAGWRITER001", "TagWriterSecret00000000000000000000000001")
	reader := client(env, "AKIA1111TAGREADER001", "TagReaderSecret00000000000000000000000001")
	bucket := aws.String("tag-bucket")

	put := func(c *s3.Client, key, tagging string) error {
		in := &s3.PutObjectInput{Bucket: bucket, Key: aws.String(key), Body: strings.NewReader("x")}
		if tagging != "" {
			in.Tagging = aws.String(tagging)
		}
		_, err := c.PutObject(ctx, in)
		return err
	}
	if err := put(writer, "infra.txt", "team=infra&public=yes"); err != nil {
		t.Fatalf("writer with team=infra: %v", err)
	}
	if err := put(writer, "dev.txt", "team=dev"); conditionCode(err) != "AccessDenied" {
		t.Fatalf("writer with team=dev: %v", err)
	}
	if err := put(writer, "untagged.txt", ""); conditionCode(err) != "AccessDenied" {
		t.Fatalf("writer without tags: %v", err)
	}
	if err := put(root, "private.txt", "public=no"); err != nil {
		t.Fatal(err)
	}

	out, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("infra.txt")})
	if err != nil {
		t.Fatalf("reader on a public object: %v", err)
	}
	out.Body.Close()
	if out.TagCount == nil || *out.TagCount != 2 {
		t.Fatalf("tag count %v", out.TagCount)
	}
	if _, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("private.txt")}); conditionCode(err) != "AccessDenied" {
		t.Fatalf("reader on a private object: %v", err)
	}
	tags, err := reader.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: bucket, Key: aws.String("infra.txt")})
	if err != nil || len(tags.TagSet) != 2 || *tags.TagSet[0].Key != "public" {
		t.Fatalf("GetObjectTagging: %+v %v", tags, err)
	}
	// Retagging private.txt as public opens it to the reader.
	if _, err := root.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bucket, Key: aws.String("private.txt"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("public"), Value: aws.String("yes")}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("private.txt")}); err != nil {
		t.Fatalf("reader after retagging: %v", err)
	}
	if _, err := root.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: bucket, Key: aws.String("private.txt")}); err != nil {
		t.Fatal(err)
	}
	if _, err := reader.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("private.txt")}); conditionCode(err) != "AccessDenied" {
		t.Fatalf("reader after the tags were deleted: %v", err)
	}
	tooMany := make([]types.Tag, 11)
	for i := range tooMany {
		tooMany[i] = types.Tag{Key: aws.String(strings.Repeat("k", i+1)), Value: aws.String("v")}
	}
	_, err = root.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: bucket, Key: aws.String("private.txt"), Tagging: &types.Tagging{TagSet: tooMany}})
	if err == nil {
		t.Fatal("11 tags accepted")
	}
}
