package sts_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	jose "github.com/go-jose/go-jose/v4"

	"github.com/sekisho/sekisho/internal/oidc"
	"github.com/sekisho/sekisho/internal/server"
	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

const (
	githubExact    = "arn:aws:iam::111111111111:role/github-deploy"
	githubWildcard = "arn:aws:iam::111111111111:role/github-deploy-wildcard"
	appMain        = "repo:example-org/app:ref:refs/heads/main"
	foreignRepo    = "repo:someone-else/fork:ref:refs/heads/main"
)

// issueToken asks the running server's built-in issuer for a token, as
// `sekisho token oidc` does.
func issueToken(t *testing.T, env *testenv.Env, req oidc.TokenRequest) string {
	t.Helper()
	body, _ := json.Marshal(req)
	resp, err := http.Post(env.URL+server.TokenPath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: %d %s", resp.StatusCode, out)
	}
	return strings.TrimSpace(string(out))
}

// anonymousSTS is an STS client without credentials: the SDK sends
// AssumeRoleWithWebIdentity unsigned.
func anonymousSTS(env *testenv.Env) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL),
		Credentials: aws.AnonymousCredentials{}, Retryer: aws.NopRetryer{}})
}

func assumeWeb(env *testenv.Env, role, token string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	return anonymousSTS(env).AssumeRoleWithWebIdentity(context.Background(), &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(role), RoleSessionName: aws.String("ci"), WebIdentityToken: aws.String(token)})
}

func wantAPIError(t *testing.T, err error, code, message string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || (message != "" && !strings.Contains(ae.ErrorMessage(), message)) {
		t.Fatalf("got %v, want %s %q", err, code, message)
	}
}

// TestWebIdentityGitHubTrust: the exact-sub role admits only its
// repository's branch; the wildcard-sub role admits a foreign repository.
// The session's credentials then act as the role.
func TestWebIdentityGitHubTrust(t *testing.T) {
	env := testenv.Start(t)
	mine := issueToken(t, env, oidc.TokenRequest{Issuer: "github", Subject: appMain})
	out, err := assumeWeb(env, githubExact, mine)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SubjectFromWebIdentityToken) != appMain || aws.ToString(out.Audience) != "sts.amazonaws.com" ||
		aws.ToString(out.Provider) != "arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com" ||
		aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::111111111111:assumed-role/github-deploy/ci" ||
		!strings.HasPrefix(aws.ToString(out.Credentials.AccessKeyId), "ASIA") {
		t.Fatalf("response %+v", out)
	}
	c := out.Credentials
	who, err := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)}).
		GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::111111111111:assumed-role/github-deploy/ci" {
		t.Fatalf("GetCallerIdentity: %v %v", who, err)
	}

	foreign := issueToken(t, env, oidc.TokenRequest{Issuer: "github", Subject: foreignRepo})
	_, err = assumeWeb(env, githubExact, foreign)
	wantAPIError(t, err, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	if _, err := assumeWeb(env, githubWildcard, foreign); err != nil {
		t.Fatalf("the wildcard sub should admit any repository: %v", err)
	}
	// The audience is a condition too: a token for another audience
	// is refused before the trust policy, as no client id matches.
	other := issueToken(t, env, oidc.TokenRequest{Issuer: "github", Subject: appMain, Audience: []string{"https://github.com/example-org"}})
	_, err = assumeWeb(env, githubExact, other)
	wantAPIError(t, err, "InvalidIdentityToken", "Incorrect token audience")
	// Over the role's maximum session.
	_, err = anonymousSTS(env).AssumeRoleWithWebIdentity(context.Background(), &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(githubExact),
		RoleSessionName: aws.String("ci"), WebIdentityToken: aws.String(mine), DurationSeconds: aws.Int32(7200)})
	wantAPIError(t, err, "ValidationError", "MaxSessionDuration")
}

// segments splits a compact JWT.
func segments(t *testing.T, token string) (header, payload, signature string) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT: %q", token)
	}
	return parts[0], parts[1], parts[2]
}

