package storetest

import (
	"github.com/sekisho/sekisho/internal/store"
)

// testOrganizations: an organization is stored whole, round-trips every
// field, is unique per id and management account, and a write of a stale
// revision fails rather than undo a concurrent one.
func testOrganizations(h *h) {
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetOrganization("o-aaaaaaaaaa"); return err })
	org := store.Organization{
		ID: "o-aaaaaaaaaa", ManagementAccount: acctA, RootID: "r-ab12",
		PolicyTypes: []string{"SERVICE_CONTROL_POLICY"},
		Units:       []store.OrgUnit{{ID: "ou-ab12-abcdefgh", Name: "Prod", Parent: "r-ab12", Tags: []store.Tag{{Key: "k", Value: "v"}}}},
		Accounts:    []store.OrgAccount{{ID: acctA, Name: "mgmt", Parent: "r-ab12", Status: "ACTIVE", Joined: "CREATED"}, {ID: acctB, Name: "b", Parent: "ou-ab12-abcdefgh", Status: "ACTIVE", Joined: "INVITED"}},
		Policies:    []store.OrgPolicy{{ID: "p-abcdefgh", Name: "NoDelete", Type: "SERVICE_CONTROL_POLICY", Content: denyDoc}},
		Attachments: []store.OrgAttachment{{PolicyID: "p-abcdefgh", TargetID: "ou-ab12-abcdefgh"}},
	}
	h.update(func(tx store.Tx) error { return tx.PutOrganization(org) })
	h.fails(store.ErrExists, func(tx store.Tx) error { return tx.PutOrganization(org) })
	other := org
	other.ID = "o-bbbbbbbbbb"
	h.fails(store.ErrExists, func(tx store.Tx) error { return tx.PutOrganization(other) }) // same management account
	var read store.Organization
	h.view(func(tx store.Tx) error {
		var err error
		read, err = tx.GetOrganization(org.ID)
		h.must(err)
		if read.Revision != 1 || len(read.Units) != 1 || read.Units[0].Tags[0].Value != "v" ||
			len(read.Accounts) != 2 || read.Accounts[1].Parent != "ou-ab12-abcdefgh" ||
			read.Policies[0].Content != denyDoc || read.Attachments[0].TargetID != "ou-ab12-abcdefgh" {
			h.Fatalf("GetOrganization = %+v", read)
		}
		return nil
	})
	moved := read
	moved.Accounts = append([]store.OrgAccount(nil), read.Accounts...)
	moved.Accounts[1].Parent = "r-ab12"
	h.update(func(tx store.Tx) error { return tx.PutOrganization(moved) })
	h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.PutOrganization(read) }) // stale revision
	h.view(func(tx store.Tx) error {
		list, err := tx.ListOrganizations()
		h.must(err)
		if len(list) != 1 || list[0].Revision != 2 || list[0].Accounts[1].Parent != "r-ab12" {
			h.Fatalf("ListOrganizations = %+v", list)
		}
		return nil
	})
	h.update(func(tx store.Tx) error { return tx.DeleteOrganization(org.ID) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteOrganization(org.ID) })
	h.update(func(tx store.Tx) error { return tx.PutOrganization(other) }) // the management account is free again
}
