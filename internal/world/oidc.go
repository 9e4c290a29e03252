package world

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sekisho/sekisho/internal/oidc"
	"github.com/sekisho/sekisho/internal/store"
)

// OIDCProvider is an IAM OpenID Connect provider of the account. Either
// url names any issuer, with its public keys in jwks (a JSON Web Key Set,
// written as YAML or as a JSON string) so tokens verify with no network;
// or issuer names a built-in issuer (github, eks), whose keys Sekisho
// keeps and whose tokens `sekisho token oidc` prints.
type OIDCProvider struct {
	URL         string            `yaml:"url"`
	Issuer      string            `yaml:"issuer"`
	ClientIDs   []string          `yaml:"client_ids"`
	Thumbprints []string          `yaml:"thumbprints"`
	JWKS        any               `yaml:"jwks"`
	Tags        map[string]string `yaml:"tags"`
}

// provider is the store's provider the declaration describes.
func (p OIDCProvider) provider(account string) (store.OIDCProvider, error) {
	issuerURL := p.URL
	if p.Issuer != "" {
		b, ok := oidc.BuiltinByName(p.Issuer)
		if !ok {
			return store.OIDCProvider{}, fmt.Errorf("no built-in issuer %q (github, eks)", p.Issuer)
		}
		if issuerURL != "" && issuerURL != b.URL {
			return store.OIDCProvider{}, fmt.Errorf("issuer %s has the url %s, not %s", p.Issuer, b.URL, issuerURL)
		}
		issuerURL = b.URL
	}
	if !oidc.ValidIssuerURL(issuerURL) {
		return store.OIDCProvider{}, fmt.Errorf("url %q: want https://HOST[/PATH] (or a built-in issuer)", issuerURL)
	}
	jwks, err := jwksDocument(p.JWKS)
	if err != nil {
		return store.OIDCProvider{}, err
	}
	clients := p.ClientIDs
	if len(clients) == 0 {
		clients = []string{"sts.amazonaws.com"}
	}
	return store.OIDCProvider{ARN: oidc.ProviderARN(account, issuerURL), Account: account, URL: issuerURL,
		ClientIDs: clients, Thumbprints: p.Thumbprints, JWKS: jwks, Tags: tags(p.Tags)}, nil
}

// jwksDocument is the key set as JSON, checked to hold public keys.
func jwksDocument(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	doc, isString := v.(string)
	if !isString {
		b, err := json.Marshal(v)
		if err != nil {
			return "", fmt.Errorf("jwks: %w", err)
		}
		doc = string(b)
	}
	set, err := oidc.ParseKeySet(doc)
	if err != nil {
		return "", err
	}
	if len(set.Keys) == 0 {
		return "", errors.New("jwks: no usable public key")
	}
	return doc, nil
}

func oidcKey(arn string) string { return "oidc/" + arn }

// loadOIDCProviders creates the account's providers once in the life of
// the store; a provider that exists is left as it is.
func (l *loader) loadOIDCProviders(a *Account) error {
	for _, decl := range a.OIDCProviders {
		p, err := decl.provider(a.ID)
		if err != nil {
			return fmt.Errorf("oidc provider %s%s: %w", decl.URL, decl.Issuer, err)
		}
		p.CreatedAt = l.now
		err = l.once(oidcKey(p.ARN), func() error {
			_, err := l.tx.GetOIDCProvider(p.ARN)
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return l.tx.CreateOIDCProvider(p)
		})
		if err != nil {
			return fmt.Errorf("oidc provider %s: %w", p.URL, err)
		}
	}
	return nil
}
