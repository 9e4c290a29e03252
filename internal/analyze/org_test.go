package analyze

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

// orgAnalyzeWorld: a bucket of A shared with B and C; A and C form an
// organization (set up in the test), B stays outside.
const orgAnalyzeWorld = `
accounts:
  - id: "111111111111"
    buckets:
      - name: org-shared
        policy:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal: {AWS: ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]}
              Action: s3:GetObject
              Resource: arn:aws:s3:::org-shared/*
  - id: "222222222222"
    users:
      - name: bea
        inline_policies:
          read: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
  - id: "333333333333"
    users:
      - name: cid
        inline_policies:
          read: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
      - name: cat
        inline_policies:
          read: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
`

// TestOrganizationInAnalysis: who-can applies SCPs and RCPs and marks
// principals from outside the owner's organization; the access report
// lists the outside grantees and the RCP that refuses them.
func TestOrganizationInAnalysis(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if err := world.Load(ctx, st, parseWorld(t, orgAnalyzeWorld)); err != nil {
		t.Fatal(err)
	}
	noCid := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"cid"}}}]}`
	perimeter := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-aaaaaaaaaa"}}}]}`
	o := store.Organization{ID: "o-aaaaaaaaaa", ManagementAccount: "999999999999", RootID: "r-aaaa",
		PolicyTypes: []string{"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"},
		Accounts:    []store.OrgAccount{{ID: "999999999999", Parent: "r-aaaa"}, {ID: "111111111111", Parent: "r-aaaa"}, {ID: "333333333333", Parent: "r-aaaa"}},
		Policies: []store.OrgPolicy{{ID: "p-nocid", Name: "NoCid", Type: "SERVICE_CONTROL_POLICY", Content: noCid},
			{ID: "p-perim", Name: "Perimeter", Type: "RESOURCE_CONTROL_POLICY", Content: perimeter}},
		Attachments: []store.OrgAttachment{{PolicyID: "p-FullAWSAccess", TargetID: "r-aaaa"}, {PolicyID: "p-RCPFullAWSAccess", TargetID: "r-aaaa"},
			{PolicyID: "p-nocid", TargetID: "333333333333"}, {PolicyID: "p-RCPFullAWSAccess", TargetID: "333333333333"},
			{PolicyID: "p-FullAWSAccess", TargetID: "111111111111"}, {PolicyID: "p-RCPFullAWSAccess", TargetID: "111111111111"}},
	}
	put := func() {
		t.Helper()
		if err := st.Update(ctx, func(tx store.Tx) error { return tx.PutOrganization(o) }); err != nil {
			t.Fatal(err)
		}
		o.Revision++
	}
	put()
	who := func() map[string]Path {
		t.Helper()
		paths, err := WhoCan(ctx, st, "s3:GetObject", "arn:aws:s3:::org-shared/doc")
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]Path{}
		for _, p := range paths {
			out[p.Principal.ARN] = p
		}
		return out
	}
	got := who()
	bea, cat := got["arn:aws:iam::222222222222:user/bea"], got["arn:aws:iam::333333333333:user/cat"]
	if !bea.OutsideOrganization || cat.Principal.ARN == "" || cat.OutsideOrganization {
		t.Fatalf("bea (outside) and cat (member): %+v", got)
	}
	if _, ok := got["arn:aws:iam::333333333333:user/cid"]; ok {
		t.Fatal("the NoCid SCP stops cid")
	}

	o.Attachments = append(o.Attachments, store.OrgAttachment{PolicyID: "p-perim", TargetID: "111111111111"})
	put()
	got = who()
	if _, ok := got["arn:aws:iam::222222222222:user/bea"]; ok {
		t.Fatal("the RCP perimeter stops bea")
	}
	if _, ok := got["arn:aws:iam::333333333333:user/cat"]; !ok {
		t.Fatal("the perimeter spares cat, of the organization")
	}
	s, err := Load(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range s.AccessReport() {
		if f.Resource == "arn:aws:s3:::org-shared" {
			if !slices.Equal(f.OutsideOrganization, []string{"222222222222"}) || !strings.Contains(f.BlockedByRCP, "Perimeter") {
				t.Fatalf("finding: %+v", f)
			}
			return
		}
	}
	t.Fatal("no finding for org-shared")
}
