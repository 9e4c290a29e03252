package totp

import (
	"strings"
	"testing"
	"time"
)

// rfcKey is RFC 6238 Appendix B's SHA-1 key.
var rfcKey = []byte("12345678901234567890")

// TestRFC6238Vectors checks Appendix B's SHA-1 codes, as eight digits
// and truncated to the six AWS uses.
func TestRFC6238Vectors(t *testing.T) {
	for _, tc := range []struct {
		unix  int64
		code8 string
	}{
		{59, "94287082"},
		{1111111109, "07081804"},
		{1111111111, "14050471"},
		{1234567890, "89005924"},
		{2000000000, "69279037"},
		{20000000000, "65353130"},
	} {
		at := time.Unix(tc.unix, 0)
		if got := HOTP(rfcKey, uint64(StepAt(at)), 8); got != tc.code8 {
			t.Errorf("T=%d: 8 digits %s, want %s", tc.unix, got, tc.code8)
		}
		if got, want := Code(rfcKey, at), tc.code8[2:]; got != want {
			t.Errorf("T=%d: 6 digits %s, want %s", tc.unix, got, want)
		}
	}
}

func TestMatchWindowAndReuse(t *testing.T) {
	now := time.Unix(1111111111, 0)
	step := StepAt(now)
	for _, d := range []int64{-1, 0, 1} {
		got, ok := Match(rfcKey, CodeAt(rfcKey, step+d), now, 0)
		if !ok || got != step+d {
			t.Errorf("offset %d: got %d %v", d, got, ok)
		}
	}
	for _, d := range []int64{-2, 2} {
		if _, ok := Match(rfcKey, CodeAt(rfcKey, step+d), now, 0); ok {
			t.Errorf("offset %d accepted outside the window", d)
		}
	}
	// A step already used, or older than one used, never matches again.
	if _, ok := Match(rfcKey, CodeAt(rfcKey, step), now, step); ok {
		t.Error("reused code accepted")
	}
	if _, ok := Match(rfcKey, CodeAt(rfcKey, step-1), now, step); ok {
		t.Error("code older than the last used one accepted")
	}
	if _, ok := Match(rfcKey, "000000x", now, 0); ok {
		t.Error("garbage accepted")
	}
}

func TestMatchConsecutive(t *testing.T) {
	now := time.Unix(1234567890, 0)
	step := StepAt(now)
	got, ok := MatchConsecutive(rfcKey, CodeAt(rfcKey, step), CodeAt(rfcKey, step+1), now, 0, Window)
	if !ok || got != step+1 {
		t.Fatalf("consecutive codes: %d %v", got, ok)
	}
	if _, ok := MatchConsecutive(rfcKey, CodeAt(rfcKey, step), CodeAt(rfcKey, step+2), now, 0, Window); ok {
		t.Error("non-consecutive codes accepted")
	}
	if _, ok := MatchConsecutive(rfcKey, CodeAt(rfcKey, step), CodeAt(rfcKey, step), now, 0, Window); ok {
		t.Error("the same code twice accepted")
	}
}

func TestSeedRoundTrip(t *testing.T) {
	seed := NewSeed()
	if len(seed) != 64 || strings.ContainsAny(seed, "=") {
		t.Fatalf("seed %q: want 64 base32 characters", seed)
	}
	key, err := DecodeSeed(strings.ToLower(seed))
	if err != nil || len(key) != SeedBytes {
		t.Fatalf("DecodeSeed: %d bytes, %v", len(key), err)
	}
	if _, err := DecodeSeed("not base32!"); err == nil {
		t.Error("bad seed accepted")
	}
	if _, err := DecodeSeed(""); err == nil {
		t.Error("empty seed accepted")
	}
}

func TestURI(t *testing.T) {
	got := URI("Amazon Web Services", "dev-phone@123456789012", "ABC")
	want := "otpauth://totp/Amazon%20Web%20Services:dev-phone@123456789012?secret=ABC&issuer=Amazon%20Web%20Services"
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestQRCodePNG(t *testing.T) {
	png, err := QRCodePNG(URI("Amazon Web Services", "d@1", NewSeed()))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(png), "\x89PNG\r\n\x1a\n") {
		t.Fatal("not a PNG")
	}
}
