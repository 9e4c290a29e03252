// Package simulate builds an authorization request from policy documents
// and a few plain facts (principal ARN, action, resource, context pairs), so
// that the command line simulator and the golden corpus decide requests
// through exactly the engine the server uses.
package simulate

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// Doc is a named policy document.
type Doc struct {
	Name string
	Text string
}

// Input is a simulation request in plain terms.
type Input struct {
	Principal       string // user, role, assumed-role session or root ARN; "*" or "" for anonymous
	Action          string
	Resource        string
	ResourceAccount string // defaults to the resource ARN's account, else the principal's
	Context         []KeyValue
	Now             time.Time

	Identity       []Doc
	ResourcePolicy *Doc
	Trust          bool // ResourcePolicy is a trust policy and Action an sts:AssumeRole*
	Boundary       *Doc
	Session        []Doc
	SCPs           []Doc
	RCPs           []Doc
}

// KeyValue is one context value; repeating a key makes it multi-valued.
type KeyValue struct {
	Key, Value string
}

// ParseKeyValue parses KEY=VALUE.
func ParseKeyValue(s string) (KeyValue, error) {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return KeyValue{}, fmt.Errorf("context %q must be KEY=VALUE", s)
	}
	return KeyValue{Key: k, Value: v}, nil
}

// Build validates every policy and assembles the engine's request.
func Build(in Input) (*authz.Request, error) {
	principal, err := parsePrincipal(in.Principal)
	if err != nil {
		return nil, err
	}
	if in.Action == "" || !strings.Contains(in.Action, ":") {
		return nil, fmt.Errorf("action %q must be service:Name", in.Action)
	}
	if in.Resource == "" {
		return nil, fmt.Errorf("a resource is required (an ARN or *)")
	}
	trust := in.Trust || isTrustEvaluation(in.Action, in.Resource)
	in.Trust = trust
	req := &authz.Request{
		Principal:       principal,
		Action:          in.Action,
		Resource:        in.Resource,
		ResourceAccount: resourceAccount(in, principal),
		Trust:           in.Trust,
		Context:         buildContext(in, principal),
	}
	return req, attachPolicies(req, in)
}

func parsePrincipal(s string) (policy.Principal, error) {
	if s == "" || s == "*" || s == "anonymous" {
		return policy.Principal{Type: policy.PrincipalAnonymous}, nil
	}
	if strings.HasSuffix(s, ".amazonaws.com") {
		return policy.Principal{Type: policy.PrincipalService, Service: s}, nil
	}
	if strings.HasPrefix(s, "arn:") && strings.Contains(s, ":oidc-provider/") {
		// A web identity: the caller of AssumeRoleWithWebIdentity is the
		// provider that issued its token, as a Federated principal names it.
		return policy.Principal{Type: policy.PrincipalWebIdentity, ARN: s}, nil
	}
	if a, err := arn.Parse(s); err == nil && a.Service == "iam" && strings.HasPrefix(a.Resource, "saml-provider/") {
		// A SAML-federated caller is its provider, as in AssumeRoleWithSAML.
		return policy.Principal{Type: policy.PrincipalWebIdentity, Account: a.Account, ARN: s}, nil
	}
	p, err := policy.ParsePrincipalARN(s)
	if err != nil {
		return p, fmt.Errorf("principal: %w", err)
	}
	return p, nil
}

func resourceAccount(in Input, p policy.Principal) string {
	if in.ResourceAccount != "" {
		return in.ResourceAccount
	}
	if a, err := arn.Parse(in.Resource); err == nil && a.Account != "" {
		return a.Account
	}
	return p.Account
}

// buildContext fills the keys AWS always sets for a signed request from
// this principal, then the caller's pairs (which replace defaults).
func buildContext(in Input, p policy.Principal) *policy.Context {
	ctx := policy.NewContext()
	now := in.Now
	if now.IsZero() {
		now = time.Now()
	}
	ctx.Set("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	ctx.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	ctx.Set("aws:SecureTransport", "true")
	PrincipalKeys(ctx, &p)
	given := map[string]bool{}
	for _, kv := range in.Context {
		k := strings.ToLower(kv.Key)
		if !given[k] {
			ctx.Delete(k)
			given[k] = true
		}
		ctx.Add(kv.Key, kv.Value)
	}
	return ctx
}

// PrincipalKeys sets aws:PrincipalArn, aws:PrincipalAccount,
// aws:PrincipalType and aws:username as AWS does for p.
func PrincipalKeys(ctx *policy.Context, p *policy.Principal) {
	if p.Type == policy.PrincipalAnonymous || p.Type == policy.PrincipalService {
		return
	}
	ctx.Set("aws:PrincipalAccount", p.Account)
	ctx.Set("aws:PrincipalType", p.Type.String())
	switch p.Type {
	case policy.PrincipalAssumedRole:
		ctx.Set("aws:PrincipalArn", p.RoleARN)
	default:
		ctx.Set("aws:PrincipalArn", p.ARN)
	}
	switch p.Type {
	case policy.PrincipalUser:
		ctx.Set("aws:username", p.ARN[strings.LastIndexByte(p.ARN, '/')+1:])
	case policy.PrincipalRoot:
		ctx.Set("aws:userid", p.Account)
	}
}

func attachPolicies(req *authz.Request, in Input) error {
	var err error
	if req.Identity, err = sources(in.Identity, policy.Identity, "identity"); err != nil {
		return err
	}
	if req.Session, err = sources(in.Session, policy.Session, "session"); err != nil {
		return err
	}
	if in.SCPs != nil {
		if req.SCPs, err = sources(in.SCPs, policy.SCP, "scp"); err != nil {
			return err
		}
	}
	if in.RCPs != nil {
		if req.RCPs, err = sources(in.RCPs, policy.RCP, "rcp"); err != nil {
			return err
		}
	}
	if req.Boundary, err = source(in.Boundary, policy.Identity, "boundary"); err != nil {
		return err
	}
	resourceType := policy.Resource
	if in.Trust {
		resourceType = policy.Trust
	}
	req.ResourcePolicy, err = source(in.ResourcePolicy, resourceType, "resource-policy")
	return err
}

func sources(docs []Doc, t policy.Type, what string) ([]authz.Source, error) {
	out := make([]authz.Source, 0, len(docs))
	for i := range docs {
		s, err := source(&docs[i], t, what)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, nil
}

func source(d *Doc, t policy.Type, what string) (*authz.Source, error) {
	if d == nil {
		return nil, nil
	}
	p, err := policy.Parse(d.Text, t)
	if err != nil {
		return nil, fmt.Errorf("%s policy %s: %w", what, d.Name, err)
	}
	return &authz.Source{Name: d.Name, Policy: p}, nil
}

// isTrustEvaluation reports whether a resource policy for this action and
// resource is a role's trust policy: an STS action on a role ARN.
func isTrustEvaluation(action, resource string) bool {
	return strings.HasPrefix(strings.ToLower(action), "sts:") && strings.Contains(resource, ":role/")
}
