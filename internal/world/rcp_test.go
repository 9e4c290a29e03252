package world_test

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/world"
)

// TestWorldRejectsCustomerRCPWithAllow: a world's customer RCP may not
// contain Allow (only AWS's RCPFullAWSAccess does); Deny-only RCPs load.
func TestWorldRejectsCustomerRCPWithAllow(t *testing.T) {
	doc := func(effect string) string {
		return `accounts:
  - id: "111111111111"
organization:
  management_account: "999999999999"
  policies:
    - name: rcp1
      type: rcp
      document: {"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Principal":"*","Action":"s3:*","Resource":"*"}]}
  attach:
    root: [rcp1]
`
	}
	_, err := world.Parse([]byte(doc("Allow")))
	if err == nil || !strings.Contains(err.Error(), "does not meet the requirements of the specified policy type") {
		t.Fatalf("RCP with Allow: err = %v, want Organizations' MalformedPolicyDocumentException text", err)
	}
	if _, err := world.Parse([]byte(doc("Deny"))); err != nil {
		t.Fatalf("Deny-only RCP: %v", err)
	}
}
