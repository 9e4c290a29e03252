// Package access decides whether a caller may act: it turns presented
// credentials into a caller, gathers from the store every policy that
// applies to that caller (identity, group, boundary, session), compiles
// each document once, and asks the engine with the request's context.
package access

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/caller"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// Credential errors; the server maps them to each protocol's error code.
var (
	ErrUnknownKey   = errors.New("unknown access key")
	ErrInactiveKey  = errors.New("inactive access key")
	ErrMissingToken = errors.New("temporary credentials need a session token")
	ErrInvalidToken = errors.New("invalid session token")
	ErrExpiredToken = errors.New("expired session token")
	// ErrClosedAccount refuses the credentials of a closed account's
	// principals. It is an ErrInactiveKey, so that every protocol answers
	// it as it answers a deactivated key.
	ErrClosedAccount = fmt.Errorf("%w: the account is closed", ErrInactiveKey)
)

// Caller is an authenticated principal (the leaf type the wire protocols
// carry; see package caller).
type Caller = caller.Caller

// Resolve authenticates an access key id (and session token) and returns
// the caller and the secret to verify the signature with.
func (g *Gate) Resolve(ctx context.Context, accessKeyID, token string) (*Caller, string, error) {
	temporary, ok := creds.IsAccessKeyID(accessKeyID)
	if !ok {
		return nil, "", ErrUnknownKey
	}
	if temporary {
		return g.resolveSession(ctx, accessKeyID, token)
	}
	gen, err := g.state.sync(ctx, g.store)
	if err != nil {
		return nil, "", fmt.Errorf("resolve access key: %w", err)
	}
	rk, ok := g.state.key(accessKeyID)
	if !ok {
		if rk, err = g.loadKey(ctx, accessKeyID); err != nil {
			return nil, "", err
		}
		g.state.putKey(gen, accessKeyID, rk)
	}
	if !rk.key.Active {
		return nil, "", ErrInactiveKey
	}
	member, err := g.memberAt(ctx, gen, rk.caller.Principal.Account)
	if err != nil {
		return nil, "", fmt.Errorf("resolve access key: %w", err)
	}
	if member.IsClosed() {
		return nil, "", ErrClosedAccount
	}
	caller := rk.caller
	return &caller, rk.key.Secret, nil
}

// checkAccountOpen refuses a session of a closed account's principal as
// its keys are refused: the token itself stays well-formed and unexpired,
// so it is the account that must be looked at.
func (g *Gate) checkAccountOpen(ctx context.Context, account string) error {
	member, err := g.OrgMember(ctx, account)
	if err != nil {
		return fmt.Errorf("resolve session: %w", err)
	}
	if member.IsClosed() {
		return ErrClosedAccount
	}
	return nil
}

