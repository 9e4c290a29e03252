package oidc

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sekisho/sekisho/internal/store"
)

// Builtin is one of Sekisho's own identity providers: an issuer URL and
// the claims its tokens carry by default.
type Builtin struct {
	Name string
	URL  string
	// Defaults are claims added to every token unless given.
	Defaults func(sub string) map[string]any
}

// GitHubURL and EKSURL are the built-in issuers' URLs. GitHub's is the
// real one, so a trust policy written for GitHub Actions works unchanged;
// EKS's has the real form with a fixed cluster id.
const (
	GitHubURL = "https://token.actions.githubusercontent.com"
	EKSURL    = "https://oidc.eks.us-east-1.amazonaws.com/id/5E415E0000000000000000000000001A"
)

// Builtins lists the built-in issuers by name.
func Builtins() []Builtin {
	return []Builtin{
		{Name: "github", URL: GitHubURL, Defaults: githubClaims},
		{Name: "eks", URL: EKSURL, Defaults: eksClaims},
	}
}

// BuiltinByName finds a built-in issuer by name or URL.
func BuiltinByName(name string) (Builtin, bool) {
	for _, b := range Builtins() {
		if b.Name == name || b.URL == name {
			return b, true
		}
	}
	return Builtin{}, false
}

// githubClaims fills the claims GitHub Actions puts in its tokens from a
// sub of the form repo:OWNER/REPO:ref:refs/heads/BRANCH (or :environment:ENV...).
func githubClaims(sub string) map[string]any {
	c := map[string]any{"runner_environment": "github-hosted", "event_name": "push"}
	rest, ok := strings.CutPrefix(sub, "repo:")
	if !ok {
		return c
	}
	repo, ctx, _ := strings.Cut(rest, ":")
	owner, _, _ := strings.Cut(repo, "/")
	c["repository"], c["repository_owner"] = repo, owner
	if ref, ok := strings.CutPrefix(ctx, "ref:"); ok {
		c["ref"] = ref
		c["job_workflow_ref"] = repo + "/.github/workflows/ci.yml@" + ref
	}
	if env, ok := strings.CutPrefix(ctx, "environment:"); ok {
		c["environment"] = env
	}
	return c
}

// eksClaims fills the kubernetes.io claim of an EKS service account
// token from a sub of the form system:serviceaccount:NAMESPACE:NAME.
func eksClaims(sub string) map[string]any {
	parts := strings.Split(sub, ":")
	if len(parts) != 4 || parts[0] != "system" || parts[1] != "serviceaccount" {
		return map[string]any{}
	}
	return map[string]any{"kubernetes.io": map[string]any{
		"namespace":      parts[2],
		"serviceaccount": map[string]any{"name": parts[3], "uid": uid(sub)},
	}}
}

func uid(s string) string {
	sum := sha256.Sum256([]byte(s))
	h := hex.EncodeToString(sum[:16])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// settingKey holds a built-in issuer's private key (a JWK) in the store.
func settingKey(name string) string { return "oidc.issuer." + name + ".key" }

// Issuers holds the built-in issuers' signing keys: generated once, kept
// in the store so tokens survive a restart and every replica signs and
// verifies with the same key.
type Issuers struct {
	store store.Store
	now   func() time.Time
	mu    sync.Mutex
	keys  map[string]*jose.JSONWebKey
}

// NewIssuers returns the built-in issuers of st.
func NewIssuers(st store.Store, now func() time.Time) *Issuers {
	if now == nil {
		now = time.Now
	}
	return &Issuers{store: st, now: now, keys: map[string]*jose.JSONWebKey{}}
}

// key returns the issuer's private key, creating and storing it the
// first time. Of two replicas racing to create it, both end up with the
// one stored last: the key is read back after the write.
func (is *Issuers) key(ctx context.Context, b Builtin) (*jose.JSONWebKey, error) {
	is.mu.Lock()
	defer is.mu.Unlock()
	if k, ok := is.keys[b.Name]; ok {
		return k, nil
	}
	doc, err := is.loadOrCreate(ctx, b)
	if err != nil {
		return nil, err
	}
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON([]byte(doc)); err != nil {
		return nil, fmt.Errorf("issuer %s: stored key: %w", b.Name, err)
	}
	is.keys[b.Name] = &k
	return &k, nil
}

func (is *Issuers) loadOrCreate(ctx context.Context, b Builtin) (string, error) {
	var doc string
	err := is.store.View(ctx, func(tx store.Tx) error {
		var err error
		doc, err = tx.GetSetting(settingKey(b.Name))
		return err
	})
	if err == nil {
		return doc, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("issuer %s: read key: %w", b.Name, err)
	}
	created, err := newKey(b.Name)
	if err != nil {
		return "", err
	}
	err = is.store.Update(ctx, func(tx store.Tx) error {
		if existing, err := tx.GetSetting(settingKey(b.Name)); err == nil {
			doc = existing
			return nil
		}
		doc = created
		return tx.PutSetting(settingKey(b.Name), created)
	})
	if err != nil {
		return "", fmt.Errorf("issuer %s: store key: %w", b.Name, err)
	}
	return doc, nil
}

// newKey generates an RSA-2048 signing key (RS256, as GitHub and EKS use).
func newKey(name string) (string, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", fmt.Errorf("issuer %s: generate key: %w", name, err)
	}
	k := jose.JSONWebKey{Key: priv, Algorithm: string(jose.RS256), Use: "sig"}
	pub := k.Public()
	thumb, err := pub.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("issuer %s: key id: %w", name, err)
	}
	k.KeyID = hex.EncodeToString(thumb[:8])
	b, err := k.MarshalJSON()
	return string(b), err
}

