package stsclient

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeShared(t *testing.T, credentials, config string) {
	t.Helper()
	dir := t.TempDir()
	for name, text := range map[string]string{"credentials": credentials, "config": config} {
		if text == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
}

const sharedConfig = `# comment
[default]
region = eu-west-1

[profile  ops]
; another comment
aws_access_key_id = AKIAOPS0000000000001
aws_secret_access_key = opsSecret=with/equals
region = ap-northeast-1
endpoint_url = http://127.0.0.1:4566
s3 =
    signature_version = s3v4

[profile role]
role_arn = arn:aws:iam::111111111111:role/r
source_profile = ops
`

const sharedCredentials = `[default]
aws_access_key_id=AKIADEFAULT000000001
aws_secret_access_key=defaultSecret
aws_session_token = token
`

func TestLoadProfile(t *testing.T) {
	writeShared(t, sharedCredentials, sharedConfig)
	p, err := LoadProfile("ops")
	if err != nil {
		t.Fatal(err)
	}
	if p.Credentials != (Credentials{"AKIAOPS0000000000001", "opsSecret=with/equals", ""}) || p.Region != "ap-northeast-1" || p.EndpointURL != "http://127.0.0.1:4566" {
		t.Errorf("ops: %+v", p)
	}
	p, err = LoadProfile("default")
	if err != nil {
		t.Fatal(err)
	}
	if p.Credentials != (Credentials{"AKIADEFAULT000000001", "defaultSecret", "token"}) || p.Region != "eu-west-1" {
		t.Errorf("default: %+v", p)
	}
	if _, err := LoadProfile("role"); err == nil || !strings.Contains(err.Error(), "source profile") {
		t.Errorf("role profile: %v", err)
	}
	if _, err := LoadProfile("nobody"); err == nil {
		t.Error("an unknown profile loaded")
	}
}

func TestLoadProfileWithoutFiles(t *testing.T) {
	writeShared(t, "", "")
	if _, err := LoadProfile("default"); err == nil {
		t.Error("a profile loaded from missing files")
	}
}
