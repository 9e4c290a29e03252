package analyze

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/s3"
	"github.com/sekisho/sekisho/internal/store"
)

// Kind is the kind of a principal.
type Kind string

// Principal kinds. A role stands for a session of that role.
const (
	KindRoot Kind = "root"
	KindUser Kind = "user"
	KindRole Kind = "role"
)

// Principal is one principal of the store.
type Principal struct {
	Kind    Kind   `json:"type"`
	Account string `json:"account"`
	ARN     string `json:"arn"`            // user, role or root ARN
	Name    string `json:"name,omitempty"` // user or role name
}

// SessionName is the session name role principals are evaluated with.
const SessionName = "sekisho-analyze"

// node is a principal with everything its requests are evaluated with.
type node struct {
	Principal
	index    int
	id       policy.Principal
	ctx      *policy.Context // neutral context with the principal's keys; never modified after load
	identity []authz.Source
	boundary *authz.Source
	trust    *authz.Source // roles: the trust policy
}

// Snapshot is a store's principals, roles and buckets with their compiled
// policies, loaded once and asked many questions. It is not safe for
// concurrent use.
type Snapshot struct {
	now       time.Time
	nodes     []*node // by account, then root, users, roles, each by name
	byARN     map[string]*node
	byAccount map[string][]*node
	buckets   []store.Bucket // by account, then name
	byBucket  map[string]store.Bucket
	// publicAccess is each bucket's Block Public Access in effect.
	publicAccess map[string]s3.PublicAccessBlock
	// publicACL is each bucket's ACL grants to everyone, where ACLs count.
	publicACL map[string][]s3.PublicACLGrant
	comp      *compiler
	// orgs is every member account's organization membership.
	orgs  map[string]*access.OrgMember
	edges map[[2]int]verdict // who may assume which role
	cands map[int][]*node    // candidate assumers of each role
}

