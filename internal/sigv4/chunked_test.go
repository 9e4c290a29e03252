package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// chunkSignFunc returns the signature of the next chunk, "" for unsigned
// framing.
type chunkSignFunc func(data []byte) string

// encodeChunks frames data as aws-chunked; trailer is the raw trailer
// section (lines ending in CRLF, without the closing empty line).
func encodeChunks(data []byte, chunkSize int, sign chunkSignFunc, trailer string) []byte {
	var b bytes.Buffer
	writeChunk := func(chunk []byte) {
		fmt.Fprintf(&b, "%x", len(chunk))
		if sig := sign(chunk); sig != "" {
			b.WriteString(";chunk-signature=" + sig)
		}
		b.WriteString("\r\n")
		if len(chunk) > 0 {
			b.Write(chunk)
			b.WriteString("\r\n")
		}
	}
	for len(data) > 0 {
		n := min(chunkSize, len(data))
		writeChunk(data[:n])
		data = data[n:]
	}
	writeChunk(nil)
	b.WriteString(trailer + "\r\n")
	return b.Bytes()
}

func unsigned([]byte) string { return "" }

func crc32Trailer(data []byte) string {
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(data))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func testPayload(n int) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i * 7)
	}
	return data
}

// streamingUpload is an S3 PUT whose headers the SDK signed for an
// aws-chunked body, and what the test needs to sign its chunks.
type streamingUpload struct {
	req         *http.Request
	seed        string
	chunkSigner *v4.StreamSigner
}

// newStreamingUpload signs a PUT for a body of encodedLength bytes that
// decodes to decodedLength bytes.
func newStreamingUpload(t testing.TB, payloadHash string, encodedLength, decodedLength int) *streamingUpload {
	req := newRequest(t, http.MethodPut, "http://127.0.0.1:9000/bucket/key", nil)
	req.ContentLength = int64(encodedLength)
	req.Header.Set("Content-Encoding", "aws-chunked")
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decodedLength))
	if payloadHash != StreamingSignedPayload {
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
	}
	sdkSign(t, req, payloadHash, "s3", "", s3Signing)
	auth := req.Header.Get("Authorization")
	seed := auth[strings.Index(auth, "Signature=")+len("Signature="):]
	seedBytes, err := hex.DecodeString(seed)
	if err != nil {
		t.Fatal(err)
	}
	creds := aws.Credentials{AccessKeyID: testAKID, SecretAccessKey: testSecret}
	return &streamingUpload{req: req, seed: seed, chunkSigner: v4.NewStreamSigner(creds, "s3", testRegion, seedBytes)}
}

// signChunk signs the next chunk with the SDK's stream signer, whose
// event-stream string to sign equals the aws-chunked one when the
// headers are empty.
func (u *streamingUpload) signChunk(t testing.TB) chunkSignFunc {
	return func(data []byte) string {
		sig, err := u.chunkSigner.GetSignature(context.Background(), nil, data, signedAt)
		if err != nil {
			t.Fatal(err)
		}
		return hex.EncodeToString(sig)
	}
}

// signedTrailer returns the trailer section with its signature, chained
// from the final chunk's signature.
func signedTrailer(previous, trailer string) string {
	key := testSigningKey(testSecret, "20250102", testRegion, "s3")
	canonical := strings.ReplaceAll(trailer, "\r\n", "\n")
	toSign := "AWS4-HMAC-SHA256-TRAILER\n20250102T030405Z\n20250102/us-east-1/s3/aws4_request\n" +
		previous + "\n" + sha256Hex([]byte(canonical))
	return trailer + "x-amz-trailer-signature:" + hex.EncodeToString(hmacRef(key, toSign)) + "\r\n"
}

