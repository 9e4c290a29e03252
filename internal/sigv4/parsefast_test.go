package sigv4

import (
	"strings"
	"testing"
	"time"
)

// FuzzParseAmzDate pins parseAmzDate to time.Parse: the same time, or an
// error where it has one.
func FuzzParseAmzDate(f *testing.F) {
	for _, s := range []string{"20260102T150405Z", "20240229T000000Z", "20230229T000000Z", "20261231T235959Z",
		"00000101T000000Z", "20261301T000000Z", "20260100T000000Z", "20260431T000000Z", "20260102T240000Z",
		"20260102T156005Z", "20260102T150460Z", "20260102T150405.5Z", "2026-1-2T150405Z", "+0260102T150405Z",
		"20260102t150405Z", "20260102T150405z", "", "20260102T15045Z", "99991231T235959Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, wantErr := time.Parse(amzDateFormat, s)
		got, err := parseAmzDate(s)
		if (err != nil) != (wantErr != nil) || !got.Equal(want) || got.Location() != want.Location() || (err != nil && err.Error() != wantErr.Error()) {
			t.Fatalf("parseAmzDate(%q) = %v, %v; time.Parse: %v, %v", s, got, err, want, wantErr)
		}
	})
}

// parseAuthFieldsRunes is parseAuthFields as it was written with
// strings.FieldsFuncSeq, the reference for FuzzParseAuthFields.
func parseAuthFieldsRunes(s string) authFields {
	var f authFields
	var seenCredential, seenSignedHeaders, seenSignature bool
	separator := func(c rune) bool { return c == ',' || c == ' ' || c == '\t' }
	for field := range strings.FieldsFuncSeq(s, separator) {
		name, value, ok := strings.Cut(field, "=")
		if !ok {
			continue
		}
		switch name {
		case "Credential":
			if !seenCredential {
				f.credential, seenCredential = value, true
			}
		case "SignedHeaders":
			if !seenSignedHeaders {
				f.signedHeaders, seenSignedHeaders = value, true
			}
		case "Signature":
			if !seenSignature {
				f.signature, seenSignature = value, true
			}
		}
	}
	return f
}

// FuzzParseAuthFields pins the byte-wise split to the rune-wise one.
func FuzzParseAuthFields(f *testing.F) {
	for _, s := range []string{"Credential=AKID/20260102/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc",
		",,Credential=a\t Signature=b,SignedHeaders=c", "Credential=\xff\xfe, Signature=é,\u00a0SignedHeaders=x",
		"Credential=a, Credential=b", "=", " , ", "Signature", "Signature==x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := parseAuthFields(s), parseAuthFieldsRunes(s); got != want {
			t.Fatalf("parseAuthFields(%q) = %+v, want %+v", s, got, want)
		}
	})
}
