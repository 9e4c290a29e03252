// Package awsproto encodes and decodes the AWS wire shapes shared by the
// services: Query-protocol requests (form-encoded Action=...&Version=...),
// XML responses with ResponseMetadata, and AWS error documents.
package awsproto

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxQueryBody bounds a Query-protocol request body. AWS's own limits are
// far lower for IAM/STS parameters; this only protects the server.
const MaxQueryBody = 1 << 20

// Error is an AWS error with its HTTP status.
type Error struct {
	Status  int
	Code    string
	Message string
	// Sender is true for client faults ("Sender"), false for "Receiver".
	Receiver bool
	// Extra members of a JSON protocol error document, such as the
	// Reason of Organizations' ConstraintViolationException.
	Extra map[string]string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Errorf builds a client error.
func Errorf(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Common errors.
func ValidationError(format string, args ...any) *Error {
	return Errorf(http.StatusBadRequest, "ValidationError", format, args...)
}

// AccessDenied is a 403 with the decision's message.
func AccessDenied(message string) *Error {
	return &Error{Status: http.StatusForbidden, Code: "AccessDenied", Message: message}
}

// InternalError hides details from the client.
func InternalError() *Error {
	return &Error{Status: http.StatusInternalServerError, Code: "InternalFailure", Message: "We encountered an internal error. Please try again.", Receiver: true}
}

// ServiceUnavailable is the answer while the store is unreachable.
func ServiceUnavailable() *Error {
	return &Error{Status: http.StatusServiceUnavailable, Code: "ServiceUnavailable", Message: "Service is unable to handle request.", Receiver: true}
}

// NewRequestID returns a fresh request id in AWS's UUID form.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var id [36]byte
	hex.Encode(id[0:8], b[0:4])
	id[8] = '-'
	hex.Encode(id[9:13], b[4:6])
	id[13] = '-'
	hex.Encode(id[14:18], b[6:8])
	id[18] = '-'
	hex.Encode(id[19:23], b[8:10])
	id[23] = '-'
	hex.Encode(id[24:], b[10:])
	return string(id[:])
}

// setResponseHeaders sets Content-Type and x-amzn-RequestId as Header.Set
// would, under the canonical keys Set would compute ("X-Amzn-Requestid"),
// with one allocation for both values.
func setResponseHeaders(h http.Header, contentType, requestID string) {
	values := []string{contentType, requestID}
	h["Content-Type"] = values[0:1:1]
	h["X-Amzn-Requestid"] = values[1:2:2]
}

// Params are a Query request's parameters: each name once, with its
// values in the order sent (as url.Values holds them). A request has a
// handful of names, found by scanning; a request of more than
// maxScannedParams names also indexes them in a map.
type Params struct {
	list  []param
	index map[string]int // name → position in list; nil below maxScannedParams
}

// param is one parameter name and its values.
type param struct {
	name   string
	values []string
}

// maxScannedParams is the most names Params finds by scanning.
const maxScannedParams = 16

// NewParams wraps decoded form values.
func NewParams(v url.Values) Params {
	p := Params{list: make([]param, 0, len(v))}
	for k, vs := range v {
		p.list = append(p.list, param{name: k, values: vs})
	}
	if len(p.list) > maxScannedParams {
		p.reindex()
	}
	return p
}

func (p *Params) reindex() {
	p.index = make(map[string]int, len(p.list))
	for i := range p.list {
		p.index[p.list[i].name] = i
	}
}

// find returns the position of name in list.
func (p Params) find(name string) (int, bool) {
	if p.index != nil {
		i, ok := p.index[name]
		return i, ok
	}
	for i := range p.list {
		if p.list[i].name == name {
			return i, true
		}
	}
	return 0, false
}

// add appends value to name's values, adding the name if it is new.
func (p *Params) add(name, value string) {
	if i, ok := p.find(name); ok {
		p.list[i].values = append(p.list[i].values, value)
		return
	}
	p.list = append(p.list, param{name: name, values: []string{value}})
	switch {
	case p.index != nil:
		p.index[name] = len(p.list) - 1
	case len(p.list) > maxScannedParams:
		p.reindex()
	}
}

// Get returns a parameter's value ("" when absent).
func (p Params) Get(name string) string {
	if i, ok := p.find(name); ok && len(p.list[i].values) > 0 {
		return p.list[i].values[0]
	}
	return ""
}

// Has reports whether the parameter was sent.
func (p Params) Has(name string) bool {
	_, ok := p.find(name)
	return ok
}

// Action is the Action parameter.
func (p Params) Action() string { return p.Get("Action") }

// Required returns a parameter or AWS's missing-parameter error.
func (p Params) Required(name string) (string, *Error) {
	if !p.Has(name) {
		return "", Errorf(http.StatusBadRequest, "MissingParameter", "The request must contain the parameter %s", name)
	}
	return p.Get(name), nil
}

// Int returns an integer parameter, def when absent.
func (p Params) Int(name string, def int) (int, *Error) {
	if !p.Has(name) {
		return def, nil
	}
	n, err := strconv.Atoi(p.Get(name))
	if err != nil {
		return 0, ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must be a number", p.Get(name), lowerFirst(name))
	}
	return n, nil
}

// Bool returns a boolean parameter.
func (p Params) Bool(name string) bool {
	return strings.EqualFold(p.Get(name), "true")
}

// List returns a flattened list: Name.member.1, Name.member.2, ...
func (p Params) List(name string) []string {
	var out []string
	for i := 1; ; i++ {
		key := name + ".member." + strconv.Itoa(i)
		if !p.Has(key) {
			return out
		}
		out = append(out, p.Get(key))
	}
}

// Structs returns flattened structures, Name.member.N.Field, as one map
// of Field to value per member, in member order, stopping at the first
// missing N as AWS does. It reads the parameters once, so hostile bodies
// cost linear time.
func (p Params) Structs(name string) []map[string]string {
	prefix := name + ".member."
	byIndex := map[int]map[string]string{}
	for _, kv := range p.list {
		k, v := kv.name, kv.values
		rest, ok := strings.CutPrefix(k, prefix)
		if !ok {
			continue
		}
		num, field, ok := strings.Cut(rest, ".")
		n, err := strconv.Atoi(num)
		if !ok || err != nil || n < 1 {
			continue
		}
		if byIndex[n] == nil {
			byIndex[n] = map[string]string{}
		}
		byIndex[n][field] = v[0]
	}
	var out []map[string]string
	for i := 1; byIndex[i] != nil; i++ {
		out = append(out, byIndex[i])
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// ParseQuery reads a Query-protocol request: the form body of a POST (or
// the URL query of a GET), checked for size and valid UTF-8.
func ParseQuery(r *http.Request, body []byte) (Params, *Error) {
	var values url.Values
	if r.URL.RawQuery != "" {
		values = r.URL.Query()
	}
	var params Params
	if r.Method == http.MethodPost && len(body) > 0 {
		form, err := parseForm(string(body))
		if err != nil {
			return Params{}, Errorf(http.StatusBadRequest, "MalformedQueryString", "The request body is not a valid form: %v", err)
		}
		if values == nil {
			params = form // the usual POST: nothing to merge
		} else {
			for _, kv := range form.list {
				values[kv.name] = append(values[kv.name], kv.values...)
			}
			params = NewParams(values)
		}
	} else {
		params = NewParams(values)
	}
	for _, kv := range params.list {
		if !utf8.ValidString(kv.name) {
			return Params{}, Errorf(http.StatusBadRequest, "MalformedQueryString", "Parameter names must be valid UTF-8")
		}
		for _, v := range kv.values {
			if !utf8.ValidString(v) {
				return Params{}, ValidationError("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be valid UTF-8", lowerFirst(kv.name))
			}
		}
	}
	return params, nil
}

// parseForm is url.ParseQuery, as Params. A form with no semicolon (what
// the SDKs send) is split here, every value sharing one backing array
// (a repeated name gets an array of its own) and each component
// unescaped by url.QueryUnescape only when it holds '%' or '+'; anything
// else, and any component that does not unescape, goes to
// url.ParseQuery, whose values and errors are the answer.
func parseForm(form string) (Params, error) {
	pairs := strings.Count(form, "&") + 1
	if pairs > maxFastFormPairs || strings.IndexByte(form, ';') >= 0 {
		return parseFormSlow(form)
	}
	p := Params{list: make([]param, 0, pairs)}
	backing := make([]string, 0, pairs)
	for rest := form; rest != ""; {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if pair == "" {
			continue
		}
		key, value, _ := strings.Cut(pair, "=")
		var ok bool
		if key, ok = unescapeFormComponent(key); !ok {
			return parseFormSlow(form)
		}
		if value, ok = unescapeFormComponent(value); !ok {
			return parseFormSlow(form)
		}
		if _, seen := p.find(key); seen {
			p.add(key, value) // a repeated key: its own array (the shared one is capped)
			continue
		}
		backing = append(backing, value)
		p.list = append(p.list, param{name: key, values: backing[len(backing)-1 : len(backing) : len(backing)]})
		if p.index != nil {
			p.index[key] = len(p.list) - 1
		} else if len(p.list) > maxScannedParams {
			p.reindex()
		}
	}
	return p, nil
}

// parseFormSlow is url.ParseQuery's answer as Params.
func parseFormSlow(form string) (Params, error) {
	values, err := url.ParseQuery(form)
	return NewParams(values), err
}

// unescapeFormComponent is url.QueryUnescape, skipped for text with
// nothing to unescape; ok is false where it fails.
func unescapeFormComponent(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}

// maxFastFormPairs sends a form of more pairs to url.ParseQuery, which
// enforces its own bound on their number.
const maxFastFormPairs = 256

// WriteXML writes a Query-protocol success response:
// <ActionResponse xmlns=ns>result<ResponseMetadata>...</ActionResponse>.
// result is nil for actions without output, or a struct whose XMLName is
// "<Action>Result".
func WriteXML(w http.ResponseWriter, action, namespace, requestID string, result any) {
	setResponseHeaders(w.Header(), "text/xml", requestID)
	b := getXMLBuffer()
	defer putXMLBuffer(b)
	b.WriteString(xml.Header)
	// Piece by piece: a concatenation would allocate the joined string.
	b.WriteString("<")
	b.WriteString(action)
	b.WriteString("Response xmlns=\"")
	b.WriteString(namespace)
	b.WriteString("\">")
	if a, ok := result.(XMLAppender); ok {
		b.Append(a)
	} else if result != nil {
		if err := b.Encode(result); err != nil {
			WriteQueryError(w, namespace, requestID, InternalError())
			return
		}
	}
	b.WriteString("<ResponseMetadata><RequestId>")
	b.WriteString(requestID)
	b.WriteString("</RequestId></ResponseMetadata></")
	b.WriteString(action)
	b.WriteString("Response>")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

type queryErrorDoc struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

// WriteQueryError writes the Query-protocol error document.
func WriteQueryError(w http.ResponseWriter, namespace, requestID string, e *Error) {
	doc := queryErrorDoc{Xmlns: namespace, Type: "Sender", Code: e.Code, Message: e.Message, RequestID: requestID}
	if e.Receiver {
		doc.Type = "Receiver"
	}
	b := getXMLBuffer()
	defer putXMLBuffer(b)
	b.WriteString(xml.Header)
	_ = b.Encode(doc) // strings only: always marshals
	setResponseHeaders(w.Header(), "text/xml", requestID)
	w.WriteHeader(e.Status)
	_, _ = w.Write(b.Bytes())
}