// KeySet returns the public keys of the built-in issuer at issuerURL;
// ok is false for any other URL.
func (is *Issuers) KeySet(ctx context.Context, issuerURL string) (*jose.JSONWebKeySet, bool, error) {
	b, ok := BuiltinByName(issuerURL)
	if !ok || b.URL != issuerURL {
		return nil, false, nil
	}
	k, err := is.key(ctx, b)
	if err != nil {
		return nil, true, err
	}
	return &jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.Public()}}, true, nil
}

// TokenRequest asks a built-in issuer for a token.
type TokenRequest struct {
	Issuer   string            `json:"issuer"` // a built-in name (github, eks) or its URL
	Subject  string            `json:"sub"`
	Audience []string          `json:"aud"`
	Claims   map[string]string `json:"claims,omitempty"` // extra or overriding claims; JSON values are decoded
	TTL      time.Duration     `json:"ttl,omitempty"`    // default 10 minutes; negative issues an expired token
}

// DefaultTTL is how long an issued token lives unless asked otherwise.
const DefaultTTL = 10 * time.Minute

// Issue signs a token for the request with the built-in issuer's key.
func (is *Issuers) Issue(ctx context.Context, req TokenRequest) (string, error) {
	b, ok := BuiltinByName(req.Issuer)
	if !ok {
		return "", fmt.Errorf("no built-in issuer %q (have %s)", req.Issuer, builtinNames())
	}
	if req.Subject == "" {
		return "", errors.New("a token needs a subject (sub)")
	}
	k, err := is.key(ctx, b)
	if err != nil {
		return "", err
	}
	return Sign(k, Payload(b, req, is.now()))
}

// Payload builds the claims of a built-in issuer's token.
func Payload(b Builtin, req TokenRequest, now time.Time) map[string]any {
	ttl := req.TTL
	if ttl == 0 {
		ttl = DefaultTTL
	}
	issued := now
	if ttl < 0 { // an expired token was issued earlier
		issued = now.Add(2 * ttl)
	}
	claims := b.Defaults(req.Subject)
	maps.Copy(claims, map[string]any{
		"iss": b.URL, "sub": req.Subject, "iat": issued.Unix(), "nbf": issued.Unix(),
		"exp": now.Add(ttl).Unix(), "jti": uid(fmt.Sprint(now.UnixNano(), req.Subject)),
	})
	switch len(req.Audience) {
	case 0:
		claims["aud"] = "sts.amazonaws.com"
	case 1:
		claims["aud"] = req.Audience[0]
	default:
		claims["aud"] = req.Audience
	}
	for k, v := range req.Claims {
		var decoded any
		if json.Unmarshal([]byte(v), &decoded) == nil {
			claims[k] = decoded
		} else {
			claims[k] = v
		}
	}
	return claims
}

// Sign signs claims as a compact JWT with key (RS256 for RSA keys, ES256
// for P-256 keys).
func Sign(key *jose.JSONWebKey, claims map[string]any) (string, error) {
	alg := jose.SignatureAlgorithm(key.Algorithm)
	if alg == "" {
		alg = jose.RS256
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", fmt.Errorf("signer: %w", err)
	}
	return jwt.Signed(signer).Claims(claims).Serialize()
}

func builtinNames() string {
	var names []string
	for _, b := range Builtins() {
		names = append(names, b.Name)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
