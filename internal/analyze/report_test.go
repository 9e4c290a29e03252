package analyze

import (
	"slices"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/world"
)

func TestAccessReportDemo(t *testing.T) {
	findings := loadWorld(t, world.Demo()).AccessReport()
	got := map[string]Finding{}
	for _, f := range findings {
		t.Logf("%+v", f)
		got[f.Resource] = f
	}
	for _, role := range []string{"assume_s3_role", "S3GetListRole", "sw-service1-infra"} {
		f, ok := got[roleA+role]
		if !ok || !slices.Equal(f.Principals, []string{"222222222222"}) || f.Account != "111111111111" ||
			!slices.Equal(f.Actions, []string{"sts:AssumeRole"}) || f.Policy != role+" trust policy" || f.Statement != 0 {
			t.Errorf("%s: %+v", role, f)
		}
	}
	if f := got[roleA+"sw-service1-infra"]; !f.Conditional || len(f.Conditions) != 1 {
		t.Errorf("sw-service1-infra's trust is conditional: %+v", f)
	}
	if f := got[roleA+"DESTINATION-ROLENAME"]; !slices.Equal(f.Principals, []string{userB + "alice"}) || f.Conditional {
		t.Errorf("DESTINATION-ROLENAME trusts alice of account B: %+v", f)
	}
	if _, ok := got["arn:aws:iam::222222222222:role/S3FullAccessFromEC2"]; ok {
		t.Error("a role trusted by an AWS service is not external access")
	}
	if f := got["arn:aws:s3:::account-a-public-0525"]; !f.Public || !slices.Equal(f.Principals, []string{"*"}) ||
		!strings.HasPrefix(f.PublicAccess, "public: no Block Public Access setting neutralises it") {
		t.Errorf("the demo's public bucket: %+v", f)
	}
	// The GitHub roles: a provider's identities are external even though
	// the provider is the account's own; the wildcard sub admits every
	// repository on GitHub.
	const github = "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"
	if f := got[roleA+"github-deploy"]; !slices.Equal(f.Principals, []string{github}) ||
		!slices.Equal(f.Federated, []string{github + ": only sub repo:example-org/app:ref:refs/heads/main"}) {
		t.Errorf("github-deploy: %+v", f)
	}
	if f := got[roleA+"github-deploy-wildcard"]; !slices.Equal(f.Federated, []string{github + ": any GitHub repository (sub repo:*)"}) ||
		f.Sid != "GitHubAnyRepository" {
		t.Errorf("github-deploy-wildcard: %+v", f)
	}
	const idp = "arn:aws:iam::111111111111:saml-provider/sekisho-idp"
	if f := got[roleA+"saml-developer"]; !slices.Equal(f.Principals, []string{idp}) ||
		!slices.Equal(f.Federated, []string{idp + ": users of SAML provider sekisho-idp"}) {
		t.Errorf("saml-developer: %+v", f)
	}
	if len(findings) != 8 {
		t.Errorf("%d findings, want 8", len(findings))
	}
}

const publicWorld = `
accounts:
  - id: "666666666666"
    buckets:
      - name: public-bucket
        public_access_block: {}   # every setting off: the policy makes it public
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: Public Read
              Effect: Allow
              Principal: "*"
              Action: ["s3:GetObject"]
              Resource: "arn:aws:s3:::public-bucket/*"
            - Sid: Own
              Effect: Allow
              Principal: {AWS: ["666666666666", "arn:aws:iam::666666666666:user/x"]}
              Action: "s3:*"
              Resource: "arn:aws:s3:::public-bucket/*"
            - Sid: Partner
              Effect: Allow
              Principal: {AWS: ["666666666666", "arn:aws:iam::777777777777:role/reader"]}
              Action: "s3:ListBucket"
              Resource: "arn:aws:s3:::public-bucket"
              Condition: {StringEquals: {"aws:PrincipalOrgID": "o-123"}}
            - Effect: Deny
              Principal: "*"
              Action: "s3:DeleteObject"
              Resource: "arn:aws:s3:::public-bucket/*"
`

func TestAccessReportBucketPolicies(t *testing.T) {
	findings := loadWorld(t, parseWorld(t, publicWorld)).AccessReport()
	if len(findings) != 2 {
		t.Fatalf("want the public and the partner statements, got %+v", findings)
	}
	pub, partner := findings[0], findings[1]
	if pub.Resource != "arn:aws:s3:::public-bucket" || pub.ResourceType != "bucket" || !slices.Equal(pub.Principals, []string{"*"}) ||
		pub.Sid != "Public Read" || pub.Statement != 0 || pub.Conditional {
		t.Errorf("public: %+v", pub)
	}
	if !slices.Equal(partner.Principals, []string{"arn:aws:iam::777777777777:role/reader"}) || !partner.Conditional ||
		partner.Statement != 2 || !slices.Equal(partner.Actions, []string{"s3:ListBucket"}) {
		t.Errorf("partner: %+v", partner)
	}
}
