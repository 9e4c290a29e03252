package authz

import (
	"testing"

	"github.com/sekisho/sekisho/internal/policy"
)

func mustPolicy(t *testing.T, doc string, typ policy.Type) *policy.Policy {
	t.Helper()
	p, err := policy.Parse(doc, typ)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSCPLevels: an SCP must allow at every level of the organization;
// an Allow at the root does not make up for a level without one.
func TestSCPLevels(t *testing.T) {
	full := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.SCP)
	s3Only := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, policy.SCP)
	admin := mustPolicy(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, policy.Identity)
	base := Request{
		Principal: policy.Principal{Type: policy.PrincipalUser, Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/u"},
		Identity:  []Source{{Name: "admin", Policy: admin}},
		Resource:  "*",
	}
	cases := []struct {
		name   string
		action string
		scps   []Source
		want   Effect
	}{
		{"full access at both levels", "ec2:RunInstances", []Source{{Name: "root", Policy: full, Level: 0}, {Name: "acct", Policy: full, Level: 1}}, Allowed},
		{"account level allows only s3", "ec2:RunInstances", []Source{{Name: "root", Policy: full, Level: 0}, {Name: "acct", Policy: s3Only, Level: 1}}, ImplicitDeny},
		{"account level allows s3", "s3:GetObject", []Source{{Name: "root", Policy: full, Level: 0}, {Name: "acct", Policy: s3Only, Level: 1}}, Allowed},
		{"root allows only s3", "ec2:RunInstances", []Source{{Name: "root", Policy: s3Only, Level: 0}, {Name: "acct", Policy: full, Level: 1}}, ImplicitDeny},
		{"two policies at one level: either allows", "ec2:RunInstances", []Source{{Name: "root", Policy: full, Level: 0}, {Name: "a", Policy: s3Only, Level: 1}, {Name: "b", Policy: full, Level: 1}}, Allowed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := base
			req.Action, req.SCPs = c.action, c.scps
			if d := Evaluate(&req); d.Effect != c.want {
				t.Fatalf("%s, want %s", d.Effect, c.want)
			}
		})
	}
}
