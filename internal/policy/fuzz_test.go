package policy

import (
	"strings"
	"testing"
)

func FuzzParse(f *testing.F) {
	seeds := []string{
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`,
		`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/${aws:username}/*","Condition":{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"ForAllValues:StringLike":{"aws:TagKeys":["a*"]}}}]}`,
		`{"Statement":[{"Effect":"Allow","Principal":{"AWS":["111111111111","arn:aws:iam::222222222222:user/a"]},"Action":"sts:AssumeRole"}]}`,
		`{"a":1,"a":2}`, `[[[[[[[[[[`, `{"Version":"2012-10-17"} trailing`, "\xff\xfe",
	}
	for _, s := range seeds {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, doc string, typ uint8) {
		p, err := Parse(doc, Type(typ%5))
		if err == nil && len(p.Statements) == 0 {
			t.Fatal("a valid policy has statements")
		}
		if p != nil {
			ctx := NewContext()
			ctx.Set("aws:username", "alice")
			p.Evaluate(&Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx,
				Principal: &Principal{Type: PrincipalUser, Account: "111111111111", ARN: "arn:aws:iam::111111111111:user/alice"}})
		}
	})
}

func FuzzMatch(f *testing.F) {
	f.Add("arn:aws:s3:::b/*", "arn:aws:s3:::b/k", "alice")
	f.Add("arn:aws:s3:::${aws:username}/*", "arn:aws:s3:::alice/x", "alice")
	f.Add("a*a*a*a*a*a*a*a*b", strings.Repeat("a", 200), "")
	f.Add("arn:*:*:*:*:*", "arn:aws:iam::1:role/x:y", "")
	f.Fuzz(func(t *testing.T, pat, s, user string) {
		ap, err := compileARNPattern(pat, true)
		if err != nil {
			return
		}
		ctx := NewContext()
		ctx.Set("aws:username", user)
		ap.match(s, ctx)
		if p, err := compilePattern(pat, true, true); err == nil {
			p.match(s, ctx, false)
			p.equal(s, ctx, true)
		}
		globFold(strings.ToLower(pat), s)
	})
}
