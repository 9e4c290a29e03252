package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/testenv"
)

// closedFixture is an organization managed by account A, whose user ops
// administers two created accounts through their
// OrganizationAccountAccessRole; the one to close holds a user (worker)
// and a bucket readable by account A and, for one object, by anyone.
type closedFixture struct {
	env               *testenv.Env
	mgmt              *organizations.Client
	opsKey, opsSecret string
	closing, staying  string // account ids
	worker            *iam.CreateAccessKeyOutput
	bucket            string
}

// TestClosedAccountCutOff: after CloseAccount the member's role cannot be
// assumed (AccessDenied, explained by the closure), its user's key and an
// earlier role session fail as invalid credentials on STS and S3, and its
// bucket answers AllAccessDisabled to account A and to anonymous callers; the account
// still ACTIVE is unaffected, and the management account cannot be closed.
func TestClosedAccountCutOff(t *testing.T) {
	ctx := context.Background()
	f := setUpClosedFixture(t, ctx)
	ops := stsAs(f.env.URL, f.opsKey, f.opsSecret, "")
	opsS3 := s3As(f.env.URL, f.opsKey, f.opsSecret)
	workerKey, workerSecret := aws.ToString(f.worker.AccessKey.AccessKeyId), aws.ToString(f.worker.AccessKey.SecretAccessKey)

	// Before: everything works.
	earlier := assumeAccessRole(t, ctx, ops, f.closing)
	if _, err := stsAs(f.env.URL, workerKey, workerSecret, "").GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("the worker before closing: %v", err)
	}
	if _, err := opsS3.GetObject(ctx, &s3.GetObjectInput{Bucket: &f.bucket, Key: aws.String("a.txt")}); err != nil {
		t.Fatalf("account A reads the bucket before closing: %v", err)
	}
	if status, _ := anonymousGet(t, f.env.URL+"/"+f.bucket+"/public/p.txt"); status != http.StatusOK {
		t.Fatalf("anonymous read of the public object before closing: %d", status)
	}

	if _, err := f.mgmt.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: &f.closing}); err != nil {
		t.Fatal(err)
	}
	_, err := f.mgmt.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String("111111111111")})
	if errorCode(err) != "ConstraintViolationException" {
		t.Fatalf("closing the management account: %v", err)
	}

	// After: the closed account is cut off.
	roleARN := "arn:aws:iam::" + f.closing + ":role/OrganizationAccountAccessRole"
	_, err = ops.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: &roleARN, RoleSessionName: aws.String("again")})
	want := "User: arn:aws:iam::111111111111:user/ops is not authorized to perform: sts:AssumeRole on resource: " + roleARN
	if errorCode(err) != "AccessDenied" || !strings.Contains(err.Error(), want) {
		t.Fatalf("assuming the closed account's role: %v", err)
	}
	if msg := explainNewestDenial(t, f.env, "sts:AssumeRole"); !strings.Contains(msg, "account "+f.closing+" is closed (SUSPENDED)") {
		t.Fatalf("the AssumeRole denial's explanation: %s", msg)
	}
	for who, client := range map[string]*sts.Client{
		"the worker's key":             stsAs(f.env.URL, workerKey, workerSecret, ""),
		"a role session issued before": stsAs(f.env.URL, aws.ToString(earlier.AccessKeyId), aws.ToString(earlier.SecretAccessKey), aws.ToString(earlier.SessionToken)),
	} {
		if _, err := client.GetCallerIdentity(ctx, nil); errorCode(err) != "InvalidClientTokenId" {
			t.Errorf("%s after closing: %v", who, err)
		}
	}
	if _, err := s3As(f.env.URL, workerKey, workerSecret).ListBuckets(ctx, nil); errorCode(err) != "InvalidAccessKeyId" {
		t.Errorf("the worker's key on S3 after closing: %v", err)
	}
	_, err = opsS3.GetObject(ctx, &s3.GetObjectInput{Bucket: &f.bucket, Key: aws.String("a.txt")})
	if errorCode(err) != "AllAccessDisabled" {
		t.Fatalf("account A reads the closed account's bucket: %v", err)
	}
	if msg := explainNewestDenial(t, f.env, "s3:GetObject"); !strings.Contains(msg, "is closed (SUSPENDED)") {
		t.Fatalf("the GetObject denial's explanation: %s", msg)
	}
	if status, body := anonymousGet(t, f.env.URL+"/"+f.bucket+"/public/p.txt"); status != http.StatusForbidden || !strings.Contains(body, "<Code>AllAccessDisabled</Code>") {
		t.Fatalf("anonymous read of the public object after closing: %d %s", status, body)
	}

	// The account still ACTIVE, and the caller's own account, are unaffected.
	stayed := assumeAccessRole(t, ctx, ops, f.staying)
	if _, err := stsAs(f.env.URL, aws.ToString(stayed.AccessKeyId), aws.ToString(stayed.SecretAccessKey), aws.ToString(stayed.SessionToken)).
		GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("a session in the active account: %v", err)
	}
	if _, err := ops.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatalf("the management account's user: %v", err)
	}
	got, err := f.mgmt.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: &f.closing})
	if err != nil || got.Account.Status != orgtypes.AccountStatusSuspended {
		t.Fatalf("DescribeAccount of the closed account: %v %+v", err, got)
	}
}

