// Package tlsutil makes the self-signed TLS material `sekisho serve
// --tls-self-signed` uses: a private certificate authority and a server
// certificate it signs for the loopback names, written as PEM files so
// clients can trust the authority (AWS_CA_BUNDLE, aws --ca-bundle).
package tlsutil

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// File names inside the directory SelfSigned writes to.
const (
	CAFile   = "ca.pem"   // the authority's certificate: the bundle clients trust
	CertFile = "cert.pem" // the server certificate
	KeyFile  = "key.pem"  // the server's private key
)

// DNSNames and IPAddresses are the names the server certificate is for:
// loopback, including virtual-hosted bucket names under localhost.
var (
	DNSNames    = []string{"localhost", "*.localhost", "s3.localhost", "*.s3.localhost"}
	IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
)

// validity is how long generated certificates last; SelfSigned makes new
// ones when the ones in the directory expire within renewBefore.
const (
	validity    = 365 * 24 * time.Hour
	renewBefore = 24 * time.Hour
)

// SelfSigned returns the server certificate in dir, creating the
// authority and the certificate first when they are missing, unreadable
// or about to expire. Reusing them keeps a CA bundle handed to clients
// valid across restarts.
func SelfSigned(dir string, now time.Time) (tls.Certificate, error) {
	if cert, err := load(dir, now); err == nil {
		return cert, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("tls directory: %w", err)
	}
	if err := generate(dir, now); err != nil {
		return tls.Certificate{}, err
	}
	return load(dir, now)
}

// load reads the certificate and key and checks they are current and
// signed by the authority in dir.
func load(dir string, now time.Time) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile))
	if err != nil {
		return tls.Certificate{}, err
	}
	caPEM, err := os.ReadFile(filepath.Join(dir, CAFile))
	if err != nil {
		return tls.Certificate{}, err
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		return tls.Certificate{}, errors.New("no certificate in the CA file")
	}
	leaf := cert.Leaf
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now.Add(renewBefore), DNSName: "localhost"}); err != nil {
		return tls.Certificate{}, err
	}
	return cert, nil
}

func generate(dir string, now time.Time) error {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	caTemplate := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{Organization: []string{"Sekisho"}, CommonName: "Sekisho local CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("create the CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	template := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{Organization: []string{"Sekisho"}, CommonName: "localhost"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     DNSNames,
		IPAddresses:  IPAddresses,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("create the server certificate: %w", err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return err
	}
	// The key first: a certificate without its key is never left behind.
	if err := writePEM(filepath.Join(dir, KeyFile), "EC PRIVATE KEY", keyDER, 0o600); err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, CertFile), "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, CAFile), "CERTIFICATE", caDER, 0o644)
}

// serial is a random 128-bit certificate serial number.
func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	return n
}

// writePEM writes the block through a temporary file renamed into place.
func writePEM(path, blockType string, der []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := pem.Encode(tmp, &pem.Block{Type: blockType, Bytes: der}); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
