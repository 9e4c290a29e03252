// Package totp computes and checks time-based one-time passwords (RFC
// 6238 over RFC 4226's HOTP) the way AWS virtual MFA devices use them:
// HMAC-SHA-1, six digits, a 30-second step. It also makes device seeds and
// the otpauth:// URI an authenticator app scans.
package totp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/skip2/go-qrcode"
)

// Step is the length of one TOTP time step.
const Step = 30 * time.Second

// Digits is the length of a code.
const Digits = 6

// Window is how many steps before and after the current one a code may
// come from, to absorb clock drift between the device and the server.
// AWS does not document its window; one step each way is the RFC's
// recommendation and what authenticator apps assume.
const Window = 1

// SeedBytes is the size of a new seed: 40 bytes, whose base32 form has
// the 64 characters of an AWS virtual MFA seed.
const SeedBytes = 40

// encoding is base32 without padding, as authenticator apps expect.
var encoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// ErrBadSeed means a seed is not valid base32.
var ErrBadSeed = errors.New("totp: seed is not valid base32")

// NewSeed returns a new random seed in base32.
func NewSeed() string {
	b := make([]byte, SeedBytes)
	rand.Read(b) // never fails (crypto/rand)
	return encoding.EncodeToString(b)
}

// DecodeSeed parses a base32 seed, ignoring case, spaces and padding.
func DecodeSeed(seed string) ([]byte, error) {
	s := strings.ToUpper(strings.TrimRight(strings.ReplaceAll(seed, " ", ""), "="))
	key, err := encoding.DecodeString(s)
	if err != nil || len(key) == 0 {
		return nil, ErrBadSeed
	}
	return key, nil
}

// StepAt is the time step t falls in.
func StepAt(t time.Time) int64 { return t.Unix() / int64(Step/time.Second) }

// HOTP is RFC 4226's code for key and counter with the given number of
// digits (6 to 9).
func HOTP(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	offset := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[offset:offset+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, bin%mod)
}

// CodeAt is the six-digit code of key for a time step.
func CodeAt(key []byte, step int64) string { return HOTP(key, uint64(step), Digits) }

// Code is the six-digit code of key at time t.
func Code(key []byte, t time.Time) string { return CodeAt(key, StepAt(t)) }

// Match looks for code among the steps of the window around now that come
// after lastUsed (so a code is never accepted twice, nor one older than a
// code already accepted) and returns the step it belongs to.
func Match(key []byte, code string, now time.Time, lastUsed int64) (step int64, ok bool) {
	current := StepAt(now)
	for s := max(current-Window, lastUsed+1); s <= current+Window; s++ {
		if subtle.ConstantTimeCompare([]byte(CodeAt(key, s)), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// MatchConsecutive checks two codes from consecutive steps, the first
// within the window around now and after lastUsed, as IAM asks when a
// device is enabled or resynchronized, and returns the second's step.
// A device that drifted further may be resynced with a wider search:
// searchSteps is how far each way the first code is looked for.
func MatchConsecutive(key []byte, code1, code2 string, now time.Time, lastUsed int64, searchSteps int64) (step int64, ok bool) {
	current := StepAt(now)
	for s := max(current-searchSteps, lastUsed+1); s <= current+searchSteps; s++ {
		c1 := subtle.ConstantTimeCompare([]byte(CodeAt(key, s)), []byte(code1))
		c2 := subtle.ConstantTimeCompare([]byte(CodeAt(key, s+1)), []byte(code2))
		if c1&c2 == 1 {
			return s + 1, true
		}
	}
	return 0, false
}

// URI is the otpauth:// URI an authenticator app reads from the QR code,
// in the form AWS uses: the issuer "Amazon Web Services" both as the
// label's prefix and as the issuer parameter, with %20 for spaces.
func URI(issuer, account, seed string) string {
	label := pathEscape(issuer) + ":" + pathEscape(account)
	return "otpauth://totp/" + label + "?secret=" + seed + "&issuer=" + pathEscape(issuer)
}

// pathEscape percent-encodes s with %20 for spaces and '@' kept as is.
func pathEscape(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), "%40", "@")
}

// QRCodePNG renders uri as a QR code PNG, as CreateVirtualMFADevice
// returns it.
func QRCodePNG(uri string) ([]byte, error) {
	png, err := qrcode.Encode(uri, qrcode.Medium, 256)
	if err != nil {
		return nil, fmt.Errorf("totp: QR code: %w", err)
	}
	return png, nil
}
