package storetest

import (
	"github.com/sekisho/sekisho/internal/store"
)

func testUsers(h *h) {
	alice := store.User{Account: acctA, Name: "Alice", Path: "/dev/", ID: h.id("AIDA"),
		PermissionsBoundary: store.PolicyARN(acctA, "/", "Boundary"),
		Tags:                []store.Tag{{Key: "team", Value: "blue"}, {Key: "env", Value: "prod"}}, CreatedAt: at(1)}
	h.update(func(tx store.Tx) error { return tx.CreateUser(alice) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetUser(acctA, "aLiCe")
		h.must(err)
		equal(h, "GetUser", got, alice)
		got, err = tx.GetUserByID(alice.ID)
		h.must(err)
		equal(h, "GetUserByID", got, alice)
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetUser(acctA, "nobody"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetUser(acctB, "alice"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetUserByID("AIDANOSUCHUSER"); return err })

	// Names are unique per account, case-insensitively; ids globally.
	h.fails(store.ErrExists, func(tx store.Tx) error {
		return tx.CreateUser(store.User{Account: acctA, Name: "ALICE", Path: "/", ID: h.id("AIDA")})
	})
	h.fails(store.ErrExists, func(tx store.Tx) error {
		return tx.CreateUser(store.User{Account: acctB, Name: "other", Path: "/", ID: alice.ID})
	})
	h.mkUser(acctB, "alice")

	testUserLists(h)
	testUserUpdates(h, alice)

	h.update(func(tx store.Tx) error { return tx.DeleteUser(acctA, "BOB") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetUser(acctA, "bob"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteUser(acctA, "bob") })
}

func testUserLists(h *h) {
	h.mkUser(acctA, "bob")
	h.update(func(tx store.Tx) error {
		h.must(tx.CreateUser(store.User{Account: acctA, Name: "carol", Path: "/ops/", ID: h.id("AIDA")}))
		return tx.CreateUser(store.User{Account: acctA, Name: "Dave", Path: "/dev/team/", ID: h.id("AIDA")})
	})
	h.update(func(tx store.Tx) error {
		return tx.CreateUser(store.User{Account: acctA, Name: "erin", ID: h.id("AIDA")}) // empty path: "/"
	})
	h.view(func(tx store.Tx) error {
		all, err := tx.ListUsers(acctA, "")
		sameNames(h, "ListUsers", all, err, userName, "Alice,bob,carol,Dave,erin")
		dev, err := tx.ListUsers(acctA, "/dev/")
		sameNames(h, "ListUsers /dev/", dev, err, userName, "Alice,Dave")
		root, err := tx.ListUsers(acctA, "/")
		sameNames(h, "ListUsers /", root, err, userName, "Alice,bob,carol,Dave,erin")
		none, err := tx.ListUsers(acctA, "/DEV/")
		sameNames(h, "ListUsers /DEV/ (paths are case-sensitive)", none, err, userName, "")
		b, err := tx.ListUsers(acctB, "")
		sameNames(h, "ListUsers B", b, err, userName, "alice")
		erin, err := tx.GetUser(acctA, "erin")
		h.must(err)
		if erin.Path != "/" {
			h.Fatalf("empty path stored as %q, want /", erin.Path)
		}
		return nil
	})
}

func testUserUpdates(h *h, alice store.User) {
	renamed := alice
	renamed.Name, renamed.Path, renamed.Tags, renamed.PermissionsBoundary = "Alicia", "/x/", nil, ""
	h.update(func(tx store.Tx) error { return tx.UpdateUser(renamed) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetUser(acctA, "alicia")
		h.must(err)
		equal(h, "renamed user", got, renamed)
		_, err = tx.GetUser(acctA, "alice")
		if err == nil {
			h.Fatal("old name still found after rename")
		}
		return nil
	})
	clash := renamed
	clash.Name = "BOB"
	h.fails(store.ErrExists, func(tx store.Tx) error { return tx.UpdateUser(clash) })
	recase := renamed
	recase.Name = "ALICIA"
	h.update(func(tx store.Tx) error { return tx.UpdateUser(recase) })
	ghost := renamed
	ghost.ID = "AIDANOSUCHUSER"
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UpdateUser(ghost) })
	wrongAccount := renamed
	wrongAccount.Account = acctB
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UpdateUser(wrongAccount) })
}

