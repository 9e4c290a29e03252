package audit

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// TestExplainClosedAccount: a denial by an account's closure says the
// account is closed and that no policy can allow, not "remove the deny".
func TestExplainClosedAccount(t *testing.T) {
	l := NewLog(8, nil)
	req := &authz.Request{Principal: policy.Principal{Type: policy.PrincipalUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/ops"},
		Action: "sts:AssumeRole", Resource: "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole", ResourceAccount: "222222222222",
		Trust: true, Context: policy.NewContext(), RCPs: []authz.Source{authz.ClosedAccount("222222222222", "SUSPENDED")}}
	d := authz.Evaluate(req)
	l.Record("r1", req, &d)
	xs, ok := l.Explain("r1")
	if !ok || len(xs) != 1 {
		t.Fatalf("%v %v", xs, ok)
	}
	x := xs[0]
	for _, want := range []string{"account 222222222222 is closed (SUSPENDED)", "no one can assume its roles",
		"arn:aws:iam::111111111111:user/ops was refused sts:AssumeRole"} {
		if !strings.Contains(x.Message, want) {
			t.Errorf("message lacks %q: %s", want, x.Message)
		}
	}
	if x.Reason != "account-closed" || !strings.Contains(x.Advice, "No policy can allow this") || strings.Contains(x.Advice, "Remove") {
		t.Errorf("reason %s, advice %s", x.Reason, x.Advice)
	}
}
