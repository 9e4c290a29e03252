package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// orgAdminWorld gives the management-account-to-be (the demo's account
// A) an administrator to run the flows as.
const orgAdminWorld = `
accounts:
  - id: "111111111111"
    users:
      - name: orgadmin
        access_keys: [{access_key_id: AKIA1111ORGADMIN0001, secret_access_key: OrgAdminSecret00000000000000000000000001}]
        policies: [arn:aws:iam::aws:policy/AdministratorAccess]
`

const (
	orgAdminKey     = "AKIA1111ORGADMIN0001"
	orgAdminSecret  = "OrgAdminSecret00000000000000000000000001"
	outsideRootKey  = "AKIA2222ROOT00000001"
	outsideRootSecr = "DemoRootSecretForAccountB0000000000000001"
)

// orgFlow is what the flow learns as it goes.
type orgFlow struct {
	orgID, rootID, account, unitID, scpID string
}

type orgOutput struct {
	Organization struct{ Id, MasterAccountId, FeatureSet string }
}

// TestOrganizationsCLI is issue 15's flow with the real aws CLI: an
// organization and an account made through the API, the management
// account's way in through OrganizationAccountAccessRole, an SCP on an OU
// refusing a delete (named by the explanation) until it is detached, a
// bucket policy admitting the organization by aws:PrincipalOrgID, and an
// RCP perimeter refusing an outside account the bucket policy admits.
func TestOrganizationsCLI(t *testing.T) {
	w, err := world.Parse([]byte(orgAdminWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	c := newCLI(t, env)
	var f orgFlow
	admin := func() *cli { return c.as(orgAdminKey, orgAdminSecret) }

	var created orgOutput
	admin().ok(&created, "organizations", "create-organization", "--feature-set", "ALL")
	f.orgID = created.Organization.Id
	if !strings.HasPrefix(f.orgID, "o-") || len(f.orgID) != 12 || created.Organization.MasterAccountId != "111111111111" {
		t.Fatalf("create-organization: %+v", created)
	}

	var status struct {
		CreateAccountStatus struct{ Id, State, AccountId string }
	}
	admin().ok(&status, "organizations", "create-account", "--email", "dev@example.com", "--account-name", "dev")
	if status.CreateAccountStatus.State != "IN_PROGRESS" || !strings.HasPrefix(status.CreateAccountStatus.Id, "car-") {
		t.Fatalf("create-account: %+v", status)
	}
	admin().ok(&status, "organizations", "describe-create-account-status", "--create-account-request-id", status.CreateAccountStatus.Id)
	f.account = status.CreateAccountStatus.AccountId
	if status.CreateAccountStatus.State != "SUCCEEDED" || len(f.account) != 12 {
		t.Fatalf("describe-create-account-status: %+v", status)
	}
	// The management account administers the new account through its role.
	var assumed assumeRoleOutput
	admin().ok(&assumed, "sts", "assume-role", "--role-arn", "arn:aws:iam::"+f.account+":role/OrganizationAccountAccessRole", "--role-session-name", "vending")
	dev := func() *cli {
		c.env = map[string]string{"AWS_ACCESS_KEY_ID": assumed.Credentials.AccessKeyID,
			"AWS_SECRET_ACCESS_KEY": assumed.Credentials.SecretAccessKey, "AWS_SESSION_TOKEN": assumed.Credentials.SessionToken}
		return c
	}
	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	dev().ok(nil, "s3api", "create-bucket", "--bucket", "org-dev-data", "--create-bucket-configuration", "LocationConstraint=ap-northeast-1")
	dev().ok(nil, "s3api", "put-object", "--bucket", "org-dev-data", "--key", "a.txt", "--body", body)

	// An OU, the account moved into it, and an SCP on the OU.
	var roots struct{ Roots []struct{ Id string } }
	admin().ok(&roots, "organizations", "list-roots")
	f.rootID = roots.Roots[0].Id
	admin().ok(nil, "organizations", "enable-policy-type", "--root-id", f.rootID, "--policy-type", "SERVICE_CONTROL_POLICY")
	var unit struct{ OrganizationalUnit struct{ Id, Name string } }
	admin().ok(&unit, "organizations", "create-organizational-unit", "--parent-id", f.rootID, "--name", "Workloads")
	f.unitID = unit.OrganizationalUnit.Id
	admin().ok(nil, "organizations", "move-account", "--account-id", f.account, "--source-parent-id", f.rootID, "--destination-parent-id", f.unitID)
	var scp struct {
		Policy struct{ PolicySummary struct{ Id string } }
	}
	admin().ok(&scp, "organizations", "create-policy", "--name", "NoDeletes", "--type", "SERVICE_CONTROL_POLICY", "--description", "keep the data",
		"--content", `{"Version":"2012-10-17","Statement":[{"Sid":"NoObjectDeletes","Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`)
	f.scpID = scp.Policy.PolicySummary.Id
	admin().ok(nil, "organizations", "attach-policy", "--policy-id", f.scpID, "--target-id", f.unitID)
	stderr := dev().fails("s3api", "delete-object", "--bucket", "org-dev-data", "--key", "a.txt")
	if !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("delete under the SCP: %s", stderr)
	}
	deciding := explainLatestDenial(t, env)
	for _, want := range []string{"service control policy", "NoDeletes", f.scpID, f.unitID, "(Workloads)", "OU path " + f.orgID + "/" + f.rootID + "/" + f.unitID + "/"} {
		if !strings.Contains(deciding, want) {
			t.Fatalf("the explanation misses %q:\n%s", want, deciding)
		}
	}

	admin().ok(nil, "organizations", "detach-policy", "--policy-id", f.scpID, "--target-id", f.unitID)
	dev().ok(nil, "s3api", "delete-object", "--bucket", "org-dev-data", "--key", "a.txt")
	dev().ok(nil, "s3api", "put-object", "--bucket", "org-dev-data", "--key", "a.txt", "--body", body)

	// A bucket policy admitting the organization's principals.
	orgOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::org-dev-data/*",` +
		`"Condition":{"StringEquals":{"aws:PrincipalOrgID":"` + f.orgID + `"}}}]}`
	dev().ok(nil, "s3api", "put-bucket-policy", "--bucket", "org-dev-data", "--policy", orgOnly)
	out := filepath.Join(t.TempDir(), "out.txt")
	admin().ok(nil, "s3api", "get-object", "--bucket", "org-dev-data", "--key", "a.txt", out)
	outsider := func() *cli { return c.as(outsideRootKey, outsideRootSecr) }
	if stderr := outsider().fails("s3api", "get-object", "--bucket", "org-dev-data", "--key", "a.txt", out); !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("outsider under an org-only bucket policy: %s", stderr)
	}

	// An RCP perimeter refuses the outsider even where the bucket policy admits it.
	both := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root","arn:aws:iam::111111111111:root"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::org-dev-data/*"}]}`
	dev().ok(nil, "s3api", "put-bucket-policy", "--bucket", "org-dev-data", "--policy", both)
	admin().ok(nil, "organizations", "enable-policy-type", "--root-id", f.rootID, "--policy-type", "RESOURCE_CONTROL_POLICY")
	var rcp struct {
		Policy struct{ PolicySummary struct{ Id string } }
	}
	admin().ok(&rcp, "organizations", "create-policy", "--name", "Perimeter", "--type", "RESOURCE_CONTROL_POLICY", "--description", "org only",
		"--content", `{"Version":"2012-10-17","Statement":[{"Sid":"OrgOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*",`+
			`"Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"`+f.orgID+`"}}}]}`)
	admin().ok(nil, "organizations", "attach-policy", "--policy-id", rcp.Policy.PolicySummary.Id, "--target-id", f.rootID)
	if stderr := outsider().fails("s3api", "get-object", "--bucket", "org-dev-data", "--key", "a.txt", out); !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("outsider behind the RCP perimeter: %s", stderr)
	}
	if deciding := explainLatestDenial(t, env); !strings.Contains(deciding, "resource control policy") || !strings.Contains(deciding, "Perimeter") {
		t.Fatalf("the RCP denial's explanation: %s", deciding)
	}
	admin().ok(nil, "s3api", "get-object", "--bucket", "org-dev-data", "--key", "a.txt", out)
}

// explainLatestDenial returns the deciding statements of the newest denial.
func explainLatestDenial(t *testing.T, env *testenv.Env) string {
	t.Helper()
	denials := env.Decisions.List(audit.Filter{DeniedOnly: true})
	if len(denials) == 0 {
		t.Fatal("no denial logged")
	}
	x, ok := env.Decisions.Explain(denials[0].RequestID)
	if !ok || len(x) == 0 {
		t.Fatalf("no explanation for %s", denials[0].RequestID)
	}
	return strings.Join(x[len(x)-1].Deciding, "\n") + "\n" + x[len(x)-1].Advice
}

// TestOrganizationsBoto3 runs testdata/org_boto3.py: the same flow with
// boto3, plus the API's validation errors, pagination and invitations.
func TestOrganizationsBoto3(t *testing.T) {
	if _, err := exec.Command("python3", "-c", "import boto3").Output(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("boto3 is not installed (apt-get install python3-boto3)")
		}
		t.Skip("boto3 is not installed")
	}
	w, err := world.Parse([]byte(orgAdminWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "python3", "testdata/org_boto3.py")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "BOTO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "no-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "SEKISHO_ENDPOINT="+env.URL,
		"ADMIN_KEY="+orgAdminKey, "ADMIN_SECRET="+orgAdminSecret, "OUTSIDE_KEY="+outsideRootKey, "OUTSIDE_SECRET="+outsideRootSecr)
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil || !strings.Contains(string(out), "\nOK\n") {
		t.Fatalf("org_boto3.py: %v", err)
	}
}
