package policy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// A pattern is a glob (`*`, `?`) that may contain policy variables
// (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`) and the escapes
// `${*}`, `${?}`, `${$}`. It is compiled once into tokens; matching resolves
// variables from the request context without allocating.

type tokenKind uint8

const (
	tokLiteral tokenKind = iota // exact text: wildcard characters in it are literal
	tokStar
	tokQuestion
	tokVariable
)

type token struct {
	kind       tokenKind
	text       string // literal text, or the variable's lower-cased key
	def        string // a variable's default value
	hasDefault bool
}

// maxResolvedTokens bounds the per-match token buffer kept on the stack.
const maxResolvedTokens = 32

type pattern struct {
	raw       string
	tokens    []token
	variables bool
}

// compilePattern turns s into tokens. With variables false (policy version
// 2008-10-17) `${...}` is literal text; with wildcards false `*` and `?`
// are literal too (the Equals condition operators).
func compilePattern(s string, variables, wildcards bool) (pattern, error) {
	p := pattern{raw: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.tokens = append(p.tokens, token{kind: tokLiteral, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '*' && wildcards:
			flush()
			p.tokens = append(p.tokens, token{kind: tokStar})
		case c == '?' && wildcards:
			flush()
			p.tokens = append(p.tokens, token{kind: tokQuestion})
		case c == '$' && variables && i+1 < len(s) && s[i+1] == '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return pattern{}, fmt.Errorf("unterminated policy variable in %q", s)
			}
			tok, err := parseVariable(s[i+2 : i+end])
			if err != nil {
				return pattern{}, fmt.Errorf("%w in %q", err, s)
			}
			if tok.kind == tokLiteral {
				lit.WriteString(tok.text)
			} else {
				flush()
				p.tokens = append(p.tokens, tok)
				p.variables = true
			}
			i += end
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	if len(p.tokens) > maxResolvedTokens {
		return pattern{}, fmt.Errorf("pattern %q has more than %d wildcards and variables", s, maxResolvedTokens)
	}
	return p, nil
}

// parseVariable parses the inside of `${...}`.
func parseVariable(body string) (token, error) {
	switch body {
	case "*", "?", "$":
		return token{kind: tokLiteral, text: body}, nil
	}
	key, def, hasDefault := strings.Cut(body, ",")
	key = strings.TrimSpace(key)
	if key == "" || !strings.Contains(key, ":") {
		return token{}, fmt.Errorf("invalid policy variable ${%s}", body)
	}
	t := token{kind: tokVariable, text: strings.ToLower(key)}
	if hasDefault {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return token{}, fmt.Errorf("default value of ${%s} must be quoted with single quotes", body)
		}
		t.def, t.hasDefault = def[1:len(def)-1], true
	}
	return t, nil
}

// resolve replaces variables with their values from ctx into buf. It
// reports false when a variable has no value and no default: such a
// pattern matches nothing.
func (p *pattern) resolve(ctx *Context, buf *[maxResolvedTokens]token) ([]token, bool) {
	if !p.variables {
		return p.tokens, true
	}
	out := buf[:0]
	for _, t := range p.tokens {
		if t.kind != tokVariable {
			out = append(out, t)
			continue
		}
		value, ok := ctx.variable(t.text)
		if !ok {
			if !t.hasDefault {
				return nil, false
			}
			value = t.def
		}
		out = append(out, token{kind: tokLiteral, text: value})
	}
	return out, true
}

// match reports whether s matches the pattern as a plain glob.
func (p *pattern) match(s string, ctx *Context, fold bool) bool {
	if !p.variables {
		switch {
		case len(p.tokens) == 0:
			return s == ""
		case len(p.tokens) == 1 && p.tokens[0].kind == tokLiteral && !fold:
			return s == p.tokens[0].text
		}
		return globTokens(p.tokens, s, fold)
	}
	return p.matchResolved(s, ctx, fold)
}

// matchResolved is match for patterns with variables; the token buffer
// lives on the stack and only this path pays for it.
func (p *pattern) matchResolved(s string, ctx *Context, fold bool) bool {
	var buf [maxResolvedTokens]token
	tokens, ok := p.resolve(ctx, &buf)
	return ok && globTokens(tokens, s, fold)
}

// globTokens is the classic linear wildcard match with one backtrack point,
// run over tokens instead of bytes so literal text from variables and
// escapes is never mistaken for a wildcard.
func globTokens(tokens []token, s string, fold bool) bool {
	ti, to, si := 0, 0, 0
	starTi, starSi := -1, 0
	for si < len(s) {
		if ti < len(tokens) {
			t := &tokens[ti]
			switch t.kind {
			case tokStar:
				starTi, starSi = ti, si
				ti, to = ti+1, 0
				continue
			case tokQuestion:
				ti, si = ti+1, si+charLen(s, si)
				continue
			case tokLiteral:
				if to == len(t.text) { // empty literal, e.g. an empty variable value
					ti, to = ti+1, 0
					continue
				}
				if sameByte(t.text[to], s[si], fold) {
					to, si = to+1, si+1
					if to == len(t.text) {
						ti, to = ti+1, 0
					}
					continue
				}
			}
		}
		if starTi < 0 {
			return false
		}
		ti, to = starTi+1, 0
		starSi += charLen(s, starSi)
		si = starSi
	}
	for ; ti < len(tokens); ti, to = ti+1, 0 {
		t := &tokens[ti]
		if t.kind != tokStar && !(t.kind == tokLiteral && to == len(t.text)) {
			return false
		}
	}
	return true
}

// charLen is the length of the UTF-8 character at s[i]: ? stands for
// one character and * gives them back one at a time, not byte by byte
// (IAM UG, Resource element: ? is "any single character"). A byte that
// starts no valid character counts as one.
func charLen(s string, i int) int {
	if s[i] < utf8.RuneSelf {
		return 1
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return n
}

func sameByte(a, b byte, fold bool) bool {
	if a == b {
		return true
	}
	return fold && toLowerASCII(a) == toLowerASCII(b)
}

func toLowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// arnPattern matches ARNs part by part: the first five colons of the
// pattern split it into parts, and a wildcard never crosses a part
// boundary, while the last part (the resource) absorbs further colons.
// A pattern other than "*" with fewer than six parts matches nothing,
// unless it is open-ended (see compileResourcePattern).
type arnPattern struct {
	raw    string
	parts  []pattern // up to six
	all    bool      // the pattern is "*"
	prefix string    // literal text before the first wildcard or variable: a quick reject
	// openEnded marks a Resource pattern of fewer than six parts whose
	// final * takes the rest of the ARN, colons included.
	openEnded bool
}

func compileARNPattern(s string, variables bool) (arnPattern, error) {
	ap := arnPattern{raw: s}
	if s == "*" {
		ap.all = true
		return ap, nil
	}
	rest := s
	for i := 0; i < 5; i++ {
		j := indexColonOutsideVariable(rest)
		if j < 0 {
			break
		}
		part, err := compilePattern(rest[:j], variables, true)
		if err != nil {
			return arnPattern{}, err
		}
		ap.parts = append(ap.parts, part)
		rest = rest[j+1:]
	}
	last, err := compilePattern(rest, variables, true)
	if err != nil {
		return arnPattern{}, err
	}
	ap.parts = append(ap.parts, last)
	ap.prefix = s[:literalPrefixLength(s, variables)]
	return ap, nil
}

// literalPrefixLength is how much of s precedes its first wildcard or variable.
func literalPrefixLength(s string, variables bool) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '*' || s[i] == '?':
			return i
		case variables && s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			return i
		}
	}
	return len(s)
}

