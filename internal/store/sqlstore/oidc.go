package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/sekisho/sekisho/internal/store"
)

const oidcCols = `arn, account, url, client_ids, thumbprints, jwks, tags, created_at FROM oidc_providers`

// CreateOIDCProvider stores a new provider; a taken ARN gives store.ErrExists.
func (t *Tx) CreateOIDCProvider(p store.OIDCProvider) error {
	if err := Required("create OIDC provider", "arn", p.ARN, "account", p.Account, "url", p.URL); err != nil {
		return err
	}
	clients, thumbs, tags, err := encodeOIDCLists(p)
	if err != nil {
		return fmt.Errorf("create OIDC provider %q: %w", p.ARN, err)
	}
	err = t.insert(`INSERT INTO oidc_providers (arn, account, url, client_ids, thumbprints, jwks, tags, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?){DO NOTHING}`,
		p.ARN, p.Account, p.URL, clients, thumbs, p.JWKS, tags, t.stamp(p.CreatedAt))
	return t.wrapf(err, "OIDC provider %q", p.ARN)
}

// GetOIDCProvider returns the provider with this ARN.
func (t *Tx) GetOIDCProvider(arn string) (store.OIDCProvider, error) {
	p, err := scanOIDCProvider(t.row("SELECT "+oidcCols+" WHERE arn = ?", arn))
	return p, t.wrapf(err, "OIDC provider %q", arn)
}

// ListOIDCProviders returns the account's providers by ARN.
func (t *Tx) ListOIDCProviders(account string) ([]store.OIDCProvider, error) {
	out, err := list(t, scanOIDCProvider, "SELECT "+oidcCols+" WHERE account = ? ORDER BY arn{C}", account)
	return out, t.wrapf(err, "list OIDC providers")
}

// UpdateOIDCProvider writes the provider's client ids, thumbprints, keys and tags.
func (t *Tx) UpdateOIDCProvider(p store.OIDCProvider) error {
	clients, thumbs, tags, err := encodeOIDCLists(p)
	if err != nil {
		return fmt.Errorf("update OIDC provider %q: %w", p.ARN, err)
	}
	n, err := t.exec("UPDATE oidc_providers SET client_ids = ?, thumbprints = ?, jwks = ?, tags = ? WHERE arn = ?",
		clients, thumbs, p.JWKS, tags, p.ARN)
	if err == nil && n == 0 {
		return notFound("OIDC provider %q", p.ARN)
	}
	return t.wrapf(err, "update OIDC provider %q", p.ARN)
}

// DeleteOIDCProvider deletes the provider.
func (t *Tx) DeleteOIDCProvider(arn string) error {
	n, err := t.exec("DELETE FROM oidc_providers WHERE arn = ?", arn)
	if err == nil && n == 0 {
		return notFound("OIDC provider %q", arn)
	}
	return t.wrapf(err, "delete OIDC provider %q", arn)
}

func encodeOIDCLists(p store.OIDCProvider) (clients, thumbs, tags string, err error) {
	if clients, err = encodeStrings(p.ClientIDs); err != nil {
		return "", "", "", err
	}
	if thumbs, err = encodeStrings(p.Thumbprints); err != nil {
		return "", "", "", err
	}
	tags, err = encodeTags(p.Tags)
	return clients, thumbs, tags, err
}

func encodeStrings(v []string) (string, error) {
	if len(v) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func decodeStrings(s string) ([]string, error) {
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("decode list: %w", err)
	}
	if len(v) == 0 {
		return nil, nil
	}
	return v, nil
}

func scanOIDCProvider(r scanner) (store.OIDCProvider, error) {
	var p store.OIDCProvider
	var clients, thumbs, tags string
	var created int64
	if err := r.Scan(&p.ARN, &p.Account, &p.URL, &clients, &thumbs, &p.JWKS, &tags, &created); err != nil {
		return store.OIDCProvider{}, err
	}
	p.CreatedAt = fromMicros(created)
	var err error
	if p.ClientIDs, err = decodeStrings(clients); err != nil {
		return p, err
	}
	if p.Thumbprints, err = decodeStrings(thumbs); err != nil {
		return p, err
	}
	p.Tags, err = decodeTags(tags)
	return p, err
}
