package world

import (
	"errors"
	"time"

	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// awsManaged are the AWS managed policies the seeds and common worlds use,
// with their documents as AWS publishes them (abridged where AWS lists
// hundreds of read actions: ReadOnlyAccess grants the read verbs of the
// services Sekisho and common worlds use).
var awsManaged = []ManagedPolicy{
	{Name: "AdministratorAccess", Document: Document{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`}},
	{Name: "ReadOnlyAccess", Document: Document{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:Get*","iam:List*","iam:Generate*","iam:Simulate*","s3:Get*","s3:List*","s3:Describe*","sts:GetCallerIdentity","sts:GetSessionToken","ec2:Describe*","ec2:Get*","organizations:Describe*","organizations:List*","cloudwatch:Describe*","cloudwatch:Get*","cloudwatch:List*","logs:Describe*","logs:Get*","logs:FilterLogEvents","dynamodb:Describe*","dynamodb:Get*","dynamodb:List*","dynamodb:BatchGetItem","dynamodb:Query","dynamodb:Scan","kms:Describe*","kms:Get*","kms:List*","lambda:Get*","lambda:List*","sns:Get*","sns:List*","sqs:Get*","sqs:List*"],"Resource":"*"}]}`}},
	{Name: "AmazonS3FullAccess", Document: Document{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","s3-object-lambda:*"],"Resource":"*"}]}`}},
	{Name: "AmazonS3ReadOnlyAccess", Document: Document{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}`}},
	{Name: "IAMFullAccess", Document: Document{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*","organizations:DescribeAccount","organizations:DescribeOrganization","organizations:DescribeOrganizationalUnit","organizations:DescribePolicy","organizations:ListChildren","organizations:ListParents","organizations:ListPoliciesForTarget","organizations:ListRoots","organizations:ListPolicies","organizations:ListTargetsForPolicy"],"Resource":"*"}]}`}},
	{Name: "IAMReadOnlyAccess", Document: Document{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GenerateCredentialReport","iam:GenerateServiceLastAccessedDetails","iam:Get*","iam:List*","iam:SimulateCustomPolicy","iam:SimulatePrincipalPolicy"],"Resource":"*"}]}`}},
	{Name: "PowerUserAccess", Document: Document{`{"Version":"2012-10-17","Statement":[{"NotAction":["iam:*","organizations:*","account:*"],"Resource":"*","Effect":"Allow"},{"Action":["account:GetAccountInformation","account:GetGovCloudAccountInformation","account:GetPrimaryEmail","account:ListRegions","iam:CreateServiceLinkedRole","iam:DeleteServiceLinkedRole","iam:ListRoles","organizations:DescribeEffectivePolicy","organizations:DescribeOrganization"],"Resource":"*","Effect":"Allow"}]}`}},
	{Name: "AmazonEC2ReadOnlyAccess", Document: Document{`{"Version":"2012-10-17","Statement":[{"Sid":"EC2","Effect":"Allow","Action":["ec2:Describe*","ec2:Get*"],"Resource":"*"},{"Sid":"ELB","Effect":"Allow","Action":"elasticloadbalancing:Describe*","Resource":"*"},{"Sid":"Cloudwatch","Effect":"Allow","Action":["cloudwatch:ListMetrics","cloudwatch:GetMetricStatistics","cloudwatch:Describe*"],"Resource":"*"},{"Sid":"Autoscaling","Effect":"Allow","Action":"autoscaling:Describe*","Resource":"*"}]}`}},
	{Name: "AWSLambdaBasicExecutionRole", Path: "/service-role/", Document: Document{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`}},
}

// seedAWSManaged makes sure the AWS managed policies exist (account "aws").
func seedAWSManaged(tx store.Tx, now time.Time) error {
	for _, p := range awsManaged {
		_, err := tx.GetPolicy(store.PolicyARN("aws", pathOr(p.Path), p.Name))
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := checkDocument(p.Document, policy.Identity, "AWS managed policy "+p.Name); err != nil {
			return err
		}
		if err := createManagedPolicy(tx, "aws", p, now); err != nil {
			return err
		}
	}
	return nil
}
