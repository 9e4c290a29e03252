package postgres

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

const profileCols = "p.id, p.account, p.name, p.path, p.created_at"

// CreateInstanceProfile creates an instance profile holding p.Roles (at
// most store.MaxProfileRoles, each an existing role of the account).
func (t *tx) CreateInstanceProfile(p store.InstanceProfile) error {
	if err := required("create instance profile", "account", p.Account, "name", p.Name, "ID", p.ID); err != nil {
		return err
	}
	err := t.insert(`INSERT INTO instance_profiles (id, account, name, name_key, path, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT DO NOTHING`, p.ID, p.Account, p.Name, nameKey(p.Name), normPath(p.Path), t.stamp(p.CreatedAt))
	if err != nil {
		return wrapf(err, "instance profile %q", p.Name)
	}
	return t.setProfileRoles(p)
}

// GetInstanceProfile returns the instance profile named name, compared
// case-insensitively.
func (t *tx) GetInstanceProfile(account, name string) (store.InstanceProfile, error) {
	p, err := scanProfile(t.row("SELECT "+profileCols+" FROM instance_profiles p WHERE p.account = $1 AND p.name_key = $2",
		account, nameKey(name)))
	if err != nil {
		return store.InstanceProfile{}, wrapf(err, "instance profile %q", name)
	}
	roles, err := t.profileRoles("x.profile_id = $1", p.ID)
	p.Roles = roles[p.ID]
	return p, err
}

// ListInstanceProfiles returns the account's instance profiles whose path
// starts with pathPrefix, by name.
func (t *tx) ListInstanceProfiles(account, pathPrefix string) ([]store.InstanceProfile, error) {
	out, err := list(t, scanProfile, "SELECT "+profileCols+` FROM instance_profiles p WHERE p.account = $1 ORDER BY p.name_key COLLATE "C"`, account)
	if err != nil {
		return nil, wrapf(err, "list instance profiles")
	}
	roles, err := t.profileRoles("r.account = $1", account)
	for i := range out {
		out[i].Roles = roles[out[i].ID]
	}
	return filterPath(out, pathPrefix, func(p store.InstanceProfile) string { return p.Path }), err
}

// profileRoles maps profile ids to their role names, for the links
// matching where (on instance_profile_roles x and roles r, with $1).
func (t *tx) profileRoles(where string, arg any) (map[string][]string, error) {
	type link struct{ profile, role string }
	links, err := list(t, func(s scanner) (link, error) {
		var l link
		err := s.Scan(&l.profile, &l.role)
		return l, err
	}, "SELECT x.profile_id, r.name FROM instance_profile_roles x JOIN roles r ON r.id = x.role_id WHERE "+
		where+` ORDER BY r.name_key COLLATE "C"`, arg)
	if err != nil {
		return nil, wrapf(err, "roles of instance profiles")
	}
	out := make(map[string][]string)
	for _, l := range links {
		out[l.profile] = append(out[l.profile], l.role)
	}
	return out, nil
}

// UpdateInstanceProfile replaces the roles of the instance profile with
// p's account and ID.
func (t *tx) UpdateInstanceProfile(p store.InstanceProfile) error {
	found, err := t.exists("SELECT 1 FROM instance_profiles WHERE account = $1 AND id = $2", p.Account, p.ID)
	if err != nil {
		return wrapf(err, "instance profile %q", p.Name)
	}
	if !found {
		return notFound("instance profile id %q", p.ID)
	}
	if _, err := t.exec("DELETE FROM instance_profile_roles WHERE profile_id = $1", p.ID); err != nil {
		return wrapf(err, "instance profile %q", p.Name)
	}
	return t.setProfileRoles(p)
}

// setProfileRoles links the (empty) profile p.ID to p.Roles.
func (t *tx) setProfileRoles(p store.InstanceProfile) error {
	ids := make(map[string]bool)
	for _, name := range p.Roles {
		id, _, err := t.entity(p.Account, store.KindRole, name)
		if err != nil {
			return fmt.Errorf("instance profile %q: %w", p.Name, err)
		}
		ids[id] = true
	}
	if len(ids) > store.MaxProfileRoles {
		return fmt.Errorf("instance profile %q: at most %d role: %w", p.Name, store.MaxProfileRoles, store.ErrLimit)
	}
	for id := range ids {
		_, err := t.exec("INSERT INTO instance_profile_roles (profile_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", p.ID, id)
		if err != nil {
			return wrapf(err, "instance profile %q", p.Name)
		}
	}
	return nil
}

// DeleteInstanceProfile deletes an instance profile holding no role
// (store.ErrConflict otherwise, as IAM wants roles removed first).
func (t *tx) DeleteInstanceProfile(account, name string) error {
	var id, stored string
	err := t.row("SELECT id, name FROM instance_profiles WHERE account = $1 AND name_key = $2", account, nameKey(name)).
		Scan(&id, &stored)
	if err != nil {
		return wrapf(err, "instance profile %q", name)
	}
	what := fmt.Sprintf("instance profile %q", stored)
	err = t.checkDependents(what, id, []dependent{
		{"roles", "SELECT 1 FROM instance_profile_roles WHERE profile_id = $1 LIMIT 1"},
	})
	if err != nil {
		return err
	}
	_, err = t.exec("DELETE FROM instance_profiles WHERE id = $1", id)
	return wrapf(err, "delete %s", what)
}

func scanProfile(s scanner) (store.InstanceProfile, error) {
	var p store.InstanceProfile
	var created int64
	if err := s.Scan(&p.ID, &p.Account, &p.Name, &p.Path, &created); err != nil {
		return store.InstanceProfile{}, err
	}
	p.CreatedAt = fromMicros(created)
	return p, nil
}