// indexColonOutsideVariable finds the next ':' that is not inside `${...}`
// (variable keys such as aws:username contain colons).
func indexColonOutsideVariable(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		case s[i] == ':' && depth == 0:
			return i
		}
	}
	return -1
}

func (ap *arnPattern) match(arn string, ctx *Context) bool {
	if ap.all {
		return true
	}
	if !strings.HasPrefix(arn, ap.prefix) {
		return false
	}
	if len(ap.parts) < 6 && !ap.openEnded {
		// An ARN pattern has six parts; a shorter one matches nothing.
		return false
	}
	rest := arn
	for i, part := range ap.parts {
		last := i == len(ap.parts)-1
		if last && !ap.openEnded {
			return part.match(rest, ctx, false)
		}
		if last {
			// Open-ended: the part matches its own segment, and its final
			// * takes whatever follows.
			return part.match(firstSegment(rest), ctx, false)
		}
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return false
		}
		if !part.match(rest[:j], ctx, false) {
			return false
		}
		rest = rest[j+1:]
	}
	return false
}

// equal reports whether s equals the pattern's text with variables resolved.
func (p *pattern) equal(s string, ctx *Context, fold bool) bool {
	if !p.variables && len(p.tokens) == 1 {
		if fold {
			return strings.EqualFold(p.tokens[0].text, s)
		}
		return p.tokens[0].text == s
	}
	var buf [maxResolvedTokens]token
	tokens, ok := p.resolve(ctx, &buf)
	if !ok {
		return false
	}
	for _, t := range tokens {
		n := len(t.text)
		if n > len(s) {
			return false
		}
		if fold {
			if !strings.EqualFold(t.text, s[:n]) {
				return false
			}
		} else if t.text != s[:n] {
			return false
		}
		s = s[n:]
	}
	return s == ""
}
