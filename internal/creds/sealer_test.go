package creds

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var testNow = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// roleSession is a typical AssumeRole session: no tags, no session policy.
func roleSession() *Session {
	return &Session{
		AccessKeyID:     "ASIAQ3EGUSERSESSION1",
		SecretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		Account:         "123456789012",
		Kind:            AssumedRole,
		RoleARN:         "arn:aws:iam::123456789012:role/service/deploy-pipeline",
		RoleID:          "AROAQ3EGUSERSESSION12",
		SessionName:     "botocore-session-1742051366",
		IssuedAt:        testNow,
		Expires:         testNow.Add(time.Hour),
	}
}

// fullSession sets every field.
func fullSession() *Session {
	s := roleSession()
	s.UserARN = "arn:aws:iam::123456789012:user/alice"
	s.UserID = "AIDAQ3EGUSERSESSION12"
	s.SourceIdentity = "alice@example.com"
	s.Tags = []Tag{{"Project", "unicorn"}, {"CostCenter", "4711"}, {"Empty", ""}}
	s.TransitiveTagKeys = []string{"Project"}
	s.SessionPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	s.PolicyARNs = []string{"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::123456789012:policy/extra"}
	s.MFA = true
	s.MFAAuthAt = s.IssuedAt.Add(-time.Minute)
	s.Chained = true
	return s
}

func testSealer(t testing.TB) *Sealer {
	t.Helper()
	return NewSealer(testKeyring(t, testKey(t, "k1", 1)))
}