func editedPayload(t *testing.T, payload string, change func(map[string]any)) string {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	change(claims)
	b, _ := json.Marshal(claims)
	return base64.RawURLEncoding.EncodeToString(b)
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestWebIdentityTokenRefusals: expired, unsigned, HMAC, wrongly signed,
// edited and re-signed tokens are refused with AWS's codes.
func TestWebIdentityTokenRefusals(t *testing.T) {
	env := testenv.Start(t)
	good := issueToken(t, env, oidc.TokenRequest{Issuer: "github", Subject: appMain})
	header, payload, signature := segments(t, good)
	var hdr struct {
		Kid string `json:"kid"`
	}
	raw, _ := base64.RawURLEncoding.DecodeString(header)
	_ = json.Unmarshal(raw, &hdr)
	claims := map[string]any{}
	raw, _ = base64.RawURLEncoding.DecodeString(payload)
	_ = json.Unmarshal(raw, &claims)

	impostor, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	// Signed by another key that claims the issuer's key id.
	wrongKey, err := oidc.Sign(&jose.JSONWebKey{Key: impostor, KeyID: hdr.Kid, Algorithm: "RS256"}, claims)
	if err != nil {
		t.Fatal(err)
	}
	foreignClaims := editedPayload(t, payload, func(c map[string]any) { c["sub"] = foreignRepo })
	resigned, err := oidc.Sign(&jose.JSONWebKey{Key: impostor, KeyID: hdr.Kid, Algorithm: "RS256"}, func() map[string]any {
		c := map[string]any{}
		raw, _ := base64.RawURLEncoding.DecodeString(foreignClaims)
		_ = json.Unmarshal(raw, &c)
		return c
	}())
	if err != nil {
		t.Fatal(err)
	}
	hmac, err := oidc.Sign(&jose.JSONWebKey{Key: []byte("0123456789abcdef0123456789abcdef"), KeyID: hdr.Kid, Algorithm: "HS256"}, claims)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, role, token, code, message string
	}{
		{"expired", githubExact, issueToken(t, env, oidc.TokenRequest{Issuer: "github", Subject: appMain, TTL: -10 * time.Minute}),
			"ExpiredTokenException", "Token expired: current date/time"},
		{"alg none", githubExact, b64(`{"alg":"none","typ":"JWT"}`) + "." + payload + ".", "InvalidIdentityToken", ""},
		{"alg none with the old signature", githubExact, b64(`{"alg":"none","kid":"`+hdr.Kid+`"}`) + "." + payload + "." + signature, "InvalidIdentityToken", ""},
		{"HS256 with a shared secret", githubExact, hmac, "InvalidIdentityToken", ""},
		{"signed by another key", githubExact, wrongKey, "InvalidIdentityToken", ""},
		{"sub edited, signature kept", githubWildcard, header + "." + foreignClaims + "." + signature, "InvalidIdentityToken", ""},
		{"re-signed after the edit", githubWildcard, resigned, "InvalidIdentityToken", ""},
		{"not a JWT", githubExact, "not-a-token", "InvalidIdentityToken", ""},
		{"unknown issuer", githubExact, b64(`{"alg":"RS256"}`) + "." + b64(`{"iss":"https://idp.nowhere.example","sub":"x","aud":"sts.amazonaws.com","exp":4102444800}`) + "." + signature,
			"InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://idp.nowhere.example"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := assumeWeb(env, c.role, c.token)
			wantAPIError(t, err, c.code, c.message)
		})
	}
	if _, err := assumeWeb(env, githubExact, good); err != nil {
		t.Fatalf("the untouched token: %v", err)
	}
}