func hmacRef(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// uploadBody signs and frames data.
func uploadBody(t testing.TB, mode string, data []byte, chunkSize int) (*http.Request, []byte) {
	return uploadBodyDeclaring(t, mode, data, chunkSize, len(data))
}

// uploadBodyDeclaring signs and frames data, declaring the decoded length.
func uploadBodyDeclaring(t testing.TB, mode string, data []byte, chunkSize, declared int) (*http.Request, []byte) {
	trailer := ""
	if mode != StreamingSignedPayload {
		trailer = "x-amz-checksum-crc32:" + crc32Trailer(data) + "\r\n"
	}
	dummy := func([]byte) string { return strings.Repeat("0", 64) }
	var dummyTrailer = trailer
	if mode == StreamingSignedPayloadTrailer {
		dummyTrailer = signedTrailer(strings.Repeat("0", 64), trailer)
	}
	if mode == StreamingUnsignedPayloadTrailer {
		dummy = unsigned
	}
	length := len(encodeChunks(data, chunkSize, dummy, dummyTrailer))
	u := newStreamingUpload(t, mode, length, declared)
	var body []byte
	switch mode {
	case StreamingUnsignedPayloadTrailer:
		body = encodeChunks(data, chunkSize, unsigned, trailer)
	case StreamingSignedPayload:
		body = encodeChunks(data, chunkSize, u.signChunk(t), "")
	default:
		var last string
		sign := u.signChunk(t)
		body = encodeChunks(data, chunkSize, func(d []byte) string { last = sign(d); return last }, "")
		body = append(body[:len(body)-2], signedTrailer(last, trailer)+"\r\n"...)
	}
	if len(body) != length {
		t.Fatalf("encoded length %d, signed for %d", len(body), length)
	}
	return u.req, body
}

// readUpload sends the signed headers through the wire format, verifies
// them and decodes body, which may differ from what the headers announce.
func readUpload(t testing.TB, req *http.Request, body []byte, wrap func(io.Reader) io.Reader) ([]byte, *ChunkedReader, error) {
	req.Body = io.NopCloser(bytes.NewReader(make([]byte, req.ContentLength)))
	r := serverSide(t, req)
	r.Body = io.NopCloser(bytes.NewReader(body))
	v := NewVerifier(clockAt(signedAt))
	a, err := v.Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Verify(r, a, testSecret, ""); err != nil {
		t.Fatal(err)
	}
	if !a.Streaming() {
		t.Fatal("not streaming")
	}
	src := io.Reader(r.Body)
	if wrap != nil {
		src = wrap(src)
	}
	c := v.NewChunkedReader(src, a, testSecret)
	got, err := io.ReadAll(c)
	return got, c, err
}

var streamingModes = []string{StreamingSignedPayload, StreamingSignedPayloadTrailer, StreamingUnsignedPayloadTrailer}

func TestChunkedReaderDecodes(t *testing.T) {
	data := testPayload(150 << 10)
	for _, mode := range streamingModes {
		t.Run(mode, func(t *testing.T) {
			req, body := uploadBody(t, mode, data, 64<<10)
			got, c, err := readUpload(t, req, body, iotest.HalfReader)
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("err %v, got %d bytes, want %d", err, len(got), len(data))
			}
			trailers := c.Trailers()
			if mode != StreamingSignedPayload && trailers["x-amz-checksum-crc32"] != crc32Trailer(data) {
				t.Errorf("trailers %v", trailers)
			}
			if _, ok := trailers["x-amz-trailer-signature"]; ok {
				t.Error("trailer signature exposed as a trailer")
			}
		})
	}
}

