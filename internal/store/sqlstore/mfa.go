package sqlstore

import (
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/store"
)

// mfaCols reads a device with its user's current name ("" if unassigned).
const mfaCols = `m.serial, m.account, m.name, m.path, m.seed, COALESCE(u.name, ''), m.enabled_at, m.last_step, m.tags, m.created_at
	FROM mfa_devices m LEFT JOIN users u ON u.id = m.user_id`

func serialKey(serial string) string { return strings.ToLower(serial) }

// CreateMFADevice stores a new, unassigned device; a name taken in the
// account or a taken serial gives store.ErrExists.
func (t *Tx) CreateMFADevice(d store.MFADevice) error {
	if err := Required("create MFA device", "serial", d.Serial, "account", d.Account, "name", d.Name, "seed", d.Seed); err != nil {
		return err
	}
	tags, err := encodeTags(d.Tags)
	if err != nil {
		return fmt.Errorf("create MFA device %q: %w", d.Serial, err)
	}
	err = t.insert(`INSERT INTO mfa_devices (serial, serial_key, account, name, name_key, path, seed, user_id, enabled_at, last_step, tags, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?){DO NOTHING}`,
		d.Serial, serialKey(d.Serial), d.Account, d.Name, nameKey(d.Name), normPath(d.Path), d.Seed, d.LastStep, tags, t.stamp(d.CreatedAt))
	return t.wrapf(err, "MFA device %q", d.Serial)
}

// GetMFADevice returns the device with this serial number.
func (t *Tx) GetMFADevice(serial string) (store.MFADevice, error) {
	d, err := scanMFADevice(t.row("SELECT "+mfaCols+" WHERE m.serial_key = ?", serialKey(serial)))
	return d, t.wrapf(err, "MFA device %q", serial)
}

// ListMFADevices returns the account's devices by serial.
func (t *Tx) ListMFADevices(account string) ([]store.MFADevice, error) {
	out, err := list(t, scanMFADevice, "SELECT "+mfaCols+" WHERE m.account = ? ORDER BY m.serial_key{C}", account)
	return out, t.wrapf(err, "list MFA devices")
}

// ListUserMFADevices returns the devices enabled for a user, by serial.
func (t *Tx) ListUserMFADevices(account, userName string) ([]store.MFADevice, error) {
	id, _, err := t.entity(account, store.KindUser, userName)
	if err != nil {
		return nil, fmt.Errorf("list MFA devices: %w", err)
	}
	out, err := list(t, scanMFADevice, "SELECT "+mfaCols+" WHERE m.user_id = ? ORDER BY m.serial_key{C}", id)
	return out, t.wrapf(err, "list MFA devices of %q", userName)
}

// UpdateMFADevice sets the device's user, enable date and tags.
func (t *Tx) UpdateMFADevice(d store.MFADevice) error {
	tags, err := encodeTags(d.Tags)
	if err != nil {
		return fmt.Errorf("update MFA device %q: %w", d.Serial, err)
	}
	var owner *string
	if d.UserName != "" {
		id, err := t.assignMFA(d)
		if err != nil {
			return err
		}
		owner = &id
	}
	n, err := t.exec("UPDATE mfa_devices SET user_id = ?, enabled_at = ?, tags = ? WHERE serial_key = ?",
		owner, nullTime(d.EnabledAt), tags, serialKey(d.Serial))
	if err == nil && n == 0 {
		return notFound("MFA device %q", d.Serial)
	}
	return t.wrapf(err, "update MFA device %q", d.Serial)
}

// assignMFA returns the id of the user d is to be enabled for, checking
// the user's device limit (the device itself not counted).
func (t *Tx) assignMFA(d store.MFADevice) (string, error) {
	id, stored, err := t.entity(d.Account, store.KindUser, d.UserName)
	if err != nil {
		return "", fmt.Errorf("update MFA device %q: %w", d.Serial, err)
	}
	n, err := t.count("SELECT COUNT(*) FROM mfa_devices WHERE user_id = ? AND serial_key <> ?", id, serialKey(d.Serial))
	if err != nil {
		return "", fmt.Errorf("count MFA devices of %q: %w", stored, err)
	}
	if n >= store.MaxMFADevices {
		return "", fmt.Errorf("MFA devices of user %q: at most %d: %w", stored, store.MaxMFADevices, store.ErrLimit)
	}
	return id, nil
}

// UseMFAStep raises the device's last used step to step, failing with
// store.ErrConflict when it is there or beyond already. The condition is
// in the UPDATE itself, so two transactions racing with one code cannot
// both succeed: the second re-reads the row once the first commits.
func (t *Tx) UseMFAStep(serial string, step int64) error {
	n, err := t.exec("UPDATE mfa_devices SET last_step = ? WHERE serial_key = ? AND last_step < ?", step, serialKey(serial), step)
	if err != nil {
		return t.wrapf(err, "use MFA code of %q", serial)
	}
	if n > 0 {
		return nil
	}
	if _, err := t.GetMFADevice(serial); err != nil {
		return err
	}
	return fmt.Errorf("MFA device %q: step %d used already: %w", serial, step, store.ErrConflict)
}

// DeleteMFADevice deletes the device.
func (t *Tx) DeleteMFADevice(serial string) error {
	n, err := t.exec("DELETE FROM mfa_devices WHERE serial_key = ?", serialKey(serial))
	if err == nil && n == 0 {
		return notFound("MFA device %q", serial)
	}
	return t.wrapf(err, "delete MFA device %q", serial)
}

func scanMFADevice(r scanner) (store.MFADevice, error) {
	var d store.MFADevice
	var tags string
	var created int64
	var enabled *int64
	if err := r.Scan(&d.Serial, &d.Account, &d.Name, &d.Path, &d.Seed, &d.UserName, &enabled, &d.LastStep, &tags, &created); err != nil {
		return store.MFADevice{}, err
	}
	d.EnabledAt, d.CreatedAt = fromNullMicros(enabled), fromMicros(created)
	var err error
	d.Tags, err = decodeTags(tags)
	return d, err
}
