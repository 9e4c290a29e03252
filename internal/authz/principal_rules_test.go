package authz

import (
	"testing"

	"github.com/sekisho/sekisho/internal/policy"
)

const (
	acctA     = "111111111111"
	aliceARN  = "arn:aws:iam::111111111111:user/alice"
	appRole   = "arn:aws:iam::111111111111:role/app"
	appS1     = "arn:aws:sts::111111111111:assumed-role/app/s1"
	allowS3   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	allowEC2  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`
	allowAll  = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	objectARN = "arn:aws:s3:::bucket-a/doc.txt"
)

func ctxFor(p policy.Principal) *policy.Context {
	ctx := policy.NewContext()
	arn := p.ARN
	if p.Type == policy.PrincipalAssumedRole {
		arn = p.RoleARN
	}
	ctx.Set("aws:PrincipalArn", arn)
	return ctx
}

var (
	alice = policy.Principal{Type: policy.PrincipalUser, Account: acctA, ARN: aliceARN}
	appS  = policy.Principal{Type: policy.PrincipalAssumedRole, Account: acctA, ARN: appS1, RoleARN: appRole}
)

// TestNotPrincipalDenyIgnoresExemptionForBoundedPrincipals: a Deny with
// NotPrincipal denies every principal that has a permissions boundary,
// whatever NotPrincipal lists.
func TestNotPrincipalDenyIgnoresExemptionForBoundedPrincipals(t *testing.T) {
	deny := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":["`+aliceARN+`","arn:aws:iam::111111111111:root"]},"Action":"s3:*","Resource":"*"}]}`, policy.Resource)
	identity := []Source{{Name: "s3", Policy: mustPolicy(t, allowS3, policy.Identity)}}
	req := Request{Principal: alice, Action: "s3:GetObject", Resource: objectARN, Context: ctxFor(alice),
		Identity: identity, ResourcePolicy: &Source{Name: "bucket", Policy: deny}}
	if d := Evaluate(&req); d.Effect != Allowed {
		t.Fatalf("without a boundary: %s (%s), want allowed", d.Effect, d.Reason)
	}
	req.Boundary = &Source{Name: "boundary", Policy: mustPolicy(t, allowAll, policy.Identity)}
	d := Evaluate(&req)
	if d.Effect != ExplicitDeny || d.Statements()[0].Type != ResourceBased {
		t.Fatalf("with a boundary: %s (%s), want an explicit deny by the resource policy", d.Effect, d.Reason)
	}
}

// TestWildcardPrincipalARNGrantIgnoresBoundaryAndSession: within one
// account, Principal "*" narrowed by aws:PrincipalArn grants on its own;
// only explicit denies limit it. A grant naming the role ARN is limited.
func TestWildcardPrincipalARNGrantIgnoresBoundaryAndSession(t *testing.T) {
	star := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{"ArnLike":{"aws:PrincipalArn":"`+appRole+`"}}}]}`, policy.Resource)
	byRole := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+appRole+`"},"Action":"s3:GetObject","Resource":"*"}]}`, policy.Resource)
	ec2 := mustPolicy(t, allowEC2, policy.Identity)
	denyS3 := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, policy.Session)
	cases := []struct {
		name     string
		resource *policy.Policy
		boundary *policy.Policy
		session  *policy.Policy
		want     Effect
	}{
		{"star+PrincipalArn, boundary without s3", star, ec2, nil, Allowed},
		{"star+PrincipalArn, session policy without s3", star, nil, ec2, Allowed},
		{"star+PrincipalArn, session policy denies s3", star, nil, denyS3, ExplicitDeny},
		{"role ARN, boundary without s3", byRole, ec2, nil, ImplicitDeny},
		{"role ARN, session policy without s3", byRole, nil, ec2, ImplicitDeny},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := Request{Principal: appS, Action: "s3:GetObject", Resource: objectARN, Context: ctxFor(appS),
				ResourcePolicy: &Source{Name: "bucket", Policy: c.resource}}
			if c.boundary != nil {
				req.Boundary = &Source{Name: "boundary", Policy: c.boundary}
			}
			if c.session != nil {
				req.Session = []Source{{Name: "session", Policy: c.session}}
			}
			if d := Evaluate(&req); d.Effect != c.want {
				t.Fatalf("%s (%s), want %s", d.Effect, d.Reason, c.want)
			}
		})
	}
}

// TestTrustNamingUserNeedsBoundaryAllow: a user named in a same-account
// trust policy needs no identity policy, but its boundary, if any, must
// allow sts:AssumeRole.
func TestTrustNamingUserNeedsBoundaryAllow(t *testing.T) {
	trust := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+aliceARN+`"},"Action":"sts:AssumeRole"}]}`, policy.Trust)
	cases := []struct {
		name     string
		boundary string
		want     Effect
	}{
		{"no boundary", "", Allowed},
		{"boundary without sts:AssumeRole", allowS3, ImplicitDeny},
		{"boundary allowing sts:AssumeRole", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`, Allowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := Request{Principal: alice, Action: "sts:AssumeRole", Resource: appRole, Context: ctxFor(alice),
				ResourcePolicy: &Source{Name: "trust", Policy: trust}, Trust: true}
			if c.boundary != "" {
				req.Boundary = &Source{Name: "boundary", Policy: mustPolicy(t, c.boundary, policy.Identity)}
			}
			d := Evaluate(&req)
			if d.Effect != c.want {
				t.Fatalf("%s (%s), want %s", d.Effect, d.Reason, c.want)
			}
			if d.Effect == ImplicitDeny && d.Missing()[0] != PermissionsBoundary {
				t.Fatalf("missing %v, want the permissions boundary", d.Missing())
			}
		})
	}
}
