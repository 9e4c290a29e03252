// Package e2e drives the real AWS CLI (Debian's awscli, /usr/bin/aws)
// against a real Sekisho server on loopback through every CLI flow of the
// seeds.
package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// awsCLI finds Debian's aws-cli v2; another, older aws may come first on PATH.
func awsCLI(t *testing.T) string {
	t.Helper()
	path := os.Getenv("SEKISHO_AWS_CLI")
	if path == "" {
		path = "/usr/bin/aws"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the aws CLI is missing at %s: make test installs Debian's awscli", path)
		}
		t.Skipf("no aws CLI at %s (make test installs it)", path)
	}
	return path
}

// cli runs the aws CLI in an isolated home against the server.
type cli struct {
	t        *testing.T
	bin      string
	endpoint string
	home     string
	env      map[string]string
	extraEnv []string // KEY=VALUE pairs that replace the defaults below
}

func newCLI(t *testing.T, env *testenv.Env) *cli {
	home := t.TempDir()
	_, file, _, _ := runtime.Caller(0)
	plugin := filepath.Join(filepath.Dir(file), "..", "..", "contrib", "awscli")
	config := "[default]\nregion = ap-northeast-1\noutput = json\ns3 =\n    signature_version = s3v4\n\n[plugins]\ncli_legacy_plugin_path = " + plugin + "\nsekisho = sekisho_endpoint\n"
	if err := os.MkdirAll(filepath.Join(home, ".aws"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return &cli{t: t, bin: awsCLI(t), endpoint: env.URL, home: home, env: map[string]string{}}
}

// as sets the long-term credentials the next commands use.
func (c *cli) as(accessKeyID, secret string) *cli {
	c.env = map[string]string{"AWS_ACCESS_KEY_ID": accessKeyID, "AWS_SECRET_ACCESS_KEY": secret}
	return c
}

// appendConfig adds profile text to ~/.aws/config.
func (c *cli) appendConfig(text string) {
	f, err := os.OpenFile(filepath.Join(c.home, ".aws", "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		c.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("\n" + text + "\n"); err != nil {
		c.t.Fatal(err)
	}
}

func (c *cli) writeCredentials(text string) {
	if err := os.WriteFile(filepath.Join(c.home, ".aws", "credentials"), []byte(text), 0o600); err != nil {
		c.t.Fatal(err)
	}
}

// run executes aws with args and returns stdout, stderr and the exit code.
func (c *cli) run(args ...string) (string, string, int) {
	c.t.Helper()
	cmd := exec.Command(c.bin, append([]string{"--endpoint-url", c.endpoint}, args...)...)
	cmd.Env = []string{
		"HOME=" + c.home, "PATH=/usr/bin:/bin",
		"AWS_CONFIG_FILE=" + filepath.Join(c.home, ".aws", "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(c.home, ".aws", "credentials"),
		"SEKISHO_ENDPOINT_URL=" + c.endpoint,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=",
	}
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = append(cmd.Env, c.extraEnv...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("run aws: %v", err)
	}
	return stdout.String(), stderr.String(), code
}

// ok runs aws and fails the test unless it succeeds; it decodes JSON output into out.
func (c *cli) ok(out any, args ...string) {
	c.t.Helper()
	stdout, stderr, code := c.run(args...)
	if code != 0 {
		c.t.Fatalf("aws %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(stdout), out); err != nil {
			c.t.Fatalf("aws %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, stdout)
		}
	}
}

// fails runs aws, expects failure and returns stderr.
func (c *cli) fails(args ...string) string {
	c.t.Helper()
	stdout, stderr, code := c.run(args...)
	if code == 0 {
		c.t.Fatalf("aws %s succeeded, want an error:\n%s", strings.Join(args, " "), stdout)
	}
	return stderr
}

type callerIdentity struct {
	UserID  string `json:"UserId"`
	Account string `json:"Account"`
	Arn     string `json:"Arn"`
}

type assumeRoleOutput struct {
	Credentials struct {
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string `json:"SecretAccessKey"`
		SessionToken    string `json:"SessionToken"`
		Expiration      string `json:"Expiration"`
	} `json:"Credentials"`
	AssumedRoleUser struct {
		AssumedRoleID string `json:"AssumedRoleId"`
		Arn           string `json:"Arn"`
	} `json:"AssumedRoleUser"`
}

const (
	aliceKey    = "AKIA2222ALICE0000001"
	aliceSecret = "DemoSecretForAliceInAccountB000000000001"
	bobKey      = "AKIA2222BOBINFRA0001"
	bobSecret   = "DemoSecretForBobInfraInAccountB00000001"
	carolKey    = "AKIA2222CAROL0000001"
	carolSecret = "DemoSecretForCarolNoPoliciesAccountB0001"
)

// TestSeedAssumeRoleWalkthrough is seed 000 method 1 and seeds 003/004:
// B's user assumes A's role, exports the keys, and is A's role session.
func TestSeedAssumeRoleWalkthrough(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env).as(aliceKey, aliceSecret)

	var before callerIdentity
	c.ok(&before, "sts", "get-caller-identity")
	if before.Arn != "arn:aws:iam::222222222222:user/alice" || before.Account != "222222222222" || !strings.HasPrefix(before.UserID, "AIDA") {
		t.Fatalf("before: %+v", before)
	}

	var out assumeRoleOutput
	c.ok(&out, "sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/assume_s3_role", "--role-session-name", "Account-B")
	if out.AssumedRoleUser.Arn != "arn:aws:sts::111111111111:assumed-role/assume_s3_role/Account-B" ||
		!strings.HasPrefix(out.AssumedRoleUser.AssumedRoleID, "AROA") || !strings.HasSuffix(out.AssumedRoleUser.AssumedRoleID, ":Account-B") ||
		!strings.HasPrefix(out.Credentials.AccessKeyID, "ASIA") || out.Credentials.SessionToken == "" {
		t.Fatalf("assume-role output: %+v", out)
	}

	// export AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… AWS_SESSION_TOKEN=…
	c.env = map[string]string{"AWS_ACCESS_KEY_ID": out.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": out.Credentials.SecretAccessKey, "AWS_SESSION_TOKEN": out.Credentials.SessionToken}
	var after callerIdentity
	c.ok(&after, "sts", "get-caller-identity")
	if after.Account != "111111111111" || after.Arn != out.AssumedRoleUser.Arn || after.UserID != out.AssumedRoleUser.AssumedRoleID {
		t.Fatalf("after: %+v", after)
	}

	// A tampered token is refused.
	c.env["AWS_SESSION_TOKEN"] = flipChar(out.Credentials.SessionToken, len(out.Credentials.SessionToken)/2)
	if stderr := c.fails("sts", "get-caller-identity"); !strings.Contains(stderr, "InvalidClientTokenId") {
		t.Fatalf("tampered token: %s", stderr)
	}
}

// TestSourceProfile is the profile form: role_arn + source_profile.
func TestSourceProfile(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	c.writeCredentials("[operator]\naws_access_key_id = " + aliceKey + "\naws_secret_access_key = " + aliceSecret + "\n")
	c.appendConfig("[profile dst-role]\nregion = ap-northeast-1\nrole_arn = arn:aws:iam::111111111111:role/assume_s3_role\nsource_profile = operator\nrole_session_name = from-profile")
	var id callerIdentity
	c.ok(&id, "sts", "get-caller-identity", "--profile", "dst-role")
	if id.Arn != "arn:aws:sts::111111111111:assumed-role/assume_s3_role/from-profile" {
		t.Fatalf("profile identity: %+v", id)
	}
}

// TestTrustPolicyVariants covers seed 003's trust examples.
func TestTrustPolicyVariants(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	infra := "arn:aws:iam::111111111111:role/sw-service1-infra"

	// ArnLike aws:PrincipalArn on *_infra users: bob_infra may, alice may not.
	c.as(bobKey, bobSecret).ok(nil, "sts", "assume-role", "--role-arn", infra, "--role-session-name", "sw-service1-infraSession")
	stderr := c.as(aliceKey, aliceSecret).fails("sts", "assume-role", "--role-arn", infra, "--role-session-name", "s1")
	want := "User: arn:aws:iam::222222222222:user/alice is not authorized to perform: sts:AssumeRole on resource: " + infra
	if !strings.Contains(stderr, "AccessDenied") || !strings.Contains(stderr, want) {
		t.Fatalf("alice on the _infra role: %s", stderr)
	}

	// A trust policy naming one user ARN: alice may, bob_infra (same account, same identity policy) may not.
	dest := "arn:aws:iam::111111111111:role/DESTINATION-ROLENAME"
	c.as(aliceKey, aliceSecret).ok(nil, "sts", "assume-role", "--role-arn", dest, "--role-session-name", "s1")
	c.as(bobKey, bobSecret).fails("sts", "assume-role", "--role-arn", dest, "--role-session-name", "s1")
}

// TestOneSideOnly: the trust policy trusts account B, but carol's own
// account grants her nothing, so the assume is denied.
func TestOneSideOnly(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env).as(carolKey, carolSecret)
	stderr := c.fails("sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/assume_s3_role", "--role-session-name", "s1")
	if !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("carol: %s", stderr)
	}
}

// flipChar changes the character at i to another base64url character.
func flipChar(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}
