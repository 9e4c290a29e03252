package analyze

import (
	"errors"
	"fmt"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// compiler compiles each distinct document once per snapshot and loads
// each managed policy once. A stored document that does not compile is
// left out (it can grant nothing, as the server cannot use it either) and
// noted in warnings.
type compiler struct {
	docs     map[compileKey]*policy.Policy
	managed  map[string]*authz.Source // by ARN; nil when the policy is gone or broken
	warnings []string
}

type compileKey struct {
	t   policy.Type
	doc string
}

func newCompiler() *compiler {
	return &compiler{docs: map[compileKey]*policy.Policy{}, managed: map[string]*authz.Source{}}
}

// compile parses a stored document. Stored documents were validated when
// written; the size limits are lifted, as the server does, so a document
// written under a larger limit still loads.
func (c *compiler) compile(doc string, t policy.Type) (*policy.Policy, error) {
	k := compileKey{t, doc}
	if p, ok := c.docs[k]; ok {
		return p, nil
	}
	p, err := policy.ParseWithOptions(doc, t, policy.Options{MaxSize: 1 << 20})
	if err != nil {
		return nil, err
	}
	c.docs[k] = p
	return p, nil
}

// managedSource returns a managed policy's default version; nil when arn
// is empty or the policy no longer exists.
func (c *compiler) managedSource(tx store.Tx, arn string) (*authz.Source, error) {
	if arn == "" {
		return nil, nil
	}
	if src, ok := c.managed[arn]; ok {
		return src, nil
	}
	src, err := c.loadManaged(tx, arn)
	if err != nil {
		return nil, err
	}
	c.managed[arn] = src
	return src, nil
}

func (c *compiler) loadManaged(tx store.Tx, arn string) (*authz.Source, error) {
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
	p, err := c.compile(v.Document, policy.Identity)
	if err != nil {
		c.warn("managed policy %s does not compile and is left out: %v", arn, err)
		return nil, nil
	}
	return &authz.Source{Name: mp.Name, ARN: arn, VersionID: v.VersionID, Policy: p}, nil
}

// entityPolicies appends the inline and attached policies of a user, group or role.
func (c *compiler) entityPolicies(tx store.Tx, account string, kind store.EntityKind, name string, out []authz.Source) ([]authz.Source, error) {
	inline, err := tx.ListInlinePolicies(account, kind, name)
	if err != nil {
		return out, err
	}
	for _, ip := range inline {
		p, err := c.compile(ip.Document, policy.Identity)
		if err != nil {
			c.warn("inline policy %s of %s %s in %s does not compile and is left out: %v", ip.Name, kind, name, account, err)
			continue
		}
		out = append(out, authz.Source{Name: ip.Name, Policy: p})
	}
	attached, err := tx.ListAttachedPolicies(account, kind, name)
	if err != nil {
		return out, err
	}
	for _, a := range attached {
		src, err := c.managedSource(tx, a.PolicyARN)
		if err != nil {
			return out, err
		}
		if src != nil {
			out = append(out, *src)
		}
	}
	return out, nil
}

func (c *compiler) warn(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}
