package policy

import "strings"

// Request is what statements are matched against.
type Request struct {
	Action   string
	Resource string
	// Principal is the caller. Resource and trust policies match it
	// against their Principal elements; identity policies ignore it.
	Principal *Principal
	Context   *Context
	// Bounded says the caller has a permissions boundary. A Deny with
	// NotPrincipal then denies it whatever NotPrincipal lists (IAM UG,
	// Permissions boundaries for IAM entities).
	Bounded bool
}

// Result is the outcome of matching one policy.
type Result struct {
	// Deny is the index of the first matching Deny statement, or -1.
	Deny int
	// Allow is the index of the matching Allow statement whose Principal
	// names the caller most specifically, or -1.
	Allow int
	// AllowKind says how that statement named the caller (MatchNone for
	// policies without principals).
	AllowKind MatchKind
}

// Allowed reports whether some Allow statement matched.
func (r Result) Allowed() bool { return r.Allow >= 0 }

// Denied reports whether some Deny statement matched.
func (r Result) Denied() bool { return r.Deny >= 0 }

// Evaluate matches req against every statement. It stops at the first
// matching Deny, since nothing overrides it.
func (p *Policy) Evaluate(req *Request) Result {
	res := Result{Deny: -1, Allow: -1}
	for i := range p.Statements {
		s := &p.Statements[i]
		kind, ok := s.matches(req)
		if !ok {
			continue
		}
		if s.Effect == Deny {
			res.Deny = i
			return res
		}
		if res.Allow < 0 || kind > res.AllowKind {
			res.Allow, res.AllowKind = i, kind
		}
	}
	return res
}

// matches reports whether the statement applies to req and, for
// statements with a Principal, how it named the caller.
func (s *Statement) matches(req *Request) (MatchKind, bool) {
	kind, ok := s.matchPrincipal(req.Principal, req.Bounded)
	if !ok || !s.matchAction(req.Action) || !s.matchResource(req.Resource, req.Context) {
		return MatchNone, false
	}
	for i := range s.conditions {
		if !s.conditions[i].eval(req.Context) {
			return MatchNone, false
		}
	}
	if kind == MatchWildcard && s.principal != nil && s.narrowsPrincipalARN() {
		kind = MatchWildcardPrincipalARN
	}
	return kind, true
}

// narrowsPrincipalARN reports whether a condition names the callers it
// admits by aws:PrincipalArn (a positive operator, not ...Not...).
func (s *Statement) narrowsPrincipalARN() bool {
	for i := range s.conditions {
		c := &s.conditions[i]
		if c.lowerKey == "aws:principalarn" && !strings.Contains(c.operator, "Not") {
			return true
		}
	}
	return false
}

func (s *Statement) matchPrincipal(p *Principal, bounded bool) (MatchKind, bool) {
	switch {
	case s.principal != nil:
		kind := s.principal.match(p)
		return kind, kind != MatchNone
	case s.notPrincipal != nil:
		if s.notPrincipal.exempts(p) && !(bounded && s.Effect == Deny) {
			return MatchNone, false
		}
		return MatchWildcard, true
	}
	return MatchNone, true
}

func (s *Statement) matchAction(action string) bool {
	found := false
	for _, pattern := range s.actions {
		if globFold(pattern, action) {
			found = true
			break
		}
	}
	return found != s.notAction
}

func (s *Statement) matchResource(resource string, ctx *Context) bool {
	if s.noResource {
		return true
	}
	found := false
	for i := range s.resources {
		if s.resources[i].match(resource, ctx) {
			found = true
			break
		}
	}
	return found != s.notRes
}

// globFold matches an action against a lower-cased pattern, ignoring case.
func globFold(p, s string) bool {
	pi, si := 0, 0
	starP, starS := -1, 0
	for si < len(s) {
		if pi < len(p) {
			c := p[pi]
			if c == '*' {
				starP, starS = pi, si
				pi++
				continue
			}
			if c == '?' || c == toLowerASCII(s[si]) {
				pi++
				si++
				continue
			}
		}
		if starP < 0 {
			return false
		}
		pi = starP + 1
		starS++
		si = starS
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}
