package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"strings"
)

// PayloadHashReader passes a body through and, at its end, checks it
// against the hex SHA-256 the client signed (a hex x-amz-content-sha256).
// A mismatch replaces io.EOF with a KindContentSHA256Mismatch *Error, so a
// consumer that stores the body must not commit it before seeing io.EOF.
type PayloadHashReader struct {
	body io.Reader
	want string
	hash hash.Hash
	err  error
}

// NewPayloadHashReader returns a PayloadHashReader of body expecting the
// hex SHA-256 wantHex.
func NewPayloadHashReader(body io.Reader, wantHex string) *PayloadHashReader {
	return &PayloadHashReader{body: body, want: strings.ToLower(wantHex), hash: sha256.New()}
}

// Read reads from the body, hashing as it goes.
func (h *PayloadHashReader) Read(p []byte) (int, error) {
	if h.err != nil {
		return 0, h.err
	}
	n, err := h.body.Read(p)
	h.hash.Write(p[:n])
	if err == io.EOF && hex.EncodeToString(h.hash.Sum(nil)) != h.want {
		err = newError(KindContentSHA256Mismatch,
			"The provided 'x-amz-content-sha256' header does not match what was computed.")
	}
	h.err = err
	return n, err
}
