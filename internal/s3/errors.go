package s3

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Error is an S3 error: REST-XML `<Error>` with the HTTP status.
type Error struct {
	Status  int
	Code    string
	Message string
	// Extra elements S3 adds for some codes (BucketName, Key, Condition, ...).
	Extra map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) with(name, value string) *Error {
	if e.Extra == nil {
		e.Extra = map[string]string{}
	}
	e.Extra[name] = value
	return e
}

func errNoSuchBucket(bucket string) *Error {
	return newError(http.StatusNotFound, "NoSuchBucket", "The specified bucket does not exist").with("BucketName", bucket)
}

func errNoSuchKey(key string) *Error {
	return newError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.").with("Key", key)
}

func errAccessDenied(message string) *Error {
	return newError(http.StatusForbidden, "AccessDenied", "%s", message)
}

func errMalformedXML() *Error {
	return newError(http.StatusBadRequest, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.")
}

func errInternal() *Error {
	return newError(http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
}

// errUnavailable answers while the store cannot be reached; clients retry it.
func errUnavailable() *Error {
	return newError(http.StatusServiceUnavailable, "ServiceUnavailable", "Please reduce your request rate.")
}

func errInvalidArgument(format string, args ...any) *Error {
	return newError(http.StatusBadRequest, "InvalidArgument", format, args...)
}

func errNotImplemented(what string) *Error {
	return newError(http.StatusNotImplemented, "NotImplemented", "A header or query you provided requested a function that is not implemented: %s", what)
}

// WriteError writes the S3 error document (no body for HEAD).
func WriteError(w http.ResponseWriter, r *http.Request, requestID string, e *Error) {
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID(requestID))
	if r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(e.Status)
	var b []byte
	b = append(b, xml.Header...)
	b = append(b, "<Error><Code>"...)
	b = appendEscaped(b, e.Code)
	b = append(b, "</Code><Message>"...)
	b = appendEscaped(b, e.Message)
	b = append(b, "</Message>"...)
	for _, name := range sortedKeys(e.Extra) {
		b = append(b, '<')
		b = append(b, name...)
		b = append(b, '>')
		b = appendEscaped(b, e.Extra[name])
		b = append(b, "</"...)
		b = append(b, name...)
		b = append(b, '>')
	}
	b = append(b, "<RequestId>"...)
	b = append(b, requestID...)
	b = append(b, "</RequestId><HostId>"...)
	b = append(b, hostID(requestID)...)
	b = append(b, "</HostId></Error>"...)
	_, _ = w.Write(b)
}

func appendEscaped(b []byte, s string) []byte {
	var buf xmlBuffer
	_ = xml.EscapeText(&buf, []byte(s))
	return append(b, buf...)
}

type xmlBuffer []byte

func (x *xmlBuffer) Write(p []byte) (int, error) {
	*x = append(*x, p...)
	return len(p), nil
}

// hostID is the x-amz-id-2 S3 pairs with each request id.
func hostID(requestID string) string {
	return "sekisho/" + requestID
}

// writeXML writes a 200 response with an XML document.
func writeXML(w http.ResponseWriter, requestID string, v any) {
	out, err := xml.Marshal(v)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	h.Set("x-amz-id-2", hostID(requestID))
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(out)
}

// httpTime formats Last-Modified style dates.
func httpTime(t time.Time) string { return t.UTC().Format(http.TimeFormat) }

// isoTime formats dates inside XML documents.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
