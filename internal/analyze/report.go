package analyze

import (
	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/s3"
	"github.com/sekisho/sekisho/internal/store"
	"slices"
)

// Finding is one Allow statement of a trust or bucket policy that grants
// to principals outside the resource's account, like an IAM Access
// Analyzer external access finding.
type Finding struct {
	Resource     string `json:"resource"`      // role or bucket ARN
	ResourceType string `json:"resource_type"` // "role" or "bucket"
	Account      string `json:"account"`       // the resource's owner
	// Principals are the external principals: account ids, ARNs,
	// federated providers, "CanonicalUser:…", or "*" for everyone.
	Principals []string `json:"principals"`
	// Except lists what a NotPrincipal element leaves out of "*".
	Except      []string `json:"except,omitempty"`
	Actions     []string `json:"actions"`
	NotAction   bool     `json:"not_action,omitempty"`
	Conditional bool     `json:"conditional"`
	Conditions  []string `json:"conditions,omitempty"`
	Policy      string   `json:"policy"` // e.g. "assume_s3_role trust policy"
	Statement   int      `json:"statement"`
	Sid         string   `json:"sid,omitempty"`
	// Public marks a bucket policy statement that makes the bucket public
	// as S3 Block Public Access decides it; PublicAccess then says which
	// setting neutralises it, or that none does.
	Public       bool   `json:"public,omitempty"`
	PublicAccess string `json:"public_access,omitempty"`
	// Federated says, per Federated principal, which of the identity
	// provider's identities the statement admits (e.g. "any GitHub
	// repository (sub repo:*)").
	Federated []string `json:"federated,omitempty"`
	// OutsideOrganization lists the Principals outside the organization
	// of the resource's owner ("*" counts as outside), when it has one.
	OutsideOrganization []string `json:"outside_organization,omitempty"`
	// BlockedByRCP names the resource control policy whose Deny refuses
	// those outside principals whatever the statement grants.
	BlockedByRCP string `json:"blocked_by_rcp,omitempty"`
}

// AccessReport lists every trust and bucket policy statement that grants
// access to another account or to everyone: roles first, then buckets,
// each by account and name.
func (s *Snapshot) AccessReport() []Finding {
	var out []Finding
	for _, n := range s.nodes {
		if n.Kind == KindRole && n.trust.Policy != denyAll {
			for _, f := range findings(n.trust, n.ARN, "role", n.Account) {
				out = append(out, s.withOrganization(f, n.ARN))
			}
		}
	}
	for _, b := range s.buckets {
		if src := s.bucketPolicy(b); src != nil {
			for _, f := range findings(src, "arn:aws:s3:::"+b.Name, "bucket", b.Account) {
				if src.Policy.Statements[f.Statement].IsPublic() {
					f.Public, f.PublicAccess = true, publicAccessVerdict(s.publicAccess[b.Name])
				}
				out = append(out, s.withOrganization(f, "arn:aws:s3:::"+b.Name+"/*"))
			}
		}
		out = append(out, s.aclFindings(b)...)
	}
	return out
}

// aclFindings reports a bucket ACL's grants to everyone: public, unless
// IgnorePublicAcls makes them count for nothing.
func (s *Snapshot) aclFindings(b store.Bucket) []Finding {
	grants := s.publicACL[b.Name]
	if len(grants) == 0 {
		return nil
	}
	f := Finding{Resource: "arn:aws:s3:::" + b.Name, ResourceType: "bucket", Account: b.Account,
		Policy: b.Name + " bucket ACL", Public: true, PublicAccess: publicACLVerdict(s.publicAccess[b.Name])}
	for _, g := range grants {
		f.Principals = appendUnique(f.Principals, g.Group)
		f.Actions = appendUnique(f.Actions, "ACL "+g.Permission)
	}
	return []Finding{f}
}

