package creds

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// testKey returns a key whose material is fill repeated.
func testKey(t testing.TB, id string, fill byte) Key {
	t.Helper()
	k, err := KeyFromBytes(id, bytes.Repeat([]byte{fill}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testKeyring(t testing.TB, current Key, older ...Key) *Keyring {
	t.Helper()
	r, err := NewKeyring(current, older...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestKeyFromBytesValidates(t *testing.T) {
	good := make([]byte, KeySize)
	cases := []struct {
		id       string
		material []byte
	}{
		{"", good},
		{strings.Repeat("k", MaxKeyIDLength+1), good},
		{"has space", good},
		{"k/1", good},
		{"k1", good[:16]},
		{"k1", append(good, 0)},
		{"k1", nil},
	}
	for _, c := range cases {
		if _, err := KeyFromBytes(c.id, c.material); err == nil {
			t.Errorf("KeyFromBytes(%q, %d bytes) succeeded", c.id, len(c.material))
		}
	}
	if _, err := KeyFromBytes(strings.Repeat("k", MaxKeyIDLength), good); err != nil {
		t.Errorf("KeyFromBytes with a %d-character id: %v", MaxKeyIDLength, err)
	}
}

func TestKeyCopiesMaterial(t *testing.T) {
	material := bytes.Repeat([]byte{7}, KeySize)
	k, err := KeyFromBytes("k1", material)
	if err != nil {
		t.Fatal(err)
	}
	material[0] = 8
	got := k.Bytes()
	if got[0] != 7 {
		t.Error("Key shares its material with the caller's slice")
	}
	got[1] = 9
	if k.Bytes()[1] != 7 {
		t.Error("Key.Bytes exposes the key's own array")
	}
}

func TestNewKeyIsRandom(t *testing.T) {
	a, err := NewKey("a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewKey("b")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(a.Bytes(), b.Bytes()) || bytes.Equal(a.Bytes(), make([]byte, KeySize)) {
		t.Error("NewKey material is not random")
	}
	if _, err := NewKey(""); err == nil {
		t.Error("NewKey accepted an empty id")
	}
}

func TestPrintingNeverShowsKeyMaterial(t *testing.T) {
	k := testKey(t, "k1", 0xAB)
	r := testKeyring(t, k, testKey(t, "k0", 0xAB))
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%d", "%q"} {
		for _, v := range []any{k, &k, r, []Key{k}} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(strings.ToLower(out), "abab") || strings.Contains(out, "171") {
				t.Errorf("Sprintf(%q, %T) = %q shows key material", verb, v, out)
			}
		}
	}
}

func TestNewKeyringRejectsBadKeys(t *testing.T) {
	if _, err := NewKeyring(Key{}); err == nil {
		t.Error("NewKeyring accepted the zero Key")
	}
	k := testKey(t, "k1", 1)
	if _, err := NewKeyring(k, testKey(t, "k1", 2)); err == nil {
		t.Error("NewKeyring accepted a duplicate key id")
	}
}

func TestRotateAndRetire(t *testing.T) {
	r1 := testKeyring(t, testKey(t, "k1", 1))
	r2, err := r1.Rotate(testKey(t, "k2", 2))
	if err != nil {
		t.Fatal(err)
	}
	if got := r2.IDs(); !slices.Equal(got, []string{"k2", "k1"}) || r2.CurrentID() != "k2" {
		t.Errorf("after rotation IDs = %v, current %q; want [k2 k1], k2", got, r2.CurrentID())
	}
	if r1.CurrentID() != "k1" || len(r1.IDs()) != 1 {
		t.Error("Rotate changed the original keyring")
	}
	if _, err := r2.Rotate(testKey(t, "k1", 3)); err == nil {
		t.Error("Rotate accepted a key id already in the keyring")
	}
	if _, err := r2.Retire("k2"); err == nil {
		t.Error("Retire removed the current key")
	}
	if _, err := r2.Retire("k9"); err == nil {
		t.Error("Retire removed an unknown key")
	}
	r3, err := r2.Retire("k1")
	if err != nil {
		t.Fatal(err)
	}
	if got := r3.IDs(); !slices.Equal(got, []string{"k2"}) {
		t.Errorf("after retiring k1 IDs = %v, want [k2]", got)
	}
}
