package awsproto

import (
	"net/http"
	"net/url"
	"testing"
	"unicode/utf8"
)

// FuzzParseQuery feeds ParseQuery the URL query and form body of a Query
// API call (IAM, STS) and the accessors the services then use. Bad input
// must come back as a 4xx AWS error, never a panic; accepted parameters are
// valid UTF-8.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []struct{ method, query, body string }{
		{"POST", "", "Action=GetCallerIdentity&Version=2011-06-15"},
		{"POST", "", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fassume_s3_role" +
			"&RoleSessionName=botocore-session-1700000000&DurationSeconds=3600&SerialNumber=arn%3Aaws%3Aiam%3A%3A222222222222%3Amfa%2Falice&TokenCode=123456"},
		{"POST", "", "Action=CreateUser&Version=2010-05-08&UserName=eve&Path=%2Fdev%2F&Tags.member.1.Key=team&Tags.member.1.Value=red" +
			"&Tags.member.2.Key=env&Tags.member.2.Value=prod"},
		{"POST", "", "Action=PutUserPolicy&Version=2010-05-08&UserName=alice&PolicyName=p&PolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D"},
		{"POST", "", "Action=ListUsers&Version=2010-05-08&MaxItems=10&Marker=abc"},
		{"POST", "", "Action=GetAccessKeyLastUsed&Version=2010-05-08&AccessKeyId=AKIA2222ALICE0000001&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess"},
		{"GET", "Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20250102%2Fus-east-1%2Fsts%2Faws4_request", ""},
		{"POST", "Action=ListUsers", "Version=2010-05-08&Action=ListRoles"},
		{"POST", "", "%zz=1"},
		{"POST", "", "a=%ff%fe"},
		{"POST", "", "&&=&a==b;c"},
		{"POST", "", "Tags.member.0.Key=x&Tags.member.-1.Key=y&Tags.member.99999999999999999999.Key=z&Tags.member.1=w"},
		{"GET", "%", ""},
		{"POST", "", ""},
	} {
		f.Add(seed.method, seed.query, seed.body)
	}
	f.Fuzz(func(t *testing.T, method, rawQuery, body string) {
		r := &http.Request{Method: method, URL: &url.URL{Path: "/", RawQuery: rawQuery}}
		p, e := ParseQuery(r, []byte(body))
		if e != nil {
			if e.Status < 400 || e.Status > 499 || e.Code == "" {
				t.Fatalf("error %+v", e)
			}
			return
		}
		for name, values := range paramValues(p) {
			if !utf8.ValidString(name) {
				t.Fatalf("invalid UTF-8 name %q accepted", name)
			}
			for _, v := range values {
				if !utf8.ValidString(v) {
					t.Fatalf("invalid UTF-8 value %q accepted", v)
				}
			}
		}
		_ = p.Action()
		_, _ = p.Int("DurationSeconds", 3600)
		_ = p.List("PolicyArns")
		if n := len(p.Structs("Tags")); n > len(p.list) {
			t.Fatalf("%d members out of %d parameters", n, len(p.list))
		}
	})
}
