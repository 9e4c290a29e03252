package e2e

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/app"
	"github.com/sekisho/sekisho/internal/store/pgtest"
	"github.com/sekisho/sekisho/internal/store/postgres"
	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// startReplica runs one Sekisho replica on the shared database and object directory.
func startReplica(t *testing.T, dsn, blobDir string) *httptest.Server {
	t.Helper()
	st, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a, err := app.New(context.Background(), app.Config{Store: st, BlobDir: blobDir, SharedBlobs: true,
		Worlds: []*world.World{world.Demo()}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	return srv
}

// roundRobin alternates requests between backends, keeping the Host the
// client signed, as a load balancer in front of replicas does.
func roundRobin(t *testing.T, backends ...*httptest.Server) *httptest.Server {
	var next atomic.Uint64
	targets := make([]*url.URL, len(backends))
	for i, b := range backends {
		targets[i], _ = url.Parse(b.URL)
	}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		target := targets[next.Add(1)%uint64(len(targets))]
		r.SetURL(target)
		r.Out.Host = r.In.Host
	}}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv
}

// TestTwoReplicasOnePostgres: the seeds' walk-through with every request
// alternating between two replicas on one PostgreSQL and one object
// directory; a key deactivated through one replica stops working on the
// other within a second.
func TestTwoReplicasOnePostgres(t *testing.T) {
	awsCLI(t)
	dsn := pgtest.Start(t)
	blobDir := t.TempDir()
	r1 := startReplica(t, dsn, blobDir)
	r2 := startReplica(t, dsn, blobDir)
	lb := roundRobin(t, r1, r2)
	c := newCLI(t, &testenv.Env{URL: lb.URL})

	assumeS3Role(t, c)
	for i := 0; i < 2; i++ { // both replicas answer each call at least once
		var id callerIdentity
		c.ok(&id, "sts", "get-caller-identity")
		if id.Arn != "arn:aws:sts::111111111111:assumed-role/assume_s3_role/Account-B" {
			t.Fatalf("identity through replica %d: %+v", i, id)
		}
		if stdout, stderr, code := c.run("s3", "ls", "s3://account-a-bucket-0525/"); code != 0 || !strings.Contains(stdout, "test.txt") {
			t.Fatalf("s3 ls through replica %d: %s %s", i, stdout, stderr)
		}
	}

	root := c.as("AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001")
	dir := t.TempDir()
	for i, name := range []string{"one.txt", "two.txt", "three.txt"} {
		p := filepath.Join(dir, name)
		_ = os.WriteFile(p, []byte(strings.Repeat(name, i+1)), 0o600)
		root.ok(nil, "s3", "cp", p, "s3://account-a-bucket-0525/replicated/"+name)
	}
	stdout, stderr, code := root.run("s3", "ls", "s3://account-a-bucket-0525/replicated/")
	if code != 0 || strings.Count(stdout, ".txt") != 3 {
		t.Fatalf("listing objects written through both replicas: %s %s", stdout, stderr)
	}
	for _, name := range []string{"one.txt", "two.txt", "three.txt"} {
		got := filepath.Join(dir, "got-"+name)
		root.ok(nil, "s3", "cp", "s3://account-a-bucket-0525/replicated/"+name, got)
	}

	// Deactivate alice's key through replica 1; replica 2 must refuse it within a second.
	direct := newCLI(t, &testenv.Env{URL: r1.URL}).as("AKIA2222ROOT00000001", "DemoRootSecretForAccountB0000000000000001")
	direct.ok(nil, "iam", "update-access-key", "--user-name", "alice", "--access-key-id", aliceKey, "--status", "Inactive")
	deadline := time.Now().Add(time.Second)
	for {
		if refusedBy(t, r2.URL) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("replica 2 still accepts the deactivated key after 1 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// refusedBy reports whether the replica refuses alice's key. It signs
// with aws-sdk-go-v2 rather than starting the CLI, so the one-second
// deadline measures the replica, not process start-up.
func refusedBy(t *testing.T, url string) bool {
	c := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(aliceKey, aliceSecret, "")})
	_, err := c.GetCallerIdentity(context.Background(), nil)
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "InvalidClientTokenId"
}
