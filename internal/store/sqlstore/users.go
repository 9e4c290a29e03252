package sqlstore

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

const userCols = "u.id, u.account, u.name, u.path, u.boundary, u.tags, u.created_at, u.password_last_used"

// CreateUser creates a user; a name taken in the account (in any case) or
// a taken ID gives store.ErrExists.
func (t *Tx) CreateUser(u store.User) error {
	if err := Required("create user", "account", u.Account, "name", u.Name, "ID", u.ID); err != nil {
		return err
	}
	tags, err := encodeTags(u.Tags)
	if err != nil {
		return fmt.Errorf("create user %q: %w", u.Name, err)
	}
	err = t.insert(`INSERT INTO users (id, account, name, name_key, path, boundary, tags, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?){DO NOTHING}`,
		u.ID, u.Account, u.Name, nameKey(u.Name), normPath(u.Path), u.PermissionsBoundary, tags, t.stamp(u.CreatedAt))
	return t.wrapf(err, "user %q", u.Name)
}

// GetUser returns the user named name, compared case-insensitively.
func (t *Tx) GetUser(account, name string) (store.User, error) {
	u, err := scanUser(t.row("SELECT "+userCols+" FROM users u WHERE u.account = ? AND u.name_key = ?", account, nameKey(name)))
	return u, t.wrapf(err, "user %q", name)
}

// GetUserByID returns the user with this unique id.
func (t *Tx) GetUserByID(id string) (store.User, error) {
	u, err := scanUser(t.row("SELECT "+userCols+" FROM users u WHERE u.id = ?", id))
	return u, t.wrapf(err, "user id %q", id)
}

// ListUsers returns the account's users whose path starts with pathPrefix,
// by name.
func (t *Tx) ListUsers(account, pathPrefix string) ([]store.User, error) {
	out, err := list(t, scanUser, "SELECT "+userCols+` FROM users u WHERE u.account = ? ORDER BY u.name_key{C}`, account)
	if err != nil {
		return nil, t.wrapf(err, "list users")
	}
	return filterPath(out, pathPrefix, func(u store.User) string { return u.Path }), nil
}

// UpdateUser sets the name, path, boundary and tags of the user with
// u's account and ID.
func (t *Tx) UpdateUser(u store.User) error {
	tags, err := encodeTags(u.Tags)
	if err != nil {
		return fmt.Errorf("update user %q: %w", u.Name, err)
	}
	if err := t.checkRename("users", u.Account, u.Name, u.ID); err != nil {
		return t.wrapf(err, "user %q", u.Name)
	}
	n, err := t.exec(`UPDATE users SET name = ?, name_key = ?, path = ?, boundary = ?, tags = ?
		WHERE account = ? AND id = ?`,
		u.Name, nameKey(u.Name), normPath(u.Path), u.PermissionsBoundary, tags, u.Account, u.ID)
	if err == nil && n == 0 {
		return notFound("user id %q", u.ID)
	}
	return t.wrapf(err, "user %q", u.Name)
}

// DeleteUser deletes a user that has no access keys, login profile,
// policies, group memberships or MFA devices left (store.ErrConflict otherwise).
func (t *Tx) DeleteUser(account, name string) error {
	id, stored, err := t.entity(account, store.KindUser, name)
	if err != nil {
		return err
	}
	what := fmt.Sprintf("user %q", stored)
	if err := t.checkDependents(what, id, userDependents()); err != nil {
		return err
	}
	_, err = t.exec("DELETE FROM users WHERE id = ?", id)
	return t.wrapf(err, "delete %s", what)
}

func userDependents() []dependent {
	return []dependent{
		{"access keys", "SELECT 1 FROM access_keys WHERE user_id = ? LIMIT 1"},
		{"a login profile", "SELECT 1 FROM login_profiles WHERE user_id = ?"},
		{"inline policies", "SELECT 1 FROM inline_policies WHERE kind = 'user' AND entity_id = ? LIMIT 1"},
		{"attached policies", "SELECT 1 FROM attachments WHERE kind = 'user' AND entity_id = ? LIMIT 1"},
		{"group memberships", "SELECT 1 FROM group_members WHERE user_id = ? LIMIT 1"},
		{"MFA devices", "SELECT 1 FROM mfa_devices WHERE user_id = ? LIMIT 1"},
	}
}

func scanUser(r scanner) (store.User, error) {
	var u store.User
	var tags string
	var created int64
	var passwordUsed *int64
	if err := r.Scan(&u.ID, &u.Account, &u.Name, &u.Path, &u.PermissionsBoundary, &tags, &created, &passwordUsed); err != nil {
		return store.User{}, err
	}
	u.CreatedAt, u.PasswordLastUsed = fromMicros(created), fromNullMicros(passwordUsed)
	var err error
	u.Tags, err = decodeTags(tags)
	return u, err
}
