package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

const demoObject = "arn:aws:s3:::account-a-bucket-0525/test.txt"

func TestWhoCanCommand(t *testing.T) {
	stdout, stderr, code := run("who-can", "--demo", "--action", "s3:GetObject", "--resource", demoObject)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"arn:aws:iam::111111111111:root → s3:GetObject\n",
		"arn:aws:iam::222222222222:user/alice → sts:AssumeRole arn:aws:iam::111111111111:role/assume_s3_role → s3:GetObject\n",
		"    also via arn:aws:iam::111111111111:role/DESTINATION-ROLENAME, arn:aws:iam::111111111111:role/S3GetListRole\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "carol") {
		t.Errorf("carol cannot read:\n%s", stdout)
	}
	stdout, _, code = run("who-can", "--demo", "--action", "sts:AssumeRole", "--resource", "arn:aws:iam::111111111111:role/sw-service1-infra", "--json")
	var out struct {
		Paths []struct {
			Chain       string `json:"chain"`
			Conditional bool   `json:"conditional"`
		} `json:"paths"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 0 {
		t.Fatalf("exit %d, %v:\n%s", code, err, stdout)
	}
	if len(out.Paths) != 1 || !out.Paths[0].Conditional ||
		out.Paths[0].Chain != "arn:aws:iam::222222222222:user/bob_infra → sts:AssumeRole arn:aws:iam::111111111111:role/sw-service1-infra" {
		t.Errorf("paths: %+v", out.Paths)
	}
}

func TestWhoCanReadsDataDir(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(filepath.Join(dir, "sekisho.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := world.Load(context.Background(), st, world.Demo()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	stdout, stderr, code := run("who-can", "--data-dir", dir, "--action", "s3:GetObject", "--resource", demoObject)
	if code != 0 || !strings.Contains(stdout, "user/bob_infra → ") {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
}

func TestWhoCanBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"who-can", "--action", "s3:GetObject", "--resource", demoObject},
		{"who-can", "--demo", "--resource", demoObject},
		{"who-can", "--demo", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::no-such-bucket/k"},
		{"who-can", "--data-dir", t.TempDir(), "--action", "s3:GetObject", "--resource", demoObject},
		{"who-can", "--world", "missing.yaml", "--action", "s3:GetObject", "--resource", demoObject},
		{"access-report", "--demo", "--data-dir", t.TempDir()},
	} {
		if _, stderr, code := run(args...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2: %s", args, code, stderr)
		}
	}
}

func TestAccessReportCommand(t *testing.T) {
	stdout, stderr, code := run("access-report", "--demo")
	if code != 0 || !strings.Contains(stdout, "role arn:aws:iam::111111111111:role/assume_s3_role (account 111111111111)\n  external:   222222222222\n") ||
		!strings.Contains(stdout, "  condition:  ArnLike aws:PrincipalArn [arn:aws:iam::222222222222:user/*_infra]\n") ||
		!strings.Contains(stdout, "public: no Block Public Access setting neutralises it") ||
		!strings.Contains(stdout, "  federated:  arn:aws:iam::111111111111:oidc-provider/token.actions.githubusercontent.com: any GitHub repository (sub repo:*)\n") {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	stdout, _, code = run("access-report", "--demo", "--json")
	var out struct {
		Findings []struct {
			Resource   string   `json:"resource"`
			Principals []string `json:"principals"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil || code != 0 || len(out.Findings) != 8 {
		t.Fatalf("exit %d, %v: %s", code, err, stdout)
	}
}
