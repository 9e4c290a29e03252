package app

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/awsproto"
)

// TestStalledQueryBodyGetsQueryRequestTimeout: a stalled IAM/STS form is
// answered RequestTimeout in the Query protocol's shape, not S3's, with
// the handler's request id.
func TestStalledQueryBodyGetsQueryRequestTimeout(t *testing.T) {
	query := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, err := io.ReadAll(r.Body)
		if err == nil {
			t.Error("the stalled body was read to its end")
		}
		awsproto.WriteQueryError(w, "https://iam.amazonaws.com/doc/2010-05-08/", "req-1", awsproto.ValidationError("bad form"))
	})
	srv := httptest.NewServer(newLimits(query, 200*time.Millisecond, 1))
	defer srv.Close()
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	head := "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nAction=ListUsers"
	if _, err := conn.Write([]byte(head)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || resp.Header.Get("x-amzn-RequestId") != "req-1" ||
		!strings.Contains(string(doc), "<ErrorResponse") || !strings.Contains(string(doc), "<Code>RequestTimeout</Code>") {
		t.Fatalf("%s %v\n%s", resp.Status, resp.Header, doc)
	}
}

// TestFormsAreNotUploads: the upload cap counts PUT bodies and POST
// bodies other than Query forms.
func TestFormsAreNotUploads(t *testing.T) {
	cases := []struct {
		method, contentType string
		length              int64
		upload              bool
	}{
		{http.MethodPut, "", 5, true},
		{http.MethodPut, "", 0, false},
		{http.MethodPost, "application/xml", 5, true},
		{http.MethodPost, "application/x-www-form-urlencoded; charset=utf-8", 5, false},
		{http.MethodGet, "", 5, false},
	}
	for _, c := range cases {
		r := httptest.NewRequest(c.method, "/b/k", strings.NewReader(strings.Repeat("x", int(c.length))))
		r.ContentLength = c.length
		if c.contentType != "" {
			r.Header.Set("Content-Type", c.contentType)
		}
		if c.length == 0 {
			r.Body = http.NoBody
		}
		if got := isUpload(r); got != c.upload {
			t.Errorf("%s %q %d: upload %v, want %v", c.method, c.contentType, c.length, got, c.upload)
		}
	}
}
