package storetest

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

func testGroups(h *h) {
	devs := store.Group{Account: acctA, Name: "Devs", Path: "/eng/", ID: h.id("AGPA"), CreatedAt: at(4)}
	h.update(func(tx store.Tx) error { return tx.CreateGroup(devs) })
	h.mkGroup(acctA, "admins")
	h.mkGroup(acctA, "Ops")
	h.mkGroup(acctB, "devs")
	h.view(func(tx store.Tx) error {
		got, err := tx.GetGroup(acctA, "DEVS")
		h.must(err)
		equal(h, "GetGroup", got, devs)
		all, err := tx.ListGroups(acctA, "")
		sameNames(h, "ListGroups", all, err, groupName, "admins,Devs,Ops")
		eng, err := tx.ListGroups(acctA, "/eng")
		sameNames(h, "ListGroups /eng", eng, err, groupName, "Devs")
		return nil
	})
	h.fails(store.ErrExists, func(tx store.Tx) error {
		return tx.CreateGroup(store.Group{Account: acctA, Name: "devs", Path: "/", ID: h.id("AGPA")})
	})
	h.fails(store.ErrExists, func(tx store.Tx) error {
		return tx.CreateGroup(store.Group{Account: acctA, Name: "other", Path: "/", ID: devs.ID})
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetGroup(acctA, "nobody"); return err })
	h.update(func(tx store.Tx) error { return tx.DeleteGroup(acctA, "ops") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteGroup(acctA, "ops") })
}

func testGroupMembership(h *h) {
	h.mkUser(acctA, "alice")
	h.mkUser(acctA, "Bob")
	h.mkGroup(acctA, "devs")
	h.mkGroup(acctA, "Admins")
	h.update(func(tx store.Tx) error {
		h.must(tx.AddUserToGroup(acctA, "DEVS", "ALICE"))
		h.must(tx.AddUserToGroup(acctA, "devs", "alice")) // again: a no-op
		h.must(tx.AddUserToGroup(acctA, "devs", "bob"))
		return tx.AddUserToGroup(acctA, "admins", "alice")
	})
	h.view(func(tx store.Tx) error {
		gs, err := tx.ListGroupsForUser(acctA, "alice")
		sameNames(h, "ListGroupsForUser", gs, err, groupName, "Admins,devs")
		us, err := tx.ListUsersInGroup(acctA, "devs")
		sameNames(h, "ListUsersInGroup", us, err, userName, "alice,Bob")
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.AddUserToGroup(acctA, "nogroup", "alice") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.AddUserToGroup(acctA, "devs", "nobody") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.AddUserToGroup(acctB, "devs", "alice") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.ListGroupsForUser(acctA, "nobody"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.ListUsersInGroup(acctA, "nogroup"); return err })
	h.update(func(tx store.Tx) error { return tx.RemoveUserFromGroup(acctA, "Devs", "BOB") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.RemoveUserFromGroup(acctA, "devs", "bob") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.RemoveUserFromGroup(acctA, "nogroup", "bob") })
	h.view(func(tx store.Tx) error {
		us, err := tx.ListUsersInGroup(acctA, "devs")
		sameNames(h, "ListUsersInGroup after remove", us, err, userName, "alice")
		gs, err := tx.ListGroupsForUser(acctA, "bob")
		sameNames(h, "ListGroupsForUser after remove", gs, err, groupName, "")
		return nil
	})
}

func testGroupLimit(h *h) {
	h.mkUser(acctA, "alice")
	h.update(func(tx store.Tx) error {
		for i := range store.MaxGroupsPerUser + 1 {
			g := store.Group{Account: acctA, Name: fmt.Sprintf("g%02d", i), Path: "/", ID: h.id("AGPA")}
			h.must(tx.CreateGroup(g))
		}
		for i := range store.MaxGroupsPerUser {
			h.must(tx.AddUserToGroup(acctA, fmt.Sprintf("g%02d", i), "alice"))
		}
		return nil
	})
	last := fmt.Sprintf("g%02d", store.MaxGroupsPerUser)
	h.fails(store.ErrLimit, func(tx store.Tx) error { return tx.AddUserToGroup(acctA, last, "alice") })
	h.update(func(tx store.Tx) error { return tx.AddUserToGroup(acctA, "g00", "alice") }) // already in: fine
}

func testGroupDeleteConflicts(h *h) {
	h.mkUser(acctA, "alice")
	h.mkGroup(acctA, "devs")
	arn := h.mkPolicy(acctA, "p")
	attachment := store.Attachment{Account: acctA, Kind: store.KindGroup, Entity: "devs", PolicyARN: arn}
	steps := []struct {
		what        string
		add, remove func(tx store.Tx) error
	}{
		{"member",
			func(tx store.Tx) error { return tx.AddUserToGroup(acctA, "devs", "alice") },
			func(tx store.Tx) error { return tx.RemoveUserFromGroup(acctA, "devs", "alice") }},
		{"inline policy",
			func(tx store.Tx) error {
				return tx.PutInlinePolicy(store.InlinePolicy{Account: acctA, Kind: store.KindGroup, Entity: "devs", Name: "i", Document: allowDoc})
			},
			func(tx store.Tx) error { return tx.DeleteInlinePolicy(acctA, store.KindGroup, "devs", "i") }},
		{"attached policy",
			func(tx store.Tx) error { return tx.AttachPolicy(attachment) },
			func(tx store.Tx) error { return tx.DetachPolicy(attachment) }},
	}
	for _, st := range steps {
		h.update(st.add)
		h.Logf("with a %s", st.what)
		h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.DeleteGroup(acctA, "devs") })
		h.update(st.remove)
	}
	h.update(func(tx store.Tx) error { return tx.DeleteGroup(acctA, "DEVS") })
}
