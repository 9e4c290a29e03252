package s3_test

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/testenv"
)

const (
	canonicalA = "0000000000000000000000000000000000000000000000000000111111111111"
	canonicalB = "0000000000000000000000000000000000000000000000000000222222222222"
	allUsers   = "http://acs.amazonaws.com/groups/global/AllUsers"
)

// grantList flattens an ACL to "grantee:permission" strings, sorted.
func grantList(grants []types.Grant) []string {
	var out []string
	for _, g := range grants {
		who := aws.ToString(g.Grantee.ID)
		if g.Grantee.URI != nil {
			who = *g.Grantee.URI
		}
		out = append(out, string(g.Grantee.Type)+"/"+who+":"+string(g.Permission))
	}
	slices.Sort(out)
	return out
}

func wantACL(t *testing.T, what string, out *s3.GetObjectAclOutput, err error, owner string, grants ...string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	slices.Sort(grants)
	if got := aws.ToString(out.Owner.ID); got != owner {
		t.Errorf("%s: owner %s, want %s", what, got, owner)
	}
	if got := grantList(out.Grants); !slices.Equal(got, grants) {
		t.Errorf("%s: grants %v, want %v", what, got, grants)
	}
}

func put(c *s3.Client, bucket, key string, acl types.ObjectCannedACL) error {
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader([]byte("data")), ACL: acl})
	return err
}

func get(c *s3.Client, bucket, key string) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		out.Body.Close()
	}
	return err
}

func getACL(c *s3.Client, bucket, key string) (*s3.GetObjectAclOutput, error) {
	return c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: aws.String(bucket), Key: aws.String(key)})
}

// aclBucket creates a bucket of A with an Object Ownership setting whose
// ACL lets account B write (WRITE) besides A's full control.
func aclBucket(t *testing.T, a *s3.Client, name string, ownership types.ObjectOwnership) {
	t.Helper()
	must[*s3.CreateBucketOutput](t, "CreateBucket "+name)(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectOwnership: ownership}))
	must[*s3.PutBucketAclOutput](t, "PutBucketAcl "+name)(a.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String(name),
		GrantFullControl: aws.String(`id="` + canonicalA + `"`), GrantWrite: aws.String(`id="` + canonicalB + `"`)}))
}

// TestSDKACLsDisabledByDefault: a new bucket is BucketOwnerEnforced:
// GetBucketAcl/GetObjectAcl answer the owner's full control, and any ACL
// other than bucket-owner-full-control is AccessControlListNotSupported.
// Before, the four ACL rows answered NotImplemented.
func TestSDKACLsDisabledByDefault(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-default")}))
	ba := must[*s3.GetBucketAclOutput](t, "GetBucketAcl")(a.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("acl-default")}))
	if got := grantList(ba.Grants); aws.ToString(ba.Owner.ID) != canonicalA || !slices.Equal(got, []string{"CanonicalUser/" + canonicalA + ":FULL_CONTROL"}) {
		t.Fatalf("bucket acl: %s %v", aws.ToString(ba.Owner.ID), got)
	}
	_, err := a.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-default"), ACL: types.BucketCannedACLPublicRead})
	wantError(t, "PutBucketAcl public-read", err, 400, "AccessControlListNotSupported")
	wantError(t, "PutObject public-read", put(a, "acl-default", "k", types.ObjectCannedACLPublicRead), 400, "AccessControlListNotSupported")
	if err := put(a, "acl-default", "k", types.ObjectCannedACLBucketOwnerFullControl); err != nil {
		t.Fatalf("PutObject bucket-owner-full-control: %v", err)
	}
	out, err := getACL(a, "acl-default", "k")
	wantACL(t, "GetObjectAcl", out, err, canonicalA, "CanonicalUser/"+canonicalA+":FULL_CONTROL")
	_, err = a.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-default"), Key: aws.String("k"), GrantRead: aws.String(`id="` + canonicalB + `"`)})
	wantError(t, "PutObjectAcl grant to B", err, 400, "AccessControlListNotSupported")
	_, err = a.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-default"), Key: aws.String("k"), GrantRead: aws.String(`emailAddress="x@example.com"`)})
	wantError(t, "PutObjectAcl by e-mail", err, 400, "UnresolvableGrantByEmailAddress")
	_, err = a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-default-public"), ACL: types.BucketCannedACLPublicRead})
	wantError(t, "CreateBucket public-read", err, 400, "InvalidBucketAclWithObjectOwnership")

	// With ACLs enabled at creation, the grant headers are the bucket's
	// ACL, and B's READ lets B's root list.
	must[*s3.CreateBucketOutput](t, "CreateBucket with a grant")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-public-list"),
		GrantFullControl: aws.String(`id="` + canonicalA + `"`), GrantRead: aws.String(`id="` + canonicalB + `"`), ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	ba = must[*s3.GetBucketAclOutput](t, "GetBucketAcl granted")(a.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("acl-public-list")}))
	if got := grantList(ba.Grants); !slices.Equal(got, []string{"CanonicalUser/" + canonicalA + ":FULL_CONTROL", "CanonicalUser/" + canonicalB + ":READ"}) {
		t.Fatalf("bucket acl: %v", got)
	}
	b := client(env, rootBKey, rootBSecret)
	must[*s3.ListObjectsV2Output](t, "B lists by the bucket ACL")(b.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("acl-public-list")}))
	ctl := must[*s3.GetBucketOwnershipControlsOutput](t, "GetBucketOwnershipControls")(a.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("acl-public-list")}))
	if ctl.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipObjectWriter {
		t.Fatalf("ownership %v", ctl.OwnershipControls.Rules[0].ObjectOwnership)
	}
}

