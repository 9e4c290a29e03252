package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/stsclient"
	"github.com/sekisho/sekisho/internal/testenv"
)

const (
	assumeS3Role = "arn:aws:iam::111111111111:role/assume_s3_role"
	aliceKeys    = "AKIA2222ALICE0000001:DemoSecretForAliceInAccountB000000000001"
)

// isolateAWSEnv keeps the developer's AWS settings out of a test.
func isolateAWSEnv(t *testing.T) string {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE"} {
		t.Setenv(k, "")
	}
	t.Setenv("HOME", dir)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	return dir
}

// parseExports reads `export NAME=VALUE` lines.
func parseExports(t *testing.T, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok || !strings.HasPrefix(line, "export ") {
			t.Fatalf("not an export line: %q", line)
		}
		out[name] = value
	}
	return out
}

func callerARN(t *testing.T, url string, exports map[string]string) string {
	t.Helper()
	c := &stsclient.Client{Endpoint: url, Region: "us-east-1", Credentials: stsclient.Credentials{
		AccessKeyID: exports["AWS_ACCESS_KEY_ID"], SecretAccessKey: exports["AWS_SECRET_ACCESS_KEY"], SessionToken: exports["AWS_SESSION_TOKEN"]}}
	id, err := c.GetCallerIdentity(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id.ARN
}

func TestAssumeWithKeysPrintsExports(t *testing.T) {
	isolateAWSEnv(t)
	env := testenv.Start(t)
	stdout, stderr, code := run("assume", "--as", aliceKeys, "--endpoint", env.URL, "--session-name", "cli-test", assumeS3Role)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	exports := parseExports(t, stdout)
	if len(exports) != 3 || !strings.HasPrefix(exports["AWS_ACCESS_KEY_ID"], "ASIA") {
		t.Fatalf("exports: %q", stdout)
	}
	if arn := callerARN(t, env.URL, exports); arn != "arn:aws:sts::111111111111:assumed-role/assume_s3_role/cli-test" {
		t.Errorf("the exported keys are %s", arn)
	}
}

func TestAssumeWithProfilePrintsCLIJSON(t *testing.T) {
	dir := isolateAWSEnv(t)
	env := testenv.Start(t)
	creds := "[alice]\naws_access_key_id = AKIA2222ALICE0000001\naws_secret_access_key = DemoSecretForAliceInAccountB000000000001\n"
	if err := os.WriteFile(filepath.Join(dir, "credentials"), []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ENDPOINT_URL", env.URL)
	stdout, stderr, code := run("assume", "--as", "alice", "--json", "--duration", "900", "--external-id", "any-id", assumeS3Role)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var out struct {
		Credentials     map[string]string `json:"Credentials"`
		AssumedRoleUser map[string]string `json:"AssumedRoleUser"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$`).MatchString(c["Expiration"]) ||
		c["AccessKeyId"] == "" || c["SecretAccessKey"] == "" || c["SessionToken"] == "" || len(c) != 4 {
		t.Errorf("Credentials: %v", c)
	}
	u := out.AssumedRoleUser
	if !strings.HasPrefix(u["Arn"], "arn:aws:sts::111111111111:assumed-role/assume_s3_role/sekisho-") || !strings.HasPrefix(u["AssumedRoleId"], "AROA") {
		t.Errorf("AssumedRoleUser: %v", u)
	}
	if !strings.HasPrefix(stdout, "{\n    \"Credentials\": {\n        \"AccessKeyId\"") {
		t.Errorf("not laid out as the aws CLI prints:\n%s", stdout)
	}
}

func TestAssumeErrors(t *testing.T) {
	isolateAWSEnv(t)
	env := testenv.Start(t)
	carol := "AKIA2222CAROL0000001:DemoSecretForCarolNoPoliciesAccountB0001"
	_, stderr, code := run("assume", "--as", carol, "--endpoint", env.URL, assumeS3Role)
	if code != 1 || !strings.Contains(stderr, "AccessDenied: User: arn:aws:iam::222222222222:user/carol is not authorized to perform: sts:AssumeRole") {
		t.Errorf("carol: exit %d: %s", code, stderr)
	}
	_, stderr, code = run("assume", "--as", aliceKeys, "--endpoint", env.URL, "--duration", "60", assumeS3Role)
	if code != 1 || !strings.Contains(stderr, "ValidationError") {
		t.Errorf("short duration: exit %d: %s", code, stderr)
	}
	for _, args := range [][]string{
		{"assume", assumeS3Role},
		{"assume", "--as", aliceKeys},
		{"assume", "--as", "no-such-profile", "--endpoint", env.URL, assumeS3Role},
		{"assume", "--as", aliceKeys, "--duration", "-5", assumeS3Role},
		{"assume", "--as", aliceKeys, "--duration", "soon", assumeS3Role},
	} {
		if _, stderr, code := run(args...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2: %s", args, code, stderr)
		}
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"ASIAABC": "ASIAABC", "a/b+c=": "a/b+c=", "": "''", "it's": `'it'\''s'`, "a b": "'a b'", "$x": "'$x'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
