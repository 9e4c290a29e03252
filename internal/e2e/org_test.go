package e2e

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// orgWorld puts the demo accounts in an organization: account B may not
// assume roles at all, and account C, in a Sandbox unit, may use only S3.
const orgWorld = `
accounts:
  - id: "333333333333"
    policies:
      - name: Admin
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    users:
      - name: sandboxer
        access_keys: [{access_key_id: AKIA3333SANDBOX00001, secret_access_key: SandboxSecret000000000000000000000000001}]
        policies: [Admin]
organization:
  management_account: "111111111111"
  policies:
    - name: NoAssumeRole
      type: scp
      document: '{"Version":"2012-10-17","Statement":[{"Sid":"NoRoles","Effect":"Deny","Action":"sts:AssumeRole","Resource":"*"}]}'
    - name: S3Only
      type: scp
      document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
  units:
    - name: Sandbox
      accounts: ["333333333333"]
  attach:
    "222222222222": [FullAWSAccess, NoAssumeRole]
    Sandbox: [S3Only]
`

// TestServiceControlPolicies: an SCP deny stops what every other policy
// allows, an OU-level SCP bounds its accounts, the management account is
// exempt, and the CLI's AccessDenied is explained by the SCP statement.
func TestServiceControlPolicies(t *testing.T) {
	w, err := world.Parse([]byte(orgWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	c := newCLI(t, env)

	stderr := c.as(aliceKey, aliceSecret).fails("sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/assume_s3_role", "--role-session-name", "s1")
	if !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("alice under NoAssumeRole: %s", stderr)
	}
	denials := env.Decisions.List(auditDenied())
	if len(denials) == 0 {
		t.Fatal("no denial logged")
	}
	x, ok := env.Decisions.Explain(denials[0].RequestID)
	if !ok || x[0].Decision != "explicitly denied" || !strings.Contains(x[0].Advice, "service control policy") || !strings.Contains(x[0].Advice, `Sid "NoRoles"`) {
		t.Fatalf("explanation: %+v", x)
	}

	stderr = c.as("AKIA3333SANDBOX00001", "SandboxSecret000000000000000000000000001").fails("iam", "list-users")
	if !strings.Contains(stderr, "because no service control policy allows the iam:ListUsers action") {
		t.Fatalf("sandboxer listing users: %s", stderr)
	}
	// The management account is not bound by SCPs.
	c.as("AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001").ok(nil, "iam", "list-users")
}

func auditDenied() audit.Filter { return audit.Filter{DeniedOnly: true} }
