package creds

import "testing"

// TestAccessKeyIDCarriesAccount: generated key ids decode to their
// account, and AWS's documented example key decodes as AWS's tools do.
func TestAccessKeyIDCarriesAccount(t *testing.T) {
	for _, account := range []string{"111111111111", "000000000001", "999999999999", "123456789012"} {
		for _, temporary := range []bool{true, false} {
			id := NewAccessKeyIDFor(temporary, account)
			if tmp, ok := IsAccessKeyID(id); !ok || tmp != temporary {
				t.Fatalf("%s is not a well-formed key id (temporary %v)", id, temporary)
			}
			if got, ok := AccountOfAccessKeyID(id); !ok || got != account {
				t.Fatalf("AccountOfAccessKeyID(%s) = %q, %v; want %s", id, got, ok, account)
			}
		}
	}
	if a, b := NewAccessKeyIDFor(true, "111111111111"), NewAccessKeyIDFor(true, "111111111111"); a == b {
		t.Fatalf("two key ids are equal: %s", a)
	}
	// ASIAY34FZKBOKMUTVV7A is a published example whose account is 609629065308.
	if got, ok := AccountOfAccessKeyID("ASIAY34FZKBOKMUTVV7A"); !ok || got != "609629065308" {
		t.Fatalf("example key: %q, %v", got, ok)
	}
	if _, ok := AccountOfAccessKeyID("AKIA2222ALICE0000001"); ok {
		t.Fatal("a key id with non-base32 characters decoded")
	}
}

// FuzzAccountOfAccessKeyID: decoding never panics, and whatever decodes
// is a 12-digit account.
func FuzzAccountOfAccessKeyID(f *testing.F) {
	f.Add("ASIAY34FZKBOKMUTVV7A")
	f.Add("AKIA2222ALICE0000001")
	f.Add("")
	f.Fuzz(func(t *testing.T, id string) {
		if account, ok := AccountOfAccessKeyID(id); ok && len(account) != 12 {
			t.Fatalf("AccountOfAccessKeyID(%q) = %q", id, account)
		}
	})
}
