package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// bigPolicy is an identity policy of about size characters without white space.
func bigPolicy(size int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::`
	tail := `"}]}`
	return head + strings.Repeat("x", size-len(head)-len(tail)) + tail
}

func TestInlinePolicies(t *testing.T) {
	_, c := rootA(t)
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("ivy")}))(t)
	must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("ops")}))(t)
	doc := `{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::bucket/key with spaces & symbols?=%"}]
}`
	must(c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)}))(t)
	must(c.PutGroupPolicy(bg, &iam.PutGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)}))(t)
	must(c.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String("assume_s3_role"), PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)}))(t)

	u := must(c.GetUserPolicy(bg, &iam.GetUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("read")}))(t)
	if *u.UserName != "ivy" || *u.PolicyName != "read" || decode(t, u.PolicyDocument) != doc {
		t.Fatalf("GetUserPolicy: %+v %q", u, decode(t, u.PolicyDocument))
	}
	g := must(c.GetGroupPolicy(bg, &iam.GetGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("read")}))(t)
	if *g.GroupName != "ops" || decode(t, g.PolicyDocument) != doc {
		t.Fatalf("GetGroupPolicy: %+v", g)
	}
	r := must(c.GetRolePolicy(bg, &iam.GetRolePolicyInput{RoleName: aws.String("assume_s3_role"), PolicyName: aws.String("read")}))(t)
	if *r.RoleName != "assume_s3_role" || decode(t, r.PolicyDocument) != doc {
		t.Fatalf("GetRolePolicy: %+v", r)
	}

	// Put replaces.
	must(c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("read"), PolicyDocument: aws.String(allowS3Read)}))(t)
	must(c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("also"), PolicyDocument: aws.String(allowS3Read)}))(t)
	names := must(c.ListUserPolicies(bg, &iam.ListUserPoliciesInput{UserName: aws.String("ivy")}))(t).PolicyNames
	if strings.Join(names, ",") != "also,read" {
		t.Fatalf("ListUserPolicies: %v", names)
	}
	if n := must(c.ListGroupPolicies(bg, &iam.ListGroupPoliciesInput{GroupName: aws.String("ops")}))(t).PolicyNames; len(n) != 1 {
		t.Fatalf("ListGroupPolicies: %v", n)
	}
	// The demo role has its own inline ConsoleDecisionLog beside "read": one per page.
	if n := must(c.ListRolePolicies(bg, &iam.ListRolePoliciesInput{RoleName: aws.String("assume_s3_role"), MaxItems: aws.Int32(1)}))(t); len(n.PolicyNames) != 1 || !n.IsTruncated || n.PolicyNames[0] != "ConsoleDecisionLog" {
		t.Fatalf("ListRolePolicies: %+v", n)
	}

	must(c.DeleteGroupPolicy(bg, &iam.DeleteGroupPolicyInput{GroupName: aws.String("ops"), PolicyName: aws.String("read")}))(t)
	must(c.DeleteRolePolicy(bg, &iam.DeleteRolePolicyInput{RoleName: aws.String("assume_s3_role"), PolicyName: aws.String("read")}))(t)
	_, err := c.GetRolePolicy(bg, &iam.GetRolePolicyInput{RoleName: aws.String("assume_s3_role"), PolicyName: aws.String("read")})
	wantError(t, err, "NoSuchEntity", 404, "The role policy with name read cannot be found.")
	_, err = c.DeleteUserPolicy(bg, &iam.DeleteUserPolicyInput{UserName: aws.String("ivy"), PolicyName: aws.String("nope")})
	wantError(t, err, "NoSuchEntity", 404, "The user policy with name nope cannot be found.")
	_, err = c.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String("ghost"), PolicyName: aws.String("p"), PolicyDocument: aws.String(allowS3Read)})
	wantError(t, err, "NoSuchEntity", 404, "The role with name ghost cannot be found.")
}

func TestInlinePolicyErrors(t *testing.T) {
	_, c := rootA(t)
	put := func(doc string) error {
		_, err := c.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String("S3GetListRole"), PolicyName: aws.String("p"), PolicyDocument: aws.String(doc)})
		return err
	}
	wantError(t, put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`),
		"MalformedPolicyDocument", 400, "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.")
	wantError(t, put(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`),
		"MalformedPolicyDocument", 400, "Policy statement must contain resources.")
	wantError(t, put(`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe","Action":"s3:*","Resource":"*"}]}`),
		"MalformedPolicyDocument", 400, "Syntax errors in policy.")

	// Sizes count without white space, summed over the entity's policies.
	if err := put(bigPolicy(6000)); err != nil {
		t.Fatalf("a 6,000-character role policy: %v", err)
	}
	if err := put(bigPolicy(6000) + strings.Repeat(" \n", 5000)); err != nil {
		t.Fatalf("white space does not count: %v", err)
	}
	_, err := c.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: aws.String("S3GetListRole"), PolicyName: aws.String("q"), PolicyDocument: aws.String(bigPolicy(4300))})
	wantError(t, err, "LimitExceeded", 409, "Maximum policy size of 10240 bytes exceeded for role S3GetListRole")
	wantError(t, put(bigPolicy(10241)), "LimitExceeded", 409, "Maximum policy size of 10240 bytes exceeded for role S3GetListRole")

	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("small")}))(t)
	_, err = c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("small"), PolicyName: aws.String("p"), PolicyDocument: aws.String(bigPolicy(2049))})
	wantError(t, err, "LimitExceeded", 409, "Maximum policy size of 2048 bytes exceeded for user small")
	must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("grp")}))(t)
	_, err = c.PutGroupPolicy(bg, &iam.PutGroupPolicyInput{GroupName: aws.String("grp"), PolicyName: aws.String("p"), PolicyDocument: aws.String(bigPolicy(5121))})
	wantError(t, err, "LimitExceeded", 409, fmt.Sprintf("Maximum policy size of %d bytes exceeded for group grp", 5120))
	if names := must(c.ListUserPolicies(bg, &iam.ListUserPoliciesInput{UserName: aws.String("small")}))(t).PolicyNames; len(names) != 0 {
		t.Fatalf("a refused policy was kept: %v", names)
	}
}
