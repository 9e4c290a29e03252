package creds

import (
	"errors"
	"testing"
)

// FuzzOpen checks that Open never panics and that whatever it accepts was
// sealed for the presented access key id and has not expired.
func FuzzOpen(f *testing.F) {
	sealer := testSealer(f)
	for _, sess := range []*Session{roleSession(), fullSession()} {
		f.Add(seal(f, sealer, sess), sess.AccessKeyID)
	}
	f.Add("", "")
	f.Add("AQJrMQ", "ASIAQ3EGUSERSESSION1")
	f.Add("!!!", "ASIAQ3EGUSERSESSION1")
	f.Fuzz(func(t *testing.T, token, accessKeyID string) {
		sess, err := sealer.Open(token, accessKeyID, testNow)
		if err != nil {
			if sess != nil || !(errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrExpiredToken)) {
				t.Fatalf("Open = %v, %v; want nil and a token error", sess, err)
			}
			return
		}
		if sess.AccessKeyID != accessKeyID || testNow.After(sess.Expires) {
			t.Fatalf("Open accepted a session for %q expiring %v", sess.AccessKeyID, sess.Expires)
		}
	})
}

// FuzzDecodeSession checks that the session decoder never panics and that
// whatever it accepts encodes back to the same bytes.
func FuzzDecodeSession(f *testing.F) {
	for _, sess := range []*Session{roleSession(), fullSession()} {
		f.Add(appendSession(nil, sess))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		sess, err := decodeSession(b)
		if err != nil {
			return
		}
		if again := appendSession(nil, sess); string(again) != string(b) {
			t.Fatalf("re-encoding changed the bytes:\n got %x\nwant %x", again, b)
		}
	})
}
