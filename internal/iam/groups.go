package iam

import (
	"context"
	"encoding/xml"
	"errors"
	"strings"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store"
)

func (s *Service) groupOperations() map[string]operation {
	return map[string]operation{
		"CreateGroup":         s.createGroup,
		"GetGroup":            s.getGroup,
		"ListGroups":          s.listGroups,
		"UpdateGroup":         s.updateGroup,
		"DeleteGroup":         s.deleteGroup,
		"AddUserToGroup":      s.addUserToGroup,
		"RemoveUserFromGroup": s.removeUserFromGroup,
		"ListGroupsForUser":   s.listGroupsForUser,
	}
}

type createGroupResult struct {
	XMLName xml.Name `xml:"CreateGroupResult"`
	Group   groupXML `xml:"Group"`
}

func (s *Service) createGroup(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("GroupName", maxLookupName)
	path := in.path("Path")
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	g := store.Group{Account: account, Name: name, Path: path, ID: creds.NewUniqueID(creds.PrefixGroup), CreatedAt: s.gate.Now()}
	if e := s.authorize(ctx, call, account, access.GroupARN(g), nil); e != nil {
		return nil, e
	}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		return orExists(tx.CreateGroup(g), entityExists("Group with name %s already exists.", name))
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return createGroupResult{Group: toGroupXML(g)}, nil
}

type getGroupResult struct {
	XMLName xml.Name         `xml:"GetGroupResult"`
	Group   groupXML         `xml:"Group"`
	Users   members[userXML] `xml:"Users"`
	pageXML
}

func (s *Service) getGroup(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("GroupName", maxLookupName)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, groupResource, name, nil); e != nil {
		return nil, e
	}
	var (
		g     store.Group
		users []store.User
	)
	err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		if g, err = getGroup(tx, callerAccount(call), name); err != nil {
			return err
		}
		users, err = tx.ListUsersInGroup(g.Account, g.Name)
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	page, p, e := paginate(users, func(u store.User) string { return nameKey(u.Name) }, req)
	if e != nil {
		return nil, e
	}
	return getGroupResult{Group: toGroupXML(g), Users: memberList(toUsersXML(page, summary)), pageXML: p}, nil
}

type listGroupsResult struct {
	XMLName xml.Name          `xml:"ListGroupsResult"`
	Groups  members[groupXML] `xml:"Groups"`
	pageXML
}

func (s *Service) listGroups(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	groups, p, e := listByPath(s, ctx, call, func(account, prefix string) string { return entityARN(account, groupResource, prefix, "") },
		store.Tx.ListGroups, func(g store.Group) string { return g.Name })
	if e != nil {
		return nil, e
	}
	return listGroupsResult{Groups: memberList(toGroupsXML(groups)), pageXML: p}, nil
}

// groupsPage paginates groups and wraps the page in a result.
func groupsPage(groups []store.Group, req pageRequest, result func([]groupXML, pageXML) any) (any, *awsproto.Error) {
	page, p, e := paginate(groups, func(g store.Group) string { return nameKey(g.Name) }, req)
	if e != nil {
		return nil, e
	}
	return result(toGroupsXML(page), p), nil
}

// updateGroup renames or moves a group; the store keys members and
// policies by the group's id, so they follow.
func (s *Service) updateGroup(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("GroupName", maxLookupName)
	newName := in.optionalName("NewGroupName", maxLookupName)
	newPath := in.text("NewPath", false, 1, maxPath, &pathPattern)
	if e := in.err(); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	path, stored, e := s.peek(ctx, account, groupResource, name)
	if e != nil {
		return nil, e
	}
	if e := s.authorize(ctx, call, account, entityARN(account, groupResource, path, stored), nil); e != nil {
		return nil, e
	}
	if newName != "" || newPath != "" {
		if e := s.authorize(ctx, call, account, entityARN(account, groupResource, or(newPath, path), or(newName, stored)), nil); e != nil {
			return nil, e
		}
	}
	return nil, s.txError(s.store.Update(ctx, func(tx store.Tx) error {
		return renameGroup(tx, account, name, newName, newPath)
	}))
}

