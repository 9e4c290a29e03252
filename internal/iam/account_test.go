package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestAccountAuthorizationDetails(t *testing.T) {
	env := start(t)
	c := client(env, rootBKey, rootBSecret)
	out := must(c.GetAccountAuthorizationDetails(bg, &iam.GetAccountAuthorizationDetailsInput{}))(t)
	if len(out.UserDetailList) != 3 || len(out.RoleDetailList) != 1 || len(out.GroupDetailList) != 0 {
		t.Fatalf("details: %d users, %d roles, %d groups", len(out.UserDetailList), len(out.RoleDetailList), len(out.GroupDetailList))
	}
	role := out.RoleDetailList[0]
	if *role.RoleName != "S3FullAccessFromEC2" || len(role.InstanceProfileList) != 1 || len(role.AttachedManagedPolicies) != 2 ||
		decode(t, role.AssumeRolePolicyDocument) == "" {
		t.Fatalf("role detail: %+v", role)
	}
	// Local policies plus the AWS managed ones in use in account B.
	arns := map[string]bool{}
	for _, p := range out.Policies {
		arns[*p.Arn] = true
		if len(p.PolicyVersionList) == 0 || decode(t, p.PolicyVersionList[0].Document) == "" {
			t.Fatalf("policy %s without versions", *p.Arn)
		}
	}
	if len(arns) != 2 || !arns["arn:aws:iam::222222222222:policy/AssumeS3Role"] || !arns["arn:aws:iam::aws:policy/AmazonS3FullAccess"] {
		t.Fatalf("policies: %v", arns)
	}

	roles := must(c.GetAccountAuthorizationDetails(bg, &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeRole}}))(t)
	if len(roles.UserDetailList) != 0 || len(roles.RoleDetailList) != 1 || len(roles.Policies) != 0 {
		t.Fatalf("Filter Role: %+v", roles)
	}
	page := must(c.GetAccountAuthorizationDetails(bg, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(2)}))(t)
	if len(page.UserDetailList) != 2 || !page.IsTruncated {
		t.Fatalf("first page: %+v", page)
	}
	rest := must(c.GetAccountAuthorizationDetails(bg, &iam.GetAccountAuthorizationDetailsInput{Marker: page.Marker}))(t)
	if len(rest.UserDetailList) != 1 || len(rest.RoleDetailList) != 1 || rest.IsTruncated {
		t.Fatalf("second page: %+v", rest)
	}
}

func TestAccountSummaryAndAliases(t *testing.T) {
	env := start(t)
	c := client(env, rootBKey, rootBSecret)
	summary := must(c.GetAccountSummary(bg, &iam.GetAccountSummaryInput{}))(t).SummaryMap
	if summary["Users"] != 3 || summary["Roles"] != 1 || summary["Policies"] != 1 || summary["AccessKeysPerUserQuota"] != 2 ||
		summary["AccountAccessKeysPresent"] != 1 {
		t.Fatalf("summary: %v", summary)
	}
	// AWS's sample response carries the root's signing certificates flag;
	// no certificate can be uploaded here, so it is 0.
	if v, ok := summary["AccountSigningCertificatesPresent"]; !ok || v != 0 {
		t.Fatalf("AccountSigningCertificatesPresent: %d, %v", v, ok)
	}

	aliases := must(c.ListAccountAliases(bg, &iam.ListAccountAliasesInput{}))(t).AccountAliases
	if len(aliases) != 1 || aliases[0] != "account-b" {
		t.Fatalf("aliases: %v", aliases)
	}
	_, err := c.CreateAccountAlias(bg, &iam.CreateAccountAliasInput{AccountAlias: aws.String("account-a")})
	wantError(t, err, "EntityAlreadyExists", 409, "The account alias account-a already exists.")
	_, err = c.CreateAccountAlias(bg, &iam.CreateAccountAliasInput{AccountAlias: aws.String("Bad--Alias")})
	wantCode(t, err, "ValidationError", 400)
	must(c.CreateAccountAlias(bg, &iam.CreateAccountAliasInput{AccountAlias: aws.String("bee-team")}))(t)
	_, err = c.DeleteAccountAlias(bg, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("account-b")})
	wantError(t, err, "NoSuchEntity", 404, "The account alias account-b cannot be found.")
	must(c.DeleteAccountAlias(bg, &iam.DeleteAccountAliasInput{AccountAlias: aws.String("bee-team")}))(t)
	if aliases := must(c.ListAccountAliases(bg, &iam.ListAccountAliasesInput{}))(t).AccountAliases; len(aliases) != 0 {
		t.Fatalf("aliases after delete: %v", aliases)
	}
}

// An account on AWS's default password policy has none to get: AWS
// answers NoSuchEntity naming the account, which tools such as CIS
// scanners expect.
func TestNoAccountPasswordPolicy(t *testing.T) {
	_, c := rootA(t)
	_, err := c.GetAccountPasswordPolicy(bg, &iam.GetAccountPasswordPolicyInput{})
	wantError(t, err, "NoSuchEntity", 404, "The Password Policy with domain name "+accountA+" cannot be found.")
}

// A bad alias is refused with the pattern as the IAM API reference now
// writes it.
func TestAccountAliasPattern(t *testing.T) {
	_, c := rootA(t)
	_, err := c.CreateAccountAlias(bg, &iam.CreateAccountAliasInput{AccountAlias: aws.String("bad--alias")})
	wantError(t, err, "ValidationError", 400, "1 validation error detected: Value 'bad--alias' at 'accountAlias' failed to satisfy constraint: "+
		"Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$")
}
