package cli

import (
	"fmt"
	"io"
)

// printDemo prints the demo world's credentials and the seeds' walk-through.
func printDemo(w io.Writer, endpoint string) {
	fmt.Fprintf(w, `Sekisho is serving the demo world on %[1]s

Account A 111111111111 (account-a): bucket account-a-bucket-0525, role assume_s3_role trusting account B
  (and account-a-public-0525, public on purpose: curl %[1]s/account-a-public-0525/index.html)
Account B 222222222222 (account-b): user alice may assume it

# Be alice in account B:
export AWS_ACCESS_KEY_ID=AKIA2222ALICE0000001
export AWS_SECRET_ACCESS_KEY=DemoSecretForAliceInAccountB000000000001
export AWS_DEFAULT_REGION=ap-northeast-1
unset AWS_SESSION_TOKEN

aws --endpoint-url %[1]s sts get-caller-identity
aws --endpoint-url %[1]s sts assume-role --role-arn arn:aws:iam::111111111111:role/assume_s3_role --role-session-name Account-B

# Export the Credentials it prints (AccessKeyId, SecretAccessKey, SessionToken), then:
aws --endpoint-url %[1]s sts get-caller-identity
aws --endpoint-url %[1]s s3 ls

Web console: %[1]s/console/?account=account-b  (user alice, password Alice-Console-Demo-1),
then Switch Role to account account-a, role assume_s3_role.

Other principals: bob_infra AKIA2222BOBINFRA0001 / DemoSecretForBobInfraInAccountB00000001,
carol (no policies) AKIA2222CAROL0000001 / DemoSecretForCarolNoPoliciesAccountB0001,
root of A AKIA1111ROOT00000001 / DemoRootSecretForAccountA0000000000000001,
root of B AKIA2222ROOT00000001 / DemoRootSecretForAccountB0000000000000001.
`, endpoint)
}
