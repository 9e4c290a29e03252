package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	sekisho "github.com/sekisho/sekisho/internal/cli"
	"github.com/sekisho/sekisho/internal/testenv"
)

// The demo world's GitHub roles (internal/world/demo.yaml).
const (
	githubExactRole    = "arn:aws:iam::111111111111:role/github-deploy"
	githubWildcardRole = "arn:aws:iam::111111111111:role/github-deploy-wildcard"
	appMainSub         = "repo:example-org/app:ref:refs/heads/main"
	foreignSub         = "repo:someone-else/fork:ref:refs/heads/main"
)

// sekishoRun runs a sekisho command in process and returns its stdout.
func sekishoRun(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	root := sekisho.NewRoot(&out, &errOut)
	root.SetArgs(args)
	if err := root.Execute(); err != nil {
		t.Fatalf("sekisho %s: %v %s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// githubTokenFile writes a token of the built-in GitHub issuer, printed by
// `sekisho token oidc`, to a file for AWS_WEB_IDENTITY_TOKEN_FILE.
func githubTokenFile(t *testing.T, env *testenv.Env, sub string, extra ...string) string {
	t.Helper()
	args := append([]string{"token", "oidc", "--endpoint", env.URL, "--issuer", "github", "--sub", sub, "--aud", "sts.amazonaws.com"}, extra...)
	token := strings.TrimSpace(sekishoRun(t, args...))
	if strings.Count(token, ".") != 2 {
		t.Fatalf("token oidc printed %q", token)
	}
	file := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(file, []byte(token), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestWebIdentityAWSCLI: the real aws CLI with AWS_WEB_IDENTITY_TOKEN_FILE
// and AWS_ROLE_ARN becomes the role for its repository's token, is
// refused for a foreign repository's, and is let in by the wildcard role.
func TestWebIdentityAWSCLI(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	withToken := func(role, file string) {
		// The CLI caches assumed-role credentials by role and session
		// name, not by token: start each case without them.
		if err := os.RemoveAll(filepath.Join(c.home, ".aws", "cli", "cache")); err != nil {
			t.Fatal(err)
		}
		c.extraEnv = []string{"AWS_ROLE_ARN=" + role, "AWS_WEB_IDENTITY_TOKEN_FILE=" + file, "AWS_ROLE_SESSION_NAME=gha"}
	}
	withToken(githubExactRole, githubTokenFile(t, env, appMainSub))
	var who callerIdentity
	c.ok(&who, "sts", "get-caller-identity")
	if who.Arn != "arn:aws:sts::111111111111:assumed-role/github-deploy/gha" {
		t.Fatalf("caller %+v", who)
	}
	c.ok(nil, "s3api", "list-objects-v2", "--bucket", "account-a-bucket-0525")

	foreign := githubTokenFile(t, env, foreignSub)
	withToken(githubExactRole, foreign)
	if stderr := c.fails("sts", "get-caller-identity"); !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("foreign repository on the exact role: %s", stderr)
	}
	withToken(githubWildcardRole, foreign)
	c.ok(&who, "sts", "get-caller-identity")
	if who.Arn != "arn:aws:sts::111111111111:assumed-role/github-deploy-wildcard/gha" {
		t.Fatalf("caller %+v", who)
	}
	// A profile with web_identity_token_file, as the CLI documents.
	c.extraEnv = nil
	c.appendConfig("[profile gha]\nrole_arn = " + githubExactRole + "\nweb_identity_token_file = " + githubTokenFile(t, env, appMainSub) +
		"\nrole_session_name = profile\nregion = us-east-1")
	c.ok(&who, "--profile", "gha", "sts", "get-caller-identity")
	if who.Arn != "arn:aws:sts::111111111111:assumed-role/github-deploy/profile" {
		t.Fatalf("profile caller %+v", who)
	}
	withToken(githubExactRole, githubTokenFile(t, env, appMainSub, "--ttl", "-10m"))
	if stderr := c.fails("sts", "get-caller-identity"); !strings.Contains(stderr, "ExpiredTokenException") {
		t.Fatalf("expired token: %s", stderr)
	}
}

const boto3WebIdentity = `
import boto3, os
s = boto3.session.Session(region_name="us-east-1")
print(s.client("sts").get_caller_identity()["Arn"])
`

// TestWebIdentityBoto3: boto3's web identity credential provider.
func TestWebIdentityBoto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("boto3 is not installed (apt-get install python3-boto3)")
		}
		t.Skip("boto3 is not installed (apt-get install python3-boto3)")
	}
	env := testenv.Start(t)
	run := func(role, file string) (string, error) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "python3", "-c", boto3WebIdentity)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "BOTO_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		dir := t.TempDir()
		cmd.Env = append(cmd.Env, "AWS_CONFIG_FILE="+filepath.Join(dir, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "none"),
			"AWS_ENDPOINT_URL="+env.URL, "AWS_ROLE_ARN="+role, "AWS_WEB_IDENTITY_TOKEN_FILE="+file, "AWS_ROLE_SESSION_NAME=boto",
			"AWS_EC2_METADATA_DISABLED=true")
		out, err := cmd.CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	out, err := run(githubExactRole, githubTokenFile(t, env, appMainSub))
	if err != nil || out != "arn:aws:sts::111111111111:assumed-role/github-deploy/boto" {
		t.Fatalf("boto3: %v %s", err, out)
	}
	out, err = run(githubExactRole, githubTokenFile(t, env, foreignSub))
	if err == nil || !strings.Contains(out, "AccessDenied") {
		t.Fatalf("boto3 with a foreign repository's token: %v %s", err, out)
	}
}

