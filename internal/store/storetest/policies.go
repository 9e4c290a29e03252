package storetest

import (
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

func testPolicies(h *h) {
	p := store.ManagedPolicy{Account: acctA, Name: "ReadOnly", Path: "/team/", ID: h.id("ANPA"), Description: "reads",
		DefaultVersionID: "v1", Tags: []store.Tag{{Key: "a", Value: "b"}}, CreatedAt: at(7), UpdatedAt: at(8)}
	v1 := store.PolicyVersion{VersionID: "v1", Document: allowDoc, CreatedAt: at(7)}
	h.update(func(tx store.Tx) error { return tx.CreatePolicy(p, v1) })
	arn := store.PolicyARN(acctA, "/team/", "ReadOnly")
	if arn != "arn:aws:iam::111111111111:policy/team/ReadOnly" {
		h.Fatalf("PolicyARN = %q", arn)
	}
	awsArn := h.mkPolicy("aws", "AdministratorAccess")
	h.mkPolicy(acctA, "admin")
	h.mkPolicy(acctB, "readonly")
	v1.PolicyARN = arn
	h.view(func(tx store.Tx) error {
		got, err := tx.GetPolicy(arn)
		h.must(err)
		equal(h, "GetPolicy", got, p)
		v, err := tx.GetPolicyVersion(arn, "v1")
		h.must(err)
		equal(h, "GetPolicyVersion", v, v1)
		got, err = tx.GetPolicy(awsArn)
		h.must(err)
		if got.Account != "aws" || got.Name != "AdministratorAccess" {
			h.Fatalf("AWS managed policy: %+v", got)
		}
		all, err := tx.ListPolicies(acctA, "")
		sameNames(h, "ListPolicies", all, err, policyName, "admin,ReadOnly")
		team, err := tx.ListPolicies(acctA, "/team/")
		sameNames(h, "ListPolicies /team/", team, err, policyName, "ReadOnly")
		aws, err := tx.ListPolicies("aws", "")
		sameNames(h, "ListPolicies aws", aws, err, policyName, "AdministratorAccess")
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error {
		_, err := tx.GetPolicy(store.PolicyARN(acctA, "/", "ReadOnly")) // wrong path
		return err
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetPolicy(store.PolicyARN(acctA, "/", "nope")); return err })
	// Names are unique per account whatever the path or case.
	h.fails(store.ErrExists, func(tx store.Tx) error {
		dup := store.ManagedPolicy{Account: acctA, Name: "READONLY", Path: "/", ID: h.id("ANPA"), DefaultVersionID: "v1"}
		return tx.CreatePolicy(dup, store.PolicyVersion{VersionID: "v1", Document: allowDoc})
	})
	h.fails(store.ErrExists, func(tx store.Tx) error {
		dup := store.ManagedPolicy{Account: acctA, Name: "fresh", Path: "/", ID: p.ID, DefaultVersionID: "v1"}
		return tx.CreatePolicy(dup, store.PolicyVersion{VersionID: "v1", Document: allowDoc})
	})
}

func testPolicyVersions(h *h) {
	arn := h.mkPolicy(acctA, "p")
	version := func(id string) store.PolicyVersion {
		return store.PolicyVersion{PolicyARN: arn, VersionID: id, Document: fmt.Sprintf(`{"Id":%q}`, id), CreatedAt: at(9)}
	}
	h.update(func(tx store.Tx) error {
		for _, id := range []string{"v2", "v10", "v3"} {
			h.must(tx.CreatePolicyVersion(version(id)))
		}
		return nil
	})
	h.fails(store.ErrExists, func(tx store.Tx) error { return tx.CreatePolicyVersion(version("v3")) })
	h.update(func(tx store.Tx) error { return tx.CreatePolicyVersion(version("v4")) })
	h.fails(store.ErrLimit, func(tx store.Tx) error { return tx.CreatePolicyVersion(version("v11")) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error {
		v := version("v2")
		v.PolicyARN = store.PolicyARN(acctA, "/", "nope")
		return tx.CreatePolicyVersion(v)
	})
	h.view(func(tx store.Tx) error {
		vs, err := tx.ListPolicyVersions(arn)
		sameNames(h, "ListPolicyVersions", vs, err, func(v store.PolicyVersion) string { return v.VersionID }, "v1,v2,v3,v4,v10")
		equal(h, "listed version", vs[4], version("v10"))
		got, err := tx.GetPolicyVersion(arn, "v10")
		h.must(err)
		equal(h, "GetPolicyVersion", got, version("v10"))
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetPolicyVersion(arn, "v9"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.ListPolicyVersions(arn + "x"); return err })

	// The default version moves with UpdatePolicy and cannot be deleted.
	var p store.ManagedPolicy
	h.view(func(tx store.Tx) error {
		var err error
		p, err = tx.GetPolicy(arn)
		return err
	})
	p.DefaultVersionID, p.Description, p.UpdatedAt = "v10", "now v10", at(99)
	p.Tags = []store.Tag{{Key: "x", Value: "y"}}
	h.update(func(tx store.Tx) error { return tx.UpdatePolicy(p) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetPolicy(arn)
		h.must(err)
		equal(h, "updated policy", got, p)
		return nil
	})
	bad := p
	bad.DefaultVersionID = "v9"
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UpdatePolicy(bad) })
	ghost := p
	ghost.ID = "ANPANOSUCHPOLICY"
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UpdatePolicy(ghost) })
	h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.DeletePolicyVersion(arn, "v10") })
	h.update(func(tx store.Tx) error { return tx.DeletePolicyVersion(arn, "v1") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeletePolicyVersion(arn, "v1") })
	h.update(func(tx store.Tx) error { return tx.CreatePolicyVersion(version("v11")) }) // room again
}

