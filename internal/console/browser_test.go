package console_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// alicePassword is alice's console password in the demo world.
const alicePassword = "Alice-Console-Demo-1"

// TestConsoleInBrowser drives Debian's chromium, headless, with
// playwright-core (testdata/browser, installed from the npm registry by
// `make test`) through the seeds' console flow against a real server, and
// writes screenshots of the main pages to docs/screenshots/.
func TestConsoleInBrowser(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "testdata", "browser")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "playwright-core"))
	}
	chromium := ""
	if err == nil {
		chromium, err = exec.LookPath("chromium")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node, playwright-core or chromium is missing (make test installs them): %v", err)
		}
		t.Skipf("node, playwright-core or chromium is missing (make test installs them): %v", err)
	}
	env := testenv.Start(t)
	shots := filepath.Join(filepath.Dir(file), "..", "..", "docs", "screenshots")
	cmd := exec.Command(node, "flow.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SEKISHO_URL="+env.URL, "ALICE_PASSWORD="+alicePassword,
		"CHROMIUM="+chromium, "SCREENSHOT_DIR="+shots, "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "console browser flow ok") {
		t.Fatalf("browser flow: %v\n%s", err, out)
	}
}