func setUpClosedFixture(t *testing.T, ctx context.Context) *closedFixture {
	t.Helper()
	f := &closedFixture{env: testenv.Start(t), bucket: "closing-account-bucket"}
	f.mgmt = orgAs(f.env.URL, "AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001")
	if _, err := f.mgmt.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	f.opsKey, f.opsSecret = createAdmin(t, ctx, iamAs(f.env.URL, "AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001"), "ops")
	f.closing, f.staying = createMember(t, ctx, f.mgmt, "closing"), createMember(t, ctx, f.mgmt, "staying")

	admin := assumeAccessRole(t, ctx, stsAs(f.env.URL, f.opsKey, f.opsSecret, ""), f.closing)
	key, secret, token := aws.ToString(admin.AccessKeyId), aws.ToString(admin.SecretAccessKey), aws.ToString(admin.SessionToken)
	in := iamAsSession(f.env.URL, key, secret, token)
	if _, err := in.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("worker")}); err != nil {
		t.Fatal(err)
	}
	var err error
	if f.worker, err = in.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("worker")}); err != nil {
		t.Fatal(err)
	}
	fillClosingBucket(t, ctx, s3AsSession(f.env.URL, key, secret, token), f.bucket)
	return f
}

// fillClosingBucket makes a bucket that account A may read, with one
// object anyone may read.
func fillClosingBucket(t *testing.T, ctx context.Context, c *s3.Client, bucket string) {
	t.Helper()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"a.txt", "public/p.txt"} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(k), Body: strings.NewReader("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeletePublicAccessBlock(ctx, &s3.DeletePublicAccessBlockInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	policy := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"},` +
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/public/*"}]}`
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: &policy}); err != nil {
		t.Fatal(err)
	}
}

// createAdmin makes a user with AdministratorAccess and returns its key.
func createAdmin(t *testing.T, ctx context.Context, c *iam.Client, name string) (string, string) {
	t.Helper()
	if _, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: &name}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: &name,
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	k, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: &name})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(k.AccessKey.AccessKeyId), aws.ToString(k.AccessKey.SecretAccessKey)
}

// createMember creates an account in the organization and returns its id.
func createMember(t *testing.T, ctx context.Context, mgmt *organizations.Client, name string) string {
	t.Helper()
	out, err := mgmt.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: &name, Email: aws.String(name + "@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	status, err := mgmt.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{
		CreateAccountRequestId: out.CreateAccountStatus.Id})
	if err != nil || status.CreateAccountStatus.AccountId == nil {
		t.Fatalf("create account %s: %v %+v", name, err, status)
	}
	return aws.ToString(status.CreateAccountStatus.AccountId)
}

// assumeAccessRole assumes account's OrganizationAccountAccessRole.
func assumeAccessRole(t *testing.T, ctx context.Context, c *sts.Client, account string) *ststypes.Credentials {
	t.Helper()
	out, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + account + ":role/OrganizationAccountAccessRole"),
		RoleSessionName: aws.String("admin")})
	if err != nil {
		t.Fatalf("assume the access role of %s: %v", account, err)
	}
	return out.Credentials
}

func iamAsSession(url, key, secret, token string) *iam.Client {
	return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token)})
}

func s3AsSession(url, key, secret, token string) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true, Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token)})
}

// anonymousGet fetches url unsigned and returns the status and body.
func anonymousGet(t *testing.T, url string) (status int, body string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// explainNewestDenial returns the message, deciding statements and
// advice of the newest denial of action.
func explainNewestDenial(t *testing.T, env *testenv.Env, action string) string {
	t.Helper()
	for _, s := range env.Decisions.List(audit.Filter{DeniedOnly: true}) {
		if s.Action != action {
			continue
		}
		xs, ok := env.Decisions.Explain(s.RequestID)
		if !ok || len(xs) == 0 {
			t.Fatalf("no explanation for %s", s.RequestID)
		}
		x := xs[len(xs)-1]
		return x.Message + "\n" + strings.Join(x.Deciding, "\n") + "\n" + x.Advice
	}
	t.Fatalf("no %s denial logged", action)
	return ""
}
