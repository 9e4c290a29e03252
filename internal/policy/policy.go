// Package policy is the IAM policy language: it parses and validates policy
// documents as AWS does for each policy type, compiles them once, and
// matches a request (action, resource, principal, condition context)
// against their statements without allocating.
package policy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Type is the kind of policy document, which decides what is valid in it.
type Type uint8

// Policy types.
const (
	Identity Type = iota // managed or inline identity policy, permissions boundary
	Resource             // resource-based policy such as an S3 bucket policy
	Trust                // a role's trust (assume-role) policy
	Session              // an STS session policy
	SCP                  // an AWS Organizations service control policy
	RCP                  // an AWS Organizations resource control policy
)

// ParseType maps the CLI's names (identity, resource, trust, session, scp).
func ParseType(s string) (Type, error) {
	switch strings.ToLower(s) {
	case "identity", "boundary":
		return Identity, nil
	case "resource", "bucket":
		return Resource, nil
	case "trust":
		return Trust, nil
	case "session":
		return Session, nil
	case "scp":
		return SCP, nil
	case "rcp":
		return RCP, nil
	}
	return 0, fmt.Errorf("unknown policy type %q (want identity, resource, trust, session, scp or rcp)", s)
}

// String names the type.
func (t Type) String() string {
	return [...]string{"identity", "resource", "trust", "session", "scp", "rcp"}[t]
}

// Size limits per type. IAM counts characters after removing white space;
// S3 counts the bytes of the document as sent.
const (
	MaxManagedPolicySize = 6144
	MaxTrustPolicySize   = 2048
	MaxSessionPolicySize = 2048
	MaxSCPSize           = 5120
	MaxBucketPolicySize  = 20 * 1024
)

// DefaultMaxSize returns the per-type size limit.
func (t Type) DefaultMaxSize() int {
	switch t {
	case Resource:
		return MaxBucketPolicySize
	case Trust:
		return MaxTrustPolicySize
	case Session:
		return MaxSessionPolicySize
	case SCP, RCP:
		return MaxSCPSize
	}
	return MaxManagedPolicySize
}

// Policy versions.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// Effect of a statement.
type Effect uint8

// Effects.
const (
	Allow Effect = iota
	Deny
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	if e == Deny {
		return "Deny"
	}
	return "Allow"
}

// Policy is a parsed, validated and compiled policy document.
type Policy struct {
	Type       Type
	Version    string
	ID         string
	Statements []Statement
	// Size is the document's size as AWS counts it for the type.
	Size int
	// Document is the text as given.
	Document string
}

// Statement is one compiled statement.
type Statement struct {
	Index  int
	Sid    string
	Effect Effect

	principal    *principalSet
	notPrincipal *principalSet

	actions    []string // lower-cased patterns
	notAction  bool
	resources  []arnPattern
	noResource bool // trust policies name no resource: the role is implied
	notRes     bool
	conditions []condition
}

// Options adjust parsing.
type Options struct {
	// MaxSize overrides the type's default size limit when positive.
	MaxSize int
}

// Parse validates and compiles doc as a policy of type t.
func Parse(doc string, t Type) (*Policy, error) {
	return ParseWithOptions(doc, t, Options{})
}

// ParseWithOptions is Parse with explicit options.
func ParseWithOptions(doc string, t Type, opts Options) (*Policy, error) {
	maxSize := opts.MaxSize
	if maxSize <= 0 {
		maxSize = t.DefaultMaxSize()
	}
	size, err := checkText(doc, t, maxSize)
	if err != nil {
		return nil, err
	}
	root, err := parseStrictJSON([]byte(doc))
	if err != nil {
		return nil, &Error{Message: msgSyntax, Detail: err.Error(), Offset: -1}
	}
	if root.kind != jsonObject {
		return nil, syntaxError("", "the document must be a JSON object", root.offset)
	}
	p := &Policy{Type: t, Size: size, Document: doc}
	if err := p.compile(root); err != nil {
		return nil, err
	}
	return p, nil
}

// checkText enforces the character set and the size limit, returning the size.
func checkText(doc string, t Type, maxSize int) (int, error) {
	if !utf8.ValidString(doc) {
		return 0, &Error{Message: msgSyntax, Detail: "the document is not valid UTF-8", Offset: -1}
	}
	size := 0
	for i, r := range doc {
		if t != Resource && r != '\t' && r != '\n' && r != '\r' && (r < 0x20 || r > 0xFF) {
			return 0, &Error{Code: CodeValidation, Message: msgCharacters, Detail: fmt.Sprintf("character %U at offset %d is outside TAB, LF, CR and U+0020-U+00FF", r, i), Offset: int64(i)}
		}
		if t == Resource || !isSpace(r) {
			size++
		}
	}
	if t == Resource {
		size = len(doc)
	}
	if size > maxSize {
		quota := "PolicySize"
		if t == Trust {
			quota = "ACLSizePerRole"
		}
		return size, &Error{
			Code:    CodeLimitExceeded,
			Message: fmt.Sprintf("Cannot exceed quota for %s: %d", quota, maxSize),
			Detail:  fmt.Sprintf("the %s policy is %d characters; the limit is %d", t, size, maxSize),
			Offset:  -1,
		}
	}
	return size, nil
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r'
}

func (p *Policy) compile(root *jsonValue) error {
	var statements *jsonValue
	for _, m := range root.members {
		switch m.key {
		case "Version":
			if m.value.kind != jsonString {
				return syntaxError("Version", "must be a string", m.value.offset)
			}
			p.Version = m.value.text
		case "Id":
			if m.value.kind != jsonString {
				return syntaxError("Id", "must be a string", m.value.offset)
			}
			p.ID = m.value.text
		case "Statement":
			statements = m.value
		default:
			return syntaxError(m.key, fmt.Sprintf("unknown top-level key %q (only Version, Id and Statement are allowed)", m.key), m.value.offset)
		}
	}
	if err := p.checkVersion(); err != nil {
		return err
	}
	if statements == nil {
		return syntaxError("Statement", "the policy has no Statement", root.offset)
	}
	return p.compileStatements(statements)
}

func (p *Policy) checkVersion() error {
	switch p.Version {
	case Version2012:
		return nil
	case Version2008, "":
		if p.Type == Identity || p.Type == Session {
			return &Error{Message: msgVersion, Path: "Version", Detail: "identity and session policies must say \"Version\": \"2012-10-17\"", Offset: -1}
		}
		return nil
	}
	return &Error{Message: msgSyntax, Path: "Version", Detail: fmt.Sprintf("unknown version %q (want 2012-10-17 or 2008-10-17)", p.Version), Offset: -1}
}

// Variables reports whether policy variables are interpreted (2012-10-17 only).
func (p *Policy) Variables() bool { return p.Version == Version2012 }

func (p *Policy) compileStatements(v *jsonValue) error {
	items := []*jsonValue{v}
	if v.kind == jsonArray {
		items = v.items
	}
	if len(items) == 0 {
		return syntaxError("Statement", "the Statement array is empty", v.offset)
	}
	seen := make(map[string]bool)
	for i, item := range items {
		path := fmt.Sprintf("Statement[%d]", i)
		s, err := p.compileStatement(item, path)
		if err != nil {
			return err
		}
		s.Index = i
		if s.Sid != "" {
			if seen[s.Sid] {
				return &Error{Message: msgDuplicateSid, Path: path + ".Sid", Detail: fmt.Sprintf("Sid %q appears twice", s.Sid), Offset: item.offset}
			}
			seen[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return nil
}
