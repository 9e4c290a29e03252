package e2e

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	sekisho "github.com/sekisho/sekisho/internal/cli"
	"github.com/sekisho/sekisho/internal/testenv"
)

// TestAssumeOutputPastedIntoAShell: `sekisho assume` prints export lines;
// a shell that evaluates them is the assumed role for the real CLI.
func TestAssumeOutputPastedIntoAShell(t *testing.T) {
	bin := awsCLI(t)
	env := testenv.Start(t)
	var out, errOut bytes.Buffer
	root := sekisho.NewRoot(&out, &errOut)
	root.SetArgs([]string{"assume", "--as", aliceKey + ":" + aliceSecret, "--endpoint", env.URL, "--session-name", "pasted",
		"arn:aws:iam::111111111111:role/assume_s3_role"})
	if err := root.Execute(); err != nil {
		t.Fatalf("assume: %v %s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "export AWS_SESSION_TOKEN=") {
		t.Fatalf("assume printed %q", out.String())
	}
	script := out.String() + "\n" + bin + " --endpoint-url " + env.URL + " sts get-caller-identity --query Arn --output text\n"
	cmd := exec.Command("/bin/bash", "-c", script)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "AWS_DEFAULT_REGION=ap-northeast-1", "AWS_EC2_METADATA_DISABLED=true"}
	got, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(got)) != "arn:aws:sts::111111111111:assumed-role/assume_s3_role/pasted" {
		t.Fatalf("shell: %v %s", err, got)
	}
}
