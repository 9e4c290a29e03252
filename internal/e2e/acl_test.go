package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
)

// Canonical user ids of the demo accounts (account A's root key is in
// versioning_test.go).
const (
	canonicalA = "0000000000000000000000000000000000000000000000000000111111111111"
	canonicalB = "0000000000000000000000000000000000000000000000000000222222222222"
)

type aclOutput struct {
	Owner  struct{ ID string }
	Grants []struct {
		Grantee    struct{ ID, URI, Type string }
		Permission string
	}
}

// s3api runs `aws s3api` in us-east-1 as the given root, expecting success.
func s3api(c *cli, key, secret string, out any, args ...string) {
	c.t.Helper()
	c.as(key, secret).ok(out, append([]string{"--region", "us-east-1", "s3api"}, args...)...)
}

// s3apiFails runs `aws s3api` expecting failure and returns stderr.
func s3apiFails(c *cli, key, secret string, args ...string) string {
	c.t.Helper()
	return c.as(key, secret).fails(append([]string{"--region", "us-east-1", "s3api"}, args...)...)
}

// TestCLIObjectOwnership: with the real aws CLI, account B writes into A's
// bucket under each Object Ownership setting: who owns the object (ObjectWriter:
// B; BucketOwnerPreferred: A when B sends bucket-owner-full-control;
// BucketOwnerEnforced: A always), and whether A can read it.
func TestCLIObjectOwnership(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte("from B\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ownership          string
		plainOwner         string // owner of B's object written without an ACL
		bofcOwner          string // with bucket-owner-full-control
		aReadsPlain        bool
		bucketACLAvailable bool
	}{
		{"ObjectWriter", canonicalB, canonicalB, false, true},
		{"BucketOwnerPreferred", canonicalB, canonicalA, false, true},
		{"BucketOwnerEnforced", canonicalA, canonicalA, true, false},
	} {
		bucket := "acl-e2e-" + strings.ToLower(tc.ownership)
		s3api(c, rootAKey, rootASecret, nil, "create-bucket", "--bucket", bucket, "--object-ownership", tc.ownership)
		s3api(c, rootAKey, rootASecret, nil, "put-bucket-policy", "--bucket", bucket, "--policy",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["s3:PutObject","s3:PutObjectAcl"],"Resource":"arn:aws:s3:::`+bucket+`/*"}]}`)
		s3api(c, rootBKey, rootBSecret, nil, "put-object", "--bucket", bucket, "--key", "plain", "--body", body)
		s3api(c, rootBKey, rootBSecret, nil, "put-object", "--bucket", bucket, "--key", "bofc", "--body", body, "--acl", "bucket-owner-full-control")

		var acl aclOutput
		reader := map[bool][2]string{true: {rootAKey, rootASecret}, false: {rootBKey, rootBSecret}}[tc.plainOwner == canonicalA]
		s3api(c, reader[0], reader[1], &acl, "get-object-acl", "--bucket", bucket, "--key", "plain")
		if acl.Owner.ID != tc.plainOwner {
			t.Errorf("%s: B's plain object owned by %s, want %s", tc.ownership, acl.Owner.ID, tc.plainOwner)
		}
		s3api(c, rootAKey, rootASecret, &acl, "get-object-acl", "--bucket", bucket, "--key", "bofc")
		if acl.Owner.ID != tc.bofcOwner {
			t.Errorf("%s: B's bucket-owner-full-control object owned by %s, want %s", tc.ownership, acl.Owner.ID, tc.bofcOwner)
		}
		dst := filepath.Join(t.TempDir(), "out")
		c.as(rootAKey, rootASecret).ok(nil, "--region", "us-east-1", "s3api", "get-object", "--bucket", bucket, "--key", "bofc", dst)
		if tc.aReadsPlain {
			c.ok(nil, "--region", "us-east-1", "s3api", "get-object", "--bucket", bucket, "--key", "plain", dst)
		} else if stderr := s3apiFails(c, rootAKey, rootASecret, "get-object", "--bucket", bucket, "--key", "plain", dst); !strings.Contains(stderr, "AccessDenied") {
			t.Errorf("%s: A reading B's private object: %s", tc.ownership, stderr)
		}
		if !tc.bucketACLAvailable {
			if stderr := s3apiFails(c, rootBKey, rootBSecret, "put-object", "--bucket", bucket, "--key", "pub", "--body", body, "--acl", "public-read"); !strings.Contains(stderr, "AccessControlListNotSupported") {
				t.Errorf("%s: public-read: %s", tc.ownership, stderr)
			}
		}
	}
}

// TestCLIACLGrant: an object ACL grant lets account B read an object of A
// that no policy shares; the same grant counts for nothing once the bucket
// is BucketOwnerEnforced.
func TestCLIACLGrant(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	body := filepath.Join(t.TempDir(), "body.txt")
	if err := os.WriteFile(body, []byte("for B\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	const bucket = "acl-e2e-grant"
	s3api(c, rootAKey, rootASecret, nil, "create-bucket", "--bucket", bucket, "--object-ownership", "ObjectWriter")
	s3api(c, rootAKey, rootASecret, nil, "put-object", "--bucket", bucket, "--key", "shared", "--body", body)
	dst := filepath.Join(t.TempDir(), "out")
	if stderr := s3apiFails(c, rootBKey, rootBSecret, "get-object", "--bucket", bucket, "--key", "shared", dst); !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("B before the grant: %s", stderr)
	}
	s3api(c, rootAKey, rootASecret, nil, "put-object-acl", "--bucket", bucket, "--key", "shared",
		"--grant-full-control", `id="`+canonicalA+`"`, "--grant-read", `id="`+canonicalB+`"`)
	var acl aclOutput
	s3api(c, rootAKey, rootASecret, &acl, "get-object-acl", "--bucket", bucket, "--key", "shared")
	if len(acl.Grants) != 2 {
		t.Fatalf("grants: %+v", acl.Grants)
	}
	s3api(c, rootBKey, rootBSecret, nil, "get-object", "--bucket", bucket, "--key", "shared", dst)
	if got, _ := os.ReadFile(dst); string(got) != "for B\n" {
		t.Fatalf("B read %q", got)
	}
	s3api(c, rootAKey, rootASecret, nil, "put-bucket-ownership-controls", "--bucket", bucket,
		"--ownership-controls", `Rules=[{ObjectOwnership=BucketOwnerEnforced}]`)
	if stderr := s3apiFails(c, rootBKey, rootBSecret, "get-object", "--bucket", bucket, "--key", "shared", dst); !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("B under BucketOwnerEnforced: %s", stderr)
	}
	s3api(c, rootAKey, rootASecret, &acl, "get-object-acl", "--bucket", bucket, "--key", "shared")
	if len(acl.Grants) != 1 || acl.Grants[0].Grantee.ID != canonicalA || acl.Grants[0].Permission != "FULL_CONTROL" {
		t.Fatalf("grants under BucketOwnerEnforced: %+v", acl.Grants)
	}
}