func testPolicyDeleteConflicts(h *h) {
	arn := h.mkPolicy(acctA, "p")
	h.mkRole(acctA, "r")
	attachment := store.Attachment{Account: acctA, Kind: store.KindRole, Entity: "r", PolicyARN: arn}
	h.update(func(tx store.Tx) error {
		return tx.CreatePolicyVersion(store.PolicyVersion{PolicyARN: arn, VersionID: "v2", Document: denyDoc})
	})
	h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.DeletePolicy(arn) }) // v2 left
	h.update(func(tx store.Tx) error {
		h.must(tx.DeletePolicyVersion(arn, "v2"))
		return tx.AttachPolicy(attachment)
	})
	h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.DeletePolicy(arn) }) // attached
	h.update(func(tx store.Tx) error {
		h.must(tx.DetachPolicy(attachment))
		return tx.DeletePolicy(arn)
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetPolicy(arn); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetPolicyVersion(arn, "v1"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeletePolicy(arn) })
	h.mkPolicy(acctA, "p") // the name is free again
}

// kinds are the entity kinds with a fixture creating one named name.
func kinds(h *h) []struct {
	kind store.EntityKind
	make func(name string)
} {
	return []struct {
		kind store.EntityKind
		make func(name string)
	}{
		{store.KindUser, func(n string) { h.mkUser(acctA, n) }},
		{store.KindGroup, func(n string) { h.mkGroup(acctA, n) }},
		{store.KindRole, func(n string) { h.mkRole(acctA, n) }},
	}
}

func testInlinePolicies(h *h) {
	for _, k := range kinds(h) {
		h.Logf("kind %s", k.kind)
		k.make("Owner")
		put := func(name, doc string) func(tx store.Tx) error {
			return func(tx store.Tx) error {
				return tx.PutInlinePolicy(store.InlinePolicy{Account: acctA, Kind: k.kind, Entity: "owner", Name: name, Document: doc})
			}
		}
		h.update(put("b", allowDoc))
		h.update(put("Read", allowDoc))
		h.update(put("READ", denyDoc)) // replaces Read
		h.update(put("c", allowDoc))
		h.fails(store.ErrNotFound, func(tx store.Tx) error {
			return tx.PutInlinePolicy(store.InlinePolicy{Account: acctA, Kind: k.kind, Entity: "nobody", Name: "x", Document: allowDoc})
		})
		h.view(func(tx store.Tx) error {
			got, err := tx.GetInlinePolicy(acctA, k.kind, "OWNER", "read")
			h.must(err)
			if got.Entity != "Owner" || got.Kind != k.kind || got.Account != acctA || got.Document != denyDoc {
				h.Fatalf("GetInlinePolicy: %+v", got)
			}
			ps, err := tx.ListInlinePolicies(acctA, k.kind, "owner")
			sameNames(h, "ListInlinePolicies", ps, err, func(p store.InlinePolicy) string { return p.Name[:1] }, "b,c,R")
			return nil
		})
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetInlinePolicy(acctA, k.kind, "owner", "x"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetInlinePolicy(acctA, k.kind, "nobody", "b"); return err })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.ListInlinePolicies(acctA, k.kind, "nobody"); return err })
		h.update(func(tx store.Tx) error { return tx.DeleteInlinePolicy(acctA, k.kind, "owner", "READ") })
		h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteInlinePolicy(acctA, k.kind, "owner", "read") })
		h.view(func(tx store.Tx) error {
			ps, err := tx.ListInlinePolicies(acctA, k.kind, "owner")
			sameNames(h, "ListInlinePolicies after delete", ps, err, func(p store.InlinePolicy) string { return p.Name }, "b,c")
			return nil
		})
	}
}

