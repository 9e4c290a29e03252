// Package authz applies AWS's policy evaluation logic across policy types
// and accounts: explicit deny, organization control policies, resource and
// trust policies, identity policies, permissions boundaries and session
// policies, the same-account direct grants and the cross-account rule that
// both sides must allow. It returns a Decision that says why.
package authz

import (
	"github.com/sekisho/sekisho/internal/policy"
)

// PolicyType is the role a policy plays in an evaluation.
type PolicyType uint8

// Policy types, in the order their explicit denies are reported.
const (
	ServiceControl PolicyType = iota
	ResourceControl
	ResourceBased
	IdentityBased
	PermissionsBoundary
	SessionPolicy
	numPolicyTypes
)

var policyTypeNames = [numPolicyTypes]string{
	"service control policy", "resource control policy", "resource-based policy",
	"identity-based policy", "permissions boundary", "session policy",
}

var policyTypeKeys = [numPolicyTypes]string{"scp", "rcp", "resource", "identity", "boundary", "session"}

var missingReasons = [numPolicyTypes]string{
	"no-scp-allow", "no-rcp-allow", "no-resource-allow", "no-identity-allow", "no-boundary-allow", "no-session-allow",
}

// String is AWS's name for the type, as used in AccessDenied messages.
func (t PolicyType) String() string { return policyTypeNames[t] }

// Key is a short machine name: scp, rcp, resource, identity, boundary, session.
func (t PolicyType) Key() string { return policyTypeKeys[t] }

// article returns "a" or "an" for the type's name.
func (t PolicyType) article() string {
	if t == IdentityBased {
		return "an"
	}
	return "a"
}

// Source is one policy with where it came from.
type Source struct {
	Name      string // policy name, e.g. ReadBucket or the inline policy name
	ARN       string // managed policy ARN; empty for inline policies
	VersionID string // managed policy version, e.g. v1
	Policy    *policy.Policy
	// Level places an SCP or RCP in the organization: 0 for the root, 1
	// for the first OU below it, ..., the account last (at most 63).
	// Every level must allow; other policy types ignore it.
	Level int
}

// Request is everything one authorization decision needs.
type Request struct {
	Principal policy.Principal
	Action    string
	Resource  string
	// ResourceAccount owns the resource; empty means the principal's account.
	ResourceAccount string
	Context         *policy.Context

	// Identity policies: a user's inline and attached policies and its
	// groups', or a role session's role policies.
	Identity []Source
	// Boundary is the principal's permissions boundary, if any.
	Boundary *Source
	// Session policies of an STS session; empty when the session has none.
	Session []Source
	// SCPs apply to the principal's account and RCPs to the resource's;
	// nil when the account is outside an organization (or the management
	// account). At every Level of a non-nil set some policy must allow.
	SCPs []Source
	RCPs []Source
	// ResourcePolicy is the bucket policy, or the role's trust policy when
	// Trust is set.
	ResourcePolicy *Source
	// Trust marks an sts:AssumeRole* evaluation: the trust policy must
	// allow whatever the accounts.
	Trust bool
	// AccessKeyID is the caller's key, for the decision log (CloudTrail's
	// userIdentity.accessKeyId); the engine ignores it.
	AccessKeyID string
	// Operation is the API operation asked (S3's GetObject, ListObjectsV2:
	// CloudTrail's eventName) when it is not the action's name; the
	// engine ignores it.
	Operation string
}

// Effect is the final answer.
type Effect uint8

// Effects.
const (
	ImplicitDeny Effect = iota
	Allowed
	ExplicitDeny
)

// String returns "allowed", "implicitly denied" or "explicitly denied".
func (e Effect) String() string {
	switch e {
	case Allowed:
		return "allowed"
	case ExplicitDeny:
		return "explicitly denied"
	}
	return "implicitly denied"
}

// StatementRef names one statement of one policy.
type StatementRef struct {
	Type   PolicyType
	Source *Source
	Index  int
	// PrincipalMatch says how a resource or trust statement named the caller.
	PrincipalMatch policy.MatchKind
}

// Statement returns the referenced statement.
func (r StatementRef) Statement() *policy.Statement { return &r.Source.Policy.Statements[r.Index] }

// Name is the policy's name.
func (r StatementRef) Name() string { return r.Source.Name }

// Sid is the statement's Sid.
func (r StatementRef) Sid() string { return r.Statement().Sid }

// Effect is the statement's effect.
func (r StatementRef) Effect() policy.Effect { return r.Statement().Effect }

const maxDeciding = 8
