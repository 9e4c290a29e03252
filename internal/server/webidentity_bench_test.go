package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/oidc"
	"github.com/sekisho/sekisho/internal/server"
	"github.com/sekisho/sekisho/internal/testenv"
)

// BenchmarkAssumeRoleWithWebIdentityServer measures the server alone on
// the unsigned web identity path, next to BenchmarkAssumeRoleServer: one
// GitHub-style token of the built-in issuer, replayed by a bare HTTP
// client. Every request looks the provider up, verifies the token's
// RS256 signature and claims, evaluates the demo's github-deploy trust
// policy, and mints and seals fresh credentials.
func BenchmarkAssumeRoleWithWebIdentityServer(b *testing.B) {
	env := testenv.Start(b)
	reqBody, _ := json.Marshal(oidc.TokenRequest{Issuer: "github", Subject: "repo:example-org/app:ref:refs/heads/main"})
	resp, err := http.Post(env.URL+server.TokenPath, "application/json", bytes.NewReader(reqBody))
	if err != nil {
		b.Fatal(err)
	}
	token, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	body := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"},
		"RoleArn": {"arn:aws:iam::111111111111:role/github-deploy"}, "RoleSessionName": {"bench"},
		"WebIdentityToken": {strings.TrimSpace(string(token))}}.Encode()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256}}
	runParallel(b, func(ctx context.Context) error {
		r, _ := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+"/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		resp, err := client.Do(r)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return nil
	})
}
