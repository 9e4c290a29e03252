package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sekisho/sekisho/internal/app"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

// boot opens the store file, loads the demo world and serves it.
func boot(t *testing.T, path string) (*httptest.Server, store.Store) {
	t.Helper()
	st, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), app.Config{Store: st, BlobDir: filepath.Join(filepath.Dir(path), "objects"),
		Worlds: []*world.World{world.Demo()}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return httptest.NewServer(a.Handler), st
}

func client(url, key, secret, token string) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token)})
}

// TestRestartKeepsStateAndSessions: a session minted before a restart is
// honoured after it (the sealing key lives in the store), and loading the
// same world again changes nothing.
func TestRestartKeepsStateAndSessions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sekisho.db")
	ctx := context.Background()
	srv, st := boot(t, path)
	out, err := client(srv.URL, "AKIA2222ALICE0000001", "DemoSecretForAliceInAccountB000000000001", "").AssumeRole(ctx,
		&sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/assume_s3_role"), RoleSessionName: aws.String("before")})
	if err != nil {
		t.Fatal(err)
	}
	var usersBefore []store.User
	_ = st.View(ctx, func(tx store.Tx) (err error) { usersBefore, err = tx.ListUsers("222222222222", "/"); return })
	srv.Close()
	st.Close()

	srv, st = boot(t, path)
	defer srv.Close()
	defer st.Close()
	c := out.Credentials
	id, err := client(srv.URL, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).GetCallerIdentity(ctx, nil)
	if err != nil || *id.Arn != "arn:aws:sts::111111111111:assumed-role/assume_s3_role/before" {
		t.Fatalf("session after restart: %v %v", id, err)
	}
	var usersAfter []store.User
	_ = st.View(ctx, func(tx store.Tx) (err error) { usersAfter, err = tx.ListUsers("222222222222", "/"); return })
	if len(usersAfter) != len(usersBefore) || len(usersAfter) == 0 {
		t.Fatalf("users before %d, after reload %d", len(usersBefore), len(usersAfter))
	}
	for i := range usersAfter {
		if usersAfter[i].ID != usersBefore[i].ID {
			t.Fatalf("user %s changed id on reload", usersAfter[i].Name)
		}
	}
}