// TestSDKObjectOwnershipCrossAccountWriter: B writes into A's bucket under
// each Object Ownership setting; who owns the object and who may read it
// follow S3 (ObjectWriter: B owns, A cannot read unless B grants it;
// BucketOwnerPreferred: bucket-owner-full-control hands ownership to A;
// BucketOwnerEnforced: A owns everything).
func TestSDKObjectOwnershipCrossAccountWriter(t *testing.T) {
	env := startSDK(t)
	a, b := client(env, rootAKey, rootASecret), client(env, rootBKey, rootBSecret)

	aclBucket(t, a, "acl-writer", types.ObjectOwnershipObjectWriter)
	if err := put(b, "acl-writer", "b-private", ""); err != nil {
		t.Fatalf("B writes with the bucket ACL's WRITE grant: %v", err)
	}
	out, err := getACL(b, "acl-writer", "b-private")
	wantACL(t, "B's object under ObjectWriter", out, err, canonicalB, "CanonicalUser/"+canonicalB+":FULL_CONTROL")
	wantError(t, "A reads B's private object", get(a, "acl-writer", "b-private"), 403, "AccessDenied")
	_, err = getACL(a, "acl-writer", "b-private")
	wantError(t, "A reads B's object ACL", err, 403, "AccessDenied")

	if err := put(b, "acl-writer", "b-bofc", types.ObjectCannedACLBucketOwnerFullControl); err != nil {
		t.Fatal(err)
	}
	out, err = getACL(a, "acl-writer", "b-bofc")
	wantACL(t, "bucket-owner-full-control under ObjectWriter", out, err, canonicalB,
		"CanonicalUser/"+canonicalB+":FULL_CONTROL", "CanonicalUser/"+canonicalA+":FULL_CONTROL")
	if err := get(a, "acl-writer", "b-bofc"); err != nil {
		t.Fatalf("A reads with bucket-owner-full-control: %v", err)
	}
	// B grants A read afterwards.
	must[*s3.PutObjectAclOutput](t, "PutObjectAcl")(b.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String("acl-writer"), Key: aws.String("b-private"),
		GrantFullControl: aws.String(`id="` + canonicalB + `"`), GrantRead: aws.String(`id="` + canonicalA + `"`)}))
	if err := get(a, "acl-writer", "b-private"); err != nil {
		t.Fatalf("A reads after B's grant: %v", err)
	}

	aclBucket(t, a, "acl-preferred", types.ObjectOwnershipBucketOwnerPreferred)
	for key, acl := range map[string]types.ObjectCannedACL{"plain": "", "bofc": types.ObjectCannedACLBucketOwnerFullControl} {
		if err := put(b, "acl-preferred", key, acl); err != nil {
			t.Fatal(err)
		}
	}
	out, err = getACL(b, "acl-preferred", "plain")
	wantACL(t, "BucketOwnerPreferred without bofc", out, err, canonicalB, "CanonicalUser/"+canonicalB+":FULL_CONTROL")
	out, err = getACL(a, "acl-preferred", "bofc")
	wantACL(t, "BucketOwnerPreferred with bofc", out, err, canonicalA, "CanonicalUser/"+canonicalA+":FULL_CONTROL")

	// Enforced: switching needs the bucket ACL's foreign grants gone.
	_, err = a.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("acl-writer"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}})
	wantError(t, "enforce with a foreign grant", err, 400, "InvalidBucketAclWithObjectOwnership")
	must[*s3.PutBucketAclOutput](t, "PutBucketAcl private")(a.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: aws.String("acl-writer"), ACL: types.BucketCannedACLPrivate}))
	must[*s3.PutBucketOwnershipControlsOutput](t, "enforce")(a.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("acl-writer"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}))
	out, err = getACL(a, "acl-writer", "b-private")
	wantACL(t, "B's object once enforced", out, err, canonicalA, "CanonicalUser/"+canonicalA+":FULL_CONTROL")
	if err := get(a, "acl-writer", "b-private"); err != nil {
		t.Fatalf("A reads once enforced: %v", err)
	}
}

