package s3_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/s3"
)

// TestBoto3EveryOperation runs testdata/boto3_ops.py against a real server:
// boto3 with its defaults calls every row of the operation table. A served
// row must have a function there and answer as S3 does (shape checked); a
// row answering NotImplemented must answer 501 NotImplemented to boto3,
// never a 2xx. The table decides which is which, so rows that become
// served are held to S3's answers without touching this test.
func TestBoto3EveryOperation(t *testing.T) {
	for _, py := range boto3Pythons(t) {
		t.Run(strings.ReplaceAll(py, "/", "_"), func(t *testing.T) { boto3Ops(t, py) })
	}
}

func boto3Ops(t *testing.T, py string) {
	env := startSDK(t)
	dir := t.TempDir()
	rows := s3.TableRows()
	if len(rows) == 0 {
		t.Fatal("empty operation table")
	}
	table, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	opsFile := filepath.Join(dir, "ops.json")
	if err := os.WriteFile(opsFile, table, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "testdata/boto3_ops.py")
	// A clean environment: no profile, config or credentials of the machine.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "BOTO_") && !strings.HasPrefix(kv, "SEKISHO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_CONFIG_FILE="+filepath.Join(dir, "no-config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "no-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"SEKISHO_ENDPOINT="+env.URL, "SEKISHO_OPS="+opsFile, "ROOT_A_KEY="+rootAKey, "ROOT_A_SECRET="+rootASecret)
	out, err := cmd.CombinedOutput()
	t.Logf("%s\n%s", py, out)
	if err != nil {
		t.Fatalf("boto3_ops.py: %v", err)
	}
	if !strings.HasSuffix(string(out), "\nOK\n") {
		t.Fatal("boto3_ops.py did not finish")
	}
	if want := fmt.Sprintf("\nsummary: %d rows,", len(rows)); !strings.Contains(string(out), want) {
		t.Fatalf("boto3_ops.py did not run every row (want %q)", want)
	}
}
