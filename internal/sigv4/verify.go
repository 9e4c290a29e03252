package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// MaxSkew is how far the signing time of a header-signed request may be
// from the server's clock.
const MaxSkew = 15 * time.Minute

// maxCachedKeys bounds the signing-key cache of one Verifier.
const maxCachedKeys = 1024

// Verifier verifies SigV4 requests. It caches derived signing keys and is
// safe for concurrent use.
type Verifier struct {
	now  func() time.Time
	keys signingKeyCache
}

// NewVerifier returns a Verifier that reads the time from now, or from
// time.Now when now is nil. The zero Verifier is usable and uses time.Now.
func NewVerifier(now func() time.Time) *Verifier {
	return &Verifier{now: now}
}

func (v *Verifier) clock() time.Time {
	if v.now == nil {
		return time.Now().UTC()
	}
	return v.now().UTC()
}

// CheckTime checks a's signing time against the clock: within MaxSkew for
// header auth, within [Date-MaxSkew, Date+Expires] for presigned requests.
// Verify calls it; a server may call it earlier, before the key lookup.
func (v *Verifier) CheckTime(a *Auth) error {
	now := v.clock()
	if a.Presigned {
		return checkPresignTime(a, now)
	}
	earliest, latest := now.Add(-MaxSkew), now.Add(MaxSkew)
	switch {
	case a.Date.Before(earliest):
		return skewError(a, now, fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			a.amzDate, earliest.Format(amzDateFormat), now.Format(amzDateFormat)))
	case a.Date.After(latest):
		return skewError(a, now, fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			a.amzDate, latest.Format(amzDateFormat), now.Format(amzDateFormat)))
	}
	return nil
}

func skewError(a *Auth, now time.Time, msg string) *Error {
	return &Error{Kind: KindSkew, Message: msg, RequestTime: a.Date, ServerTime: now}
}

func checkPresignTime(a *Auth, now time.Time) error {
	switch {
	case a.Date.After(now.Add(MaxSkew)):
		return &Error{Kind: KindPresignNotYetValid, Message: "Request is not valid yet",
			RequestTime: a.Date, ServerTime: now}
	case now.After(a.Date.Add(a.Expires)):
		return &Error{Kind: KindPresignExpired, Message: "Request has expired",
			RequestTime: a.Date, ServerTime: now, Expires: a.Expires}
	}
	return nil
}

