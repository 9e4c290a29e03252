package world

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/saml"
	"github.com/sekisho/sekisho/internal/store"
)

// SAMLProvider is an IAM SAML identity provider. Its metadata is given
// as a document, or built from an entity id and signing certificates (PEM
// or base64 DER), or, with builtin, is the metadata of Sekisho's built-in
// IdP (`sekisho token saml` signs its responses).
type SAMLProvider struct {
	Name         string            `yaml:"name"`
	Metadata     string            `yaml:"metadata"`
	EntityID     string            `yaml:"entity_id"`
	Certificates []string          `yaml:"certificates"`
	Builtin      bool              `yaml:"builtin"`
	Tags         map[string]string `yaml:"tags"`
}

// loadSAMLProviders creates the account's providers once in the life of
// the store, like every seeded entity.
func (l *loader) loadSAMLProviders(a *Account) error {
	for _, p := range a.SAMLProviders {
		arn := "arn:aws:iam::" + a.ID + ":saml-provider/" + p.Name
		err := l.once("saml-provider/"+arn, func() error { return ensureSAMLProvider(l.tx, a.ID, arn, p, l.now) })
		if err != nil {
			return fmt.Errorf("SAML provider %s: %w", p.Name, err)
		}
	}
	return nil
}

func ensureSAMLProvider(tx store.Tx, account, arn string, p SAMLProvider, now time.Time) error {
	if p.Name == "" {
		return errors.New("needs a name")
	}
	if _, err := tx.GetSAMLProvider(arn); err == nil || !errors.Is(err, store.ErrNotFound) {
		return err
	}
	doc, err := samlMetadata(tx, p, now)
	if err != nil {
		return err
	}
	md, err := saml.ParseMetadata(doc)
	if err != nil {
		return err
	}
	return tx.CreateSAMLProvider(store.SAMLProvider{ARN: arn, Account: account, Name: p.Name, UUID: samlUUID(arn),
		Metadata: doc, ValidUntil: md.ValidUntil, Tags: tags(p.Tags), CreatedAt: now})
}

// samlMetadata is the provider's metadata document, whichever way given.
func samlMetadata(tx store.Tx, p SAMLProvider, now time.Time) (string, error) {
	given := 0
	for _, set := range []bool{p.Metadata != "", len(p.Certificates) > 0, p.Builtin} {
		if set {
			given++
		}
	}
	if given != 1 {
		return "", errors.New("give exactly one of metadata, certificates (with entity_id) or builtin")
	}
	switch {
	case p.Builtin:
		idp, err := saml.BuiltinIdP(tx, now)
		if err != nil {
			return "", err
		}
		return idp.MetadataXML(), nil
	case p.Metadata != "":
		return p.Metadata, nil
	}
	if p.EntityID == "" {
		return "", errors.New("certificates need an entity_id")
	}
	certs := make([]*x509.Certificate, 0, len(p.Certificates))
	for i, text := range p.Certificates {
		c, err := parseCertificate(text)
		if err != nil {
			return "", fmt.Errorf("certificate %d: %w", i+1, err)
		}
		certs = append(certs, c)
	}
	return saml.MetadataFor(p.EntityID, certs), nil
}

func parseCertificate(text string) (*x509.Certificate, error) {
	if block, _ := pem.Decode([]byte(text)); block != nil {
		return x509.ParseCertificate(block.Bytes)
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// samlUUID derives a stable SAMLProviderUUID from the ARN, so reseeding
// the same world gives the same id.
func samlUUID(arn string) string {
	sum := sha256.Sum256([]byte(arn))
	h := hex.EncodeToString(sum[:16])
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-8" + h[17:20] + "-" + h[20:32]
}
