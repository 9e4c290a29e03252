package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	sekisho "github.com/sekisho/sekisho/internal/cli"
	"github.com/sekisho/sekisho/internal/testenv"
)

const (
	samlRoleARN     = "arn:aws:iam::111111111111:role/saml-developer"
	samlProviderARN = "arn:aws:iam::111111111111:saml-provider/sekisho-idp"
)

// samlToken runs `sekisho token saml` against the server's data directory.
func samlToken(t *testing.T, dataDir string, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	root := sekisho.NewRoot(&out, &errOut)
	root.SetArgs(append([]string{"token", "saml", "--data-dir", dataDir, "--role", samlRoleARN, "--provider", samlProviderARN}, args...))
	if err := root.Execute(); err != nil {
		t.Fatalf("token saml: %v %s", err, errOut.String())
	}
	return strings.TrimSpace(out.String())
}

// boto3SAML runs a boto3 client's AssumeRoleWithSAML (botocore sends it
// unsigned) with each assertion given, in one interpreter (boto3 is slow
// to import); a session it gets reads its identity and the demo bucket.
const boto3SAML = `
import boto3, botocore, json, sys
endpoint, role, provider = sys.argv[1], sys.argv[2], sys.argv[3]
sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1",
    aws_access_key_id="unused", aws_secret_access_key="unused")
results = []
for assertion in sys.argv[4:]:
    try:
        r = sts.assume_role_with_saml(RoleArn=role, PrincipalArn=provider, SAMLAssertion=assertion)
    except botocore.exceptions.ClientError as e:
        results.append({"error": e.response["Error"]["Code"], "message": e.response["Error"]["Message"]})
        continue
    c = r["Credentials"]
    sess = boto3.session.Session(aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"],
        aws_session_token=c["SessionToken"], region_name="us-east-1")
    who = sess.client("sts", endpoint_url=endpoint).get_caller_identity()
    keys = sess.client("s3", endpoint_url=endpoint).list_objects_v2(Bucket="account-a-bucket-0525").get("KeyCount", 0)
    results.append({"arn": who["Arn"], "subject": r["Subject"], "subject_type": r["SubjectType"], "issuer": r["Issuer"],
        "audience": r["Audience"], "name_qualifier": r["NameQualifier"], "packed": r.get("PackedPolicySize"),
        "assumed": r["AssumedRoleUser"]["Arn"], "keys": keys})
print(json.dumps(results))
`

type boto3SAMLResult struct {
	Error, Message                string
	Arn, Subject, Issuer, Assumed string
	SubjectType                   string `json:"subject_type"`
	Audience                      string
	NameQualifier                 string `json:"name_qualifier"`
	Packed                        *int
	Keys                          int
}

func runBoto3SAML(t *testing.T, endpoint string, assertions ...string) []boto3SAMLResult {
	t.Helper()
	cmd := exec.Command(boto3Interpreter(t), append([]string{"-c", boto3SAML, endpoint, samlRoleARN, samlProviderARN}, assertions...)...)
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=/usr/bin:/bin", "AWS_EC2_METADATA_DISABLED=true"}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
	var res []boto3SAMLResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(assertions) {
		t.Fatalf("boto3 output: %v\n%s", err, out)
	}
	return res
}

