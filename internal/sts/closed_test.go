package sts_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/testenv"
)

// closeInStore marks account closed in its organization record, as
// CloseAccount does.
func closeInStore(t *testing.T, env *testenv.Env, account string) {
	t.Helper()
	err := env.Store.Update(context.Background(), func(tx store.Tx) error {
		orgs, err := tx.ListOrganizations()
		if err != nil {
			return err
		}
		for _, o := range orgs {
			for i := range o.Accounts {
				if o.Accounts[i].ID == account {
					o.Accounts[i].Status = "SUSPENDED"
					return tx.PutOrganization(o)
				}
			}
		}
		t.Fatalf("%s is in no organization", account)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestClosedAccountRootAndFederation: once account 333 is closed,
// AssumeRoot into it is denied with the usual text (the decision's reason
// account-closed), and its root-task session, a federated user's session
// and its user's key all fail as invalid credentials; the management
// account's user carries on.
func TestClosedAccountRootAndFederation(t *testing.T) {
	env := startFed(t)
	ctx := context.Background()
	admin := stsClient(env, adminKey, adminSecret, "")
	task := &ststypes.PolicyDescriptorType{Arn: aws.String("arn:aws:iam::aws:policy/root-task/IAMAuditRootUserCredentials")}
	rooted, err := admin.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("333333333333"), TaskPolicyArn: task})
	if err != nil {
		t.Fatal(err)
	}
	fed, err := stsClient(env, carolKey, carolSecret, "").GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("fed")})
	if err != nil {
		t.Fatal(err)
	}

	closeInStore(t, env, "333333333333")
	_, err = admin.AssumeRoot(ctx, &sts.AssumeRootInput{TargetPrincipal: aws.String("333333333333"), TaskPolicyArn: task})
	want := "User: arn:aws:iam::444444444444:user/admin is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::333333333333:root"
	if apiCode(err) != "AccessDenied" || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "because") {
		t.Fatalf("AssumeRoot into a closed account: %v", err)
	}
	if denials := env.Decisions.List(audit.Filter{DeniedOnly: true}); len(denials) == 0 || denials[0].Reason != "account-closed" {
		t.Fatalf("the AssumeRoot denial's reason: %+v", denials)
	}
	for who, c := range map[string]*ststypes.Credentials{"root-task session": rooted.Credentials, "federated session": fed.Credentials} {
		if _, err := stsClient(env, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken).GetCallerIdentity(ctx, nil); apiCode(err) != "InvalidClientTokenId" {
			t.Errorf("%s of the closed account: %v", who, err)
		}
	}
	if _, err := stsClient(env, carolKey, carolSecret, "").GetCallerIdentity(ctx, nil); apiCode(err) != "InvalidClientTokenId" {
		t.Errorf("carol's key in the closed account: %v", err)
	}
	if _, err := admin.GetCallerIdentity(ctx, nil); err != nil {
		t.Errorf("the management account's admin: %v", err)
	}
}
