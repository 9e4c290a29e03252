package console_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/sekisho/sekisho/internal/testenv"
)

// TestSignInSetsPasswordLastUsed: a console sign-in with the password is
// the password's last use, as IAM's GetUser reports it (PasswordLastUsed).
func TestSignInSetsPasswordLastUsed(t *testing.T) {
	env := testenv.Start(t)
	client := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider("AKIA2222ROOT00000001", "DemoRootSecretForAccountB0000000000000001", "")})
	ctx := context.Background()
	before, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if before.User.PasswordLastUsed != nil {
		t.Fatalf("PasswordLastUsed before any sign-in: %v", before.User.PasswordLastUsed)
	}
	if code, _ := newBrowser(t, env.URL).signInAs("account-b", "alice", "Alice-Console-Demo-1"); code != http.StatusOK {
		t.Fatalf("sign-in: %d", code)
	}
	after, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if err != nil {
		t.Fatal(err)
	}
	if after.User.PasswordLastUsed == nil {
		t.Fatal("GetUser has no PasswordLastUsed after a sign-in")
	}
}
