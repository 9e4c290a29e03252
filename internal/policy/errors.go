package policy

import "fmt"

// AWS's messages for invalid policies, as IAM returns them in
// MalformedPolicyDocument errors.
const (
	msgSyntax           = "Syntax errors in policy."
	msgNoPrincipal      = "Policy document should not specify a principal."
	msgMissingPrincipal = "Missing required field Principal"
	msgNoActions        = "Policy statement must contain actions."
	msgNoResources      = "Policy statement must contain resources."
	msgVendorPrefix     = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgDuplicateSid     = "Statement IDs (SID) in a single policy must be unique."
	msgSidAlnum         = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	msgVersion          = "Policy document must be version 2012-10-17 or greater."
	msgTrustActions     = "AssumeRole policy may only specify STS AssumeRole actions."
	msgCharacters       = `1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`
)

// Error codes an invalid policy maps to.
const (
	CodeMalformed     = "MalformedPolicyDocument"
	CodeLimitExceeded = "LimitExceeded"
	CodeValidation    = "ValidationError"
)

// Error is an invalid policy document. Message is AWS's wording; Path and
// Detail say where and what, for people.
type Error struct {
	Code    string // CodeMalformed unless set
	Message string
	Path    string // e.g. Statement[1].Condition.IpAddress.aws:SourceIp
	Detail  string
	Offset  int64 // byte offset in the document, or -1
}

// ErrorCode returns the AWS error code for the failure.
func (e *Error) ErrorCode() string {
	if e.Code == "" {
		return CodeMalformed
	}
	return e.Code
}

func (e *Error) Error() string {
	where := ""
	if e.Path != "" {
		where = " at " + e.Path
	}
	if e.Offset >= 0 {
		where += fmt.Sprintf(" (offset %d)", e.Offset)
	}
	if e.Detail == "" {
		return e.Message + where
	}
	return fmt.Sprintf("%s%s: %s", e.Message, where, e.Detail)
}

func syntaxError(path, detail string, offset int64) *Error {
	return &Error{Message: msgSyntax, Path: path, Detail: detail, Offset: offset}
}
