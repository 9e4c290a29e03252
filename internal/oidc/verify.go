// Package oidc verifies OpenID Connect ID tokens (JWTs) for
// AssumeRoleWithWebIdentity against an identity provider's keys, and
// issues tokens for Sekisho's built-in issuers (GitHub Actions and EKS
// look-alikes) whose signing keys live in the store.
package oidc

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Algorithms are the signature algorithms a token may use: RSA and
// ECDSA. "none" and the HMAC family (a shared secret is no proof of the
// issuer) are refused while parsing.
var Algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
	jose.ES256, jose.ES384, jose.ES512,
}

// ClockSkew is the tolerance on exp, nbf and iat. AWS documents none; five
// minutes is the usual OIDC allowance (and SigV4's).
const ClockSkew = 5 * time.Minute

// MaxTokenSize is WebIdentityToken's longest value in the STS model.
const MaxTokenSize = 20000

// Errors a token fails with; STS maps ErrExpired to ExpiredTokenException
// and the others to InvalidIdentityToken.
var (
	ErrMalformed = errors.New("malformed token")
	ErrSignature = errors.New("token signature does not verify")
	ErrNoKey     = errors.New("no verification key")
	ErrExpired   = errors.New("token expired")
	ErrNotYet    = errors.New("token not yet valid")
)

// Claims are a verified token's claims.
type Claims struct {
	Issuer    string
	Subject   string
	Audience  []string
	AZP       string // authorized party, "" when absent
	AMR       []string
	Expiry    time.Time
	NotBefore time.Time // zero when absent
	IssuedAt  time.Time // zero when absent
	// Raw holds every claim as decoded JSON.
	Raw map[string]any
}

// Peek returns a token's issuer without verifying anything: the issuer
// names the provider whose keys then verify the token.
func Peek(token string) (string, error) {
	tok, err := parse(token)
	if err != nil {
		return "", err
	}
	var std jwt.Claims
	if err := tok.UnsafeClaimsWithoutVerification(&std); err != nil {
		return "", fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	if std.Issuer == "" {
		return "", fmt.Errorf("%w: no iss claim", ErrMalformed)
	}
	return std.Issuer, nil
}

func parse(token string) (*jwt.JSONWebToken, error) {
	if len(token) > MaxTokenSize {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrMalformed, MaxTokenSize)
	}
	tok, err := jwt.ParseSigned(strings.TrimSpace(token), Algorithms)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return tok, nil
}

// Verify checks the token's signature with a key of keys (the one its
// kid names, or any when it names none) and returns its claims. Time
// claims are checked separately (CheckTime), so their errors can differ.
func Verify(token string, keys *jose.JSONWebKeySet) (*Claims, error) {
	tok, err := parse(token)
	if err != nil {
		return nil, err
	}
	candidates := keys.Keys
	if kid := tok.Headers[0].KeyID; kid != "" {
		candidates = keys.Key(kid)
	}
	if len(candidates) == 0 {
		return nil, ErrNoKey
	}
	for _, k := range candidates {
		pub := k.Public()
		if pub.Key == nil {
			continue
		}
		var std jwt.Claims
		raw := map[string]any{}
		if err := tok.Claims(pub.Key, &std, &raw); err != nil {
			continue
		}
		return toClaims(&std, raw)
	}
	return nil, ErrSignature
}

func toClaims(std *jwt.Claims, raw map[string]any) (*Claims, error) {
	if std.Expiry == nil {
		return nil, fmt.Errorf("%w: no exp claim", ErrMalformed)
	}
	c := &Claims{Issuer: std.Issuer, Subject: std.Subject, Audience: std.Audience, Expiry: std.Expiry.Time(), Raw: raw}
	if std.NotBefore != nil {
		c.NotBefore = std.NotBefore.Time()
	}
	if std.IssuedAt != nil {
		c.IssuedAt = std.IssuedAt.Time()
	}
	c.AZP, _ = raw["azp"].(string)
	switch amr := raw["amr"].(type) {
	case string:
		c.AMR = []string{amr}
	case []any:
		for _, v := range amr {
			if s, ok := v.(string); ok {
				c.AMR = append(c.AMR, s)
			}
		}
	}
	return c, nil
}

// CheckTime checks exp, nbf and iat against now with ClockSkew.
func (c *Claims) CheckTime(now time.Time) error {
	if !now.Before(c.Expiry.Add(ClockSkew)) {
		return fmt.Errorf("%w: current date/time %d must be before the expiration date/time %d", ErrExpired, now.Unix(), c.Expiry.Unix())
	}
	if !c.NotBefore.IsZero() && now.Add(ClockSkew).Before(c.NotBefore) {
		return fmt.Errorf("%w: not before %d", ErrNotYet, c.NotBefore.Unix())
	}
	if !c.IssuedAt.IsZero() && now.Add(ClockSkew).Before(c.IssuedAt) {
		return fmt.Errorf("%w: issued in the future (%d)", ErrNotYet, c.IssuedAt.Unix())
	}
	return nil
}

// ParseKeySet reads a JSON Web Key Set, keeping its public keys only.
func ParseKeySet(doc string) (*jose.JSONWebKeySet, error) {
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(doc), &set); err != nil {
		return nil, fmt.Errorf("JWKS: %w", err)
	}
	public := set.Keys[:0]
	for _, k := range set.Keys {
		if pub := k.Public(); pub.Key != nil {
			public = append(public, pub)
		}
	}
	set.Keys = public
	return &set, nil
}

// MaxIssuerURL is the longest provider URL IAM accepts.
const MaxIssuerURL = 255

// ValidIssuerURL reports whether u is a provider URL IAM accepts: https,
// a host, an optional path, no port, query, fragment or user.
func ValidIssuerURL(u string) bool {
	if !strings.HasPrefix(u, "https://") || len(u) > MaxIssuerURL {
		return false
	}
	p, err := url.Parse(u)
	return err == nil && p.Host != "" && p.Port() == "" && p.User == nil && p.RawQuery == "" && p.Fragment == "" && !p.ForceQuery
}

// ProviderARN is the ARN IAM gives account's provider of issuerURL: the
// URL without its scheme.
func ProviderARN(account, issuerURL string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + strings.TrimPrefix(issuerURL, "https://")
}
