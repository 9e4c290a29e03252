package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// TestJavaScriptSDK runs the seeds' cross-account flow with the AWS SDK for
// JavaScript v3 (testdata/js, installed from the npm registry by `make
// test`).
func TestJavaScriptSDK(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "testdata", "js")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-s3"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node or the JS SDK is missing (make test installs them): %v", err)
		}
		t.Skipf("node or the JS SDK is missing (make test installs them): %v", err)
	}
	env := testenv.Start(t)
	cmd := exec.Command(node, "flow.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SEKISHO_ENDPOINT="+env.URL, "ALICE_KEY="+aliceKey, "ALICE_SECRET="+aliceSecret,
		"AWS_EC2_METADATA_DISABLED=true", "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "js-sdk flow ok") {
		t.Fatalf("js sdk: %v\n%s", err, out)
	}
}
