package iam

import (
	"context"
	"encoding/xml"
	"errors"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/principalid"
	"github.com/sekisho/sekisho/internal/store"
)

func (s *Service) userOperations() map[string]operation {
	return map[string]operation{
		"CreateUser":                    s.createUser,
		"GetUser":                       s.getUser,
		"ListUsers":                     s.listUsers,
		"UpdateUser":                    s.updateUser,
		"DeleteUser":                    s.deleteUser,
		"TagUser":                       s.tagUser,
		"UntagUser":                     s.untagUser,
		"ListUserTags":                  s.listUserTags,
		"PutUserPermissionsBoundary":    s.putUserPermissionsBoundary,
		"DeleteUserPermissionsBoundary": s.deleteUserPermissionsBoundary,
		"CreateLoginProfile":            s.createLoginProfile,
		"GetLoginProfile":               s.getLoginProfile,
		"UpdateLoginProfile":            s.updateLoginProfile,
		"DeleteLoginProfile":            s.deleteLoginProfile,
	}
}

type createUserResult struct {
	XMLName xml.Name `xml:"CreateUserResult"`
	User    userXML  `xml:"User"`
}

func (s *Service) createUser(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxUserName)
	path := in.path("Path")
	boundary := in.arn("PermissionsBoundary", false)
	tags := in.tags(false)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := checkTagKeys(tags); e != nil {
		return nil, e
	}
	if e := checkBoundaryARN(boundary); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	u := store.User{Account: account, Name: name, Path: path, ID: creds.NewUniqueID(creds.PrefixUser),
		PermissionsBoundary: boundary, Tags: tags, CreatedAt: s.gate.Now()}
	if e := s.authorize(ctx, call, account, access.UserARN(u), tagContext(tags, boundaryContext(boundary))); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := checkBoundary(tx, account, boundary); err != nil {
			return err
		}
		return orExists(tx.CreateUser(u), entityExists("User with name %s already exists.", name))
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return createUserResult{User: toUserXML(u, full)}, nil
}

type getUserResult struct {
	XMLName xml.Name `xml:"GetUserResult"`
	User    any      `xml:"User"`
}

