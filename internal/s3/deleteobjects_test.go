package s3_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestSDKDeleteObjectsMalformed: an empty <Key/> fails the whole request
// with UserKeyMustBeSpecified (before the fix: a per-key InternalError and
// the other keys deleted); an <Object> without <Key>, another root
// element, no objects or more than 1,000 are MalformedXML; a key over
// 1,024 bytes is that key's KeyTooLongError.
func TestSDKDeleteObjectsMalformed(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	must[*s3.PutObjectOutput](t, "PutObject")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("keep/1"), Body: strings.NewReader("1")}))

	_, err := a.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("keep/1")}, {Key: aws.String("")}}}})
	msg := wantError(t, "DeleteObjects with an empty key", err, 400, "UserKeyMustBeSpecified")
	if msg != "The bucket POST must contain the specified field name. If it is specified, check the order of the fields." {
		t.Errorf("message %q", msg)
	}
	must[*s3.HeadObjectOutput](t, "keep/1 survives the refused request")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("keep/1")}))

	long := strings.Repeat("k", 1025)
	out := must[*s3.DeleteObjectsOutput](t, "DeleteObjects with a long key")(a.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: bucket,
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String(long)}, {Key: aws.String("absent")}}}}))
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Code) != "KeyTooLongError" || len(out.Deleted) != 1 {
		t.Errorf("long key: errors %+v, deleted %+v", out.Errors, out.Deleted)
	}

	for name, body := range map[string]string{
		"object without key": "<Delete><Object><VersionId>x</VersionId></Object></Delete>",
		"wrong root":         "<Remove><Object><Key>keep/1</Key></Object></Remove>",
		"empty body":         "",
	} {
		h := map[string]string{"Content-MD5": md5b64([]byte(body))}
		r := rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte(body), Header: h, Key: rootAKey, Secret: rootASecret}.do(t, env)
		if r.Status != 400 || r.Code != "MalformedXML" {
			t.Errorf("DeleteObjects %s: %d %s", name, r.Status, r.Code)
		}
	}
	must[*s3.HeadObjectOutput](t, "keep/1 survives")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("keep/1")}))
}
