package e2e

import (
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// ipWorld holds seed 003's source-IP variants. The CLI reaches the server
// from 127.0.0.1, so "office" networks are chosen around that.
const ipWorld = `
accounts:
  - id: "111111111111"
    roles:
      - name: from-loopback
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::333333333333:user/dave","arn:aws:iam::333333333333:user/erin"]},"Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.1/32"}}}]}'
      - name: from-office
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:user/dave"},"Action":"sts:AssumeRole","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}'
  - id: "333333333333"
    alias: account-c
    policies:
      - name: AssumeFromLoopbackOnly
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"AllowAssumeRole","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/*"},{"Sid":"SourceIPRestriction","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["127.0.0.1/32"]}}}]}'
      - name: AssumeFromOfficeOnly
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"AllowAssumeRole","Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/*"},{"Sid":"SourceIPRestriction","Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":["203.0.113.0/24"]}}}]}'
    users:
      - name: dave
        access_keys: [{access_key_id: AKIA3333DAVE00000001, secret_access_key: DaveSecret000000000000000000000000000001}]
        policies: [AssumeFromLoopbackOnly]
      - name: erin
        access_keys: [{access_key_id: AKIA3333ERIN00000001, secret_access_key: ErinSecret000000000000000000000000000001}]
        policies: [AssumeFromOfficeOnly]
`

// TestSourceIPConditions: IpAddress in the trust policy and seed 003's
// NotIpAddress deny in the caller's identity policy, allowing and denying.
func TestSourceIPConditions(t *testing.T) {
	w, err := world.Parse([]byte(ipWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	c := newCLI(t, env)
	loopback := "arn:aws:iam::111111111111:role/from-loopback"
	office := "arn:aws:iam::111111111111:role/from-office"

	dave := func() *cli { return c.as("AKIA3333DAVE00000001", "DaveSecret000000000000000000000000000001") }
	erin := func() *cli { return c.as("AKIA3333ERIN00000001", "ErinSecret000000000000000000000000000001") }

	dave().ok(nil, "sts", "assume-role", "--role-arn", loopback, "--role-session-name", "s1") // IpAddress matches, NotIpAddress deny does not apply
	dave().fails("sts", "assume-role", "--role-arn", office, "--role-session-name", "s1")     // IpAddress in trust does not match
	erin().fails("sts", "assume-role", "--role-arn", loopback, "--role-session-name", "s1")   // NotIpAddress deny applies from loopback
}
