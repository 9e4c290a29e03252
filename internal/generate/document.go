package generate

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Document is an identity policy document.
type Document struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one Allow statement.
type Statement struct {
	Effect    string                       `json:"Effect"`
	Action    Values                       `json:"Action"`
	Resource  Values                       `json:"Resource"`
	Condition map[string]map[string]Values `json:"Condition,omitempty"`
}

// Values is a policy element's list: one value is written as a string.
type Values []string

// MarshalJSON writes one value as a string, more as a list.
func (v Values) MarshalJSON() ([]byte, error) {
	if len(v) == 1 {
		return json.Marshal(v[0])
	}
	return json.Marshal([]string(v))
}

// UnmarshalJSON reads a string or a list.
func (v *Values) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*v = Values{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(v))
}

// group gathers grants into statements. Each statement is the exact
// cross product of its actions and resources: by resource, resources
// used with the same set of actions share one; by action, actions used on
// the same set of resources do. Grants with an s3:prefix condition are
// grouped by resource and condition in both modes.
func group(grants []grant, by GroupBy) []Statement {
	type conditioned struct{ resource, prefixes string }
	plainByResource := map[string][]string{}
	plainByAction := map[string][]string{}
	condActions := map[conditioned][]string{}
	for _, g := range grants {
		if g.prefixes != nil {
			k := conditioned{g.resource, strings.Join(g.prefixes, "\x00")}
			condActions[k] = append(condActions[k], g.action)
			continue
		}
		plainByResource[g.resource] = append(plainByResource[g.resource], g.action)
		plainByAction[g.action] = append(plainByAction[g.action], g.resource)
	}
	var out []Statement
	if by == ByAction {
		for _, m := range merge(plainByAction) {
			out = append(out, Statement{Effect: "Allow", Action: m.keys, Resource: m.values})
		}
	} else {
		for _, m := range merge(plainByResource) {
			out = append(out, Statement{Effect: "Allow", Action: m.values, Resource: m.keys})
		}
	}
	byCondition := map[string][]string{} // "resource\x01prefixes" -> actions
	for k, actions := range condActions {
		byCondition[k.resource+"\x01"+k.prefixes] = actions
	}
	for _, k := range sortedKeys2(byCondition) {
		resource, prefixes, _ := strings.Cut(k, "\x01")
		actions := append([]string(nil), byCondition[k]...)
		sort.Strings(actions)
		out = append(out, Statement{Effect: "Allow", Action: actions, Resource: Values{resource},
			Condition: map[string]map[string]Values{"StringLike": {prefixKey: strings.Split(prefixes, "\x00")}}})
	}
	return out
}

// merged is one statement's keys sharing the same values.
type merged struct{ keys, values []string }

// merge gathers the keys whose sets of values are equal, sorted.
func merge(m map[string][]string) []merged {
	byValues := map[string][]string{}
	for k, vs := range m {
		vs = dedupSorted(vs)
		sig := strings.Join(vs, "\x00")
		byValues[sig] = append(byValues[sig], k)
	}
	out := make([]merged, 0, len(byValues))
	for sig, keys := range byValues {
		sort.Strings(keys)
		out = append(out, merged{keys: keys, values: strings.Split(sig, "\x00")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].keys[0] < out[j].keys[0] })
	return out
}

func dedupSorted(vs []string) []string {
	vs = append([]string(nil), vs...)
	sort.Strings(vs)
	out := vs[:0]
	for i, v := range vs {
		if i == 0 || v != vs[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// notGranted lists the denied action/resource pairs never allowed, with
// the statement that would grant each.
func notGranted(denied, allowed []Event) []Needed {
	type pair struct{ action, resource string }
	ok := map[pair]bool{}
	for _, e := range allowed {
		ok[pair{e.Action, e.Resource}] = true
	}
	byPair := map[pair]*Needed{}
	var order []pair
	for _, e := range denied {
		p := pair{e.Action, e.Resource}
		if ok[p] {
			continue
		}
		n := byPair[p]
		if n == nil {
			n = &Needed{Action: e.Action, Resource: e.Resource, Decision: e.Decision,
				Statement: Statement{Effect: "Allow", Action: Values{e.Action}, Resource: Values{e.Resource}}}
			byPair[p] = n
			order = append(order, p)
		}
		n.Count++
		n.ExplicitDeny = n.ExplicitDeny || strings.Contains(e.Decision, "explicitly")
	}
	sort.Slice(order, func(i, j int) bool {
		if order[i].resource != order[j].resource {
			return order[i].resource < order[j].resource
		}
		return order[i].action < order[j].action
	})
	out := make([]Needed, len(order))
	for i, p := range order {
		out[i] = *byPair[p]
	}
	return out
}

// PolicyJSON is the policy as indented JSON, without comments.
func (r *Result) PolicyJSON() ([]byte, error) {
	b, err := json.MarshalIndent(r.Policy, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("generate: policy JSON: %w", err)
	}
	return append(b, '\n'), nil
}

// managedPolicyLimit is the size of a managed policy, whitespace aside.
const managedPolicyLimit = 6144

// WriteSummary writes what the policy grants and why, for a person.
func (r *Result) WriteSummary(w io.Writer) {
	if r.Events == 0 {
		fmt.Fprintf(w, "No decisions of %s in the log: nothing to generate (was the server run with --record all?)\n", r.For)
		return
	}
	fmt.Fprintf(w, "Policy for %s, from %d decision(s) between %s and %s", r.For, r.Events,
		r.From.Format("2006-01-02T15:04:05Z"), r.To.Format("2006-01-02T15:04:05Z"))
	if len(r.Sessions) > 0 {
		fmt.Fprintf(w, " (sessions: %s)", strings.Join(r.Sessions, ", "))
	}
	fmt.Fprintln(w, ":")
	for _, s := range r.Policy.Statement {
		line := fmt.Sprintf("  allow %s on %s", strings.Join(s.Action, ", "), strings.Join(s.Resource, ", "))
		if vs := s.Condition["StringLike"][prefixKey]; len(vs) > 0 {
			line += " when s3:prefix is " + strings.Join(vs, " or ")
		}
		fmt.Fprintln(w, line)
	}
	for _, c := range r.Collapsed {
		fmt.Fprintf(w, "  generalised: %d keys or prefixes became %s\n", c.Keys, c.Pattern)
	}
	if b, err := json.Marshal(r.Policy); err == nil && len(b) > managedPolicyLimit {
		fmt.Fprintf(w, "  note: %d characters, over a managed policy's %d: attach it inline (10,240 for roles) or raise --collapse-above's generalisation\n", len(b), managedPolicyLimit)
	}
	if len(r.NotGranted) == 0 {
		return
	}
	fmt.Fprintln(w, "Needed but not granted (denied, never allowed):")
	for _, n := range r.NotGranted {
		st, _ := json.Marshal(n.Statement)
		fmt.Fprintf(w, "  %s on %s: %s (%d×); would be granted by %s", n.Action, n.Resource, n.Decision, n.Count, st)
		if n.ExplicitDeny {
			fmt.Fprint(w, " once the explicit Deny no longer applies")
		}
		fmt.Fprintln(w)
	}
}
