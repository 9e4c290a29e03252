package creds

import (
	"reflect"
	"testing"
	"time"
)

func TestDecodeSessionRoundTrip(t *testing.T) {
	want := fullSession()
	got, err := decodeSession(appendSession(nil, want))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("decode(encode(s)) = %+v, want %+v", got, want)
	}
}

func TestZeroTimesRoundTrip(t *testing.T) {
	want := roleSession()
	want.IssuedAt = time.Time{}
	got, err := decodeSession(appendSession(nil, want))
	if err != nil {
		t.Fatal(err)
	}
	if !got.IssuedAt.IsZero() {
		t.Errorf("zero IssuedAt came back as %v", got.IssuedAt)
	}
}

func TestDecodeSessionRejectsMalformed(t *testing.T) {
	good := appendSession(nil, roleSession())
	onTheSecond := roleSession()
	onTheSecond.Expires = onTheSecond.Expires.Truncate(time.Second)
	wholeSeconds := appendSession(nil, onTheSecond) // ends in a one-byte 0 nanoseconds
	// good[2] is the length of the 20-character access key id.
	cases := map[string][]byte{
		"empty":               {},
		"truncated":           good[:len(good)-1],
		"trailing byte":       append(append([]byte(nil), good...), 0),
		"zero kind":           append([]byte{0}, good[1:]...),
		"unknown kind":        append([]byte{9}, good[1:]...),
		"unknown flag":        append([]byte{good[0], 0x80}, good[2:]...),
		"non-minimal varint":  append([]byte{good[0], good[1], 0x80 | good[2], 0}, good[3:]...),
		"length past end":     append([]byte{good[0], good[1], 0xff, 0x7f}, good[3:]...),
		"count past end":      {byte(AssumedRole), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7f},
		"nanoseconds too big": append(wholeSeconds[:len(wholeSeconds)-1:len(wholeSeconds)-1], 0x80, 0x94, 0xeb, 0xdc, 0x03),
		"overlong varint":     append([]byte{good[0], good[1]}, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
	}
	for name, b := range cases {
		if sess, err := decodeSession(b); err == nil {
			t.Errorf("%s: decodeSession = %+v, want error", name, sess)
		}
	}
}

// TestMFATimeIsOptional: a session without an MFA time encodes as tokens
// did before the field existed (no flag, nothing after Expires), so those
// tokens still open, and one with it round-trips.
func TestMFATimeIsOptional(t *testing.T) {
	old := roleSession()
	old.MFA = true
	b := appendSession(nil, old)
	if b[1]&flagMFATime != 0 {
		t.Fatal("flagMFATime set without an MFA time")
	}
	got, err := decodeSession(b)
	if err != nil || !got.MFAAuthAt.IsZero() || !got.MFA {
		t.Fatalf("old-format session: %+v, %v", got, err)
	}
	withTime := roleSession()
	withTime.MFA, withTime.MFAAuthAt = true, time.Unix(1_700_000_000, 5).UTC()
	got, err = decodeSession(appendSession(nil, withTime))
	if err != nil || !got.MFAAuthAt.Equal(withTime.MFAAuthAt) {
		t.Fatalf("MFA time: got %v, %v; want %v", got.MFAAuthAt, err, withTime.MFAAuthAt)
	}
	// A flagged session whose time is missing is malformed.
	if _, err := decodeSession(append([]byte{b[0], b[1] | flagMFATime}, b[2:]...)); err == nil {
		t.Fatal("flagMFATime without a time decoded")
	}
}
