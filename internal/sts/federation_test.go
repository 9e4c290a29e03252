package sts_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// fedWorld: carol may federate and read two buckets; dave may do
// nothing; an organization with centralized root access lets the
// management account's admin open root sessions in member accounts.
const fedWorld = `
accounts:
  - id: "333333333333"
    users:
      - name: carol
        access_keys: [{access_key_id: AKIA3333CAROL0000001, secret_access_key: CarolSecret00000000000000000000000000001}]
        inline_policies:
          fed: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","sts:TagSession","sts:GetAccessKeyInfo","sts:DecodeAuthorizationMessage","sts:AssumeRole"],"Resource":"*"},{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::fed-red","arn:aws:s3:::fed-red/*","arn:aws:s3:::fed-blue","arn:aws:s3:::fed-blue/*"]}]}'
      - name: dave
        access_keys: [{access_key_id: AKIA3333DAVE00000001, secret_access_key: DaveSecret000000000000000000000000000001}]
    roles:
      - name: fed-role
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"333333333333"},"Action":"sts:AssumeRole"}]}'
        inline_policies:
          fed: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}]}'
    buckets:
      - name: fed-red
        objects: {a.txt: red}
      - name: fed-blue
        objects: {b.txt: blue}
      - name: fed-green
        objects: {g.txt: green}
        policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::333333333333:federated-user/named"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::fed-green/*"}]}'
  - id: "444444444444"
    users:
      - name: admin
        access_keys: [{access_key_id: AKIA4444ADMIN0000001, secret_access_key: AdminSecret00000000000000000000000000001}]
        inline_policies:
          root: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRoot","Resource":"*","Condition":{"StringEquals":{"sts:TaskPolicyArn":["arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials","arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy"]}}}]}'
      - name: nobody
        access_keys: [{access_key_id: AKIA4444NOBODY000001, secret_access_key: NobodySecret0000000000000000000000000001}]
organization:
  management_account: "444444444444"
  centralized_root_access: true
`

const (
	carolKey    = "AKIA3333CAROL0000001"
	carolSecret = "CarolSecret00000000000000000000000000001"
	daveKey     = "AKIA3333DAVE00000001"
	daveSecret  = "DaveSecret000000000000000000000000000001"
	adminKey    = "AKIA4444ADMIN0000001"
	adminSecret = "AdminSecret00000000000000000000000000001"
)

func startFed(t *testing.T) *testenv.Env {
	t.Helper()
	w, err := world.Parse([]byte(fedWorld))
	if err != nil {
		t.Fatal(err)
	}
	return testenv.Start(t, testenv.WithWorld(w))
}

func s3With(env *testenv.Env, c *ststypes.Credentials) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)})
}

func getObject(c *s3.Client, bucket, key string) error {
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err == nil {
		out.Body.Close()
	}
	return err
}

