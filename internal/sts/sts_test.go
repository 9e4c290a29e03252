package sts_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

const (
	aliceKey    = "AKIA2222ALICE0000001"
	aliceSecret = "DemoSecretForAliceInAccountB000000000001"
	rootAKey    = "AKIA1111ROOT00000001"
	rootASecret = "DemoRootSecretForAccountA0000000000000001"
	s3Role      = "arn:aws:iam::111111111111:role/assume_s3_role"
)

// stsWorld adds roles for the finer AssumeRole rules.
const stsWorld = `
accounts:
  - id: "111111111111"
    roles:
      - name: long-sessions
        max_session_duration: 7200
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}'
        inline_policies:
          iam-read: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetUser","iam:ListRoles","iam:GetRole"],"Resource":"*"},{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}'
      - name: needs-external-id
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"abc-123"}}}]}'
      - name: chained
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/long-sessions"},"Action":"sts:AssumeRole"}]}'
      - name: team-only
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"StringEquals":{"aws:RequestTag/team":"infra"}}}]}'
        inline_policies:
          tagged: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"infra"}}}]}'
  - id: "222222222222"
    policies:
      - name: AssumeAnything
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}'
    users:
      - name: alice
        policies: [AssumeAnything]
`

func start(t *testing.T, opts ...testenv.Option) *testenv.Env {
	t.Helper()
	w, err := world.Parse([]byte(stsWorld))
	if err != nil {
		t.Fatal(err)
	}
	return testenv.Start(t, append([]testenv.Option{testenv.WithWorld(w)}, opts...)...)
}

func stsClient(env *testenv.Env, key, secret, token string) *sts.Client {
	return sts.New(sts.Options{
		Region: "ap-northeast-1", BaseEndpoint: aws.String(env.URL),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token),
	})
}

func iamClient(env *testenv.Env, c *ststypes.Credentials) *iam.Client {
	return iam.New(iam.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(env.URL),
		Credentials: credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken),
	})
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func assume(t *testing.T, c *sts.Client, in *sts.AssumeRoleInput) *sts.AssumeRoleOutput {
	t.Helper()
	out, err := c.AssumeRole(context.Background(), in)
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", *in.RoleArn, err)
	}
	return out
}

func TestGetCallerIdentityShapes(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	root, err := stsClient(env, rootAKey, rootASecret, "").GetCallerIdentity(ctx, nil)
	if err != nil || *root.Arn != "arn:aws:iam::111111111111:root" || *root.UserId != "111111111111" || *root.Account != "111111111111" {
		t.Fatalf("root: %+v %v", root, err)
	}
	alice := stsClient(env, aliceKey, aliceSecret, "")
	user, err := alice.GetCallerIdentity(ctx, nil)
	if err != nil || *user.Arn != "arn:aws:iam::222222222222:user/alice" || !strings.HasPrefix(*user.UserId, "AIDA") || len(*user.UserId) != 21 {
		t.Fatalf("user: %+v %v", user, err)
	}
	out := assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(s3Role), RoleSessionName: aws.String("sess")})
	session, err := stsClient(env, *out.Credentials.AccessKeyId, *out.Credentials.SecretAccessKey, *out.Credentials.SessionToken).GetCallerIdentity(ctx, nil)
	if err != nil || *session.Arn != "arn:aws:sts::111111111111:assumed-role/assume_s3_role/sess" || *session.UserId != *out.AssumedRoleUser.AssumedRoleId {
		t.Fatalf("session: %+v %v", session, err)
	}
	tok, err := alice.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	same, err := stsClient(env, *tok.Credentials.AccessKeyId, *tok.Credentials.SecretAccessKey, *tok.Credentials.SessionToken).GetCallerIdentity(ctx, nil)
	if err != nil || *same.Arn != *user.Arn || *same.UserId != *user.UserId {
		t.Fatalf("GetSessionToken identity: %+v %v", same, err)
	}
}

func TestAssumeRoleRules(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	alice := stsClient(env, aliceKey, aliceSecret, "")
	long := "arn:aws:iam::111111111111:role/long-sessions"
	cases := []struct {
		name string
		in   sts.AssumeRoleInput
		code string
	}{
		{"over the role maximum", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("s" + "x"), DurationSeconds: aws.Int32(7201)}, "ValidationError"},
		{"under 900", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("sx"), DurationSeconds: aws.Int32(899)}, "ValidationError"},
		{"session name too short", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("s")}, "ValidationError"},
		{"session name with a space", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("a b")}, "ValidationError"},
		{"unknown role", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/nope"), RoleSessionName: aws.String("sx")}, "AccessDenied"},
		{"missing external id", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/needs-external-id"), RoleSessionName: aws.String("sx")}, "AccessDenied"},
		{"wrong external id", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/needs-external-id"), RoleSessionName: aws.String("sx"), ExternalId: aws.String("nope-1")}, "AccessDenied"},
		{"malformed session policy", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("sx"), Policy: aws.String(`{"Version":"2012-10-17"`)}, "MalformedPolicyDocument"},
		{"session policy naming a principal", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("sx"), Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`)}, "MalformedPolicyDocument"},
		{"oversized session policy", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("sx"), Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::` + strings.Repeat("a", 2100) + `"}}`)}, "PackedPolicyTooLarge"},
		{"source identity with a space", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("sx"), SourceIdentity: aws.String("alice admin")}, "ValidationError"},
		{"source identity with a slash", sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("sx"), SourceIdentity: aws.String("alice/admin")}, "ValidationError"},
		{"tag condition not met", sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/team-only"), RoleSessionName: aws.String("sx"), Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("dev")}}}, "AccessDenied"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := alice.AssumeRole(ctx, &tc.in)
			if got := apiCode(err); got != tc.code {
				t.Fatalf("error code %q (%v), want %q", got, err, tc.code)
			}
		})
	}
	out := assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/needs-external-id"), RoleSessionName: aws.String("sx"), ExternalId: aws.String("abc-123")})
	if out.PackedPolicySize != nil {
		t.Errorf("PackedPolicySize without policy or tags: %d", *out.PackedPolicySize)
	}
	long2 := assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("sx"), DurationSeconds: aws.Int32(7200)})
	if d := time.Until(*long2.Credentials.Expiration); d < 7100*time.Second || d > 7300*time.Second {
		t.Errorf("expiration in %v, want about 2h", d)
	}
}