// renameGroup re-creates the group under its new name and path: the store
// has no UpdateGroup, so members and policies are moved across.
func renameGroup(tx store.Tx, account, name, newName, newPath string) error {
	g, err := getGroup(tx, account, name)
	if err != nil {
		return err
	}
	renamed := g
	renamed.Name, renamed.Path = or(newName, g.Name), or(newPath, g.Path)
	if renamed == g {
		return nil
	}
	taken := entityExists("Group with name %s already exists.", newName)
	if !strings.EqualFold(renamed.Name, g.Name) {
		if _, err := tx.GetGroup(account, renamed.Name); err == nil {
			return taken
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	members, err := tx.ListUsersInGroup(account, g.Name)
	if err != nil {
		return err
	}
	attached, err := tx.ListAttachedPolicies(account, store.KindGroup, g.Name)
	if err != nil {
		return err
	}
	inline, err := tx.ListInlinePolicies(account, store.KindGroup, g.Name)
	if err != nil {
		return err
	}
	if err := detachEverything(tx, g, members, attached, inline); err != nil {
		return err
	}
	if err := tx.DeleteGroup(account, g.Name); err != nil {
		return err
	}
	if err := orExists(tx.CreateGroup(renamed), taken); err != nil {
		return err
	}
	return attachEverything(tx, renamed, members, attached, inline)
}

func detachEverything(tx store.Tx, g store.Group, members []store.User, attached []store.Attachment, inline []store.InlinePolicy) error {
	for _, u := range members {
		if err := tx.RemoveUserFromGroup(g.Account, g.Name, u.Name); err != nil {
			return err
		}
	}
	for _, a := range attached {
		if err := tx.DetachPolicy(a); err != nil {
			return err
		}
	}
	for _, p := range inline {
		if err := tx.DeleteInlinePolicy(g.Account, store.KindGroup, g.Name, p.Name); err != nil {
			return err
		}
	}
	return nil
}

func attachEverything(tx store.Tx, g store.Group, members []store.User, attached []store.Attachment, inline []store.InlinePolicy) error {
	for _, u := range members {
		if err := tx.AddUserToGroup(g.Account, g.Name, u.Name); err != nil {
			return err
		}
	}
	for _, a := range attached {
		a.Entity = g.Name
		if err := tx.AttachPolicy(a); err != nil {
			return err
		}
	}
	for _, p := range inline {
		p.Entity = g.Name
		if err := tx.PutInlinePolicy(p); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) deleteGroup(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("GroupName", maxLookupName)
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, groupResource, name, nil); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		g, err := getGroup(tx, account, name)
		if err != nil {
			return err
		}
		users, err := tx.ListUsersInGroup(account, g.Name)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return deleteConflict("Cannot delete entity, must remove users from group first.")
		}
		if err := checkPolicyDependents(tx, account, store.KindGroup, g.Name); err != nil {
			return err
		}
		return orConflict(tx.DeleteGroup(account, g.Name))
	})
	return nil, s.txError(err)
}

// readMembership reads GroupName and UserName (an existing user's name,
// up to 128 characters in the model).
func readMembership(call *awsproto.Call) (group, user string, e *awsproto.Error) {
	in := newInput(call.Params)
	group = in.name("GroupName", maxLookupName)
	user = in.name("UserName", maxLookupName)
	return group, user, in.err()
}

// isMember reports whether user belongs to group.
func isMember(tx store.Tx, account, group, user string) (int, bool, error) {
	groups, err := tx.ListGroupsForUser(account, user)
	if err != nil {
		return 0, false, err
	}
	for _, g := range groups {
		if strings.EqualFold(g.Name, group) {
			return len(groups), true, nil
		}
	}
	return len(groups), false, nil
}

// addUserToGroup is idempotent, as in AWS.
func (s *Service) addUserToGroup(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	group, user, e := readMembership(call)
	if e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, groupResource, group, nil); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	quota := limitExceeded("Cannot exceed quota for GroupsPerUser: %d", store.MaxGroupsPerUser)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		g, err := getGroup(tx, account, group)
		if err != nil {
			return err
		}
		u, err := getUser(tx, account, user)
		if err != nil {
			return err
		}
		count, member, err := isMember(tx, account, g.Name, u.Name)
		switch {
		case err != nil:
			return err
		case member:
			return nil
		case count >= store.MaxGroupsPerUser:
			return quota
		}
		err = tx.AddUserToGroup(account, g.Name, u.Name)
		if errors.Is(err, store.ErrLimit) {
			return quota
		}
		return err
	})
	return nil, s.txError(err)
}

func (s *Service) removeUserFromGroup(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	group, user, e := readMembership(call)
	if e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, groupResource, group, nil); e != nil {
		return nil, e
	}
	account := callerAccount(call)
	err := s.store.Update(ctx, func(tx store.Tx) error {
		g, err := getGroup(tx, account, group)
		if err != nil {
			return err
		}
		u, err := getUser(tx, account, user)
		if err != nil {
			return err
		}
		_, member, err := isMember(tx, account, g.Name, u.Name)
		if err != nil {
			return err
		}
		if !member {
			return noSuchUser(user)
		}
		return orNotFound(tx.RemoveUserFromGroup(account, g.Name, u.Name), noSuchUser(user))
	})
	return nil, s.txError(err)
}

type listGroupsForUserResult struct {
	XMLName xml.Name          `xml:"ListGroupsForUserResult"`
	Groups  members[groupXML] `xml:"Groups"`
	pageXML
}

func (s *Service) listGroupsForUser(ctx context.Context, call *awsproto.Call) (any, *awsproto.Error) {
	in := newInput(call.Params)
	name := in.name("UserName", maxLookupName)
	req := in.pageRequest()
	if e := in.err(); e != nil {
		return nil, e
	}
	if e := s.authorizeOn(ctx, call, userResource, name, nil); e != nil {
		return nil, e
	}
	var groups []store.Group
	err := s.store.View(ctx, func(tx store.Tx) error {
		u, err := getUser(tx, callerAccount(call), name)
		if err != nil {
			return err
		}
		groups, err = tx.ListGroupsForUser(u.Account, u.Name)
		return err
	})
	if e := s.txError(err); e != nil {
		return nil, e
	}
	return groupsPage(groups, req, func(groups []groupXML, p pageXML) any {
		return listGroupsForUserResult{Groups: memberList(groups), pageXML: p}
	})
}
