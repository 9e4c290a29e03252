package analyze

import (
	"cmp"
	"slices"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// verdict is the outcome of one evaluated request.
type verdict struct {
	allowed     bool
	conditional bool
}

// target is one request asked of every principal: its action and
// resource, the resource's owner and resource (or trust) policy, and the
// condition keys the service adds for the resource.
type target struct {
	action, resource, account string
	policy                    *authz.Source
	trust                     bool
	noRoot                    bool // roles may not be assumed by account roots
	keys                      [][2]string
}

// evaluate decides t for n with n's neutral context.
func (s *Snapshot) evaluate(n *node, t *target) verdict {
	ctx := n.ctx.Clone()
	for _, kv := range t.keys {
		ctx.Set(kv[0], kv[1])
	}
	owner := s.orgs[t.account]
	access.AddResourceContext(ctx, owner, t.account)
	req := &authz.Request{
		Principal: n.id, Action: t.action, Resource: t.resource, ResourceAccount: t.account, Context: ctx,
		Identity: n.identity, Boundary: n.boundary, ResourcePolicy: t.policy, Trust: t.trust,
		SCPs: s.orgs[n.Account].ServiceControl(), RCPs: owner.ResourceControl(),
	}
	d := authz.Evaluate(req)
	if d.Effect != authz.Allowed {
		return verdict{}
	}
	return verdict{allowed: true, conditional: decidedByConditions(&d) || mayBeDenied(req)}
}

// assume returns whether p may assume role r, evaluated once per pair.
func (s *Snapshot) assume(p, r *node) verdict {
	k := [2]int{p.index, r.index}
	if v, ok := s.edges[k]; ok {
		return v
	}
	v := s.evaluate(p, assumeTarget(r))
	s.edges[k] = v
	return v
}

func assumeTarget(r *node) *target {
	return &target{action: "sts:AssumeRole", resource: r.ARN, account: r.Account, policy: r.trust, trust: true, noRoot: true}
}

// decidedByConditions reports whether a statement that allowed has conditions.
func decidedByConditions(d *authz.Decision) bool {
	for _, ref := range d.Statements() {
		if ref.Statement().HasConditions() {
			return true
		}
	}
	return false
}

// mayBeDenied reports whether a conditional Deny statement matches the
// request in everything but its conditions: another context could deny.
func mayBeDenied(req *authz.Request) bool {
	preq := &policy.Request{Action: req.Action, Resource: req.Resource, Principal: &req.Principal, Context: req.Context, Bounded: req.Boundary != nil}
	for i := range req.Identity {
		if conditionalDeny(req.Identity[i].Policy, preq) {
			return true
		}
	}
	for _, set := range [][]authz.Source{req.SCPs, req.RCPs} {
		for i := range set {
			if conditionalDeny(set[i].Policy, preq) {
				return true
			}
		}
	}
	for _, src := range []*authz.Source{req.Boundary, req.ResourcePolicy} {
		if src != nil && conditionalDeny(src.Policy, preq) {
			return true
		}
	}
	return false
}

func conditionalDeny(p *policy.Policy, req *policy.Request) bool {
	if !hasConditionalDeny(p) {
		return false
	}
	for _, t := range p.Explain(req) {
		if t.Effect == policy.Deny.String() && t.Reason == "condition" {
			return true
		}
	}
	return false
}

func hasConditionalDeny(p *policy.Policy) bool {
	for i := range p.Statements {
		if s := &p.Statements[i]; s.Effect == policy.Deny && s.HasConditions() {
			return true
		}
	}
	return false
}

// candidates lists the principals r's trust policy could let assume r:
// those it names by account or ARN, or everyone for "*". Roots and r
// itself are left out. The evaluation decides; this only narrows.
func (s *Snapshot) candidates(r *node) []*node {
	if c, ok := s.cands[r.index]; ok {
		return c
	}
	seen := make(map[int]bool)
	var out []*node
	addNode := func(n *node) {
		if n != nil && n != r && n.Kind != KindRoot && !seen[n.index] {
			seen[n.index] = true
			out = append(out, n)
		}
	}
	for _, names := range trustNames(r.trust.Policy) {
		s.namedNodes(names, addNode)
	}
	sortNodes(out)
	s.cands[r.index] = out
	return out
}

// namedNodes calls add for every node a Principal element names.
func (s *Snapshot) namedNodes(names policy.PrincipalNames, add func(*node)) {
	if names.Any || names.Not {
		for _, n := range s.nodes {
			add(n)
		}
		return
	}
	for _, a := range names.Accounts {
		for _, n := range s.byAccount[a] {
			add(n)
		}
	}
	for _, a := range names.ARNs {
		add(s.byARN[a])
	}
}

// trustNames returns the Principal elements of the Allow statements that
// can grant sts:AssumeRole.
func trustNames(p *policy.Policy) []policy.PrincipalNames {
	var out []policy.PrincipalNames
	for i := range p.Statements {
		st := &p.Statements[i]
		if st.Effect != policy.Allow || !st.MatchesAction("sts:AssumeRole") {
			continue
		}
		if names, ok := st.PrincipalNames(); ok {
			out = append(out, names)
		}
	}
	return out
}

func sortNodes(nodes []*node) {
	slices.SortFunc(nodes, func(a, b *node) int { return cmp.Compare(a.index, b.index) })
}