// rootUserXML is what GetUser shows the account root about itself.
type rootUserXML struct {
	UserID     string `xml:"UserId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

// getUser returns the named user, or the calling user (or root) when
// UserName is absent.
func (s *Service) getUser(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.optionalName("UserName", maxLookupName)
	if e := in.err(); e != nil {
		return nil, e
	}
	if name == "" {
		switch call.Caller.Principal.Type {
		case policy.PrincipalRoot:
			return s.getRootUser(ctx, call)
		case policy.PrincipalUser:
			name = call.Caller.UserName
		default:
			return nil, awsproto.ValidationError("Must specify userName when calling with non-User credentials")
		}
	}
	if e := s.authorizeOn(ctx, call, userResource, name, nil); e != nil {
		return nil, e
	}
	u, err := store.Read(ctx, s.store, func(tx store.Tx) (store.User, error) { return getUser(tx, callerAccount(call), name) })
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return getUserResult{User: toUserXML(u, full)}, nil
}

func (s *Service) getRootUser(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	account := callerAccount(call)
	var a store.Account
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		a, err = tx.GetAccount(account)
		if errors.Is(err, store.ErrNotFound) {
			a, err = store.Account{ID: account}, nil
		}
		return err
	})
	if err != nil {
		return nil, s.internal(err)
	}
	return getUserResult{User: rootUserXML{UserID: account, Arn: access.RootARN(account), CreateDate: timestamp(a.CreatedAt)}}, nil
}

type listUsersResult struct {
	XMLName xml.Name         `xml:"ListUsersResult"`
	Users   members[userXML] `xml:"Users"`
	pageXML
}

func (s *Service) listUsers(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	users, p, e := listByPath(s, ctx, call, func(account, prefix string) string { return entityARN(account, userResource, prefix, "") },
		store.Tx.ListUsers, func(u store.User) string { return u.Name })
	if e != nil {
		return nil, e
	}
	return listUsersResult{Users: memberList(toUsersXML(users, summary)), pageXML: p}, nil
}

// updateUser renames or moves a user. Like AWS, it needs permission on
// both the current and the new ARN.
func (s *Service) updateUser(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxLookupName)
	newName := in.optionalName("NewUserName", maxUserName)
	newPath := in.text("NewPath", false, 1, maxPath, &pathPattern)
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	path, stored, e := s.peek(ctx, account, userResource, name)
	if e != nil {
		return nil, e
	}
	if e := s.authorize(ctx, call, account, entityARN(account, userResource, path, stored), nil); e != nil {
		return nil, e
	}
	if newName != "" || newPath != "" {
		target := entityARN(account, userResource, or(newPath, path), or(newName, stored))
		if e := s.authorize(ctx, call, account, target, nil); e != nil {
			return nil, e
		}
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		u, err := getUser(tx, account, name)
		if err != nil {
			return err
		}
		taken := entityExists("User with name %s already exists.", newName)
		if newName != "" {
			if other, err := tx.GetUser(account, newName); err == nil && other.ID != u.ID {
				return taken
			}
		}
		oldARN := access.UserARN(u)
		u.Name, u.Path = or(newName, u.Name), or(newPath, u.Path)
		if err := orExists(tx.UpdateUser(u), taken); err != nil {
			return err
		}
		// AWS binds stored principals to the user's id, so they follow the
		// rename; the old name is free for a different user.
		if newARN := access.UserARN(u); newARN != oldARN {
			return principalid.Retarget(tx, oldARN, newARN)
		}
		return nil
	})
	return nil, s.txError(err)
}

// or returns v, or def when v is empty.
func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// deleteUser refuses, as AWS does, while anything still hangs off the user.
func (s *Service) deleteUser(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxLookupName)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, userResource, name, nil); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		u, err := getUser(tx, account, name)
		if err != nil {
			return err
		}
		if err := checkUserDependents(tx, u); err != nil {
			return err
		}
		if err := orConflict(tx.DeleteUser(account, u.Name)); err != nil {
			return err
		}
		// Policies naming the user now name its unique id, as in AWS, so
		// a later user of the same name is not trusted by them.
		return principalid.Forget(tx, access.UserARN(u), u.ID)
	})
	return nil, s.txError(err)
}

// checkUserDependents fails with AWS's DeleteConflict for the first thing
// still attached to the user.
func checkUserDependents(tx store.Tx, u store.User) error {
	keys, err := tx.ListAccessKeys(u.Account, u.Name)
	if err != nil {
		return err
	}
	if len(keys) > 0 {
		return deleteConflict("Cannot delete entity, must delete access keys first.")
	}
	if _, err := tx.GetLoginProfile(u.Account, u.Name); err == nil {
		return deleteConflict("Cannot delete entity, must delete login profile first.")
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := checkPolicyDependents(tx, u.Account, store.KindUser, u.Name); err != nil {
		return err
	}
	groups, err := tx.ListGroupsForUser(u.Account, u.Name)
	if err != nil {
		return err
	}
	if len(groups) > 0 {
		return deleteConflict("Cannot delete entity, must remove users from group first.")
	}
	devices, err := tx.ListUserMFADevices(u.Account, u.Name)
	if err != nil {
		return err
	}
	if len(devices) > 0 {
		return deleteConflict("Cannot delete entity, must delete MFA device first.")
	}
	return nil
}

// checkPolicyDependents fails while a user, group or role still has
// managed policies attached or inline policies.
func checkPolicyDependents(tx store.Tx, account string, kind store.EntityKind, name string) error {
	attached, err := tx.ListAttachedPolicies(account, kind, name)
	if err != nil {
		return err
	}
	if len(attached) > 0 {
		return deleteConflict("Cannot delete entity, must detach all policies first.")
	}
	inline, err := tx.ListInlinePolicies(account, kind, name)
	if err != nil {
		return err
	}
	if len(inline) > 0 {
		return deleteConflict("Cannot delete entity, must delete policies first.")
	}
	return nil
}

// orConflict maps a dependent the checks above do not know about.
func orConflict(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return deleteConflict("Cannot delete entity, must remove all dependent entities first.")
	}
	return err
}

func (s *Service) tagUser(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxLookupName)
	edit, e := readTagEdit(in, "User")
	if e != nil {
		return nil, e
	}
	return nil, s.updateUserTags(ctx, call, name, edit)
}

func (s *Service) untagUser(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxLookupName)
	edit, e := readUntagEdit(in)
	if e != nil {
		return nil, e
	}
	return nil, s.updateUserTags(ctx, call, name, edit)
}

// updateUserTags authorizes a tag change on a user of the caller's
// account and applies it.
func (s *Service) updateUserTags(ctx context.Context, call *awsproto.Call, name string, edit tagEdit) *awsproto.Error {
	if e := s.authorizeOn(ctx, call, userResource, name, edit.keys); e != nil {
		return e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		u, err := getUser(tx, callerAccount(call), name)
		if err != nil {
			return err
		}
		tags, e := edit.change(u.Tags)
		if e != nil {
			return e
		}
		u.Tags = tags
		return tx.UpdateUser(u)
	})
	return s.txError(err)
}

func (s *Service) listUserTags(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxLookupName)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, userResource, name, nil); e != nil {
		return nil, e
	}
	u, err := store.Read(ctx, s.store, func(tx store.Tx) (store.User, error) { return getUser(tx, callerAccount(call), name) })
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return tagsPage(call, u.Tags, req)
}

func (s *Service) putUserPermissionsBoundary(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxUserName)
	boundary := in.arn("PermissionsBoundary", true)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := checkBoundaryARN(boundary); e != nil {
		return nil, e
	}
	return nil, s.setUserBoundary(ctx, call, name, boundary)
}

func (s *Service) deleteUserPermissionsBoundary(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxUserName)
	if e := in.err(); e != nil {
		return nil, e
	}
	return nil, s.setUserBoundary(ctx, call, name, "")
}

// setUserBoundary puts (or, with "", removes) a user's permissions boundary.
func (s *Service) setUserBoundary(ctx context.Context, call *awsproto.Call, name, boundary string) *awsproto.Error {
	if e := s.authorizeOn(ctx, call, userResource, name, boundaryContext(boundary)); e != nil {
		return e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		u, err := getUser(tx, account, name)
		if err != nil {
			return err
		}
		if err := checkBoundary(tx, account, boundary); err != nil {
			return err
		}
		u.PermissionsBoundary = boundary
		return tx.UpdateUser(u)
	})
	return s.txError(err)
}