func testAttachments(h *h) {
	beta, alpha := h.mkPolicy(acctA, "Beta"), h.mkPolicy(acctA, "alpha")
	awsArn := h.mkPolicy("aws", "ReadOnlyAccess")
	for _, k := range kinds(h) {
		k.make("Owner")
		h.update(func(tx store.Tx) error {
			for _, arn := range []string{beta, alpha, beta} { // beta twice: a no-op
				h.must(tx.AttachPolicy(store.Attachment{Account: acctA, Kind: k.kind, Entity: "OWNER", PolicyARN: arn}))
			}
			return nil
		})
		h.view(func(tx store.Tx) error {
			as, err := tx.ListAttachedPolicies(acctA, k.kind, "owner")
			h.must(err)
			want := []store.Attachment{att(k.kind, "Owner", alpha), att(k.kind, "Owner", beta)}
			equal(h, "ListAttachedPolicies "+string(k.kind), as, want)
			return nil
		})
		h.fails(store.ErrNotFound, func(tx store.Tx) error {
			return tx.AttachPolicy(store.Attachment{Account: acctA, Kind: k.kind, Entity: "nobody", PolicyARN: beta})
		})
		h.fails(store.ErrNotFound, func(tx store.Tx) error {
			return tx.AttachPolicy(store.Attachment{Account: acctA, Kind: k.kind, Entity: "owner", PolicyARN: beta + "x"})
		})
		h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.ListAttachedPolicies(acctA, k.kind, "nobody"); return err })
		h.update(func(tx store.Tx) error {
			return tx.AttachPolicy(store.Attachment{Account: acctA, Kind: k.kind, Entity: "owner", PolicyARN: awsArn})
		})
	}
	h.view(func(tx store.Tx) error {
		as, err := tx.ListPolicyAttachments(beta)
		h.must(err)
		want := []store.Attachment{att(store.KindGroup, "Owner", beta), att(store.KindRole, "Owner", beta),
			att(store.KindUser, "Owner", beta)}
		equal(h, "ListPolicyAttachments", as, want)
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.ListPolicyAttachments(beta + "x"); return err })
	detach := store.Attachment{Account: acctA, Kind: store.KindRole, Entity: "owner", PolicyARN: beta}
	h.update(func(tx store.Tx) error { return tx.DetachPolicy(detach) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DetachPolicy(detach) })
	h.view(func(tx store.Tx) error {
		as, err := tx.ListPolicyAttachments(beta)
		sameNames(h, "ListPolicyAttachments after detach", as, err, func(a store.Attachment) string { return string(a.Kind) }, "group,user")
		return nil
	})
}

func testAttachmentLimit(h *h) {
	arns := make([]string, store.MaxAttached+1)
	for i := range arns {
		arns[i] = h.mkPolicy(acctA, fmt.Sprintf("p%02d", i))
	}
	for _, k := range kinds(h) {
		k.make("owner")
		attach := func(arn string) func(tx store.Tx) error {
			return func(tx store.Tx) error {
				return tx.AttachPolicy(store.Attachment{Account: acctA, Kind: k.kind, Entity: "owner", PolicyARN: arn})
			}
		}
		h.update(func(tx store.Tx) error {
			for _, arn := range arns[:store.MaxAttached] {
				h.must(attach(arn)(tx))
			}
			return nil
		})
		h.fails(store.ErrLimit, attach(arns[store.MaxAttached]))
		h.update(attach(arns[0])) // already attached: fine
	}
}

// att is an attachment in account A.
func att(kind store.EntityKind, entity, arn string) store.Attachment {
	return store.Attachment{Account: acctA, Kind: kind, Entity: entity, PolicyARN: arn}
}
