package generate

import (
	"slices"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

func mustParse(t *testing.T, doc string, typ policy.Type) *policy.Policy {
	t.Helper()
	p, err := policy.Parse(doc, typ)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDiffUnusedAccess: what the identity policy grants, cut by the SCP,
// against one used action; the role's last use is its last request.
func TestDiffUnusedAccess(t *testing.T) {
	const role = "arn:aws:iam::111111111111:role/App"
	identity := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::data/*"},
		{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`, policy.Identity)
	scp := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}`, policy.SCP)
	principal, err := policy.ParsePrincipalARN("arn:aws:sts::111111111111:assumed-role/App/s")
	if err != nil {
		t.Fatal(err)
	}
	principal.RoleARN = role
	req := &authz.Request{Principal: principal, Context: policy.NewContext(), Identity: []authz.Source{{Name: "app", Policy: identity}}}
	used := time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)
	res, err := Diff(DiffInput{Principal: role, Request: req, SCPs: []authz.Source{{Name: "scp", Policy: scp}},
		Actions: []string{"iam:GetRole", "iam:GetUser", "iam:ListRoles", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"},
		Events: []Event{{Time: used, Principal: "arn:aws:sts::111111111111:assumed-role/App/s", Action: "s3:GetObject",
			Resource: "arn:aws:s3:::data/k", Allowed: true, Context: map[string][]string{"aws:PrincipalArn": {role}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"iam:GetRole", "iam:GetUser", "s3:PutObject"}; !slices.Equal(res.UnusedActions, want) {
		t.Errorf("unused actions %v, want %v (DeleteObject is cut by the SCP, ListRoles never granted)", res.UnusedActions, want)
	}
	if want := []string{"s3:GetObject"}; !slices.Equal(res.UsedActions, want) {
		t.Errorf("used actions %v, want %v", res.UsedActions, want)
	}
	if want := []string{"*"}; !slices.Equal(res.UnusedResources, want) {
		t.Errorf("unused resources %v, want %v", res.UnusedResources, want)
	}
	if len(res.LastUsed) != 1 || res.LastUsed[0].Kind != "role" || !res.LastUsed[0].LastUsed.Equal(used) {
		t.Errorf("last used %+v, want the role at %v", res.LastUsed, used)
	}
}
