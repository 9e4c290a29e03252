package e2e

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// instanceCLI is the CLI on the demo world's EC2 instance i-abc012, whose
// instance profile role is S3FullAccessFromEC2 in account B: no keys,
// credentials from the instance metadata service.
func instanceCLI(t *testing.T, env *testenv.Env) *cli {
	c := newCLI(t, env)
	c.env = map[string]string{}
	c.extraEnv = []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + env.URL + "/", "AWS_EC2_METADATA_DISABLED=false"}
	return c
}

// TestSeedInstanceProfile is seed 000 method 2 and seed 002 method 1:
// `credential_source = Ec2InstanceMetadata` with a role_arn in account A.
func TestSeedInstanceProfile(t *testing.T) {
	env := testenv.Start(t)
	c := instanceCLI(t, env)
	var before callerIdentity
	c.ok(&before, "sts", "get-caller-identity")
	if before.Arn != "arn:aws:sts::222222222222:assumed-role/S3FullAccessFromEC2/i-abc012" || !strings.HasSuffix(before.UserID, ":i-abc012") {
		t.Fatalf("instance identity: %+v", before)
	}
	c.appendConfig("[profile test]\noutput = json\nregion = ap-northeast-1\nrole_arn = arn:aws:iam::111111111111:role/assume_s3_role\ncredential_source = Ec2InstanceMetadata")
	var after callerIdentity
	c.ok(&after, "sts", "get-caller-identity", "--profile", "test")
	if after.Account != "111111111111" || !strings.HasPrefix(after.Arn, "arn:aws:sts::111111111111:assumed-role/assume_s3_role/botocore-session-") {
		t.Fatalf("profile identity: %+v", after)
	}
	stdout, stderr, code := c.run("s3", "ls", "--profile", "test")
	if code != 0 || !strings.Contains(stdout, "account-a-bucket-0525") {
		t.Fatalf("s3 ls --profile test: %d %s %s", code, stdout, stderr)
	}
}

// TestSeedSourceProfileDummy is seed 002 method 2: a source_profile with
// the operator's keys in ~/.aws/credentials.
func TestSeedSourceProfileDummy(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	c.env = map[string]string{}
	c.writeCredentials("[operator]\naws_access_key_id = " + aliceKey + "\naws_secret_access_key = " + aliceSecret + "\n")
	c.appendConfig("[profile dst-role]\nregion = ap-northeast-1\nrole_arn = arn:aws:iam::111111111111:role/assume_s3_role\nsource_profile = operator")
	stdout, stderr, code := c.run("s3", "ls", "--profile", "dst-role")
	if code != 0 || !strings.Contains(stdout, "account-a-bucket-0525") {
		t.Fatalf("s3 ls --profile dst-role: %d %s %s", code, stdout, stderr)
	}
}

// TestContainerCredentials: credential_source = EcsContainer through
// AWS_CONTAINER_CREDENTIALS_FULL_URI.
func TestContainerCredentials(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	c.env = map[string]string{}
	c.extraEnv = []string{"AWS_CONTAINER_CREDENTIALS_FULL_URI=" + env.URL + "/_sekisho/container-credentials/i-abc012"}
	var id callerIdentity
	c.ok(&id, "sts", "get-caller-identity")
	if id.Arn != "arn:aws:sts::222222222222:assumed-role/S3FullAccessFromEC2/i-abc012" {
		t.Fatalf("container identity: %+v", id)
	}
	c.appendConfig("[profile ecs]\nregion = ap-northeast-1\nrole_arn = arn:aws:iam::111111111111:role/assume_s3_role\ncredential_source = EcsContainer")
	c.ok(&id, "sts", "get-caller-identity", "--profile", "ecs")
	if id.Account != "111111111111" {
		t.Fatalf("ecs profile identity: %+v", id)
	}
}
