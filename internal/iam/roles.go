package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/principalid"
	"github.com/sekisho/sekisho/internal/store"
)

// Role session duration limits, in seconds.
const (
	minSessionDuration     = 3600
	maxSessionDuration     = 43200
	defaultSessionDuration = 3600
)

func (s *Service) roleOperations() map[string]operation {
	return map[string]operation{
		"CreateRole":                    s.createRole,
		"GetRole":                       s.getRole,
		"ListRoles":                     s.listRoles,
		"UpdateRole":                    s.updateRole,
		"UpdateRoleDescription":         s.updateRoleDescription,
		"UpdateAssumeRolePolicy":        s.updateAssumeRolePolicy,
		"DeleteRole":                    s.deleteRole,
		"TagRole":                       s.tagRole,
		"UntagRole":                     s.untagRole,
		"ListRoleTags":                  s.listRoleTags,
		"PutRolePermissionsBoundary":    s.putRolePermissionsBoundary,
		"DeleteRolePermissionsBoundary": s.deleteRolePermissionsBoundary,
	}
}

type createRoleResult struct {
	XMLName xml.Name `xml:"CreateRoleResult"`
	Role    roleXML  `xml:"Role"`
}

func (s *Service) createRole(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	path := in.path("Path")
	trust := in.document("AssumeRolePolicyDocument", true)
	description := in.text("Description", false, 0, maxDescription, &descriptionPattern)
	duration := in.integer("MaxSessionDuration", defaultSessionDuration, minSessionDuration, maxSessionDuration)
	boundary := in.arn("PermissionsBoundary", false)
	tags := in.tags(false)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := firstError(checkTagKeys(tags), checkBoundaryARN(boundary), checkTrustDocument(trust)); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	r := store.Role{Account: account, Name: name, Path: path, ID: creds.NewUniqueID(creds.PrefixRole), TrustPolicy: trust,
		Description: description, MaxSessionDuration: duration, PermissionsBoundary: boundary, Tags: tags, CreatedAt: s.gate.Now()}
	if e := s.authorize(ctx, call, account, access.RoleARN(r), tagContext(tags, boundaryContext(boundary))); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		if err := checkBoundary(tx, account, boundary); err != nil {
			return err
		}
		var err error
		if r.TrustPolicy, err = bindTrustIDs(tx, trust); err != nil {
			return err
		}
		return orExists(tx.CreateRole(r), entityExists("Role with name %s already exists.", name))
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return createRoleResult{Role: toRoleXML(r, full)}, nil
}

// firstError returns the first non-nil error.
func firstError(errs ...*awsproto.Error) *awsproto.Error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

type getRoleResult struct {
	XMLName xml.Name `xml:"GetRoleResult"`
	Role    roleXML  `xml:"Role"`
}

func (s *Service) getRole(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	r, e := s.readRole(ctx, call)
	if e != nil {
		return nil, e
	}
	return getRoleResult{Role: toRoleXML(r, full)}, nil
}

// readRole authorizes the call on RoleName and returns the role.
func (s *Service) readRole(ctx context.Context, call *awsproto.Call) (store.Role, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	if e := in.err(); e != nil {
		return store.Role{}, e
	}
	if e := s.authorizeOn(ctx, call, roleResource, name, nil); e != nil {
		return store.Role{}, e
	}
	r, err := store.Read(ctx, s.store, func(tx store.Tx) (store.Role, error) { return getRole(tx, callerAccount(call), name) })
	return r, s.txError(err)
}

type listRolesResult struct {
	XMLName xml.Name         `xml:"ListRolesResult"`
	Roles   members[roleXML] `xml:"Roles"`
	pageXML
}

func (s *Service) listRoles(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	roles, p, e := listByPath(s, ctx, call, func(account, prefix string) string { return entityARN(account, roleResource, prefix, "") },
		store.Tx.ListRoles, func(r store.Role) string { return r.Name })
	if e != nil {
		return nil, e
	}
	return listRolesResult{Roles: memberList(toRolesXML(roles, summary)), pageXML: p}, nil
}

// updateRoleResult is empty, but the SDKs expect the element.
type updateRoleResult struct {
	XMLName xml.Name `xml:"UpdateRoleResult"`
}

// updateRole changes the description (when sent, even empty) and the
// maximum session duration.
func (s *Service) updateRole(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	description := in.text("Description", false, 0, maxDescription, &descriptionPattern)
	duration := in.integer("MaxSessionDuration", 0, minSessionDuration, maxSessionDuration)
	if e := in.err(); e != nil {
		return nil, e
	}
	setDescription := call.Params.Has("Description")
	_, e := s.changeRole(ctx, call, name, nil, func(tx store.Tx, r *store.Role) error {
		if setDescription {
			r.Description = description
		}
		if duration != 0 {
			r.MaxSessionDuration = duration
		}
		return nil
	})
	if e != nil {
		return nil, e
	}
	return updateRoleResult{}, nil
}

type updateRoleDescriptionResult struct {
	XMLName xml.Name `xml:"UpdateRoleDescriptionResult"`
	Role    roleXML  `xml:"Role"`
}

