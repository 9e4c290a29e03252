package sts

// The AWS-managed root-task policies AssumeRoot accepts as TaskPolicyArn.
// AWS publishes them as managed policies under
// arn:aws:iam::aws:policy/root-task/; these documents approximate their
// documented permissions (each task's IAM, S3 or SQS actions on any
// resource of the member account), not their exact text.
var rootTaskPolicies = map[string]string{
	"arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetAccessKeyLastUsed","iam:GetAccountSummary","iam:GetLoginProfile","iam:GetUser","iam:ListAccessKeys","iam:ListMFADevices","iam:ListSigningCertificates"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/root-task/IAMCreateRootUserPassword":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateLoginProfile","iam:GetLoginProfile"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:DeleteAccessKey","iam:DeleteLoginProfile","iam:DeactivateMFADevice","iam:DeleteVirtualMFADevice","iam:DeleteSigningCertificate","iam:GetAccessKeyLastUsed","iam:GetLoginProfile","iam:GetUser","iam:ListAccessKeys","iam:ListMFADevices","iam:ListSigningCertificates"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy":         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:DeleteBucketPolicy","s3:GetBucketPolicy","s3:PutBucketPolicy","s3:ListAllMyBuckets"],"Resource":"*"}]}`,
	"arn:aws:iam::aws:policy/root-task/SQSUnlockQueuePolicy":         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sqs:GetQueueAttributes","sqs:ListQueues","sqs:SetQueueAttributes"],"Resource":"*"}]}`,
}
