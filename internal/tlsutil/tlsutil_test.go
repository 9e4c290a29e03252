package tlsutil

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestSelfSignedIsReusedAndTrusted: the certificate verifies against the
// written CA bundle for the loopback names, a second call reuses the
// files, and an expiring certificate is replaced.
func TestSelfSignedIsReusedAndTrusted(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	now := time.Now()
	first, err := SelfSigned(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, CAFile))
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	for _, name := range []string{"localhost", "127.0.0.1", "::1", "bucket.localhost", "bucket.s3.localhost"} {
		if _, err := first.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if info, _ := os.Stat(filepath.Join(dir, KeyFile)); info.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", info.Mode())
	}
	again, err := SelfSigned(dir, now)
	if err != nil || !bytes.Equal(again.Certificate[0], first.Certificate[0]) {
		t.Fatalf("second call made a new certificate (err %v)", err)
	}
	renewed, err := SelfSigned(dir, now.Add(validity))
	if err != nil || bytes.Equal(renewed.Certificate[0], first.Certificate[0]) {
		t.Fatalf("an expiring certificate was kept (err %v)", err)
	}
}
