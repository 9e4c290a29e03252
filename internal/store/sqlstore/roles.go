package sqlstore

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

const roleCols = `r.id, r.account, r.name, r.path, r.trust_policy, r.description, r.max_session,
	r.boundary, r.tags, r.created_at, r.last_used, r.last_used_region`

// CreateRole creates a role; a taken name or ID gives store.ErrExists.
func (t *Tx) CreateRole(r store.Role) error {
	if err := Required("create role", "account", r.Account, "name", r.Name, "ID", r.ID); err != nil {
		return err
	}
	tags, err := encodeTags(r.Tags)
	if err != nil {
		return fmt.Errorf("create role %q: %w", r.Name, err)
	}
	err = t.insert(`INSERT INTO roles (id, account, name, name_key, path, trust_policy, description, max_session,
		boundary, tags, created_at, last_used) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?){DO NOTHING}`,
		r.ID, r.Account, r.Name, nameKey(r.Name), normPath(r.Path), r.TrustPolicy, r.Description,
		r.MaxSessionDuration, r.PermissionsBoundary, tags, t.stamp(r.CreatedAt), nullTime(r.LastUsed))
	return t.wrapf(err, "role %q", r.Name)
}

// GetRole returns the role named name, compared case-insensitively.
func (t *Tx) GetRole(account, name string) (store.Role, error) {
	r, err := scanRole(t.row("SELECT "+roleCols+" FROM roles r WHERE r.account = ? AND r.name_key = ?",
		account, nameKey(name)))
	return r, t.wrapf(err, "role %q", name)
}

// GetRoleByID returns the role with this unique id.
func (t *Tx) GetRoleByID(id string) (store.Role, error) {
	r, err := scanRole(t.row("SELECT "+roleCols+" FROM roles r WHERE r.id = ?", id))
	return r, t.wrapf(err, "role id %q", id)
}

// ListRoles returns the account's roles whose path starts with pathPrefix,
// by name.
func (t *Tx) ListRoles(account, pathPrefix string) ([]store.Role, error) {
	out, err := list(t, scanRole, "SELECT "+roleCols+` FROM roles r WHERE r.account = ? ORDER BY r.name_key{C}`, account)
	if err != nil {
		return nil, t.wrapf(err, "list roles")
	}
	return filterPath(out, pathPrefix, func(r store.Role) string { return r.Path }), nil
}

// UpdateRole sets every field but ID, Account and CreatedAt of the role
// with r's account and ID.
func (t *Tx) UpdateRole(r store.Role) error {
	tags, err := encodeTags(r.Tags)
	if err != nil {
		return fmt.Errorf("update role %q: %w", r.Name, err)
	}
	if err := t.checkRename("roles", r.Account, r.Name, r.ID); err != nil {
		return t.wrapf(err, "role %q", r.Name)
	}
	n, err := t.exec(`UPDATE roles SET name = ?, name_key = ?, path = ?, trust_policy = ?, description = ?,
		max_session = ?, boundary = ?, tags = ?, last_used = ? WHERE account = ? AND id = ?`,
		r.Name, nameKey(r.Name), normPath(r.Path), r.TrustPolicy, r.Description, r.MaxSessionDuration,
		r.PermissionsBoundary, tags, nullTime(r.LastUsed), r.Account, r.ID)
	if err == nil && n == 0 {
		return notFound("role id %q", r.ID)
	}
	return t.wrapf(err, "role %q", r.Name)
}

// DeleteRole deletes a role without policies that is in no instance
// profile (store.ErrConflict otherwise).
func (t *Tx) DeleteRole(account, name string) error {
	id, stored, err := t.entity(account, store.KindRole, name)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("role %q", stored)
	err = t.checkDependents(what, id, []dependent{
		{"inline policies", "SELECT 1 FROM inline_policies WHERE kind = 'role' AND entity_id = ? LIMIT 1"},
		{"attached policies", "SELECT 1 FROM attachments WHERE kind = 'role' AND entity_id = ? LIMIT 1"},
		{"instance profiles", "SELECT 1 FROM instance_profile_roles WHERE role_id = ? LIMIT 1"},
	})
	if err != nil {
		return err
	}
	_, err = t.exec("DELETE FROM roles WHERE id = ?", id)
	return t.wrapf(err, "delete %s", what)
}

func scanRole(s scanner) (store.Role, error) {
	var r store.Role
	var tags string
	var created int64
	var used *int64
	err := s.Scan(&r.ID, &r.Account, &r.Name, &r.Path, &r.TrustPolicy, &r.Description, &r.MaxSessionDuration,
		&r.PermissionsBoundary, &tags, &created, &used, &r.LastUsedRegion)
	if err != nil {
		return store.Role{}, err
	}
	r.CreatedAt, r.LastUsed = fromMicros(created), fromNullMicros(used)
	r.Tags, err = decodeTags(tags)
	return r, err
}
