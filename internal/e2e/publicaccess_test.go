package e2e

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// resolvePlugin makes names ending in ".127.0.0.1" resolve to 127.0.0.1
// inside the CLI. The CLI, like every SDK, sends S3 Control requests to
// ACCOUNT.<endpoint host>; for a real endpoint DNS answers that name, for
// the loopback test server nothing does. The request, Host included, is
// sent as the CLI made it.
const resolvePlugin = `import socket

_getaddrinfo = socket.getaddrinfo


def awscli_initialize(cli):
    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".127.0.0.1"):
            host = "127.0.0.1"
        return _getaddrinfo(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo
`

// withControlResolver rewrites the CLI's config to load, besides the
// Sekisho endpoint plugin, the resolver S3 Control needs.
func withControlResolver(t *testing.T, c *cli) {
	t.Helper()
	plugins := t.TempDir()
	_, file, _, _ := runtime.Caller(0)
	endpointPlugin, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "contrib", "awscli", "sekisho_endpoint.py"))
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"sekisho_endpoint.py": string(endpointPlugin), "sekisho_resolve.py": resolvePlugin} {
		if err := os.WriteFile(filepath.Join(plugins, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	config := "[default]\nregion = us-east-1\noutput = json\ns3 =\n    signature_version = s3v4\n\n[plugins]\ncli_legacy_plugin_path = " + plugins +
		"\nsekisho = sekisho_endpoint\nsekisho_resolve = sekisho_resolve\n"
	if err := os.WriteFile(filepath.Join(c.home, ".aws", "config"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
}

type publicAccessBlockOutput struct {
	PublicAccessBlockConfiguration struct {
		BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
	}
}

// TestPublicAccessBlockCLI: with the real aws CLI, a public bucket policy
// is refused by the Block Public Access a new bucket gets, accepted once
// `s3api delete-public-access-block` turns it off, and anonymous reads it
// allowed are refused again by RestrictPublicBuckets set at the account
// level with `s3control put-public-access-block`.
func TestPublicAccessBlockCLI(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	withControlResolver(t, c)
	root := func() *cli { return c.as("AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001") }
	const bucket = "e2e-public-site"
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
	page := filepath.Join(t.TempDir(), "index.html")
	if err := os.WriteFile(page, []byte("<h1>hello</h1>\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	download := filepath.Join(t.TempDir(), "got.html")
	anonymousGet := func() (string, string, int) {
		return c.as("", "").run("s3api", "get-object", "--no-sign-request", "--bucket", bucket, "--key", "index.html", download)
	}

	root().ok(nil, "s3api", "create-bucket", "--bucket", bucket)
	root().ok(nil, "s3api", "put-object", "--bucket", bucket, "--key", "index.html", "--body", page)
	var pab publicAccessBlockOutput
	root().ok(&pab, "s3api", "get-public-access-block", "--bucket", bucket)
	if got := pab.PublicAccessBlockConfiguration; !got.BlockPublicAcls || !got.IgnorePublicAcls || !got.BlockPublicPolicy || !got.RestrictPublicBuckets {
		t.Fatalf("new bucket's block %+v, want all four on", got)
	}

	// Refused while BlockPublicPolicy is on.
	stderr := root().fails("s3api", "put-bucket-policy", "--bucket", bucket, "--policy", policy)
	if !strings.Contains(stderr, "AccessDenied") || !strings.Contains(stderr, "BlockPublicPolicy") {
		t.Fatalf("public put-bucket-policy under BlockPublicPolicy: %s", stderr)
	}
	if _, stderr, code := anonymousGet(); code == 0 || !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("anonymous get-object without a policy: %d %s", code, stderr)
	}

	// Accepted once the bucket's block is deleted; anonymous reads work.
	root().ok(nil, "s3api", "delete-public-access-block", "--bucket", bucket)
	root().ok(nil, "s3api", "put-bucket-policy", "--bucket", bucket, "--policy", policy)
	var status struct{ PolicyStatus struct{ IsPublic bool } }
	root().ok(&status, "s3api", "get-bucket-policy-status", "--bucket", bucket)
	if !status.PolicyStatus.IsPublic {
		t.Fatal("get-bucket-policy-status: the public policy is not reported public")
	}
	if _, stderr, code := anonymousGet(); code != 0 {
		t.Fatalf("anonymous get-object under the public policy: %d %s", code, stderr)
	}
	if got, _ := os.ReadFile(download); string(got) != "<h1>hello</h1>\n" {
		t.Fatalf("anonymous download %q", got)
	}

	// RestrictPublicBuckets at the account level, through S3 Control.
	stdout, stderr, code := root().run("s3control", "get-public-access-block", "--account-id", "111111111111")
	if code == 0 || !strings.Contains(stderr, "NoSuchPublicAccessBlockConfiguration") {
		t.Fatalf("s3control get-public-access-block before any: %d %s %s", code, stdout, stderr)
	}
	root().ok(nil, "s3control", "put-public-access-block", "--account-id", "111111111111",
		"--public-access-block-configuration", "RestrictPublicBuckets=true")
	root().ok(&pab, "s3control", "get-public-access-block", "--account-id", "111111111111")
	if got := pab.PublicAccessBlockConfiguration; !got.RestrictPublicBuckets || got.BlockPublicPolicy {
		t.Fatalf("account block %+v, want RestrictPublicBuckets only", got)
	}
	if _, stderr, code := anonymousGet(); code == 0 || !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("anonymous get-object under RestrictPublicBuckets: %d %s", code, stderr)
	}
	// Another account may not lift it.
	stderr = c.as("AKIA2222ROOT00000001", "DemoRootSecretForAccountB0000000000000001").fails("s3control", "delete-public-access-block", "--account-id", "111111111111")
	if !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("s3control delete-public-access-block by account B: %s", stderr)
	}
	// The owner's account still reads through the public policy.
	root().ok(nil, "s3api", "get-object", "--bucket", bucket, "--key", "index.html", download)
}
