package policy

// Read-only views of compiled statements, for analyses that reason about
// policies (who can reach what, which grants leave the account) rather
// than decide one request.

// HasConditions reports whether the statement has a Condition block.
func (s *Statement) HasConditions() bool { return len(s.conditions) > 0 }

// ConditionDescriptions describes each condition of the statement as
// "Operator key [values]", e.g. `StringEquals sts:ExternalId [x]`.
func (s *Statement) ConditionDescriptions() []string {
	out := make([]string, 0, len(s.conditions))
	for i := range s.conditions {
		out = append(out, s.conditions[i].describe())
	}
	return out
}

// PrincipalNames is what a Principal or NotPrincipal element names, as
// compiled: account roots are listed as account ids.
type PrincipalNames struct {
	Not            bool // the element is NotPrincipal
	Any            bool // "*" or {"AWS": "*"}
	Accounts       []string
	ARNs           []string // user, role, assumed-role and federated-user ARNs
	Services       []string
	Federated      []string
	CanonicalUsers []string
}

// PrincipalNames returns a copy of the statement's Principal or
// NotPrincipal element; ok is false when the statement has neither (as in
// identity policies).
func (s *Statement) PrincipalNames() (names PrincipalNames, ok bool) {
	set := s.principal
	if set == nil {
		set = s.notPrincipal
		names.Not = true
	}
	if set == nil {
		return PrincipalNames{}, false
	}
	names.Any = set.any
	names.Accounts = append([]string(nil), set.accounts...)
	names.ARNs = append([]string(nil), set.arns...)
	names.Services = append([]string(nil), set.services...)
	names.Federated = append([]string(nil), set.federated...)
	names.CanonicalUsers = append([]string(nil), set.canonical...)
	return names, true
}

// MatchesAction reports whether the statement's Action (or NotAction)
// element covers action.
func (s *Statement) MatchesAction(action string) bool { return s.matchAction(action) }

// NotAction reports whether the statement lists its actions in NotAction.
func (s *Statement) NotAction() bool { return s.notAction }

// ResourcePatterns returns the statement's Resource or NotResource
// patterns as written, and whether they are NotResource. Trust policy
// statements name no resource and return none.
func (s *Statement) ResourcePatterns() (patterns []string, not bool) {
	for i := range s.resources {
		patterns = append(patterns, s.resources[i].raw)
	}
	return patterns, s.notRes
}

// ActionsAsWritten returns the Action or NotAction values of statement
// index as the document spells them (compiled statements keep them
// lower-cased), or nil when the index is out of range.
func (p *Policy) ActionsAsWritten(index int) []string {
	root, err := parseStrictJSON([]byte(p.Document))
	if err != nil || root.kind != jsonObject {
		return nil
	}
	stmts := root.get("Statement")
	if stmts == nil {
		return nil
	}
	items := []*jsonValue{stmts}
	if stmts.kind == jsonArray {
		items = stmts.items
	}
	if index < 0 || index >= len(items) || items[index].kind != jsonObject {
		return nil
	}
	elem := items[index].get("Action")
	if elem == nil {
		elem = items[index].get("NotAction")
	}
	if elem == nil {
		return nil
	}
	values, err := stringList(elem, "")
	if err != nil {
		return nil
	}
	return values
}
