package policy

import (
	"fmt"
	"sort"
	"strings"

	"github.com/sekisho/sekisho/internal/arn"
)

// PrincipalType is the kind of caller, as in aws:PrincipalType.
type PrincipalType uint8

// Principal types.
const (
	PrincipalAnonymous PrincipalType = iota
	PrincipalUser
	PrincipalAssumedRole
	PrincipalRoot
	PrincipalFederatedUser
	PrincipalService
	PrincipalWebIdentity
)

// String returns the aws:PrincipalType value.
func (t PrincipalType) String() string {
	switch t {
	case PrincipalUser:
		return "User"
	case PrincipalAssumedRole:
		return "AssumedRole"
	case PrincipalRoot:
		return "Account"
	case PrincipalFederatedUser:
		return "FederatedUser"
	case PrincipalService:
		return "Service"
	case PrincipalWebIdentity:
		return "WebIdentityUser"
	}
	return "Anonymous"
}

// Principal is who makes a request.
type Principal struct {
	Type    PrincipalType
	Account string
	// ARN is the caller's own ARN: the user ARN, the assumed-role session
	// ARN (arn:aws:sts::A:assumed-role/R/S), the root ARN, the federated
	// user ARN, or the identity provider ARN of a web identity.
	ARN string
	// RoleARN is the role behind an assumed-role session (with its path).
	RoleARN string
	// Service is the service principal name, e.g. ec2.amazonaws.com.
	Service string
	// Gone marks a session whose user or role was deleted (or deleted and
	// re-created under the same name) after the session was issued. AWS
	// binds sessions to the principal's unique id, so no ARN in a
	// Principal element names such a caller any more: neither its own ARN
	// nor its role's, which may now belong to a namesake.
	Gone bool
}

// ParsePrincipalARN builds a Principal from a user, role, assumed-role
// session, federated user or root ARN. A role ARN stands for a session of
// that role named "session".
func ParsePrincipalARN(s string) (Principal, error) {
	a, err := arn.Parse(s)
	if err != nil {
		return Principal{}, err
	}
	if !arn.IsAccountID(a.Account) {
		return Principal{}, fmt.Errorf("principal ARN %q has no 12-digit account", s)
	}
	p := Principal{Account: a.Account, ARN: s}
	switch {
	case a.Service == "iam" && a.Resource == "root":
		p.Type = PrincipalRoot
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "user/"):
		p.Type = PrincipalUser
	case a.Service == "iam" && strings.HasPrefix(a.Resource, "role/"):
		p.Type = PrincipalAssumedRole
		p.RoleARN = s
		p.ARN = "arn:" + a.Partition + ":sts::" + a.Account + ":assumed-role/" + lastSegment(a.Resource) + "/session"
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/"):
		parts := strings.Split(a.Resource, "/")
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return Principal{}, fmt.Errorf("assumed-role ARN %q must be assumed-role/ROLE/SESSION", s)
		}
		p.Type = PrincipalAssumedRole
		p.RoleARN = "arn:" + a.Partition + ":iam::" + a.Account + ":role/" + parts[1]
	case a.Service == "sts" && strings.HasPrefix(a.Resource, "federated-user/"):
		p.Type = PrincipalFederatedUser
	default:
		return Principal{}, fmt.Errorf("%q is not a user, role, assumed-role, federated-user or root ARN", s)
	}
	return p, nil
}

func lastSegment(s string) string {
	return s[strings.LastIndexByte(s, '/')+1:]
}

// MatchKind says how a resource policy's Principal named the caller. The
// kind matters: AWS lets some kinds grant on their own within an account.
type MatchKind uint8

// Match kinds, weakest first.
const (
	MatchNone     MatchKind = iota
	MatchAccount            // the caller's account ("111111111111" or its root ARN): a delegation
	MatchRole               // the role behind the caller's session
	MatchWildcard           // "*"
	// MatchWildcardPrincipalARN is "*" narrowed by a positive
	// aws:PrincipalArn condition: within one account it grants on its
	// own, unlimited by boundaries and session policies (IAM UG,
	// Principal element: IAM role principals).
	MatchWildcardPrincipalARN
	MatchExact   // the caller's exact user, session or federated-user ARN
	MatchService // a service principal
)

// String names the kind for traces.
func (k MatchKind) String() string {
	return [...]string{"none", "account", "role", "wildcard", "wildcard+aws:PrincipalArn", "exact", "service"}[k]
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	any       bool
	accounts  []string // account ids
	arns      []string // exact user / role / session / federated ARNs
	services  []string
	federated []string
	canonical []string
	// uniqueIDs are bare AIDA…/AROA… ids: what AWS shows in place of a
	// deleted user's or role's ARN. They name no current principal.
	uniqueIDs []string
}

// match returns how p is named by the set.
func (s *principalSet) match(p *Principal) MatchKind {
	if p == nil {
		return MatchNone
	}
	best := MatchNone
	if s.any {
		best = MatchWildcard
	}
	switch p.Type {
	case PrincipalService:
		for _, svc := range s.services {
			if svc == p.Service {
				return MatchService
			}
		}
		return best
	case PrincipalWebIdentity:
		for _, f := range s.federated {
			if f == p.ARN {
				return MatchExact
			}
		}
		return best
	case PrincipalAnonymous:
		return best
	}
	for _, a := range s.arns {
		if p.Gone {
			break // its ARNs may belong to a namesake now
		}
		if a == p.ARN {
			return MatchExact
		}
		if p.Type == PrincipalAssumedRole && a == p.RoleARN {
			best = MatchRole
		}
	}
	if best < MatchRole {
		for _, acct := range s.accounts {
			if acct == p.Account {
				return MatchAccount
			}
		}
	}
	return best
}

