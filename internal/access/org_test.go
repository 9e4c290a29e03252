package access

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// TestOrganizationFromStore: the gate reads the organization from the
// store, sets the organization condition keys of principal and resource,
// places each SCP at its level with its attachment point and OU path, and
// follows a changed attachment at the next request.
func TestOrganizationFromStore(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`
	o := store.Organization{ID: "o-abcdefghij", ManagementAccount: "111111111111", RootID: "r-ab12",
		PolicyTypes: []string{"SERVICE_CONTROL_POLICY"},
		Units:       []store.OrgUnit{{ID: "ou-ab12-11111111", Name: "Prod", Parent: "r-ab12"}},
		Accounts: []store.OrgAccount{{ID: "111111111111", Parent: "r-ab12"}, {ID: "222222222222", Parent: "ou-ab12-11111111"},
			{ID: "333333333333", Parent: "r-ab12"}},
		Policies: []store.OrgPolicy{{ID: "p-nodelete", Name: "NoDelete", Type: "SERVICE_CONTROL_POLICY", Content: deny}},
		Attachments: []store.OrgAttachment{{PolicyID: "p-FullAWSAccess", TargetID: "r-ab12"}, {PolicyID: "p-FullAWSAccess", TargetID: "ou-ab12-11111111"},
			{PolicyID: "p-nodelete", TargetID: "ou-ab12-11111111"}, {PolicyID: "p-FullAWSAccess", TargetID: "222222222222"},
			{PolicyID: "p-FullAWSAccess", TargetID: "333333333333"}},
	}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.PutOrganization(o) }); err != nil {
		t.Fatal(err)
	}
	g := NewGate(st, nil, time.Now)
	c := &Caller{Principal: policy.Principal{Type: policy.PrincipalRoot, Account: "222222222222", ARN: RootARN("222222222222")}, UserID: "222222222222"}
	req, err := g.Request(ctx, c, Check{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k", ResourceAccount: "333333333333"})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"aws:PrincipalOrgID": "o-abcdefghij", "aws:PrincipalOrgPaths": "o-abcdefghij/r-ab12/ou-ab12-11111111/",
		"aws:ResourceOrgID": "o-abcdefghij", "aws:ResourceOrgPaths": "o-abcdefghij/r-ab12/", "aws:ResourceAccount": "333333333333",
	} {
		if got, _ := req.Context.Get(key); len(got) != 1 || got[0] != want {
			t.Errorf("%s = %v, want %s", key, got, want)
		}
	}
	if len(req.SCPs) != 4 || req.SCPs[2].Level != 1 || !strings.Contains(req.SCPs[2].Name, "NoDelete (p-nodelete) attached to ou-ab12-11111111 (Prod), OU path o-abcdefghij/r-ab12/ou-ab12-11111111/") {
		t.Fatalf("SCPs: %+v", req.SCPs)
	}
	if d := authz.Evaluate(req); d.Effect != authz.ExplicitDeny {
		t.Fatalf("delete under NoDelete: %v", d.Effect)
	}
	// Detached in the store: the next request no longer sees it.
	o.Revision = 1
	o.Attachments = o.Attachments[:2]
	o.Attachments = append(o.Attachments, store.OrgAttachment{PolicyID: "p-FullAWSAccess", TargetID: "222222222222"})
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.PutOrganization(o) }); err != nil {
		t.Fatal(err)
	}
	req, err = g.Request(ctx, c, Check{Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k"})
	if err != nil {
		t.Fatal(err)
	}
	if d := authz.Evaluate(req); d.Effect != authz.Allowed {
		t.Fatalf("delete after the detach: %v %s", d.Effect, d.Reason)
	}
	// The management account is bound by no SCP; outsiders have no org keys.
	mgmt := &Caller{Principal: policy.Principal{Type: policy.PrincipalRoot, Account: "111111111111", ARN: RootARN("111111111111")}}
	outsider := &Caller{Principal: policy.Principal{Type: policy.PrincipalRoot, Account: "444444444444", ARN: RootARN("444444444444")}}
	if req, _ = g.Request(ctx, mgmt, Check{Action: "s3:GetObject", Resource: "*"}); req.SCPs != nil {
		t.Fatalf("management account SCPs: %+v", req.SCPs)
	}
	if req, _ = g.Request(ctx, outsider, Check{Action: "s3:GetObject", Resource: "*"}); req.SCPs != nil {
		t.Fatalf("outsider SCPs: %+v", req.SCPs)
	}
	if _, ok := req.Context.Get("aws:PrincipalOrgID"); ok {
		t.Fatal("an outsider has aws:PrincipalOrgID")
	}
}
