// Package caller is the authenticated principal of a request: a small
// leaf type (policy, creds and store types only) that the wire protocols
// carry to the services without importing the gate that resolves it.
package caller

import (
	"time"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// Caller is an authenticated principal.
type Caller struct {
	Principal   policy.Principal
	AccessKeyID string
	// UserID is aws:userid: AIDA… for users, AROA…:session for role
	// sessions, the account id for root.
	UserID   string
	UserName string // IAM users (and their GetSessionToken sessions); for a federated user, the IAM user that federated it
	// Session is set for temporary credentials.
	Session *creds.Session
	// Tags are the principal's tags: user tags, or role tags overlaid by session tags.
	Tags []store.Tag
}

// IsFederatedUser reports whether the caller is a GetFederationToken session.
func (c *Caller) IsFederatedUser() bool { return c.Principal.Type == policy.PrincipalFederatedUser }

// Temporary reports whether the caller uses STS credentials.
func (c *Caller) Temporary() bool { return c.Session != nil }

// IsRoleSession reports whether the caller is an assumed-role session.
func (c *Caller) IsRoleSession() bool { return c.Principal.Type == policy.PrincipalAssumedRole }

// AddContext sets the principal's condition keys in ctx.
func (c *Caller) AddContext(ctx *policy.Context) {
	// The keys are given lower-cased (as Context stores them, so Set
	// need not lower them) and the single values share one backing
	// array: one allocation rather than one per key.
	values := make([]string, 0, 5)
	set := func(key, value string) {
		values = append(values, value)
		ctx.Set(key, values[len(values)-1:len(values):len(values)]...)
	}
	p := &c.Principal
	set("aws:principalaccount", p.Account)
	set("aws:principaltype", p.Type.String())
	set("aws:userid", c.UserID)
	if p.Type == policy.PrincipalAssumedRole {
		set("aws:principalarn", p.RoleARN)
	} else {
		set("aws:principalarn", p.ARN)
	}
	if c.UserName != "" && p.Type == policy.PrincipalUser {
		set("aws:username", c.UserName)
	}
	for _, t := range c.Tags {
		ctx.Set("aws:PrincipalTag/"+t.Key, t.Value)
	}
	if s := c.Session; s != nil {
		addMFAContext(ctx, s)
		ctx.Set("aws:tokenissuetime", s.IssuedAt.UTC().Format(time.RFC3339))
		if s.SourceIdentity != "" {
			ctx.Set("aws:sourceidentity", s.SourceIdentity)
		}
	}
}
