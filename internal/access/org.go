package access

import (
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/world"
)

// The policies AWS attaches to every root, OU and account by default.
const (
	fullAWSAccess    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	rcpFullAWSAccess = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
)

// Organization holds, for every member account, the service control
// policies bounding its principals and the resource control policies
// bounding its resources, each placed at its level (root, OUs, account).
type Organization struct {
	management string
	scps       map[string][]authz.Source
	rcps       map[string][]authz.Source
}

// NewOrganization compiles an organization declared in a world file; its
// members are the given accounts (the world's).
func NewOrganization(o *world.Organization, accounts []string) (*Organization, error) {
	policies, err := compileOrgPolicies(o.Policies)
	if err != nil {
		return nil, err
	}
	parents := map[string]string{}
	for _, u := range o.Units {
		parents[u.Name] = u.Parent
	}
	home := map[string]string{} // account → its OU ("" = the root)
	for _, u := range o.Units {
		for _, a := range u.Accounts {
			home[a] = u.Name
		}
	}
	org := &Organization{management: o.ManagementAccount, scps: map[string][]authz.Source{}, rcps: map[string][]authz.Source{}}
	for _, acct := range accounts {
		path, err := orgPath(acct, home[acct], parents)
		if err != nil {
			return nil, err
		}
		for level, target := range path {
			org.scps[acct] = append(org.scps[acct], attached(target, level, policy.SCP, o.Attach[target], policies)...)
			org.rcps[acct] = append(org.rcps[acct], attached(target, level, policy.RCP, o.Attach[target], policies)...)
		}
	}
	return org, nil
}

// orgPath lists the targets from the root down to the account.
func orgPath(account, unit string, parents map[string]string) ([]string, error) {
	var units []string
	for u := unit; u != ""; u = parents[u] {
		if len(units) > 32 {
			return nil, fmt.Errorf("organization: the units above %s form a cycle", unit)
		}
		if _, ok := parents[u]; !ok {
			return nil, fmt.Errorf("organization: unknown unit %q", u)
		}
		units = append([]string{u}, units...)
	}
	return append(append([]string{"root"}, units...), account), nil
}

func compileOrgPolicies(list []world.OrgPolicy) (map[string]authz.Source, error) {
	out := map[string]authz.Source{}
	for _, builtin := range []struct {
		name, doc string
		t         policy.Type
	}{{"FullAWSAccess", fullAWSAccess, policy.SCP}, {"RCPFullAWSAccess", rcpFullAWSAccess, policy.RCP}} {
		p, err := policy.Parse(builtin.doc, builtin.t)
		if err != nil {
			return nil, err
		}
		out[builtin.name] = authz.Source{Name: builtin.name, Policy: p}
	}
	for _, op := range list {
		t := policy.SCP
		if strings.EqualFold(op.Type, "rcp") {
			t = policy.RCP
		}
		p, err := policy.Parse(op.Document.JSON, t)
		if err != nil {
			return nil, fmt.Errorf("organization policy %s: %w", op.Name, err)
		}
		out[op.Name] = authz.Source{Name: op.Name, Policy: p}
	}
	return out, nil
}

// attached returns the policies of type t at a target; a target with none
// of that type keeps AWS's default full-access policy.
func attached(target string, level int, t policy.Type, names []string, policies map[string]authz.Source) []authz.Source {
	var out []authz.Source
	for _, n := range names {
		if src, ok := policies[n]; ok && src.Policy.Type == t {
			src.Level = level
			src.Name = n + " (" + target + ")"
			out = append(out, src)
		}
	}
	if len(out) > 0 {
		return out
	}
	def := policies["FullAWSAccess"]
	if t == policy.RCP {
		def = policies["RCPFullAWSAccess"]
	}
	def.Level, def.Name = level, def.Name+" ("+target+")"
	return []authz.Source{def}
}

// SCPs are the control policies bounding principals of account; nil for
// the management account and for accounts outside the organization.
func (o *Organization) SCPs(account string) []authz.Source {
	if o == nil || account == o.management {
		return nil
	}
	return o.scps[account]
}

// RCPs are the control policies bounding resources of account.
func (o *Organization) RCPs(account string) []authz.Source {
	if o == nil || account == o.management {
		return nil
	}
	return o.rcps[account]
}
