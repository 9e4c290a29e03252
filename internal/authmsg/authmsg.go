// Package authmsg builds AWS's encoded authorization messages: the JSON
// document STS DecodeAuthorizationMessage returns (allowed, explicitDeny,
// matchedStatements, failures, context), made from a logged decision and
// sealed with the server's token keys so that only the server can open it.
package authmsg

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/creds"
)

// Decoded is the decoded message, in AWS's shape.
type Decoded struct {
	Allowed           bool              `json:"allowed"`
	ExplicitDeny      bool              `json:"explicitDeny"`
	MatchedStatements items[statement]  `json:"matchedStatements"`
	Failures          items[valueEntry] `json:"failures"`
	Context           requestContext    `json:"context"`
}

type items[T any] struct {
	Items []T `json:"items"`
}

type valueEntry struct {
	Value string `json:"value"`
}

// statement is a matched statement. Sekisho fills its id, effect and the
// principal it matched; the actions, resources and conditions lists stay
// empty (AWS lists the statement's own).
type statement struct {
	StatementID     string            `json:"statementId"`
	Effect          string            `json:"effect"`
	Principals      items[valueEntry] `json:"principals"`
	PrincipalGroups items[valueEntry] `json:"principalGroups"`
	Actions         items[valueEntry] `json:"actions"`
	Resources       items[valueEntry] `json:"resources"`
	Conditions      items[condition]  `json:"conditions"`
}

type requestContext struct {
	Principal  principal        `json:"principal"`
	Action     string           `json:"action"`
	Resource   string           `json:"resource"`
	Conditions items[condition] `json:"conditions"`
}

type principal struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
	ARN  string `json:"arn"`
}

type condition struct {
	Key    string            `json:"key"`
	Values items[valueEntry] `json:"values"`
}

// principalKeys are context keys that describe the caller, which the
// message shows in context.principal rather than as conditions.
var principalKeys = map[string]bool{"aws:userid": true, "aws:username": true}

// FromExplanation builds the decoded message of one decision.
func FromExplanation(x *audit.Explanation) Decoded {
	d := Decoded{
		Allowed:           x.Decision == "allowed",
		ExplicitDeny:      x.Decision == "explicitly denied",
		MatchedStatements: items[statement]{Items: []statement{}},
		Failures:          items[valueEntry]{Items: []valueEntry{}},
	}
	d.Context = requestContext{Action: x.Action, Resource: x.Resource,
		Principal: principal{ID: first(x.Context["aws:userid"]), Name: first(x.Context["aws:username"]), ARN: x.Principal}}
	keys := make([]string, 0, len(x.Context))
	for k := range x.Context {
		if !principalKeys[strings.ToLower(k)] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	d.Context.Conditions.Items = []condition{}
	for _, k := range keys {
		d.Context.Conditions.Items = append(d.Context.Conditions.Items, condition{Key: k, Values: valuesOf(x.Context[k])})
	}
	if d.ExplicitDeny {
		d.MatchedStatements.Items = matchedDenies(x, d.Context.Principal.ID)
	}
	return d
}

// matchedDenies lists the Deny statements that matched the request.
func matchedDenies(x *audit.Explanation, principalID string) []statement {
	out := []statement{}
	for _, p := range x.Policies {
		for _, s := range p.Statements {
			if !s.Matched || s.Effect != "Deny" {
				continue
			}
			out = append(out, statement{StatementID: s.Sid, Effect: "DENY",
				Principals:      items[valueEntry]{Items: []valueEntry{{Value: principalID}}},
				PrincipalGroups: items[valueEntry]{Items: []valueEntry{}},
				Actions:         items[valueEntry]{Items: []valueEntry{}},
				Resources:       items[valueEntry]{Items: []valueEntry{}},
				Conditions:      items[condition]{Items: []condition{}}})
		}
	}
	return out
}

func valuesOf(vs []string) items[valueEntry] {
	out := items[valueEntry]{Items: make([]valueEntry, 0, len(vs))}
	for _, v := range vs {
		out.Items = append(out.Items, valueEntry{Value: v})
	}
	return out
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// Encode seals the decoded message of x with the server's keys.
func Encode(s *creds.Sealer, x *audit.Explanation) (string, error) {
	doc, err := json.Marshal(FromExplanation(x))
	if err != nil {
		return "", fmt.Errorf("encode authorization message: %w", err)
	}
	return s.SealMessage(doc)
}

// Decode opens an encoded message and returns its JSON document.
func Decode(s *creds.Sealer, message string) (string, error) {
	doc, err := s.OpenMessage(message)
	if err != nil {
		return "", err
	}
	return string(doc), nil
}
