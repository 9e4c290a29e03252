package creds

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
)

var (
	longTermKeyRE  = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
	temporaryKeyRE = regexp.MustCompile(`^ASIA[A-Z0-9]{16}$`)
	secretKeyRE    = regexp.MustCompile(`^[A-Za-z0-9/+]{40}$`)
	uniqueIDRE     = regexp.MustCompile(`^[A-Z]{4}[A-Z0-9]{17}$`)
)

func TestNewAccessKeyIDFormat(t *testing.T) {
	for range 200 {
		long := NewAccessKeyID(false)
		if !longTermKeyRE.MatchString(long) {
			t.Fatalf("NewAccessKeyID(false) = %q, want %v", long, longTermKeyRE)
		}
		if temporary, ok := IsAccessKeyID(long); !ok || temporary {
			t.Fatalf("IsAccessKeyID(%q) = %v, %v; want false, true", long, temporary, ok)
		}
		temp := NewAccessKeyID(true)
		if !temporaryKeyRE.MatchString(temp) {
			t.Fatalf("NewAccessKeyID(true) = %q, want %v", temp, temporaryKeyRE)
		}
		if temporary, ok := IsAccessKeyID(temp); !ok || !temporary {
			t.Fatalf("IsAccessKeyID(%q) = %v, %v; want true, true", temp, temporary, ok)
		}
	}
}

func TestNewSecretKeyFormat(t *testing.T) {
	seen := make(map[string]bool)
	for range 200 {
		secret := NewSecretKey()
		if !secretKeyRE.MatchString(secret) || !IsSecretKey(secret) {
			t.Fatalf("NewSecretKey() = %q, want %v", secret, secretKeyRE)
		}
		if seen[secret] {
			t.Fatal("NewSecretKey repeated a secret")
		}
		seen[secret] = true
	}
}

func TestNewUniqueIDFormat(t *testing.T) {
	prefixes := []string{PrefixUser, PrefixRole, PrefixGroup, PrefixManagedPolicy, PrefixInstanceProfile}
	for _, prefix := range prefixes {
		id := NewUniqueID(prefix)
		if !uniqueIDRE.MatchString(id) || !strings.HasPrefix(id, prefix) {
			t.Errorf("NewUniqueID(%q) = %q, want %v with that prefix", prefix, id, uniqueIDRE)
		}
		if got, ok := IsUniqueID(id); !ok || got != prefix {
			t.Errorf("IsUniqueID(%q) = %q, %v; want %q, true", id, got, ok, prefix)
		}
	}
}

func TestNewUniqueIDPanicsOnBadPrefix(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("NewUniqueID(\"aida\") did not panic")
		}
	}()
	NewUniqueID("aida")
}

func TestGeneratorRejectsBadPrefix(t *testing.T) {
	for _, prefix := range []string{"", "AID", "AIDAX", "aida", "AID1", "AÏDA"} {
		if id, err := (Generator{}).UniqueID(prefix); err == nil {
			t.Errorf("UniqueID(%q) = %q, want error", prefix, id)
		}
	}
}

func TestValidatorsRejectMalformed(t *testing.T) {
	for _, s := range []string{
		"", "AKIA", "AKIAIOSFODNN7EXAMPL", "AKIAIOSFODNN7EXAMPLEX", "akiaIOSFODNN7EXAMPLE",
		"AKIAiosfodnn7example", "AGPAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMP/E", "ASIAIOSFODNN7EXAMPL\x00",
	} {
		if temporary, ok := IsAccessKeyID(s); ok {
			t.Errorf("IsAccessKeyID(%q) = %v, true; want not ok", s, temporary)
		}
	}
	for _, s := range []string{"", strings.Repeat("a", 39), strings.Repeat("a", 41), strings.Repeat("a", 39) + "-"} {
		if IsSecretKey(s) {
			t.Errorf("IsSecretKey(%q) = true", s)
		}
	}
	for _, s := range []string{"", "AIDA", "AIDAJQABLZS4A3QDU576", "AIDAJQABLZS4A3QDU576QQ", "AID1JQABLZS4A3QDU576Q", "AIDAJQABLZS4A3QDu576Q"} {
		if prefix, ok := IsUniqueID(s); ok {
			t.Errorf("IsUniqueID(%q) = %q, true; want not ok", s, prefix)
		}
	}
}

func TestValidatorsAcceptAWSExamples(t *testing.T) {
	if temporary, ok := IsAccessKeyID("AKIAIOSFODNN7EXAMPLE"); !ok || temporary {
		t.Error("IsAccessKeyID rejects AWS's example long-term key id")
	}
	if !IsSecretKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") {
		t.Error("IsSecretKey rejects AWS's example secret key")
	}
	if prefix, ok := IsUniqueID("AIDAJQABLZS4A3QDU576Q"); !ok || prefix != PrefixUser {
		t.Error("IsUniqueID rejects AWS's example user id")
	}
}

func TestGeneratorIsDeterministicWithReader(t *testing.T) {
	zeros := Generator{Rand: bytes.NewReader(make([]byte, 1024))}
	id, err := zeros.AccessKeyID(true)
	if err != nil || id != "ASIAAAAAAAAAAAAAAAAA" {
		t.Errorf("AccessKeyID from zero bytes = %q, %v; want ASIA and 16 A", id, err)
	}
	secret, err := zeros.SecretKey()
	if err != nil || secret != strings.Repeat("A", 40) {
		t.Errorf("SecretKey from zero bytes = %q, %v; want 40 A", secret, err)
	}
}

func TestGeneratorRejectsBiasedBytes(t *testing.T) {
	// 252 and above would bias a draw from 36 characters; 253 is skipped and
	// 35 maps to the last character.
	src := bytes.Repeat([]byte{253, 35}, 64)
	id, err := Generator{Rand: bytes.NewReader(src)}.UniqueID(PrefixRole)
	if err != nil || id != "AROA"+strings.Repeat("9", 17) {
		t.Errorf("UniqueID = %q, %v; want AROA and 17 9", id, err)
	}
}

func TestGeneratorReportsReaderFailure(t *testing.T) {
	broken := Generator{Rand: iotest.ErrReader(errors.New("entropy gone"))}
	if _, err := broken.AccessKeyID(false); err == nil {
		t.Error("AccessKeyID with a failing reader succeeded")
	}
	if _, err := broken.SecretKey(); err == nil {
		t.Error("SecretKey with a failing reader succeeded")
	}
	short := Generator{Rand: bytes.NewReader(make([]byte, 3))}
	if _, err := short.UniqueID(PrefixUser); err == nil {
		t.Error("UniqueID with a short reader succeeded")
	}
}

func TestGeneratorGivesUpOnAllRejectedBytes(t *testing.T) {
	ff := Generator{Rand: iotest.OneByteReader(repeatReader(0xff))}
	if _, err := ff.AccessKeyID(true); !errors.Is(err, errRandomRejected) {
		t.Errorf("AccessKeyID from 0xff bytes: err = %v, want errRandomRejected", err)
	}
}

// repeatReader yields its byte forever.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func TestDrawUsesWholeAlphabet(t *testing.T) {
	seen := make(map[rune]bool)
	for range 100 {
		for _, c := range NewSecretKey() {
			seen[c] = true
		}
	}
	if len(seen) != len(secretAlphabet) {
		t.Errorf("4000 secret characters used %d distinct characters, want %d", len(seen), len(secretAlphabet))
	}
}
