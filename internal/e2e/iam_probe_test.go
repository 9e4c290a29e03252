package e2e

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// TestIAMProbeToolCalls sends, with the real CLI, the IAM calls tools make
// that Sekisho once answered InvalidAction: the credential lists
// terraform walks before DeleteUser, the policy tag calls, the password
// policy and server certificate reads that scanners make.
func TestIAMProbeToolCalls(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env).as(rootAKey, rootASecret)
	c.ok(nil, "iam", "create-user", "--user-name", "tf-user")
	for _, cmd := range []struct{ args, list string }{
		{"list-ssh-public-keys --user-name tf-user", "SSHPublicKeys"},
		{"list-signing-certificates --user-name tf-user", "Certificates"},
		{"list-service-specific-credentials --user-name tf-user", "ServiceSpecificCredentials"},
		{"list-server-certificates", "ServerCertificateMetadataList"},
	} {
		var out map[string][]any
		c.ok(&out, append([]string{"iam"}, strings.Fields(cmd.args)...)...)
		if items, ok := out[cmd.list]; !ok || len(items) != 0 {
			t.Fatalf("%s: %v", cmd.args, out)
		}
	}
	if stderr := c.fails("iam", "get-account-password-policy"); !strings.Contains(stderr, "(NoSuchEntity)") {
		t.Fatalf("get-account-password-policy: %s", stderr)
	}

	var created struct{ Policy struct{ Arn string } }
	c.ok(&created, "iam", "create-policy", "--policy-name", "tagged", "--policy-document",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	arn := created.Policy.Arn
	c.ok(nil, "iam", "tag-policy", "--policy-arn", arn, "--tags", "Key=team,Value=a")
	var tags struct{ Tags []struct{ Key, Value string } }
	c.ok(&tags, "iam", "list-policy-tags", "--policy-arn", arn)
	if len(tags.Tags) != 1 || tags.Tags[0].Key != "team" || tags.Tags[0].Value != "a" {
		t.Fatalf("list-policy-tags: %+v", tags)
	}
	c.ok(nil, "iam", "untag-policy", "--policy-arn", arn, "--tag-keys", "team")
	c.ok(&tags, "iam", "list-policy-tags", "--policy-arn", arn)
	if len(tags.Tags) != 0 {
		t.Fatalf("list-policy-tags after untag-policy: %+v", tags)
	}
}