// TestWebIdentityGoSDKAndExplain: aws-sdk-go-v2's web identity role
// provider; the wildcard role admits a foreign repository, and `sekisho
// explain` names the trust policy statement that let it in.
func TestWebIdentityGoSDKAndExplain(t *testing.T) {
	env := testenv.Start(t)
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), Retryer: aws.NopRetryer{},
		Credentials: aws.AnonymousCredentials{}})
	provider := stscreds.NewWebIdentityRoleProvider(client, githubExactRole, stscreds.IdentityTokenFile(githubTokenFile(t, env, appMainSub)),
		func(o *stscreds.WebIdentityRoleOptions) { o.RoleSessionName = "go-sdk" })
	asRole := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), Retryer: aws.NopRetryer{},
		Credentials: aws.NewCredentialsCache(provider)})
	who, err := asRole.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(who.Arn) != "arn:aws:sts::111111111111:assumed-role/github-deploy/go-sdk" {
		t.Fatalf("go sdk: %v %v", who, err)
	}

	token, err := os.ReadFile(githubTokenFile(t, env, foreignSub))
	if err != nil {
		t.Fatal(err)
	}
	out, err := client.AssumeRoleWithWebIdentity(context.Background(), &sts.AssumeRoleWithWebIdentityInput{
		RoleArn: aws.String(githubWildcardRole), RoleSessionName: aws.String("fork"), WebIdentityToken: aws.String(string(token))})
	if err != nil {
		t.Fatalf("the wildcard role refused a foreign repository: %v", err)
	}
	requestID, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	explained := sekishoRun(t, "explain", "--endpoint", env.URL, requestID)
	for _, want := range []string{"sts:AssumeRoleWithWebIdentity", `(Sid "GitHubAnyRepository") Allow: applies`,
		"arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com"} {
		if !strings.Contains(explained, want) {
			t.Fatalf("explain lacks %q:\n%s", want, explained)
		}
	}
}

// TestWebIdentityJavaScriptSDK: the JS SDK v3's default credential chain
// with AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (testdata/js).
func TestWebIdentityJavaScriptSDK(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Join(filepath.Dir(file), "testdata", "js")
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-sts"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node or the JS SDK is missing (make test installs them): %v", err)
		}
		t.Skipf("node or the JS SDK is missing (make test installs them): %v", err)
	}
	env := testenv.Start(t)
	run := func(role, sub string) (string, error) {
		cmd := exec.Command(node, "webidentity.mjs")
		cmd.Dir = dir
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		home := t.TempDir()
		cmd.Env = append(cmd.Env, "SEKISHO_ENDPOINT="+env.URL, "AWS_ENDPOINT_URL="+env.URL, "AWS_REGION=us-east-1",
			"AWS_ROLE_ARN="+role, "AWS_WEB_IDENTITY_TOKEN_FILE="+githubTokenFile(t, env, sub), "AWS_ROLE_SESSION_NAME=js",
			"AWS_CONFIG_FILE="+filepath.Join(home, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(home, "none"),
			"AWS_EC2_METADATA_DISABLED=true", "HOME="+home)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr // node may warn about its version there
		out, err := cmd.Output()
		if err != nil {
			return stderr.String(), err
		}
		return strings.TrimSpace(string(out)), nil
	}
	if out, err := run(githubExactRole, appMainSub); err != nil || out != "arn:aws:sts::111111111111:assumed-role/github-deploy/js" {
		t.Fatalf("js sdk: %v\n%s", err, out)
	}
	if out, err := run(githubExactRole, foreignSub); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Fatalf("js sdk with a foreign repository's token: %v\n%s", err, out)
	}
}
