package creds

import (
	"errors"
	"fmt"
)

// messagePurpose is the additional data of sealed messages. No access key
// id contains a '/', so a message never opens as a session token nor a
// token as a message.
const messagePurpose = "sekisho/authorization-message"

// ErrInvalidMessage means a sealed message is not one this server sealed
// (or its key has been retired).
var ErrInvalidMessage = errors.New("invalid sealed message")

// SealMessage encrypts plaintext with the keyring's current key into an
// opaque base64url string: what AWS calls an encoded authorization message.
func (s *Sealer) SealMessage(plaintext []byte) (string, error) {
	keyID := s.keys.CurrentID()
	aead, ok := s.keys.aead(keyID)
	if !ok {
		return "", errors.New("sealing message: keyring has no current key")
	}
	header := tokenHeader(keyID)
	sealed := aead.Seal(header, nil, plaintext, additionalData(header, messagePurpose))
	if tokenEncoding.EncodedLen(len(sealed)) > MaxTokenLength {
		return "", fmt.Errorf("sealing message: longer than %d characters", MaxTokenLength)
	}
	return tokenEncoding.EncodeToString(sealed), nil
}

// OpenMessage decrypts a message SealMessage made.
func (s *Sealer) OpenMessage(message string) ([]byte, error) {
	raw, err := decodeToken(message)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	keyID, body, err := splitToken(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	aead, ok := s.keys.aead(keyID)
	if !ok {
		return nil, fmt.Errorf("%w: sealed with an unknown key", ErrInvalidMessage)
	}
	header := raw[:len(raw)-len(body)]
	plaintext, err := aead.Open(nil, nil, body, additionalData(header, messagePurpose))
	if err != nil {
		return nil, fmt.Errorf("%w: authentication failed", ErrInvalidMessage)
	}
	return plaintext, nil
}
