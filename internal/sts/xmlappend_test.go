package sts

import (
	"encoding/xml"
	"testing"

	"github.com/sekisho/sekisho/internal/awsproto"
)

// The results rendered without reflection are byte for byte what
// encoding/xml makes of them.
func TestResultsAppendAsMarshal(t *testing.T) {
	size := 42
	odd := `a<b>&"'` + "\t\n\r\x00\xff"
	for _, r := range []awsproto.XMLAppender{
		callerIdentityResult{Arn: "arn:aws:iam::111111111111:user/alice", UserID: "AIDA" + odd, Account: "111111111111"},
		callerIdentityResult{},
		assumeRoleResult{
			Credentials:     credentialsXML{AccessKeyID: "ASIA1", SecretAccessKey: "s/+=" + odd, SessionToken: "tok" + odd, Expiration: "2026-12-05T10:00:00Z"},
			AssumedRoleUser: assumedRoleUser{AssumedRoleID: "AROA1:bench", Arn: "arn:aws:sts::111111111111:assumed-role/r/bench"},
		},
		assumeRoleResult{PackedPolicySize: &size, SourceIdentity: "src" + odd},
		assumeRoleResult{},
	} {
		want, err := xml.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.AppendXML(nil); string(got) != string(want) {
			t.Fatalf("AppendXML:\n%s\nencoding/xml:\n%s", got, want)
		}
	}
}
