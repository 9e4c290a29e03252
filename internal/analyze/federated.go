package analyze

import (
	"strings"

	"github.com/sekisho/sekisho/internal/policy"
)

// KindFederated is the identities of an external identity provider (OIDC
// or SAML) that a role's trust policy names as Federated.
const KindFederated Kind = "federated"

// federatedGrant is a trust policy statement that lets identities of an
// identity provider assume the role.
type federatedGrant struct {
	provider    string // the Federated principal as written
	action      string // sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML
	scope       string // which of the provider's identities, in words
	conditional bool
}

// federatedGrants lists the Allow statements of r's trust policy that
// name a Federated principal for a federation action.
func federatedGrants(r *node) []federatedGrant {
	var out []federatedGrant
	for i := range r.trust.Policy.Statements {
		st := &r.trust.Policy.Statements[i]
		names, ok := st.PrincipalNames()
		if st.Effect != policy.Allow || !ok || names.Not {
			continue
		}
		for _, provider := range names.Federated {
			action := federationAction(provider)
			if !st.MatchesAction(action) {
				continue
			}
			out = append(out, federatedGrant{provider: provider, action: action,
				scope: FederatedScope(provider, st.Conditions()), conditional: st.HasConditions()})
		}
	}
	return out
}

func federationAction(provider string) string {
	if strings.Contains(provider, ":saml-provider/") {
		return "sts:AssumeRoleWithSAML"
	}
	return "sts:AssumeRoleWithWebIdentity"
}

// providerHost is the condition-key prefix of an OIDC provider: the host
// and path of arn:…:oidc-provider/HOST/PATH, or the name itself for the
// providers AWS builds in (accounts.google.com, ...).
func providerHost(provider string) string {
	if _, hostPath, ok := strings.Cut(provider, ":oidc-provider/"); ok {
		return hostPath
	}
	return provider
}

// FederatedScope says in words which identities of provider the
// conditions admit, judged from the provider's sub and aud keys: "any
// GitHub repository" when the subject is unconstrained or a wildcard
// spans repository owners.
func FederatedScope(provider string, conds []policy.ConditionView) string {
	if strings.Contains(provider, ":saml-provider/") {
		return "users of SAML provider " + provider[strings.LastIndexByte(provider, '/')+1:]
	}
	host := providerHost(provider)
	everyone := "any identity of " + host
	if host == "token.actions.githubusercontent.com" {
		everyone = "any GitHub repository"
	}
	var subs []string
	wildcard, audChecked := false, false
	for _, c := range conds {
		key := strings.ToLower(c.Key)
		op := strings.ToLower(c.Operator)
		if key == strings.ToLower(host+":aud") && !strings.Contains(op, "not") {
			audChecked = true
		}
		if key != strings.ToLower(host+":sub") || strings.Contains(op, "not") || !strings.HasPrefix(op, "string") && !strings.Contains(op, ":string") {
			continue
		}
		subs = append(subs, c.Values...)
		if strings.Contains(op, "like") {
			for _, v := range c.Values {
				if strings.ContainsAny(v, "*?") {
					wildcard = wildcard || spansOwners(host, v)
				}
			}
		}
	}
	var scope string
	switch {
	case len(subs) == 0:
		scope = everyone + " (no " + host + ":sub condition)"
	case wildcard:
		scope = everyone + " (sub " + strings.Join(subs, ", ") + ")"
	default:
		scope = "only sub " + strings.Join(subs, ", ")
	}
	if !audChecked {
		scope += "; no " + host + ":aud condition"
	}
	return scope
}

// spansOwners reports whether a sub pattern admits subjects of more than
// one owner: for GitHub, a wildcard before the repository owner's slash
// (repo:*, repo:org*/...); for other providers, any wildcard.
func spansOwners(host, pattern string) bool {
	if host != "token.actions.githubusercontent.com" {
		return true
	}
	rest, ok := strings.CutPrefix(pattern, "repo:")
	if !ok {
		return true
	}
	owner, _, found := strings.Cut(rest, "/")
	return !found || strings.ContainsAny(owner, "*?")
}

// federatedPaths adds, for every role the action is reachable from, the
// identity providers its trust policy lets in: "any GitHub repository
// can assume role X" is then one of the answers.
func (s *Snapshot) federatedPaths(t *target, reach []*hop, byRole map[int]Path) []Path {
	var out []Path
	for _, r := range s.nodes {
		h := reach[r.index]
		if r.Kind != KindRole || h == nil && !(t.trust && r.ARN == t.resource) {
			continue
		}
		if h != nil && h.dist >= MaxChain {
			continue
		}
		rest, isReached := byRole[r.index]
		for _, g := range federatedGrants(r) {
			if t.trust && r.ARN == t.resource {
				if !strings.EqualFold(t.action, g.action) {
					continue
				}
				out = append(out, Path{Principal: Principal{Kind: KindFederated, ARN: g.provider, Name: g.scope},
					Steps: []Step{{Action: g.action, Resource: r.ARN, Conditional: g.conditional}}, Conditional: g.conditional})
				continue
			}
			if !isReached {
				continue
			}
			p := Path{Principal: Principal{Kind: KindFederated, ARN: g.provider, Name: g.scope},
				Steps:       append([]Step{{Action: g.action, Resource: r.ARN, Conditional: g.conditional}}, rest.Steps...),
				Conditional: g.conditional || rest.Conditional}
			out = append(out, p)
		}
	}
	return out
}

// federatedScopes describes, for a report finding, whom each Federated
// principal of the statement admits.
func federatedScopes(names policy.PrincipalNames, st *policy.Statement) []string {
	var out []string
	for _, provider := range names.Federated {
		out = append(out, provider+": "+FederatedScope(provider, st.Conditions()))
	}
	return out
}
