package analyze

import (
	"context"
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// MaxChain is the most role assumptions a path may take.
const MaxChain = 5

// Step is one request of a path.
type Step struct {
	Action      string `json:"action"`
	Resource    string `json:"resource"`
	Conditional bool   `json:"conditional,omitempty"`
}

// Path is how one principal can perform the action: the shortest chain of
// role assumptions (an unconditional one when there is one of that
// length), then the action itself as the last step.
type Path struct {
	Principal Principal `json:"principal"`
	Steps     []Step    `json:"steps"`
	// Conditional is set when some step is.
	Conditional bool `json:"conditional"`
	// Via lists every role the principal may assume directly from which
	// the action is within reach (MaxChain assumptions in all).
	Via []string `json:"via,omitempty"`
	// OutsideOrganization marks a principal from outside the organization
	// of the resource's owner (when the owner belongs to one).
	OutsideOrganization bool `json:"outside_organization,omitempty"`
}

// String renders the chain, e.g. "arn:…:user/alice → sts:AssumeRole
// arn:…:role/R → s3:GetObject": the last step's resource is the one asked
// about and left out, except for a role assumption.
func (p Path) String() string {
	var b strings.Builder
	b.WriteString(p.Principal.ARN)
	for i, st := range p.Steps {
		b.WriteString(" → ")
		b.WriteString(st.Action)
		if i < len(p.Steps)-1 || strings.HasPrefix(strings.ToLower(st.Action), "sts:assumerole") {
			b.WriteString(" ")
			b.WriteString(st.Resource)
		}
	}
	return b.String()
}

// WhoCan loads st and lists who can perform action on resource.
func WhoCan(ctx context.Context, st store.Store, action, resource string) ([]Path, error) {
	s, err := Load(ctx, st)
	if err != nil {
		return nil, err
	}
	return s.WhoCan(action, resource)
}

// hop is how a principal reaches the action: directly (next nil) or by
// assuming next first.
type hop struct {
	dist     int
	next     *node
	stepCond bool // assuming next is conditional (or, directly, the action is)
	cond     bool // some step from here on is conditional
}

// WhoCan lists every principal that can perform action on resource,
// directly or through up to MaxChain role assumptions, in principal order.
// The resource policy is the bucket's policy for S3 ARNs and the role's
// trust policy for sts:* actions on a role.
func (s *Snapshot) WhoCan(action, resource string) ([]Path, error) {
	t, err := s.target(action, resource)
	if err != nil {
		return nil, err
	}
	reach := s.direct(t)
	s.chain(reach)
	paths := s.paths(t, reach, s.via(reach))
	byRole := map[int]Path{}
	for _, p := range paths {
		if n := s.byARN[p.Principal.ARN]; n != nil && n.Kind == KindRole {
			byRole[n.index] = p
		}
	}
	return append(paths, s.federatedPaths(t, reach, byRole)...), nil
}

// direct finds the principals that may perform t themselves.
func (s *Snapshot) direct(t *target) []*hop {
	reach := make([]*hop, len(s.nodes))
	for _, n := range s.nodes {
		if t.noRoot && n.Kind == KindRoot {
			continue
		}
		if v := s.evaluate(n, t); v.allowed {
			reach[n.index] = &hop{stepCond: v.conditional, cond: v.conditional}
		}
	}
	return reach
}

// chain walks role assumptions backwards from the roles that reach the
// action, one level per assumption, so each principal gets its shortest
// chain.
func (s *Snapshot) chain(reach []*hop) {
	frontier := s.reachedRoles(reach, 0)
	for depth := 1; depth <= MaxChain && len(frontier) > 0; depth++ {
		found := map[int]*hop{}
		for _, r := range frontier {
			for _, p := range s.candidates(r) {
				if reach[p.index] != nil {
					continue
				}
				v := s.assume(p, r)
				if !v.allowed {
					continue
				}
				h := &hop{dist: depth, next: r, stepCond: v.conditional, cond: v.conditional || reach[r.index].cond}
				if cur := found[p.index]; cur == nil || cur.cond && !h.cond {
					found[p.index] = h
				}
			}
		}
		for i, h := range found {
			reach[i] = h
		}
		frontier = s.reachedRoles(reach, depth)
	}
}

// reachedRoles lists the roles whose shortest chain is dist long.
func (s *Snapshot) reachedRoles(reach []*hop, dist int) []*node {
	var out []*node
	for _, n := range s.nodes {
		if h := reach[n.index]; h != nil && h.dist == dist && n.Kind == KindRole {
			out = append(out, n)
		}
	}
	return out
}

// via lists, per principal, every role it may assume that reaches the
// action within the chain limit.
func (s *Snapshot) via(reach []*hop) map[int][]string {
	out := map[int][]string{}
	for _, r := range s.nodes {
		if h := reach[r.index]; h == nil || h.dist >= MaxChain || r.Kind != KindRole {
			continue
		}
		for _, p := range s.candidates(r) {
			if s.assume(p, r).allowed {
				out[p.index] = append(out[p.index], r.ARN)
			}
		}
	}
	return out
}

func (s *Snapshot) paths(t *target, reach []*hop, via map[int][]string) []Path {
	var out []Path
	for _, n := range s.nodes {
		h := reach[n.index]
		if h == nil {
			continue
		}
		p := Path{Principal: n.Principal, Conditional: h.cond, Via: via[n.index],
			OutsideOrganization: s.orgs[t.account] != nil && !s.orgs[t.account].SameOrganization(s.orgs[n.Account])}
		for h.next != nil {
			p.Steps = append(p.Steps, Step{Action: "sts:AssumeRole", Resource: h.next.ARN, Conditional: h.stepCond})
			h = reach[h.next.index]
		}
		p.Steps = append(p.Steps, Step{Action: t.action, Resource: t.resource, Conditional: h.stepCond})
		out = append(out, p)
	}
	return out
}

// target resolves what action on resource is evaluated against.
func (s *Snapshot) target(action, resource string) (*target, error) {
	if service, name, ok := strings.Cut(action, ":"); !ok || service == "" || name == "" {
		return nil, fmt.Errorf("action %q must be service:Name", action)
	}
	t := &target{action: action, resource: resource}
	if resource == "*" {
		return t, nil
	}
	a, err := arn.Parse(resource)
	switch {
	case err != nil:
		return nil, fmt.Errorf("resource: %w", err)
	case a.Service == "s3" && a.Account == "":
		return t, s.bucketTarget(t, a)
	case isTrustEvaluation(action, a):
		return t, s.roleTarget(t)
	}
	t.account = a.Account
	return t, nil
}

func (s *Snapshot) bucketTarget(t *target, a arn.ARN) error {
	name, _, _ := strings.Cut(a.Resource, "/")
	b, ok := s.byBucket[name]
	if !ok {
		return fmt.Errorf("no bucket named %q", name)
	}
	t.account = b.Account
	t.keys = [][2]string{{"s3:ResourceAccount", b.Account}, {"aws:ResourceAccount", b.Account}}
	if b.Policy == "" {
		return nil
	}
	p, err := s.comp.compile(b.Policy, policy.Resource)
	if err != nil {
		return fmt.Errorf("bucket policy of %s: %w", b.Name, err)
	}
	t.policy = &authz.Source{Name: b.Name + " bucket policy", Policy: p}
	return nil
}

func (s *Snapshot) roleTarget(t *target) error {
	r := s.role(t.resource)
	if r == nil {
		return fmt.Errorf("no role %s", t.resource)
	}
	t.resource, t.account, t.policy, t.trust = r.ARN, r.Account, r.trust, true
	t.noRoot = strings.HasPrefix(strings.ToLower(t.action), "sts:assumerole")
	return nil
}

// role finds a role by ARN, exactly or else ignoring case as STS does.
func (s *Snapshot) role(roleARN string) *node {
	if n := s.byARN[roleARN]; n != nil && n.Kind == KindRole {
		return n
	}
	for _, n := range s.nodes {
		if n.Kind == KindRole && strings.EqualFold(n.ARN, roleARN) {
			return n
		}
	}
	return nil
}

// isTrustEvaluation reports whether the resource policy is a role's trust
// policy: an STS action on a role ARN.
func isTrustEvaluation(action string, a arn.ARN) bool {
	return strings.HasPrefix(strings.ToLower(action), "sts:") && a.Service == "iam" && strings.HasPrefix(a.Resource, "role/")
}
