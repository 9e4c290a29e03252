package policy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

type valueType uint8

const (
	typeString valueType = iota
	typeNumeric
	typeDate
	typeBool
	typeBinary
	typeIP
	typeARN
	typeNull
)

type comparison uint8

const (
	cmpEquals comparison = iota
	cmpEqualsIgnoreCase
	cmpLike
	cmpLess
	cmpLessEquals
	cmpGreater
	cmpGreaterEquals
)

// operatorSpec describes one base condition operator.
type operatorSpec struct {
	typ     valueType
	cmp     comparison
	negated bool
}

var operators = map[string]operatorSpec{
	"StringEquals":              {typeString, cmpEquals, false},
	"StringNotEquals":           {typeString, cmpEquals, true},
	"StringEqualsIgnoreCase":    {typeString, cmpEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {typeString, cmpEqualsIgnoreCase, true},
	"StringLike":                {typeString, cmpLike, false},
	"StringNotLike":             {typeString, cmpLike, true},
	"NumericEquals":             {typeNumeric, cmpEquals, false},
	"NumericNotEquals":          {typeNumeric, cmpEquals, true},
	"NumericLessThan":           {typeNumeric, cmpLess, false},
	"NumericLessThanEquals":     {typeNumeric, cmpLessEquals, false},
	"NumericGreaterThan":        {typeNumeric, cmpGreater, false},
	"NumericGreaterThanEquals":  {typeNumeric, cmpGreaterEquals, false},
	"DateEquals":                {typeDate, cmpEquals, false},
	"DateNotEquals":             {typeDate, cmpEquals, true},
	"DateLessThan":              {typeDate, cmpLess, false},
	"DateLessThanEquals":        {typeDate, cmpLessEquals, false},
	"DateGreaterThan":           {typeDate, cmpGreater, false},
	"DateGreaterThanEquals":     {typeDate, cmpGreaterEquals, false},
	"Bool":                      {typeBool, cmpEquals, false},
	"BinaryEquals":              {typeBinary, cmpEquals, false},
	"IpAddress":                 {typeIP, cmpEquals, false},
	"NotIpAddress":              {typeIP, cmpEquals, true},
	"ArnEquals":                 {typeARN, cmpLike, false},
	"ArnLike":                   {typeARN, cmpLike, false},
	"ArnNotEquals":              {typeARN, cmpLike, true},
	"ArnNotLike":                {typeARN, cmpLike, true},
	"Null":                      {typeNull, cmpEquals, false},
}

type setQualifier uint8

const (
	setNone setQualifier = iota
	setForAnyValue
	setForAllValues
)

// condition is one (operator, key) pair of a Condition block with its
// policy values compiled for the operator's type.
type condition struct {
	operator string // as written, e.g. ForAnyValue:StringLikeIfExists
	key      string // as written
	lowerKey string
	spec     operatorSpec
	set      setQualifier
	ifExists bool
	raw      []string

	strings []pattern
	arns    []arnPattern
	numbers []float64
	dates   []int64 // unix nanoseconds
	prefix  []netip.Prefix
	bools   []bool
}

// compileConditionBlock compiles a statement's Condition element.
func compileConditionBlock(v *jsonValue, path string, variables bool) ([]condition, error) {
	if v.kind != jsonObject {
		return nil, syntaxError(path, "must be an object of operators", v.offset)
	}
	var out []condition
	for _, op := range v.members {
		opPath := path + "." + op.key
		if op.value.kind != jsonObject || len(op.value.members) == 0 {
			return nil, syntaxError(opPath, "must be a non-empty object of condition keys", op.value.offset)
		}
		for _, kv := range op.value.members {
			c, err := compileCondition(op.key, kv.key, kv.value, opPath+"."+kv.key, variables)
			if err != nil {
				return nil, err
			}
			out = append(out, c)
		}
	}
	return out, nil
}

func compileCondition(operator, key string, v *jsonValue, path string, variables bool) (condition, error) {
	c := condition{operator: operator, key: key, lowerKey: strings.ToLower(key)}
	base := operator
	if q, rest, ok := strings.Cut(base, ":"); ok {
		switch q {
		case "ForAnyValue":
			c.set = setForAnyValue
		case "ForAllValues":
			c.set = setForAllValues
		default:
			return c, syntaxError(path, fmt.Sprintf("unknown set operator %q", q), v.offset)
		}
		base = rest
	}
	if trimmed, ok := strings.CutSuffix(base, "IfExists"); ok {
		c.ifExists = true
		base = trimmed
	}
	spec, ok := operators[base]
	if !ok || (spec.typ == typeNull && (c.ifExists || c.set != setNone)) {
		return c, syntaxError(path, fmt.Sprintf("unknown condition operator %q", operator), v.offset)
	}
	c.spec = spec
	if !strings.Contains(key, ":") || strings.HasPrefix(key, ":") {
		return c, &Error{Message: msgVendorPrefix, Path: path, Detail: fmt.Sprintf("condition key %q has no vendor prefix such as aws:", key), Offset: v.offset}
	}
	raw, err := scalarList(v, path)
	if err != nil {
		return c, err
	}
	c.raw = raw
	return c, c.compileValues(path, variables)
}

func (c *condition) compileValues(path string, variables bool) error {
	for _, s := range c.raw {
		switch c.spec.typ {
		case typeString, typeBool:
			if c.spec.typ == typeBool {
				c.bools = append(c.bools, strings.EqualFold(s, "true"))
			}
			p, err := compilePattern(s, variables, c.spec.cmp == cmpLike)
			if err != nil {
				return syntaxError(path, err.Error(), -1)
			}
			c.strings = append(c.strings, p)
		case typeARN:
			p, err := compileARNPattern(s, variables)
			if err != nil {
				return syntaxError(path, err.Error(), -1)
			}
			c.arns = append(c.arns, p)
		case typeNumeric:
			n, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return syntaxError(path, fmt.Sprintf("%q is not a number", s), -1)
			}
			c.numbers = append(c.numbers, n)
		case typeDate:
			t, ok := parseDate(s)
			if !ok {
				return syntaxError(path, fmt.Sprintf("%q is not an ISO 8601 date or epoch seconds", s), -1)
			}
			c.dates = append(c.dates, t)
		case typeIP:
			p, ok := parseCIDR(s)
			if !ok {
				return syntaxError(path, fmt.Sprintf("%q is not an IPv4 or IPv6 address or CIDR", s), -1)
			}
			c.prefix = append(c.prefix, p)
		case typeNull, typeBinary:
			// compared as text
		}
	}
	return nil
}

