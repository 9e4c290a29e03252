package e2e

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// federationWorld: fred may federate and read one bucket, and decode
// authorization messages; nadia may do nothing.
const federationWorld = `
accounts:
  - id: "555555555555"
    users:
      - name: fred
        access_keys: [{access_key_id: AKIA5555FRED00000001, secret_access_key: FredSecret000000000000000000000000000001}]
        inline_policies:
          fed: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:GetFederationToken","sts:GetAccessKeyInfo","sts:DecodeAuthorizationMessage","s3:ListBucket","s3:GetObject"],"Resource":"*"}]}'
      - name: nadia
        access_keys: [{access_key_id: AKIA5555NADIA0000001, secret_access_key: NadiaSecret00000000000000000000000000001}]
    buckets:
      - name: fed-cli-bucket
        objects: {hello.txt: hello}
`

const (
	fredKey     = "AKIA5555FRED00000001"
	fredSecret  = "FredSecret000000000000000000000000000001"
	nadiaKey    = "AKIA5555NADIA0000001"
	nadiaSecret = "NadiaSecret00000000000000000000000000001"
)

// TestCLIFederationToken: `aws sts get-federation-token` mints a
// federated-user session whose permissions are the user's narrowed by the
// passed policy; `aws sts get-access-key-info` names the account of a
// world key and of the session's temporary key.
func TestCLIFederationToken(t *testing.T) {
	w, err := world.Parse([]byte(federationWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	c := newCLI(t, env)
	var fed struct {
		Credentials struct {
			AccessKeyID     string `json:"AccessKeyId"`
			SecretAccessKey string `json:"SecretAccessKey"`
			SessionToken    string `json:"SessionToken"`
		} `json:"Credentials"`
		FederatedUser struct {
			FederatedUserID string `json:"FederatedUserId"`
			Arn             string `json:"Arn"`
		} `json:"FederatedUser"`
		PackedPolicySize int `json:"PackedPolicySize"`
	}
	c.as(fredKey, fredSecret).ok(&fed, "sts", "get-federation-token", "--name", "cli-user", "--duration-seconds", "900",
		"--policy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`)
	if fed.FederatedUser.Arn != "arn:aws:sts::555555555555:federated-user/cli-user" || fed.FederatedUser.FederatedUserID != "555555555555:cli-user" || fed.PackedPolicySize == 0 {
		t.Fatalf("get-federation-token: %+v", fed)
	}
	session := newCLI(t, env)
	session.env = map[string]string{"AWS_ACCESS_KEY_ID": fed.Credentials.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": fed.Credentials.SecretAccessKey, "AWS_SESSION_TOKEN": fed.Credentials.SessionToken}
	var who callerIdentity
	session.ok(&who, "sts", "get-caller-identity")
	if who.Arn != fed.FederatedUser.Arn || who.UserID != "555555555555:cli-user" {
		t.Fatalf("get-caller-identity: %+v", who)
	}
	session.ok(nil, "s3api", "list-objects-v2", "--bucket", "fed-cli-bucket")
	if stderr := session.fails("s3api", "get-object", "--bucket", "fed-cli-bucket", "--key", "hello.txt", t.TempDir()+"/out"); !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("get-object outside the passed policy: %s", stderr)
	}
	if stderr := c.as(nadiaKey, nadiaSecret).fails("sts", "get-federation-token", "--name", "cli-user"); !strings.Contains(stderr, "AccessDenied") ||
		!strings.Contains(stderr, "sts:GetFederationToken on resource: arn:aws:sts::555555555555:federated-user/cli-user") {
		t.Fatalf("nadia: %s", stderr)
	}

	for key, account := range map[string]string{fredKey: "555555555555", fed.Credentials.AccessKeyID: "555555555555"} {
		var info struct{ Account string }
		c.as(fredKey, fredSecret).ok(&info, "sts", "get-access-key-info", "--access-key-id", key)
		if info.Account != account {
			t.Fatalf("get-access-key-info %s: %q, want %s", key, info.Account, account)
		}
	}
}

// TestExplainDecodesAuthorizationMessage: a denial's encoded message, as
// the decision log serves it, decodes with `aws sts
// decode-authorization-message` and with `sekisho explain --decode`, for
// a caller allowed sts:DecodeAuthorizationMessage only.
func TestExplainDecodesAuthorizationMessage(t *testing.T) {
	w, err := world.Parse([]byte(federationWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	c := newCLI(t, env)
	c.as(nadiaKey, nadiaSecret).fails("sts", "get-federation-token", "--name", "denied")
	denials := env.Decisions.List(auditDenied())
	if len(denials) == 0 {
		t.Fatal("no denial logged")
	}
	bin := buildSekisho(t)
	out, _ := runSekisho(t, bin, 0, "explain", "--endpoint", env.URL, denials[0].RequestID)
	_, msg, found := strings.Cut(out, "encoded authorization message: ")
	msg = strings.TrimSpace(msg)
	if !found || msg == "" {
		t.Fatalf("explain shows no encoded message:\n%s", out)
	}

	var decoded struct{ DecodedMessage string }
	c.as(fredKey, fredSecret).ok(&decoded, "sts", "decode-authorization-message", "--encoded-message", msg)
	var doc struct {
		Allowed bool `json:"allowed"`
		Context struct {
			Action string `json:"action"`
		} `json:"context"`
	}
	if err := json.Unmarshal([]byte(decoded.DecodedMessage), &doc); err != nil || doc.Allowed || doc.Context.Action != "sts:GetFederationToken" {
		t.Fatalf("decode-authorization-message: %s (%v)", decoded.DecodedMessage, err)
	}
	if stderr := c.as(nadiaKey, nadiaSecret).fails("sts", "decode-authorization-message", "--encoded-message", msg); !strings.Contains(stderr, "AccessDenied") {
		t.Fatalf("nadia may not decode: %s", stderr)
	}

	text, _ := runSekisho(t, bin, 0, "explain", "--endpoint", env.URL, "--decode", msg, "--as", fredKey+":"+fredSecret)
	if !strings.Contains(text, `"action": "sts:GetFederationToken"`) || !strings.Contains(text, `"arn": "arn:aws:iam::555555555555:user/nadia"`) {
		t.Fatalf("explain --decode:\n%s", text)
	}
}
