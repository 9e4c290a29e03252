package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// generous bounds how long a test waits for the server to act on its
// timeouts; no test asserts how fast it acts.
const generous = 30 * time.Second

// signedPut returns the head of a PUT of body to demoBucket/key, signed
// by account A's root over the whole body's SHA-256, ready to be written
// to a raw connection.
func signedPut(t *testing.T, url, key string, body []byte, extra map[string]string) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, url+"/"+demoBucket+"/"+key, nil)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.ContentLength = int64(len(body))
	req.Header.Set("x-amz-content-sha256", hash)
	creds := aws.Credentials{AccessKeyID: "AKIA1111ROOT00000001", SecretAccessKey: "DemoRootSecretForAccountA0000000000000001"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	var head bytes.Buffer
	head.WriteString("PUT " + req.URL.RequestURI() + " HTTP/1.1\r\nHost: " + req.URL.Host + "\r\n")
	for name, values := range req.Header {
		head.WriteString(name + ": " + values[0] + "\r\n")
	}
	for name, value := range extra {
		head.WriteString(name + ": " + value + "\r\n")
	}
	head.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n")
	return head.Bytes()
}

func dial(t *testing.T, url string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(generous)); err != nil {
		t.Fatal(err)
	}
	return conn
}

// assertClosed reads until the server closes the connection.
func assertClosed(t *testing.T, r io.Reader, what string) {
	t.Helper()
	_, err := io.Copy(io.Discard, r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("%s: the server kept the connection open", what)
	}
}

// TestStalledUploadGetsRequestTimeout: a signed PUT that sends its headers
// and half its body, then nothing, is answered with S3's RequestTimeout
// and its connection closed; an idle keep-alive connection is closed.
func TestStalledUploadGetsRequestTimeout(t *testing.T) {
	bin := buildSekisho(t)
	p := startServe(t, bin, "--demo", "--in-memory", "--body-read-timeout", "3s", "--idle-timeout", "1s")

	body := bytes.Repeat([]byte("x"), 1<<20)
	conn := dial(t, p.URL)
	if _, err := conn.Write(append(signedPut(t, p.URL, "stalled", body, nil), body[:len(body)/2]...)); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer to the stalled upload: %v", err)
	}
	doc, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(doc), "<Code>RequestTimeout</Code>") ||
		!strings.Contains(string(doc), "<Message>Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.</Message>") ||
		resp.Header.Get("x-amz-request-id") == "" {
		t.Fatalf("stalled upload: %s\n%s", resp.Status, doc)
	}
	assertClosed(t, br, "after RequestTimeout")
	if strings.Contains(p.logs(), `"level":"ERROR"`) {
		t.Errorf("a stalled body is logged as a server error:\n%s", p.logs())
	}
	if _, err := s3As(p.URL, "AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001").HeadObject(context.Background(),
		&s3.HeadObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("stalled")}); errorCode(err) != "NotFound" {
		t.Fatalf("the stalled upload was stored: %v", err)
	}

	// A slow upload that keeps moving is not cut off, though it takes
	// longer than the timeout: each byte moves the deadline.
	conn = dial(t, p.URL)
	small := bytes.Repeat([]byte("y"), 6)
	if _, err := conn.Write(signedPut(t, p.URL, "slow", small, nil)); err != nil {
		t.Fatal(err)
	}
	for _, b := range small {
		time.Sleep(750 * time.Millisecond)
		if _, err := conn.Write([]byte{b}); err != nil {
			t.Fatal(err)
		}
	}
	br = bufio.NewReader(conn)
	resp, err = http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("slow but moving upload: %v %v", resp, err)
	}
	resp.Body.Close()

	// The same connection, now idle, is closed.
	assertClosed(t, br, "idle keep-alive connection")
}

// TestUploadCapAnswersSlowDown: beyond --max-uploads bodies in flight, an
// upload is answered 503 SlowDown; once the first is done, uploads pass.
func TestUploadCapAnswersSlowDown(t *testing.T) {
	bin := buildSekisho(t)
	p := startServe(t, bin, "--demo", "--in-memory", "--max-uploads", "1")
	ctx := context.Background()

	// The first upload holds the only slot: the server asks for its body
	// (100 Continue) only once its handler runs.
	body := []byte("held")
	conn := dial(t, p.URL)
	if _, err := conn.Write(signedPut(t, p.URL, "first", body, map[string]string{"Expect": "100-continue"})); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	line, err := br.ReadString('\n')
	if err != nil || !strings.Contains(line, "100 Continue") {
		t.Fatalf("waiting for 100 Continue: %q %v", line, err)
	}
	if _, err := br.ReadString('\n'); err != nil { // the blank line ending the interim response
		t.Fatal(err)
	}

	a := rootA(p.URL)
	_, err = a.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("second"), Body: strings.NewReader("refused")})
	if errorCode(err) != "SlowDown" || !strings.Contains(err.Error(), "Please reduce your request rate.") || !strings.Contains(err.Error(), "503") {
		t.Fatalf("second upload beyond the cap: %v", err)
	}
	// Reads are not uploads.
	if _, err := a.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(demoBucket)}); err != nil {
		t.Fatalf("listing while the cap is reached: %v", err)
	}

	if _, err := conn.Write(body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("the first upload: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := a.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("third"), Body: strings.NewReader("ok")}); err != nil {
		t.Fatalf("an upload once the slot is free: %v", err)
	}
}