// TestAssumeRoleWithSAMLClients: a response from `sekisho token saml`
// buys a session of the demo's saml-developer role through boto3, the aws
// CLI and aws-sdk-go-v2 (after a restart), against a real server process;
// expired and tampered responses get AWS's errors.
func TestAssumeRoleWithSAMLClients(t *testing.T) {
	boto3Interpreter(t)
	dataDir := t.TempDir()
	p := startServe(t, buildSekisho(t), "--demo", "--data-dir", dataDir)

	good := samlToken(t, dataDir, "--subject", "alice@example.com", "--attr", "PrincipalTag:team=blue")
	expired := samlToken(t, dataDir, "--subject", "alice@example.com", "--ttl", "-1m")
	// An edit anywhere in the signed assertion breaks the signature.
	tampered := tamper(t, samlToken(t, dataDir, "--subject", "alice@example.com"))
	beforeRestart := samlToken(t, dataDir, "--subject", "carol@example.com")
	results := runBoto3SAML(t, p.URL, good, expired, tampered)

	res := results[0]
	if res.Error != "" {
		t.Fatalf("boto3 AssumeRoleWithSAML: %s: %s", res.Error, res.Message)
	}
	want := "arn:aws:sts::111111111111:assumed-role/saml-developer/alice@example.com"
	if res.Arn != want || res.Assumed != want || res.Subject != "alice@example.com" || res.SubjectType != "persistent" ||
		res.Issuer != "https://sekisho.local/saml/idp" || res.Audience != "https://signin.aws.amazon.com/saml" ||
		res.NameQualifier == "" || res.Packed == nil || res.Keys == 0 {
		t.Fatalf("boto3 result: %+v", res)
	}
	if res := results[1]; res.Error != "ExpiredTokenException" {
		t.Fatalf("expired response: %+v", res)
	}
	if res := results[2]; res.Error != "InvalidIdentityToken" || res.Message != "Response signature invalid" {
		t.Fatalf("tampered response: %+v", res)
	}

	awsCLI := newCLI(t, &testenv.Env{URL: p.URL})
	var out struct {
		AssumedRoleUser struct{ Arn string }
		Subject         string
		Credentials     struct{ AccessKeyId string }
	}
	cliToken := samlToken(t, dataDir, "--subject", "bob", "--subject-format", "transient")
	awsCLI.ok(&out, "sts", "assume-role-with-saml", "--role-arn", samlRoleARN, "--principal-arn", samlProviderARN,
		"--saml-assertion", cliToken)
	if out.AssumedRoleUser.Arn != "arn:aws:sts::111111111111:assumed-role/saml-developer/bob" || out.Subject != "bob" ||
		!strings.HasPrefix(out.Credentials.AccessKeyId, "ASIA") {
		t.Fatalf("aws CLI: %+v", out)
	}

	// The built-in IdP's key is in the store: a response it signed before
	// a restart still verifies after it (aws-sdk-go-v2, sent unsigned).
	p.stop()
	again := startServe(t, buildSekisho(t), "--demo", "--data-dir", dataDir)
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(again.URL), Retryer: aws.NopRetryer{}})
	sdkOut, err := client.AssumeRoleWithSAML(context.Background(), &sts.AssumeRoleWithSAMLInput{RoleArn: aws.String(samlRoleARN),
		PrincipalArn: aws.String(samlProviderARN), SAMLAssertion: aws.String(beforeRestart)})
	if err != nil {
		t.Fatalf("aws-sdk-go-v2 after restart: %v", err)
	}
	if got := aws.ToString(sdkOut.AssumedRoleUser.Arn); got != "arn:aws:sts::111111111111:assumed-role/saml-developer/carol@example.com" {
		t.Fatalf("aws-sdk-go-v2 after restart: %s", got)
	}
}

// tamper changes the subject inside a base64 response, keeping its signature.
func tamper(t *testing.T, encoded string) string {
	t.Helper()
	raw, err := base64Decode(encoded)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(raw), "alice@example.com</NameID>", "mallory@example.com</NameID>", 1)
	if edited == string(raw) {
		t.Fatal("no NameID to tamper with")
	}
	return base64Encode([]byte(edited))
}

func base64Decode(s string) ([]byte, error) { return base64.StdEncoding.DecodeString(s) }
func base64Encode(b []byte) string          { return base64.StdEncoding.EncodeToString(b) }

// boto3Interpreter is the path of a python3 that imports boto3 (Debian's, or
// the first on PATH), run directly so that the test controls its
// environment.
func boto3Interpreter(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		out, err := exec.Command(py, "-c", "import boto3, sys; print(sys.executable)").Output()
		if err == nil {
			return strings.TrimSpace(string(out))
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("boto3 is not installed (apt-get install python3-boto3)")
	}
	t.Skip("boto3 is not installed (apt-get install python3-boto3)")
	return ""
}
