package authz

import "github.com/sekisho/sekisho/internal/policy"

// Decision is the outcome with its reasons.
type Decision struct {
	Effect Effect
	// CrossAccount is set when the principal's and resource's accounts differ.
	CrossAccount bool
	// Reason is a short machine-readable cause, e.g. "explicit-deny",
	// "direct-grant", "no-identity-allow".
	Reason string

	deciding [maxDeciding]StatementRef
	n        int
	missing  uint8 // bit per PolicyType lacking a required Allow

	principalARN string
	action       string
	resource     string
}

// Statements returns the deciding statements: the Deny that denied, or
// the Allows that together allowed.
func (d *Decision) Statements() []StatementRef { return d.deciding[:d.n] }

// Missing returns, for an implicit deny, the policy types that lacked a
// required Allow, the first being the one AWS reports.
func (d *Decision) Missing() []PolicyType {
	var out []PolicyType
	for _, t := range missingOrder {
		if d.missing&(1<<t) != 0 {
			out = append(out, t)
		}
	}
	return out
}

// missingOrder is the order in which a missing Allow is reported.
var missingOrder = [...]PolicyType{ServiceControl, ResourceControl, IdentityBased, ResourceBased, PermissionsBoundary, SessionPolicy}

func (d *Decision) add(ref StatementRef) {
	if d.n < maxDeciding {
		d.deciding[d.n] = ref
		d.n++
	}
}

func (d *Decision) lack(t PolicyType) { d.missing |= 1 << t }

// setResult summarizes one policy type: its first Deny and best Allow.
type setResult struct {
	present bool
	denied  bool
	allowed bool
	deny    StatementRef
	allow   StatementRef
}

func evalSet(sources []Source, t PolicyType, req *policy.Request) setResult {
	r := setResult{present: sources != nil}
	for i := range sources {
		src := &sources[i]
		res := src.Policy.Evaluate(req)
		if res.Denied() {
			r.denied, r.deny = true, ref(src, t, res.Deny, policy.MatchNone)
			return r
		}
		if res.Allowed() && (!r.allowed || res.AllowKind > r.allow.PrincipalMatch) {
			r.allowed, r.allow = true, ref(src, t, res.Allow, res.AllowKind)
		}
	}
	return r
}

// evalLevels evaluates organization control policies: a Deny anywhere
// wins, and they allow only when every level they sit at has an Allow.
func evalLevels(sources []Source, t PolicyType, req *policy.Request) setResult {
	r := setResult{present: sources != nil}
	var levels, allowedLevels uint64
	for i := range sources {
		src := &sources[i]
		bit := uint64(1) << (src.Level & 63)
		levels |= bit
		res := src.Policy.Evaluate(req)
		if res.Denied() {
			r.denied, r.deny = true, ref(src, t, res.Deny, policy.MatchNone)
			return r
		}
		if res.Allowed() {
			allowedLevels |= bit
			if !r.allowed {
				r.allow = ref(src, t, res.Allow, res.AllowKind)
			}
			r.allowed = true
		}
	}
	r.allowed = r.allowed && allowedLevels == levels
	return r
}

func evalOne(src *Source, t PolicyType, req *policy.Request) setResult {
	if src == nil {
		return setResult{}
	}
	r := setResult{present: true}
	res := src.Policy.Evaluate(req)
	switch {
	case res.Denied():
		r.denied, r.deny = true, ref(src, t, res.Deny, policy.MatchNone)
	case res.Allowed():
		r.allowed, r.allow = true, ref(src, t, res.Allow, res.AllowKind)
	}
	return r
}

func ref(src *Source, t PolicyType, index int, kind policy.MatchKind) StatementRef {
	return StatementRef{Type: t, Source: src, Index: index, PrincipalMatch: kind}
}

// Evaluate decides req as AWS does.
func Evaluate(req *Request) Decision {
	d := Decision{principalARN: req.Principal.ARN, action: req.Action, resource: req.Resource}
	resourceAccount := req.ResourceAccount
	if resourceAccount == "" {
		resourceAccount = req.Principal.Account
	}
	d.CrossAccount = resourceAccount != req.Principal.Account
	preq := policy.Request{Action: req.Action, Resource: req.Resource, Principal: &req.Principal, Context: req.Context,
		Bounded: req.Boundary != nil}

	var sets [numPolicyTypes]setResult
	sets[ServiceControl] = evalLevels(req.SCPs, ServiceControl, &preq)
	sets[ResourceControl] = evalLevels(req.RCPs, ResourceControl, &preq)
	sets[ResourceBased] = evalOne(req.ResourcePolicy, ResourceBased, &preq)
	sets[IdentityBased] = evalSet(req.Identity, IdentityBased, &preq)
	sets[PermissionsBoundary] = evalOne(req.Boundary, PermissionsBoundary, &preq)
	sets[SessionPolicy] = evalSet(req.Session, SessionPolicy, &preq)
	sets[SessionPolicy].present = len(req.Session) > 0

	for t := range sets {
		if sets[t].denied {
			d.Effect, d.Reason = ExplicitDeny, "explicit-deny"
			if sets[t].deny.Source.IsClosedAccount() {
				d.Reason = reasonClosedAccount
			}
			d.add(sets[t].deny)
			return d
		}
	}
	for _, t := range [...]PolicyType{ServiceControl, ResourceControl} {
		if sets[t].present && !sets[t].allowed {
			return d.implicit(t)
		}
	}
	d.decide(req, &sets)
	if d.Effect == Allowed {
		for _, t := range [...]PolicyType{ServiceControl, ResourceControl} {
			if sets[t].present {
				d.add(sets[t].allow)
			}
		}
	}
	return d
}

