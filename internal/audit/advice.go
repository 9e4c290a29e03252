package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// advise writes one sentence naming what would change the outcome.
func advise(req *authz.Request, d *authz.Decision, traces []PolicyTrace) string {
	switch d.Effect {
	case authz.Allowed:
		return "Allowed; nothing is missing."
	case authz.ExplicitDeny:
		s := d.Statements()[0]
		return fmt.Sprintf("Remove or narrow %s, which explicitly denies %s on %s; no Allow anywhere can override an explicit deny.",
			describeRef(s), req.Action, req.Resource)
	}
	missing := d.Missing()
	if len(missing) == 0 {
		return "Denied: no policy allows the request."
	}
	parts := make([]string, 0, len(missing))
	for i, m := range missing {
		parts = append(parts, missingPiece(req, d, m, i > 0))
	}
	advice := capitalize(strings.Join(parts, "; and ")) + "."
	if hint := conditionHint(traces, missing[0]); hint != "" {
		advice += " " + hint
	}
	return advice
}

// missingPiece names the policy that must allow, in the words of its owner.
func missingPiece(req *authz.Request, d *authz.Decision, t authz.PolicyType, more bool) string {
	what := req.Action + " on " + req.Resource
	also := ""
	if d.CrossAccount && !more && !slices.Contains(d.Missing(), authz.ResourceBased) {
		also = "also " // the resource's side already allows
	}
	switch t {
	case authz.IdentityBased:
		return fmt.Sprintf("account %s must %sallow %s in an identity policy of %s", req.Principal.Account, also, what, principalNoun(&req.Principal))
	case authz.ResourceBased:
		return resourcePiece(req, what)
	case authz.PermissionsBoundary:
		return fmt.Sprintf("the permissions boundary %q of %s must allow %s", sourceName(req.Boundary), principalNoun(&req.Principal), what)
	case authz.SessionPolicy:
		return fmt.Sprintf("the session policies of %s (the Policy or PolicyArns passed to AssumeRole) must allow %s", principalNoun(&req.Principal), what)
	case authz.ServiceControl:
		return fmt.Sprintf("a service control policy on account %s must allow %s", req.Principal.Account, what)
	case authz.ResourceControl:
		return fmt.Sprintf("a resource control policy on account %s must allow %s", resourceAccount(req), what)
	}
	return "a policy must allow " + what
}

func resourcePiece(req *authz.Request, what string) string {
	who := req.Principal.ARN
	if who == "" {
		who = "anonymous callers (Principal \"*\")"
	} else if req.Principal.Account != "" {
		who += " (or its account " + req.Principal.Account + ")"
	}
	switch {
	case req.Trust:
		return fmt.Sprintf("the trust policy of %s must allow %s to perform %s", req.Resource, who, req.Action)
	case req.ResourcePolicy == nil && strings.HasPrefix(req.Resource, "arn:aws:s3:::"):
		return fmt.Sprintf("the bucket (account %s) has no bucket policy; one must allow %s to perform %s", resourceAccount(req), who, what)
	case strings.HasPrefix(req.Resource, "arn:aws:s3:::"):
		return fmt.Sprintf("the bucket policy (account %s) must allow %s to perform %s", resourceAccount(req), who, what)
	}
	return fmt.Sprintf("the resource policy of %s (account %s) must allow %s to perform %s", req.Resource, resourceAccount(req), who, req.Action)
}

// principalNoun is "user alice", "role R" or "the account root".
func principalNoun(p *policy.Principal) string {
	last := p.ARN[strings.LastIndexByte(p.ARN, '/')+1:]
	switch p.Type {
	case policy.PrincipalUser:
		return "user " + last
	case policy.PrincipalAssumedRole:
		return "role " + p.RoleARN[strings.LastIndexByte(p.RoleARN, '/')+1:]
	case policy.PrincipalRoot:
		return "the account root"
	}
	return p.ARN
}

func sourceName(s *authz.Source) string {
	if s == nil {
		return ""
	}
	if s.ARN != "" {
		return s.ARN
	}
	return s.Name
}

// conditionHint points at an Allow of the missing type that failed only
// on a condition: the usual cause of "it should work".
func conditionHint(traces []PolicyTrace, t authz.PolicyType) string {
	for _, p := range traces {
		if p.Type != t.String() {
			continue
		}
		for _, s := range p.Statements {
			if s.Effect == "Allow" && s.Reason == "condition" {
				return fmt.Sprintf("Statement %d of %s %q would allow it, but its condition %s does not hold for this request.",
					s.Index, p.Type, p.Name, s.FailedCondition)
			}
		}
	}
	return ""
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
