package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxJSONDepth bounds nesting so hostile documents cannot exhaust the stack.
// Real policies nest at most five levels (Statement/Condition/op/key/values).
const maxJSONDepth = 32

type jsonKind uint8

const (
	jsonString jsonKind = iota
	jsonNumber
	jsonBool
	jsonNull
	jsonArray
	jsonObject
)

func (k jsonKind) String() string {
	return [...]string{"string", "number", "boolean", "null", "array", "object"}[k]
}

// jsonValue is a JSON value that remembers where it started and keeps
// object members in document order, so that validation errors can point
// at the offending place and duplicate keys can be refused.
type jsonValue struct {
	kind    jsonKind
	text    string // string contents, or the literal text of numbers and booleans
	items   []*jsonValue
	members []jsonMember
	offset  int64
}

type jsonMember struct {
	key   string
	value *jsonValue
}

// get returns the member named key (exact case) or nil.
func (v *jsonValue) get(key string) *jsonValue {
	for _, m := range v.members {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// parseStrictJSON decodes one JSON object, refusing duplicate keys,
// excessive nesting and anything after the closing brace.
func parseStrictJSON(doc []byte) (*jsonValue, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	p := &jsonParser{dec: dec}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("unexpected data after the policy at offset %d", dec.InputOffset())
	}
	return v, nil
}

type jsonParser struct {
	dec *json.Decoder
}

func (p *jsonParser) value(depth int) (*jsonValue, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("nesting deeper than %d levels at offset %d", maxJSONDepth, p.dec.InputOffset())
	}
	offset := p.dec.InputOffset()
	tok, err := p.dec.Token()
	if err != nil {
		return nil, describeJSONError(err, p.dec.InputOffset())
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return p.object(depth, offset)
		case '[':
			return p.array(depth, offset)
		}
		return nil, fmt.Errorf("unexpected %q at offset %d", t, offset)
	case string:
		return &jsonValue{kind: jsonString, text: t, offset: offset}, nil
	case json.Number:
		return &jsonValue{kind: jsonNumber, text: t.String(), offset: offset}, nil
	case bool:
		text := "false"
		if t {
			text = "true"
		}
		return &jsonValue{kind: jsonBool, text: text, offset: offset}, nil
	case nil:
		return &jsonValue{kind: jsonNull, offset: offset}, nil
	}
	return nil, fmt.Errorf("unexpected token at offset %d", offset)
}

func (p *jsonParser) object(depth int, offset int64) (*jsonValue, error) {
	v := &jsonValue{kind: jsonObject, offset: offset}
	for p.dec.More() {
		keyOffset := p.dec.InputOffset()
		tok, err := p.dec.Token()
		if err != nil {
			return nil, describeJSONError(err, p.dec.InputOffset())
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("expected a member name at offset %d", keyOffset)
		}
		if v.get(key) != nil {
			return nil, fmt.Errorf("duplicate key %q at offset %d", key, keyOffset)
		}
		member, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.members = append(v.members, jsonMember{key: key, value: member})
	}
	if _, err := p.dec.Token(); err != nil { // closing brace
		return nil, describeJSONError(err, p.dec.InputOffset())
	}
	return v, nil
}

func (p *jsonParser) array(depth int, offset int64) (*jsonValue, error) {
	v := &jsonValue{kind: jsonArray, offset: offset}
	for p.dec.More() {
		item, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		v.items = append(v.items, item)
	}
	if _, err := p.dec.Token(); err != nil { // closing bracket
		return nil, describeJSONError(err, p.dec.InputOffset())
	}
	return v, nil
}

func describeJSONError(err error, offset int64) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("unexpected end of document at offset %d", offset)
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("invalid JSON at offset %d: %s", syn.Offset, strings.TrimPrefix(syn.Error(), "invalid character "))
	}
	return fmt.Errorf("invalid JSON near offset %d: %v", offset, err)
}
