package sigv4

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strconv"
	"strings"
)

// MaxChunkSize is the largest signed aws-chunked chunk a ChunkedReader
// accepts: it holds a signed chunk in memory until its signature checks out.
const MaxChunkSize = 16 << 20

// MaxUnsignedChunkSize is the largest unsigned chunk a ChunkedReader
// accepts. Unsigned chunks are streamed, not held, and aws-sdk-go-v2 sends
// a whole object of known length as one chunk, so the bound is S3's 5 GiB
// single-PUT limit rather than MaxChunkSize.
const MaxUnsignedChunkSize = 5 << 30

const (
	maxLineLength = 4096 // longest chunk-header or trailer line
	maxTrailers   = 32
)

// ChunkedReader decodes an aws-chunked body (Content-Encoding: aws-chunked)
// in any of the three framings: STREAMING-AWS4-HMAC-SHA256-PAYLOAD,
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER and
// STREAMING-UNSIGNED-PAYLOAD-TRAILER. It holds at most one chunk in memory,
// releases a signed chunk only once its signature checks out (unsigned
// chunks are streamed through as they arrive), and ends
// with io.EOF only after the final chunk, the trailers and the decoded
// length have been verified. Failures are *Error values (KindBadChunk,
// KindSignatureMismatch, KindIncompleteBody); errors of the underlying
// reader are returned as they are.
type ChunkedReader struct {
	src           *bufio.Reader
	chain         *signatureChain // nil for unsigned chunks
	trailed       bool            // trailers may follow the final chunk
	signedTrailer bool            // the trailers carry x-amz-trailer-signature

	chunk   []byte // the current signed chunk; its capacity never exceeds the largest chunk read
	pending []byte // verified bytes not yet returned
	left    int64  // bytes of the current unsigned chunk not yet returned

	decoded, want int64
	trailers      map[string]string
	err           error // sticky; io.EOF once the body is done
}

// NewChunkedReader returns a reader of the decoded body. Call it only after
// Verify accepted the request, with the same Auth and secret: the first
// chunk's signature chains from the request's. When a.PayloadHash is no
// streaming value, the first Read fails with KindBadChunk.
func (v *Verifier) NewChunkedReader(body io.Reader, a *Auth, secret string) *ChunkedReader {
	c := &ChunkedReader{src: bufio.NewReaderSize(body, maxLineLength), want: a.DecodedContentLength}
	switch a.PayloadHash {
	case StreamingSignedPayload:
		c.chain = v.newSignatureChain(a, secret)
	case StreamingSignedPayloadTrailer:
		c.chain = v.newSignatureChain(a, secret)
		c.trailed, c.signedTrailer = true, true
	case StreamingUnsignedPayloadTrailer:
		c.trailed = true
	default:
		c.err = newError(KindBadChunk, "The request payload is not aws-chunked.")
	}
	return c
}

// Trailers returns the trailer headers (lower-cased name to value, without
// x-amz-trailer-signature) once Read has returned io.EOF, else nil. The
// caller checks any x-amz-checksum-* value against the decoded body.
func (c *ChunkedReader) Trailers() map[string]string {
	if c.err != io.EOF {
		return nil
	}
	return c.trailers
}

