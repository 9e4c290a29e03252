package access

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// closedWorld is an organization whose management account is 111 (its
// record wrongly SUSPENDED, which must not close it), with 222 closed,
// 444 pending closure and 333 active; each account has a user with a key.
func closedWorld(t *testing.T) (*Gate, store.Store) {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	now := time.Now().UTC()
	o := store.Organization{ID: "o-abcdefghij", ManagementAccount: "111111111111", RootID: "r-ab12",
		Accounts: []store.OrgAccount{{ID: "111111111111", Parent: "r-ab12", Status: "SUSPENDED"},
			{ID: "222222222222", Parent: "r-ab12", Status: "SUSPENDED"}, {ID: "333333333333", Parent: "r-ab12", Status: "ACTIVE"},
			{ID: "444444444444", Parent: "r-ab12", Status: "PENDING_CLOSURE"}}}
	err = st.Update(ctx, func(tx store.Tx) error {
		for _, a := range o.Accounts {
			if err := tx.PutAccount(store.Account{ID: a.ID, CreatedAt: now}); err != nil {
				return err
			}
			if err := tx.CreateUser(store.User{Account: a.ID, Name: "u", Path: "/", ID: "AIDA" + a.ID, CreatedAt: now}); err != nil {
				return err
			}
			if err := tx.CreateAccessKey(store.AccessKey{ID: keyOf(a.ID), Secret: "s", Account: a.ID, UserName: "u", Active: true, CreatedAt: now}); err != nil {
				return err
			}
		}
		return tx.PutOrganization(o)
	})
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := LoadSealer(ctx, st, now)
	if err != nil {
		t.Fatal(err)
	}
	return NewGate(st, sealer, time.Now), st
}

// keyOf is the test user's access key id in account: AKIA and 16 characters.
func keyOf(account string) string { return "AKIA" + account + "AAAA" }

// TestClosedAccountCredentialsRefused: long-term keys and sessions of a
// closed (SUSPENDED or PENDING_CLOSURE) account's principals fail as a
// deactivated key does; the management account and active members pass.
func TestClosedAccountCredentialsRefused(t *testing.T) {
	g, _ := closedWorld(t)
	ctx := context.Background()
	for account, closed := range map[string]bool{"111111111111": false, "222222222222": true, "333333333333": false, "444444444444": true} {
		_, _, err := g.Resolve(ctx, keyOf(account), "")
		if closed != errors.Is(err, ErrClosedAccount) || (!closed && err != nil) {
			t.Errorf("key of %s: %v", account, err)
		}
		if closed && !errors.Is(err, ErrInactiveKey) {
			t.Errorf("key of closed %s is not refused as an inactive key: %v", account, err)
		}
		for _, kind := range []creds.SessionKind{creds.RootSession, creds.AssumedRole, creds.UserSession} {
			s := session(time.Now())
			s.Account, s.Kind, s.UserARN, s.UserID = account, kind, "arn:aws:iam::"+account+":user/u", "AIDA"+account
			token, err := g.Sealer().Seal(s)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := g.Resolve(ctx, s.AccessKeyID, token); closed != errors.Is(err, ErrClosedAccount) || (!closed && err != nil) {
				t.Errorf("%v session of %s: %v", kind, account, err)
			}
		}
	}
}

// TestClosedAccountResourcesDenied: a request to a closed account's
// resource is denied by the closure, whoever asks (anonymous callers
// through RCPs), with AWS's reason-less text; AssumeRoot's target account
// counts too; an active account's resources are decided as before.
func TestClosedAccountResourcesDenied(t *testing.T) {
	g, _ := closedWorld(t)
	ctx := context.Background()
	root := func(account string) *Caller {
		return &Caller{Principal: policy.Principal{Type: policy.PrincipalRoot, Account: account, ARN: RootARN(account)}, UserID: account}
	}
	decide := func(c *Caller, chk Check) authz.Decision {
		t.Helper()
		req, err := g.Request(ctx, c, chk)
		if err != nil {
			t.Fatal(err)
		}
		return authz.Evaluate(req)
	}
	bucketPolicy := &authz.Source{Name: "b policy", Policy: mustPolicy(t,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}}`)}
	get := Check{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "222222222222", ResourcePolicy: bucketPolicy}
	d := decide(root("333333333333"), get)
	if d.Effect != authz.ExplicitDeny || d.Reason != "account-closed" || d.Message() != d.Subject() {
		t.Fatalf("GetObject in a closed account: %v %s %q", d.Effect, d.Reason, d.Message())
	}
	get.ResourceAccount = "333333333333"
	if d := decide(root("111111111111"), get); d.Effect != authz.Allowed {
		t.Fatalf("GetObject in an active account: %v %s", d.Effect, d.Reason)
	}

	reqCtx := policy.NewContext()
	rcps := g.RCPs(ctx, "444444444444", reqCtx)
	anon := authz.Evaluate(&authz.Request{Principal: policy.Principal{Type: policy.PrincipalAnonymous}, Action: "s3:GetObject",
		Resource: "arn:aws:s3:::b/k", ResourceAccount: "444444444444", Context: reqCtx, ResourcePolicy: bucketPolicy, RCPs: rcps})
	if len(rcps) == 0 || !rcps[0].IsClosedAccount() || anon.Effect != authz.ExplicitDeny {
		t.Fatalf("anonymous GetObject in an account pending closure: %v %+v", anon.Effect, rcps)
	}

	assumeRoot := Check{Action: "sts:AssumeRoot", Resource: RootARN("222222222222"), TargetAccount: "222222222222"}
	if d := decide(root("111111111111"), assumeRoot); d.Reason != "account-closed" {
		t.Fatalf("AssumeRoot into a closed account: %v %s", d.Effect, d.Reason)
	}
	assumeRoot.Resource, assumeRoot.TargetAccount = RootARN("333333333333"), "333333333333"
	if d := decide(root("111111111111"), assumeRoot); d.Effect != authz.Allowed {
		t.Fatalf("AssumeRoot into an active account: %v %s", d.Effect, d.Reason)
	}
}

func mustPolicy(t *testing.T, doc string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse(doc, policy.Resource)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
