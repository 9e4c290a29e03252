package sqlstore

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

const profileCols = "p.id, p.account, p.name, p.path, p.tags, p.created_at"

// CreateInstanceProfile creates an instance profile holding p.Roles (at
// most store.MaxProfileRoles, each an existing role of the account).
func (t *Tx) CreateInstanceProfile(p store.InstanceProfile) error {
	if err := Required("create instance profile", "account", p.Account, "name", p.Name, "ID", p.ID); err != nil {
		return err
	}
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return err
	}
	err = t.insert(`INSERT INTO instance_profiles (id, account, name, name_key, path, tags, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		{DO NOTHING}`, p.ID, p.Account, p.Name, nameKey(p.Name), normPath(p.Path), tags, t.stamp(p.CreatedAt))
	if err != nil {
		return t.wrapf(err, "instance profile %q", p.Name)
	}
	return t.setProfileRoles(p)
}

// GetInstanceProfile returns the instance profile named name, compared
// case-insensitively.
func (t *Tx) GetInstanceProfile(account, name string) (store.InstanceProfile, error) {
	p, err := scanProfile(t.row("SELECT "+profileCols+" FROM instance_profiles p WHERE p.account = ? AND p.name_key = ?",
		account, nameKey(name)))
	if err != nil {
		return store.InstanceProfile{}, t.wrapf(err, "instance profile %q", name)
	}
	roles, err := t.profileRoles("x.profile_id = ?", p.ID)
	p.Roles = roles[p.ID]
	return p, err
}

// ListInstanceProfiles returns the account's instance profiles whose path
// starts with pathPrefix, by name.
func (t *Tx) ListInstanceProfiles(account, pathPrefix string) ([]store.InstanceProfile, error) {
	out, err := list(t, scanProfile, "SELECT "+profileCols+` FROM instance_profiles p WHERE p.account = ? ORDER BY p.name_key{C}`, account)
	if err != nil {
		return nil, t.wrapf(err, "list instance profiles")
	}
	roles, err := t.profileRoles("r.account = ?", account)
	for i := range out {
		out[i].Roles = roles[out[i].ID]
	}
	return filterPath(out, pathPrefix, func(p store.InstanceProfile) string { return p.Path }), err
}

// profileRoles maps profile ids to their role names, for the links
// matching where (on instance_profile_roles x and roles r, with ?).
func (t *Tx) profileRoles(where string, arg any) (map[string][]string, error) {
	type link struct{ profile, role string }
	links, err := list(t, func(s scanner) (link, error) {
		var l link
		err := s.Scan(&l.profile, &l.role)
		return l, err
	}, "SELECT x.profile_id, r.name FROM instance_profile_roles x JOIN roles r ON r.id = x.role_id WHERE "+
		where+` ORDER BY r.name_key{C}`, arg)
	if err != nil {
		return nil, t.wrapf(err, "roles of instance profiles")
	}
	out := make(map[string][]string)
	for _, l := range links {
		out[l.profile] = append(out[l.profile], l.role)
	}
	return out, nil
}

// UpdateInstanceProfile replaces the roles and tags of the instance
// profile with p's account and ID.
func (t *Tx) UpdateInstanceProfile(p store.InstanceProfile) error {
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return err
	}
	n, err := t.exec("UPDATE instance_profiles SET tags = ? WHERE account = ? AND id = ?", tags, p.Account, p.ID)
	if err != nil {
		return t.wrapf(err, "instance profile %q", p.Name)
	}
	if n == 0 {
		return notFound("instance profile id %q", p.ID)
	}
	if _, err := t.exec("DELETE FROM instance_profile_roles WHERE profile_id = ?", p.ID); err != nil {
		return t.wrapf(err, "instance profile %q", p.Name)
	}
	return t.setProfileRoles(p)
}

// setProfileRoles links the (empty) profile p.ID to p.Roles.
func (t *Tx) setProfileRoles(p store.InstanceProfile) error {
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
		_, err := t.exec("INSERT INTO instance_profile_roles (profile_id, role_id) VALUES (?, ?){DO NOTHING}", p.ID, id)
		if err != nil {
			return t.wrapf(err, "instance profile %q", p.Name)
		}
	}
	return nil
}

// DeleteInstanceProfile deletes an instance profile holding no role
// (store.ErrConflict otherwise, as IAM wants roles removed first).
func (t *Tx) DeleteInstanceProfile(account, name string) error {
	var id, stored string
	err := t.row("SELECT id, name FROM instance_profiles WHERE account = ? AND name_key = ?", account, nameKey(name)).
		Scan(&id, &stored)
	if err != nil {
		return t.wrapf(err, "instance profile %q", name)
	}
	what := fmt.Sprintf("instance profile %q", stored)
	err = t.checkDependents(what, id, []dependent{
		{"roles", "SELECT 1 FROM instance_profile_roles WHERE profile_id = ? LIMIT 1"},
	})
	if err != nil {
		return err
	}
	_, err = t.exec("DELETE FROM instance_profiles WHERE id = ?", id)
	return t.wrapf(err, "delete %s", what)
}

func scanProfile(s scanner) (store.InstanceProfile, error) {
	var p store.InstanceProfile
	var created int64
	var tags string
	if err := s.Scan(&p.ID, &p.Account, &p.Name, &p.Path, &tags, &created); err != nil {
		return store.InstanceProfile{}, err
	}
	p.CreatedAt = fromMicros(created)
	var err error
	p.Tags, err = decodeTags(tags)
	return p, err
}