func testUserDeleteConflicts(h *h) {
	h.mkUser(acctA, "alice")
	g := h.mkGroup(acctA, "devs")
	arn := h.mkPolicy(acctA, "p")
	steps := []struct {
		what        string
		add, remove func(tx store.Tx) error
	}{
		{"access key",
			func(tx store.Tx) error {
				return tx.CreateAccessKey(store.AccessKey{ID: "AKIAUSERDELETE000001", Secret: "s", Account: acctA, UserName: "alice", Active: true})
			},
			func(tx store.Tx) error { return tx.DeleteAccessKey("AKIAUSERDELETE000001") }},
		{"login profile",
			func(tx store.Tx) error {
				return tx.PutLoginProfile(store.LoginProfile{Account: acctA, UserName: "alice", PasswordHash: "h"})
			},
			func(tx store.Tx) error { return tx.DeleteLoginProfile(acctA, "alice") }},
		{"inline policy",
			func(tx store.Tx) error {
				return tx.PutInlinePolicy(store.InlinePolicy{Account: acctA, Kind: store.KindUser, Entity: "alice", Name: "i", Document: allowDoc})
			},
			func(tx store.Tx) error { return tx.DeleteInlinePolicy(acctA, store.KindUser, "alice", "i") }},
		{"attached policy",
			func(tx store.Tx) error {
				return tx.AttachPolicy(store.Attachment{Account: acctA, Kind: store.KindUser, Entity: "alice", PolicyARN: arn})
			},
			func(tx store.Tx) error {
				return tx.DetachPolicy(store.Attachment{Account: acctA, Kind: store.KindUser, Entity: "alice", PolicyARN: arn})
			}},
		{"group membership",
			func(tx store.Tx) error { return tx.AddUserToGroup(acctA, g.Name, "alice") },
			func(tx store.Tx) error { return tx.RemoveUserFromGroup(acctA, g.Name, "alice") }},
	}
	for _, st := range steps {
		h.update(st.add)
		h.Logf("with a %s", st.what)
		h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.DeleteUser(acctA, "alice") })
		h.update(st.remove)
	}
	h.update(func(tx store.Tx) error { return tx.DeleteUser(acctA, "ALICE") })
}