func appendUnique(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

func publicACLVerdict(pab s3.PublicAccessBlock) string {
	if i := pab.IgnorePublicAcls; i.On {
		return "neutralised by IgnorePublicAcls, on at the " + i.Level + " level: the grants to everyone count for nothing"
	}
	return "public: no Block Public Access setting neutralises it (IgnorePublicAcls is off at the account and bucket levels)"
}

// bucketPolicy compiles a bucket's policy; nil when it has none or it
// does not compile (noted in the warnings).
func (s *Snapshot) bucketPolicy(b store.Bucket) *authz.Source {
	if b.Policy == "" {
		return nil
	}
	p, err := s.comp.compile(b.Policy, policy.Resource)
	if err != nil {
		s.comp.warn("bucket policy of %s does not compile and is left out: %v", b.Name, err)
		return nil
	}
	return &authz.Source{Name: b.Name + " bucket policy", Policy: p}
}

// findings returns the external grants of one resource policy.
func findings(src *authz.Source, resource, resourceType, owner string) []Finding {
	var out []Finding
	for i := range src.Policy.Statements {
		st := &src.Policy.Statements[i]
		names, ok := st.PrincipalNames()
		if st.Effect != policy.Allow || !ok {
			continue
		}
		external, except := externalPrincipals(names, owner)
		if len(external) == 0 {
			continue
		}
		out = append(out, Finding{
			Resource: resource, ResourceType: resourceType, Account: owner,
			Principals: external, Except: except,
			Actions: src.Policy.ActionsAsWritten(i), NotAction: st.NotAction(),
			Conditional: st.HasConditions(), Conditions: st.ConditionDescriptions(),
			Policy: src.Name, Statement: i, Sid: st.Sid, Federated: federatedScopes(names, st),
		})
	}
	return out
}

// externalPrincipals lists the names outside owner's account; a
// NotPrincipal element grants to everyone but the names it lists.
func externalPrincipals(names policy.PrincipalNames, owner string) (external, except []string) {
	if names.Not {
		return []string{"*"}, notPrincipalNames(names)
	}
	if names.Any {
		return []string{"*"}, nil
	}
	for _, a := range names.Accounts {
		if a != owner {
			external = append(external, a)
		}
	}
	for _, a := range names.ARNs {
		if accountOf(a) != owner {
			external = append(external, a)
		}
	}
	// A provider's identities live outside AWS: whoever the provider
	// issues tokens to is external, whichever account holds the provider.
	external = append(external, names.Federated...)
	for _, c := range names.CanonicalUsers {
		external = append(external, "CanonicalUser:"+c)
	}
	return external, nil
}

func notPrincipalNames(names policy.PrincipalNames) []string {
	var out []string
	out = append(out, names.Accounts...)
	out = append(out, names.ARNs...)
	out = append(out, names.Services...)
	return append(out, names.Federated...)
}

// accountOf returns an ARN's account, or "" for names that are not ARNs
// (such as a web identity provider's host name).
func accountOf(name string) string {
	a, err := arn.Parse(name)
	if err != nil {
		return ""
	}
	return a.Account
}

// publicAccessVerdict says what Block Public Access does to a bucket's
// public policy: RestrictPublicBuckets neutralises it (only the owner's
// account and AWS services keep access through it); otherwise the bucket
// is public.
func publicAccessVerdict(pab s3.PublicAccessBlock) string {
	if r := pab.RestrictPublicBuckets; r.On {
		return "neutralised by RestrictPublicBuckets, on at the " + r.Level + " level: only the owner's account and AWS services get access through the policy"
	}
	return "public: no Block Public Access setting neutralises it (RestrictPublicBuckets is off at the account and bucket levels)"
}

// withOrganization notes which of a finding's principals are outside the
// owner's organization and whether the owner's RCPs refuse them on
// resource (a representative ARN of what the finding covers).
func (s *Snapshot) withOrganization(f Finding, resource string) Finding {
	owner := s.orgs[f.Account]
	if owner == nil {
		return f
	}
	for _, p := range f.Principals {
		acct := p
		if a := accountOf(p); a != "" {
			acct = a
		}
		if p == "*" || !owner.SameOrganization(s.orgs[acct]) {
			f.OutsideOrganization = append(f.OutsideOrganization, p)
		}
	}
	if len(f.OutsideOrganization) > 0 && !f.NotAction {
		f.BlockedByRCP = s.rcpDenial(owner, f, resource)
	}
	return f
}

// outsideAccount stands for a principal of no organization.
const outsideAccount = "000000000000"

// rcpDenial names the owner's RCP that explicitly denies every action of
// f to the first outside principal, or "" when none does.
func (s *Snapshot) rcpDenial(owner *access.OrgMember, f Finding, resource string) string {
	acct := accountOf(f.OutsideOrganization[0])
	if acct == "" {
		acct = outsideAccount
	}
	principal := policy.Principal{Type: policy.PrincipalRoot, Account: acct, ARN: access.RootARN(acct)}
	ctx := s.neutralContext()
	s.orgs[acct].AddPrincipalContext(ctx)
	access.AddResourceContext(ctx, owner, f.Account)
	name := ""
	for _, action := range f.Actions {
		denied := ""
		preq := &policy.Request{Action: action, Resource: resource, Principal: &principal, Context: ctx}
		for _, src := range owner.RCPs {
			for _, t := range src.Policy.Explain(preq) {
				if t.Matched && t.Effect == policy.Deny.String() && denied == "" {
					denied = src.Name
				}
			}
		}
		if denied == "" {
			return ""
		}
		name = denied
	}
	return name
}