// TestWebIdentityWorldJWKS: a provider declared with its public keys
// (ES256 here) verifies tokens signed by the matching private key; the
// token's session tags and source identity reach the session.
func TestWebIdentityWorldJWKS(t *testing.T) {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key := &jose.JSONWebKey{Key: priv, KeyID: "ec-1", Algorithm: "ES256", Use: "sig"}
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{key.Public()}})
	w, err := world.Parse([]byte(`
accounts:
  - id: "111111111111"
    oidc_providers:
      - url: https://idp.example.com/tenant
        client_ids: [my-app]
        jwks: '` + string(jwks) + `'
    roles:
      - name: tenant-app
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Sid":"TenantApp","Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111111111111:oidc-provider/idp.example.com/tenant"},"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession","sts:SetSourceIdentity"],"Condition":{"StringEquals":{"idp.example.com/tenant:aud":"my-app","idp.example.com/tenant:sub":"user-1"}}}]}'
`))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	now := time.Now()
	claims := map[string]any{"iss": "https://idp.example.com/tenant", "sub": "user-1", "aud": "my-app",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"https://aws.amazon.com/tags":            map[string]any{"principal_tags": map[string]any{"team": []string{"infra"}}, "transitive_tag_keys": []string{"team"}},
		"https://aws.amazon.com/source_identity": "user-1"}
	token, err := oidc.Sign(key, claims)
	if err != nil {
		t.Fatal(err)
	}
	out, err := assumeWeb(env, "arn:aws:iam::111111111111:role/tenant-app", token)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SourceIdentity) != "user-1" || aws.ToString(out.Audience) != "my-app" || out.PackedPolicySize == nil {
		t.Fatalf("response %+v", out)
	}
	claims["sub"] = "user-2"
	other, _ := oidc.Sign(key, claims)
	_, err = assumeWeb(env, "arn:aws:iam::111111111111:role/tenant-app", other)
	wantAPIError(t, err, "AccessDenied", "")
}

// TestBuiltinIssuerKeyIsKeptInTheStore: the issuer's key is generated
// once and stored, so a server started again on the same store (here, a
// fresh set of issuers over it) verifies tokens issued before.
func TestBuiltinIssuerKeyIsKeptInTheStore(t *testing.T) {
	env := testenv.Start(t)
	token := issueToken(t, env, oidc.TokenRequest{Issuer: "github", Subject: appMain})
	keys, builtin, err := oidc.NewIssuers(env.Store, nil).KeySet(context.Background(), oidc.GitHubURL)
	if err != nil || !builtin {
		t.Fatalf("KeySet: %v %v", builtin, err)
	}
	if _, err := oidc.Verify(token, keys); err != nil {
		t.Fatalf("a token issued before the restart: %v", err)
	}
	if _, builtin, _ := oidc.NewIssuers(env.Store, nil).KeySet(context.Background(), "https://idp.example.com"); builtin {
		t.Fatal("only the built-in issuers' URLs have built-in keys")
	}
}

// TestWebIdentityFollowsProviderChanges: changing the provider through
// IAM takes effect on the next token (the provider cache follows the
// store): a removed client id refuses the audience, a deleted provider
// refuses the issuer.
func TestWebIdentityFollowsProviderChanges(t *testing.T) {
	env := testenv.Start(t)
	token := issueToken(t, env, oidc.TokenRequest{Issuer: "github", Subject: appMain})
	if _, err := assumeWeb(env, githubExact, token); err != nil {
		t.Fatal(err)
	}
	root := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(rootAKey, rootASecret, "")})
	arn := aws.String("arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com")
	if _, err := root.RemoveClientIDFromOpenIDConnectProvider(context.Background(), &iam.RemoveClientIDFromOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: arn, ClientID: aws.String("sts.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	_, err := assumeWeb(env, githubExact, token)
	wantAPIError(t, err, "InvalidIdentityToken", "Incorrect token audience")
	if _, err := root.DeleteOpenIDConnectProvider(context.Background(), &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn}); err != nil {
		t.Fatal(err)
	}
	_, err = assumeWeb(env, githubExact, token)
	wantAPIError(t, err, "InvalidIdentityToken", "No OpenIDConnect provider found in your account for https://token.actions.githubusercontent.com")
}

// TestWebIdentitySessionPolicy: a session policy passed with the token
// narrows the role's permissions for that session.
func TestWebIdentitySessionPolicy(t *testing.T) {
	env := testenv.Start(t)
	token := issueToken(t, env, oidc.TokenRequest{Issuer: "github", Subject: appMain})
	listOnly := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
	out, err := anonymousSTS(env).AssumeRoleWithWebIdentity(context.Background(), &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(githubExact), RoleSessionName: aws.String("narrow"), WebIdentityToken: aws.String(token), Policy: aws.String(listOnly)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	s3c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), UsePathStyle: true, Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(*c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)})
	bucket := aws.String("account-a-bucket-0525")
	if _, err := s3c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: bucket}); err != nil {
		t.Fatalf("list within the session policy: %v", err)
	}
	_, err = s3c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: bucket, Key: aws.String("test.txt")})
	wantAPIError(t, err, "AccessDenied", "")
}
