package e2e

import (
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// assumeS3Role is seed 000: alice assumes A's role and uses its keys.
func assumeS3Role(t *testing.T, c *cli) {
	t.Helper()
	var out assumeRoleOutput
	c.as(aliceKey, aliceSecret).ok(&out, "sts", "assume-role", "--role-arn", "arn:aws:iam::111111111111:role/assume_s3_role", "--role-session-name", "Account-B")
	c.env = map[string]string{"AWS_ACCESS_KEY_ID": out.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": out.Credentials.SecretAccessKey, "AWS_SESSION_TOKEN": out.Credentials.SessionToken}
}

// TestSeedCrossAccountRead: after assuming A's role, `aws s3 ls` shows A's
// bucket, the objects list and download; writing is refused (read-only role).
func TestSeedCrossAccountRead(t *testing.T) {
	env := testenv.Start(t)
	c := newCLI(t, env)
	assumeS3Role(t, c)
	stdout, stderr, code := c.run("s3", "ls")
	if code != 0 || !strings.Contains(stdout, "account-a-bucket-0525") {
		t.Fatalf("s3 ls: %d %s %s", code, stdout, stderr)
	}
	stdout, stderr, code = c.run("s3", "ls", "s3://account-a-bucket-0525/")
	if code != 0 || !strings.Contains(stdout, "test.txt") || !strings.Contains(stdout, "test2.txt") {
		t.Fatalf("s3 ls bucket: %d %s %s", code, stdout, stderr)
	}
	dst := filepath.Join(t.TempDir(), "test.txt")
	c.ok(nil, "s3", "cp", "s3://account-a-bucket-0525/test.txt", dst)
	if got, _ := os.ReadFile(dst); string(got) != "hello from account A\n" {
		t.Fatalf("downloaded %q", got)
	}
	src := filepath.Join(t.TempDir(), "up.txt")
	_ = os.WriteFile(src, []byte("x"), 0o600)
	if stderr := c.fails("s3api", "put-object", "--bucket", "account-a-bucket-0525", "--key", "up.txt", "--body", src); !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("put-object with a read-only role: %s", stderr)
	}
}

// resourcePolicyWorld: the resource-policy path of seed 002. A's bucket
// policy names B's user dave; dave's own account must allow too.
const resourcePolicyWorld = `
accounts:
  - id: "111111111111"
    users:
      - name: owner-reader
        access_keys: [{access_key_id: AKIA1111READER000001, secret_access_key: OwnerReaderSecret000000000000000000001}]
    buckets:
      - name: shared-bucket
        objects: {"report.csv": "a,b\n"}
        policy:
          Version: "2012-10-17"
          Statement:
            - Sid: CrossAccountDave
              Effect: Allow
              Principal: {AWS: "arn:aws:iam::222222222222:user/dave"}
              Action: [s3:GetObject, s3:ListBucket]
              Resource: ["arn:aws:s3:::shared-bucket", "arn:aws:s3:::shared-bucket/*"]
            - Sid: SameAccountReader
              Effect: Allow
              Principal: {AWS: "arn:aws:iam::111111111111:user/owner-reader"}
              Action: s3:GetObject
              Resource: "arn:aws:s3:::shared-bucket/*"
  - id: "222222222222"
    policies:
      - name: ReadShared
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::shared-bucket","arn:aws:s3:::shared-bucket/*"]}]}'
    users:
      - name: dave
        access_keys: [{access_key_id: AKIA2222DAVE00000001, secret_access_key: DaveSecretInAccountB0000000000000000001}]
`

func TestSeedResourcePolicyPath(t *testing.T) {
	w, err := world.Parse([]byte(resourcePolicyWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	c := newCLI(t, env)
	dst := filepath.Join(t.TempDir(), "r.csv")

	// The bucket policy alone is not enough across accounts.
	dave := func() *cli { return c.as("AKIA2222DAVE00000001", "DaveSecretInAccountB0000000000000000001") }
	if stderr := dave().fails("s3", "cp", "s3://shared-bucket/report.csv", dst); !strings.Contains(stderr, "403") && !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("dave without an identity policy: %s", stderr)
	}
	// B's root attaches ReadShared to dave: now both sides allow.
	c.as("AKIA2222ROOT00000001", "DemoRootSecretForAccountB0000000000000001").ok(nil, "iam", "attach-user-policy", "--user-name", "dave",
		"--policy-arn", "arn:aws:iam::222222222222:policy/ReadShared")
	dave().ok(nil, "s3", "cp", "s3://shared-bucket/report.csv", dst)

	// Within account A, the bucket policy naming the user is enough.
	c.as("AKIA1111READER000001", "OwnerReaderSecret000000000000000000001").ok(nil, "s3", "cp", "s3://shared-bucket/report.csv", dst)
}

// TestLargeCopySyncPresign: a 200 MB file up and down with the same
// checksum, `aws s3 sync`, and a presigned GET, as account A's root.
func TestLargeCopySyncPresign(t *testing.T) {
	if testing.Short() {
		t.Skip("200 MB transfer")
	}
	env := testenv.Start(t)
	c := newCLI(t, env).as("AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001")
	dir := t.TempDir()
	big := filepath.Join(dir, "big.bin")
	writeRandomFile(t, big, 200<<20)
	c.ok(nil, "s3", "cp", big, "s3://account-a-bucket-0525/big.bin")
	back := filepath.Join(dir, "back.bin")
	c.ok(nil, "s3", "cp", "s3://account-a-bucket-0525/big.bin", back)
	if fileHash(t, big) != fileHash(t, back) {
		t.Fatal("200 MB round trip changed the bytes")
	}

	tree := filepath.Join(dir, "tree")
	for _, name := range []string{"a.txt", "sub/b.txt", "sub/deeper/c.txt"} {
		p := filepath.Join(tree, name)
		_ = os.MkdirAll(filepath.Dir(p), 0o700)
		_ = os.WriteFile(p, []byte(name), 0o600)
	}
	c.ok(nil, "s3", "sync", tree, "s3://account-a-bucket-0525/tree/")
	restored := filepath.Join(dir, "restored")
	c.ok(nil, "s3", "sync", "s3://account-a-bucket-0525/tree/", restored)
	if got, _ := os.ReadFile(filepath.Join(restored, "sub/deeper/c.txt")); string(got) != "sub/deeper/c.txt" {
		t.Fatalf("sync round trip: %q", got)
	}

	// The CLI's region is ap-northeast-1 and the bucket's us-east-1: the
	// copies above were refused once (AuthorizationHeaderMalformed) and
	// retried for the region S3 named. A presigned URL cannot be retried:
	// signed for the wrong region, it is refused naming the right one.
	url, stderr, code := c.run("s3", "presign", "s3://account-a-bucket-0525/test.txt", "--expires-in", "300")
	if code != 0 {
		t.Fatalf("presign: %s", stderr)
	}
	resp, err := http.Get(strings.TrimSpace(url))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>AuthorizationQueryParametersError</Code>") ||
		!strings.Contains(string(body), "<Region>us-east-1</Region>") {
		t.Fatalf("presigned for ap-northeast-1: %d %s", resp.StatusCode, body)
	}
	url, stderr, code = c.run("s3", "presign", "s3://account-a-bucket-0525/test.txt", "--expires-in", "300", "--region", "us-east-1")
	if code != 0 {
		t.Fatalf("presign: %s", stderr)
	}
	resp, err = http.Get(strings.TrimSpace(url))
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "hello from account A\n" {
		t.Fatalf("presigned GET: %d %s", resp.StatusCode, body)
	}
}

func writeRandomFile(t *testing.T, path string, size int64) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.CopyN(f, rand.Reader, size); err != nil {
		t.Fatal(err)
	}
}

func fileHash(t *testing.T, path string) [32]byte {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	_, _ = io.Copy(h, f)
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}