func (s *Service) updateRoleDescription(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	description := in.text("Description", true, 0, maxDescription, &descriptionPattern)
	if e := in.err(); e != nil {
		return nil, e
	}
	r, e := s.changeRole(ctx, call, name, nil, func(tx store.Tx, r *store.Role) error {
		r.Description = description
		return nil
	})
	if e != nil {
		return nil, e
	}
	return updateRoleDescriptionResult{Role: toRoleXML(r, full)}, nil
}

func (s *Service) updateAssumeRolePolicy(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	doc := in.document("PolicyDocument", true)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := checkTrustDocument(doc); e != nil {
		return nil, e
	}
	_, e := s.changeRole(ctx, call, name, nil, func(tx store.Tx, r *store.Role) error {
		bound, err := bindTrustIDs(tx, doc)
		r.TrustPolicy = bound
		return err
	})
	return nil, e
}

// bindTrustIDs gives a trust policy's bare unique ids their principals'
// current ARNs, as AWS shows them; an id of no existing user or role (a
// deleted one's, as GetRole shows it) is AWS's invalid principal, as is a
// user or role ARN naming nothing.
func bindTrustIDs(tx store.Tx, doc string) (string, error) {
	bound, err := principalid.Bind(tx, doc)
	var unknown *principalid.UnknownPrincipalError
	if errors.As(err, &unknown) {
		return "", malformedPolicy(`Invalid principal in policy: "AWS":"` + unknown.Value + `"`)
	}
	return bound, err
}

// changeRole authorizes the call on the role, then applies change to it
// in one transaction and returns the updated role.
func (s *Service) changeRole(ctx context.Context, call *awsproto.Call, name string, extra map[string][]string, change func(store.Tx, *store.Role) error) (store.Role, *awsproto.Error) {
	if e := s.authorizeOn(ctx, call, roleResource, name, extra); e != nil {
		return store.Role{}, e
	}
	var r store.Role
	err := s.store.Update(ctx, func(tx store.Tx) error {
		var err error
		if r, err = getRole(tx, callerAccount(call), name); err != nil {
			return err
		}
		if err := change(tx, &r); err != nil {
			return err
		}
		return tx.UpdateRole(r)
	})
	return r, s.txError(err)
}

func (s *Service) deleteRole(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, roleResource, name, nil); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		r, err := getRole(tx, account, name)
		if err != nil {
			return err
		}
		if err := checkPolicyDependents(tx, account, store.KindRole, r.Name); err != nil {
			return err
		}
		profiles, err := profilesOfRole(tx, account, r.Name)
		if err != nil {
			return err
		}
		if len(profiles) > 0 {
			return deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		if err := orConflict(tx.DeleteRole(account, r.Name)); err != nil {
			return err
		}
		// Policies naming the role now name its unique id, as in AWS, so
		// a later role of the same name is not trusted by them.
		return principalid.Forget(tx, access.RoleARN(r), r.ID)
	})
	return nil, s.txError(err)
}

// profilesOfRole lists the instance profiles holding the role.
func profilesOfRole(tx store.Tx, account, role string) ([]store.InstanceProfile, error) {
	all, err := tx.ListInstanceProfiles(account, "")
	if err != nil {
		return nil, err
	}
	var out []store.InstanceProfile
	for _, p := range all {
		for _, r := range p.Roles {
			if strings.EqualFold(r, role) {
				out = append(out, p)
				break
			}
		}
	}
	return out, nil
}

func (s *Service) tagRole(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	edit, e := readTagEdit(in, "Role")
	if e != nil {
		return nil, e
	}
	return nil, s.editRoleTags(ctx, call, name, edit)
}

func (s *Service) untagRole(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	edit, e := readUntagEdit(in)
	if e != nil {
		return nil, e
	}
	return nil, s.editRoleTags(ctx, call, name, edit)
}

// editRoleTags authorizes a tag change on a role and applies it.
func (s *Service) editRoleTags(ctx context.Context, call *awsproto.Call, name string, edit tagEdit) *awsproto.Error {
	_, e := s.changeRole(ctx, call, name, edit.keys, func(tx store.Tx, r *store.Role) error {
		tags, e := edit.change(r.Tags)
		if e != nil {
			return e
		}
		r.Tags = tags
		return nil
	})
	return e
}

func (s *Service) listRoleTags(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	r, e := s.readRole(ctx, call)
	if e != nil {
		return nil, e
	}
	return tagsPage(call, r.Tags, req)
}

func (s *Service) putRolePermissionsBoundary(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	boundary := in.arn("PermissionsBoundary", true)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := checkBoundaryARN(boundary); e != nil {
		return nil, e
	}
	return nil, s.setRoleBoundary(ctx, call, name, boundary)
}

func (s *Service) deleteRolePermissionsBoundary(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	if e := in.err(); e != nil {
		return nil, e
	}
	return nil, s.setRoleBoundary(ctx, call, name, "")
}

func (s *Service) setRoleBoundary(ctx context.Context, call *awsproto.Call, name, boundary string) *awsproto.Error {
	_, e := s.changeRole(ctx, call, name, boundaryContext(boundary), func(tx store.Tx, r *store.Role) error {
		if err := checkBoundary(tx, r.Account, boundary); err != nil {
			return err
		}
		r.PermissionsBoundary = boundary
		return nil
	})
	return e
}