// eval applies the condition to the request context.
func (c *condition) eval(ctx *Context) bool {
	values, present := ctx.lookup(c.lowerKey)
	if c.spec.typ == typeNull {
		return c.evalNull(present && len(values) > 0)
	}
	if c.set != setNone && len(values) == 1 && values[0] == "" {
		// An empty string is an empty data set for the set operators.
		values = values[:0]
	}
	if !present || len(values) == 0 {
		switch {
		case c.ifExists, c.set == setForAllValues:
			return true
		case c.set == setForAnyValue:
			return false
		}
		return c.spec.negated
	}
	switch c.set {
	case setForAnyValue:
		for _, v := range values {
			if c.matches(v, ctx) != c.spec.negated {
				return true
			}
		}
		return false
	case setForAllValues:
		for _, v := range values {
			if c.matches(v, ctx) == c.spec.negated {
				return false
			}
		}
		return true
	}
	// A bare operator on several request values: true when any value
	// matches (for negated operators, when none does).
	for _, v := range values {
		if c.matches(v, ctx) {
			return !c.spec.negated
		}
	}
	return c.spec.negated
}

func (c *condition) evalNull(present bool) bool {
	for _, s := range c.raw {
		wantAbsent := strings.EqualFold(s, "true")
		if wantAbsent != present {
			return true
		}
	}
	return false
}

// matches reports whether the request value v matches any policy value
// under the operator's positive comparison. Request values that do not
// parse as the operator's type match nothing.
func (c *condition) matches(v string, ctx *Context) bool {
	switch c.spec.typ {
	case typeString:
		return c.matchString(v, ctx)
	case typeARN:
		for i := range c.arns {
			if c.arns[i].match(v, ctx) {
				return true
			}
		}
	case typeNumeric:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false
		}
		for _, p := range c.numbers {
			if compareOrdered(n, p, c.spec.cmp) {
				return true
			}
		}
	case typeDate:
		t, ok := parseDate(v)
		if !ok {
			return false
		}
		for _, p := range c.dates {
			if compareOrdered(t, p, c.spec.cmp) {
				return true
			}
		}
	case typeBool:
		for i := range c.strings {
			if c.strings[i].equal(v, ctx, true) {
				return true
			}
		}
	case typeBinary:
		for _, p := range c.raw {
			if p == v {
				return true
			}
		}
	case typeIP:
		addr, err := netip.ParseAddr(v)
		if err != nil {
			return false
		}
		addr = addr.Unmap()
		for _, p := range c.prefix {
			if p.Contains(addr) {
				return true
			}
		}
	}
	return false
}

func (c *condition) matchString(v string, ctx *Context) bool {
	for i := range c.strings {
		p := &c.strings[i]
		var ok bool
		switch c.spec.cmp {
		case cmpLike:
			ok = p.match(v, ctx, false)
		case cmpEqualsIgnoreCase:
			ok = p.equal(v, ctx, true)
		default:
			ok = p.equal(v, ctx, false)
		}
		if ok {
			return true
		}
	}
	return false
}

func compareOrdered[T int64 | float64](request, policy T, cmp comparison) bool {
	switch cmp {
	case cmpLess:
		return request < policy
	case cmpLessEquals:
		return request <= policy
	case cmpGreater:
		return request > policy
	case cmpGreaterEquals:
		return request >= policy
	}
	return request == policy
}

var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"20060102T150405Z",
	"2006-01-02",
}

// parseDate accepts ISO 8601 forms and epoch seconds, returning unix nanoseconds.
func parseDate(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1<<33 || n < -(1<<33) {
			return 0, false
		}
		return n * int64(time.Second), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixNano(), true
		}
	}
	return 0, false
}

// parseCIDR accepts a CIDR or a bare address (a /32 or /128).
func parseCIDR(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// describe renders the condition for traces.
func (c *condition) describe() string {
	return fmt.Sprintf("%s %s %v", c.operator, c.key, c.raw)
}
