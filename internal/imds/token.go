package imds

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// IMDSv2 header names and token TTL bounds.
const (
	TokenHeader    = "X-Aws-Ec2-Metadata-Token"
	TokenTTLHeader = "X-Aws-Ec2-Metadata-Token-Ttl-Seconds"
	MinTokenTTL    = 1
	MaxTokenTTL    = 21600
)

// Token verification failures.
var (
	errTokenMalformed = errors.New("malformed metadata token")
	errTokenForged    = errors.New("metadata token signature mismatch")
	errTokenExpired   = errors.New("metadata token expired")
)

// tokenSigner mints and checks IMDSv2 session tokens: base64url of the
// expiry (8 bytes, Unix seconds) and an HMAC-SHA256 over instance ID and
// expiry, keyed per process so tokens die with the server.
type tokenSigner struct {
	key []byte
}

const tokenMACSize = sha256.Size

// newTokenSigner draws a random key.
func newTokenSigner() *tokenSigner {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		panic(fmt.Errorf("imds: token key: %w", err))
	}
	return &tokenSigner{key: key}
}

// mint returns a token for instanceID valid until expires.
func (t *tokenSigner) mint(instanceID string, expires time.Time) string {
	buf := make([]byte, 8, 8+tokenMACSize)
	binary.BigEndian.PutUint64(buf, uint64(expires.Unix()))
	buf = append(buf, t.mac(instanceID, buf[:8])...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// verify checks token's signature for instanceID and that it is unexpired at now.
func (t *tokenSigner) verify(token, instanceID string, now time.Time) error {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 8+tokenMACSize {
		return errTokenMalformed
	}
	if !hmac.Equal(raw[8:], t.mac(instanceID, raw[:8])) {
		return errTokenForged
	}
	if now.Unix() >= int64(binary.BigEndian.Uint64(raw[:8])) {
		return errTokenExpired
	}
	return nil
}

// mac is HMAC-SHA256(key, instanceID || 0 || expiry).
func (t *tokenSigner) mac(instanceID string, expiry []byte) []byte {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(instanceID))
	m.Write([]byte{0})
	m.Write(expiry)
	return m.Sum(nil)
}

// parseTTL validates the TTL header: an integer within [MinTokenTTL, MaxTokenTTL].
func parseTTL(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("token TTL %q: %w", v, err)
	}
	if n < MinTokenTTL || n > MaxTokenTTL {
		return 0, fmt.Errorf("token TTL %d outside %d..%d", n, MinTokenTTL, MaxTokenTTL)
	}
	return n, nil
}
