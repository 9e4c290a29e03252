package iam_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sekisho/sekisho/internal/testenv"
)

// Item 5 of issue 10: sessions and stored principals are bound to unique
// ids, not names, so deleting a user or role and creating another of the
// same name never hands the newcomer's rights to the old sessions, nor the
// old grants to the newcomer.

const demoBucket = "account-a-bucket-0525"

func stsClient(env *testenv.Env, key, secret, token string) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token), Retryer: aws.NopRetryer{}})
}

func s3Client(env *testenv.Env, key, secret, token string) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token), Retryer: aws.NopRetryer{}})
}

func sessionS3(env *testenv.Env, c *ststypes.Credentials) *s3.Client {
	return s3Client(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

// getObject reads test.txt of the demo bucket.
func getObject(c *s3.Client) error {
	out, err := c.GetObject(bg, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("test.txt")})
	if err == nil {
		_, _ = io.Copy(io.Discard, out.Body)
		out.Body.Close()
	}
	return err
}

// newUser creates a user of root's account with an inline policy and an
// access key, and returns the user's id and key.
func newUser(t *testing.T, root *iam.Client, name, doc string) (id, key, secret string) {
	t.Helper()
	u := must(root.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(name)}))(t)
	must(root.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)}))(t)
	k := must(root.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))(t)
	return *u.User.UserId, *k.AccessKey.AccessKeyId, *k.AccessKey.SecretAccessKey
}

// deleteUser removes the user's key and inline policy, then the user.
func deleteUser(t *testing.T, root *iam.Client, name, key string) {
	t.Helper()
	must(root.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{UserName: aws.String(name), AccessKeyId: aws.String(key)}))(t)
	must(root.DeleteUserPolicy(bg, &iam.DeleteUserPolicyInput{UserName: aws.String(name), PolicyName: aws.String("p")}))(t)
	must(root.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String(name)}))(t)
}

const allowGetObject = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","sts:AssumeRole"],"Resource":"*"}]}`

func bucketPolicyFor(principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + principal + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + demoBucket + `/*"}]}`
}

// A GetSessionToken session of a deleted user gets nothing from the new
// user of the same name: not its identity policies, and not a bucket
// policy naming the (new) user's ARN.
func TestDeletedUserSessionGetsNothingFromNamesake(t *testing.T) {
	env, root := rootA(t)
	_, key, secret := newUser(t, root, "dave", allowGetObject)
	tok := must(stsClient(env, key, secret, "").GetSessionToken(bg, &sts.GetSessionTokenInput{}))(t)
	old := sessionS3(env, tok.Credentials)
	if err := getObject(old); err != nil {
		t.Fatalf("the session before the delete: %v", err)
	}
	deleteUser(t, root, "dave", key)
	_, key2, secret2 := newUser(t, root, "dave", allowGetObject)
	must(s3Client(env, rootAKey, rootASecret, "").PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(demoBucket),
		Policy: aws.String(bucketPolicyFor("arn:aws:iam::" + accountA + ":user/dave"))}))(t)

	if err := getObject(s3Client(env, key2, secret2, "")); err != nil {
		t.Fatalf("the new dave: %v", err)
	}
	status, code := s3Status(getObject(old))
	if status != 403 || code != "AccessDenied" {
		t.Fatalf("the old dave's session after a new dave exists: %d %s, want 403 AccessDenied", status, code)
	}
	// The token itself stays valid until it expires, as in AWS.
	who := must(stsClient(env, *tok.Credentials.AccessKeyId, *tok.Credentials.SecretAccessKey, *tok.Credentials.SessionToken).
		GetCallerIdentity(bg, &sts.GetCallerIdentityInput{}))(t)
	if !strings.HasSuffix(*who.Arn, ":user/dave") {
		t.Errorf("GetCallerIdentity: %s", *who.Arn)
	}
}

