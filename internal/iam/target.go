package iam

import (
	"context"
	"errors"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/store"
)

// resourceType is the part of an IAM ARN naming the kind of entity.
type resourceType string

const (
	userResource    resourceType = "user"
	groupResource   resourceType = "group"
	roleResource    resourceType = "role"
	profileResource resourceType = "instance-profile"
)

// entityARN is the ARN of an entity of account with this path and name.
func entityARN(account string, t resourceType, path, name string) string {
	return "arn:aws:iam::" + account + ":" + string(t) + path + name
}

// authorizeOn authorizes the call on the named entity of the caller's
// account. The ARN carries the entity's path when it exists; when it does
// not, the path-less ARN is checked, so that a caller without permission
// gets AccessDenied rather than learning whether the entity exists.
func (s *Service) authorizeOn(ctx context.Context, call *awsproto.Call, t resourceType, name string, extra map[string][]string) *awsproto.Error {
	account := callerAccount(call)
	arn, e := s.currentARN(ctx, account, t, name)
	if e != nil {
		return e
	}
	return s.authorize(ctx, call, account, arn, extra)
}

// currentARN returns the entity's ARN, with "/" as its path when it does not exist.
func (s *Service) currentARN(ctx context.Context, account string, t resourceType, name string) (string, *awsproto.Error) {
	path, stored, e := s.peek(ctx, account, t, name)
	if e != nil {
		return "", e
	}
	return entityARN(account, t, path, stored), nil
}

// peek reads an entity's path and stored name before authorization; a
// missing entity reads as path "/" and the name as given.
func (s *Service) peek(ctx context.Context, account string, t resourceType, name string) (path, stored string, e *awsproto.Error) {
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		path, stored, err = entityPath(tx, account, t, name)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "/", name, nil
	case err != nil:
		return "", "", s.internal(err)
	}
	return path, stored, nil
}

// entityPath returns an existing entity's path and stored name.
func entityPath(tx store.Tx, account string, t resourceType, name string) (path, stored string, err error) {
	switch t {
	case userResource:
		u, err := tx.GetUser(account, name)
		return u.Path, u.Name, err
	case groupResource:
		g, err := tx.GetGroup(account, name)
		return g.Path, g.Name, err
	case roleResource:
		r, err := tx.GetRole(account, name)
		return r.Path, r.Name, err
	default:
		p, err := tx.GetInstanceProfile(account, name)
		return p.Path, p.Name, err
	}
}

// Lookups inside a transaction, failing with AWS's NoSuchEntity wording.

func getUser(tx store.Tx, account, name string) (store.User, error) {
	u, err := tx.GetUser(account, name)
	return u, orNotFound(err, noSuchUser(name))
}

func getGroup(tx store.Tx, account, name string) (store.Group, error) {
	g, err := tx.GetGroup(account, name)
	return g, orNotFound(err, noSuchGroup(name))
}

func getRole(tx store.Tx, account, name string) (store.Role, error) {
	r, err := tx.GetRole(account, name)
	return r, orNotFound(err, noSuchRole(name))
}

func getProfile(tx store.Tx, account, name string) (store.InstanceProfile, error) {
	p, err := tx.GetInstanceProfile(account, name)
	return p, orNotFound(err, noSuchProfile(name))
}

// entityKind maps a user, group or role resource type to the store's kind.
func entityKind(t resourceType) store.EntityKind {
	switch t {
	case groupResource:
		return store.KindGroup
	case roleResource:
		return store.KindRole
	}
	return store.KindUser
}

// getEntity checks that the user, group or role exists and returns its stored name.
func getEntity(tx store.Tx, account string, t resourceType, name string) (string, error) {
	var err error
	switch t {
	case userResource:
		var u store.User
		u, err = getUser(tx, account, name)
		name = u.Name
	case groupResource:
		var g store.Group
		g, err = getGroup(tx, account, name)
		name = g.Name
	case roleResource:
		var r store.Role
		r, err = getRole(tx, account, name)
		name = r.Name
	}
	return name, err
}

// entityRef is a user, group or role of an account.
type entityRef struct {
	kind     store.EntityKind
	name     string
	id       string
	path     string
	boundary string
}

// accountEntities lists every user, group and role of the account.
func accountEntities(tx store.Tx, account string) ([]entityRef, error) {
	var out []entityRef
	users, err := tx.ListUsers(account, "")
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		out = append(out, entityRef{store.KindUser, u.Name, u.ID, u.Path, u.PermissionsBoundary})
	}
	groups, err := tx.ListGroups(account, "")
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		out = append(out, entityRef{store.KindGroup, g.Name, g.ID, g.Path, ""})
	}
	roles, err := tx.ListRoles(account, "")
	if err != nil {
		return nil, err
	}
	for _, r := range roles {
		out = append(out, entityRef{store.KindRole, r.Name, r.ID, r.Path, r.PermissionsBoundary})
	}
	return out, nil
}
