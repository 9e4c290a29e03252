package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func run(args ...string) (string, string, int) {
	var out, errOut bytes.Buffer
	root := NewRoot(&out, &errOut)
	root.SetArgs(args)
	err := root.Execute()
	code := 0
	if err != nil {
		code = ExitCode(err)
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), code
}

func TestPolicyEvalFlagsAndExitCodes(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"id.json":     `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`,
		"bucket.json": `{"Version":"2012-10-17","Statement":[{"Sid":"Alice","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24"]}}}]}`,
		"deny.json":   `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`,
		"bad.json":    `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject"}]}`,
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	base := []string{"policy", "eval", "--principal", "arn:aws:iam::222222222222:user/alice", "--action", "s3:GetObject",
		"--resource", "arn:aws:s3:::b/k", "--resource-account", "111111111111", "--resource-policy", p("bucket.json")}

	out, _, code := run(append(base, "--identity", p("id.json"), "--context", "aws:SourceIp=203.0.113.7", "--json")...)
	var got decisionJSON
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.Decision != "allowed" || len(got.Statements) != 2 {
		t.Fatalf("allowed: %d %s", code, out)
	}
	out, _, code = run(append(base, "--identity", p("id.json"), "--context", "aws:SourceIp=198.51.100.1")...)
	if code != 1 || !strings.Contains(out, "implicitly denied") || !strings.Contains(out, "no resource-based policy allows") {
		t.Fatalf("condition fails: %d %s", code, out)
	}
	out, _, code = run(append(base, "--context", "aws:SourceIp=203.0.113.7")...)
	if code != 1 || !strings.Contains(out, "because no identity-based policy allows the s3:GetObject action") {
		t.Fatalf("bucket policy alone cross-account: %d %s", code, out)
	}
	out, _, code = run(append(base, "--identity", p("id.json"), "--scp", p("deny.json"), "--context", "aws:SourceIp=203.0.113.7")...)
	if code != 1 || !strings.Contains(out, "explicitly denied") || !strings.Contains(out, "with an explicit deny in a service control policy") {
		t.Fatalf("scp deny: %d %s", code, out)
	}
	_, errOut, code := run(append(base, "--identity", p("bad.json"))...)
	if code != 2 || !strings.Contains(errOut, "Policy statement must contain resources.") {
		t.Fatalf("bad policy: %d %s", code, errOut)
	}
	_, _, code = run("policy", "eval", "--principal", "not-an-arn", "--action", "s3:GetObject", "--resource", "*")
	if code != 2 {
		t.Fatalf("bad principal exit %d", code)
	}
	_, _, code = run(append(base, "--boundary", p("id.json"), "--session-policy", p("id.json"), "--identity", p("id.json"), "--context", "aws:SourceIp=203.0.113.7")...)
	if code != 0 {
		t.Fatalf("boundary and session policy allowing: exit %d", code)
	}
}

func TestPolicyValidate(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"trust.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}`,
	})
	out, _, code := run("policy", "validate", "--type", "trust", filepath.Join(dir, "trust.json"))
	if code != 0 || strings.TrimSpace(out) != "OK" {
		t.Fatalf("trust: %d %s", code, out)
	}
	_, errOut, code := run("policy", "validate", "--type", "identity", filepath.Join(dir, "trust.json"))
	if code != 1 || !strings.Contains(errOut, "Policy document should not specify a principal.") || !strings.Contains(errOut, "Statement[0]") {
		t.Fatalf("trust as identity: %d %s", code, errOut)
	}
	_, _, code = run("policy", "validate", "--type", "nope", filepath.Join(dir, "trust.json"))
	if code != 2 {
		t.Fatalf("bad type exit %d", code)
	}
}

// TestPolicyValidateCustomerRCP: a customer RCP may only deny.
func TestPolicyValidateCustomerRCP(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"allow.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`,
		"deny.json":  `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}`,
	})
	_, errOut, code := run("policy", "validate", "--type", "rcp", filepath.Join(dir, "allow.json"))
	if code != 1 || !strings.Contains(errOut, "does not meet the requirements of the specified policy type") || !strings.Contains(errOut, "Statement[0].Effect") {
		t.Fatalf("RCP with Allow: %d %s", code, errOut)
	}
	if out, _, code := run("policy", "validate", "--type", "rcp", filepath.Join(dir, "deny.json")); code != 0 || strings.TrimSpace(out) != "OK" {
		t.Fatalf("Deny-only RCP: %d %s", code, out)
	}
}
