package caller

import (
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

func value(t *testing.T, ctx *policy.Context, key string) string {
	t.Helper()
	v, ok := ctx.Get(key)
	if !ok || len(v) != 1 {
		return ""
	}
	return v[0]
}

// TestAddContext: a user's keys include aws:username; a role session's
// aws:PrincipalArn is its role; a federated user has no aws:username.
func TestAddContext(t *testing.T) {
	user := &Caller{Principal: policy.Principal{Type: policy.PrincipalUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/alice"},
		UserID: "AIDAEXAMPLE0000000001", UserName: "alice", Tags: []store.Tag{{Key: "team", Value: "red"}}}
	ctx := policy.NewContext()
	user.AddContext(ctx)
	for key, want := range map[string]string{"aws:username": "alice", "aws:PrincipalArn": user.Principal.ARN,
		"aws:PrincipalTag/team": "red", "aws:PrincipalType": "User", "aws:userid": "AIDAEXAMPLE0000000001"} {
		if got := value(t, ctx, key); got != want {
			t.Errorf("user %s = %q, want %q", key, got, want)
		}
	}

	role := &Caller{Principal: policy.Principal{Type: policy.PrincipalAssumedRole, Account: "111111111111",
		ARN: "arn:aws:sts::111111111111:assumed-role/app/s1", RoleARN: "arn:aws:iam::111111111111:role/app"},
		Session: &creds.Session{Kind: creds.AssumedRole, IssuedAt: time.Unix(0, 0)}}
	ctx = policy.NewContext()
	role.AddContext(ctx)
	if got := value(t, ctx, "aws:PrincipalArn"); got != "arn:aws:iam::111111111111:role/app" || !role.Temporary() || !role.IsRoleSession() {
		t.Errorf("role session aws:PrincipalArn = %q", got)
	}

	fed := &Caller{Principal: policy.Principal{Type: policy.PrincipalFederatedUser, Account: "111111111111",
		ARN: "arn:aws:sts::111111111111:federated-user/bob"}, UserID: "111111111111:bob", UserName: "alice",
		Session: &creds.Session{Kind: creds.FederatedUser, IssuedAt: time.Unix(0, 0)}}
	ctx = policy.NewContext()
	fed.AddContext(ctx)
	if _, ok := ctx.Get("aws:username"); ok || !fed.IsFederatedUser() || value(t, ctx, "aws:PrincipalType") != "FederatedUser" {
		t.Errorf("federated user context: username present %v, type %q", ok, value(t, ctx, "aws:PrincipalType"))
	}
}
