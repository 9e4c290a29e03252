package sigv4

import (
	"bytes"
	"encoding/pem"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAWSCLI drives the real AWS CLI (botocore) against the verifier. It
// takes several seconds, so it runs only with SEKISHO_AWSCLI=1 and an
// `aws` on PATH.
func TestAWSCLI(t *testing.T) {
	if os.Getenv("SEKISHO_AWSCLI") != "1" {
		t.Skip("set SEKISHO_AWSCLI=1 to run the AWS CLI against the verifier")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("no aws on PATH")
	}
	fake, srv, _ := startFakeAWS(t)
	dir := t.TempDir()
	caBundle := filepath.Join(dir, "ca.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	data := testPayload(300 << 10)
	upload := filepath.Join(dir, "upload.bin")
	for path, content := range map[string][]byte{caBundle: certPEM, upload: data} {
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	config := "/dev/null"
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("aws", args...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testAKID, "AWS_SECRET_ACCESS_KEY="+testSecret,
			"AWS_SESSION_TOKEN="+testToken, "AWS_DEFAULT_REGION="+testRegion, "AWS_ENDPOINT_URL="+srv.URL,
			"AWS_CA_BUNDLE="+caBundle, "AWS_CONFIG_FILE="+config, "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
			"AWS_MAX_ATTEMPTS=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	run("sts", "get-caller-identity")
	run("iam", "list-users", "--path-prefix", "/a b/")
	run("s3api", "put-object", "--bucket", "bucket", "--key", oddKey, "--body", upload)
	run("s3", "cp", upload, "s3://bucket/copied/"+oddKey)
	run("s3api", "get-object", "--bucket", "bucket", "--key", oddKey, filepath.Join(dir, "got.bin"))
	// AWS CLI v1 presigns S3 URLs with SigV2 unless the profile says s3v4.
	v2URL := run("s3", "presign", "s3://bucket/"+oddKey, "--expires-in", "60")
	if _, err := fake.v.Parse(newRequest(t, http.MethodGet, v2URL, nil)); KindOf(err) != KindUnsupportedAlgorithm {
		t.Errorf("SigV2 presigned URL: %v", err)
	}
	config = filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[default]\ns3 =\n    signature_version = s3v4\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	url := run("s3", "presign", "s3://bucket/"+oddKey, "--expires-in", "60")
	resp, err := srv.Client().Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned GET %s: %s", url, resp.Status)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "got.bin")); !bytes.Equal(got, data) {
		t.Fatalf("get-object returned %d bytes, want %d", len(got), len(data))
	}
	t.Logf("payload kinds seen: %q", fake.seen)
}