// TestSDKACLGrantInDecision: an object ACL grant lets another account read
// with no policy naming it; the caller's own identity policies must still
// allow; an explicit deny wins; AllUsers lets anonymous callers read;
// explain names the grant; under BucketOwnerEnforced the grant counts for
// nothing. s3:x-amz-acl is a condition key.
func TestSDKACLGrantInDecision(t *testing.T) {
	env := startSDK(t)
	a, b := client(env, rootAKey, rootASecret), client(env, rootBKey, rootBSecret)
	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl-grant"), ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	// A new bucket blocks public ACLs (S3's default since 2023) until its
	// owner lifts the block.
	blocked := put(a, "acl-grant", "early", types.ObjectCannedACLPublicRead)
	wantError(t, "public-read under BlockPublicAcls", blocked, 403, "AccessDenied")
	wantContains(t, "explain", explained(t, env, requestIDOf(t, blocked)), "BlockPublicAcls", "bucket level")
	must[*s3.DeletePublicAccessBlockOutput](t, "lift the block")(a.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("acl-grant")}))
	if _, err := a.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acl-grant"), Key: aws.String("shared"), Body: bytes.NewReader([]byte("x")),
		GrantRead: aws.String(`id="` + canonicalB + `"`)}); err != nil {
		t.Fatal(err)
	}
	wantError(t, "B before any grant", get(b, "acl-grant", "missing-grant"), 403, "AccessDenied")
	if err := get(b, "acl-grant", "shared"); err != nil {
		t.Fatalf("B reads by the ACL grant: %v", err)
	}
	if x := explainLast(t, env, "s3:GetObject", false); !strings.Contains(strings.Join(x.Deciding, "\n"), "ACL grant READ to account 222222222222") {
		t.Errorf("explain does not name the grant: %v", x.Deciding)
	}
	carol := client(env, carolKey, carolSecret) // B's user without policies
	wantError(t, "B's user without an identity policy", get(carol, "acl-grant", "shared"), 403, "AccessDenied")

	must[*s3.PutBucketPolicyOutput](t, "deny policy")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("acl-grant"), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::acl-grant/*"},` +
			`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::acl-grant/*","Condition":{"StringEquals":{"s3:x-amz-acl":"public-read-write"}}}]}`)}))
	wantError(t, "explicit deny over the grant", get(b, "acl-grant", "shared"), 403, "AccessDenied")
	wantError(t, "s3:x-amz-acl condition", put(a, "acl-grant", "prw", types.ObjectCannedACLPublicReadWrite), 403, "AccessDenied")
	must[*s3.DeleteBucketPolicyOutput](t, "delete policy")(a.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: aws.String("acl-grant")}))

	if err := put(a, "acl-grant", "public", types.ObjectCannedACLPublicRead); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(env.URL + "/acl-grant/public")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("anonymous read of a public-read object: %d", resp.StatusCode)
	}

	// IgnorePublicAcls makes the public grant count for nothing, and
	// lifting it brings the grant back.
	must[*s3.PutPublicAccessBlockOutput](t, "IgnorePublicAcls")(a.PutPublicAccessBlock(ctx, &s3.PutPublicAccessBlockInput{Bucket: aws.String("acl-grant"),
		PublicAccessBlockConfiguration: &types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)}}))
	if resp, err := http.Get(env.URL + "/acl-grant/public"); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous read under IgnorePublicAcls: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	must[*s3.DeletePublicAccessBlockOutput](t, "lift IgnorePublicAcls")(a.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String("acl-grant")}))
	must[*s3.PutBucketOwnershipControlsOutput](t, "enforce")(a.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String("acl-grant"),
		OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}))
	wantError(t, "the grant under BucketOwnerEnforced", get(b, "acl-grant", "shared"), 403, "AccessDenied")
	resp, err = http.Get(env.URL + "/acl-grant/public")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("anonymous read under BucketOwnerEnforced: %d", resp.StatusCode)
	}
}

// explainLast explains the newest decision for action.
func explainLast(t *testing.T, env *testenv.Env, action string, denied bool) audit.Explanation {
	t.Helper()
	for _, s := range env.Decisions.List(audit.Filter{DeniedOnly: denied}) {
		if s.Action == action {
			x, ok := env.Decisions.Explain(s.RequestID)
			if !ok || len(x) == 0 {
				t.Fatalf("no explanation for %s", s.RequestID)
			}
			return x[0]
		}
	}
	t.Fatalf("no decision for %s", action)
	return audit.Explanation{}
}

// TestSDKACLBodyAndWriters: an AccessControlPolicy body sets an object's
// ACL; CopyObject and CreateMultipartUpload take canned ACLs (a copy does
// not inherit its source's ACL); s3:x-amz-grant-read is a condition key.
func TestSDKACLBodyAndWriters(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	const bucket = "acl-writers"
	must[*s3.CreateBucketOutput](t, "CreateBucket")(a.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket), ObjectOwnership: types.ObjectOwnershipObjectWriter}))
	must[*s3.DeletePublicAccessBlockOutput](t, "lift the block")(a.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: aws.String(bucket)}))
	if err := put(a, bucket, "src", ""); err != nil {
		t.Fatal(err)
	}
	must[*s3.PutObjectAclOutput](t, "PutObjectAcl body")(a.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("src"),
		AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(canonicalA)}, Grants: []types.Grant{
			{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: aws.String(canonicalA)}, Permission: types.PermissionFullControl},
			{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(allUsers)}, Permission: types.PermissionRead}}}}))
	out, err := getACL(a, bucket, "src")
	wantACL(t, "after the body", out, err, canonicalA, "CanonicalUser/"+canonicalA+":FULL_CONTROL", "Group/"+allUsers+":READ")
	_, err = a.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: aws.String(bucket), Key: aws.String("src"),
		AccessControlPolicy: &types.AccessControlPolicy{Owner: &types.Owner{ID: aws.String(canonicalA)}, Grants: []types.Grant{
			{Grantee: &types.Grantee{Type: types.TypeGroup, URI: aws.String(allUsers)}, Permission: "EVERYTHING"}}}})
	wantError(t, "bad permission", err, 400, "MalformedACLError")

	must[*s3.CopyObjectOutput](t, "CopyObject")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy"), CopySource: aws.String(bucket + "/src")}))
	out, err = getACL(a, bucket, "copy")
	wantACL(t, "copy without an ACL", out, err, canonicalA, "CanonicalUser/"+canonicalA+":FULL_CONTROL")
	must[*s3.CopyObjectOutput](t, "CopyObject ACL")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket), Key: aws.String("copy2"),
		CopySource: aws.String(bucket + "/src"), ACL: types.ObjectCannedACLAuthenticatedRead}))
	out, err = getACL(a, bucket, "copy2")
	wantACL(t, "copy authenticated-read", out, err, canonicalA, "CanonicalUser/"+canonicalA+":FULL_CONTROL", "Group/http://acs.amazonaws.com/groups/global/AuthenticatedUsers:READ")

	up := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp"), ACL: types.ObjectCannedACLPublicRead}))
	part := must[*s3.UploadPartOutput](t, "UploadPart")(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))}))
	must[*s3.CompleteMultipartUploadOutput](t, "Complete")(a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1), ChecksumCRC32: part.ChecksumCRC32}}}}))
	out, err = getACL(a, bucket, "mp")
	wantACL(t, "multipart public-read", out, err, canonicalA, "CanonicalUser/"+canonicalA+":FULL_CONTROL", "Group/"+allUsers+":READ")

	must[*s3.PutBucketPolicyOutput](t, "grant-key policy")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::acl-writers/*","Condition":{"Null":{"s3:x-amz-grant-read":"false"}}}]}`)}))
	_, err = a.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("granted"), Body: bytes.NewReader([]byte("x")), GrantRead: aws.String(`id="` + canonicalB + `"`)})
	wantError(t, "s3:x-amz-grant-read condition", err, 403, "AccessDenied")
	if err := put(a, bucket, "ungranted", ""); err != nil {
		t.Fatalf("PutObject without grants: %v", err)
	}
}
