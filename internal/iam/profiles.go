package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"

	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

func (s *Service) profileOperations() map[string]operation {
	return map[string]operation{
		"CreateInstanceProfile":         s.createInstanceProfile,
		"GetInstanceProfile":            s.getInstanceProfile,
		"ListInstanceProfiles":          s.listInstanceProfiles,
		"ListInstanceProfilesForRole":   s.listInstanceProfilesForRole,
		"AddRoleToInstanceProfile":      s.addRoleToInstanceProfile,
		"RemoveRoleFromInstanceProfile": s.removeRoleFromInstanceProfile,
		"DeleteInstanceProfile":         s.deleteInstanceProfile,
	}
}

type createInstanceProfileResult struct {
	XMLName         xml.Name           `xml:"CreateInstanceProfileResult"`
	InstanceProfile instanceProfileXML `xml:"InstanceProfile"`
}

func (s *Service) createInstanceProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("InstanceProfileName", maxLookupName)
	path := in.path("Path")
	tags := in.tags(false)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := checkTagKeys(tags); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	p := store.InstanceProfile{Account: account, Name: name, Path: path, ID: creds.NewUniqueID(creds.PrefixInstanceProfile), Tags: tags, CreatedAt: s.gate.Now()}
	if e := s.authorize(ctx, call, account, instanceProfileARN(account, path, name), tagContext(tags, nil)); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		return orExists(tx.CreateInstanceProfile(p), entityExists("Instance Profile %s already exists.", name))
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return createInstanceProfileResult{InstanceProfile: withProfileTags(toInstanceProfileXML(p, nil), p.Tags)}, nil
}

// profileRoles loads the roles an instance profile holds; a role that has
// gone is left out.
func profileRoles(tx store.Tx, p store.InstanceProfile) ([]store.Role, error) {
	var roles []store.Role
	for _, name := range p.Roles {
		r, err := tx.GetRole(p.Account, name)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		roles = append(roles, r)
	}
	return roles, nil
}

// profilesXML shows instance profiles with their roles.
func profilesXML(tx store.Tx, profiles []store.InstanceProfile) ([]instanceProfileXML, error) {
	out := make([]instanceProfileXML, 0, len(profiles))
	for _, p := range profiles {
		roles, err := profileRoles(tx, p)
		if err != nil {
			return nil, err
		}
		out = append(out, toInstanceProfileXML(p, roles))
	}
	return out, nil
}

type getInstanceProfileResult struct {
	XMLName         xml.Name           `xml:"GetInstanceProfileResult"`
	InstanceProfile instanceProfileXML `xml:"InstanceProfile"`
}

