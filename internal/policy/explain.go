package policy

// StatementTrace says why one statement did or did not apply to a request.
// It is built only when explaining, never on the hot path.
type StatementTrace struct {
	Index   int    `json:"index"`
	Sid     string `json:"sid,omitempty"`
	Effect  string `json:"effect"`
	Matched bool   `json:"matched"`
	// Reason is empty when matched; otherwise the first element that failed:
	// "principal", "action", "resource" or "condition".
	Reason string `json:"reason,omitempty"`
	// FailedCondition describes the condition that failed, e.g.
	// `IpAddress aws:SourceIp [203.0.113.0/24]`.
	FailedCondition string `json:"failed_condition,omitempty"`
	// PrincipalMatch says how a Principal element named the caller.
	PrincipalMatch string `json:"principal_match,omitempty"`
}

// Explain traces every statement of p against req.
func (p *Policy) Explain(req *Request) []StatementTrace {
	out := make([]StatementTrace, 0, len(p.Statements))
	for i := range p.Statements {
		out = append(out, p.Statements[i].explain(req))
	}
	return out
}

func (s *Statement) explain(req *Request) StatementTrace {
	t := StatementTrace{Index: s.Index, Sid: s.Sid, Effect: s.Effect.String()}
	kind, ok := s.matchPrincipal(req.Principal, req.Bounded)
	if kind == MatchWildcard && s.principal != nil && s.narrowsPrincipalARN() {
		kind = MatchWildcardPrincipalARN
	}
	if s.principal != nil || s.notPrincipal != nil {
		t.PrincipalMatch = kind.String()
	}
	switch {
	case !ok:
		t.Reason = "principal"
	case !s.matchAction(req.Action):
		t.Reason = "action"
	case !s.matchResource(req.Resource, req.Context):
		t.Reason = "resource"
	default:
		for i := range s.conditions {
			if !s.conditions[i].eval(req.Context) {
				t.Reason = "condition"
				t.FailedCondition = s.conditions[i].describe()
				return t
			}
		}
		t.Matched = true
	}
	return t
}

// ConditionKeys lists the condition keys the policy reads, as written.
func (p *Policy) ConditionKeys() []string {
	seen := map[string]bool{}
	var keys []string
	for i := range p.Statements {
		for _, c := range p.Statements[i].conditions {
			if !seen[c.lowerKey] {
				seen[c.lowerKey] = true
				keys = append(keys, c.key)
			}
		}
	}
	return keys
}

// Principals describes the statement's Principal element for traces.
func (s *Statement) Principals() string {
	switch {
	case s.principal != nil:
		return s.principal.describe()
	case s.notPrincipal != nil:
		return "NotPrincipal " + s.notPrincipal.describe()
	}
	return ""
}

// ResourcePatterns lists the Resource and NotResource patterns as written.
func (p *Policy) ResourcePatterns() []string {
	var out []string
	for i := range p.Statements {
		for _, r := range p.Statements[i].resources {
			out = append(out, r.raw)
		}
	}
	return out
}