// Read reads decoded body bytes.
func (c *ChunkedReader) Read(p []byte) (int, error) {
	for len(c.pending) == 0 && c.left == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.err = c.nextChunk()
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(c.pending) > 0 {
		n := copy(p, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.readUnsigned(p)
}

// readUnsigned streams the current unsigned chunk straight from the source.
func (c *ChunkedReader) readUnsigned(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.src.Read(p)
	c.left -= int64(n)
	switch {
	case c.left == 0:
		c.err = c.expectCRLF()
	case err != nil:
		c.left = 0
		c.err = readFailure(err)
	}
	if n == 0 {
		return 0, c.err
	}
	return n, nil
}

// nextChunk reads a chunk header and then the chunk, or, for the final
// chunk, the trailers; it returns io.EOF when the body is complete.
func (c *ChunkedReader) nextChunk() error {
	line, err := c.readLine()
	if err == io.EOF {
		return incompleteBody()
	}
	if err != nil {
		return err
	}
	size, signature, err := c.parseChunkHeader(line)
	if err != nil {
		return err
	}
	if size == 0 {
		return c.finish(signature)
	}
	c.decoded += size
	if c.want >= 0 && c.decoded > c.want {
		return lengthMismatch()
	}
	if c.chain == nil {
		c.left = size
		return nil
	}
	return c.readSignedChunk(size, signature)
}

// parseChunkHeader parses "hex-size[;chunk-signature=sig]".
func (c *ChunkedReader) parseChunkHeader(line string) (int64, string, error) {
	sizeField, extension, _ := strings.Cut(line, ";")
	size, err := strconv.ParseUint(strings.TrimSpace(sizeField), 16, 64)
	if err != nil {
		return 0, "", newError(KindBadChunk, "Invalid chunk size in aws-chunked body.")
	}
	if c.chain == nil {
		if size > MaxUnsignedChunkSize {
			return 0, "", newError(KindBadChunk, "Chunk size exceeds the maximum of 5 GiB.")
		}
		return int64(size), "", nil
	}
	if size > MaxChunkSize {
		return 0, "", newError(KindBadChunk, "Signed chunk size exceeds the maximum of 16 MiB.")
	}
	signature, ok := strings.CutPrefix(strings.TrimSpace(extension), "chunk-signature=")
	if !ok || signature == "" {
		return 0, "", newError(KindBadChunk, "Missing chunk-signature in aws-chunked body.")
	}
	return int64(size), signature, nil
}

func (c *ChunkedReader) readSignedChunk(size int64, signature string) error {
	chunk, err := readChunk(c.src, c.chunk[:0], int(size))
	c.chunk = chunk
	if err != nil {
		return readFailure(err)
	}
	if err := c.expectCRLF(); err != nil {
		return err
	}
	if !c.chain.nextChunk(signature, c.chunk) {
		return signatureMismatch()
	}
	c.pending = c.chunk
	return nil
}

// chunkReadStep is how much of a chunk is read before the buffer grows:
// memory follows the bytes that arrived, so a client that declares a
// 16 MiB chunk and stalls holds little, and a full chunk costs its size
// (not the doubling of a growing bytes.Buffer).
const chunkReadStep = 256 << 10

// readChunk reads size bytes from src into buf (reusing its capacity).
func readChunk(src io.Reader, buf []byte, size int) ([]byte, error) {
	for len(buf) < size {
		n := min(size-len(buf), chunkReadStep)
		if cap(buf)-len(buf) < n {
			grown := make([]byte, len(buf), min(max(2*cap(buf), len(buf)+n), size))
			copy(grown, buf)
			buf = grown
		}
		read, err := io.ReadFull(src, buf[len(buf):len(buf)+n])
		buf = buf[:len(buf)+read]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// finish verifies the final chunk, reads the trailers and checks the
// decoded length.
func (c *ChunkedReader) finish(signature string) error {
	if c.chain != nil && !c.chain.nextChunk(signature, nil) {
		return signatureMismatch()
	}
	if err := c.readTrailers(); err != nil {
		return err
	}
	if c.want >= 0 && c.decoded != c.want {
		return lengthMismatch()
	}
	return io.EOF
}

// readTrailers reads "name:value" lines up to an empty line (or the end
// of the body) and checks the trailer signature when there is one.
func (c *ChunkedReader) readTrailers() error {
	c.trailers = make(map[string]string)
	var canonical strings.Builder
	var signature string
	for count := 0; ; count++ {
		line, err := c.readLine()
		if err == io.EOF || err == nil && line == "" {
			break
		}
		if err != nil {
			return err
		}
		name, value, err := c.parseTrailer(line, count)
		if err != nil {
			return err
		}
		if name == "x-amz-trailer-signature" {
			signature = value
			continue
		}
		c.trailers[name] = value
		canonical.WriteString(name + ":" + value + "\n")
	}
	if c.signedTrailer && !c.chain.trailer(signature, canonical.String()) {
		return signatureMismatch()
	}
	return nil
}

func (c *ChunkedReader) parseTrailer(line string, count int) (string, string, error) {
	if !c.trailed {
		return "", "", newError(KindBadChunk, "Unexpected data after the final chunk of an aws-chunked body.")
	}
	if count >= maxTrailers {
		return "", "", newError(KindBadChunk, "Too many trailing headers in aws-chunked body.")
	}
	name, value, ok := strings.Cut(line, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	if !ok || name == "" {
		return "", "", newError(KindBadChunk, "Malformed trailing header in aws-chunked body.")
	}
	return name, strings.TrimSpace(value), nil
}

// readLine returns one line without its line ending. It returns io.EOF
// only when the source ends exactly at a line boundary.
func (c *ChunkedReader) readLine() (string, error) {
	line, err := c.src.ReadSlice('\n')
	switch {
	case err == bufio.ErrBufferFull:
		return "", newError(KindBadChunk, "Line too long in aws-chunked body.")
	case err == io.EOF && len(line) == 0:
		return "", io.EOF
	case err != nil:
		return "", readFailure(err)
	}
	line = bytes.TrimSuffix(line[:len(line)-1], []byte{'\r'})
	return string(line), nil
}

func (c *ChunkedReader) expectCRLF() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.src, crlf[:]); err != nil {
		return readFailure(err)
	}
	if crlf != [2]byte{'\r', '\n'} {
		return newError(KindBadChunk, "Chunk data is not followed by CRLF in aws-chunked body.")
	}
	return nil
}

// readFailure turns an early end of the source into KindIncompleteBody
// and passes other errors through.
func readFailure(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return incompleteBody()
	}
	return err
}

func incompleteBody() *Error {
	return newError(KindIncompleteBody, "The request body terminated unexpectedly")
}

func lengthMismatch() *Error {
	return newError(KindIncompleteBody,
		"The decoded body length does not match the x-amz-decoded-content-length header.")
}

// signatureChain verifies chunk and trailer signatures, each chained to
// the previous signature, starting from the request's seed signature.
type signatureChain struct {
	key            []byte
	amzDate, scope string
	previous       string
}

func (v *Verifier) newSignatureChain(a *Auth, secret string) *signatureChain {
	return &signatureChain{key: v.keys.get(secret, a), amzDate: a.amzDate, scope: a.Scope(), previous: a.Signature}
}

// nextChunk checks one chunk's signature and advances the chain.
func (s *signatureChain) nextChunk(signature string, data []byte) bool {
	sum := sha256.Sum256(data)
	want := hmacHex(s.key, "AWS4-HMAC-SHA256-PAYLOAD\n"+s.amzDate+"\n"+s.scope+"\n"+s.previous+"\n"+
		EmptyPayloadHash+"\n"+hex.EncodeToString(sum[:]))
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(signature))) {
		return false
	}
	s.previous = want
	return true
}

// trailer checks the trailer signature over the canonical trailers.
func (s *signatureChain) trailer(signature, canonical string) bool {
	sum := sha256.Sum256([]byte(canonical))
	want := hmacHex(s.key, "AWS4-HMAC-SHA256-TRAILER\n"+s.amzDate+"\n"+s.scope+"\n"+s.previous+"\n"+
		hex.EncodeToString(sum[:]))
	return hmac.Equal([]byte(want), []byte(strings.ToLower(signature)))
}
