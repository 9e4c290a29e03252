package storetest

import (
	"github.com/sekisho/sekisho/internal/store"
)

func oidcARN(account, hostPath string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + hostPath
}

func oidcURL(p store.OIDCProvider) string { return p.URL }

func testOIDCProviders(h *h) {
	github := store.OIDCProvider{ARN: oidcARN(acctA, "token.actions.githubusercontent.com"), Account: acctA,
		URL: "https://token.actions.githubusercontent.com", ClientIDs: []string{"sts.amazonaws.com"},
		Thumbprints: []string{"6938fd4d98bab03faadb97b34396831e3780aea1"}, JWKS: `{"keys":[]}`,
		Tags: []store.Tag{{Key: "team", Value: "ci"}}, CreatedAt: at(0)}
	eks := store.OIDCProvider{ARN: oidcARN(acctA, "oidc.eks.us-east-1.amazonaws.com/id/ABC"), Account: acctA,
		URL: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC", CreatedAt: at(1)}
	h.update(func(tx store.Tx) error { return tx.CreateOIDCProvider(eks) })
	h.update(func(tx store.Tx) error { return tx.CreateOIDCProvider(github) })
	h.update(func(tx store.Tx) error {
		other := github
		other.ARN, other.Account = oidcARN(acctB, "token.actions.githubusercontent.com"), acctB
		return tx.CreateOIDCProvider(other)
	})
	h.fails(store.ErrExists, func(tx store.Tx) error { return tx.CreateOIDCProvider(github) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetOIDCProvider(oidcARN(acctA, "nope")); return err })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetOIDCProvider(github.ARN)
		h.must(err)
		equal(h, "GetOIDCProvider", got, github)
		all, err := tx.ListOIDCProviders(acctA)
		sameNames(h, "ListOIDCProviders", all, err, oidcURL,
			"https://oidc.eks.us-east-1.amazonaws.com/id/ABC,https://token.actions.githubusercontent.com")
		return nil
	})

	changed := github
	changed.ClientIDs = []string{"sts.amazonaws.com", "my-app"}
	changed.Thumbprints = nil
	changed.JWKS = `{"keys":[{"kty":"EC"}]}`
	changed.Tags = nil
	h.update(func(tx store.Tx) error { return tx.UpdateOIDCProvider(changed) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetOIDCProvider(github.ARN)
		h.must(err)
		equal(h, "updated provider", got, changed)
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error {
		missing := changed
		missing.ARN = oidcARN(acctA, "nope")
		return tx.UpdateOIDCProvider(missing)
	})
	h.update(func(tx store.Tx) error { return tx.DeleteOIDCProvider(github.ARN) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteOIDCProvider(github.ARN) })
	h.view(func(tx store.Tx) error {
		all, err := tx.ListOIDCProviders(acctA)
		sameNames(h, "after delete", all, err, oidcURL, "https://oidc.eks.us-east-1.amazonaws.com/id/ABC")
		return nil
	})
}
