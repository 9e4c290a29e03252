package audit

import (
	"fmt"
	"sort"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// Summary is one line of the decision log.
type Summary struct {
	RequestID string    `json:"request_id"`
	Time      time.Time `json:"time"`
	Principal string    `json:"principal"`
	Action    string    `json:"action"`
	Resource  string    `json:"resource"`
	Decision  string    `json:"decision"`
	Reason    string    `json:"reason"`
}

// Explanation is everything known about one decision.
type Explanation struct {
	Summary
	PrincipalType    string              `json:"principal_type"`
	AccessKeyID      string              `json:"access_key_id,omitempty"`
	Operation        string              `json:"operation,omitempty"`
	PrincipalAcct    string              `json:"principal_account"`
	ResourceAccount  string              `json:"resource_account"`
	CrossAccount     bool                `json:"cross_account"`
	Message          string              `json:"message,omitempty"`
	Deciding         []string            `json:"deciding"`
	Missing          []string            `json:"missing,omitempty"`
	Policies         []PolicyTrace       `json:"policies"`
	Context          map[string][]string `json:"context"`
	CrossAccountRule string              `json:"cross_account_rule,omitempty"`
	Advice           string              `json:"advice"`
}

// PolicyTrace is one policy consulted, with each statement's outcome.
type PolicyTrace struct {
	Type       string                  `json:"type"`
	Name       string                  `json:"name"`
	ARN        string                  `json:"arn,omitempty"`
	VersionID  string                  `json:"version_id,omitempty"`
	Statements []policy.StatementTrace `json:"statements"`
}

func summarize(e *entry) Summary {
	return Summary{RequestID: e.requestID, Time: e.at, Principal: principalName(e.req), Action: e.req.Action,
		Resource: e.req.Resource, Decision: e.decision.Effect.String(), Reason: e.decision.Reason}
}

func principalName(req *authz.Request) string {
	if req.Principal.ARN == "" {
		if req.Principal.Service != "" {
			return req.Principal.Service
		}
		return "anonymous"
	}
	return req.Principal.ARN
}

// explain traces every policy of the request in AWS's evaluation order.
func explain(e *entry) Explanation {
	req, d := e.req, &e.decision
	x := brief(e)
	for _, m := range d.Missing() {
		x.Missing = append(x.Missing, m.String())
	}
	preq := &policy.Request{Action: req.Action, Resource: req.Resource, Principal: &req.Principal, Context: req.Context, Bounded: req.Boundary != nil}
	for _, set := range policySets(req) {
		for i := range set.sources {
			src := &set.sources[i]
			x.Policies = append(x.Policies, PolicyTrace{Type: set.typ.String(), Name: src.Name, ARN: src.ARN,
				VersionID: src.VersionID, Statements: src.Policy.Explain(preq)})
		}
	}
	if d.CrossAccount {
		x.CrossAccountRule = crossAccountOutcome(req, d)
	}
	x.Advice = advise(req, d, x.Policies)
	explainBlockPublicAccess(&x, req, d)
	explainClosedAccount(&x, req, d)
	return x
}

// brief is the explanation without the policy traces and advice: who,
// what, the deciding statements and the request's keys. The store keeps
// allowed decisions so (serve --record all): policy generation and the
// CloudTrail export need no more, and tracing every policy of every
// allowed request would cost the server throughput.
func brief(e *entry) Explanation {
	req, d := e.req, &e.decision
	x := Explanation{Summary: summarize(e), PrincipalType: req.Principal.Type.String(), AccessKeyID: req.AccessKeyID,
		Operation: req.Operation, PrincipalAcct: req.Principal.Account, ResourceAccount: resourceAccount(req),
		CrossAccount: d.CrossAccount, Message: d.Message(), Context: contextOf(req)}
	for _, s := range d.Statements() {
		x.Deciding = append(x.Deciding, describeRef(s))
	}
	return x
}

func resourceAccount(req *authz.Request) string {
	if req.ResourceAccount != "" {
		return req.ResourceAccount
	}
	return req.Principal.Account
}

type policySet struct {
	typ     authz.PolicyType
	sources []authz.Source
}

// policySets lists the request's policies in the order AWS consults them.
func policySets(req *authz.Request) []policySet {
	one := func(s *authz.Source) []authz.Source {
		if s == nil {
			return nil
		}
		return []authz.Source{*s}
	}
	return []policySet{
		{authz.ServiceControl, req.SCPs}, {authz.ResourceControl, req.RCPs},
		{authz.ResourceBased, one(req.ResourcePolicy)}, {authz.IdentityBased, req.Identity},
		{authz.PermissionsBoundary, one(req.Boundary)}, {authz.SessionPolicy, req.Session},
	}
}

func describeRef(s authz.StatementRef) string {
	sid := ""
	if s.Sid() != "" {
		sid = fmt.Sprintf(" (Sid %q)", s.Sid())
	}
	return fmt.Sprintf("%s in %s %q, statement %d%s", s.Effect(), s.Type, s.Name(), s.Index, sid)
}

func contextOf(req *authz.Request) map[string][]string {
	out := map[string][]string{}
	if req.Context == nil {
		return out
	}
	keys := req.Context.Keys()
	sort.Strings(keys)
	for _, k := range keys {
		v, _ := req.Context.Get(k)
		out[k] = v
	}
	return out
}

// crossAccountOutcome states the both-sides rule's result.
func crossAccountOutcome(req *authz.Request, d *authz.Decision) string {
	callerSide, resourceSide := "allows", "allows"
	for _, m := range d.Missing() {
		switch m {
		case authz.ResourceBased:
			resourceSide = "does not allow"
		case authz.IdentityBased, authz.PermissionsBoundary, authz.SessionPolicy:
			callerSide = "does not allow"
		}
	}
	if d.Effect == authz.ExplicitDeny {
		return "an explicit deny decided before the cross-account rule applied"
	}
	return fmt.Sprintf("cross-account request: the caller's account %s %s it and the resource's account %s %s it; both must allow",
		req.Principal.Account, callerSide, resourceAccount(req), resourceSide)
}
