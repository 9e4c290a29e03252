package policy

import (
	"errors"
	"fmt"
	"strings"
)

var statementKeys = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true,
	"Action": true, "NotAction": true, "Resource": true, "NotResource": true, "Condition": true,
}

func (p *Policy) compileStatement(v *jsonValue, path string) (Statement, error) {
	var s Statement
	if v.kind != jsonObject {
		return s, syntaxError(path, "a statement must be an object", v.offset)
	}
	for _, m := range v.members {
		if !statementKeys[m.key] {
			return s, syntaxError(path+"."+m.key, fmt.Sprintf("unknown statement key %q", m.key), m.value.offset)
		}
	}
	steps := []func(*jsonValue, string) error{
		s.compileSid, s.compileEffect,
		func(v *jsonValue, path string) error { return s.compilePrincipals(v, path, p.Type) },
		func(v *jsonValue, path string) error { return s.compileActions(v, path, p.Type) },
		func(v *jsonValue, path string) error { return s.compileResources(v, path, p.Type, p.Variables()) },
		func(v *jsonValue, path string) error { return s.compileConditions(v, path, p.Variables()) },
	}
	for _, step := range steps {
		if err := step(v, path); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (s *Statement) compileSid(v *jsonValue, path string) error {
	sid := v.get("Sid")
	if sid == nil {
		return nil
	}
	if sid.kind != jsonString {
		return syntaxError(path+".Sid", "Sid must be a string", sid.offset)
	}
	s.Sid = sid.text
	return nil
}

// checkSidCharacters applies IAM's rule that Sids are alphanumeric; S3
// bucket policies allow any text.
func checkSidCharacters(sid, path string) error {
	for i := 0; i < len(sid); i++ {
		c := sid[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return &Error{Message: msgSidAlnum, Path: path, Detail: fmt.Sprintf("Sid %q contains %q", sid, c), Offset: -1}
		}
	}
	return nil
}

func (s *Statement) compileEffect(v *jsonValue, path string) error {
	e := v.get("Effect")
	switch {
	case e == nil:
		return syntaxError(path, "the statement has no Effect", v.offset)
	case e.kind == jsonString && e.text == "Allow":
		s.Effect = Allow
	case e.kind == jsonString && e.text == "Deny":
		s.Effect = Deny
	default:
		return syntaxError(path+".Effect", "Effect must be \"Allow\" or \"Deny\"", e.offset)
	}
	return nil
}

func (s *Statement) compilePrincipals(v *jsonValue, path string, t Type) error {
	principal, notPrincipal := v.get("Principal"), v.get("NotPrincipal")
	if principal != nil && notPrincipal != nil {
		return syntaxError(path, "Principal and NotPrincipal cannot both appear", v.offset)
	}
	switch t {
	case Identity, Session, SCP:
		if principal != nil || notPrincipal != nil {
			return &Error{Message: msgNoPrincipal, Path: path, Detail: "identity, session and control policies apply to their principal and must not name one", Offset: v.offset}
		}
		return nil
	case Trust, RCP:
		if notPrincipal != nil {
			return syntaxError(path+".NotPrincipal", "NotPrincipal is not allowed in trust policies and RCPs", notPrincipal.offset)
		}
	}
	if err := s.checkSid(path, t); err != nil {
		return err
	}
	if principal == nil && notPrincipal == nil {
		return &Error{Message: msgMissingPrincipal, Path: path, Detail: "resource and trust policies must name a Principal", Offset: v.offset}
	}
	var err error
	if principal != nil {
		s.principal, err = compilePrincipal(principal, path+".Principal")
	} else {
		s.notPrincipal, err = compilePrincipal(notPrincipal, path+".NotPrincipal")
	}
	var pe *Error
	if t == Resource && errors.As(err, &pe) && strings.HasPrefix(pe.Message, "Invalid principal in policy") {
		pe.Message = "Invalid principal in policy" // S3's MalformedPolicy wording
	}
	return err
}

func (s *Statement) checkSid(path string, t Type) error {
	if t == Resource || s.Sid == "" {
		return nil
	}
	return checkSidCharacters(s.Sid, path+".Sid")
}

func (s *Statement) compileActions(v *jsonValue, path string, t Type) error {
	if t == Identity || t == Session || t == SCP {
		if err := s.checkSid(path, t); err != nil {
			return err
		}
	}
	action, notAction := v.get("Action"), v.get("NotAction")
	if action != nil && notAction != nil {
		return syntaxError(path, "Action and NotAction cannot both appear", v.offset)
	}
	elem, name := action, "Action"
	if notAction != nil {
		elem, name, s.notAction = notAction, "NotAction", true
	}
	if elem == nil {
		return &Error{Message: msgNoActions, Path: path, Detail: "the statement has neither Action nor NotAction", Offset: v.offset}
	}
	values, err := stringList(elem, path+"."+name)
	if err != nil {
		return err
	}
	for _, a := range values {
		if err := checkAction(a, path+"."+name, t); err != nil {
			return err
		}
		s.actions = append(s.actions, strings.ToLower(a))
	}
	return nil
}

func checkAction(a, path string, t Type) error {
	if a == "*" {
		if t == Trust {
			return &Error{Message: msgTrustActions, Path: path, Detail: "a trust policy may only name sts:AssumeRole*, sts:TagSession and sts:SetSourceIdentity", Offset: -1}
		}
		return nil
	}
	service, name, ok := strings.Cut(a, ":")
	if !ok || service == "" || name == "" || strings.ContainsAny(service, "*? ") {
		return &Error{Message: msgVendorPrefix, Path: path, Detail: fmt.Sprintf("action %q is not service:Name", a), Offset: -1}
	}
	if t == Trust && !strings.EqualFold(service, "sts") {
		return &Error{Message: msgTrustActions, Path: path, Detail: fmt.Sprintf("action %q is not an STS action", a), Offset: -1}
	}
	return nil
}

func (s *Statement) compileResources(v *jsonValue, path string, t Type, variables bool) error {
	resource, notResource := v.get("Resource"), v.get("NotResource")
	if resource != nil && notResource != nil {
		return syntaxError(path, "Resource and NotResource cannot both appear", v.offset)
	}
	elem, name := resource, "Resource"
	if notResource != nil {
		elem, name, s.notRes = notResource, "NotResource", true
	}
	if t == Trust {
		if elem != nil {
			return &Error{Message: "Has prohibited field " + name, Path: path + "." + name, Detail: "a trust policy applies to its role and names no resource", Offset: elem.offset}
		}
		s.noResource = true
		return nil
	}
	if elem == nil {
		return &Error{Message: msgNoResources, Path: path, Detail: "the statement has neither Resource nor NotResource", Offset: v.offset}
	}
	values, err := stringList(elem, path+"."+name)
	if err != nil {
		return err
	}
	for _, r := range values {
		if err := checkResource(r, path+"."+name, t); err != nil {
			return err
		}
		ap, err := compileResourcePattern(r, variables)
		if err != nil {
			return syntaxError(path+"."+name, err.Error(), elem.offset)
		}
		s.resources = append(s.resources, ap)
	}
	return nil
}

func checkResource(r, path string, t Type) error {
	if r == "*" {
		return nil
	}
	parts := strings.SplitN(r, ":", 6)
	if parts[0] != "arn" || len(parts) < 3 || parts[1] == "" || parts[2] == "" {
		msg := fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r)
		if t == Resource {
			msg = "Policy has invalid resource"
		}
		return &Error{Message: msg, Path: path, Detail: fmt.Sprintf("%q is not arn:partition:service:... or \"*\"", r), Offset: -1}
	}
	return nil
}

func (s *Statement) compileConditions(v *jsonValue, path string, variables bool) error {
	c := v.get("Condition")
	if c == nil {
		return nil
	}
	conds, err := compileConditionBlock(c, path+".Condition", variables)
	s.conditions = conds
	return err
}

// stringList reads a string or a non-empty array of strings.
func stringList(v *jsonValue, path string) ([]string, error) {
	switch v.kind {
	case jsonString:
		return []string{v.text}, nil
	case jsonArray:
		if len(v.items) == 0 {
			return nil, syntaxError(path, "the list is empty", v.offset)
		}
		out := make([]string, 0, len(v.items))
		for _, item := range v.items {
			if item.kind != jsonString {
				return nil, syntaxError(path, fmt.Sprintf("expected a string, found a %s", item.kind), item.offset)
			}
			out = append(out, item.text)
		}
		return out, nil
	}
	return nil, syntaxError(path, fmt.Sprintf("expected a string or an array of strings, found a %s", v.kind), v.offset)
}

// scalarList reads condition values: strings, numbers or booleans, alone or in a non-empty array.
func scalarList(v *jsonValue, path string) ([]string, error) {
	switch v.kind {
	case jsonString, jsonNumber, jsonBool:
		return []string{v.text}, nil
	case jsonArray:
		if len(v.items) == 0 {
			return nil, syntaxError(path, "the list of values is empty", v.offset)
		}
		out := make([]string, 0, len(v.items))
		for _, item := range v.items {
			if item.kind != jsonString && item.kind != jsonNumber && item.kind != jsonBool {
				return nil, syntaxError(path, fmt.Sprintf("condition values must be strings, numbers or booleans, found a %s", item.kind), item.offset)
			}
			out = append(out, item.text)
		}
		return out, nil
	}
	return nil, syntaxError(path, fmt.Sprintf("condition values must be strings, numbers or booleans, found a %s", v.kind), v.offset)
}
