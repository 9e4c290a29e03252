package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// Gate authenticates callers and authorizes their requests.
type Gate struct {
	store    store.Store
	seal     atomic.Pointer[creds.Sealer]
	now      func() time.Time
	compiled *compileCache
	state    *stateCache
	recorder Recorder

	reloadMu   sync.Mutex
	lastReload time.Time // of the token keys

	orgs orgCache // the organizations, as of the store's generation
}

// RCPs are the resource control policies over account's resources, for
// decisions made outside Authorize (anonymous callers); they also set the
// resource's organization keys in reqCtx. A store that cannot be read
// gives a policy that denies everything, never none.
func (g *Gate) RCPs(ctx context.Context, account string, reqCtx *policy.Context) []authz.Source {
	m, err := g.OrgMember(ctx, account)
	if err != nil {
		return []authz.Source{{Name: "resource control policies (unreadable)", Policy: denyAllRCP}}
	}
	AddResourceContext(reqCtx, m, account)
	return m.rcps()
}

// Recorder keeps decisions for later explanation (the decision log).
// The decision is passed by value: a pointer handed to an interface
// method would move every decision to the heap.
type Recorder interface {
	Record(requestID string, req *authz.Request, d authz.Decision)
}

// SetRecorder makes the gate log every decision it makes.
func (g *Gate) SetRecorder(r Recorder) { g.recorder = r }

// Record logs a decision made outside Authorize (e.g. for anonymous callers).
func (g *Gate) Record(requestID string, req *authz.Request, d *authz.Decision) {
	if g.recorder != nil {
		g.recorder.Record(requestID, req, *d)
	}
}

// NewGate builds a gate over st, sealing session tokens with sealer.
func NewGate(st store.Store, sealer *creds.Sealer, now func() time.Time) *Gate {
	if now == nil {
		now = time.Now
	}
	g := &Gate{store: st, now: now, compiled: newCompileCache(DefaultCompiledPolicyBudget), state: newStateCache()}
	g.seal.Store(sealer)
	return g
}

func (g *Gate) sealer() *creds.Sealer { return g.seal.Load() }

// SetCompiledPolicyBudget bounds the memory, in estimated bytes, that the
// gate's compiled policies may hold (DefaultCompiledPolicyBudget unless
// set). Call it before the gate serves requests.
func (g *Gate) SetCompiledPolicyBudget(bytes int) {
	if bytes > 0 {
		g.compiled = newCompileCache(bytes)
	}
}

// ReloadKeys rereads (and when due, rotates) the session-token keys. The
// server calls it periodically; a token sealed with a key this replica
// has not seen yet also triggers it, at most once per second.
func (g *Gate) ReloadKeys(ctx context.Context) error {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	return g.reloadLocked(ctx)
}

func (g *Gate) reloadLocked(ctx context.Context) error {
	s, err := LoadSealer(ctx, g.store, g.now())
	if err != nil {
		return err
	}
	g.seal.Store(s)
	g.lastReload = g.now()
	return nil
}

// reloadForUnknownKey refreshes the keys unless that happened within the
// last second, and reports whether it did.
func (g *Gate) reloadForUnknownKey(ctx context.Context) bool {
	g.reloadMu.Lock()
	defer g.reloadMu.Unlock()
	if g.now().Sub(g.lastReload) < time.Second {
		return false
	}
	return g.reloadLocked(ctx) == nil
}

// KeepKeysFresh reloads the token keys every minute until ctx ends.
func (g *Gate) KeepKeysFresh(ctx context.Context, onErr func(error)) {
	t := time.NewTicker(sealerReloadEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := g.ReloadKeys(ctx); err != nil && onErr != nil {
				onErr(err)
			}
		}
	}
}

// Sealer returns the session-token sealer.
func (g *Gate) Sealer() *creds.Sealer { return g.sealer() }

// Now is the gate's clock.
func (g *Gate) Now() time.Time { return g.now() }

// Compile parses a stored document through the cache.
func (g *Gate) Compile(doc string, t policy.Type) (*policy.Policy, error) {
	return g.compiled.get(doc, t)
}

// Role returns a role by account and name (compared case-insensitively),
// from the cache while the store is unchanged.
func (g *Gate) Role(ctx context.Context, account, name string) (store.Role, error) {
	gen, err := g.state.sync(ctx, g.store)
	if err != nil {
		return store.Role{}, err
	}
	var space [128]byte
	kb := roleKey(space[:0], account, name)
	if r, ok := g.state.roleBytes(kb); ok {
		return r, nil
	}
	k := string(kb)
	var r store.Role
	err = g.store.View(ctx, func(tx store.Tx) error {
		var err error
		r, err = tx.GetRole(account, name)
		return err
	})
	if err == nil {
		g.state.putRole(gen, k, r)
	}
	return r, err
}

