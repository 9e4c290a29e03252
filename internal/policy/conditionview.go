package policy

// ConditionView is one condition of a statement as written: its operator
// (with any set or IfExists qualifier), key and values.
type ConditionView struct {
	Operator string
	Key      string
	Values   []string
}

// Conditions returns the statement's conditions as written, for analyses
// that reason about what a condition admits (such as which subjects of
// an identity provider a trust policy lets in).
func (s *Statement) Conditions() []ConditionView {
	out := make([]ConditionView, 0, len(s.conditions))
	for i := range s.conditions {
		c := &s.conditions[i]
		out = append(out, ConditionView{Operator: c.operator, Key: c.key, Values: append([]string(nil), c.raw...)})
	}
	return out
}
