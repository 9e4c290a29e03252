package sts_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// chainWorld lets alice assume hop1 with tags and a source identity, and
// hop1's sessions assume hop2 with every STS action the trust can grant,
// so that only the session-tag and source-identity rules can refuse.
const chainWorld = `
accounts:
  - id: "111111111111"
    roles:
      - name: hop1
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}'
        inline_policies:
          chain: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}'
      - name: hop2
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/hop1"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}'
  - id: "222222222222"
    policies:
      - name: AssumeAnything
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}'
    users:
      - name: alice
        policies: [AssumeAnything]
`

const (
	hop1 = "arn:aws:iam::111111111111:role/hop1"
	hop2 = "arn:aws:iam::111111111111:role/hop2"
)

func startChain(t *testing.T) *testenv.Env {
	t.Helper()
	w, err := world.Parse([]byte(chainWorld))
	if err != nil {
		t.Fatal(err)
	}
	return testenv.Start(t, testenv.WithWorld(w))
}

// hop1Session is alice's hop1 session with the transitive tag team=red
// and the source identity alice.
func hop1Session(t *testing.T, env *testenv.Env) *sts.Client {
	t.Helper()
	out := assume(t, stsClient(env, aliceKey, aliceSecret, ""), &sts.AssumeRoleInput{
		RoleArn: aws.String(hop1), RoleSessionName: aws.String("first"), SourceIdentity: aws.String("alice"),
		Tags:              []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("red")}},
		TransitiveTagKeys: []string{"team"}})
	c := out.Credentials
	return stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
}

// TestChainedSessionCannotOverrideTransitiveTag: AssumeRole API reference,
// Tags: "If you pass a session tag with the same key as an inherited tag,
// the operation fails." Tag keys compare case-insensitively.
func TestChainedSessionCannotOverrideTransitiveTag(t *testing.T) {
	env := startChain(t)
	session := hop1Session(t, env)
	_, err := session.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(hop2), RoleSessionName: aws.String("second"),
		Tags: []ststypes.Tag{{Key: aws.String("Team"), Value: aws.String("blue")}}})
	if apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("overriding the inherited transitive tag: %v, want InvalidParameterValue", err)
	}
	assume(t, session, &sts.AssumeRoleInput{RoleArn: aws.String(hop2), RoleSessionName: aws.String("second"),
		Tags: []ststypes.Tag{{Key: aws.String("project"), Value: aws.String("x")}}})
}

// TestChainedSessionCannotChangeSourceIdentity: IAM UG, Monitor and
// control actions taken with assumed roles: "The value that is set cannot
// be changed during the role session" and persists through role chaining.
func TestChainedSessionCannotChangeSourceIdentity(t *testing.T) {
	env := startChain(t)
	session := hop1Session(t, env)
	_, err := session.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(hop2), RoleSessionName: aws.String("second"),
		SourceIdentity: aws.String("mallory")})
	if apiCode(err) != "ValidationError" {
		t.Fatalf("changing the source identity in a chain: %v, want ValidationError", err)
	}
	out := assume(t, session, &sts.AssumeRoleInput{RoleArn: aws.String(hop2), RoleSessionName: aws.String("second")})
	if aws.ToString(out.SourceIdentity) != "alice" {
		t.Fatalf("chained source identity %q, want alice", aws.ToString(out.SourceIdentity))
	}
}

// TestPackedSizeOfTagsAloneIsEnforced: AssumeRole API reference,
// PackedPolicySize: "The request fails if the packed size is greater than
// 100 percent"; tags count without any session policy.
func TestPackedSizeOfTagsAloneIsEnforced(t *testing.T) {
	env := startChain(t)
	var tags []ststypes.Tag
	for i := 0; i < 10; i++ {
		key := fmt.Sprintf("k%02d", i) + strings.Repeat("k", 125)
		tags = append(tags, ststypes.Tag{Key: aws.String(key), Value: aws.String(strings.Repeat("v", 256))})
	}
	_, err := stsClient(env, aliceKey, aliceSecret, "").AssumeRole(context.Background(), &sts.AssumeRoleInput{
		RoleArn: aws.String(hop1), RoleSessionName: aws.String("big"), Tags: tags})
	if apiCode(err) != "PackedPolicyTooLarge" {
		t.Fatalf("tags over the packed allowance: %v, want PackedPolicyTooLarge", err)
	}
}

// TestSessionTokenCredentialsAssumeForAnHourAtMost: AWS Knowledge Center,
// "iam-role-chaining-limit": AssumeRole called with temporary credentials
// is role chaining, and users who use MFA from the CLI "use temporary
// credentials to assume another role. The temporary credentials use the
// AWS STS GetSessionToken API and are limited to 1 hour."
func TestSessionTokenCredentialsAssumeForAnHourAtMost(t *testing.T) {
	env := start(t)
	ctx := context.Background()
	tok, err := stsClient(env, aliceKey, aliceSecret, "").GetSessionToken(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := tok.Credentials
	session := stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	long := "arn:aws:iam::111111111111:role/long-sessions"
	_, err = session.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("mfa"), DurationSeconds: aws.Int32(7200)})
	if apiCode(err) != "ValidationError" || !strings.Contains(err.Error(), "role chaining") {
		t.Fatalf("two hours from GetSessionToken credentials: %v, want the role chaining ValidationError", err)
	}
	assume(t, session, &sts.AssumeRoleInput{RoleArn: aws.String(long), RoleSessionName: aws.String("mfa"), DurationSeconds: aws.Int32(3600)})
}

// TestSessionTagCharacters: STS API reference, Tag: the key's pattern is
// [\p{L}\p{Z}\p{N}_.:/=+\-@]+ and the value's the same with *.
func TestSessionTagCharacters(t *testing.T) {
	env := startChain(t)
	alice := stsClient(env, aliceKey, aliceSecret, "")
	for name, tag := range map[string]ststypes.Tag{
		"key with !":   {Key: aws.String("team!"), Value: aws.String("red")},
		"value with #": {Key: aws.String("team"), Value: aws.String("red#1")},
		"key with tab": {Key: aws.String("te\tam"), Value: aws.String("red")},
	} {
		_, err := alice.AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String(hop1), RoleSessionName: aws.String("tags"),
			Tags: []ststypes.Tag{tag}})
		if apiCode(err) != "ValidationError" {
			t.Errorf("%s: %v, want ValidationError", name, err)
		}
	}
	assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(hop1), RoleSessionName: aws.String("tags"),
		Tags: []ststypes.Tag{{Key: aws.String("チーム 1_.:/=+-@"), Value: aws.String("")}}})
	// The limits count characters: 128 of three bytes each fit.
	assume(t, alice, &sts.AssumeRoleInput{RoleArn: aws.String(hop1), RoleSessionName: aws.String("tags"),
		Tags: []ststypes.Tag{{Key: aws.String(strings.Repeat("鍵", 128)), Value: aws.String(strings.Repeat("値", 256))}}})
}
