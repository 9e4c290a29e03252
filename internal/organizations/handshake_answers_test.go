package organizations_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/testenv"
)

func orgClient(env *testenv.Env, key, secret string) *organizations.Client {
	return organizations.New(organizations.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// The invited account declines, the management account cancels, both
// only while the invitation is open and only as their own party; the
// management account lists what its organization sent; a member leaves,
// the management account cannot.
func TestHandshakeAnswersAndLeaving(t *testing.T) {
	env := testenv.Start(t)
	ctx := context.Background()
	a := orgClient(env, "AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001")
	b := orgClient(env, "AKIA2222ROOT00000001", "DemoRootSecretForAccountB0000000000000001")
	if _, err := a.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	invite := func() *string {
		out, err := a.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
			Target: &orgtypes.HandshakeParty{Id: aws.String("222222222222"), Type: orgtypes.HandshakePartyTypeAccount}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Handshake.Id
	}

	first := invite()
	if _, err := a.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: first}); errorCode(err) != "AccessDeniedException" {
		t.Errorf("the sender declines: %v", err)
	}
	if _, err := b.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: first}); errorCode(err) != "AccessDeniedException" {
		t.Errorf("the invited account cancels: %v", err)
	}
	declined, err := b.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: first})
	if err != nil || declined.Handshake.State != orgtypes.HandshakeStateDeclined {
		t.Fatalf("DeclineHandshake: %+v, %v", declined, err)
	}
	if _, err := b.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: first}); errorCode(err) != "InvalidHandshakeTransitionException" {
		t.Errorf("accepting a declined invitation: %v", err)
	}

	second := invite()
	canceled, err := a.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: second})
	if err != nil || canceled.Handshake.State != orgtypes.HandshakeStateCanceled {
		t.Fatalf("CancelHandshake: %+v, %v", canceled, err)
	}
	listed, err := a.ListHandshakesForOrganization(ctx, &organizations.ListHandshakesForOrganizationInput{})
	if err != nil || len(listed.Handshakes) != 2 {
		t.Fatalf("ListHandshakesForOrganization: %+v, %v", listed, err)
	}

	third := invite()
	if _, err := b.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: third}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{}); errorCode(err) != "MasterCannotLeaveOrganizationException" {
		t.Errorf("the management account leaves: %v", err)
	}
	if _, err := b.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{}); err != nil {
		t.Fatalf("LeaveOrganization: %v", err)
	}
	if _, err := b.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{}); errorCode(err) != "AWSOrganizationsNotInUseException" {
		t.Errorf("leaving twice: %v", err)
	}
	accounts, err := a.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(accounts.Accounts) != 1 {
		t.Errorf("after B left: %+v, %v", accounts, err)
	}
}
