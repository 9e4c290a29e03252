package cli

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// TestTokenOIDC: `sekisho token oidc` prints a JWT of the built-in issuer
// with GitHub's derived claims and the --claim values (JSON decoded), and
// refuses an unknown issuer or a malformed --claim.
func TestTokenOIDC(t *testing.T) {
	env := testenv.Start(t)
	stdout, stderr, code := run("token", "oidc", "--endpoint", env.URL, "--issuer", "github",
		"--sub", "repo:example-org/app:ref:refs/heads/main", "--claim", "actor=octocat", "--claim", `amr=["mfa"]`)
	parts := strings.Split(strings.TrimSpace(stdout), ".")
	if code != 0 || len(parts) != 3 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	amr, _ := claims["amr"].([]any)
	if claims["iss"] != "https://token.actions.githubusercontent.com" || claims["aud"] != "sts.amazonaws.com" ||
		claims["repository"] != "example-org/app" || claims["ref"] != "refs/heads/main" || claims["actor"] != "octocat" || len(amr) != 1 {
		t.Fatalf("claims %v", claims)
	}
	if _, stderr, code := run("token", "oidc", "--endpoint", env.URL, "--issuer", "gitlab", "--sub", "x"); code == 0 ||
		!strings.Contains(stderr, `no built-in issuer "gitlab"`) {
		t.Fatalf("unknown issuer: exit %d %s", code, stderr)
	}
	if _, stderr, code := run("token", "oidc", "--endpoint", env.URL, "--issuer", "eks", "--sub", "x", "--claim", "novalue"); code != exitBadInput ||
		!strings.Contains(stderr, "want NAME=VALUE") {
		t.Fatalf("bad claim: exit %d %s", code, stderr)
	}
}
