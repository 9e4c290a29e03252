package world

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/sekisho/sekisho/internal/store"
)

const pbkdf2Iterations = 100_000

// HashPassword returns a salted PBKDF2-SHA256 hash for a login profile.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key, _ := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, 32)
	return "pbkdf2-sha256$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 3 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[1])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, pbkdf2Iterations, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// RootPasswordSetting is the store setting holding the hash of an
// account's root user's console password (the root is no IAM user, so it
// has no login profile).
func RootPasswordSetting(account string) string { return "console.root-password/" + account }

// seedRootPassword stores the root's password hash unless one is set.
func (l *loader) seedRootPassword(account, password string) error {
	_, err := l.tx.GetSetting(RootPasswordSetting(account))
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return l.tx.PutSetting(RootPasswordSetting(account), HashPassword(password))
}