func (s *Service) getInstanceProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("InstanceProfileName", maxLookupName)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, profileResource, name, nil); e != nil {
		return nil, e
	}
	var out []instanceProfileXML
	err := s.store.View(ctx, func(tx store.Tx) error {
		p, err := getProfile(tx, callerAccount(call), name)
		if err != nil {
			return err
		}
		out, err = profilesXML(tx, []store.InstanceProfile{p})
		if err == nil {
			out[0] = withProfileTags(out[0], p.Tags)
		}
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return getInstanceProfileResult{InstanceProfile: out[0]}, nil
}

type listInstanceProfilesResult struct {
	XMLName          xml.Name                    `xml:"ListInstanceProfilesResult"`
	InstanceProfiles members[instanceProfileXML] `xml:"InstanceProfiles"`
	pageXML
}

func (s *Service) listInstanceProfiles(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	prefix := in.pathPrefix()
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	if e := s.authorize(ctx, call, account, instanceProfileARN(account, prefix, ""), nil); e != nil {
		return nil, e
	}
	return s.profilesPage(ctx, req, func(tx store.Tx) ([]store.InstanceProfile, error) {
		return tx.ListInstanceProfiles(account, prefix)
	}, func(items []instanceProfileXML, p pageXML) any {
		return listInstanceProfilesResult{InstanceProfiles: memberList(items), pageXML: p}
	})
}

// profilesPage lists instance profiles, paginates them and wraps the page.
func (s *Service) profilesPage(ctx context.Context, req pageRequest, list func(store.Tx) ([]store.InstanceProfile, error),
	result func([]instanceProfileXML, pageXML) any) (any, *awsproto.Error) {
	var (
		items []instanceProfileXML
		pg    pageXML
		e     *awsproto.Error
	)
	err := s.store.View(ctx, func(tx store.Tx) error {
		profiles, err := list(tx)
		if err != nil {
			return err
		}
		var page []store.InstanceProfile
		if page, pg, e = paginate(profiles, func(p store.InstanceProfile) string { return nameKey(p.Name) }, req); e != nil {
			return e
		}
		items, err = profilesXML(tx, page)
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return result(items, pg), nil
}

type listInstanceProfilesForRoleResult struct {
	XMLName          xml.Name                    `xml:"ListInstanceProfilesForRoleResult"`
	InstanceProfiles members[instanceProfileXML] `xml:"InstanceProfiles"`
	pageXML
}

func (s *Service) listInstanceProfilesForRole(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("RoleName", maxUserName)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, roleResource, name, nil); e != nil {
		return nil, e
	}
	return s.profilesPage(ctx, req, func(tx store.Tx) ([]store.InstanceProfile, error) {
		r, err := getRole(tx, callerAccount(call), name)
		if err != nil {
			return nil, err
		}
		return profilesOfRole(tx, r.Account, r.Name)
	}, func(items []instanceProfileXML, p pageXML) any {
		return listInstanceProfilesForRoleResult{InstanceProfiles: memberList(items), pageXML: p}
	})
}

// readProfileRole reads InstanceProfileName and RoleName and authorizes
// the call on the instance profile.
func (s *Service) readProfileRole(ctx context.Context, call *awsproto.Call) (profile, role string, e *awsproto.Error) {
	in := newInput(call.Params)
	profile = in.name("InstanceProfileName", maxLookupName)
	role = in.name("RoleName", maxUserName)
	if e := in.err(); e != nil {
		return "", "", e
	}
	return profile, role, s.authorizeOn(ctx, call, profileResource, profile, nil)
}

// addRoleToInstanceProfile also needs iam:PassRole on the role, as in AWS:
// whoever can launch with the profile acts as the role.
func (s *Service) addRoleToInstanceProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	profile, role, e := s.readProfileRole(ctx, call)
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	roleARN, e := s.currentARN(ctx, account, roleResource, role)
	if e != nil {
		return nil, e
	}
	if e := s.authorizeAction(ctx, call, "iam:PassRole", account, roleARN, nil); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := getProfile(tx, account, profile)
		if err != nil {
			return err
		}
		r, err := getRole(tx, account, role)
		if err != nil {
			return err
		}
		if len(p.Roles) >= store.MaxProfileRoles {
			return limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: %d", store.MaxProfileRoles)
		}
		p.Roles = append(p.Roles, r.Name)
		return tx.UpdateInstanceProfile(p)
	})
	return nil, s.txError(err)
}

func (s *Service) removeRoleFromInstanceProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	profile, role, e := s.readProfileRole(ctx, call)
	if e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := getProfile(tx, account, profile)
		if err != nil {
			return err
		}
		kept := p.Roles[:0:0]
		for _, r := range p.Roles {
			if !strings.EqualFold(r, role) {
				kept = append(kept, r)
			}
		}
		if len(kept) == len(p.Roles) {
			return noSuchRole(role)
		}
		p.Roles = kept
		return tx.UpdateInstanceProfile(p)
	})
	return nil, s.txError(err)
}

func (s *Service) deleteInstanceProfile(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("InstanceProfileName", maxLookupName)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, profileResource, name, nil); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		p, err := getProfile(tx, account, name)
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return deleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		return orConflict(tx.DeleteInstanceProfile(account, p.Name))
	})
	return nil, s.txError(err)
}
