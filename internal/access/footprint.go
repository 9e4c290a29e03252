package access

import (
	"encoding/json"
	"strings"
)

// Estimated memory of a compiled policy, by what its document holds. The
// weights were measured (TestFootprintBoundsCompiledSize compares them with
// the heap each shape of document really takes) and err on the high
// side: a compiled Resource pattern costs hundreds of bytes, a condition
// value about a hundred, an action or principal a few dozen, so one
// factor over the document's length would be off by ten either way.
const (
	footprintPerDocByte      = 3 // the document itself, kept as the cache key, and copies of its strings
	footprintPerStatement    = 256
	footprintPerCondition    = 512 // one operator and key
	footprintPerResource     = 1024
	footprintPerConditionVal = 256
	footprintPerOtherString  = 64
	footprintFixed           = 512
)

// footprint estimates the bytes a compiled doc keeps alive, document
// included. A document it cannot walk is costed as if it held nothing
// but Resource patterns, the densest shape.
func footprint(doc string) int {
	n := footprintFixed + footprintPerDocByte*len(doc)
	var f footprintWalk
	dec := json.NewDecoder(strings.NewReader(doc))
	if err := f.value(dec, ""); err != nil {
		return n + footprintPerResource/8*len(doc) // the worst density: all Resource patterns
	}
	return n + f.bytes
}

type footprintWalk struct{ bytes int }

// value walks one JSON value of the given element (see memberElement):
// the estimate only needs to know which element each string belongs to.
func (f *footprintWalk) value(dec *json.Decoder, element string) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := t.(type) {
	case json.Delim:
		return f.container(dec, t, element)
	case string:
		f.bytes += stringCost(element)
	default: // numbers and booleans are condition values
		f.bytes += footprintPerConditionVal
	}
	return nil
}

func (f *footprintWalk) container(dec *json.Decoder, open json.Delim, element string) error {
	if open == '[' {
		for dec.More() {
			if err := f.value(dec, element); err != nil {
				return err
			}
		}
		_, err := dec.Token()
		return err
	}
	if element == "Statement" {
		f.bytes += footprintPerStatement
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string)
		if element == "Condition:operator" || element == "Condition:arn-operator" {
			f.bytes += footprintPerCondition // one compiled condition per key
		}
		if err := f.value(dec, memberElement(element, key)); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// memberElement names what a member holds, from its parent element and key.
func memberElement(parent, key string) string {
	switch parent {
	case "", "Statement":
		switch key {
		case "Statement", "Resource", "NotResource", "Condition":
			return key
		}
		return "other"
	case "Condition":
		if strings.Contains(key, "Arn") {
			return "Condition:arn-operator"
		}
		return "Condition:operator"
	case "Condition:arn-operator":
		return "Condition:key:arn"
	case "Condition:operator":
		return "Condition:key"
	}
	return parent
}

func stringCost(element string) int {
	switch element {
	case "Resource", "NotResource", "Condition:key:arn": // ARN patterns
		return footprintPerResource
	case "Condition:key":
		return footprintPerConditionVal
	}
	return footprintPerOtherString
}
