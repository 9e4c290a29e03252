package storetest

import (
	"github.com/sekisho/sekisho/internal/store"
)

func testRoles(h *h) {
	deploy := store.Role{Account: acctA, Name: "Deploy", Path: "/ci/", ID: h.id("AROA"), TrustPolicy: trustDoc,
		Description: "deploys things", MaxSessionDuration: 7200, PermissionsBoundary: store.PolicyARN(acctA, "/", "b"),
		Tags: []store.Tag{{Key: "k", Value: "v"}}, CreatedAt: at(5)}
	h.update(func(tx store.Tx) error { return tx.CreateRole(deploy) })
	h.mkRole(acctA, "admin")
	h.mkRole(acctA, "Zeta")
	h.mkRole(acctB, "deploy")
	h.view(func(tx store.Tx) error {
		got, err := tx.GetRole(acctA, "deploy")
		h.must(err)
		equal(h, "GetRole", got, deploy)
		got, err = tx.GetRoleByID(deploy.ID)
		h.must(err)
		equal(h, "GetRoleByID", got, deploy)
		all, err := tx.ListRoles(acctA, "")
		sameNames(h, "ListRoles", all, err, roleName, "admin,Deploy,Zeta")
		ci, err := tx.ListRoles(acctA, "/ci/")
		sameNames(h, "ListRoles /ci/", ci, err, roleName, "Deploy")
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetRole(acctA, "nobody"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetRoleByID("AROANOSUCHROLE"); return err })
	h.fails(store.ErrExists, func(tx store.Tx) error {
		return tx.CreateRole(store.Role{Account: acctA, Name: "DEPLOY", Path: "/", ID: h.id("AROA"), TrustPolicy: trustDoc})
	})
	h.fails(store.ErrExists, func(tx store.Tx) error {
		return tx.CreateRole(store.Role{Account: acctA, Name: "other", Path: "/", ID: deploy.ID, TrustPolicy: trustDoc})
	})

	updated := deploy
	updated.TrustPolicy, updated.Description, updated.MaxSessionDuration = allowDoc, "", 43200
	updated.Tags, updated.PermissionsBoundary, updated.LastUsed = nil, "", at(60)
	h.update(func(tx store.Tx) error { return tx.UpdateRole(updated) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetRole(acctA, "Deploy")
		h.must(err)
		equal(h, "updated role", got, updated)
		return nil
	})
	ghost := updated
	ghost.ID = "AROANOSUCHROLE"
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UpdateRole(ghost) })

	h.update(func(tx store.Tx) error { return tx.DeleteRole(acctA, "ZETA") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteRole(acctA, "zeta") })
}

func testRoleDeleteConflicts(h *h) {
	h.mkRole(acctA, "r")
	arn := h.mkPolicy(acctA, "p")
	attachment := store.Attachment{Account: acctA, Kind: store.KindRole, Entity: "r", PolicyARN: arn}
	profile := store.InstanceProfile{Account: acctA, Name: "ip", Path: "/", ID: h.id("AIPA")}
	h.update(func(tx store.Tx) error { return tx.CreateInstanceProfile(profile) })
	steps := []struct {
		what        string
		add, remove func(tx store.Tx) error
	}{
		{"inline policy",
			func(tx store.Tx) error {
				return tx.PutInlinePolicy(store.InlinePolicy{Account: acctA, Kind: store.KindRole, Entity: "r", Name: "i", Document: allowDoc})
			},
			func(tx store.Tx) error { return tx.DeleteInlinePolicy(acctA, store.KindRole, "r", "i") }},
		{"attached policy",
			func(tx store.Tx) error { return tx.AttachPolicy(attachment) },
			func(tx store.Tx) error { return tx.DetachPolicy(attachment) }},
		{"instance profile",
			func(tx store.Tx) error {
				p := profile
				p.Roles = []string{"R"}
				return tx.UpdateInstanceProfile(p)
			},
			func(tx store.Tx) error { return tx.UpdateInstanceProfile(profile) }},
	}
	for _, st := range steps {
		h.update(st.add)
		h.Logf("with a %s", st.what)
		h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.DeleteRole(acctA, "r") })
		h.update(st.remove)
	}
	h.update(func(tx store.Tx) error { return tx.DeleteRole(acctA, "R") })
}

