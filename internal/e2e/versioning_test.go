package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// Account A's root (account B's is in restart_test.go).
const (
	rootAKey    = "AKIA1111ROOT00000001"
	rootASecret = "DemoRootSecretForAccountA0000000000000001"
)

type versionIDOutput struct {
	VersionID    string `json:"VersionId"`
	DeleteMarker bool   `json:"DeleteMarker"`
}

type listVersionsOutput struct {
	Versions []struct {
		Key       string `json:"Key"`
		VersionID string `json:"VersionId"`
		IsLatest  bool   `json:"IsLatest"`
	} `json:"Versions"`
	DeleteMarkers []struct {
		Key       string `json:"Key"`
		VersionID string `json:"VersionId"`
		IsLatest  bool   `json:"IsLatest"`
	} `json:"DeleteMarkers"`
}

// TestCLIVersioning drives the real aws CLI through a versioned bucket:
// put, overwrite, delete (a delete marker), list-object-versions, get an
// old version, delete a version; and a reader in account B whom the bucket
// policy allows s3:GetObject but not s3:GetObjectVersion reads the latest
// object but not an old version by ID.
func TestCLIVersioning(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	a := func() *cli { return c.as(rootAKey, rootASecret) }
	const bucket = "cli-versioned"
	s3api := func(args ...string) []string { return append([]string{"s3api", "--region", "us-east-1"}, args...) }

	a().ok(nil, s3api("create-bucket", "--bucket", bucket)...)
	a().ok(nil, s3api("put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")...)
	var status struct{ Status string }
	a().ok(&status, s3api("get-bucket-versioning", "--bucket", bucket)...)
	if status.Status != "Enabled" {
		t.Fatalf("get-bucket-versioning: %+v", status)
	}

	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	var v1, v2 versionIDOutput
	a().ok(&v1, s3api("put-object", "--bucket", bucket, "--key", "doc.txt", "--body", file("one", "first draft"))...)
	a().ok(&v2, s3api("put-object", "--bucket", bucket, "--key", "doc.txt", "--body", file("two", "second draft"))...)
	if v1.VersionID == "" || v2.VersionID == "" || v1.VersionID == v2.VersionID {
		t.Fatalf("version ids %q %q", v1.VersionID, v2.VersionID)
	}
	var del versionIDOutput
	a().ok(&del, s3api("delete-object", "--bucket", bucket, "--key", "doc.txt")...)
	if !del.DeleteMarker || del.VersionID == "" {
		t.Fatalf("delete-object: %+v", del)
	}
	if stderr := a().fails(s3api("get-object", "--bucket", bucket, "--key", "doc.txt", filepath.Join(dir, "gone"))...); !strings.Contains(stderr, "NoSuchKey") {
		t.Fatalf("get-object behind a delete marker: %s", stderr)
	}

	var list listVersionsOutput
	a().ok(&list, s3api("list-object-versions", "--bucket", bucket)...)
	if len(list.Versions) != 2 || len(list.DeleteMarkers) != 1 || !list.DeleteMarkers[0].IsLatest ||
		list.Versions[0].VersionID != v2.VersionID || list.Versions[1].VersionID != v1.VersionID {
		t.Fatalf("list-object-versions: %+v", list)
	}

	out := filepath.Join(dir, "old.txt")
	var got versionIDOutput
	a().ok(&got, s3api("get-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", v1.VersionID, out)...)
	if body, _ := os.ReadFile(out); string(body) != "first draft" || got.VersionID != v1.VersionID {
		t.Fatalf("get-object of v1: %q %+v", body, got)
	}

	// Removing the marker brings the latest back; removing v2 leaves v1.
	a().ok(nil, s3api("delete-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", del.VersionID)...)
	a().ok(&got, s3api("delete-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", v2.VersionID)...)
	if got.VersionID != v2.VersionID {
		t.Fatalf("delete-object --version-id: %+v", got)
	}
	list = listVersionsOutput{} // the CLI leaves out empty lists
	a().ok(&list, s3api("list-object-versions", "--bucket", bucket)...)
	if len(list.Versions) != 1 || list.Versions[0].VersionID != v1.VersionID || !list.Versions[0].IsLatest || len(list.DeleteMarkers) != 0 {
		t.Fatalf("after deleting versions: %+v", list)
	}
	a().ok(&v2, s3api("put-object", "--bucket", bucket, "--key", "doc.txt", "--body", file("three", "third draft"))...)

	// Account B may read the latest, not an old version.
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
	a().ok(nil, s3api("put-bucket-policy", "--bucket", bucket, "--policy", policy)...)
	b := func() *cli { return c.as(rootBKey, rootBSecret) }
	latest := filepath.Join(dir, "b-latest.txt")
	b().ok(nil, s3api("get-object", "--bucket", bucket, "--key", "doc.txt", latest)...)
	if body, _ := os.ReadFile(latest); string(body) != "third draft" {
		t.Fatalf("B's read of the latest: %q", body)
	}
	stderr := b().fails(s3api("get-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", v1.VersionID, filepath.Join(dir, "b-old.txt"))...)
	if !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("B's read of an old version: %s", stderr)
	}
	if stderr := b().fails(s3api("list-object-versions", "--bucket", bucket)...); !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("B's list-object-versions: %s", stderr)
	}
}
