package sqlstore

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

const groupCols = "g.id, g.account, g.name, g.path, g.created_at"

// CreateGroup creates a group; a taken name or ID gives store.ErrExists.
func (t *Tx) CreateGroup(g store.Group) error {
	if err := Required("create group", "account", g.Account, "name", g.Name, "ID", g.ID); err != nil {
		return err
	}
	err := t.insert(`INSERT INTO iam_groups (id, account, name, name_key, path, created_at) VALUES (?, ?, ?, ?, ?, ?)
		{DO NOTHING}`, g.ID, g.Account, g.Name, nameKey(g.Name), normPath(g.Path), t.stamp(g.CreatedAt))
	return t.wrapf(err, "group %q", g.Name)
}

// GetGroup returns the group named name, compared case-insensitively.
func (t *Tx) GetGroup(account, name string) (store.Group, error) {
	g, err := scanGroup(t.row("SELECT "+groupCols+" FROM iam_groups g WHERE g.account = ? AND g.name_key = ?",
		account, nameKey(name)))
	return g, t.wrapf(err, "group %q", name)
}

// ListGroups returns the account's groups whose path starts with
// pathPrefix, by name.
func (t *Tx) ListGroups(account, pathPrefix string) ([]store.Group, error) {
	out, err := list(t, scanGroup, "SELECT "+groupCols+` FROM iam_groups g WHERE g.account = ? ORDER BY g.name_key{C}`, account)
	if err != nil {
		return nil, t.wrapf(err, "list groups")
	}
	return filterPath(out, pathPrefix, func(g store.Group) string { return g.Path }), nil
}

// DeleteGroup deletes a group without members or policies
// (store.ErrConflict otherwise).
func (t *Tx) DeleteGroup(account, name string) error {
	id, stored, err := t.entity(account, store.KindGroup, name)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("group %q", stored)
	err = t.checkDependents(what, id, []dependent{
		{"members", "SELECT 1 FROM group_members WHERE group_id = ? LIMIT 1"},
		{"inline policies", "SELECT 1 FROM inline_policies WHERE kind = 'group' AND entity_id = ? LIMIT 1"},
		{"attached policies", "SELECT 1 FROM attachments WHERE kind = 'group' AND entity_id = ? LIMIT 1"},
	})
	if err != nil {
		return err
	}
	_, err = t.exec("DELETE FROM iam_groups WHERE id = ?", id)
	return t.wrapf(err, "delete %s", what)
}

// AddUserToGroup makes the user a member (again: a no-op). A user is in
// at most store.MaxGroupsPerUser groups (store.ErrLimit).
func (t *Tx) AddUserToGroup(account, group, user string) error {
	gid, uid, err := t.membership(account, group, user)
	if err != nil {
		return fmt.Errorf("add user to group: %w", err)
	}
	member, err := t.exists("SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?", gid, uid)
	if err != nil || member {
		return t.wrapf(err, "add user %q to group %q", user, group)
	}
	n, err := t.count("SELECT COUNT(*) FROM group_members WHERE user_id = ?", uid)
	if err != nil {
		return t.wrapf(err, "count groups of user %q", user)
	}
	if n >= store.MaxGroupsPerUser {
		return fmt.Errorf("groups of user %q: at most %d: %w", user, store.MaxGroupsPerUser, store.ErrLimit)
	}
	_, err = t.exec("INSERT INTO group_members (group_id, user_id) VALUES (?, ?){DO NOTHING}", gid, uid)
	return t.wrapf(err, "add user %q to group %q", user, group)
}

// RemoveUserFromGroup ends a membership; a user not in the group gives
// store.ErrNotFound.
func (t *Tx) RemoveUserFromGroup(account, group, user string) error {
	gid, uid, err := t.membership(account, group, user)
	if err != nil {
		return fmt.Errorf("remove user from group: %w", err)
	}
	n, err := t.exec("DELETE FROM group_members WHERE group_id = ? AND user_id = ?", gid, uid)
	if err == nil && n == 0 {
		return notFound("user %q in group %q", user, group)
	}
	return t.wrapf(err, "remove user %q from group %q", user, group)
}

// membership finds the ids of a group and a user.
func (t *Tx) membership(account, group, user string) (gid, uid string, err error) {
	if gid, _, err = t.entity(account, store.KindGroup, group); err != nil {
		return "", "", err
	}
	uid, _, err = t.entity(account, store.KindUser, user)
	return gid, uid, err
}

// ListGroupsForUser returns the groups the user is in, by name.
func (t *Tx) ListGroupsForUser(account, user string) ([]store.Group, error) {
	uid, _, err := t.entity(account, store.KindUser, user)
	if err != nil {
		return nil, fmt.Errorf("list groups for user: %w", err)
	}
	out, err := list(t, scanGroup, "SELECT "+groupCols+` FROM iam_groups g
		JOIN group_members m ON m.group_id = g.id WHERE m.user_id = ? ORDER BY g.name_key{C}`, uid)
	return out, t.wrapf(err, "list groups for user %q", user)
}

// ListUsersInGroup returns the group's members, by name.
func (t *Tx) ListUsersInGroup(account, group string) ([]store.User, error) {
	gid, _, err := t.entity(account, store.KindGroup, group)
	if err != nil {
		return nil, fmt.Errorf("list users in group: %w", err)
	}
	out, err := list(t, scanUser, "SELECT "+userCols+` FROM users u
		JOIN group_members m ON m.user_id = u.id WHERE m.group_id = ? ORDER BY u.name_key{C}`, gid)
	return out, t.wrapf(err, "list users in group %q", group)
}

func scanGroup(r scanner) (store.Group, error) {
	var g store.Group
	var created int64
	if err := r.Scan(&g.ID, &g.Account, &g.Name, &g.Path, &created); err != nil {
		return store.Group{}, err
	}
	g.CreatedAt = fromMicros(created)
	return g, nil
}
