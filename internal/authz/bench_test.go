package authz

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/policy"
)

func identityPolicy(b testing.TB, statements int, bucket string) *policy.Policy {
	var stmts []string
	for i := 0; i < statements-1; i++ {
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["ec2:Describe%d*","s3:Put%d"],"Resource":"arn:aws:s3:::other-%d/*"}`, i, i, i, i))
	}
	stmts = append(stmts, fmt.Sprintf(`{"Sid":"Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"]}`, bucket, bucket))
	p, err := policy.Parse(`{"Version":"2012-10-17","Statement":[`+strings.Join(stmts, ",")+`]}`, policy.Identity)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func bucketPolicy(b testing.TB) *policy.Policy {
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
	 {"Sid":"Other1","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
	 {"Sid":"Other2","Effect":"Allow","Principal":{"AWS":"444444444444"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*"},
	 {"Sid":"Office","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:user/alice"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}},
	 {"Sid":"List","Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b"}]}`
	p, err := policy.Parse(doc, policy.Resource)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func crossAccountRequest(b testing.TB, identity []Source) *Request {
	ctx := policy.NewContext()
	ctx.Set("aws:SourceIp", "203.0.113.9")
	ctx.Set("aws:SecureTransport", "true")
	ctx.Set("aws:PrincipalArn", "arn:aws:iam::222222222222:user/alice")
	return &Request{
		Principal:       policy.Principal{Type: policy.PrincipalUser, Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/alice"},
		Action:          "s3:GetObject",
		Resource:        "arn:aws:s3:::b/reports/2026/k.csv",
		ResourceAccount: "111111111111",
		Context:         ctx,
		Identity:        identity,
		ResourcePolicy:  &Source{Name: "b", Policy: bucketPolicy(b)},
	}
}

// BenchmarkDecisionSmall: a 10-statement identity policy plus a
// 5-statement bucket policy with 2 conditions, cross-account.
func BenchmarkDecisionSmall(b *testing.B) {
	req := crossAccountRequest(b, []Source{{Name: "read", Policy: identityPolicy(b, 10, "b")}})
	if d := Evaluate(req); d.Effect != Allowed {
		b.Fatalf("want allowed, got %s %s", d.Effect, d.Message())
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(req)
	}
}

// BenchmarkDecision20Managed: 20 attached managed policies of 10 statements each.
func BenchmarkDecision20Managed(b *testing.B) {
	var ids []Source
	for i := 0; i < 19; i++ {
		ids = append(ids, Source{Name: fmt.Sprintf("p%d", i), Policy: identityPolicy(b, 10, fmt.Sprintf("x%d", i))})
	}
	ids = append(ids, Source{Name: "read", Policy: identityPolicy(b, 10, "b")})
	req := crossAccountRequest(b, ids)
	if d := Evaluate(req); d.Effect != Allowed {
		b.Fatalf("want allowed, got %s", d.Effect)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(req)
	}
}

func TestDecisionDoesNotAllocate(t *testing.T) {
	req := crossAccountRequest(t, []Source{{Name: "read", Policy: identityPolicy(t, 10, "b")}})
	if n := testing.AllocsPerRun(100, func() { Evaluate(req) }); n != 0 {
		t.Fatalf("Evaluate allocates %v times per decision", n)
	}
	req.Identity = nil
	if n := testing.AllocsPerRun(100, func() { Evaluate(req) }); n != 0 {
		t.Fatalf("a denial allocates %v times", n)
	}
}
