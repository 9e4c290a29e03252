package authmsg

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/policy"
)

func explicitDenial() *audit.Explanation {
	return &audit.Explanation{
		Summary: audit.Summary{RequestID: "r1", Principal: "arn:aws:iam::111111111111:user/alice",
			Action: "s3:DeleteObject", Resource: "arn:aws:s3:::b/k", Decision: "explicitly denied"},
		Context: map[string][]string{"aws:userid": {"AIDAEXAMPLE0000000001"}, "aws:username": {"alice"},
			"aws:sourceip": {"127.0.0.1"}},
		Policies: []audit.PolicyTrace{{Type: "identity-based policy", Name: "p", Statements: []policy.StatementTrace{
			{Index: 0, Sid: "AllowAll", Effect: "Allow", Matched: true},
			{Index: 1, Sid: "NoDeletes", Effect: "Deny", Matched: true},
		}}},
	}
}

// TestDecodedShape: the decoded message has AWS's fields: the principal
// in context.principal, the other keys as conditions, and for an
// explicit deny the Deny statements that matched.
func TestDecodedShape(t *testing.T) {
	raw, err := json.Marshal(FromExplanation(explicitDenial()))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"allowed":false,"explicitDeny":true,"matchedStatements":{"items":[{"statementId":"NoDeletes","effect":"DENY",` +
		`"principals":{"items":[{"value":"AIDAEXAMPLE0000000001"}]},"principalGroups":{"items":[]},"actions":{"items":[]},` +
		`"resources":{"items":[]},"conditions":{"items":[]}}]},"failures":{"items":[]},"context":{"principal":` +
		`{"id":"AIDAEXAMPLE0000000001","name":"alice","arn":"arn:aws:iam::111111111111:user/alice"},"action":"s3:DeleteObject",` +
		`"resource":"arn:aws:s3:::b/k","conditions":{"items":[{"key":"aws:sourceip","values":{"items":[{"value":"127.0.0.1"}]}}]}}}`
	if string(raw) != want {
		t.Fatalf("decoded message\n got %s\nwant %s", raw, want)
	}
}

// TestEncodeDecode: an encoded message is opaque and opens to the JSON.
func TestEncodeDecode(t *testing.T) {
	key, err := creds.NewKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	ring, err := creds.NewKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	s := creds.NewSealer(ring)
	msg, err := Encode(s, explicitDenial())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(msg, "alice") || strings.Contains(msg, "DeleteObject") {
		t.Fatalf("the encoded message shows its content: %s", msg)
	}
	doc, err := Decode(s, msg)
	if err != nil || !strings.Contains(doc, `"explicitDeny":true`) {
		t.Fatalf("Decode = %s, %v", doc, err)
	}
}