func seal(t testing.TB, s *Sealer, sess *Session) string {
	t.Helper()
	token, err := s.Seal(sess)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func TestRoundTrip(t *testing.T) {
	sealer := testSealer(t)
	userSession := &Session{
		AccessKeyID: "ASIAQ3EGUSERSESSION2", SecretAccessKey: NewSecretKey(), Account: "123456789012",
		Kind: UserSession, UserARN: "arn:aws:iam::123456789012:user/bob", UserID: "AIDAQ3EGUSERSESSION12",
		MFA: true, IssuedAt: testNow, Expires: testNow.Add(12 * time.Hour),
	}
	rootSession := &Session{
		AccessKeyID: "ASIAQ3EGUSERSESSION3", Account: "123456789012", Kind: RootSession,
		UserARN: "arn:aws:iam::123456789012:root", UserID: "123456789012", Expires: testNow.Add(time.Hour),
	}
	for _, want := range []*Session{roleSession(), fullSession(), userSession, rootSession} {
		t.Run(want.Kind.String(), func(t *testing.T) {
			got, err := sealer.Open(seal(t, sealer, want), want.AccessKeyID, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip changed the session\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

func TestRoundTripNormalizesTimesAndLists(t *testing.T) {
	sealer := testSealer(t)
	want := roleSession()
	want.IssuedAt = time.Now() // local zone, monotonic clock reading
	want.Expires = want.IssuedAt.Add(time.Hour)
	want.Tags = []Tag{}
	got, err := sealer.Open(seal(t, sealer, want), want.AccessKeyID, want.IssuedAt)
	if err != nil {
		t.Fatal(err)
	}
	if !got.IssuedAt.Equal(want.IssuedAt) || !got.Expires.Equal(want.Expires) || got.Expires.Location() != time.UTC {
		t.Errorf("times = %v, %v; want %v, %v in UTC", got.IssuedAt, got.Expires, want.IssuedAt, want.Expires)
	}
	if got.Tags != nil {
		t.Errorf("empty Tags came back as %#v, want nil", got.Tags)
	}
}

func TestTokensDifferEachTime(t *testing.T) {
	sealer := testSealer(t)
	if seal(t, sealer, roleSession()) == seal(t, sealer, roleSession()) {
		t.Error("two seals of one session gave the same token; nonce is not random")
	}
}

func TestTokenAlphabetAndSize(t *testing.T) {
	sealer := testSealer(t)
	maxPolicy := roleSession()
	maxPolicy.SessionPolicy = strings.Repeat("x", 2048)
	tagged := fullSession()
	tagged.Tags = nil
	for i := range 50 {
		tagged.Tags = append(tagged.Tags, Tag{Key: fmt.Sprintf("%0128d", i), Value: strings.Repeat("v", 256)})
	}
	cases := []struct {
		name    string
		sess    *Session
		maxSize int
	}{
		{"typical session", roleSession(), 400},
		{"session with every field set", fullSession(), 1024},
		{"session with a 2048-character policy", maxPolicy, 4096},
		{"session with 50 maximal tags", tagged, MaxTokenLength},
	}
	for _, c := range cases {
		token := seal(t, sealer, c.sess)
		t.Logf("%s: %d-character token", c.name, len(token))
		if len(token) > c.maxSize {
			t.Errorf("%s: token is %d characters, want at most %d", c.name, len(token), c.maxSize)
		}
		if strings.Trim(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			t.Errorf("%s: token has characters outside base64url", c.name)
		}
	}
}

func TestSealRejectsOversizedSession(t *testing.T) {
	sess := roleSession()
	sess.SessionPolicy = strings.Repeat("x", MaxTokenLength)
	if _, err := testSealer(t).Seal(sess); err == nil {
		t.Error("Seal made a token longer than MaxTokenLength")
	}
}

func TestSealRejectsIncompleteSession(t *testing.T) {
	sealer := testSealer(t)
	cases := map[string]func(*Session){
		"zero kind":        func(s *Session) { s.Kind = 0 },
		"unknown kind":     func(s *Session) { s.Kind = 9 },
		"long-term key id": func(s *Session) { s.AccessKeyID = "AKIAIOSFODNN7EXAMPLE" },
		"missing key id":   func(s *Session) { s.AccessKeyID = "" },
		"malformed key id": func(s *Session) { s.AccessKeyID = "ASIA-short" },
		"no expiry":        func(s *Session) { s.Expires = time.Time{} },
	}
	for name, spoil := range cases {
		sess := roleSession()
		spoil(sess)
		if _, err := sealer.Seal(sess); err == nil {
			t.Errorf("%s: Seal succeeded", name)
		}
	}
	if _, err := sealer.Seal(nil); err == nil {
		t.Error("Seal(nil) succeeded")
	}
	if _, err := NewSealer(&Keyring{}).Seal(roleSession()); err == nil {
		t.Error("Seal with an empty keyring succeeded")
	}
}

func TestSealErrorsDoNotLeakSecrets(t *testing.T) {
	sess := roleSession()
	sess.Kind = 0
	_, err := testSealer(t).Seal(sess)
	if err == nil || strings.Contains(err.Error(), sess.SecretAccessKey) {
		t.Errorf("Seal error = %v; want an error without the secret", err)
	}
}

func assertInvalid(t *testing.T, sess *Session, err error, what string) {
	t.Helper()
	if !errors.Is(err, ErrInvalidToken) || errors.Is(err, ErrExpiredToken) || sess != nil {
		t.Fatalf("%s: Open = %v, %v; want nil, ErrInvalidToken", what, sess, err)
	}
}

const base64URLAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func TestEveryCharacterChangeFails(t *testing.T) {
	sealer := testSealer(t)
	sess := roleSession()
	token := seal(t, sealer, sess)
	for i := range len(token) {
		for _, c := range []byte(base64URLAlphabet + "+/=.~ \n\x00\xff") {
			if c == token[i] {
				continue
			}
			altered := token[:i] + string(c) + token[i+1:]
			got, err := sealer.Open(altered, sess.AccessKeyID, testNow)
			assertInvalid(t, got, err, fmt.Sprintf("character %d set to %q", i, c))
		}
	}
}

func TestEveryBitFlipFails(t *testing.T) {
	sealer := testSealer(t)
	sess := roleSession()
	raw, err := tokenEncoding.DecodeString(seal(t, sealer, sess))
	if err != nil {
		t.Fatal(err)
	}
	for i := range raw {
		for bit := range 8 {
			altered := append([]byte(nil), raw...)
			altered[i] ^= 1 << bit
			got, err := sealer.Open(tokenEncoding.EncodeToString(altered), sess.AccessKeyID, testNow)
			assertInvalid(t, got, err, fmt.Sprintf("byte %d bit %d flipped", i, bit))
		}
	}
}

func TestTruncatedAndExtendedTokensFail(t *testing.T) {
	sealer := testSealer(t)
	sess := roleSession()
	token := seal(t, sealer, sess)
	for n := range len(token) {
		got, err := sealer.Open(token[:n], sess.AccessKeyID, testNow)
		assertInvalid(t, got, err, fmt.Sprintf("truncated to %d characters", n))
	}
	for _, suffix := range []string{"A", "AA", "AAAA", "\n", "\r\n", "="} {
		got, err := sealer.Open(token+suffix, sess.AccessKeyID, testNow)
		assertInvalid(t, got, err, fmt.Sprintf("extended by %q", suffix))
	}
	got, err := sealer.Open(token[:100]+"\n"+token[100:], sess.AccessKeyID, testNow)
	assertInvalid(t, got, err, "newline inserted")
}

func TestWrongKeyFails(t *testing.T) {
	sess := roleSession()
	token := seal(t, testSealer(t), sess)
	sameIDOtherKey := NewSealer(testKeyring(t, testKey(t, "k1", 2)))
	got, err := sameIDOtherKey.Open(token, sess.AccessKeyID, testNow)
	assertInvalid(t, got, err, "same key id, other material")
	otherID := NewSealer(testKeyring(t, testKey(t, "k2", 1)))
	got, err = otherID.Open(token, sess.AccessKeyID, testNow)
	assertInvalid(t, got, err, "unknown key id")
}

func TestRotationKeepsOldKeyUntilRetired(t *testing.T) {
	sess := roleSession()
	r1 := testKeyring(t, testKey(t, "k1", 1))
	oldToken := seal(t, NewSealer(r1), sess)

	r2, err := r1.Rotate(testKey(t, "k2", 2))
	if err != nil {
		t.Fatal(err)
	}
	rotated := NewSealer(r2)
	if _, err := rotated.Open(oldToken, sess.AccessKeyID, testNow); err != nil {
		t.Fatalf("old token after rotation: %v", err)
	}
	newToken := seal(t, rotated, sess)
	if _, err := NewSealer(r1).Open(newToken, sess.AccessKeyID, testNow); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("new token on the old keyring: err = %v, want ErrInvalidToken", err)
	}

	r3, err := r2.Retire("k1")
	if err != nil {
		t.Fatal(err)
	}
	retired := NewSealer(r3)
	got, err := retired.Open(oldToken, sess.AccessKeyID, testNow)
	assertInvalid(t, got, err, "old token after its key was retired")
	if _, err := retired.Open(newToken, sess.AccessKeyID, testNow); err != nil {
		t.Errorf("new token after retiring the old key: %v", err)
	}
}

func TestExpiry(t *testing.T) {
	sealer := testSealer(t)
	sess := roleSession()
	token := seal(t, sealer, sess)
	for _, now := range []time.Time{sess.IssuedAt, sess.Expires.Add(-time.Nanosecond), sess.Expires} {
		if _, err := sealer.Open(token, sess.AccessKeyID, now); err != nil {
			t.Errorf("Open at %v (expires %v): %v", now, sess.Expires, err)
		}
	}
	for _, now := range []time.Time{sess.Expires.Add(time.Nanosecond), sess.Expires.Add(time.Hour)} {
		got, err := sealer.Open(token, sess.AccessKeyID, now)
		if !errors.Is(err, ErrExpiredToken) || errors.Is(err, ErrInvalidToken) || got != nil {
			t.Errorf("Open at %v (expires %v) = %v, %v; want nil, ErrExpiredToken", now, sess.Expires, got, err)
		}
	}
}

func TestExpiredForgeryIsInvalidNotExpired(t *testing.T) {
	sess := roleSession()
	token := seal(t, testSealer(t), sess)
	stranger := NewSealer(testKeyring(t, testKey(t, "k1", 2)))
	got, err := stranger.Open(token, sess.AccessKeyID, sess.Expires.Add(time.Hour))
	assertInvalid(t, got, err, "foreign token opened after expiry")
}

func TestMismatchedAccessKeyIDFails(t *testing.T) {
	sealer := testSealer(t)
	sess := roleSession()
	token := seal(t, sealer, sess)
	for _, presented := range []string{"", "ASIAQ3EGUSERSESSION9", "AKIAQ3EGUSERSESSION1", strings.ToLower(sess.AccessKeyID), sess.AccessKeyID + " "} {
		got, err := sealer.Open(token, presented, testNow)
		assertInvalid(t, got, err, fmt.Sprintf("presented %q", presented))
	}
}

func TestGarbageIsInvalid(t *testing.T) {
	sealer := testSealer(t)
	valid := seal(t, sealer, roleSession())
	header := func(b ...byte) string { return tokenEncoding.EncodeToString(append(b, make([]byte, 64)...)) }
	garbage := map[string]string{
		"empty":              "",
		"one character":      "A",
		"padding":            "====",
		"not base64":         "!!!not a token!!!",
		"standard base64":    strings.NewReplacer("-", "+", "_", "/").Replace(valid) + "+/",
		"padded":             valid + "==",
		"huge":               strings.Repeat("A", 10<<20),
		"just over max":      strings.Repeat("A", MaxTokenLength+1),
		"max length":         strings.Repeat("A", MaxTokenLength),
		"unicode":            "ASIA☃" + valid,
		"version 0":          header(0, 2, 'k', '1'),
		"version 2":          header(2, 2, 'k', '1'),
		"empty key id":       header(tokenVersion, 0),
		"key id too long":    header(tokenVersion, MaxKeyIDLength+1),
		"key id past end":    tokenEncoding.EncodeToString([]byte{tokenVersion, 255, 'k'}),
		"header only":        tokenEncoding.EncodeToString([]byte{tokenVersion, 2, 'k', '1'}),
		"no tag":             tokenEncoding.EncodeToString(append([]byte{tokenVersion, 2, 'k', '1'}, make([]byte, 27)...)),
		"valid header, zero": header(tokenVersion, 2, 'k', '1'),
	}
	for name, token := range garbage {
		got, err := sealer.Open(token, "ASIAQ3EGUSERSESSION1", testNow)
		assertInvalid(t, got, err, name)
	}
}

func TestOpenErrorsDoNotLeakSecrets(t *testing.T) {
	sealer := testSealer(t)
	sess := roleSession()
	token := seal(t, sealer, sess)
	_, err := sealer.Open(token, sess.AccessKeyID, sess.Expires.Add(time.Second))
	_, err2 := sealer.Open(token, "ASIAQ3EGUSERSESSION9", testNow)
	for _, err := range []error{err, err2} {
		if msg := err.Error(); strings.Contains(msg, sess.SecretAccessKey) || strings.Contains(msg, token[20:60]) {
			t.Errorf("Open error %q contains secret material", msg)
		}
	}
}

func TestPrintingSessionRedactsSecret(t *testing.T) {
	sess := fullSession()
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{sess, *sess} {
			out := fmt.Sprintf(verb, v)
			if strings.Contains(out, sess.SecretAccessKey) || !strings.Contains(out, sess.RoleARN) {
				t.Errorf("Sprintf(%q, %T) = %q; want role ARN shown and secret hidden", verb, v, out)
			}
		}
	}
	if sess.SecretAccessKey == "REDACTED" {
		t.Error("printing changed the session")
	}
}

func TestConcurrentSealAndOpen(t *testing.T) {
	sealer := testSealer(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				sess := roleSession()
				token, err := sealer.Seal(sess)
				if err == nil {
					_, err = sealer.Open(token, sess.AccessKeyID, testNow)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestSessionKindString(t *testing.T) {
	for kind, want := range map[SessionKind]string{AssumedRole: "AssumedRole", UserSession: "UserSession", RootSession: "RootSession", 0: "SessionKind(0)"} {
		if got := kind.String(); got != want {
			t.Errorf("SessionKind(%d).String() = %q, want %q", kind, got, want)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	sealer := testSealer(b)
	sess := roleSession()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sealer.Seal(sess); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	sealer := testSealer(b)
	sess := roleSession()
	token := seal(b, sealer, sess)
	b.ReportMetric(float64(len(token)), "token-chars")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sealer.Open(token, sess.AccessKeyID, testNow); err != nil {
			b.Fatal(err)
		}
	}
}
