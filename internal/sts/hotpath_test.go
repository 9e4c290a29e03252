package sts

import (
	"regexp"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/awsproto"
)

// TestBytePatternsAsRegexp: the byte patterns answer as the regular
// expressions they replace, for every byte in every position and for
// multi-byte and invalid UTF-8.
func TestBytePatternsAsRegexp(t *testing.T) {
	for _, c := range []struct {
		p  *bytePattern
		re *regexp.Regexp
	}{
		{sessionNamePattern, regexp.MustCompile(`^[\w+=,.@-]*$`)},
		{externalIDPattern, regexp.MustCompile(`^[\w+=,.@:/-]*$`)},
	} {
		inputs := []string{"", "bench", "a b", "é", "ab\xff", "\u0660", "x\x00", "session_name+=,.@-:/"}
		for b := 0; b < 256; b++ {
			inputs = append(inputs, string([]byte{byte(b)}), "ab"+string([]byte{byte(b)})+"cd")
		}
		for _, in := range inputs {
			if got, want := c.p.MatchString(in), c.re.MatchString(in); got != want {
				t.Errorf("%s: %q: %v, regexp %v", c.re, in, got, want)
			}
		}
	}
}

func FuzzBytePatterns(f *testing.F) {
	f.Add("bench-session@x.y")
	f.Add("é/:")
	re1, re2 := regexp.MustCompile(`^[\w+=,.@-]*$`), regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	f.Fuzz(func(t *testing.T, s string) {
		if sessionNamePattern.MatchString(s) != re1.MatchString(s) || externalIDPattern.MatchString(s) != re2.MatchString(s) {
			t.Fatalf("%q", s)
		}
	})
}

// expiration answers as Format, from its cache or not.
func TestExpirationAsFormat(t *testing.T) {
	s := &Service{}
	base := time.Date(2026, 12, 5, 21, 0, 0, 0, time.UTC)
	for _, tm := range []time.Time{base, base, base.Add(time.Second), base, base.Add(500 * time.Millisecond),
		base.In(time.FixedZone("JST", 9*3600)), base.Add(time.Hour)} {
		if got, want := s.expiration(tm), tm.Format(awsproto.Timestamp); got != want {
			t.Errorf("expiration(%v) = %s, want %s", tm, got, want)
		}
	}
}
