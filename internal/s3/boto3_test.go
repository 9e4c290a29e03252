package s3_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testenv"
)

// boto3Pythons returns the python3 interpreters that can import boto3:
// Debian's (python3-boto3) and, when it is another one with its own boto3,
// the python3 first on PATH (a newer boto3 behaves differently: default
// CRC32 checksums, SigV4 presigning).
func boto3Pythons(t *testing.T) []string {
	t.Helper()
	var found []string
	seen := map[string]bool{}
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		out, err := exec.Command(py, "-c", "import boto3, sys; print(sys.executable, boto3.__version__)").Output()
		if err == nil && !seen[string(out)] {
			seen[string(out)] = true
			found = append(found, py)
		}
	}
	if len(found) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("boto3 is not installed (apt-get install python3-boto3)")
		}
		t.Skip("boto3 is not installed (apt-get install python3-boto3)")
	}
	return found
}

// TestBoto3Flow runs testdata/boto3_flow.py: boto3 with its defaults
// (checksums, path-style addressing for a custom endpoint, s3transfer
// multipart) through a whole session, STS included.
func TestBoto3Flow(t *testing.T) {
	for _, py := range boto3Pythons(t) {
		t.Run(strings.ReplaceAll(py, "/", "_"), func(t *testing.T) { boto3Flow(t, py) })
	}
}

func boto3Flow(t *testing.T, py string) {
	env := testenv.Start(t)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "testdata/boto3_flow.py")
	// A clean environment: no profile, config or credentials of the machine.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "BOTO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "no-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"SEKISHO_ENDPOINT="+env.URL, "SEKISHO_BUCKET=boto3-flow", "SEKISHO_WORKDIR="+dir,
		"ROOT_A_KEY="+rootAKey, "ROOT_A_SECRET="+rootASecret, "ALICE_KEY="+aliceKey, "ALICE_SECRET="+aliceSecret)
	out, err := cmd.CombinedOutput()
	t.Logf("%s\n%s", py, out)
	if err != nil {
		t.Fatalf("boto3_flow.py: %v", err)
	}
	if !strings.Contains(string(out), "\nOK\n") {
		t.Fatalf("boto3_flow.py did not finish")
	}
}