// Verify checks r's signature, as parsed into a by Parse, with the secret
// access key, after CheckTime, and that every x-amz-* header present is
// signed (KindHeadersNotSigned). bodyHash is the hex SHA-256 of the body as
// computed by the caller. Every service but S3 signs the body itself, so
// for them bodyHash is required ("" stands for an empty body) and is what
// the signature must cover, whatever x-amz-content-sha256 says. For S3 it
// may be ""; the payload hash is then the header, or UNSIGNED-PAYLOAD for
// a presigned request. When both bodyHash and a hex x-amz-content-sha256
// are known, they must agree (KindContentSHA256Mismatch).
func (v *Verifier) Verify(r *http.Request, a *Auth, secret string, bodyHash string) error {
	if err := v.CheckTime(a); err != nil {
		return err
	}
	if err := a.checkAmzHeadersSigned(r.Header); err != nil {
		return err
	}
	key := v.keys.get(secret, a)
	if !signatureMatches(r, a, key, bodyHash) {
		return signatureMismatch()
	}
	if a.PayloadHash != "" && isHexHash(a.PayloadHash) && bodyHash != "" && !strings.EqualFold(a.PayloadHash, bodyHash) {
		return newError(KindContentSHA256Mismatch,
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	return nil
}

// signatureMatches tries each canonical URI and payload hash the client
// may have signed. It does not allocate.
func signatureMatches(r *http.Request, a *Auth, key []byte, bodyHash string) bool {
	var canonical [1024]byte
	var toSign [256]byte
	var want [2 * sha256.Size]byte
	uris, nURIs := canonicalURIs(r, a.Service)
	hashes, nHashes := payloadHashes(a, bodyHash)
	for _, uri := range uris[:nURIs] {
		for _, payloadHash := range hashes[:nHashes] {
			c := appendCanonicalRequest(canonical[:0], r, a, uri, payloadHash)
			mac := hmacSum(key, appendStringToSign(toSign[:0], a, c))
			hex.Encode(want[:], mac[:])
			if equalConstantTime(want[:], a.Signature) {
				return true
			}
		}
	}
	return false
}

// hmacSum is HMAC-SHA256 (RFC 2104) of msg under a key of at most one
// block (a derived signing key is 32 bytes), computed in stack buffers:
// crypto/hmac.New allocates its two digests and pads on every call.
func hmacSum(key, msg []byte) [sha256.Size]byte {
	const block = 64
	if len(key) > block { // RFC 2104: a longer key is hashed first
		sum := sha256.Sum256(key)
		key = sum[:]
	}
	var inner [block + 512]byte
	var in []byte
	if len(msg) <= len(inner)-block {
		in = inner[:block+len(msg)]
	} else {
		in = make([]byte, block+len(msg))
	}
	for i := range block {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		in[i] = k ^ 0x36
	}
	copy(in[block:], msg)
	innerSum := sha256.Sum256(in)
	var outer [block + sha256.Size]byte
	for i := range block {
		var k byte
		if i < len(key) {
			k = key[i]
		}
		outer[i] = k ^ 0x5c
	}
	copy(outer[block:], innerSum[:])
	return sha256.Sum256(outer[:])
}

// equalConstantTime is hmac.Equal of a computed signature and the one
// sent, without converting the string.
func equalConstantTime(want []byte, got string) bool {
	if len(want) != len(got) {
		return false
	}
	var diff byte
	for i := range want {
		diff |= want[i] ^ got[i]
	}
	return diff == 0
}

// payloadHashes lists the payload hashes the client may have signed.
//
// Only S3 lets the client choose what stands for the body (a hex hash,
// UNSIGNED-PAYLOAD, a streaming value). For the Query APIs (IAM, STS) the
// body carries the action and its parameters, so the signature must cover
// the body the server actually received: the canonical request always
// uses the caller's bodyHash, whatever x-amz-content-sha256 says. A request
// signed with UNSIGNED-PAYLOAD then fails as SignatureDoesNotMatch, so a
// captured ListUsers cannot be replayed with a CreateUser body.
func payloadHashes(a *Auth, bodyHash string) ([2]string, int) {
	if a.Service != "s3" {
		if h := orEmptyHash(bodyHash); h != EmptyPayloadHash || !a.Presigned {
			return [2]string{h}, 1
		}
		// An empty presigned body: botocore signs its hash, aws-sdk-go-v2
		// UNSIGNED-PAYLOAD; either covers "no body".
		return [2]string{EmptyPayloadHash, UnsignedPayload}, 2
	}
	if !a.Presigned {
		if a.PayloadHash != "" {
			return [2]string{a.PayloadHash}, 1
		}
		return [2]string{orEmptyHash(bodyHash)}, 1
	}
	if a.PayloadHash != "" && a.signs("x-amz-content-sha256") {
		return [2]string{a.PayloadHash}, 1
	}
	return [2]string{UnsignedPayload}, 1
}

func orEmptyHash(h string) string {
	if h == "" {
		return EmptyPayloadHash
	}
	return strings.ToLower(h)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func hmacHex(key []byte, data string) string {
	return hex.EncodeToString(hmacSHA256(key, data))
}

// deriveSigningKey computes kSigning from the secret and the scope.
func deriveSigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, scopeTerminator)
}

// signingKeyID identifies a derived key without holding the secret.
type signingKeyID struct {
	secretHash            [sha256.Size]byte
	date, region, service string
}

// signingKeyCache is a bounded map of derived signing keys.
type signingKeyCache struct {
	mu   sync.Mutex
	keys map[signingKeyID][]byte
}

func (c *signingKeyCache) get(secret string, a *Auth) []byte {
	id := signingKeyID{secretHash(secret), a.scopeDate(), a.Region, a.Service}
	c.mu.Lock()
	key, ok := c.keys[id]
	c.mu.Unlock()
	if ok {
		return key
	}
	key = deriveSigningKey(secret, id.date, id.region, id.service)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.keys == nil {
		c.keys = make(map[signingKeyID][]byte)
	}
	if len(c.keys) >= maxCachedKeys {
		for old := range c.keys {
			delete(c.keys, old)
			break
		}
	}
	c.keys[id] = key
	return key
}

// secretHash is the SHA-256 of secret, hashed from a stack copy: a secret
// access key (40 bytes) is longer than the buffer a []byte conversion may
// use without allocating.
func secretHash(secret string) [sha256.Size]byte {
	var buf [128]byte
	if len(secret) > len(buf) {
		return sha256.Sum256([]byte(secret))
	}
	n := copy(buf[:], secret)
	return sha256.Sum256(buf[:n])
}
