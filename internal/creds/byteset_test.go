package creds

import "testing"

// The byte sets answer as allFrom over their alphabets, for every byte.
func TestByteSetsAsAllFrom(t *testing.T) {
	for _, c := range []struct {
		set      *byteSet
		alphabet string
	}{{idBytes, idAlphabet}, {secretBytes, secretAlphabet}} {
		for b := 0; b < 256; b++ {
			for _, s := range []string{string([]byte{byte(b)}), "AB" + string([]byte{byte(b)}) + "CD", ""} {
				if c.set.all(s) != allFrom(s, c.alphabet) {
					t.Errorf("%q over %q: %v", s, c.alphabet, c.set.all(s))
				}
			}
		}
	}
}
