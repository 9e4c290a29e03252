package cli

import (
	"testing"

	"github.com/sekisho/sekisho/internal/saml"
)

func TestParseSAMLAttrs(t *testing.T) {
	got, err := parseSAMLAttrs([]string{"PrincipalTag:team=blue", "SourceIdentity=alice", "urn:oid:2.5.4.3=Alice",
		"TransitiveTagKeys=team", "TransitiveTagKeys=cost", "empty="})
	if err != nil {
		t.Fatal(err)
	}
	want := []saml.Attribute{
		{Name: saml.AttrPrincipalTag + "team", Values: []string{"blue"}},
		{Name: saml.AttrSourceIdentity, Values: []string{"alice"}},
		{Name: "urn:oid:2.5.4.3", Values: []string{"Alice"}},
		{Name: saml.AttrTransitiveTags, Values: []string{"team", "cost"}},
		{Name: "empty", Values: []string{""}},
	}
	if len(got) != len(want) {
		t.Fatalf("attributes: %+v", got)
	}
	for i := range want {
		if got[i].Name != want[i].Name || len(got[i].Values) != len(want[i].Values) {
			t.Fatalf("attribute %d: %+v, want %+v", i, got[i], want[i])
		}
		for j := range want[i].Values {
			if got[i].Values[j] != want[i].Values[j] {
				t.Fatalf("attribute %d: %+v, want %+v", i, got[i], want[i])
			}
		}
	}
	if _, err := parseSAMLAttrs([]string{"novalue"}); err == nil {
		t.Fatal("NAME without =VALUE accepted")
	}
}

func TestDefaultSessionName(t *testing.T) {
	for subject, want := range map[string]string{"alice@example.com": "alice@example.com", "a b": "sekisho-saml", "x": "sekisho-saml"} {
		if got := defaultSessionName(subject); got != want {
			t.Errorf("defaultSessionName(%q) = %q, want %q", subject, got, want)
		}
	}
}
