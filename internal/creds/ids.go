package creds

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Access key id prefixes and identifier lengths.
const (
	LongTermKeyPrefix  = "AKIA" // access key id of a long-term (IAM user) key
	TemporaryKeyPrefix = "ASIA" // access key id of a temporary (STS) credential
	AccessKeyIDLength  = 20
	SecretKeyLength    = 40
	UniqueIDLength     = 21
)

// Unique id prefixes naming the kind of IAM entity.
const (
	PrefixUser            = "AIDA"
	PrefixRole            = "AROA"
	PrefixGroup           = "AGPA"
	PrefixManagedPolicy   = "ANPA"
	PrefixInstanceProfile = "AIPA"
)

const (
	idAlphabet     = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"
	prefixLength   = 4
	// maxDrawRounds bounds rejection sampling so a broken reader that only
	// yields rejected bytes fails instead of looping forever.
	maxDrawRounds = 64
)

var errRandomRejected = errors.New("random source yields only rejected bytes")

// Generator draws identifiers and secrets uniformly from their alphabets.
// The zero value draws from crypto/rand and is what production code uses.
type Generator struct {
	// Rand is the source of randomness; nil means crypto/rand. Tests may
	// supply a deterministic reader.
	Rand io.Reader
}

// AccessKeyID returns a new access key id: "ASIA" (temporary) or "AKIA"
// (long-term) followed by 16 characters from [A-Z0-9].
func (g Generator) AccessKeyID(temporary bool) (string, error) {
	prefix := LongTermKeyPrefix
	if temporary {
		prefix = TemporaryKeyPrefix
	}
	suffix, err := g.draw(idAlphabet, AccessKeyIDLength-prefixLength)
	if err != nil {
		return "", fmt.Errorf("generating access key id: %w", err)
	}
	return prefix + suffix, nil
}

// SecretKey returns a new 40-character secret access key from [A-Za-z0-9/+].
func (g Generator) SecretKey() (string, error) {
	secret, err := g.draw(secretAlphabet, SecretKeyLength)
	if err != nil {
		return "", fmt.Errorf("generating secret key: %w", err)
	}
	return secret, nil
}

// UniqueID returns a new 21-character IAM unique id: prefix (four uppercase
// letters, normally one of the Prefix constants) followed by 17 characters
// from [A-Z0-9].
func (g Generator) UniqueID(prefix string) (string, error) {
	if !isUniqueIDPrefix(prefix) {
		return "", fmt.Errorf("generating unique id: prefix %q is not four uppercase letters", prefix)
	}
	suffix, err := g.draw(idAlphabet, UniqueIDLength-prefixLength)
	if err != nil {
		return "", fmt.Errorf("generating unique id: %w", err)
	}
	return prefix + suffix, nil
}

// draw returns n characters chosen uniformly from alphabet, rejecting the
// random bytes that would bias the choice.
func (g Generator) draw(alphabet string, n int) (string, error) {
	limit := 256 - 256%len(alphabet)
	// Identifiers and secrets fit the stack buffers when the randomness
	// is crypto/rand's: the string is the one allocation. (A buffer handed
	// to another io.Reader goes to the heap.)
	var outSpace, randSpace [SecretKeyLength]byte
	out := outSpace[:0]
	if n > len(outSpace) {
		out = make([]byte, 0, n)
	}
	var buf []byte // for g.Rand
	for round := 0; len(out) < n; round++ {
		if round == maxDrawRounds {
			return "", errRandomRejected
		}
		var random []byte
		if g.Rand == nil && n <= len(randSpace) {
			random = randSpace[:n]
			_, _ = rand.Read(random) // never fails: crypto/rand crashes instead
		} else {
			if buf == nil {
				buf = make([]byte, n)
			}
			if err := g.fill(buf); err != nil {
				return "", err
			}
			random = buf
		}
		for _, b := range random {
			if int(b) < limit && len(out) < n {
				out = append(out, alphabet[int(b)%len(alphabet)])
			}
		}
	}
	return string(out), nil
}

func (g Generator) fill(buf []byte) error {
	if g.Rand == nil {
		_, err := rand.Read(buf) // never fails: crypto/rand crashes instead
		return err
	}
	if _, err := io.ReadFull(g.Rand, buf); err != nil {
		return fmt.Errorf("reading randomness: %w", err)
	}
	return nil
}

// NewAccessKeyID returns a new access key id drawn from crypto/rand; see
// [Generator.AccessKeyID].
func NewAccessKeyID(temporary bool) string {
	return must(Generator{}.AccessKeyID(temporary))
}

// NewSecretKey returns a new secret access key drawn from crypto/rand; see
// [Generator.SecretKey].
func NewSecretKey() string {
	return must(Generator{}.SecretKey())
}

// NewUniqueID returns a new unique id drawn from crypto/rand; see
// [Generator.UniqueID]. It panics if prefix is not four uppercase letters,
// which is a programming error: pass one of the Prefix constants.
func NewUniqueID(prefix string) string {
	return must(Generator{}.UniqueID(prefix))
}

// must unwraps results whose only possible error is a programming error,
// since crypto/rand never fails.
func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

// IsAccessKeyID reports whether s is a well-formed access key id ("AKIA" or
// "ASIA" and 16 characters from [A-Z0-9]) and whether it is temporary.
func IsAccessKeyID(s string) (temporary bool, ok bool) {
	if len(s) != AccessKeyIDLength || !idBytes.all(s[prefixLength:]) {
		return false, false
	}
	switch s[:prefixLength] {
	case TemporaryKeyPrefix:
		return true, true
	case LongTermKeyPrefix:
		return false, true
	}
	return false, false
}

// IsSecretKey reports whether s is a well-formed secret access key: 40
// characters from [A-Za-z0-9/+].
func IsSecretKey(s string) bool {
	return len(s) == SecretKeyLength && secretBytes.all(s)
}

// IsUniqueID reports whether s is a well-formed unique id (four uppercase
// letters and 17 characters from [A-Z0-9]) and returns its prefix.
func IsUniqueID(s string) (prefix string, ok bool) {
	if len(s) != UniqueIDLength || !isUniqueIDPrefix(s[:prefixLength]) || !idBytes.all(s[prefixLength:]) {
		return "", false
	}
	return s[:prefixLength], true
}

func isUniqueIDPrefix(s string) bool {
	return len(s) == prefixLength && allFrom(s, idAlphabet[:26])
}

// byteSet is an alphabet as a table, for checks on the request path
// (every signed request's access key id).
type byteSet [256]bool

func newByteSet(alphabet string) *byteSet {
	var set byteSet
	for i := 0; i < len(alphabet); i++ {
		set[alphabet[i]] = true
	}
	return &set
}

// all is allFrom(s, the set's alphabet).
func (set *byteSet) all(s string) bool {
	for i := 0; i < len(s); i++ {
		if !set[s[i]] {
			return false
		}
	}
	return true
}

var idBytes, secretBytes = newByteSet(idAlphabet), newByteSet(secretAlphabet)

// allFrom reports whether every byte of s occurs in alphabet.
func allFrom(s, alphabet string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}
