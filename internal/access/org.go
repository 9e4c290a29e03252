package access

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// AWS managed control policies, by the ids the Organizations API gives
// them, with their documents as AWS publishes them.
var orgManaged = map[string]struct{ name, policyType, doc string }{
	"p-FullAWSAccess": {"FullAWSAccess", "SERVICE_CONTROL_POLICY",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
	"p-RCPFullAWSAccess": {"RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`},
}

// OrgMember is what an account's membership of an organization means
// for decisions: its condition keys and the control policies bounding
// its principals (SCPs) and resources (RCPs), each placed at its level
// (root, OUs, account). The management account has no control policies.
type OrgMember struct {
	OrgID      string
	Management string
	Path       string // o-xxx/r-xxx/ou-xxx/.../: the root and the units above the account
	SCPs       []authz.Source
	// RCPs start with authz.ClosedAccount when the account is closed.
	RCPs []authz.Source
	// Closed is the account's status when it is closed (SUSPENDED or
	// PENDING_CLOSURE), "" while it is active.
	Closed string
}

// IsClosed reports whether m's account is closed (false for a nil member).
func (m *OrgMember) IsClosed() bool { return m != nil && m.Closed != "" }

// closedStatus reports whether an account's organization status means it
// is closed: its principals no longer authenticate and its resources are
// unavailable.
func closedStatus(status string) bool { return status == "SUSPENDED" || status == "PENDING_CLOSURE" }

// orgIndex is every organization's members at one store generation.
type orgIndex struct {
	gen     uint64
	members map[string]*OrgMember
}

// orgCache holds the index for the current store generation.
type orgCache struct {
	mu  sync.Mutex // held to replace idx
	idx atomic.Pointer[orgIndex]
}

// OrgMember returns the organization membership of account (nil when it
// belongs to none), from the store as of its current generation: a
// changed SCP applies to the next request on every replica.
func (g *Gate) OrgMember(ctx context.Context, account string) (*OrgMember, error) {
	idx, err := g.orgIndex(ctx)
	if err != nil {
		return nil, err
	}
	return idx.members[account], nil
}

func (g *Gate) orgIndex(ctx context.Context) (*orgIndex, error) {
	gen, err := g.state.sync(ctx, g.store)
	if err != nil {
		return nil, err
	}
	return g.orgIndexAt(ctx, gen)
}

// memberAt is OrgMember for a caller that has synced the state cache to
// gen already.
func (g *Gate) memberAt(ctx context.Context, gen uint64, account string) (*OrgMember, error) {
	idx, err := g.orgIndexAt(ctx, gen)
	if err != nil {
		return nil, err
	}
	return idx.members[account], nil
}

// orgIndexAt returns the index of store generation gen, building it when
// the cached one is older.
func (g *Gate) orgIndexAt(ctx context.Context, gen uint64) (*orgIndex, error) {
	idx := g.orgs.idx.Load()
	if idx != nil && idx.gen == gen {
		return idx, nil
	}
	var orgs []store.Organization
	err := g.store.View(ctx, func(tx store.Tx) error {
		var err error
		orgs, err = tx.ListOrganizations()
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read organizations: %w", err)
	}
	members, err := OrgMembers(orgs, g.Compile)
	if err != nil {
		return nil, err
	}
	idx = &orgIndex{gen: gen, members: members}
	g.orgs.mu.Lock()
	if cur := g.orgs.idx.Load(); cur == nil || cur.gen <= gen {
		g.orgs.idx.Store(idx)
	}
	g.orgs.mu.Unlock()
	return idx, nil
}

// OrgMembers compiles the membership of every account of the
// organizations, by account id.
func OrgMembers(orgs []store.Organization, compile func(string, policy.Type) (*policy.Policy, error)) (map[string]*OrgMember, error) {
	members := map[string]*OrgMember{}
	for i := range orgs {
		if err := indexOrganization(members, &orgs[i], compile); err != nil {
			return nil, err
		}
	}
	return members, nil
}

// indexOrganization adds o's members to members.
func indexOrganization(members map[string]*OrgMember, o *store.Organization, compile func(string, policy.Type) (*policy.Policy, error)) error {
	names := map[string]string{o.RootID: "Root"}
	parents := map[string]string{}
	for _, u := range o.Units {
		names[u.ID], parents[u.ID] = u.Name, u.Parent
	}
	for _, a := range o.Accounts {
		names[a.ID], parents[a.ID] = a.Name, a.Parent
	}
	for _, a := range o.Accounts {
		chain, err := chainOf(a.ID, o.RootID, parents)
		if err != nil {
			return fmt.Errorf("organization %s: %w", o.ID, err)
		}
		m := &OrgMember{OrgID: o.ID, Management: o.ManagementAccount,
			Path: o.ID + "/" + strings.Join(chain[:len(chain)-1], "/") + "/"}
		members[a.ID] = m
		if a.ID == o.ManagementAccount {
			continue
		}
		for _, t := range o.PolicyTypes {
			sources, err := levelSources(o, chain, names, t, compile)
			if err != nil {
				return err
			}
			if t == "SERVICE_CONTROL_POLICY" {
				m.SCPs = sources
			} else {
				m.RCPs = sources
			}
		}
		if closedStatus(a.Status) { // never the management account, which cannot be closed
			m.Closed = a.Status
			m.RCPs = append([]authz.Source{authz.ClosedAccount(a.ID, a.Status)}, m.RCPs...)
		}
	}
	return nil
}

// chainOf lists the targets from the root down to id.
func chainOf(id, root string, parents map[string]string) ([]string, error) {
	chain := []string{id}
	for p := parents[id]; p != root; p = parents[p] {
		if p == "" || len(chain) > 8 {
			return nil, fmt.Errorf("account %s has no path to the root", id)
		}
		chain = append([]string{p}, chain...)
	}
	return append([]string{root}, chain...), nil
}

// levelSources compiles the policies of one type attached along chain,
// each at its level and named with its attachment point and OU path so
// that explanations can say which guard-rail decided.
func levelSources(o *store.Organization, chain []string, names map[string]string, policyType string,
	compile func(string, policy.Type) (*policy.Policy, error)) ([]authz.Source, error) {
	t := policy.SCP
	if policyType == "RESOURCE_CONTROL_POLICY" {
		t = policy.RCP
	}
	path := o.ID + "/" + strings.Join(chain[:len(chain)-1], "/") + "/" // the account's
	var out []authz.Source
	for level, target := range chain {
		for _, a := range o.Attachments {
			if a.TargetID != target {
				continue
			}
			name, typ, doc, arn := orgPolicy(o, a.PolicyID)
			if typ != policyType {
				continue
			}
			p, err := compile(doc, t)
			if err != nil {
				return nil, fmt.Errorf("organization %s policy %s: %w", o.ID, a.PolicyID, err)
			}
			point := target
			if names[target] != "" && names[target] != target {
				point += " (" + names[target] + ")"
			}
			out = append(out, authz.Source{Policy: p, Level: level, ARN: arn,
				Name: fmt.Sprintf("%s (%s) attached to %s, OU path %s", name, a.PolicyID, point, path)})
		}
	}
	return out, nil
}

// orgPolicy finds an attached policy's name, type, document and ARN.
func orgPolicy(o *store.Organization, id string) (name, policyType, doc, arn string) {
	if m, ok := orgManaged[id]; ok {
		return m.name, m.policyType, m.doc, "arn:aws:organizations::aws:policy/" + strings.ToLower(m.policyType) + "/" + id
	}
	for _, p := range o.Policies {
		if p.ID == id {
			return p.Name, p.Type, p.Content, "arn:aws:organizations::" + o.ManagementAccount + ":policy/" + o.ID + "/" + strings.ToLower(p.Type) + "/" + id
		}
	}
	return id, "", "", ""
}

// addOrgContext sets the organization condition keys of the principal's
// and the resource's accounts.
func addOrgContext(ctx *policy.Context, principal, resource *OrgMember, resourceAccount string) {
	principal.AddPrincipalContext(ctx)
	AddResourceContext(ctx, resource, resourceAccount)
}

// AddPrincipalContext sets aws:PrincipalOrgID and aws:PrincipalOrgPaths
// for a principal of this member account (nothing for a nil member).
func (m *OrgMember) AddPrincipalContext(ctx *policy.Context) {
	if m != nil {
		ctx.Set("aws:principalorgid", m.OrgID)
		ctx.Set("aws:principalorgpaths", m.Path)
	}
}

// AddResourceContext sets aws:ResourceAccount, and aws:ResourceOrgID and
// aws:ResourceOrgPaths when the owner m is a member.
// The keys are given lower-cased, as the context keeps them, so Set need
// not lower (and copy) them on every request.
func AddResourceContext(ctx *policy.Context, m *OrgMember, account string) {
	ctx.Set("aws:resourceaccount", account)
	if m != nil {
		ctx.Set("aws:resourceorgid", m.OrgID)
		ctx.Set("aws:resourceorgpaths", m.Path)
	}
}

// SameOrganization reports whether two members belong to one organization.
func (m *OrgMember) SameOrganization(other *OrgMember) bool {
	return m != nil && other != nil && m.OrgID == other.OrgID
}

// scps and rcps are nil-safe accessors.
func (m *OrgMember) scps() []authz.Source {
	if m == nil {
		return nil
	}
	return m.SCPs
}

func (m *OrgMember) rcps() []authz.Source {
	if m == nil {
		return nil
	}
	return m.RCPs
}

// ServiceControl is m.SCPs, nil for a nil member.
func (m *OrgMember) ServiceControl() []authz.Source { return m.scps() }

// ResourceControl is m.RCPs, nil for a nil member.
func (m *OrgMember) ResourceControl() []authz.Source { return m.rcps() }
