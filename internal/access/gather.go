package access

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// Entity names a user, group or role whose policies apply, as loaded by
// the caller (the gate by unique id, the simulator by ARN, analyze by
// listing).
type Entity struct {
	Kind     store.EntityKind
	Account  string
	Name     string
	Boundary string // permissions boundary ARN, "" for none (and for groups)
}

// GatheredPolicy is one identity policy with where it came from.
type GatheredPolicy struct {
	Source authz.Source
	// Owner is the user, group or role an inline policy is embedded in;
	// "" for a managed policy.
	Owner store.EntityKind
	// AWSManaged marks a managed policy of AWS's own.
	AWSManaged bool
}

// Inline reports whether the policy is an inline policy.
func (p GatheredPolicy) Inline() bool { return p.Owner != "" }

// PrincipalPolicies are the policies that apply to an entity: its own
// inline and attached policies, then each of its groups' (users only),
// and its permissions boundary (nil when none, or when it is gone).
type PrincipalPolicies struct {
	Identity []GatheredPolicy
	Boundary *GatheredPolicy
}

// Sources returns the identity policies for the engine.
func (pp PrincipalPolicies) Sources() []authz.Source {
	out := make([]authz.Source, len(pp.Identity))
	for i := range pp.Identity {
		out[i] = pp.Identity[i].Source
	}
	return out
}

// BoundarySource returns the boundary for the engine, or nil.
func (pp PrincipalPolicies) BoundarySource() *authz.Source {
	if pp.Boundary == nil {
		return nil
	}
	return &pp.Boundary.Source
}

// Gatherer gathers principals' policies from the store: the one walk over
// inline, attached, group and boundary policies that the gate, the IAM
// policy simulator and the offline analyses share.
type Gatherer struct {
	compile func(doc string, t policy.Type) (*policy.Policy, error)
	skip    func(what string, err error)
	// managed and groups cache, when set, managed policies by ARN and
	// groups' policies by account and name, for a gatherer reused over one
	// unchanging snapshot of the store.
	managed map[string]*GatheredPolicy
	groups  map[string][]GatheredPolicy
}

// NewGatherer returns a gatherer compiling documents with compile. A
// stored document that does not compile fails the gathering, unless skip
// is set: then skip hears of it and the document is left out (it can
// grant nothing, as the server could not use it either).
func NewGatherer(compile func(doc string, t policy.Type) (*policy.Policy, error), skip func(what string, err error)) *Gatherer {
	return &Gatherer{compile: compile, skip: skip}
}

// Cached makes the gatherer load each managed policy and each group's
// policies once; use it only while the store does not change.
func (g *Gatherer) Cached() *Gatherer {
	g.managed, g.groups = map[string]*GatheredPolicy{}, map[string][]GatheredPolicy{}
	return g
}

// Gather returns the policies that apply to e.
func (g *Gatherer) Gather(tx store.Tx, e Entity) (PrincipalPolicies, error) {
	var pp PrincipalPolicies
	var err error
	if pp.Identity, err = g.entityPolicies(tx, e.Account, e.Kind, e.Name, nil); err != nil {
		return pp, err
	}
	if e.Kind == store.KindUser {
		groups, err := tx.ListGroupsForUser(e.Account, e.Name)
		if err != nil {
			return pp, err
		}
		for _, grp := range groups {
			gp, err := g.groupPolicies(tx, e.Account, grp.Name)
			if err != nil {
				return pp, err
			}
			pp.Identity = append(pp.Identity, gp...)
		}
	}
	pp.Boundary, err = g.managedPolicy(tx, e.Boundary)
	return pp, err
}

func (g *Gatherer) groupPolicies(tx store.Tx, account, name string) ([]GatheredPolicy, error) {
	k := account + "/" + strings.ToLower(name)
	if gp, ok := g.groups[k]; ok {
		return gp, nil
	}
	gp, err := g.entityPolicies(tx, account, store.KindGroup, name, nil)
	if err == nil && g.groups != nil {
		g.groups[k] = gp
	}
	return gp, err
}

// entityPolicies appends the inline and attached policies of a user, group or role.
func (g *Gatherer) entityPolicies(tx store.Tx, account string, kind store.EntityKind, name string, out []GatheredPolicy) ([]GatheredPolicy, error) {
	inline, err := tx.ListInlinePolicies(account, kind, name)
	if err != nil {
		return out, err
	}
	for _, ip := range inline {
		p, err := g.compile(ip.Document, policy.Identity)
		if err != nil {
			if err := g.broken(fmt.Sprintf("inline policy %s of %s %s in %s", ip.Name, kind, name, account), err); err != nil {
				return out, err
			}
			continue
		}
		out = append(out, GatheredPolicy{Source: authz.Source{Name: ip.Name, Policy: p}, Owner: kind})
	}
	attached, err := tx.ListAttachedPolicies(account, kind, name)
	if err != nil {
		return out, err
	}
	for _, a := range attached {
		mp, err := g.managedPolicy(tx, a.PolicyARN)
		if err != nil {
			return out, err
		}
		if mp != nil {
			out = append(out, *mp)
		}
	}
	return out, nil
}

// managedPolicy loads a managed policy's default version; nil when arn is
// empty or the policy no longer exists (or does not compile, when skipped).
func (g *Gatherer) managedPolicy(tx store.Tx, arn string) (*GatheredPolicy, error) {
	if arn == "" {
		return nil, nil
	}
	if mp, ok := g.managed[arn]; ok {
		return mp, nil
	}
	mp, err := g.loadManaged(tx, arn)
	if err == nil && g.managed != nil {
		g.managed[arn] = mp
	}
	return mp, err
}

func (g *Gatherer) loadManaged(tx store.Tx, arn string) (*GatheredPolicy, error) {
	mp, err := tx.GetPolicy(arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := tx.GetPolicyVersion(arn, mp.DefaultVersionID)
	if err != nil {
		return nil, err
	}
	p, err := g.compile(v.Document, policy.Identity)
	if err != nil {
		return nil, g.broken("managed policy "+arn, err)
	}
	return &GatheredPolicy{Source: authz.Source{Name: mp.Name, ARN: arn, VersionID: v.VersionID, Policy: p},
		AWSManaged: mp.Account == "aws"}, nil
}

// broken reports a document that does not compile: skipped when the
// gatherer skips them, else an error.
func (g *Gatherer) broken(what string, err error) error {
	if g.skip == nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	g.skip(what, err)
	return nil
}
