package creds

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// KeySize is the length in bytes of a sealing key (AES-256).
const KeySize = 32

// MaxKeyIDLength is the longest key id; ids are carried in every token, so
// short ones keep tokens short.
const MaxKeyIDLength = 32

const keyIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-"

// Key is a named sealing key. The zero Key is invalid. Printing a Key with
// the fmt package shows only its id.
type Key struct {
	id       string
	material [KeySize]byte
}

// NewKey returns a key with the given id and fresh random material from
// crypto/rand. The id is 1 to MaxKeyIDLength characters from
// [A-Za-z0-9._-].
func NewKey(id string) (Key, error) {
	var material [KeySize]byte
	_, _ = rand.Read(material[:]) // never fails: crypto/rand crashes instead
	return KeyFromBytes(id, material[:])
}

// KeyFromBytes returns a key with the given id and raw material, which must
// be KeySize bytes (for example loaded from configuration). The material is
// copied.
func KeyFromBytes(id string, material []byte) (Key, error) {
	if err := checkKeyID(id); err != nil {
		return Key{}, err
	}
	if len(material) != KeySize {
		return Key{}, fmt.Errorf("sealing key %q: material is %d bytes, want %d", id, len(material), KeySize)
	}
	k := Key{id: id}
	copy(k.material[:], material)
	return k, nil
}

func checkKeyID(id string) error {
	if id == "" || len(id) > MaxKeyIDLength || !allFrom(id, keyIDAlphabet) {
		return fmt.Errorf("sealing key id %q: want 1 to %d characters from [A-Za-z0-9._-]", id, MaxKeyIDLength)
	}
	return nil
}

// ID returns the key's name.
func (k Key) ID() string { return k.id }

// Bytes returns a copy of the key material, for persisting the key.
func (k Key) Bytes() []byte { return slices.Clone(k.material[:]) }

// Format implements fmt.Formatter, printing only the key id so key material
// never reaches a log.
func (k Key) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "creds.Key{ID:%q}", k.id)
}

// Keyring holds the sealing keys: one current key that seals new tokens and
// older keys that still open tokens sealed before a rotation. A Keyring is
// immutable and safe for concurrent use; Rotate and Retire return new ones.
// Printing a Keyring with the fmt package shows only key ids.
type Keyring struct {
	ids   []string // current key first, then older keys
	aeads map[string]cipher.AEAD
}

// NewKeyring returns a keyring sealing with current and also opening tokens
// sealed with any of older. Key ids must be distinct.
func NewKeyring(current Key, older ...Key) (*Keyring, error) {
	r := &Keyring{aeads: make(map[string]cipher.AEAD, 1+len(older))}
	for _, k := range append([]Key{current}, older...) {
		if err := r.addKey(k); err != nil {
			return nil, fmt.Errorf("building keyring: %w", err)
		}
	}
	return r, nil
}

func (r *Keyring) addKey(k Key) error {
	if err := checkKeyID(k.id); err != nil {
		return err
	}
	aead, err := newAEAD(k.material[:])
	if err != nil {
		return fmt.Errorf("sealing key %q: %w", k.id, err)
	}
	return r.add(k.id, aead)
}

func (r *Keyring) add(id string, aead cipher.AEAD) error {
	if _, dup := r.aeads[id]; dup {
		return fmt.Errorf("sealing key id %q appears twice", id)
	}
	r.ids = append(r.ids, id)
	r.aeads[id] = aead
	return nil
}

func newAEAD(material []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(material)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCMWithRandomNonce(block)
}

// CurrentID returns the id of the key that seals new tokens.
func (r *Keyring) CurrentID() string {
	if r == nil || len(r.ids) == 0 {
		return ""
	}
	return r.ids[0]
}

// IDs returns the ids of all keys that open tokens, current first.
func (r *Keyring) IDs() []string {
	if r == nil {
		return nil
	}
	return slices.Clone(r.ids)
}

// Rotate returns a keyring sealing with next and still opening tokens
// sealed with every key of r.
func (r *Keyring) Rotate(next Key) (*Keyring, error) {
	rotated := &Keyring{aeads: make(map[string]cipher.AEAD, 1+len(r.IDs()))}
	if err := rotated.addKey(next); err != nil {
		return nil, fmt.Errorf("rotating keyring: %w", err)
	}
	for _, id := range r.IDs() {
		if err := rotated.add(id, r.aeads[id]); err != nil {
			return nil, fmt.Errorf("rotating keyring: %w", err)
		}
	}
	return rotated, nil
}

// Retire returns a keyring without the older key id, so tokens sealed with
// it no longer open. The current key cannot be retired.
func (r *Keyring) Retire(id string) (*Keyring, error) {
	if id == r.CurrentID() {
		return nil, fmt.Errorf("retiring sealing key %q: it is the current key", id)
	}
	if _, ok := r.aead(id); !ok {
		return nil, fmt.Errorf("retiring sealing key %q: %w", id, errUnknownKey)
	}
	retired := &Keyring{aeads: make(map[string]cipher.AEAD, len(r.ids)-1)}
	for _, kept := range r.ids {
		if kept != id {
			_ = retired.add(kept, r.aeads[kept]) // ids in r are distinct
		}
	}
	return retired, nil
}

var errUnknownKey = errors.New("no such key in keyring")

// aead returns the cipher of key id.
func (r *Keyring) aead(id string) (cipher.AEAD, bool) {
	if r == nil {
		return nil, false
	}
	aead, ok := r.aeads[id]
	return aead, ok
}

// aeadBytes is aead for an id still in the token's bytes (the lookup does
// not copy it).
func (r *Keyring) aeadBytes(id []byte) (cipher.AEAD, bool) {
	if r == nil {
		return nil, false
	}
	aead, ok := r.aeads[string(id)]
	return aead, ok
}

// Format implements fmt.Formatter, printing only key ids.
func (r *Keyring) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "creds.Keyring{Current:%q Keys:[%s]}", r.CurrentID(), strings.Join(r.IDs(), " "))
}
