package stsclient

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testenv"
)

const (
	aliceKey    = "AKIA2222ALICE0000001"
	aliceSecret = "DemoSecretForAliceInAccountB000000000001"
	carolKey    = "AKIA2222CAROL0000001"
	carolSecret = "DemoSecretForCarolNoPoliciesAccountB0001"
	role        = "arn:aws:iam::111111111111:role/assume_s3_role"
)

func client(url, key, secret, token string) *Client {
	return &Client{Endpoint: url, Region: "ap-northeast-1", Credentials: Credentials{key, secret, token}}
}

func TestAssumeRoleAgainstServer(t *testing.T) {
	env := testenv.Start(t)
	ctx := context.Background()
	out, err := client(env.URL, aliceKey, aliceSecret, "").AssumeRole(ctx,
		AssumeRoleInput{RoleARN: role, RoleSessionName: "test", DurationSeconds: 900, ExternalID: "ignored-id"})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	if !strings.HasPrefix(c.AccessKeyID, "ASIA") || c.SecretAccessKey == "" || c.SessionToken == "" ||
		c.Expiration.Sub(time.Now()) > 16*time.Minute || c.Expiration.Before(time.Now()) {
		t.Fatalf("credentials: %+v", c)
	}
	if out.AssumedRoleUser.ARN != "arn:aws:sts::111111111111:assumed-role/assume_s3_role/test" || out.RequestID == "" {
		t.Fatalf("output: %+v", out)
	}
	id, err := client(env.URL, c.AccessKeyID, c.SecretAccessKey, c.SessionToken).GetCallerIdentity(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id.ARN != out.AssumedRoleUser.ARN || id.Account != "111111111111" || id.UserID != out.AssumedRoleUser.AssumedRoleID {
		t.Fatalf("caller identity %+v", id)
	}
}

func TestErrorsCarryCodeAndMessage(t *testing.T) {
	env := testenv.Start(t)
	ctx := context.Background()
	_, err := client(env.URL, carolKey, carolSecret, "").AssumeRole(ctx, AssumeRoleInput{RoleARN: role, RoleSessionName: "test"})
	e, ok := AsError(err)
	if !ok || e.Code != "AccessDenied" || e.StatusCode != http.StatusForbidden || !strings.Contains(e.Message, "user/carol is not authorized") {
		t.Fatalf("carol: %#v", err)
	}
	_, err = client(env.URL, aliceKey, "wrong", "").GetCallerIdentity(ctx)
	if e, ok := AsError(err); !ok || e.Code != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: %v", err)
	}
}

func TestNonXMLErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "upstream down", http.StatusBadGateway)
	}))
	defer srv.Close()
	_, err := client(srv.URL, aliceKey, aliceSecret, "").GetCallerIdentity(context.Background())
	if e, ok := AsError(err); !ok || e.Code != "Bad Gateway" || e.Message != "upstream down" {
		t.Fatalf("got %v", err)
	}
	if _, err := client("http://127.0.0.1:1", aliceKey, aliceSecret, "").GetCallerIdentity(context.Background()); err == nil {
		t.Fatal("no error from a closed port")
	}
}
