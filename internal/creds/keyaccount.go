package creds

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"strconv"
)

// AWS access key ids carry their account: the 16 characters after the
// prefix are base32 (A-Z, 2-7) of 10 bytes whose first six, read as a
// big-endian number, hold the 12-digit account id in bits 7 to 46.
// Keys Sekisho generates follow that layout, so GetAccessKeyInfo can read
// the account of any such key, as AWS does, without a lookup.

const (
	accountMask  = 0x7fffffffff80
	accountShift = 7
	maxAccountID = 999_999_999_999
)

// NewAccessKeyIDFor returns a new access key id ("ASIA" when temporary,
// else "AKIA") that encodes account, whose other 39 bits are random. It
// panics if account is not a 12-digit id, a programming error.
func NewAccessKeyIDFor(temporary bool, account string) string {
	n, err := strconv.ParseUint(account, 10, 64)
	if err != nil || len(account) != 12 || n > maxAccountID {
		panic("creds: access key id for a non-account " + strconv.Quote(account))
	}
	var raw [10]byte
	rand.Read(raw[:]) // never fails: crypto/rand crashes instead
	var eight [8]byte
	copy(eight[2:], raw[:6])
	head := binary.BigEndian.Uint64(eight[:])
	head = head&^uint64(0xffffffffffff) | (n<<accountShift)&accountMask | head&(1<<accountShift-1)
	var six [8]byte
	binary.BigEndian.PutUint64(six[:], head)
	copy(raw[:6], six[2:])
	prefix := LongTermKeyPrefix
	if temporary {
		prefix = TemporaryKeyPrefix
	}
	// The prefix and the encoding in one buffer: one allocation, the string.
	var id [AccessKeyIDLength]byte
	copy(id[:], prefix)
	base32.StdEncoding.Encode(id[prefixLength:], raw[:])
	return string(id[:])
}

// AccountOfAccessKeyID decodes the account from an access key id in AWS's
// layout; ok is false when the id is not one (e.g. a hand-written key id
// with characters outside base32).
func AccountOfAccessKeyID(id string) (string, bool) {
	if _, ok := IsAccessKeyID(id); !ok {
		return "", false
	}
	raw, err := base32.StdEncoding.DecodeString(id[prefixLength:])
	if err != nil || len(raw) != 10 {
		return "", false
	}
	head := binary.BigEndian.Uint64(append([]byte{0, 0}, raw[:6]...))
	n := (head & accountMask) >> accountShift
	if n > maxAccountID {
		return "", false
	}
	s := strconv.FormatUint(n, 10)
	for len(s) < 12 {
		s = "0" + s
	}
	return s, true
}
