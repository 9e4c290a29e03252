package world

import (
	"errors"
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/totp"
)

// MFADevice is a virtual MFA device enabled for the user that declares
// it, with a known seed so that tests can compute its codes
// (`sekisho mfa code SERIAL`).
type MFADevice struct {
	Name string `yaml:"name"`
	Path string `yaml:"path"`
	Seed string `yaml:"seed"` // base32, as CreateVirtualMFADevice returns it
}

// loadMFADevices creates the devices the account's users declare,
// enabled for them, once in the life of the store: a device the ledger
// records is left as the APIs made it (deactivated, deleted, re-enabled
// elsewhere), and one that exists unrecorded is left alone too.
func (l *loader) loadMFADevices(a *Account) error {
	for _, u := range a.Users {
		for _, m := range u.MFADevices {
			serial := "arn:aws:iam::" + a.ID + ":mfa" + pathOr(m.Path) + m.Name
			err := l.once(mfaKey(serial), func() error {
				err := ensureMFADevice(l.tx, a.ID, u.Name, m, l.now)
				return l.tolerate(err, serial, userKey(a.ID, u.Name))
			})
			if err != nil {
				return fmt.Errorf("user %s: MFA device %s: %w", u.Name, m.Name, err)
			}
		}
	}
	return nil
}

func mfaKey(serial string) string { return "mfa/" + serial }

func ensureMFADevice(tx store.Tx, account, user string, m MFADevice, now time.Time) error {
	if m.Name == "" {
		return errors.New("needs a name")
	}
	if _, err := totp.DecodeSeed(m.Seed); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	path := pathOr(m.Path)
	d := store.MFADevice{Serial: "arn:aws:iam::" + account + ":mfa" + path + m.Name, Account: account,
		Name: m.Name, Path: path, Seed: m.Seed, CreatedAt: now}
	_, err := tx.GetMFADevice(d.Serial)
	switch {
	case err == nil:
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if _, err := tx.GetUser(account, user); err != nil {
		return err
	}
	if err := tx.CreateMFADevice(d); err != nil {
		return err
	}
	d.UserName, d.EnabledAt = user, now
	return tx.UpdateMFADevice(d)
}
