package policy

import "testing"

// A stored policy shows a deleted principal as its bare unique id; the
// policy still loads, and the id names nobody current.
func TestUniqueIDPrincipalMatchesNobody(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["AIDA2222ALICE00000001","AROA1111ROLE000000001"]},"Action":"s3:GetObject","Resource":"*"}]}`
	p, err := Parse(doc, Resource)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	for _, who := range []Principal{
		{Type: PrincipalUser, Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/alice"},
		{Type: PrincipalAssumedRole, Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/r/s", RoleARN: "arn:aws:iam::111111111111:role/r"},
	} {
		res := p.Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Principal: &who, Context: NewContext()})
		if res.Allowed() {
			t.Errorf("%s matched a deleted principal's unique id", who.ARN)
		}
	}
}

func TestIsPrincipalUniqueID(t *testing.T) {
	for s, want := range map[string]bool{
		"AIDA2222ALICE00000001":  true,
		"AROA1111ROLE000000001":  true,
		"AGPA1111GROUP00000001":  false, // groups are not principals
		"AIDA2222ALICE0000000":   false, // 20 characters
		"AIDA2222alice00000001":  false,
		"AIDA2222ALICE000000011": false,
	} {
		if got := IsPrincipalUniqueID(s); got != want {
			t.Errorf("IsPrincipalUniqueID(%q) = %v, want %v", s, got, want)
		}
	}
}

// A session whose user or role is gone is named by no ARN, while an
// account or "*" still names it as before.
func TestGonePrincipalMatchesNoARN(t *testing.T) {
	user := Principal{Type: PrincipalUser, Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/alice", Gone: true}
	role := Principal{Type: PrincipalAssumedRole, Account: "111111111111", ARN: "arn:aws:sts::111111111111:assumed-role/r/s", RoleARN: "arn:aws:iam::111111111111:role/r", Gone: true}
	cases := []struct {
		name      string
		principal string
		who       Principal
		want      bool
	}{
		{"user ARN", `"arn:aws:iam::222222222222:user/alice"`, user, false},
		{"role ARN", `"arn:aws:iam::111111111111:role/r"`, role, false},
		{"session ARN", `"arn:aws:sts::111111111111:assumed-role/r/s"`, role, false},
		{"wildcard", `"*"`, user, true},
	}
	for _, c := range cases {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":` + c.principal + `},"Action":"s3:GetObject","Resource":"*"}]}`
		p, err := Parse(doc, Resource)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		who := c.who
		got := p.Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Principal: &who, Context: NewContext()}).Allowed()
		if got != c.want {
			t.Errorf("%s: allowed = %v, want %v", c.name, got, c.want)
		}
	}
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::222222222222:user/alice"},"Action":"*","Resource":"*"}]}`
	p, err := Parse(deny, Resource)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Principal: &user, Context: NewContext()}).Denied() {
		t.Error("NotPrincipal exempted a deleted user's session")
	}
}