func TestChunkedReaderIOContract(t *testing.T) {
	data := testPayload(20000)
	for _, mode := range streamingModes {
		req, body := uploadBody(t, mode, data, 8192)
		req.Body = io.NopCloser(bytes.NewReader(body))
		r := serverSide(t, req)
		v := NewVerifier(clockAt(signedAt))
		a, err := v.Parse(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := iotest.TestReader(v.NewChunkedReader(iotest.OneByteReader(r.Body), a, testSecret), data); err != nil {
			t.Errorf("%s: %v", mode, err)
		}
	}
}

func TestChunkedReaderRejectsTamperedChunk(t *testing.T) {
	data := testPayload(3 * 1000)
	for _, mode := range streamingModes[:2] {
		req, body := uploadBody(t, mode, data, 1000)
		secondHeader := 1000 + bytes.Index(body[1000:], []byte("\r\n3e8;"))
		secondData := secondHeader + bytes.Index(body[secondHeader+2:], []byte("\r\n")) + 4
		body[secondData+5] ^= 1
		got, _, err := readUpload(t, req, body, nil)
		wantKind(t, err, KindSignatureMismatch)
		if len(got) != 1000 {
			t.Errorf("%s: released %d bytes, want only the first chunk's 1000", mode, len(got))
		}
	}
}

func TestChunkedReaderRejectsTamperedTrailer(t *testing.T) {
	data := testPayload(3000)
	req, body := uploadBody(t, StreamingSignedPayloadTrailer, data, 1000)
	body = bytes.Replace(body, []byte(crc32Trailer(data)), []byte("AAAAAA=="), 1)
	_, c, err := readUpload(t, req, body, nil)
	wantKind(t, err, KindSignatureMismatch)
	if c.Trailers() != nil {
		t.Error("trailers exposed after a failure")
	}
	req, body = uploadBody(t, StreamingSignedPayloadTrailer, data, 1000)
	i := bytes.Index(body, []byte("x-amz-trailer-signature"))
	body = append(body[:i:i], "\r\n"...)
	_, _, err = readUpload(t, req, body, nil)
	wantKind(t, err, KindSignatureMismatch)
}

func TestChunkedReaderFramingErrors(t *testing.T) {
	data := testPayload(3000)
	cases := []struct {
		name   string
		mode   string
		change func([]byte) []byte
		want   Kind
	}{
		{"truncated", StreamingUnsignedPayloadTrailer, func(b []byte) []byte { return b[:len(b)-40] }, KindIncompleteBody},
		{"truncated signed", StreamingSignedPayload, func(b []byte) []byte { return b[:1500] }, KindIncompleteBody},
		{"no final chunk", StreamingSignedPayload, func(b []byte) []byte { return b[:bytes.LastIndex(b, []byte("0;chunk"))] }, KindIncompleteBody},
		{"missing CRLF", StreamingUnsignedPayloadTrailer, func(b []byte) []byte { return bytes.Replace(b, []byte("\r\n3e8"), []byte("\n\n3e8"), 1) }, KindBadChunk},
		{"bad size", StreamingUnsignedPayloadTrailer, func(b []byte) []byte { return append([]byte("zz\r\n"), b...) }, KindBadChunk},
		{"huge size", StreamingUnsignedPayloadTrailer, func([]byte) []byte { return []byte("140000001\r\n") }, KindBadChunk},
		{"huge signed size", StreamingSignedPayload, func([]byte) []byte { return []byte("1000001;chunk-signature=0\r\n") }, KindBadChunk},
		{"no signature", StreamingSignedPayload, func(b []byte) []byte { return append([]byte("3e8\r\n"), b...) }, KindBadChunk},
		{"long line", StreamingUnsignedPayloadTrailer, func([]byte) []byte { return bytes.Repeat([]byte("0"), 10000) }, KindBadChunk},
		{"trailer without colon", StreamingUnsignedPayloadTrailer, func(b []byte) []byte { return bytes.Replace(b, []byte("crc32:"), []byte("crc32"), 1) }, KindBadChunk},
		{"trailer in signed mode", StreamingSignedPayload, func(b []byte) []byte { return append(b[:len(b)-2], "x-amz-meta:1\r\n\r\n"...) }, KindBadChunk},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, body := uploadBody(t, c.mode, data, 1000)
			_, _, err := readUpload(t, req, c.change(body), nil)
			wantKind(t, err, c.want)
		})
	}
}

func TestChunkedReaderDecodedLength(t *testing.T) {
	data := testPayload(3000)
	for _, declared := range []int{2999, 3001} {
		req, body := uploadBodyDeclaring(t, StreamingSignedPayload, data, 1000, declared)
		_, _, err := readUpload(t, req, body, nil)
		wantKind(t, err, KindIncompleteBody)
	}
}

func TestChunkedReaderNeedsStreamingPayload(t *testing.T) {
	c := NewVerifier(nil).NewChunkedReader(strings.NewReader("0\r\n\r\n"), &Auth{PayloadHash: UnsignedPayload}, testSecret)
	_, err := io.ReadAll(c)
	wantKind(t, err, KindBadChunk)
}

func TestPayloadHashReader(t *testing.T) {
	body := []byte("hello")
	if got, err := io.ReadAll(NewPayloadHashReader(bytes.NewReader(body), strings.ToUpper(sha256Hex(body)))); err != nil || string(got) != "hello" {
		t.Fatalf("got %q, %v", got, err)
	}
	_, err := io.ReadAll(NewPayloadHashReader(bytes.NewReader(body), EmptyPayloadHash))
	wantKind(t, err, KindContentSHA256Mismatch)
}

// TestAWSStreamingExample checks the chunk signatures of the example in
// S3's "Signature Calculations for the Authorization Header: Transferring
// Payload in Multiple Chunks".
func TestAWSStreamingExample(t *testing.T) {
	chunk := func(n int, sig string) string {
		return fmt.Sprintf("%x;chunk-signature=%s\r\n%s\r\n", n, sig, strings.Repeat("a", n))
	}
	body := chunk(65536, "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648") +
		chunk(1024, "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497") +
		"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"
	a := &Auth{
		AccessKeyID: "AKIAIOSFODNN7EXAMPLE", Region: "us-east-1", Service: "s3", amzDate: "20130524T000000Z",
		Signature:   "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9",
		PayloadHash: StreamingSignedPayload, DecodedContentLength: 66560,
	}
	c := NewVerifier(nil).NewChunkedReader(strings.NewReader(body), a, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	got, err := io.ReadAll(c)
	if err != nil || len(got) != 66560 {
		t.Fatalf("got %d bytes, err %v", len(got), err)
	}
}
