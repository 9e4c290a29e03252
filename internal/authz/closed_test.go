package authz

import (
	"testing"

	"github.com/sekisho/sekisho/internal/policy"
)

// TestClosedAccountDenies: the closure denies even where every policy
// allows, is told apart from a real control policy's deny, and its
// message is AWS's reason-less text rather than "explicit deny in a
// resource control policy".
func TestClosedAccountDenies(t *testing.T) {
	allow, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}}`, policy.Resource)
	if err != nil {
		t.Fatal(err)
	}
	realDeny, err := policy.Parse(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}`, policy.RCP)
	if err != nil {
		t.Fatal(err)
	}
	closure := ClosedAccount("222222222222", "SUSPENDED")
	req := &Request{Principal: policy.Principal{Type: policy.PrincipalRoot, Account: "111111111111", ARN: "arn:aws:iam::111111111111:root"},
		Action: "sts:AssumeRole", Resource: "arn:aws:iam::222222222222:role/r", ResourceAccount: "222222222222", Trust: true,
		Context: policy.NewContext(), ResourcePolicy: &Source{Name: "trust", Policy: allow}, RCPs: []Source{closure}}
	d := Evaluate(req)
	if d.Effect != ExplicitDeny || d.Reason != "account-closed" || !d.Statements()[0].Source.IsClosedAccount() {
		t.Fatalf("closed: %v %s", d.Effect, d.Reason)
	}
	if want := "User: arn:aws:iam::111111111111:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/r"; d.Message() != want {
		t.Fatalf("message %q", d.Message())
	}
	if closure.Name != "account 222222222222 is closed (SUSPENDED)" {
		t.Fatalf("name %q", closure.Name)
	}
	req.RCPs = []Source{{Name: "DenyAll", Policy: realDeny}}
	d = Evaluate(req)
	if d.Reason != "explicit-deny" || d.Statements()[0].Source.IsClosedAccount() {
		t.Fatalf("a real RCP deny taken for a closure: %s", d.Reason)
	}
}
