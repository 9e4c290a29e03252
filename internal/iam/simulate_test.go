package iam_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func decisions(results []types.EvaluationResult) []types.PolicyEvaluationDecisionType {
	out := make([]types.PolicyEvaluationDecisionType, 0, len(results))
	for _, r := range results {
		out = append(out, r.EvalDecision)
	}
	return out
}

func wantDecisions(t *testing.T, results []types.EvaluationResult, want ...types.PolicyEvaluationDecisionType) {
	t.Helper()
	got := decisions(results)
	if len(got) != len(want) {
		t.Fatalf("decisions %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("decisions %v, want %v", got, want)
		}
	}
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	env := start(t)
	c := client(env, rootBKey, rootBSecret)
	role := "arn:aws:iam::111111111111:role/assume_s3_role"
	in := &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::222222222222:user/alice"),
		ActionNames:     []string{"sts:AssumeRole", "s3:GetObject"},
		ResourceArns:    []string{role},
	}
	out := must(c.SimulatePrincipalPolicy(bg, in))(t)
	wantDecisions(t, out.EvaluationResults, types.PolicyEvaluationDecisionTypeAllowed, types.PolicyEvaluationDecisionTypeImplicitDeny)
	allowed := out.EvaluationResults[0]
	if *allowed.EvalActionName != "sts:AssumeRole" || *allowed.EvalResourceName != role || len(allowed.MatchedStatements) != 1 ||
		*allowed.MatchedStatements[0].SourcePolicyId != "AssumeS3Role" || allowed.MatchedStatements[0].SourcePolicyType != types.PolicySourceTypeUserManaged {
		t.Fatalf("allowed result: %+v", allowed)
	}
	if len(out.EvaluationResults[1].MatchedStatements) != 0 {
		t.Fatalf("implicit deny with statements: %+v", out.EvaluationResults[1])
	}

	// A group's explicit deny wins.
	must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("grounded")}))(t)
	must(c.PutGroupPolicy(bg, &iam.PutGroupPolicyInput{GroupName: aws.String("grounded"), PolicyName: aws.String("no-sts"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"sts:*","Resource":"*"}]}`)}))(t)
	must(c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: aws.String("grounded"), UserName: aws.String("alice")}))(t)
	out = must(c.SimulatePrincipalPolicy(bg, in))(t)
	wantDecisions(t, out.EvaluationResults, types.PolicyEvaluationDecisionTypeExplicitDeny, types.PolicyEvaluationDecisionTypeImplicitDeny)
	deny := out.EvaluationResults[0].MatchedStatements
	if len(deny) != 1 || *deny[0].SourcePolicyId != "no-sts" || deny[0].SourcePolicyType != types.PolicySourceTypeGroup {
		t.Fatalf("deny statements: %+v", deny)
	}

	// Simulating the group alone, and a role.
	out = must(c.SimulatePrincipalPolicy(bg, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::222222222222:group/grounded"), ActionNames: []string{"sts:GetCallerIdentity"}}))(t)
	wantDecisions(t, out.EvaluationResults, types.PolicyEvaluationDecisionTypeExplicitDeny)
	out = must(c.SimulatePrincipalPolicy(bg, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::222222222222:role/S3FullAccessFromEC2"), ActionNames: []string{"s3:PutObject"},
		ResourceArns: []string{"arn:aws:s3:::any/key"}}))(t)
	wantDecisions(t, out.EvaluationResults, types.PolicyEvaluationDecisionTypeAllowed)
	if st := out.EvaluationResults[0].MatchedStatements; len(st) != 1 || st[0].SourcePolicyType != types.PolicySourceTypeAwsManaged {
		t.Fatalf("role statements: %+v", st)
	}

	// The stored policies plus a PolicyInputList entry, under a given boundary.
	out = must(c.SimulatePrincipalPolicy(bg, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::222222222222:role/S3FullAccessFromEC2"), ActionNames: []string{"s3:GetObject", "s3:DeleteObject"},
		PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`},
	}))(t)
	wantDecisions(t, out.EvaluationResults, types.PolicyEvaluationDecisionTypeAllowed, types.PolicyEvaluationDecisionTypeImplicitDeny)
	if d := out.EvaluationResults[1].PermissionsBoundaryDecisionDetail; d == nil || d.AllowedByPermissionsBoundary {
		t.Fatalf("boundary detail: %+v", d)
	}

	_, err := c.SimulatePrincipalPolicy(bg, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::222222222222:user/nobody"), ActionNames: []string{"s3:GetObject"}})
	wantError(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
	// Another account's principals are out of reach.
	_, err = c.SimulatePrincipalPolicy(bg, &iam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::111111111111:role/assume_s3_role"), ActionNames: []string{"s3:GetObject"}})
	wantCode(t, err, "AccessDenied", 403)
}

func TestSimulateCustomPolicy(t *testing.T) {
	env := start(t)
	c := client(env, rootBKey, rootBSecret)
	identity := `{"Version":"2012-10-17","Statement":[{"Sid":"All","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"NoDelete","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	out := must(c.SimulateCustomPolicy(bg, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{identity},
		ActionNames:     []string{"s3:GetObject", "s3:DeleteObject", "ec2:RunInstances"},
	}))(t)
	wantDecisions(t, out.EvaluationResults, types.PolicyEvaluationDecisionTypeAllowed, types.PolicyEvaluationDecisionTypeExplicitDeny,
		types.PolicyEvaluationDecisionTypeImplicitDeny)
	if st := out.EvaluationResults[1].MatchedStatements; len(st) != 1 || *st[0].SourcePolicyId != "PolicyInputList.1" {
		t.Fatalf("explicit deny statements: %+v", st)
	}
	if *out.EvaluationResults[0].EvalResourceName != "*" {
		t.Fatalf("default resource: %s", *out.EvaluationResults[0].EvalResourceName)
	}

	// Conditions read the given context; missing keys are reported.
	fromOffice := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	out = must(c.SimulateCustomPolicy(bg, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{fromOffice}, ActionNames: []string{"s3:GetObject"}}))(t)
	wantDecisions(t, out.EvaluationResults, types.PolicyEvaluationDecisionTypeImplicitDeny)
	if m := out.EvaluationResults[0].MissingContextValues; len(m) != 1 || m[0] != "aws:SourceIp" {
		t.Fatalf("MissingContextValues: %v", m)
	}
	out = must(c.SimulateCustomPolicy(bg, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{fromOffice}, ActionNames: []string{"s3:GetObject"},
		ContextEntries: []types.ContextEntry{{ContextKeyName: aws.String("aws:SourceIp"), ContextKeyType: types.ContextKeyTypeEnumIp, ContextKeyValues: []string{"10.1.2.3"}}}}))(t)
	wantDecisions(t, out.EvaluationResults, types.PolicyEvaluationDecisionTypeAllowed)

	// A bucket policy naming the caller grants on its own within the account.
	bucketPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:user/carol"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`
	out = must(c.SimulateCustomPolicy(bg, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`},
		ActionNames:     []string{"s3:GetObject"}, ResourceArns: []string{"arn:aws:s3:::b/k", "arn:aws:s3:::c/k"},
		ResourcePolicy: aws.String(bucketPolicy), CallerArn: aws.String("arn:aws:iam::222222222222:user/carol"),
	}))(t)
	wantDecisions(t, out.EvaluationResults, types.PolicyEvaluationDecisionTypeAllowed, types.PolicyEvaluationDecisionTypeImplicitDeny)
	if st := out.EvaluationResults[0].MatchedStatements; len(st) != 1 || st[0].SourcePolicyType != types.PolicySourceTypeResource {
		t.Fatalf("resource statements: %+v", st)
	}

	// Pagination over results.
	first := must(c.SimulateCustomPolicy(bg, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{identity},
		ActionNames: []string{"s3:GetObject", "s3:DeleteObject", "s3:PutObject"}, MaxItems: aws.Int32(2)}))(t)
	if len(first.EvaluationResults) != 2 || !first.IsTruncated {
		t.Fatalf("first page: %+v", first)
	}
	next := must(c.SimulateCustomPolicy(bg, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{identity},
		ActionNames: []string{"s3:GetObject", "s3:DeleteObject", "s3:PutObject"}, Marker: first.Marker}))(t)
	if len(next.EvaluationResults) != 1 || *next.EvaluationResults[0].EvalActionName != "s3:PutObject" {
		t.Fatalf("second page: %+v", next)
	}

	_, err := c.SimulateCustomPolicy(bg, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":[]}`}, ActionNames: []string{"s3:GetObject"}})
	wantCode(t, err, "MalformedPolicyDocument", 400)
}

// ResourceHandlingOption is read and held to the model's 1..64 characters.
func TestSimulateResourceHandlingOptionLength(t *testing.T) {
	_, c := rootA(t)
	_, err := c.SimulateCustomPolicy(bg, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowS3Read},
		ActionNames: []string{"s3:GetObject"}, ResourceHandlingOption: aws.String(fmt.Sprintf("%065d", 0))})
	wantCode(t, err, "ValidationError", 400)
}
