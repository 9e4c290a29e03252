package creds

import (
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// MaxTokenLength is the longest session token, in characters, that Seal
// makes and Open considers. It leaves room for a session with many tags and
// a full session policy while staying far below environment variable and
// HTTP header limits.
const MaxTokenLength = 64 << 10

const (
	tokenVersion  byte = 1
	gcmOverhead        = 12 + 16 // nonce and tag
	minTokenBytes      = 2 + 1 + gcmOverhead
)

// Errors returned by Sealer.Open; test for them with errors.Is.
var (
	// ErrInvalidToken means the token is not one this server sealed for the
	// presented access key id: garbage, truncated, altered, sealed with an
	// unknown or retired key, or paired with another access key id.
	ErrInvalidToken = errors.New("invalid session token")
	// ErrExpiredToken means the token is authentic but its session has
	// expired.
	ErrExpiredToken = errors.New("expired session token")
)

var tokenEncoding = base64.RawURLEncoding.Strict()

// Sealer turns sessions into opaque session tokens and back, using a
// keyring. It is safe for concurrent use. To rotate keys, make a new Sealer
// from the rotated keyring.
type Sealer struct {
	keys *Keyring
}

// NewSealer returns a sealer using keys, which must not be nil.
func NewSealer(keys *Keyring) *Sealer {
	return &Sealer{keys: keys}
}

// Seal encrypts sess with the keyring's current key and returns the token.
// The session must have a known Kind, a temporary (ASIA) access key id and
// an expiry.
func (s *Sealer) Seal(sess *Session) (string, error) {
	if err := checkSealable(sess); err != nil {
		return "", fmt.Errorf("sealing session: %w", err)
	}
	keyID := s.keys.CurrentID()
	aead, ok := s.keys.aead(keyID)
	if !ok {
		return "", errors.New("sealing session: keyring has no current key")
	}
	buf := sealBuffers.Get().(*sealBuffer)
	defer buf.release()
	header := appendTokenHeader(buf.sealed[:0], keyID)
	buf.plain = appendSession(buf.plain[:0], sess)
	buf.data = appendAdditionalData(buf.data[:0], header, sess.AccessKeyID)
	sealed := aead.Seal(header, nil, buf.plain, buf.data)
	buf.sealed = sealed
	n := tokenEncoding.EncodedLen(len(sealed))
	if n > MaxTokenLength {
		return "", fmt.Errorf("sealing session: token would exceed %d characters", MaxTokenLength)
	}
	buf.text = slices.Grow(buf.text[:0], n)[:n]
	tokenEncoding.Encode(buf.text, sealed)
	return string(buf.text), nil
}

// sealBuffer holds one Seal's working bytes; the pool saves allocating
// them (the encoded session, the header, the additional data, the sealed
// bytes and their text) for every token.
type sealBuffer struct {
	plain, data, sealed, text []byte
}

var sealBuffers = sync.Pool{New: func() any { return new(sealBuffer) }}

// maxPooledSeal keeps a large session's buffers out of the pool.
const maxPooledSeal = 8 << 10

// release zeroes the session's plaintext (and the rest) and returns the
// buffers to the pool.
func (b *sealBuffer) release() {
	clear(b.plain[:cap(b.plain)])
	if cap(b.plain) > maxPooledSeal || cap(b.sealed) > maxPooledSeal || cap(b.text) > maxPooledSeal || cap(b.data) > maxPooledSeal {
		return
	}
	sealBuffers.Put(b)
}

func checkSealable(sess *Session) error {
	switch {
	case sess == nil:
		return errors.New("nil session")
	case !sess.Kind.known():
		return fmt.Errorf("unknown session kind %v", sess.Kind)
	case !isTemporaryAccessKeyID(sess.AccessKeyID):
		return errors.New("access key id is not a temporary (ASIA) access key id")
	case sess.Expires.IsZero():
		return errors.New("session has no expiry")
	}
	return nil
}

func isTemporaryAccessKeyID(s string) bool {
	temporary, ok := IsAccessKeyID(s)
	return ok && temporary
}

// tokenHeader returns the version byte, key id length and key id. Keyring
// guarantees the id is 1 to MaxKeyIDLength bytes.
func tokenHeader(keyID string) []byte {
	return appendTokenHeader(make([]byte, 0, 2+len(keyID)), keyID)
}

func appendTokenHeader(b []byte, keyID string) []byte {
	b = append(b, tokenVersion, byte(len(keyID)))
	return append(b, keyID...)
}

// additionalData binds the header and the access key id to the ciphertext.
func additionalData(header []byte, accessKeyID string) []byte {
	return appendAdditionalData(make([]byte, 0, len(header)+len(accessKeyID)), header, accessKeyID)
}

func appendAdditionalData(b, header []byte, accessKeyID string) []byte {
	return append(append(b, header...), accessKeyID...)
}

// Open decrypts token and returns its session. presentedAccessKeyID is the
// access key id the request was signed with; a token sealed for another one
// does not open. Open fails with an error wrapping ErrInvalidToken unless the
// token is authentic, and then with one wrapping ErrExpiredToken if now is
// after the session's Expires. Returned times are in UTC.
func (s *Sealer) Open(token, presentedAccessKeyID string, now time.Time) (*Session, error) {
	if err := checkTokenText(token); err != nil {
		return nil, err
	}
	// The working bytes (the decoded token, the additional data and the
	// plaintext, decrypted in place) come from Seal's pool; the plaintext
	// is zeroed before they go back. The session's strings are copied out.
	buf := sealBuffers.Get().(*sealBuffer)
	defer buf.release()
	raw, err := decodeTokenInto(buf.sealed[:0], token)
	buf.sealed = raw
	if err != nil {
		return nil, err
	}
	keyID, body, err := splitTokenBytes(raw)
	if err != nil {
		return nil, err
	}
	aead, ok := s.keys.aeadBytes(keyID)
	if !ok {
		return nil, fmt.Errorf("%w: sealed with an unknown key", ErrInvalidToken)
	}
	header := raw[:len(raw)-len(body)]
	buf.data = appendAdditionalData(buf.data[:0], header, presentedAccessKeyID)
	plaintext, err := aead.Open(body[:0], nil, body, buf.data)
	if err != nil {
		clear(raw)
		return nil, fmt.Errorf("%w: authentication failed", ErrInvalidToken)
	}
	// release zeroes buf.plain: point it at the plaintext.
	buf.plain = plaintext
	return checkOpened(plaintext, presentedAccessKeyID, now)
}

// checkTokenText checks a token's size and alphabet before it is decoded.
func checkTokenText(token string) error {
	if len(token) > MaxTokenLength {
		return fmt.Errorf("%w: longer than %d characters", ErrInvalidToken, MaxTokenLength)
	}
	// The decoder skips CR and LF; reject them so each token has one spelling.
	for i := 0; i < len(token); i++ {
		if token[i] == '\r' || token[i] == '\n' {
			return fmt.Errorf("%w: not base64url", ErrInvalidToken)
		}
	}
	return nil
}

// decodeTokenInto decodes a checked token into dst's storage.
func decodeTokenInto(dst []byte, token string) ([]byte, error) {
	raw, err := tokenEncoding.AppendDecode(dst, []byte(token))
	if err != nil {
		return raw, fmt.Errorf("%w: not base64url", ErrInvalidToken)
	}
	if len(raw) < minTokenBytes {
		return raw, fmt.Errorf("%w: too short", ErrInvalidToken)
	}
	return raw, nil
}

// decodeToken checks the token's size and alphabet and decodes it.
func decodeToken(token string) ([]byte, error) {
	if err := checkTokenText(token); err != nil {
		return nil, err
	}
	return decodeTokenInto(nil, token)
}

// splitToken parses the header, returning the key id and the sealed body.
func splitToken(raw []byte) (keyID string, body []byte, err error) {
	id, body, err := splitTokenBytes(raw)
	return string(id), body, err
}

// splitTokenBytes is splitToken with the key id left in raw.
func splitTokenBytes(raw []byte) (keyID, body []byte, err error) {
	if raw[0] != tokenVersion {
		return nil, nil, fmt.Errorf("%w: unsupported format version", ErrInvalidToken)
	}
	idLen := int(raw[1])
	if idLen == 0 || idLen > MaxKeyIDLength || len(raw) < 2+idLen+gcmOverhead {
		return nil, nil, fmt.Errorf("%w: malformed header", ErrInvalidToken)
	}
	return raw[2 : 2+idLen], raw[2+idLen:], nil
}

// checkOpened decodes an authentic plaintext and checks it against the
// presented access key id and the clock.
func checkOpened(plaintext []byte, presentedAccessKeyID string, now time.Time) (*Session, error) {
	sess, err := decodeSession(plaintext)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	if sess.AccessKeyID != presentedAccessKeyID {
		return nil, fmt.Errorf("%w: issued for another access key id", ErrInvalidToken)
	}
	if now.After(sess.Expires) {
		return nil, fmt.Errorf("%w: expired at %s", ErrExpiredToken, sess.Expires.Format(time.RFC3339))
	}
	return sess, nil
}
