package creds

import (
	"errors"
	"testing"
)

// TestSealedMessages: a sealed message opens to its plaintext, an edited
// one does not, and messages and session tokens never open as each other.
func TestSealedMessages(t *testing.T) {
	s := testSealer(t)
	msg, err := s.SealMessage([]byte(`{"allowed":false}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.OpenMessage(msg)
	if err != nil || string(got) != `{"allowed":false}` {
		t.Fatalf("OpenMessage = %q, %v", got, err)
	}
	edited := []byte(msg)
	edited[len(edited)-3] ^= 1
	if _, err := s.OpenMessage(string(edited)); !errors.Is(err, ErrInvalidMessage) {
		t.Fatalf("edited message: %v", err)
	}
	other := NewSealer(testKeyring(t, testKey(t, "k2", 2)))
	if _, err := other.OpenMessage(msg); !errors.Is(err, ErrInvalidMessage) {
		t.Fatalf("another keyring opened the message: %v", err)
	}
	sess := roleSession()
	token := seal(t, s, sess)
	if _, err := s.OpenMessage(token); !errors.Is(err, ErrInvalidMessage) {
		t.Fatalf("a session token opened as a message: %v", err)
	}
	if _, err := s.Open(msg, sess.AccessKeyID, testNow); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("a message opened as a session token: %v", err)
	}
}

func FuzzOpenMessage(f *testing.F) {
	s := testSealer(f)
	msg, _ := s.SealMessage([]byte("x"))
	f.Add(msg)
	f.Add("")
	f.Fuzz(func(t *testing.T, m string) {
		_, _ = s.OpenMessage(m)
	})
}