// roleKey appends the role cache's key, account/lower-cased name, to dst
// (on the caller's stack for a lookup).
func roleKey(dst []byte, account, name string) []byte {
	dst = append(append(dst, account...), '/')
	for i := 0; i < len(name); i++ {
		if name[i] >= utf8.RuneSelf {
			return append(dst, strings.ToLower(name)...)
		}
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// Bucket returns a bucket by name, from the cache while the store is unchanged.
func (g *Gate) Bucket(ctx context.Context, name string) (store.Bucket, error) {
	gen, err := g.state.sync(ctx, g.store)
	if err != nil {
		return store.Bucket{}, err
	}
	if b, ok := g.state.bucket(name); ok {
		return b, nil
	}
	var b store.Bucket
	err = g.store.View(ctx, func(tx store.Tx) error {
		var err error
		b, err = tx.GetBucket(name)
		return err
	})
	if err == nil {
		g.state.putBucket(gen, b)
	}
	return b, err
}

// Check is one thing a caller wants to do.
type Check struct {
	Action          string
	Resource        string
	ResourceAccount string          // "" means the caller's account
	Context         *policy.Context // request keys; the caller's keys are added
	ResourcePolicy  *authz.Source   // bucket or trust policy, if any
	Trust           bool
	// TargetAccount is an account the action acts in other than the
	// resource's (AssumeRoot's member account): when it is closed, the
	// request is denied as a request to its resources is.
	TargetAccount string
	// RequestID ties the decision to the request in the decision log.
	RequestID string
}

// Authorize decides chk for caller c.
func (g *Gate) Authorize(ctx context.Context, c *Caller, chk Check) (authz.Decision, error) {
	req, err := g.Request(ctx, c, chk)
	if err != nil {
		return authz.Decision{}, err
	}
	d := authz.Evaluate(req)
	g.Record(chk.RequestID, req, &d)
	return d, nil
}

// Request assembles the engine's request for chk, for callers that also
// want to explain or simulate it.
func (g *Gate) Request(ctx context.Context, c *Caller, chk Check) (*authz.Request, error) {
	reqCtx := chk.Context
	if reqCtx == nil {
		reqCtx = policy.NewContext()
	}
	c.AddContext(reqCtx)
	req := &authz.Request{
		Principal: c.Principal, Action: chk.Action, Resource: chk.Resource,
		ResourceAccount: chk.ResourceAccount, Context: reqCtx,
		ResourcePolicy: chk.ResourcePolicy, Trust: chk.Trust, AccessKeyID: c.AccessKeyID,
	}
	resourceAccount := chk.ResourceAccount
	if resourceAccount == "" {
		resourceAccount = c.Principal.Account
	}
	principalOrg, err := g.OrgMember(ctx, c.Principal.Account)
	if err != nil {
		return nil, err
	}
	resourceOrg, err := g.OrgMember(ctx, resourceAccount)
	if err != nil {
		return nil, err
	}
	addOrgContext(reqCtx, principalOrg, resourceOrg, resourceAccount)
	req.SCPs, req.RCPs = principalOrg.scps(), resourceOrg.rcps()
	if chk.TargetAccount != "" {
		if req.RCPs, err = g.withTargetClosure(ctx, chk.TargetAccount, req.RCPs); err != nil {
			return nil, err
		}
	}
	switch {
	case c.Principal.Type == policy.PrincipalRoot, c.Principal.Type == policy.PrincipalWebIdentity:
		// The root has no identity policies; a web identity has none in any account.
	case c.IsFederatedUser() && c.UserName == "":
		// Federated by the account root: the root's permissions, all of them,
		// before the session policies narrow them.
		req.Identity = []authz.Source{{Name: "account root user", Policy: allowAll}}
	default:
		b, err := g.principalPolicies(ctx, c)
		if err != nil {
			return nil, fmt.Errorf("gather policies of %s: %w", c.Principal.ARN, err)
		}
		req.Identity, req.Boundary = b.identity, b.boundary
	}
	if s := c.Session; s != nil && (s.SessionPolicy != "" || len(s.PolicyARNs) > 0 || s.Kind == creds.FederatedUser) {
		err := g.store.View(ctx, func(tx store.Tx) error { return g.gatherSession(tx, c, req) })
		if err != nil {
			return nil, fmt.Errorf("session policies of %s: %w", c.Principal.ARN, err)
		}
	}
	return req, nil
}

// withTargetClosure puts the closure of a closed target account in
// front of rcps, in a new slice: rcps is the shared organization index's.
func (g *Gate) withTargetClosure(ctx context.Context, target string, rcps []authz.Source) ([]authz.Source, error) {
	m, err := g.OrgMember(ctx, target)
	if err != nil {
		return nil, fmt.Errorf("target account %s: %w", target, err)
	}
	if !m.IsClosed() {
		return rcps, nil
	}
	return append([]authz.Source{authz.ClosedAccount(target, m.Closed)}, rcps...), nil
}

// principalKeyOf names the entity whose policies apply to c, and the
// unique id that entity must have: sessions are bound to the id their
// principal had when they were issued.
func principalKeyOf(c *Caller) (principalKey, string) {
	if c.IsRoleSession() {
		return principalKey{store.KindRole, c.Principal.Account, c.Session.RoleID}, c.Session.RoleID
	}
	if c.IsFederatedUser() {
		// A federated user has the policies of the IAM user that federated it.
		return principalKey{store.KindUser, c.Principal.Account, c.UserName}, c.Session.UserID
	}
	return principalKey{store.KindUser, c.Principal.Account, c.UserName}, c.UserID
}

// principalPolicies returns the caller's identity policies, boundary and
// tags, from the cache while the store is unchanged. A caller whose user
// or role was deleted (even if a namesake exists now) gets none.
func (g *Gate) principalPolicies(ctx context.Context, c *Caller) (*policyBundle, error) {
	b, err := g.bundleOf(ctx, c)
	if err != nil {
		return nil, err
	}
	if _, id := principalKeyOf(c); b.id != id {
		return noPolicies, nil
	}
	return b, nil
}

// bundleOf returns the policies of the entity c names, whatever its id.
func (g *Gate) bundleOf(ctx context.Context, c *Caller) (*policyBundle, error) {
	gen, err := g.state.sync(ctx, g.store)
	if err != nil {
		return nil, err
	}
	k, _ := principalKeyOf(c)
	if b, ok := g.state.bundle(k); ok {
		return b, nil
	}
	b := &policyBundle{}
	err = g.store.View(ctx, func(tx store.Tx) error {
		if k.kind == store.KindRole {
			return g.gatherRole(tx, k, b)
		}
		return g.gatherUser(tx, k, b)
	})
	if err != nil {
		return nil, err
	}
	g.state.putBundle(gen, k, b)
	return b, nil
}

func (g *Gate) gatherUser(tx store.Tx, k principalKey, b *policyBundle) error {
	u, err := tx.GetUser(k.account, k.name)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted: nothing allows
	}
	if err != nil {
		return err
	}
	b.id, b.tags = u.ID, u.Tags
	return g.gather(tx, Entity{Kind: store.KindUser, Account: u.Account, Name: u.Name, Boundary: u.PermissionsBoundary}, b)
}

func (g *Gate) gatherRole(tx store.Tx, k principalKey, b *policyBundle) error {
	r, err := tx.GetRoleByID(k.name)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted: its sessions can do nothing
	}
	if err != nil {
		return err
	}
	b.id, b.tags = r.ID, r.Tags
	return g.gather(tx, Entity{Kind: store.KindRole, Account: r.Account, Name: r.Name, Boundary: r.PermissionsBoundary}, b)
}