// A cross-account trust policy naming a user keeps naming that user: once
// it is deleted GetRole shows its unique id, a new user of the same name
// cannot assume the role, and the id cannot be written back.
func TestTrustPolicyNamingDeletedUser(t *testing.T) {
	env, rootAClient := rootA(t)
	rootB := client(env, rootBKey, rootBSecret)
	const role, aliceARN = "DESTINATION-ROLENAME", "arn:aws:iam::" + accountB + ":user/alice"
	roleARN := "arn:aws:iam::" + accountA + ":role/" + role
	assume := func(key, secret string) error {
		_, err := stsClient(env, key, secret, "").AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("session")})
		return err
	}
	if err := assume(aliceKey, aliceSecret); err != nil {
		t.Fatalf("the demo alice: %v", err)
	}
	oldID := *must(rootB.GetUser(bg, &iam.GetUserInput{UserName: aws.String("alice")}))(t).User.UserId
	must(rootB.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{UserName: aws.String("alice"), AccessKeyId: aws.String(aliceKey)}))(t)
	must(rootB.DetachUserPolicy(bg, &iam.DetachUserPolicyInput{UserName: aws.String("alice"),
		PolicyArn: aws.String("arn:aws:iam::" + accountB + ":policy/AssumeS3Role")}))(t)
	must(rootB.DeleteLoginProfile(bg, &iam.DeleteLoginProfileInput{UserName: aws.String("alice")}))(t) // her demo console password
	must(rootB.DeleteUserPolicy(bg, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("ConsoleAccessMap")}))(t)
	must(rootB.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("alice")}))(t)

	trust := decode(t, must(rootAClient.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(role)}))(t).Role.AssumeRolePolicyDocument)
	if !strings.Contains(trust, `"`+oldID+`"`) || strings.Contains(trust, aliceARN) {
		t.Fatalf("trust policy after alice's delete: %s (want %s in place of her ARN)", trust, oldID)
	}

	newID, key, secret := newUser(t, rootB, "alice", allowGetObject)
	err := assume(key, secret)
	wantCode(t, err, "AccessDenied", 403)

	// The policy as GetRole shows it names a principal that is gone.
	_, err = rootAClient.UpdateAssumeRolePolicy(bg, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(role), PolicyDocument: aws.String(trust)})
	wantError(t, err, "MalformedPolicyDocument", 400, `Invalid principal in policy: "AWS":"`+oldID+`"`)

	// Naming the new alice by her id binds her; GetRole shows her ARN.
	must(rootAClient.UpdateAssumeRolePolicy(bg, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String(role),
		PolicyDocument: aws.String(strings.Replace(trust, oldID, newID, 1))}))(t)
	trust = decode(t, must(rootAClient.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(role)}))(t).Role.AssumeRolePolicyDocument)
	if !strings.Contains(trust, `"`+aliceARN+`"`) {
		t.Fatalf("trust policy naming the new alice by id: %s", trust)
	}
	if err := assume(key, secret); err != nil {
		t.Fatalf("the new alice, once trusted: %v", err)
	}
}

// A bucket policy naming a user: after the delete GetBucketPolicy shows
// the user's unique id and the new user of the same name is refused.
func TestBucketPolicyNamingDeletedUser(t *testing.T) {
	env, root := rootA(t)
	bucketOwner := s3Client(env, rootAKey, rootASecret, "")
	oldID, key, secret := newUser(t, root, "erin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`)
	erinARN := "arn:aws:iam::" + accountA + ":user/erin"
	must(bucketOwner.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(demoBucket), Policy: aws.String(bucketPolicyFor(erinARN))}))(t)
	if err := getObject(s3Client(env, key, secret, "")); err != nil {
		t.Fatalf("erin, granted by the bucket policy: %v", err)
	}
	deleteUser(t, root, "erin", key)

	got := *must(bucketOwner.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(demoBucket)}))(t).Policy
	if got != bucketPolicyFor(oldID) {
		t.Fatalf("bucket policy after erin's delete:\n got %s\nwant %s", got, bucketPolicyFor(oldID))
	}
	_, key2, secret2 := newUser(t, root, "erin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetCallerIdentity","Resource":"*"}]}`)
	status, code := s3Status(getObject(s3Client(env, key2, secret2, "")))
	if status != 403 || code != "AccessDenied" {
		t.Fatalf("the new erin: %d %s, want 403 AccessDenied", status, code)
	}
	_, err := bucketOwner.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(demoBucket), Policy: aws.String(got)})
	if status, code := s3Status(err); status != 400 || code != "MalformedPolicy" {
		t.Fatalf("writing back a deleted user's id: %d %s, want 400 MalformedPolicy", status, code)
	}
}

// A role session outlives its role only as a name: once the role is
// deleted and re-created, the old session gets neither the new role's
// policies nor a bucket policy's grant to the new role.
func TestDeletedRoleSessionGetsNothingFromNamesake(t *testing.T) {
	env, root := rootA(t)
	_, key, secret := newUser(t, root, "frank", allowGetObject)
	trustA := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + accountA + `"},"Action":"sts:AssumeRole"}]}`
	makeRole := func() {
		must(root.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("worker"), AssumeRolePolicyDocument: aws.String(trustA)}))(t)
		must(root.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowGetObject)}))(t)
	}
	roleARN := "arn:aws:iam::" + accountA + ":role/worker"
	assume := func() *s3.Client {
		out := must(stsClient(env, key, secret, "").AssumeRole(bg, &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("session")}))(t)
		return sessionS3(env, out.Credentials)
	}
	makeRole()
	old := assume()
	if err := getObject(old); err != nil {
		t.Fatalf("the session before the delete: %v", err)
	}
	must(root.DeleteRolePolicy(bg, &iam.DeleteRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("p")}))(t)
	must(root.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: aws.String("worker")}))(t)
	makeRole()
	status, code := s3Status(getObject(old))
	if status != 403 || code != "AccessDenied" {
		t.Fatalf("the old session with the new role's policies: %d %s, want 403 AccessDenied", status, code)
	}
	// A bucket policy naming the role (now the new one) does not name the old session.
	must(root.DeleteRolePolicy(bg, &iam.DeleteRolePolicyInput{RoleName: aws.String("worker"), PolicyName: aws.String("p")}))(t)
	must(s3Client(env, rootAKey, rootASecret, "").PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(demoBucket),
		Policy: aws.String(bucketPolicyFor(roleARN))}))(t)
	if err := getObject(assume()); err != nil {
		t.Fatalf("a session of the new role, granted by the bucket policy: %v", err)
	}
	status, code = s3Status(getObject(old))
	if status != 403 || code != "AccessDenied" {
		t.Fatalf("the old session with a bucket policy naming the new role: %d %s, want 403 AccessDenied", status, code)
	}
}

