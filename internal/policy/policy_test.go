package policy

import (
	"strings"
	"testing"
)

func mustParse(t testing.TB, doc string, typ Type) *Policy {
	t.Helper()
	p, err := Parse(doc, typ)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return p
}

func TestParseRejectsHostileInput(t *testing.T) {
	cases := map[string]string{
		"duplicate key":   `{"Version":"2012-10-17","Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		"trailing":        `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}} {}`,
		"deep nesting":    `{"Version":"2012-10-17","Statement":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`,
		"invalid utf-8":   "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:\xff\",\"Resource\":\"*\"}}",
		"one megabyte":    `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"` + strings.Repeat("a", 1<<20) + `"}}`,
		"not an object":   `[]`,
		"empty":           ``,
		"truncated":       `{"Version":"2012-10-17","Statement":{"Effect":"Allow"`,
		"unknown top key": `{"Version":"2012-10-17","Foo":1,"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(doc, Identity)
			if err == nil {
				t.Fatal("want an error")
			}
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T is not *policy.Error", err)
			}
		})
	}
}

func TestSizeLimitCountsWithoutWhitespace(t *testing.T) {
	stmt := `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/k"}`
	doc := `{"Version":"2012-10-17","Statement":[` + stmt + `]}`
	padded := strings.Replace(doc, ",", ",\n      ", -1)
	p := mustParse(t, padded, Identity)
	if p.Size != len(doc) {
		t.Fatalf("size = %d, want %d (white space removed)", p.Size, len(doc))
	}
	big := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(stmt+",", 90) + stmt + `]}`
	_, err := Parse(big, Identity)
	if e, ok := err.(*Error); !ok || e.ErrorCode() != CodeLimitExceeded {
		t.Fatalf("want LimitExceeded, got %v", err)
	}
}

func TestErrorLocatesTheProblem(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"nope"}}}]}`
	_, err := Parse(doc, Identity)
	if err == nil || !strings.Contains(err.Error(), "Statement[1].Condition.IpAddress.aws:SourceIp") {
		t.Fatalf("error %v does not name the place", err)
	}
}

func TestEvaluateDoesNotAllocate(t *testing.T) {
	p := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"x"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`, Identity)
	ctx := NewContext()
	ctx.Set("aws:username", "alice")
	ctx.Set("aws:PrincipalTag/team", "x")
	ctx.Set("aws:SourceIp", "10.1.2.3")
	req := &Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/alice/k", Context: ctx}
	if !p.Evaluate(req).Allowed() {
		t.Fatal("want allowed")
	}
	if n := testing.AllocsPerRun(100, func() { p.Evaluate(req) }); n != 0 {
		t.Fatalf("Evaluate allocates %v times", n)
	}
}

// TestCustomerRCPRejectsAllow: Parse accepts Allow in an RCP (the
// AWS-managed RCPFullAWSAccess has one), ParseCustomer refuses it.
func TestCustomerRCPRejectsAllow(t *testing.T) {
	full := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	if _, err := Parse(full, RCP); err != nil {
		t.Fatalf("Parse: %v", err)
	}
	_, err := ParseCustomer(full, RCP)
	pe, ok := err.(*Error)
	if !ok || pe.ErrorCode() != CodeOrgMalformed || pe.Message != msgRCPAllow {
		t.Fatalf("ParseCustomer = %v, want %s", err, msgRCPAllow)
	}
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	if _, err := ParseCustomer(deny, RCP); err != nil {
		t.Fatalf("a Deny-only RCP: %v", err)
	}
	if _, err := ParseCustomer(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`, SCP); err != nil {
		t.Fatalf("an SCP with Allow: %v", err)
	}
}
