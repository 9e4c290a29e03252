package sqlstore

import (
	"fmt"
	"strings"

	"github.com/sekisho/sekisho/internal/store"
)

const samlCols = `arn, account, name, uuid, metadata, valid_until, tags, created_at FROM saml_providers`

func arnKey(arn string) string { return strings.ToLower(arn) }

// CreateSAMLProvider stores a new provider; a name taken in the account
// gives store.ErrExists.
func (t *Tx) CreateSAMLProvider(p store.SAMLProvider) error {
	if err := Required("create SAML provider", "arn", p.ARN, "account", p.Account, "name", p.Name, "metadata", p.Metadata); err != nil {
		return err
	}
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return fmt.Errorf("create SAML provider %q: %w", p.ARN, err)
	}
	err = t.insert(`INSERT INTO saml_providers (arn, arn_key, account, name, name_key, uuid, metadata, valid_until, tags, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?){DO NOTHING}`,
		p.ARN, arnKey(p.ARN), p.Account, p.Name, nameKey(p.Name), p.UUID, p.Metadata, nullTime(p.ValidUntil), tags, t.stamp(p.CreatedAt))
	return t.wrapf(err, "SAML provider %q", p.ARN)
}

// GetSAMLProvider returns the provider with this ARN.
func (t *Tx) GetSAMLProvider(arn string) (store.SAMLProvider, error) {
	p, err := scanSAMLProvider(t.row("SELECT "+samlCols+" WHERE arn_key = ?", arnKey(arn)))
	return p, t.wrapf(err, "SAML provider %q", arn)
}

// ListSAMLProviders returns the account's providers by ARN.
func (t *Tx) ListSAMLProviders(account string) ([]store.SAMLProvider, error) {
	out, err := list(t, scanSAMLProvider, "SELECT "+samlCols+" WHERE account = ? ORDER BY arn_key{C}", account)
	return out, t.wrapf(err, "list SAML providers")
}

// UpdateSAMLProvider writes the provider's metadata, expiry and tags.
func (t *Tx) UpdateSAMLProvider(p store.SAMLProvider) error {
	tags, err := encodeTags(p.Tags)
	if err != nil {
		return fmt.Errorf("update SAML provider %q: %w", p.ARN, err)
	}
	n, err := t.exec("UPDATE saml_providers SET metadata = ?, valid_until = ?, tags = ? WHERE arn_key = ?",
		p.Metadata, nullTime(p.ValidUntil), tags, arnKey(p.ARN))
	if err == nil && n == 0 {
		return notFound("SAML provider %q", p.ARN)
	}
	return t.wrapf(err, "update SAML provider %q", p.ARN)
}

// DeleteSAMLProvider deletes the provider.
func (t *Tx) DeleteSAMLProvider(arn string) error {
	n, err := t.exec("DELETE FROM saml_providers WHERE arn_key = ?", arnKey(arn))
	if err == nil && n == 0 {
		return notFound("SAML provider %q", arn)
	}
	return t.wrapf(err, "delete SAML provider %q", arn)
}

func scanSAMLProvider(r scanner) (store.SAMLProvider, error) {
	var p store.SAMLProvider
	var tags string
	var created int64
	var validUntil *int64
	if err := r.Scan(&p.ARN, &p.Account, &p.Name, &p.UUID, &p.Metadata, &validUntil, &tags, &created); err != nil {
		return store.SAMLProvider{}, err
	}
	p.ValidUntil, p.CreatedAt = fromNullMicros(validUntil), fromMicros(created)
	var err error
	p.Tags, err = decodeTags(tags)
	return p, err
}