func TestGetFederationTokenSession(t *testing.T) {
	env := startFed(t)
	ctx := context.Background()
	carol := stsClient(env, carolKey, carolSecret, "")
	out, err := carol.GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name:   aws.String("red-only"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::fed-red/*","arn:aws:s3:::fed-green/*"]}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	if *out.FederatedUser.Arn != "arn:aws:sts::333333333333:federated-user/red-only" || *out.FederatedUser.FederatedUserId != "333333333333:red-only" {
		t.Fatalf("FederatedUser = %+v", out.FederatedUser)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 {
		t.Fatalf("PackedPolicySize = %v", out.PackedPolicySize)
	}
	if d := out.Credentials.Expiration.Sub(time.Now()); d < 11*time.Hour || d > 12*time.Hour || !strings.HasPrefix(*out.Credentials.AccessKeyId, "ASIA") {
		t.Fatalf("credentials %+v: want an ASIA key for the default 12 hours", out.Credentials)
	}
	fed := stsClient(env, *out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	who, err := fed.GetCallerIdentity(ctx, nil)
	if err != nil || *who.Arn != *out.FederatedUser.Arn || *who.UserId != "333333333333:red-only" || *who.Account != "333333333333" {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
	s3c := s3With(env, out.Credentials)
	if err := getObject(s3c, "fed-red", "a.txt"); err != nil {
		t.Fatalf("user and session policy both allow: %v", err)
	}
	if err := getObject(s3c, "fed-blue", "b.txt"); apiCode(err) != "AccessDenied" {
		t.Fatalf("the user allows but the session policy does not: %v", err)
	}
	if err := getObject(s3c, "fed-green", "g.txt"); apiCode(err) != "AccessDenied" {
		t.Fatalf("the session policy allows but the user does not: %v", err)
	}
	// Federated users may call no STS operation but GetCallerIdentity, and no IAM operation.
	if _, err := fed.GetSessionToken(ctx, nil); apiCode(err) != "AccessDenied" {
		t.Fatalf("GetSessionToken from a federated user: %v", err)
	}
	if _, err := fed.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::333333333333:role/fed-role"), RoleSessionName: aws.String("x1")}); apiCode(err) != "AccessDenied" {
		t.Fatalf("AssumeRole from a federated user: %v", err)
	}
	if _, err := iamClient(env, out.Credentials).ListRoles(ctx, nil); apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("IAM from a federated user: %v", err)
	}
}

func TestGetFederationTokenWithoutPolicyHasOnlyResourceGrants(t *testing.T) {
	env := startFed(t)
	out, err := stsClient(env, carolKey, carolSecret, "").GetFederationToken(context.Background(), &sts.GetFederationTokenInput{Name: aws.String("named")})
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize != nil {
		t.Fatalf("PackedPolicySize without policies = %d", *out.PackedPolicySize)
	}
	s3c := s3With(env, out.Credentials)
	if err := getObject(s3c, "fed-red", "a.txt"); apiCode(err) != "AccessDenied" {
		t.Fatalf("no session policy: the session has no permissions of its own, got %v", err)
	}
	if err := getObject(s3c, "fed-green", "g.txt"); err != nil {
		t.Fatalf("a bucket policy naming the federated user grants: %v", err)
	}
}

func TestGetFederationTokenErrors(t *testing.T) {
	env := startFed(t)
	ctx := context.Background()
	carol := stsClient(env, carolKey, carolSecret, "")
	cases := []struct {
		name   string
		client *sts.Client
		in     sts.GetFederationTokenInput
		code   string
		msg    string
	}{
		{"name too short", carol, sts.GetFederationTokenInput{Name: aws.String("a")}, "ValidationError", "name"},
		{"name too long", carol, sts.GetFederationTokenInput{Name: aws.String(strings.Repeat("a", 33))}, "ValidationError", "name"},
		{"name with a space", carol, sts.GetFederationTokenInput{Name: aws.String("a b")}, "ValidationError", "regular expression"},
		{"duration under 900", carol, sts.GetFederationTokenInput{Name: aws.String("ab"), DurationSeconds: aws.Int32(899)}, "ValidationError", "durationSeconds"},
		{"duration over 36 hours", carol, sts.GetFederationTokenInput{Name: aws.String("ab"), DurationSeconds: aws.Int32(129601)}, "ValidationError", "durationSeconds"},
		{"malformed policy", carol, sts.GetFederationTokenInput{Name: aws.String("ab"), Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}`)}, "MalformedPolicyDocument", ""},
		{"policy too large", carol, sts.GetFederationTokenInput{Name: aws.String("ab"), Policy: aws.String(bigSessionPolicy())}, "PackedPolicyTooLarge", ""},
		{"no permission", stsClient(env, daveKey, daveSecret, ""), sts.GetFederationTokenInput{Name: aws.String("ab")}, "AccessDenied",
			"User: arn:aws:iam::333333333333:user/dave is not authorized to perform: sts:GetFederationToken on resource: arn:aws:sts::333333333333:federated-user/ab because no identity-based policy allows the sts:GetFederationToken action"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.client.GetFederationToken(ctx, &c.in)
			if apiCode(err) != c.code || !strings.Contains(errMessage(err), c.msg) {
				t.Fatalf("err = %v, want %s containing %q", err, c.code, c.msg)
			}
		})
	}
	// Only long-term credentials may federate: a role session may not, whatever it is allowed.
	role := assume(t, carol, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::333333333333:role/fed-role"), RoleSessionName: aws.String("sx")})
	_, err := stsClient(env, *role.Credentials.AccessKeyId, *role.Credentials.SecretAccessKey, *role.Credentials.SessionToken).
		GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("ab")})
	if apiCode(err) != "AccessDenied" || errMessage(err) != "Cannot call GetFederationToken with session credentials" {
		t.Fatalf("role session: %v", err)
	}
}

func bigSessionPolicy() string {
	var b strings.Builder
	b.WriteString(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[`)
	for i := 0; i < 120; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"s3:GetObjectVersionTagging"`)
	}
	b.WriteString(`],"Resource":"*"}]}`)
	return b.String()
}

func errMessage(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

func TestGetAccessKeyInfo(t *testing.T) {
	env := startFed(t)
	ctx := context.Background()
	carol := stsClient(env, carolKey, carolSecret, "")
	fed, err := carol.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("ab")})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ key, account string }{
		{carolKey, "333333333333"},                                       // a world key, looked up in the store
		{aliceKey, "222222222222"},                                       // another account's world key
		{*fed.Credentials.AccessKeyId, "333333333333"},                   // a temporary key carries its account
		{creds.NewAccessKeyIDFor(false, "555555555555"), "555555555555"}, // any key in AWS's layout
		{"ASIAY34FZKBOKMUTVV7A", "609629065308"},                         // a real AWS key id
	}
	for _, c := range cases {
		out, err := carol.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(c.key)})
		if err != nil || *out.Account != c.account {
			t.Fatalf("GetAccessKeyInfo(%s) = %v, %v; want %s", c.key, out, err, c.account)
		}
	}
	for key, code := range map[string]string{"AKIA123": "ValidationError", "AKIA-2222-3333-4444": "ValidationError", "AKIA0000000000000000": "InvalidParameterValue"} {
		if _, err := carol.GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(key)}); apiCode(err) != code {
			t.Fatalf("GetAccessKeyInfo(%s): %v, want %s", key, err, code)
		}
	}
	if _, err := stsClient(env, daveKey, daveSecret, "").GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(carolKey)}); apiCode(err) != "AccessDenied" {
		t.Fatalf("without sts:GetAccessKeyInfo: %v", err)
	}
}

func TestAssumeRoot(t *testing.T) {
	env := startFed(t)
	ctx := context.Background()
	admin := stsClient(env, adminKey, adminSecret, "")
	audit := "arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials"
	out, err := admin.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("333333333333"),
		TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(audit)}})
	if err != nil {
		t.Fatal(err)
	}
	if d := out.Credentials.Expiration.Sub(time.Now()); d <= 0 || d > 15*time.Minute {
		t.Fatalf("expiration %v: want the default 900 seconds", out.Credentials.Expiration)
	}
	root := stsClient(env, *out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken)
	who, err := root.GetCallerIdentity(ctx, nil)
	if err != nil || *who.Arn != "arn:aws:iam::333333333333:root" || *who.Account != "333333333333" {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
	iamRoot := iamClient(env, out.Credentials)
	if _, err := iamRoot.ListAccessKeys(ctx, nil); err != nil {
		t.Fatalf("the audit task allows iam:ListAccessKeys: %v", err)
	}
	if _, err := iamRoot.ListRoles(ctx, nil); apiCode(err) != "AccessDenied" {
		t.Fatalf("the audit task does not allow iam:ListRoles: %v", err)
	}
	if err := getObject(s3With(env, out.Credentials), "fed-red", "a.txt"); apiCode(err) != "AccessDenied" {
		t.Fatalf("the audit task does not allow s3:GetObject: %v", err)
	}

	cases := []struct {
		name   string
		client *sts.Client
		target string
		task   string
		dur    *int32
		code   string
	}{
		{"task policy the caller may not use", admin, "333333333333", "arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials", nil, "AccessDenied"},
		{"not a root-task policy", admin, "333333333333", "arn:aws:iam::aws:policy/AdministratorAccess", nil, "ValidationError"},
		{"duration over 900", admin, "333333333333", audit, aws.Int32(901), "ValidationError"},
		{"the management account is no member", admin, "444444444444", audit, nil, "AccessDenied"},
		{"an account outside the organization", admin, "999999999999", audit, nil, "AccessDenied"},
		{"a caller without sts:AssumeRoot", stsClient(env, "AKIA4444NOBODY000001", "NobodySecret0000000000000000000000000001", ""), "333333333333", audit, nil, "AccessDenied"},
		{"a member account's caller", stsClient(env, carolKey, carolSecret, ""), "222222222222", audit, nil, "AccessDenied"},
		{"a root ARN target", admin, "arn:aws:iam::333333333333:root", "arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy", aws.Int32(60), ""},
		{"a user ARN target", admin, "arn:aws:iam::333333333333:user/carol", audit, nil, "ValidationError"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.client.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String(c.target),
				TaskPolicyArn: &ststypes.PolicyDescriptorType{Arn: aws.String(c.task)}, DurationSeconds: c.dur})
			if apiCode(err) != c.code {
				t.Fatalf("err = %v, want %q", err, c.code)
			}
		})
	}
}

// requestID is the x-amzn-RequestId of a failed call.
func requestID(err error) string {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.ServiceRequestID()
	}
	return ""
}

// encodedMessageOf reads the encoded authorization message of a logged
// denial from the decision log, as `sekisho explain` does.
func encodedMessageOf(t *testing.T, env *testenv.Env, requestID string) string {
	t.Helper()
	resp, err := http.Get(env.URL + "/_sekisho/decisions/" + requestID)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var xs []struct {
		Message string `json:"encoded_authorization_message"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&xs); err != nil || len(xs) == 0 || xs[0].Message == "" {
		t.Fatalf("decision log for %s: %d entries, %v", requestID, len(xs), err)
	}
	return xs[0].Message
}

func TestDecodeAuthorizationMessage(t *testing.T) {
	env := startFed(t)
	ctx := context.Background()
	dave := stsClient(env, daveKey, daveSecret, "")
	// dave is denied; the decision log holds the denial, and its encoded
	// message is what a service that sends them would have returned.
	_, err := dave.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("ab")})
	reqID := requestID(err)
	if apiCode(err) != "AccessDenied" || reqID == "" {
		t.Fatalf("GetFederationToken as dave: %v", err)
	}
	msg := encodedMessageOf(t, env, reqID)
	carol := stsClient(env, carolKey, carolSecret, "")
	out, err := carol.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(msg)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Allowed      bool `json:"allowed"`
		ExplicitDeny bool `json:"explicitDeny"`
		Matched      struct {
			Items []any `json:"items"`
		} `json:"matchedStatements"`
		Context struct {
			Principal  struct{ ID, Name, ARN string } `json:"principal"`
			Action     string                         `json:"action"`
			Resource   string                         `json:"resource"`
			Conditions struct {
				Items []struct {
					Key    string `json:"key"`
					Values struct {
						Items []struct{ Value string } `json:"items"`
					} `json:"values"`
				} `json:"items"`
			} `json:"conditions"`
		} `json:"context"`
	}
	if err := json.Unmarshal([]byte(*out.DecodedMessage), &doc); err != nil {
		t.Fatalf("decoded message %q: %v", *out.DecodedMessage, err)
	}
	if doc.Allowed || doc.ExplicitDeny || doc.Context.Action != "sts:GetFederationToken" ||
		doc.Context.Resource != "arn:aws:sts::333333333333:federated-user/ab" ||
		doc.Context.Principal.ARN != "arn:aws:iam::333333333333:user/dave" || !strings.HasPrefix(doc.Context.Principal.ID, "AIDA") ||
		doc.Context.Principal.Name != "dave" || len(doc.Context.Conditions.Items) == 0 {
		t.Fatalf("decoded message = %s", *out.DecodedMessage)
	}

	if _, err := dave.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(msg)}); apiCode(err) != "AccessDenied" {
		t.Fatalf("a caller without sts:DecodeAuthorizationMessage: %v", err)
	}
	edited := []byte(msg)
	edited[len(edited)/2] ^= 1
	for _, bad := range []string{"not-a-message", string(edited)} {
		if _, err := carol.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String(bad)}); apiCode(err) != "InvalidAuthorizationMessageException" {
			t.Fatalf("DecodeAuthorizationMessage(%.20s…): %v", bad, err)
		}
	}
}

// TestGetFederationTokenTagsAndRoot: session tags need sts:TagSession and
// count in PackedPolicySize; the account root may federate, for one hour
// at most, with the passed policy as its only limit.
func TestGetFederationTokenTagsAndRoot(t *testing.T) {
	env := startFed(t)
	ctx := context.Background()
	tagged, err := stsClient(env, carolKey, carolSecret, "").GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String("tagged"), Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
	if err != nil || tagged.PackedPolicySize == nil {
		t.Fatalf("with tags: %+v, %v", tagged, err)
	}
	_, err = stsClient(env, daveKey, daveSecret, "").GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String("tagged"), Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}}})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("tags without sts:TagSession: %v", err)
	}

	root, err := stsClient(env, rootAKey, rootASecret, "").GetFederationToken(ctx, &sts.GetFederationTokenInput{
		Name: aws.String("by-root"), DurationSeconds: aws.Int32(7200),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if d := root.Credentials.Expiration.Sub(time.Now()); d > time.Hour {
		t.Fatalf("a root-federated session lasts %v, want at most an hour", d)
	}
	if *root.FederatedUser.Arn != "arn:aws:sts::111111111111:federated-user/by-root" {
		t.Fatalf("FederatedUser = %+v", root.FederatedUser)
	}
	who, err := stsClient(env, *root.Credentials.AccessKeyId, *root.Credentials.SecretAccessKey, *root.Credentials.SessionToken).GetCallerIdentity(ctx, nil)
	if err != nil || *who.Arn != *root.FederatedUser.Arn {
		t.Fatalf("GetCallerIdentity = %+v, %v", who, err)
	}
	s3c := s3With(env, root.Credentials)
	if _, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("the root's permissions and the passed policy both allow: %v", err)
	}
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("by-root-bucket")}); apiCode(err) != "AccessDenied" {
		t.Fatalf("outside the passed policy: %v", err)
	}
}
