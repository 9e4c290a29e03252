package analyze

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/world"
)

const githubProvider = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"

// TestWhoCanFederated: who-can lists the GitHub provider as able to
// assume the demo's GitHub roles, and so to read what they read; the
// wildcard role's path says any repository gets in.
func TestWhoCanFederated(t *testing.T) {
	s := loadWorld(t, world.Demo())
	paths, err := s.WhoCan("sts:AssumeRoleWithWebIdentity", roleA+"github-deploy-wildcard")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0].Principal.Kind != KindFederated || paths[0].Principal.ARN != githubProvider ||
		paths[0].Principal.Name != "any GitHub repository (sub repo:*)" || !paths[0].Conditional {
		t.Fatalf("paths %+v", paths)
	}
	paths, err = s.WhoCan("s3:GetObject", "arn:aws:s3:::account-a-bucket-0525/test.txt")
	if err != nil {
		t.Fatal(err)
	}
	var federated []string
	for _, p := range paths {
		if p.Principal.Kind == KindFederated {
			federated = append(federated, p.String()+" | "+p.Principal.Name)
		}
	}
	want := []string{
		githubProvider + " → sts:AssumeRoleWithWebIdentity " + roleA + "github-deploy → s3:GetObject | only sub repo:example-org/app:ref:refs/heads/main",
		githubProvider + " → sts:AssumeRoleWithWebIdentity " + roleA + "github-deploy-wildcard → s3:GetObject | any GitHub repository (sub repo:*)",
		"arn:aws:iam::111111111111:saml-provider/sekisho-idp → sts:AssumeRoleWithSAML " + roleA + "saml-developer → s3:GetObject | users of SAML provider sekisho-idp",
	}
	if strings.Join(federated, "\n") != strings.Join(want, "\n") {
		t.Fatalf("federated paths:\n%s", strings.Join(federated, "\n"))
	}
}

// TestFederatedScope: what a trust statement's conditions admit of a provider.
func TestFederatedScope(t *testing.T) {
	cases := []struct {
		provider string
		conds    []policy.ConditionView
		want     string
	}{
		{githubProvider, nil, "any GitHub repository (no token.actions.githubusercontent.com:sub condition); no token.actions.githubusercontent.com:aud condition"},
		{githubProvider, []policy.ConditionView{{Operator: "StringLike", Key: "token.actions.githubusercontent.com:sub", Values: []string{"repo:example-org/*"}},
			{Operator: "StringEquals", Key: "token.actions.githubusercontent.com:aud", Values: []string{"sts.amazonaws.com"}}}, "only sub repo:example-org/*"},
		{githubProvider, []policy.ConditionView{{Operator: "StringLike", Key: "token.actions.githubusercontent.com:sub", Values: []string{"*"}},
			{Operator: "StringEquals", Key: "token.actions.githubusercontent.com:aud", Values: []string{"sts.amazonaws.com"}}}, "any GitHub repository (sub *)"},
		{"arn:aws:iam::1:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC", []policy.ConditionView{
			{Operator: "StringLike", Key: "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub", Values: []string{"system:serviceaccount:*"}},
			{Operator: "StringEquals", Key: "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud", Values: []string{"sts.amazonaws.com"}}},
			"any identity of oidc.eks.us-east-1.amazonaws.com/id/ABC (sub system:serviceaccount:*)"},
	}
	for _, c := range cases {
		if got := FederatedScope(c.provider, c.conds); got != c.want {
			t.Errorf("%v: got %q, want %q", c.conds, got, c.want)
		}
	}
}
