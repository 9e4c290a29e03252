package sqlstore

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

// keyCols reads a key with its user's current name ("" for the root).
const keyCols = `k.id, k.secret, k.account, COALESCE(u.name, ''), k.active, k.created_at, k.last_used,
	k.last_used_service, k.last_used_region
	FROM access_keys k LEFT JOIN users u ON u.id = k.user_id`

// CreateAccessKey stores a key of a user, or of the account root when
// UserName is "". Each may hold store.MaxAccessKeys keys (store.ErrLimit);
// a missing user gives store.ErrNotFound.
func (t *Tx) CreateAccessKey(k store.AccessKey) error {
	if err := Required("create access key", "ID", k.ID, "account", k.Account); err != nil {
		return err
	}
	owner, err := t.keyOwner(k.Account, k.UserName)
	if err != nil {
		return fmt.Errorf("create access key: %w", err)
	}
	if err := t.checkKeyLimit(k, owner); err != nil {
		return err
	}
	err = t.insert(`INSERT INTO access_keys (id, account, user_id, secret, active, created_at, last_used)
		VALUES (?, ?, ?, ?, ?, ?, ?){DO NOTHING}`,
		k.ID, k.Account, owner, k.Secret, k.Active, t.stamp(k.CreatedAt), nullTime(k.LastUsed))
	return t.wrapf(err, "access key %q", k.ID)
}

// keyOwner is the id of the user owning keys of userName, or nil (NULL)
// for the root.
func (t *Tx) keyOwner(account, userName string) (*string, error) {
	if userName == "" {
		return nil, nil
	}
	id, _, err := t.entity(account, store.KindUser, userName)
	if err != nil {
		return nil, err
	}
	return &id, nil
}

func (t *Tx) checkKeyLimit(k store.AccessKey, owner *string) error {
	q, arg, who := "SELECT COUNT(*) FROM access_keys WHERE account = ? AND user_id IS NULL", any(k.Account), "the root of "+k.Account
	if owner != nil {
		q, arg, who = "SELECT COUNT(*) FROM access_keys WHERE user_id = ?", *owner, fmt.Sprintf("user %q", k.UserName)
	}
	n, err := t.count(q, arg)
	if err != nil {
		return fmt.Errorf("count access keys of %s: %w", who, err)
	}
	if n >= store.MaxAccessKeys {
		return fmt.Errorf("access keys of %s: at most %d: %w", who, store.MaxAccessKeys, store.ErrLimit)
	}
	return nil
}

// GetAccessKey returns the key with this id, with its owner's current name.
func (t *Tx) GetAccessKey(id string) (store.AccessKey, error) {
	k, err := scanKey(t.row("SELECT "+keyCols+" WHERE k.id = ?", id))
	return k, t.wrapf(err, "access key %q", id)
}

// ListAccessKeys returns the keys of a user (or of the root when userName
// is ""), by creation time then id.
func (t *Tx) ListAccessKeys(account, userName string) ([]store.AccessKey, error) {
	owner, err := t.keyOwner(account, userName)
	if err != nil {
		return nil, fmt.Errorf("list access keys: %w", err)
	}
	q, arg := "SELECT "+keyCols+` WHERE k.account = ? AND k.user_id IS NULL ORDER BY k.created_at, k.id{C}`, any(account)
	if owner != nil {
		q, arg = "SELECT "+keyCols+` WHERE k.user_id = ? ORDER BY k.created_at, k.id{C}`, *owner
	}
	out, err := list(t, scanKey, q, arg)
	return out, t.wrapf(err, "list access keys")
}

// UpdateAccessKey sets the key's status and last use.
func (t *Tx) UpdateAccessKey(k store.AccessKey) error {
	n, err := t.exec("UPDATE access_keys SET active = ?, last_used = ? WHERE id = ?", k.Active, nullTime(k.LastUsed), k.ID)
	if err == nil && n == 0 {
		return notFound("access key %q", k.ID)
	}
	return t.wrapf(err, "update access key %q", k.ID)
}

// DeleteAccessKey deletes the key.
func (t *Tx) DeleteAccessKey(id string) error {
	n, err := t.exec("DELETE FROM access_keys WHERE id = ?", id)
	if err == nil && n == 0 {
		return notFound("access key %q", id)
	}
	return t.wrapf(err, "delete access key %q", id)
}

func scanKey(r scanner) (store.AccessKey, error) {
	var k store.AccessKey
	var created int64
	var used *int64
	if err := r.Scan(&k.ID, &k.Secret, &k.Account, &k.UserName, &k.Active, &created, &used, &k.LastUsedService, &k.LastUsedRegion); err != nil {
		return store.AccessKey{}, err
	}
	k.CreatedAt, k.LastUsed = fromMicros(created), fromNullMicros(used)
	return k, nil
}

// PutLoginProfile creates or replaces the user's login profile (keeping
// the first CreatedAt); a missing user gives store.ErrNotFound.
func (t *Tx) PutLoginProfile(p store.LoginProfile) error {
	id, stored, err := t.entity(p.Account, store.KindUser, p.UserName)
	if err != nil {
		return fmt.Errorf("put login profile: %w", err)
	}
	_, err = t.exec(`INSERT INTO login_profiles (user_id, password_hash, reset_required, created_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, reset_required = excluded.reset_required`,
		id, p.PasswordHash, p.ResetRequired, t.stamp(p.CreatedAt))
	return t.wrapf(err, "login profile of %q", stored)
}

// GetLoginProfile returns the user's login profile.
func (t *Tx) GetLoginProfile(account, userName string) (store.LoginProfile, error) {
	id, stored, err := t.entity(account, store.KindUser, userName)
	if err != nil {
		return store.LoginProfile{}, fmt.Errorf("get login profile: %w", err)
	}
	p := store.LoginProfile{Account: account, UserName: stored}
	var created int64
	err = t.row("SELECT password_hash, reset_required, created_at FROM login_profiles WHERE user_id = ?", id).
		Scan(&p.PasswordHash, &p.ResetRequired, &created)
	if err != nil {
		return store.LoginProfile{}, t.wrapf(err, "login profile of %q", stored)
	}
	p.CreatedAt = fromMicros(created)
	return p, nil
}

// DeleteLoginProfile deletes the user's login profile.
func (t *Tx) DeleteLoginProfile(account, userName string) error {
	id, stored, err := t.entity(account, store.KindUser, userName)
	if err != nil {
		return fmt.Errorf("delete login profile: %w", err)
	}
	n, err := t.exec("DELETE FROM login_profiles WHERE user_id = ?", id)
	if err == nil && n == 0 {
		return notFound("login profile of %q", stored)
	}
	return t.wrapf(err, "delete login profile of %q", stored)
}
