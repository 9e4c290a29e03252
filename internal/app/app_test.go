package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sekisho/sekisho/internal/app"
	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

// instance is one server process on a store file.
type instance struct {
	srv *httptest.Server
	app *app.App
	st  store.Store
}

// stop shuts the instance down as serve does: the HTTP server, then the
// app (its last decisions reach the store), then the store.
func (i *instance) stop() {
	i.srv.Close()
	i.app.Close()
	i.st.Close()
}

// boot opens the store file, loads the demo world and serves it.
func boot(t *testing.T, path string) *instance {
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
	return &instance{srv: httptest.NewServer(a.Handler), app: a, st: st}
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
	first := boot(t, path)
	out, err := client(first.srv.URL, "AKIA2222ALICE0000001", "DemoSecretForAliceInAccountB000000000001", "").AssumeRole(ctx,
		&sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/assume_s3_role"), RoleSessionName: aws.String("before")})
	if err != nil {
		t.Fatal(err)
	}
	var usersBefore []store.User
	_ = first.st.View(ctx, func(tx store.Tx) (err error) { usersBefore, err = tx.ListUsers("222222222222", "/"); return })
	first.stop()

	second := boot(t, path)
	defer second.stop()
	st := second.st
	c := out.Credentials
	id, err := client(second.srv.URL, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).GetCallerIdentity(ctx, nil)
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

// TestDecisionsOutliveRestart: a decision made by one instance is
// explained by the next on the same store file, its ring empty.
func TestDecisionsOutliveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sekisho.db")
	ctx := context.Background()
	first := boot(t, path)
	_, err := client(first.srv.URL, "AKIA2222CAROL0000001", "DemoSecretForCarolNoPoliciesAccountB0001", "").AssumeRole(ctx,
		&sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/assume_s3_role"), RoleSessionName: aws.String("carol")})
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.HTTPStatusCode() != 403 || re.ServiceRequestID() == "" {
		t.Fatalf("carol's AssumeRole: %v, want AccessDenied with a request id", err)
	}
	requestID := re.ServiceRequestID()
	before, ok := first.app.Decisions.Explain(requestID)
	if !ok {
		t.Fatalf("the first instance does not explain request %s", requestID)
	}
	first.stop()

	second := boot(t, path)
	defer second.stop()
	after, ok := second.app.Decisions.Explain(requestID)
	if !ok || len(after) != len(before) {
		t.Fatalf("after the restart, Explain(%s) = %d explanations (%v), want %d", requestID, len(after), ok, len(before))
	}
	x := after[len(after)-1]
	if x.Decision != "implicitly denied" || x.Principal != "arn:aws:iam::222222222222:user/carol" ||
		x.Advice != before[len(before)-1].Advice || len(x.Policies) != len(before[len(before)-1].Policies) {
		t.Fatalf("after the restart: %+v\nbefore: %+v", x, before[len(before)-1])
	}
	denied := second.app.Decisions.List(audit.Filter{DeniedOnly: true})
	if len(denied) == 0 || denied[0].RequestID != requestID {
		t.Fatalf("after the restart, the denials listed are %+v", denied)
	}
}