func TestRoleChaining(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	first := assume(t, stsClient(env, aliceKey, aliceSecret, ""), &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::111111111111:role/long-sessions"), RoleSessionName: aws.String("first"),
		SourceIdentity: aws.String("alice-admin")})
	c := first.Credentials
	session := stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	_, err := session.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/chained"), RoleSessionName: aws.String("second"), DurationSeconds: aws.Int32(3601)})
	if apiCode(err) != "ValidationError" || !strings.Contains(err.Error(), "role chaining") {
		t.Fatalf("chaining over an hour: %v", err)
	}
	// The chained role's trust policy names the first role, which
	// also grants sts:AssumeRole; SetSourceIdentity is then needed too,
	// since the source identity carries over, and "chained" does not grant it.
	_, err = session.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/chained"), RoleSessionName: aws.String("second")})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("chaining with a source identity the trust does not allow: %v", err)
	}
	_, err = session.GetSessionToken(ctx, nil)
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("GetSessionToken with session credentials: %v", err)
	}
}

func TestSessionPolicyAndTags(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	alice := stsClient(env, aliceKey, aliceSecret, "")
	out := assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/long-sessions"), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}}`)})
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 {
		t.Fatalf("PackedPolicySize: %v", out.PackedPolicySize)
	}
	narrow := iamClient(env, out.Credentials)
	if _, err := narrow.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("long-sessions")}); err != nil && apiCode(err) == "AccessDenied" {
		t.Fatalf("GetRole is in both the role's and the session policy: %v", err)
	}
	if _, err := narrow.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("x")}); apiCode(err) != "AccessDenied" {
		t.Fatalf("GetUser is not in the session policy: %v", err)
	}

	tagged := assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/team-only"), RoleSessionName: aws.String("tagged"),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("infra")}}})
	if _, err := iamClient(env, tagged.Credentials).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("team-only")}); apiCode(err) == "AccessDenied" {
		t.Fatalf("the session tag should satisfy aws:PrincipalTag/team: %v", err)
	}
}

func TestCredentialErrors(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().Unix())
	env := start(t, testenv.WithClock(func() time.Time { return time.Unix(now.Load(), 0) }))
	ctx := context.Background()
	cases := map[string]struct {
		key, secret, token, code string
	}{
		"unknown key":        {"AKIA9999UNKNOWN00001", "x", "", "InvalidClientTokenId"},
		"wrong secret":       {aliceKey, "wrong-secret", "", "SignatureDoesNotMatch"},
		"ASIA without token": {"ASIAAAAAAAAAAAAAAAAA", "x", "", "InvalidClientTokenId"},
		"forged token":       {"ASIAAAAAAAAAAAAAAAAA", "x", "AAAAforged", "InvalidClientTokenId"},
		"malformed key":      {"not-a-key", "x", "", "InvalidClientTokenId"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := stsClient(env, tc.key, tc.secret, tc.token).GetCallerIdentity(ctx, nil)
			if got := apiCode(err); got != tc.code {
				t.Fatalf("code %q (%v), want %q", got, err, tc.code)
			}
		})
	}
	out := assume(t, stsClient(env, aliceKey, aliceSecret, ""), &sts.AssumeRoleInput{RoleArn: aws.String(s3Role), RoleSessionName: aws.String("short"), DurationSeconds: aws.Int32(900)})
	c := out.Credentials
	session := stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	if _, err := session.GetCallerIdentity(ctx, nil); err != nil {
		t.Fatal(err)
	}
	other := assume(t, stsClient(env, aliceKey, aliceSecret, ""), &sts.AssumeRoleInput{RoleArn: aws.String(s3Role), RoleSessionName: aws.String("other")})
	now.Add(901) // the server's clock moves past the expiry; the SDK signs with real time, within the skew window
	_, err := session.GetCallerIdentity(ctx, nil)
	if apiCode(err) != "ExpiredToken" {
		t.Fatalf("expired session: %v", err)
	}
	// Another session's token with this key id is refused.
	_, err = stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *other.Credentials.SessionToken).GetCallerIdentity(ctx, nil)
	if apiCode(err) != "InvalidClientTokenId" {
		t.Fatalf("token of another session: %v", err)
	}
}

func TestRootCannotAssumeRoles(t *testing.T) {
	env := start(t)
	_, err := stsClient(env, "AKIA2222ROOT00000001", "DemoRootSecretForAccountB0000000000000001", "").AssumeRole(context.Background(),
		&sts.AssumeRoleInput{RoleArn: aws.String(s3Role), RoleSessionName: aws.String("root")})
	if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), "Roles may not be assumed by root accounts") {
		t.Fatalf("root: %v", err)
	}
}