// A trust policy naming a role, and a renamed user: deleting the role shows
// its AROA id; renaming a user moves the grant to the new name, and a new
// user taking the old name gets nothing.
func TestTrustFollowsRoleDeleteAndUserRename(t *testing.T) {
	_, root := rootA(t)
	trustA := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + accountA + `"},"Action":"sts:AssumeRole"}]}`
	src := must(root.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("source"), AssumeRolePolicyDocument: aws.String(trustA)}))(t)
	newUser(t, root, "gina", allowGetObject)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::` + accountA + `:role/source","arn:aws:iam::` + accountA + `:user/gina"]},"Action":"sts:AssumeRole"}]}`
	must(root.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("target"), AssumeRolePolicyDocument: aws.String(doc)}))(t)

	must(root.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: aws.String("source")}))(t)
	must(root.UpdateUser(bg, &iam.UpdateUserInput{UserName: aws.String("gina"), NewUserName: aws.String("gina2")}))(t)
	got := decode(t, must(root.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("target")}))(t).Role.AssumeRolePolicyDocument)
	want := strings.NewReplacer("arn:aws:iam::"+accountA+":role/source", *src.Role.RoleId, "user/gina", "user/gina2").Replace(doc)
	if got != want {
		t.Fatalf("trust policy:\n got %s\nwant %s", got, want)
	}
}

// PutBucketPolicy names only principals that exist: a user ARN naming
// nobody is refused as in AWS (so a later user of that name is never
// trusted in advance), and a bare user id is stored as the user's ARN.
func TestBucketPolicyPrincipalsMustExist(t *testing.T) {
	env, root := rootA(t)
	owner := s3Client(env, rootAKey, rootASecret, "")
	put := func(principal string) error {
		_, err := owner.PutBucketPolicy(bg, &s3.PutBucketPolicyInput{Bucket: aws.String(demoBucket), Policy: aws.String(bucketPolicyFor(principal))})
		return err
	}
	for _, p := range []string{"arn:aws:iam::" + accountA + ":user/nobody", "arn:aws:iam::" + accountB + ":role/nobody", "AIDA2222NOBODY0000001"} {
		if status, code := s3Status(put(p)); status != 400 || code != "MalformedPolicy" {
			t.Errorf("principal %s: %d %s, want 400 MalformedPolicy", p, status, code)
		}
	}
	id, _, _ := newUser(t, root, "hana", allowGetObject)
	if err := put(id); err != nil {
		t.Fatalf("principal %s (hana): %v", id, err)
	}
	got := *must(owner.GetBucketPolicy(bg, &s3.GetBucketPolicyInput{Bucket: aws.String(demoBucket)}))(t).Policy
	if want := bucketPolicyFor("arn:aws:iam::" + accountA + ":user/hana"); got != want {
		t.Fatalf("GetBucketPolicy:\n got %s\nwant %s", got, want)
	}
}

// s3Status returns an S3 error's HTTP status and code (0, "" for nil).
func s3Status(err error) (int, string) {
	status, code := 0, ""
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	return status, code
}
