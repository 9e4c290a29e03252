package principalid

import (
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
