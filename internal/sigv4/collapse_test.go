package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"net/textproto"
	"strings"
	"testing"
)

// FuzzAppendCollapsed pins the allocation-free header trimming to the
// definition it replaces: strings.Join(strings.Fields(v), " ").
func FuzzAppendCollapsed(f *testing.F) {
	for _, v := range []string{"", " ", "a", "  a  b\t c ", "x\r\ny", "\u00a0a\u0085b", "AWS4-HMAC-SHA256  Credential=x"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		want := strings.Join(strings.Fields(v), " ")
		if got := string(appendCollapsed([]byte("p:"), v)); got != "p:"+want {
			t.Fatalf("appendCollapsed(%q) = %q, want %q", v, got, "p:"+want)
		}
	})
}

// isPlainPath must say yes only when both canonical forms of the path are
// the path itself, so that skipping them changes nothing.
func TestIsPlainPathAgreesWithEncoding(t *testing.T) {
	for _, p := range []string{"/", "", "//", "/a", "/a/", "/a//b", "/./a", "/a/.", "/a/..", "/a/../b", "/..", "/.a", "/a.b/c~d_e-f",
		"/a b", "/a%20b", "a", "/é", "/a/b/", "/.", "/a/./", "/~", "///"} {
		checkPlainPath(t, p)
	}
}

func FuzzIsPlainPath(f *testing.F) {
	for _, p := range []string{"/", "/a/b", "/a/../b", "//x", "/a/."} {
		f.Add(p)
	}
	f.Fuzz(checkPlainPath)
}

func checkPlainPath(t *testing.T, p string) {
	same := uriEncode(normalizePath(p), true) == p && uriEncode(p, true) == p
	if got := isPlainPath(p); got && !same {
		t.Errorf("isPlainPath(%q) = true, but its canonical forms are %q and %q", p, uriEncode(normalizePath(p), true), uriEncode(p, true))
	}
}

// hmacSum is crypto/hmac's HMAC-SHA256 for every key and message length.
func TestHMACSumMatchesCryptoHMAC(t *testing.T) {
	for _, keyLen := range []int{0, 1, 32, 63, 64, 65, 200} {
		for _, msgLen := range []int{0, 1, 55, 64, 200, 447, 448, 449, 2000} {
			key, msg := []byte(strings.Repeat("k", keyLen)), []byte(strings.Repeat("m", msgLen))
			m := hmac.New(sha256.New, key)
			m.Write(msg)
			if got := hmacSum(key, msg); !hmac.Equal(got[:], m.Sum(nil)) {
				t.Errorf("key %d bytes, message %d bytes: differs from crypto/hmac", keyLen, msgLen)
			}
		}
	}
}

// appendCanonicalKey is textproto.CanonicalMIMEHeaderKey wherever it
// claims the name.
func FuzzAppendCanonicalKey(f *testing.F) {
	for _, s := range []string{"host", "x-amz-date", "Content-Type", "X-AMZ-CONTENT-SHA256", "a--b", "-a", "1a", "x_y", "é", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		var buf [64]byte
		if got, ok := appendCanonicalKey(buf[:0], name); ok && string(got) != textproto.CanonicalMIMEHeaderKey(name) {
			t.Fatalf("appendCanonicalKey(%q) = %q, CanonicalMIMEHeaderKey %q", name, got, textproto.CanonicalMIMEHeaderKey(name))
		}
	})
}
