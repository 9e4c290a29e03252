package iam

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// Input constraints from botocore's IAM model. The patterns are shown in
// error messages exactly as the model (and so AWS) writes them. Entity
// paths end at ~ (\u007E): the current model and API reference no longer
// admit DEL, which PathPrefix still does.
var (
	namePattern       = constraint{regexp.MustCompile(`^[\w+=,.@-]+$`), `[\w+=,.@-]+`}
	pathPattern       = constraint{regexp.MustCompile(`^(/|/[\x21-\x7e]+/)$`), `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`}
	pathPrefixPattern = constraint{regexp.MustCompile(`^/[\x21-\x7f]*$`), `\u002F[\u0021-\u007F]*`}
	policyPathPattern = constraint{regexp.MustCompile(`^((/[A-Za-z0-9.,+@=_-]+)*)/$`), `((/[A-Za-z0-9\.,\+@=_-]+)*)/`}
	documentPattern   = constraint{regexp.MustCompile(`^[\t\n\r\x{20}-\x{ff}]+$`), `[\u0009\u000A\u000D\u0020-\u00FF]+`}
	passwordPattern   = documentPattern
	// roleDescriptionType: the current model's, printable ASCII and
	// Latin-1 (the older Unicode-class pattern took any script).
	descriptionPattern = constraint{regexp.MustCompile(`^[\t\n\r\x{20}-\x{7e}\x{a1}-\x{ff}]*$`),
		`[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`}
	tagKeyPattern      = constraint{regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`), `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`}
	tagValuePattern    = constraint{regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`), `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`}
	markerPattern      = constraint{regexp.MustCompile(`^[\x{20}-\x{ff}]+$`), `[\u0020-\u00FF]+`}
	accessKeyIDPattern = constraint{regexp.MustCompile(`^\w+$`), `[\w]+`}
	versionIDPattern   = constraint{regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`), `v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`}
)

// Name lengths from the model.
const (
	maxUserName    = 64  // userNameType, roleNameType
	maxLookupName  = 128 // existingUserNameType, groupNameType, policyNameType, instanceProfileNameType
	maxPath        = 512
	maxDocument    = 131072
	maxDescription = 1000
	maxTags        = 50
)

type constraint struct {
	re    *regexp.Regexp
	shown string
}

// input reads and validates a request's parameters, collecting every
// problem so the error lists them all as AWS does ("2 validation errors
// detected: ...; ...").
type input struct {
	params   awsproto.Params
	problems []string
}

func newInput(p awsproto.Params) *input { return &input{params: p} }

// err is the ValidationError for the collected problems, or nil.
func (in *input) err() *awsproto.Error {
	switch n := len(in.problems); n {
	case 0:
		return nil
	case 1:
		return awsproto.ValidationError("1 validation error detected: %s", in.problems[0])
	default:
		return awsproto.ValidationError("%d validation errors detected: %s", n, strings.Join(in.problems, "; "))
	}
}

func (in *input) fail(value, member, constraint string) {
	in.problems = append(in.problems, fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint))
}

func (in *input) failNull(member string) {
	in.problems = append(in.problems, fmt.Sprintf("Value null at '%s' failed to satisfy constraint: Member must not be null", member))
}

// member is the model's name for a parameter in messages: userName, tags.1.member.key.
func member(param string) string {
	if param == "" {
		return param
	}
	return strings.ToLower(param[:1]) + param[1:]
}

// text reads a string parameter and checks its length (in characters) and
// pattern. A missing required parameter is a problem; a missing optional
// one reads as "".
func (in *input) text(param string, required bool, minLen, maxLen int, c *constraint) string {
	if !in.params.Has(param) {
		if required {
			in.failNull(member(param))
		}
		return ""
	}
	v := in.params.Get(param)
	in.check(v, member(param), minLen, maxLen, c)
	return v
}

// check validates one value, recording at most one problem for it.
func (in *input) check(v, where string, minLen, maxLen int, c *constraint) bool {
	n := utf8.RuneCountInString(v)
	switch {
	case n < minLen:
		in.fail(v, where, fmt.Sprintf("Member must have length greater than or equal to %d", minLen))
	case maxLen > 0 && n > maxLen:
		in.fail(v, where, fmt.Sprintf("Member must have length less than or equal to %d", maxLen))
	case c != nil && !c.re.MatchString(v):
		in.fail(v, where, "Member must satisfy regular expression pattern: "+c.shown)
	default:
		return true
	}
	return false
}

// name reads a required entity name ([\w+=,.@-]+ of 1..maxLen).
func (in *input) name(param string, maxLen int) string {
	return in.text(param, true, 1, maxLen, &namePattern)
}

// optionalName reads an optional entity name.
func (in *input) optionalName(param string, maxLen int) string {
	return in.text(param, false, 1, maxLen, &namePattern)
}

// path reads an optional entity path, "/" when absent.
func (in *input) path(param string) string {
	if p := in.text(param, false, 1, maxPath, &pathPattern); p != "" {
		return p
	}
	return "/"
}

// policyPath reads a managed policy's optional path, "/" when absent.
func (in *input) policyPath(param string) string {
	if p := in.text(param, false, 1, maxPath, &policyPathPattern); p != "" {
		return p
	}
	return "/"
}

// pathPrefix reads a List filter, "/" when absent.
func (in *input) pathPrefix() string {
	if p := in.text("PathPrefix", false, 1, maxPath, &pathPrefixPattern); p != "" {
		return p
	}
	return "/"
}

// document reads a policy document parameter.
func (in *input) document(param string, required bool) string {
	return in.text(param, required, 1, maxDocument, &documentPattern)
}

// arn reads an ARN parameter (20..2048 characters).
func (in *input) arn(param string, required bool) string {
	return in.text(param, required, 20, 2048, nil)
}

// enum reads a parameter restricted to values.
func (in *input) enum(param string, required bool, values ...string) string {
	if !in.params.Has(param) {
		if required {
			in.failNull(member(param))
		}
		return ""
	}
	v := in.params.Get(param)
	for _, ok := range values {
		if v == ok {
			return v
		}
	}
	in.fail(v, member(param), "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]")
	return v
}

// integer reads an optional integer in [minV, maxV], def when absent.
func (in *input) integer(param string, def, minV, maxV int) int {
	if !in.params.Has(param) {
		return def
	}
	raw := in.params.Get(param)
	n, err := strconv.Atoi(raw)
	switch {
	case err != nil:
		in.fail(raw, member(param), "Member must be a number")
		return def
	case n < minV:
		in.fail(raw, member(param), fmt.Sprintf("Member must have value greater than or equal to %d", minV))
	case n > maxV:
		in.fail(raw, member(param), fmt.Sprintf("Member must have value less than or equal to %d", maxV))
	}
	return n
}

// boolean reads an optional boolean ("true" or "false").
func (in *input) boolean(param string) bool {
	if !in.params.Has(param) {
		return false
	}
	v := in.params.Get(param)
	if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
		in.fail(v, member(param), "Member must be a boolean")
	}
	return strings.EqualFold(v, "true")
}

// pageRequest reads Marker and MaxItems (1..1000, default 100).
func (in *input) pageRequest() pageRequest {
	return pageRequest{
		marker:   in.text("Marker", false, 1, 320, &markerPattern),
		maxItems: in.integer("MaxItems", defaultMaxItems, 1, 1000),
	}
}

// tags reads Tags.member.N.{Key,Value}, required or not.
func (in *input) tags(required bool) []store.Tag {
	// Refuse an oversized list before reading it: Structs is quadratic.
	over := fmt.Sprintf("Tags.member.%d.", maxTags+1)
	if in.params.Has(over+"Key") || in.params.Has(over+"Value") {
		in.fail(fmt.Sprintf("more than %d", maxTags), "tags", fmt.Sprintf("Member must have length less than or equal to %d", maxTags))
		return nil
	}
	entries := in.params.Structs("Tags")
	if required && len(entries) == 0 {
		in.failNull("tags")
		return nil
	}
	out := make([]store.Tag, 0, len(entries))
	for i, e := range entries {
		where := fmt.Sprintf("tags.%d.member", i+1)
		key, hasKey := e["Key"]
		value, hasValue := e["Value"]
		if !hasKey {
			in.failNull(where + ".key")
		} else {
			in.check(key, where+".key", 1, 128, &tagKeyPattern)
		}
		if !hasValue {
			in.failNull(where + ".value")
		} else {
			in.check(value, where+".value", 0, 256, &tagValuePattern)
		}
		out = append(out, store.Tag{Key: key, Value: value})
	}
	return out
}

// list reads a required or optional Name.member.N list whose items are
// checked with minLen, maxLen and c.
func (in *input) list(param string, required bool, minLen, maxLen int, c *constraint) []string {
	items := in.params.List(param)
	if required && len(items) == 0 {
		in.failNull(member(param))
	}
	for i, v := range items {
		in.check(v, fmt.Sprintf("%s.%d.member", member(param), i+1), minLen, maxLen, c)
	}
	return items
}

// checkTagKeys enforces what the model cannot say: keys are unique
// (case-insensitively) and none uses the reserved aws: prefix.
func checkTagKeys(tags []store.Tag) *awsproto.Error {
	seen := map[string]bool{}
	for _, t := range tags {
		k := strings.ToLower(t.Key)
		if seen[k] {
			return invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.")
		}
		seen[k] = true
		if strings.HasPrefix(k, "aws:") {
			return invalidInput("User-defined tag keys can't start with 'aws:'.")
		}
	}
	return nil
}

// validAlias reports whether s is a valid account alias: lowercase letters,
// digits and single hyphens, not starting or ending with a hyphen.
func validAlias(s string) bool {
	if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
