package app

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/s3"
)

// Defaults of the limits on what one client may hold.
const (
	// DefaultBodyReadTimeout is how long a request body may stall. S3
	// closes a silent upload after about 20 seconds with RequestTimeout.
	DefaultBodyReadTimeout = 20 * time.Second
	// DefaultMaxUploads bounds the uploads (request bodies) in flight.
	// Each holds at most one signed aws-chunked chunk (16 MiB) and one
	// copy buffer, so the default keeps bodies under about 1 GiB.
	DefaultMaxUploads = 64
)

// limits wraps the front door with the bounds on request bodies: a body
// that sends nothing for bodyTimeout is cut off and answered with
// RequestTimeout, and at most maxUploads bodies are read at once (beyond
// that, SlowDown).
type limits struct {
	next        http.Handler
	bodyTimeout time.Duration
	slots       chan struct{} // one per upload in flight; nil: no cap
}

func newLimits(next http.Handler, bodyTimeout time.Duration, maxUploads int) *limits {
	l := &limits{next: next, bodyTimeout: bodyTimeout}
	if maxUploads > 0 {
		l.slots = make(chan struct{}, maxUploads)
	}
	return l
}

func (l *limits) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if l.slots != nil && isUpload(r) {
		select {
		case l.slots <- struct{}{}:
			defer func() { <-l.slots }()
		default:
			writeSlowDown(w, r)
			return
		}
	}
	if l.bodyTimeout > 0 && r.Body != nil && r.Body != http.NoBody {
		// The writer, the body and the controller in one allocation.
		g := &bodyGuard{timeoutWriter: timeoutWriter{ResponseWriter: w, r: r}, rc: *http.NewResponseController(w)}
		g.deadlineBody = deadlineBody{body: r.Body, rc: &g.rc, timeout: l.bodyTimeout, timedOut: &g.timedOut}
		r.Body = &g.deadlineBody
		w = &g.timeoutWriter
	}
	l.next.ServeHTTP(w, r)
}

// isUpload tells a request whose body is an upload — a PUT, or a POST
// other than a Query-protocol form — from the small forms of IAM and STS.
func isUpload(r *http.Request) bool {
	if r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0 {
		return false
	}
	switch r.Method {
	case http.MethodPut:
		return true
	case http.MethodPost:
		return !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded")
	}
	return false
}

func writeSlowDown(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close") // the unread body is not worth draining
	s3.WriteError(w, r, awsproto.NewRequestID(), &s3.Error{Status: http.StatusServiceUnavailable, Code: "SlowDown",
		Message: "Please reduce your request rate."})
}

// bodyGuard holds what limits puts around a request with a body.
type bodyGuard struct {
	timeoutWriter
	deadlineBody deadlineBody
	rc           http.ResponseController
}

// errBodyTimeout ends a body that stalled. It wraps io.ErrUnexpectedEOF,
// so readers and services treat it as the incomplete body it is; the
// response is replaced by RequestTimeout anyway.
var errBodyTimeout = fmt.Errorf("request body stalled: %w", io.ErrUnexpectedEOF)

// deadlineBody moves the connection's read deadline forward before every
// read, so a body is cut off only when it stalls, however long it is.
type deadlineBody struct {
	body     io.ReadCloser
	rc       *http.ResponseController
	timeout  time.Duration
	timedOut *atomic.Bool
	done     bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	if b.done {
		return b.body.Read(p)
	}
	// An error here means the connection cannot take deadlines (it is
	// not a net.Conn, as in some tests): read without one.
	_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	n, err := b.body.Read(p)
	if err == nil {
		return n, nil
	}
	b.done = true
	// The body has ended: the server's own read of the connection (to
	// notice a client hanging up) must not inherit our deadline.
	_ = b.rc.SetReadDeadline(time.Time{})
	if errors.Is(err, os.ErrDeadlineExceeded) {
		b.timedOut.Store(true)
		return n, errBodyTimeout
	}
	return n, err
}

func (b *deadlineBody) Close() error { return b.body.Close() }

// timeoutWriter answers RequestTimeout, as S3 does, in place of whatever
// the handler answers once the body was cut off for stalling.
type timeoutWriter struct {
	http.ResponseWriter
	r           *http.Request
	timedOut    atomic.Bool
	replaced    bool
	wroteHeader bool
}

func (w *timeoutWriter) WriteHeader(status int) {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	if !w.timedOut.Load() {
		w.ResponseWriter.WriteHeader(status)
		return
	}
	w.replaced = true
	h := w.Header()
	queryID, id := h.Get("x-amzn-RequestId"), h.Get("x-amz-request-id")
	clear(h) // nothing of the handler's answer stays
	h.Set("Connection", "close")
	message := "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."
	if queryID != "" { // a Query-protocol (IAM, STS) answer
		awsproto.WriteQueryError(w.ResponseWriter, "", queryID, awsproto.Errorf(http.StatusBadRequest, "RequestTimeout", "%s", message))
		return
	}
	if id == "" {
		id = awsproto.NewRequestID()
	}
	s3.WriteError(w.ResponseWriter, w.r, id, &s3.Error{Status: http.StatusBadRequest, Code: "RequestTimeout", Message: message})
}

func (w *timeoutWriter) Write(p []byte) (int, error) {
	if !w.wroteHeader {
		w.WriteHeader(http.StatusOK)
	}
	if w.replaced {
		return len(p), nil // the handler's answer gave way to RequestTimeout
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *timeoutWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
