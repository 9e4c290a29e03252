package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// mountTmpfs mounts a tmpfs of size bytes for the test, or skips it when
// that is impossible here (not root, no tmpfs).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("disk full: mounting a small tmpfs needs root; run the e2e tests as root to exercise a full --data-dir")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("disk full: cannot mount a tmpfs here (%v: %s)", err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// fillDisk writes a file in dir until the file system is full and
// returns its path.
func fillDisk(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "filler")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, chunk := range []int{1 << 20, 4 << 10, 512} {
		buf := make([]byte, chunk)
		for {
			if _, err := f.Write(buf); err != nil {
				break
			}
		}
	}
	return path
}

// acked is an object the server acknowledged, with its checksum.
type acked struct {
	key string
	sum [32]byte
}

func putRandom(ctx context.Context, c *s3.Client, key string, size int) (acked, error) {
	body := make([]byte, size)
	_, _ = rand.Read(body)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	return acked{key, sha256.Sum256(body)}, err
}

func checkIntact(t *testing.T, ctx context.Context, c *s3.Client, objects []acked, when string) {
	t.Helper()
	for _, o := range objects {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(demoBucket), Key: aws.String(o.key)})
		if err != nil {
			t.Errorf("%s: acknowledged object %s: %v", when, o.key, err)
			continue
		}
		body, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || sha256.Sum256(body) != o.sum {
			t.Errorf("%s: acknowledged object %s is not intact (%v)", when, o.key, err)
		}
	}
}

// assertRetryableServerError: AWS answers a failure of its own with a 5xx
// error its SDKs retry (S3: InternalError 500, "retry the request"; IAM:
// InternalFailure 500 or ServiceUnavailable 503).
func assertRetryableServerError(t *testing.T, err error, codes ...string) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() < 500 {
		t.Fatalf("error %v, want a 5xx answer", err)
	}
	code := errorCode(err)
	ok := false
	for _, c := range codes {
		ok = ok || c == code
	}
	if !ok {
		t.Errorf("error code %q (HTTP %d), want one of %v", code, re.HTTPStatusCode(), codes)
	}
	if retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) != aws.TrueTernary {
		t.Errorf("the SDK would not retry %v", err)
	}
}

// TestDiskFull: with --data-dir on a full tmpfs, S3 and IAM writes fail
// with AWS's retryable errors, reads go on, nothing acknowledged is lost
// or half-written, and once space returns the same process takes writes
// again; a restart finds everything acknowledged.
func TestDiskFull(t *testing.T) {
	mnt := mountTmpfs(t, "24m")
	dataDir := filepath.Join(mnt, "data")
	bin := buildSekisho(t)
	p := startServe(t, bin, "--data-dir", dataDir, "--demo")
	ctx := context.Background()
	objects, users := rootA(p.URL), iamAs(p.URL, rootAKey, rootASecret)

	var ack []acked
	var ackedUsers []string
	for i := range 3 {
		o, err := putRandom(ctx, objects, fmt.Sprintf("before-%d", i), 256<<10)
		if err != nil {
			t.Fatal(err)
		}
		ack = append(ack, o)
	}
	if _, err := users.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("before-full")}); err != nil {
		t.Fatal(err)
	}
	ackedUsers = append(ackedUsers, "before-full")

	filler := fillDisk(t, mnt)
	_, err := putRandom(ctx, objects, "during", 1<<20)
	if err == nil {
		t.Fatal("PutObject of 1 MiB succeeded on a full disk")
	}
	assertRetryableServerError(t, err, "InternalError")
	// IAM writes are small: SQLite may still find room in pages it holds.
	// Each must either succeed (and then last) or fail as AWS does.
	iamFailed := 0
	for i := range 20 {
		name := fmt.Sprintf("during-full-%d", i)
		_, err := users.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name),
			Path: aws.String("/" + string(bytes.Repeat([]byte("p"), 400)) + "/")})
		if err == nil {
			ackedUsers = append(ackedUsers, name)
			continue
		}
		iamFailed++
		assertRetryableServerError(t, err, "InternalFailure", "ServiceUnavailable")
	}
	t.Logf("on the full disk: %d of 20 CreateUser calls failed", iamFailed)
	checkIntact(t, ctx, objects, ack, "disk full")
	if _, err := objects.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("during")}); errorCode(err) != "NotFound" {
		t.Errorf("the PutObject that failed left something behind: HeadObject = %v", err)
	}
	m := scrape(t, p.URL+"/metrics")
	if got := sample(m, "sekisho_blob_errors_total", map[string]string{"kind": "no_space"}); got < 1 {
		t.Errorf("sekisho_blob_errors_total{kind=no_space} = %v after a PUT on a full disk", got)
	}
	if iamFailed > 0 {
		if got := sample(m, "sekisho_store_errors_total", map[string]string{"kind": "no_space"}); got < 1 {
			t.Errorf("sekisho_store_errors_total{kind=no_space} = %v after %d failed IAM writes", got, iamFailed)
		}
	}

	// Space returns: the same process takes writes again.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	o, err := putRandom(ctx, objects, "after", 1<<20)
	if err != nil {
		t.Fatalf("PutObject once space returned: %v", err)
	}
	ack = append(ack, o)
	if _, err := users.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("after-full")}); err != nil {
		t.Fatalf("CreateUser once space returned: %v", err)
	}
	ackedUsers = append(ackedUsers, "after-full")
	checkIntact(t, ctx, objects, ack, "after space returned")
	checkUsers(t, ctx, users, ackedUsers, "after space returned")

	p.stop()
	p = startServe(t, bin, "--data-dir", dataDir, "--demo")
	checkIntact(t, ctx, rootA(p.URL), ack, "after a restart")
	checkUsers(t, ctx, iamAs(p.URL, rootAKey, rootASecret), ackedUsers, "after a restart")
}

func checkUsers(t *testing.T, ctx context.Context, c *iam.Client, names []string, when string) {
	t.Helper()
	for _, name := range names {
		if _, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)}); err != nil {
			t.Errorf("%s: acknowledged user %s: %v", when, name, err)
		}
	}
}