// Load reads every account's principals, policies and buckets from st in
// one read transaction.
func Load(ctx context.Context, st store.Store) (*Snapshot, error) {
	s := &Snapshot{now: time.Now().UTC(), byARN: map[string]*node{}, byAccount: map[string][]*node{},
		byBucket: map[string]store.Bucket{}, publicAccess: map[string]s3.PublicAccessBlock{},
		publicACL: map[string][]s3.PublicACLGrant{}, comp: newCompiler(), edges: map[[2]int]verdict{}, cands: map[int][]*node{}}
	err := st.View(ctx, func(tx store.Tx) error {
		orgs, err := tx.ListOrganizations()
		if err != nil {
			return err
		}
		if s.orgs, err = access.OrgMembers(orgs, s.comp.compile); err != nil {
			return err
		}
		accounts, err := tx.ListAccounts()
		if err != nil {
			return err
		}
		for _, a := range accounts {
			if err := s.loadAccount(tx, a.ID); err != nil {
				return fmt.Errorf("account %s: %w", a.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("analyze: load: %w", err)
	}
	return s, nil
}

func (s *Snapshot) loadAccount(tx store.Tx, account string) error {
	root := &access.Caller{Principal: policy.Principal{Type: policy.PrincipalRoot, Account: account, ARN: access.RootARN(account)}, UserID: account}
	s.add(&node{Principal: Principal{Kind: KindRoot, Account: account, ARN: root.Principal.ARN}}, root)
	if err := s.loadUsers(tx, account); err != nil {
		return err
	}
	if err := s.loadRoles(tx, account); err != nil {
		return err
	}
	buckets, err := tx.ListBuckets(account)
	if err != nil {
		return err
	}
	for _, b := range buckets {
		s.buckets = append(s.buckets, b)
		s.byBucket[b.Name] = b
		pab, err := s3.PublicAccessBlockOf(tx, b)
		if err != nil {
			return fmt.Errorf("bucket %s: block public access: %w", b.Name, err)
		}
		s.publicAccess[b.Name] = pab
		if s.publicACL[b.Name], err = s3.PublicBucketACL(tx, b); err != nil {
			return fmt.Errorf("bucket %s: ACL: %w", b.Name, err)
		}
	}
	return nil
}

// add indexes n and gives it the neutral context of caller c.
func (s *Snapshot) add(n *node, c *access.Caller) {
	n.index, n.id = len(s.nodes), c.Principal
	n.ctx = s.neutralContext()
	c.AddContext(n.ctx)
	s.orgs[n.Account].AddPrincipalContext(n.ctx)
	s.nodes = append(s.nodes, n)
	s.byARN[n.ARN] = n
	s.byAccount[n.Account] = append(s.byAccount[n.Account], n)
}

// neutralContext holds the keys every request carries whatever its
// origin; request-specific keys (aws:SourceIp, aws:SecureTransport,
// aws:RequestedRegion, sts:ExternalId, ...) stay absent.
func (s *Snapshot) neutralContext() *policy.Context {
	ctx := policy.NewContext()
	ctx.Set("aws:CurrentTime", s.now.Format(time.RFC3339))
	ctx.Set("aws:EpochTime", strconv.FormatInt(s.now.Unix(), 10))
	ctx.Set("aws:ViaAWSService", "false")
	return ctx
}

func (s *Snapshot) loadUsers(tx store.Tx, account string) error {
	users, err := tx.ListUsers(account, "")
	if err != nil {
		return err
	}
	for _, u := range users {
		n := &node{Principal: Principal{Kind: KindUser, Account: account, ARN: access.UserARN(u), Name: u.Name}}
		if err := s.gatherInto(tx, n, access.Entity{Kind: store.KindUser, Account: u.Account, Name: u.Name, Boundary: u.PermissionsBoundary}); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
		c := &access.Caller{Principal: policy.Principal{Type: policy.PrincipalUser, Account: account, ARN: n.ARN},
			UserID: u.ID, UserName: u.Name, Tags: u.Tags}
		s.add(n, c)
	}
	return nil
}

// gatherInto sets a node's identity policies (a user's groups' too) and
// boundary.
func (s *Snapshot) gatherInto(tx store.Tx, n *node, e access.Entity) error {
	pp, err := s.comp.gatherer().Gather(tx, e)
	if err != nil {
		return err
	}
	n.identity, n.boundary = pp.Sources(), pp.BoundarySource()
	return nil
}

func (s *Snapshot) loadRoles(tx store.Tx, account string) error {
	roles, err := tx.ListRoles(account, "")
	if err != nil {
		return err
	}
	for _, r := range roles {
		n, err := s.roleNode(tx, r)
		if err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
		roleARN := n.ARN
		c := &access.Caller{
			Principal: policy.Principal{Type: policy.PrincipalAssumedRole, Account: r.Account,
				ARN: access.SessionARN(r.Account, r.Name, SessionName), RoleARN: roleARN},
			UserID:  r.ID + ":" + SessionName,
			Session: &creds.Session{Kind: creds.AssumedRole, Account: r.Account, RoleARN: roleARN, RoleID: r.ID, SessionName: SessionName, IssuedAt: s.now},
			Tags:    r.Tags,
		}
		s.add(n, c)
	}
	return nil
}

func (s *Snapshot) roleNode(tx store.Tx, r store.Role) (*node, error) {
	n := &node{Principal: Principal{Kind: KindRole, Account: r.Account, ARN: access.RoleARN(r), Name: r.Name}}
	trust, err := s.comp.compile(r.TrustPolicy, policy.Trust)
	if err != nil {
		s.comp.warn("trust policy of %s does not compile: nobody can assume the role: %v", n.ARN, err)
		trust = denyAll
	}
	n.trust = &authz.Source{Name: r.Name + " trust policy", Policy: trust}
	err = s.gatherInto(tx, n, access.Entity{Kind: store.KindRole, Account: r.Account, Name: r.Name, Boundary: r.PermissionsBoundary})
	return n, err
}

// denyAll stands in for a trust policy that does not compile.
var denyAll = func() *policy.Policy {
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"sts:*"}}`, policy.Trust)
	if err != nil {
		panic(err)
	}
	return p
}()

// Warnings lists the stored documents that did not compile and were left out.
func (s *Snapshot) Warnings() []string { return s.comp.warnings }

// Principals lists every principal of the snapshot: per account (by id),
// the root, then users, then roles, each by name.
func (s *Snapshot) Principals() []Principal {
	out := make([]Principal, len(s.nodes))
	for i, n := range s.nodes {
		out[i] = n.Principal
	}
	return out
}

// SCPs are the service control policies bounding account's principals
// (none outside an organization or for its management account).
func (s *Snapshot) SCPs(account string) []authz.Source { return s.orgs[account].ServiceControl() }
