package principalid

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	aliceARN = "arn:aws:iam::222222222222:user/alice"
	aliceID  = "AIDA2222ALICE00000001"
)

func replaceAlice(v string) (string, bool) {
	if strings.EqualFold(v, aliceARN) {
		return aliceID, true
	}
	return "", false
}

func TestRewriteReplacesOnlyPrincipalValues(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{
			"single statement, string",
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:user/alice"},"Action":"sts:AssumeRole"}}`,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"AIDA2222ALICE00000001"},"Action":"sts:AssumeRole"}}`,
		},
		{
			"array, list, white space kept, others untouched",
			"{\n  \"Statement\": [\n    {\"Principal\": {\"AWS\": [ \"111111111111\" , \"arn:aws:iam::222222222222:user/alice\" ]},\n     \"Condition\": {\"StringEquals\": {\"aws:PrincipalArn\": \"arn:aws:iam::222222222222:user/alice\"}}},\n    {\"NotPrincipal\": {\"AWS\": \"arn:aws:iam::222222222222:user/alice\"}}\n  ]\n}",
			"{\n  \"Statement\": [\n    {\"Principal\": {\"AWS\": [ \"111111111111\" , \"AIDA2222ALICE00000001\" ]},\n     \"Condition\": {\"StringEquals\": {\"aws:PrincipalArn\": \"arn:aws:iam::222222222222:user/alice\"}}},\n    {\"NotPrincipal\": {\"AWS\": \"AIDA2222ALICE00000001\"}}\n  ]\n}",
		},
		{
			"escaped spelling",
			`{"Statement":[{"Principal":{"AWS":"arn:aws:iam::222222222222:user\/alice"}}]}`,
			`{"Statement":[{"Principal":{"AWS":"AIDA2222ALICE00000001"}}]}`,
		},
		{
			"other kinds and wildcard untouched",
			`{"Statement":[{"Principal":"*"},{"Principal":{"Service":"arn:aws:iam::222222222222:user/alice"}}]}`,
			`{"Statement":[{"Principal":"*"},{"Principal":{"Service":"arn:aws:iam::222222222222:user/alice"}}]}`,
		},
		{
			"a longer name is another user",
			`{"Statement":[{"Principal":{"AWS":"arn:aws:iam::222222222222:user/alice2"}}]}`,
			`{"Statement":[{"Principal":{"AWS":"arn:aws:iam::222222222222:user/alice2"}}]}`,
		},
		{"not JSON", `{"Statement":`, `{"Statement":`},
	}
	for _, c := range cases {
		got, changed := Rewrite(c.in, replaceAlice)
		if got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, got, c.want)
		}
		if changed != (c.in != c.want) {
			t.Errorf("%s: changed = %v", c.name, changed)
		}
	}
}

// Rewrite never fails on any input, leaves a document alone when nothing
// is replaced, and keeps a valid document valid when values are replaced.
func FuzzRewrite(f *testing.F) {
	f.Add(`{"Statement":[{"Principal":{"AWS":["arn:aws:iam::222222222222:user/alice","1"]}}]}`)
	f.Add(`{"Statement":{"NotPrincipal":{"AWS":"arn:aws:iam::222222222222:user\/alice"}}}`)
	f.Add(`{"Statement":[1,{"Principal":"*"},{"Principal":{"AWS":[{}]}}]}`)
	f.Add(`{"Statement":`)
	f.Fuzz(func(t *testing.T, doc string) {
		if out, changed := Rewrite(doc, func(string) (string, bool) { return "", false }); changed || out != doc {
			t.Fatalf("nothing replaced, yet %q became %q", doc, out)
		}
		out, _ := Rewrite(doc, func(v string) (string, bool) { return v + `"\` + aliceID, true })
		if json.Valid([]byte(doc)) && !json.Valid([]byte(out)) {
			t.Fatalf("%q became invalid JSON %q", doc, out)
		}
	})
}