func testInstanceProfiles(h *h) {
	h.mkRole(acctA, "Web")
	h.mkRole(acctA, "db")
	web := store.InstanceProfile{Account: acctA, Name: "WebProfile", Path: "/app/", ID: h.id("AIPA"),
		Roles: []string{"web"}, Tags: []store.Tag{{Key: "team", Value: "web"}}, CreatedAt: at(6)}
	empty := store.InstanceProfile{Account: acctA, Name: "empty", Path: "/", ID: h.id("AIPA"), CreatedAt: at(6)}
	h.update(func(tx store.Tx) error {
		h.must(tx.CreateInstanceProfile(web))
		return tx.CreateInstanceProfile(empty)
	})
	web.Roles = []string{"Web"} // the stored spelling
	h.view(func(tx store.Tx) error {
		got, err := tx.GetInstanceProfile(acctA, "webprofile")
		h.must(err)
		equal(h, "GetInstanceProfile", got, web)
		got, err = tx.GetInstanceProfile(acctA, "EMPTY")
		h.must(err)
		equal(h, "GetInstanceProfile empty", got, empty)
		all, err := tx.ListInstanceProfiles(acctA, "")
		sameNames(h, "ListInstanceProfiles", all, err, profileName, "empty,WebProfile")
		equal(h, "listed profile", all[1], web)
		app, err := tx.ListInstanceProfiles(acctA, "/app/")
		sameNames(h, "ListInstanceProfiles /app/", app, err, profileName, "WebProfile")
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetInstanceProfile(acctA, "nope"); return err })
	h.fails(store.ErrExists, func(tx store.Tx) error {
		return tx.CreateInstanceProfile(store.InstanceProfile{Account: acctA, Name: "EMPTY", Path: "/", ID: h.id("AIPA")})
	})

	// One role per profile; roles must exist.
	two := empty
	two.Roles = []string{"web", "db"}
	h.fails(store.ErrLimit, func(tx store.Tx) error { return tx.UpdateInstanceProfile(two) })
	h.fails(store.ErrLimit, func(tx store.Tx) error {
		return tx.CreateInstanceProfile(store.InstanceProfile{Account: acctA, Name: "two", Path: "/", ID: h.id("AIPA"), Roles: two.Roles})
	})
	missing := empty
	missing.Roles = []string{"nope"}
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UpdateInstanceProfile(missing) })
	ghost := empty
	ghost.ID = "AIPANOSUCHPROFILE"
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UpdateInstanceProfile(ghost) })
	withDB := empty
	withDB.Roles = []string{"DB"}
	h.update(func(tx store.Tx) error { return tx.UpdateInstanceProfile(withDB) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetInstanceProfile(acctA, "empty")
		h.must(err)
		if len(got.Roles) != 1 || got.Roles[0] != "db" {
			h.Fatalf("roles after update: %v, want [db]", got.Roles)
		}
		return nil
	})

	// Tags are replaced with the roles, and kept with them.
	retagged := web
	retagged.Tags = []store.Tag{{Key: "team", Value: "platform"}, {Key: "env", Value: "prod"}}
	h.update(func(tx store.Tx) error { return tx.UpdateInstanceProfile(retagged) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetInstanceProfile(acctA, "WebProfile")
		h.must(err)
		equal(h, "GetInstanceProfile after retagging", got, retagged)
		return nil
	})

	// A profile holding a role cannot be deleted.
	h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.DeleteInstanceProfile(acctA, "empty") })
	h.update(func(tx store.Tx) error {
		h.must(tx.UpdateInstanceProfile(empty))
		return tx.DeleteInstanceProfile(acctA, "Empty")
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteInstanceProfile(acctA, "empty") })
}
