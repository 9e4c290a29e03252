package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/tlsutil"
)

// secureTransportPolicy denies reading the demo bucket's objects over
// plain HTTP, the usual "TLS only" bucket policy.
const secureTransportPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"TLSOnly","Effect":"Deny","Principal":"*",
"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + demoBucket + `/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`

// TestSecureTransportOverTLS: `sekisho serve --tls-self-signed` serves
// HTTP and HTTPS at once; the aws CLI trusts the generated CA with
// --ca-bundle (or AWS_CA_BUNDLE); a bucket policy denying requests
// without aws:SecureTransport refuses the object over HTTP and serves it
// over HTTPS.
func TestSecureTransportOverTLS(t *testing.T) {
	awsCLI(t)
	bin := buildSekisho(t)
	tlsDir := filepath.Join(t.TempDir(), "tls")
	p := startServe(t, bin, "--demo", "--in-memory", "--tls-self-signed", tlsDir, "--tls-addr", "127.0.0.1:0")
	if p.TLSURL == "" {
		t.Fatalf("no HTTPS listener:\n%s", p.logs())
	}
	caBundle := filepath.Join(tlsDir, tlsutil.CAFile)
	if !strings.Contains(p.logs(), caBundle) {
		t.Errorf("the serving line does not name the CA bundle:\n%s", p.logs())
	}
	policyFile := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policyFile, []byte(secureTransportPolicy), 0o600); err != nil {
		t.Fatal(err)
	}

	plain := newCLI(t, &testenv.Env{URL: p.URL}).as("AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001")
	plain.ok(nil, "s3api", "put-bucket-policy", "--bucket", demoBucket, "--policy", "file://"+policyFile)
	out := filepath.Join(t.TempDir(), "test.txt")
	stderr := plain.fails("s3api", "get-object", "--bucket", demoBucket, "--key", "test.txt", out)
	if !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("get-object over HTTP: %s", stderr)
	}

	secure := newCLI(t, &testenv.Env{URL: p.TLSURL}).as("AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001")
	if stderr := secure.fails("s3api", "get-object", "--bucket", demoBucket, "--key", "test.txt", out); !strings.Contains(strings.ToLower(stderr), "certificate") {
		t.Fatalf("HTTPS without the CA bundle: %s", stderr)
	}
	secure.ok(nil, "--ca-bundle", caBundle, "s3api", "get-object", "--bucket", demoBucket, "--key", "test.txt", out)
	if got, err := os.ReadFile(out); err != nil || string(got) != "hello from account A\n" {
		t.Fatalf("object over HTTPS: %q %v", got, err)
	}
	secure.extraEnv = []string{"AWS_CA_BUNDLE=" + caBundle}
	var id callerIdentity
	secure.ok(&id, "sts", "get-caller-identity")
	if id.Account != "111111111111" {
		t.Fatalf("get-caller-identity over HTTPS: %+v", id)
	}
}