func (d *Decision) implicit(types ...PolicyType) Decision {
	d.Effect = ImplicitDeny
	for _, t := range types {
		d.lack(t)
	}
	if len(types) > 0 {
		d.Reason = missingReasons[types[0]]
	}
	return *d
}

// allow records an Allow and the statements behind it: the given one,
// the identity Allow when identity policies took part, and the boundary
// and session Allows that held.
func (d *Decision) allow(reason string, sets *[numPolicyTypes]setResult, withIdentity, withResource bool) {
	d.Effect, d.Reason = Allowed, reason
	for _, t := range [...]PolicyType{IdentityBased, ResourceBased, PermissionsBoundary, SessionPolicy} {
		include := sets[t].present && sets[t].allowed
		switch t {
		case IdentityBased:
			include = withIdentity && sets[t].allowed
		case ResourceBased:
			include = withResource && sets[t].allowed
		}
		if include {
			d.add(sets[t].allow)
		}
	}
}

// decide applies the resource, identity, boundary and session rules once
// no explicit deny and no control policy stands in the way.
func (d *Decision) decide(req *Request, sets *[numPolicyTypes]setResult) {
	res := &sets[ResourceBased]
	p := &req.Principal
	switch p.Type {
	case policy.PrincipalService, policy.PrincipalAnonymous, policy.PrincipalWebIdentity:
		// Callers without an account of their own have only the resource policy.
		if res.allowed {
			d.Effect, d.Reason = Allowed, "resource-grant"
			d.add(res.allow)
			return
		}
		d.implicit(ResourceBased)
		return
	}
	if d.CrossAccount || req.Trust {
		d.decideBothSides(req, sets)
		return
	}
	if res.allowed && d.resourceGrantsAlone(p, res.allow.PrincipalMatch) {
		d.Effect, d.Reason = Allowed, "direct-grant"
		d.add(res.allow)
		return
	}
	if res.allowed && grantsToRole(p, res.allow.PrincipalMatch) {
		if d.sessionLimitsHold(sets) {
			d.allow("role-grant", sets, false, true)
		}
		return
	}
	if d.identityAllows(p, sets) {
		d.allow("identity-allow", sets, true, true)
	}
}

// decideBothSides handles cross-account requests and role assumption:
// the resource (or trust) policy must allow, and so must the caller's own
// account unless, within one account, the trust policy names the caller.
func (d *Decision) decideBothSides(req *Request, sets *[numPolicyTypes]setResult) {
	res := &sets[ResourceBased]
	p := &req.Principal
	if !res.allowed {
		callerSideMissing := d.CrossAccount && p.Type != policy.PrincipalRoot && !sets[IdentityBased].allowed
		if callerSideMissing {
			// Both sides lack an Allow: report the caller's side first.
			d.implicit(IdentityBased, ResourceBased)
		} else {
			d.implicit(ResourceBased)
		}
		return
	}
	if !d.CrossAccount {
		// Within one account a trust policy that names the caller grants on
		// its own, like any resource policy: the exact user or session ARN
		// is not limited by boundary or session policy, the role ARN is.
		kind := res.allow.PrincipalMatch
		if d.resourceGrantsAlone(p, kind) {
			if p.Type == policy.PrincipalUser {
				// A user the trust policy names still needs its boundary to
				// allow sts:AssumeRole (IAM UG, Update a role trust policy).
				if d.sessionLimitsHold(sets) {
					d.allow("trust-grant", sets, false, true)
				}
				return
			}
			d.Effect, d.Reason = Allowed, "trust-grant"
			d.add(res.allow)
			return
		}
		if grantsToRole(p, kind) {
			if d.sessionLimitsHold(sets) {
				d.allow("trust-grant", sets, false, true)
			}
			return
		}
	}
	if d.identityAllows(p, sets) {
		d.allow("both-sides-allow", sets, true, true)
	}
}

// resourceGrantsAlone reports whether, within one account, a resource
// policy Allow grants without any identity policy, boundary or session
// policy: when it names the exact user, role session or federated user,
// or grants to "*" narrowed by aws:PrincipalArn (then only explicit
// denies limit it: IAM UG, Principal element, IAM role principals).
func (d *Decision) resourceGrantsAlone(p *policy.Principal, kind policy.MatchKind) bool {
	switch kind {
	case policy.MatchExact, policy.MatchWildcardPrincipalARN:
		return true
	case policy.MatchWildcard:
		return p.Type != policy.PrincipalAssumedRole
	}
	return false
}

// grantsToRole reports whether the statement named the role behind the
// caller's session (or "*" for a session): identity policies are not
// needed, but the boundary and session policies still limit.
func grantsToRole(p *policy.Principal, kind policy.MatchKind) bool {
	return kind == policy.MatchRole || (kind == policy.MatchWildcard && p.Type == policy.PrincipalAssumedRole)
}

// identityAllows checks the caller's side: identity ∩ boundary ∩ session.
// The account root needs no identity policy.
func (d *Decision) identityAllows(p *policy.Principal, sets *[numPolicyTypes]setResult) bool {
	if p.Type != policy.PrincipalRoot && !sets[IdentityBased].allowed {
		if d.CrossAccount && !sets[ResourceBased].allowed {
			d.implicit(IdentityBased, ResourceBased)
		} else {
			d.implicit(IdentityBased)
		}
		return false
	}
	return d.sessionLimitsHold(sets)
}

func (d *Decision) sessionLimitsHold(sets *[numPolicyTypes]setResult) bool {
	for _, t := range [...]PolicyType{PermissionsBoundary, SessionPolicy} {
		if sets[t].present && !sets[t].allowed {
			d.implicit(t)
			return false
		}
	}
	return true
}