// loadKey reads a long-term access key and its caller from the store
// (a function of its own, so that the cached path's resolvedKey, which
// the store's callback would capture, stays on the stack).
func (g *Gate) loadKey(ctx context.Context, accessKeyID string) (resolvedKey, error) {
	var rk resolvedKey
	err := g.store.View(ctx, func(tx store.Tx) error {
		key, err := tx.GetAccessKey(accessKeyID)
		if err != nil {
			return err
		}
		caller, err := longTermCaller(tx, key)
		if err == nil {
			rk = resolvedKey{key: key, caller: *caller}
		}
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return resolvedKey{}, ErrUnknownKey
	case err != nil:
		return resolvedKey{}, fmt.Errorf("resolve access key: %w", err)
	}
	return rk, nil
}

func longTermCaller(tx store.Tx, key store.AccessKey) (*Caller, error) {
	c := &Caller{AccessKeyID: key.ID}
	if key.UserName == "" {
		c.Principal = policy.Principal{Type: policy.PrincipalRoot, Account: key.Account, ARN: RootARN(key.Account)}
		c.UserID = key.Account
		return c, nil
	}
	u, err := tx.GetUser(key.Account, key.UserName)
	if err != nil {
		return nil, err
	}
	c.Principal = policy.Principal{Type: policy.PrincipalUser, Account: u.Account, ARN: UserARN(u)}
	c.UserID, c.UserName, c.Tags = u.ID, u.Name, u.Tags
	return c, nil
}

func (g *Gate) resolveSession(ctx context.Context, accessKeyID, token string) (*Caller, string, error) {
	if token == "" {
		return nil, "", ErrMissingToken
	}
	s, err := g.sealer().Open(token, accessKeyID, g.now())
	if errors.Is(err, creds.ErrInvalidToken) && g.reloadForUnknownKey(ctx) {
		s, err = g.sealer().Open(token, accessKeyID, g.now()) // sealed by a replica with a newer key
	}
	switch {
	case errors.Is(err, creds.ErrExpiredToken):
		return nil, "", ErrExpiredToken
	case err != nil:
		return nil, "", ErrInvalidToken
	}
	c := &Caller{AccessKeyID: accessKeyID, Session: s}
	switch s.Kind {
	case creds.AssumedRole:
		c.Principal = policy.Principal{Type: policy.PrincipalAssumedRole, Account: s.Account,
			ARN: SessionARN(s.Account, roleName(s.RoleARN), s.SessionName), RoleARN: s.RoleARN}
		c.UserID = s.RoleID + ":" + s.SessionName
		err = g.bindSession(ctx, c, s.RoleID)
		c.Tags = overlayTags(c.Tags, s.Tags)
	case creds.UserSession:
		c.Principal = policy.Principal{Type: policy.PrincipalUser, Account: s.Account, ARN: s.UserARN}
		c.UserID, c.UserName = s.UserID, roleName(s.UserARN)
		err = g.bindSession(ctx, c, s.UserID)
	case creds.RootSession, creds.RootTask:
		c.Principal = policy.Principal{Type: policy.PrincipalRoot, Account: s.Account, ARN: RootARN(s.Account)}
		c.UserID = s.Account
	case creds.FederatedUser:
		err = g.resolveFederated(ctx, c, s)
	default:
		return nil, "", ErrInvalidToken
	}
	if err == nil {
		err = g.checkAccountOpen(ctx, s.Account)
	}
	if err != nil {
		return nil, "", err
	}
	return c, s.SecretAccessKey, nil
}

// resolveFederated makes a GetFederationToken session's caller: the
// federated user (aws:userid ACCOUNT:NAME), with the permissions of the
// IAM user that federated it (UserName names that user for the gate) and
// its tags overlaid by the session's.
func (g *Gate) resolveFederated(ctx context.Context, c *Caller, s *creds.Session) error {
	c.Principal = policy.Principal{Type: policy.PrincipalFederatedUser, Account: s.Account,
		ARN: FederatedUserARN(s.Account, s.SessionName)}
	c.UserID = s.Account + ":" + s.SessionName
	if s.UserID == s.Account { // federated by the account root: no IAM user's policies
		c.Tags = overlayTags(nil, s.Tags)
		return nil
	}
	c.UserName = roleName(s.UserARN)
	err := g.bindSession(ctx, c, s.UserID)
	c.Tags = overlayTags(c.Tags, s.Tags)
	return err
}

// bindSession checks that the session's user or role is still the one
// that was issued it (id), and takes that principal's tags. As in AWS,
// the token stays valid after its principal is deleted, but the session
// is bound to the principal's unique id: it gets no permissions from a
// namesake created later, and no Principal element naming that ARN
// names it (policy.Principal.Gone), so its requests are denied.
func (g *Gate) bindSession(ctx context.Context, c *Caller, id string) error {
	b, err := g.bundleOf(ctx, c)
	if err != nil {
		return err
	}
	if b.id != id {
		c.Principal.Gone = true
		return nil
	}
	c.Tags = b.tags
	return nil
}

// overlayTags returns base with session tags winning; keys compare case-insensitively.
func overlayTags(base []store.Tag, session []creds.Tag) []store.Tag {
	out := make([]store.Tag, 0, len(base)+len(session))
	for _, t := range base {
		overridden := false
		for _, s := range session {
			if strings.EqualFold(s.Key, t.Key) {
				overridden = true
				break
			}
		}
		if !overridden {
			out = append(out, t)
		}
	}
	for _, s := range session {
		out = append(out, store.Tag{Key: s.Key, Value: s.Value})
	}
	return out
}

// RootARN is the account root's ARN.
func RootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// UserARN is a user's ARN.
func UserARN(u store.User) string { return "arn:aws:iam::" + u.Account + ":user" + u.Path + u.Name }

// RoleARN is a role's ARN.
func RoleARN(r store.Role) string { return "arn:aws:iam::" + r.Account + ":role" + r.Path + r.Name }

// GroupARN is a group's ARN.
func GroupARN(g store.Group) string { return "arn:aws:iam::" + g.Account + ":group" + g.Path + g.Name }

// PolicyARN is a managed policy's ARN.
func PolicyARN(p store.ManagedPolicy) string {
	return "arn:aws:iam::" + p.Account + ":policy" + p.Path + p.Name
}

// SessionARN is an assumed-role session's ARN (the role's path is not part of it).
func SessionARN(account, role, session string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + session
}

// FederatedUserARN is a GetFederationToken session's ARN.
func FederatedUserARN(account, name string) string {
	return "arn:aws:sts::" + account + ":federated-user/" + name
}

// roleName is the last path segment of an ARN's resource.
func roleName(arn string) string { return arn[strings.LastIndexByte(arn, '/')+1:] }
