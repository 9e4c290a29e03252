package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

// PutOrganization creates o (Revision 0) or replaces the stored record
// read at o.Revision; the record is kept as one JSON document.
func (t *Tx) PutOrganization(o store.Organization) error {
	if err := Required("put organization", "ID", o.ID, "management account", o.ManagementAccount); err != nil {
		return err
	}
	read := o.Revision
	o.Revision = read + 1
	doc, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("put organization %q: %w", o.ID, err)
	}
	if read == 0 {
		if t.d.CheckFirst {
			taken, err := t.exists("SELECT 1 FROM organizations WHERE id = ? OR management_account = ?", o.ID, o.ManagementAccount)
			if err != nil || taken {
				return t.wrapf(orExists(err, taken), "organization %q", o.ID)
			}
		}
		_, err = t.exec("INSERT INTO organizations (id, management_account, revision, document) VALUES (?, ?, ?, ?)",
			o.ID, o.ManagementAccount, o.Revision, string(doc))
		return t.wrapf(err, "create organization %q", o.ID)
	}
	n, err := t.exec("UPDATE organizations SET revision = ?, document = ? WHERE id = ? AND revision = ?",
		o.Revision, string(doc), o.ID, read)
	if err == nil && n == 0 {
		return fmt.Errorf("organization %q changed since revision %d: %w", o.ID, read, store.ErrConflict)
	}
	return t.wrapf(err, "update organization %q", o.ID)
}

func orExists(err error, taken bool) error {
	if err == nil && taken {
		return store.ErrExists
	}
	return err
}

// GetOrganization returns the organization with this id.
func (t *Tx) GetOrganization(id string) (store.Organization, error) {
	o, err := scanOrganization(t.row("SELECT document FROM organizations WHERE id = ?", id))
	return o, t.wrapf(err, "organization %q", id)
}

// ListOrganizations returns every organization, by id.
func (t *Tx) ListOrganizations() ([]store.Organization, error) {
	out, err := list(t, scanOrganization, "SELECT document FROM organizations ORDER BY id{C}")
	return out, t.wrapf(err, "list organizations")
}

// DeleteOrganization deletes the organization with this id.
func (t *Tx) DeleteOrganization(id string) error {
	n, err := t.exec("DELETE FROM organizations WHERE id = ?", id)
	if err == nil && n == 0 {
		return notFound("organization %q", id)
	}
	return t.wrapf(err, "delete organization %q", id)
}

func scanOrganization(r scanner) (store.Organization, error) {
	var doc string
	if err := r.Scan(&doc); err != nil {
		return store.Organization{}, err
	}
	var o store.Organization
	if err := json.Unmarshal([]byte(doc), &o); err != nil {
		return store.Organization{}, fmt.Errorf("decode organization: %w", err)
	}
	return o, nil
}
