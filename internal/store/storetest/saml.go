package storetest

import (
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

func samlARN(account, name string) string {
	return "arn:aws:iam::" + account + ":saml-provider/" + name
}

func (h *h) mkSAMLProvider(account, name string) store.SAMLProvider {
	h.Helper()
	p := store.SAMLProvider{ARN: samlARN(account, name), Account: account, Name: name, UUID: "u-" + name,
		Metadata: "<EntityDescriptor/>", ValidUntil: at(100), Tags: []store.Tag{{Key: "k", Value: "v"}}, CreatedAt: at(0)}
	h.update(func(tx store.Tx) error { return tx.CreateSAMLProvider(p) })
	return p
}

func samlName(p store.SAMLProvider) string { return p.Name }

func testSAMLProviders(h *h) {
	okta := h.mkSAMLProvider(acctA, "Okta")
	h.mkSAMLProvider(acctA, "adfs")
	h.mkSAMLProvider(acctB, "okta")
	h.view(func(tx store.Tx) error {
		got, err := tx.GetSAMLProvider(samlARN(acctA, "OKTA")) // ARNs compare case-insensitively
		h.must(err)
		equal(h, "GetSAMLProvider", got, okta)
		all, err := tx.ListSAMLProviders(acctA)
		sameNames(h, "ListSAMLProviders", all, err, samlName, "adfs,Okta")
		return nil
	})
	// Names are unique per account, whatever the case.
	h.fails(store.ErrExists, func(tx store.Tx) error {
		p := okta
		p.ARN, p.Name = samlARN(acctA, "OKTA"), "OKTA"
		return tx.CreateSAMLProvider(p)
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetSAMLProvider(samlARN(acctA, "nope")); return err })

	// Update replaces metadata, expiry (here: none) and tags.
	updated := okta
	updated.Metadata, updated.ValidUntil, updated.Tags = "<EntityDescriptor v='2'/>", time.Time{}, nil
	h.update(func(tx store.Tx) error { return tx.UpdateSAMLProvider(updated) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetSAMLProvider(okta.ARN)
		h.must(err)
		equal(h, "updated SAML provider", got, updated)
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error {
		p := okta
		p.ARN = samlARN(acctA, "nope")
		return tx.UpdateSAMLProvider(p)
	})

	h.update(func(tx store.Tx) error { return tx.DeleteSAMLProvider(samlARN(acctA, "okta")) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteSAMLProvider(okta.ARN) })
	h.view(func(tx store.Tx) error {
		all, err := tx.ListSAMLProviders(acctA)
		sameNames(h, "ListSAMLProviders after delete", all, err, samlName, "adfs")
		return nil
	})
}