// gather fills b with e's identity policies and boundary.
func (g *Gate) gather(tx store.Tx, e Entity, b *policyBundle) error {
	pp, err := g.Gatherer().Gather(tx, e)
	if err != nil {
		return err
	}
	b.identity, b.boundary = pp.Sources(), pp.BoundarySource()
	return nil
}

// Gatherer returns a gatherer that compiles through the gate's cache and
// fails on a stored document that does not compile.
func (g *Gate) Gatherer() *Gatherer { return NewGatherer(g.Compile, nil) }

// gatherSession adds an STS session's inline and managed session policies.
func (g *Gate) gatherSession(tx store.Tx, c *Caller, req *authz.Request) error {
	s := c.Session
	if s.SessionPolicy != "" {
		p, err := g.Compile(s.SessionPolicy, policy.Session)
		if err != nil {
			return fmt.Errorf("session policy: %w", err)
		}
		req.Session = append(req.Session, authz.Source{Name: "session policy", Policy: p})
	}
	gatherer := g.Gatherer()
	for _, arn := range s.PolicyARNs {
		mp, err := gatherer.managedPolicy(tx, arn)
		if err != nil {
			return err
		}
		if mp != nil {
			req.Session = append(req.Session, mp.Source)
		}
	}
	if len(req.Session) == 0 && s.SessionPolicy == "" && len(s.PolicyARNs) == 0 {
		// A federated user given no policy has no permissions of its own
		// (only resource policies naming it grant): an Allow that matches
		// nothing, so the decision is an implicit deny, not an explicit one.
		req.Session = append(req.Session, authz.Source{Name: "session policy", Policy: allowsNothing})
		return nil
	}
	if len(req.Session) == 0 {
		// Every session policy is gone: nothing can pass the session filter.
		req.Session = append(req.Session, authz.Source{Name: "session policy", Policy: denyAll})
	}
	return nil
}

var allowAll = func() *policy.Policy {
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, policy.Identity)
	if err != nil {
		panic(err)
	}
	return p
}()

var allowsNothing = func() *policy.Policy {
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":"*","NotResource":"*"}}`, policy.Session)
	if err != nil {
		panic(err)
	}
	return p
}()

var denyAllRCP = func() *policy.Policy {
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}`, policy.RCP)
	if err != nil {
		panic(err)
	}
	return p
}()

var denyAll = func() *policy.Policy {
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`, policy.Session)
	if err != nil {
		panic(err)
	}
	return p
}()