func testAccessKeys(h *h) {
	alice := h.mkUser(acctA, "Alice")
	key := store.AccessKey{ID: "AKIAAAAAAAAAAAAAAAA1", Secret: "secret-one", Account: acctA, UserName: "alice",
		Active: true, CreatedAt: at(2)}
	h.update(func(tx store.Tx) error { return tx.CreateAccessKey(key) })
	root := store.AccessKey{ID: "AKIAROOTROOTROOTROOT", Secret: "root-secret", Account: acctA, Active: true, CreatedAt: at(1)}
	h.update(func(tx store.Tx) error { return tx.CreateAccessKey(root) })
	key.UserName = "Alice" // returned with the stored spelling
	h.view(func(tx store.Tx) error {
		got, err := tx.GetAccessKey(key.ID)
		h.must(err)
		equal(h, "GetAccessKey", got, key)
		got, err = tx.GetAccessKey(root.ID)
		h.must(err)
		equal(h, "GetAccessKey root", got, root)
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetAccessKey("AKIANOSUCHKEY0000000"); return err })
	err := h.fails(store.ErrExists, func(tx store.Tx) error {
		return tx.CreateAccessKey(store.AccessKey{ID: key.ID, Secret: "dup-secret", Account: acctB, Active: true})
	})
	noSecret(h, err, "dup-secret")
	h.fails(store.ErrNotFound, func(tx store.Tx) error {
		return tx.CreateAccessKey(store.AccessKey{ID: "AKIANOUSER0000000000", Secret: "s", Account: acctA, UserName: "nobody"})
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.ListAccessKeys(acctA, "nobody"); return err })

	// Listing: by creation time, then id; root keys apart from users'.
	sameTime := store.AccessKey{ID: "AKIAAAAAAAAAAAAAAAA0", Secret: "s", Account: acctA, UserName: "ALICE", CreatedAt: at(2)}
	h.update(func(tx store.Tx) error { return tx.CreateAccessKey(sameTime) })
	h.view(func(tx store.Tx) error {
		keys, err := tx.ListAccessKeys(acctA, "alice")
		sameNames(h, "ListAccessKeys", keys, err, func(k store.AccessKey) string { return k.ID }, sameTime.ID+","+key.ID)
		roots, err := tx.ListAccessKeys(acctA, "")
		sameNames(h, "ListAccessKeys root", roots, err, func(k store.AccessKey) string { return k.ID }, root.ID)
		other, err := tx.ListAccessKeys(acctB, "")
		sameNames(h, "ListAccessKeys root B", other, err, func(k store.AccessKey) string { return k.ID }, "")
		return nil
	})

	// Status and last use; renaming the user shows in its keys.
	key.Active, key.LastUsed = false, at(30)
	h.update(func(tx store.Tx) error { return tx.UpdateAccessKey(key) })
	renamed := alice
	renamed.Name = "Alicia"
	h.update(func(tx store.Tx) error { return tx.UpdateUser(renamed) })
	key.UserName = "Alicia"
	h.view(func(tx store.Tx) error {
		got, err := tx.GetAccessKey(key.ID)
		h.must(err)
		equal(h, "updated key", got, key)
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error {
		return tx.UpdateAccessKey(store.AccessKey{ID: "AKIANOSUCHKEY0000000", Active: true})
	})
	h.update(func(tx store.Tx) error { return tx.DeleteAccessKey(key.ID) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteAccessKey(key.ID) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetAccessKey(key.ID); return err })
}

func testAccessKeyLimits(h *h) {
	h.mkUser(acctA, "alice")
	h.mkUser(acctA, "bob")
	mk := func(id, user string) store.AccessKey {
		return store.AccessKey{ID: id, Secret: "limit-secret-" + id, Account: acctA, UserName: user, Active: true}
	}
	h.update(func(tx store.Tx) error {
		for _, k := range []store.AccessKey{mk("AKIA1", "alice"), mk("AKIA2", "alice"), mk("AKIA3", "bob"),
			mk("AKIA4", ""), mk("AKIA5", "")} {
			h.must(tx.CreateAccessKey(k))
		}
		return nil
	})
	err := h.fails(store.ErrLimit, func(tx store.Tx) error { return tx.CreateAccessKey(mk("AKIA6", "alice")) })
	noSecret(h, err, "limit-secret-AKIA6")
	h.fails(store.ErrLimit, func(tx store.Tx) error { return tx.CreateAccessKey(mk("AKIA7", "")) })
	h.update(func(tx store.Tx) error { return tx.CreateAccessKey(mk("AKIA8", "bob")) })
	h.update(func(tx store.Tx) error {
		return tx.CreateAccessKey(store.AccessKey{ID: "AKIA9", Secret: "s", Account: acctB, Active: true})
	})
	// A deleted key frees its place.
	h.update(func(tx store.Tx) error {
		h.must(tx.DeleteAccessKey("AKIA1"))
		return tx.CreateAccessKey(mk("AKIA10", "alice"))
	})
}

func testLoginProfiles(h *h) {
	h.mkUser(acctA, "Alice")
	const hash = "$2a$10$secret-password-hash"
	err := h.fails(store.ErrNotFound, func(tx store.Tx) error {
		return tx.PutLoginProfile(store.LoginProfile{Account: acctA, UserName: "nobody", PasswordHash: hash})
	})
	noSecret(h, err, hash)
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetLoginProfile(acctA, "alice"); return err })
	p := store.LoginProfile{Account: acctA, UserName: "alice", PasswordHash: hash, ResetRequired: true, CreatedAt: at(3)}
	h.update(func(tx store.Tx) error { return tx.PutLoginProfile(p) })
	p.UserName = "Alice"
	h.view(func(tx store.Tx) error {
		got, err := tx.GetLoginProfile(acctA, "ALICE")
		h.must(err)
		equal(h, "GetLoginProfile", got, p)
		return nil
	})
	p.PasswordHash, p.ResetRequired = "other-hash", false
	h.update(func(tx store.Tx) error { return tx.PutLoginProfile(p) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetLoginProfile(acctA, "alice")
		h.must(err)
		if got.PasswordHash != "other-hash" || got.ResetRequired {
			h.Fatal("PutLoginProfile did not replace the profile")
		}
		return nil
	})
	h.update(func(tx store.Tx) error { return tx.DeleteLoginProfile(acctA, "alice") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteLoginProfile(acctA, "alice") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteLoginProfile(acctA, "nobody") })
}