// exempts reports whether a NotPrincipal set names p itself. Unlike in a
// Principal element, an account entry stands only for the account's root,
// and a role ARN does not stand for its sessions: AWS matches NotPrincipal
// against the exact identity, which is why its documentation lists both
// the user's ARN and the account ARN.
func (s *principalSet) exempts(p *Principal) bool {
	if p == nil || s.any {
		return s.any
	}
	switch p.Type {
	case PrincipalService:
		for _, svc := range s.services {
			if svc == p.Service {
				return true
			}
		}
		return false
	case PrincipalRoot:
		for _, acct := range s.accounts {
			if acct == p.Account {
				return true
			}
		}
		return false
	case PrincipalAnonymous:
		return false
	}
	for _, a := range s.arns {
		if a == p.ARN && !p.Gone {
			return true
		}
	}
	return false
}

// compilePrincipal validates and compiles a Principal/NotPrincipal value.
func compilePrincipal(v *jsonValue, path string) (*principalSet, error) {
	s := &principalSet{}
	if v.kind == jsonString {
		if v.text != "*" {
			return nil, invalidPrincipal(path, "AWS", v.text)
		}
		s.any = true
		return s, nil
	}
	if v.kind != jsonObject || len(v.members) == 0 {
		return nil, syntaxError(path, "must be \"*\" or an object such as {\"AWS\": ...}", v.offset)
	}
	for _, m := range v.members {
		values, err := stringList(m.value, path+"."+m.key)
		if err != nil {
			return nil, err
		}
		for _, value := range values {
			if err := s.add(m.key, value, path); err != nil {
				return nil, err
			}
		}
	}
	sort.Strings(s.accounts)
	return s, nil
}

func (s *principalSet) add(kind, value, path string) error {
	switch kind {
	case "AWS":
		return s.addAWS(value, path)
	case "Service":
		if value == "" || strings.ContainsAny(value, "*? ") {
			return invalidPrincipal(path, kind, value)
		}
		s.services = append(s.services, value)
	case "Federated":
		if value == "" || strings.ContainsAny(value, "*?") {
			return invalidPrincipal(path, kind, value)
		}
		s.federated = append(s.federated, value)
	case "CanonicalUser":
		if value == "" {
			return invalidPrincipal(path, kind, value)
		}
		s.canonical = append(s.canonical, value)
	default:
		return syntaxError(path, fmt.Sprintf("unknown principal type %q", kind), -1)
	}
	return nil
}

func (s *principalSet) addAWS(value, path string) error {
	const kind = "AWS"
	if value == "*" {
		s.any = true
		return nil
	}
	if arn.IsAccountID(value) {
		s.accounts = append(s.accounts, value)
		return nil
	}
	if IsPrincipalUniqueID(value) {
		s.uniqueIDs = append(s.uniqueIDs, value)
		return nil
	}
	if strings.ContainsAny(value, "*?") {
		return invalidPrincipal(path, kind, value)
	}
	p, err := ParsePrincipalARN(value)
	if err != nil {
		return invalidPrincipal(path, kind, value)
	}
	switch {
	case p.Type == PrincipalRoot:
		s.accounts = append(s.accounts, p.Account)
	case p.Type == PrincipalAssumedRole && p.RoleARN == value:
		s.arns = append(s.arns, value) // a role ARN
	default:
		s.arns = append(s.arns, value)
	}
	return nil
}

// Describe renders the set for traces, e.g. `AWS:111111111111`.
func (s *principalSet) describe() string {
	var parts []string
	if s.any {
		parts = append(parts, "*")
	}
	for _, a := range s.accounts {
		parts = append(parts, "AWS:"+a)
	}
	for _, a := range s.arns {
		parts = append(parts, "AWS:"+a)
	}
	for _, id := range s.uniqueIDs {
		parts = append(parts, "AWS:"+id+" (deleted)")
	}
	for _, a := range s.services {
		parts = append(parts, "Service:"+a)
	}
	for _, a := range s.federated {
		parts = append(parts, "Federated:"+a)
	}
	return strings.Join(parts, ", ")
}

// IsPrincipalUniqueID reports whether s has the form of a user's (AIDA…)
// or role's (AROA…) unique id: the prefix and 17 characters of [A-Z0-9].
// Stored policies hold such an id where they named a principal that has
// since been deleted; it matches no current principal.
func IsPrincipalUniqueID(s string) bool {
	const idLength, prefixLength = 21, 4
	if len(s) != idLength || (s[:prefixLength] != "AIDA" && s[:prefixLength] != "AROA") {
		return false
	}
	for i := prefixLength; i < idLength; i++ {
		if c := s[i]; (c < 'A' || c > 'Z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func invalidPrincipal(path, kind, value string) error {
	return &Error{
		Message: "Invalid principal in policy: \"" + kind + "\":\"" + value + "\"",
		Path:    path,
		Detail:  fmt.Sprintf("%q is not \"*\", a 12-digit account id or a user, role, assumed-role, federated-user or root ARN without wildcards", value),
		Offset:  -1,
	}
}
