package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The AWS managed policies terraform modules commonly attach exist under
// their real ARNs, service-role path included, and can be attached.
func TestCommonAWSManagedPolicies(t *testing.T) {
	_, c := rootA(t)
	for _, arn := range []string{
		"arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
		"arn:aws:iam::aws:policy/AmazonEC2ReadOnlyAccess",
		"arn:aws:iam::aws:policy/PowerUserAccess",
	} {
		p := must(c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String(arn)}))(t).Policy
		if aws.ToString(p.Arn) != arn {
			t.Errorf("GetPolicy %s: %+v", arn, p)
		}
		must(c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("assume_s3_role"), PolicyArn: aws.String(arn)}))(t)
	}
	lambda := must(c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")}))(t).Policy
	if aws.ToString(lambda.Path) != "/service-role/" {
		t.Errorf("AWSLambdaBasicExecutionRole path %q", aws.ToString(lambda.Path))
	}
}
