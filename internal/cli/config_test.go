package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// awsCLI is Debian's aws-cli v2 (an older aws may come first on PATH).
func awsCLI(t *testing.T) string {
	t.Helper()
	path := os.Getenv("SEKISHO_AWS_CLI")
	if path == "" {
		path = "/usr/bin/aws"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the aws CLI is missing at %s", path)
		}
		t.Skipf("no aws CLI at %s", path)
	}
	return path
}

// runAWS runs the aws CLI with only the config file written by the test.
func runAWS(t *testing.T, home, config, endpoint string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(awsCLI(t), args...)
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-credentials"),
		"SEKISHO_ENDPOINT_URL=" + endpoint, "AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER="}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

func writeDemoConfig(t *testing.T, endpoint string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "config")
	if _, stderr, code := run("config", "--demo", "--endpoint", endpoint, "--region", "ap-northeast-1", "--out", out); code != 0 {
		t.Fatalf("sekisho config: exit %d: %s", code, stderr)
	}
	info, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("the file holds keys but is mode %v", info.Mode().Perm())
	}
	return out
}

func TestConfigProfiles(t *testing.T) {
	isolateAWSEnv(t)
	stdout, stderr, code := run("config", "--demo", "--endpoint", "http://127.0.0.1:9")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"[profile account-b-alice]\naws_access_key_id = AKIA2222ALICE0000001\naws_secret_access_key = DemoSecretForAliceInAccountB000000000001\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9\n",
		"[profile account-a-assume_s3_role]\nrole_arn = arn:aws:iam::111111111111:role/assume_s3_role\nsource_profile = account-b-alice\n",
		"[profile account-a-DESTINATION-ROLENAME]\nrole_arn = arn:aws:iam::111111111111:role/DESTINATION-ROLENAME\nsource_profile = account-b-alice\n",
		"[profile account-a-sw-service1-infra]\nrole_arn = arn:aws:iam::111111111111:role/sw-service1-infra\nsource_profile = account-b-bob_infra\n",
		"#   arn:aws:iam::222222222222:role/S3FullAccessFromEC2\n",
		"[plugins]\ncli_legacy_plugin_path = /",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("config lacks %q:\n%s", want, stdout)
		}
	}
	plugin := stdout[strings.Index(stdout, "cli_legacy_plugin_path = ")+len("cli_legacy_plugin_path = "):]
	plugin = plugin[:strings.IndexByte(plugin, '\n')]
	if _, err := os.Stat(filepath.Join(plugin, "sekisho_endpoint.py")); err != nil {
		t.Errorf("plugin path %s: %v", plugin, err)
	}
}

// TestConfigWorksWithAWSCLI checks that the real CLI accepts the file and
// that its role profiles assume their roles on a running server.
func TestConfigWorksWithAWSCLI(t *testing.T) {
	home := isolateAWSEnv(t)
	env := testenv.Start(t)
	config := writeDemoConfig(t, env.URL)
	if _, stderr, code := runAWS(t, home, config, env.URL, "configure", "list", "--profile", "account-a-assume_s3_role"); code != 0 {
		t.Fatalf("aws configure list: exit %d: %s", code, stderr)
	}
	stdout, stderr, code := runAWS(t, home, config, env.URL, "sts", "get-caller-identity", "--profile", "account-a-sw-service1-infra")
	var id struct{ Arn string }
	if err := json.Unmarshal([]byte(stdout), &id); code != 0 || err != nil || !strings.HasPrefix(id.Arn, "arn:aws:sts::111111111111:assumed-role/sw-service1-infra/") {
		t.Fatalf("aws sts get-caller-identity: exit %d: %s%s", code, stdout, stderr)
	}
	// sekisho assume reads the same file's inline keys and endpoint_url.
	t.Setenv("AWS_CONFIG_FILE", config)
	stdout, stderr, code = run("assume", "--as", "account-b-alice", assumeS3Role)
	if code != 0 || !strings.HasPrefix(stdout, "export AWS_ACCESS_KEY_ID=ASIA") {
		t.Fatalf("sekisho assume with the config's profile: exit %d: %s%s", code, stdout, stderr)
	}
}
