package policy

import "strings"

// fixingKeys are the condition keys S3 Block Public Access accepts as
// narrowing a statement that names every principal ("The meaning of
// public" in the S3 user guide): a fixed value of one of them makes the
// statement non-public. Lower-cased.
var fixingKeys = map[string]bool{
	"aws:sourceip":         true, // a CIDR narrower than the whole internet
	"aws:sourcearn":        true,
	"aws:sourcevpc":        true,
	"aws:sourcevpce":       true,
	"aws:sourceowner":      true,
	"aws:sourceaccount":    true,
	"aws:principalaccount": true,
	"aws:principalorgid":   true,
	"aws:principalarn":     true,
	"aws:userid":           true, // outside the pattern "AROLEID:*"
	"s3:x-amz-server-side-encryption-aws-kms-key-id": true,
	"s3:dataaccesspointarn":                          true,
	"s3:dataaccesspointaccount":                      true,
}

// IsPublic reports whether the policy is public as S3 Block Public Access
// decides it: some Allow statement grants to every principal (Principal
// "*" or {"AWS": "*"}, or an Allow with NotPrincipal) without a
// condition that fixes one of the documented keys to a non-wildcard
// value. Deny statements never make a policy public.
func (p *Policy) IsPublic() bool {
	for i := range p.Statements {
		if p.Statements[i].IsPublic() {
			return true
		}
	}
	return false
}

// PublicStatements returns the indexes of the statements that make the
// policy public.
func (p *Policy) PublicStatements() []int {
	var out []int
	for i := range p.Statements {
		if p.Statements[i].IsPublic() {
			out = append(out, p.Statements[i].Index)
		}
	}
	return out
}

// IsPublic reports whether this statement alone makes its policy public.
func (s *Statement) IsPublic() bool {
	if s.Effect != Allow {
		return false
	}
	everyone := (s.principal != nil && s.principal.any) || s.notPrincipal != nil
	if !everyone {
		return false
	}
	for i := range s.conditions {
		if s.conditions[i].fixesValue() {
			return false
		}
	}
	return true
}

// fixesValue reports whether the condition pins one of the fixing keys
// to values that are not wildcards, with an operator that requires the
// request's value to be one of them. aws:userid "AROLEID:*" is a wildcard
// too: the user guide counts only values outside that pattern.
func (c *condition) fixesValue() bool {
	if !fixingKeys[c.lowerKey] || c.spec.negated || c.ifExists || c.set == setForAllValues || len(c.raw) == 0 {
		// IfExists and ForAllValues pass when the key is absent: they fix nothing.
		return false
	}
	switch c.spec.typ {
	case typeIP:
		for _, p := range c.prefix {
			if p.Bits() == 0 {
				return false // 0.0.0.0/0 or ::/0 is everyone
			}
		}
		return len(c.prefix) > 0
	case typeString, typeARN:
		for _, v := range c.raw {
			if v == "" || strings.ContainsAny(v, "*?") || strings.Contains(v, "${") {
				return false // a wildcard or a policy variable is no fixed value
			}
		}
		return true
	}
	return false
}
