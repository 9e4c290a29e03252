package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sekisho/sekisho/internal/cloudtrail"
	"github.com/sekisho/sekisho/internal/generate"
)

const (
	genAccount      = "444444444444"
	genPartner      = "555555555555"
	genBucket       = "gen-data-0008"
	genPartnerBkt   = "gen-partner-0008"
	genRootKey      = "AKIA4444ROOT00000001"
	genRootSecret   = "GenRootSecretForAccount44440000000000001"
	genDeployKey    = "AKIA4444DEPLOYER0001"
	genDeploySecret = "GenDeployerSecret00000000000000000000001"
	genAdminRole    = "arn:aws:iam::" + genAccount + ":role/AdminRole"
	genAppRole      = "arn:aws:iam::" + genAccount + ":role/app/AppRole"
)

// genWorld: a deployer who may assume the account's roles, an admin role
// allowed everything, a fresh app role allowed nothing, a bucket with
// objects under several prefixes, and a partner account's bucket shared
// with the account.
const genWorld = `
accounts:
  - id: "` + genAccount + `"
    root: {access_key_id: ` + genRootKey + `, secret_access_key: ` + genRootSecret + `}
    users:
      - name: deployer
        access_keys: [{access_key_id: ` + genDeployKey + `, secret_access_key: ` + genDeploySecret + `}]
        inline_policies:
          assume: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::` + genAccount + `:role/*"}]}'
    roles:
      - name: AdminRole
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + genAccount + `:root"},"Action":"sts:AssumeRole"}]}'
        inline_policies:
          admin: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
      - name: AppRole
        path: /app/
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + genAccount + `:root"},"Action":"sts:AssumeRole"}]}'
    buckets:
      - name: ` + genBucket + `
        objects:
          reports/2024/jan.csv: "1"
          reports/2024/feb.csv: "2"
          reports/2024/mar.csv: "3"
          reports/2024/apr.csv: "4"
          reports/2024/may.csv: "5"
          logs/a.txt: "a"
          logs/b.txt: "b"
          secret/key.txt: "not for the app"
  - id: "` + genPartner + `"
    buckets:
      - name: ` + genPartnerBkt + `
        policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + genAccount + `:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::` + genPartnerBkt + `/shared/*"}]}'
        objects:
          shared/report.csv: "partner data"
`

// sessionCreds are one role session's credentials.
type sessionCreds struct{ key, secret, token string }

// assumeAs assumes role as the deployer, for a session named session.
func assumeAs(t *testing.T, ctx context.Context, url, role, session string) sessionCreds {
	t.Helper()
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(genDeployKey, genDeploySecret, ""), Retryer: aws.NopRetryer{}})
	out, err := client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String(session)})
	if err != nil {
		t.Fatalf("assume %s: %v", role, err)
	}
	c := out.Credentials
	return sessionCreds{aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)}
}

// goWorkload is the aws-sdk-go-v2 half of the workload: STS, S3 listing
// and reads under reports/2024/, a write under out/go/, a read of the
// partner's shared object, IAM reads.
func goWorkload(ctx context.Context, url string, c sessionCreds) error {
	provider := credentials.NewStaticCredentialsProvider(c.key, c.secret, c.token)
	stsClient := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: provider, Retryer: aws.NopRetryer{}})
	s3Client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: provider, UsePathStyle: true, Retryer: aws.NopRetryer{}})
	iamClient := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: provider, Retryer: aws.NopRetryer{}})
	if _, err := stsClient.GetCallerIdentity(ctx, nil); err != nil {
		return fmt.Errorf("GetCallerIdentity: %w", err)
	}
	list, err := s3Client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(genBucket), Prefix: aws.String("reports/2024/")})
	if err != nil {
		return fmt.Errorf("ListObjectsV2: %w", err)
	}
	if len(list.Contents) != 5 {
		return fmt.Errorf("ListObjectsV2 listed %d reports, want 5", len(list.Contents))
	}
	for _, o := range list.Contents {
		got, err := s3Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(genBucket), Key: o.Key})
		if err != nil {
			return fmt.Errorf("GetObject %s: %w", aws.ToString(o.Key), err)
		}
		_, _ = io.Copy(io.Discard, got.Body)
		got.Body.Close()
	}
	if _, err := s3Client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(genBucket), Key: aws.String("out/go/summary.txt"),
		Body: strings.NewReader("5 reports")}); err != nil {
		return fmt.Errorf("PutObject: %w", err)
	}
	shared, err := s3Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(genPartnerBkt), Key: aws.String("shared/report.csv")})
	if err != nil {
		return fmt.Errorf("GetObject of the partner's object: %w", err)
	}
	shared.Body.Close()
	if _, err := iamClient.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("AppRole")}); err != nil {
		return fmt.Errorf("GetRole: %w", err)
	}
	if _, err := iamClient.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("deployer")}); err != nil {
		return fmt.Errorf("GetUser: %w", err)
	}
	return nil
}

// boto3Workload runs testdata/gen_workload.py with c.
func boto3Workload(t *testing.T, ctx context.Context, py, url string, c sessionCreds) error {
	t.Helper()
	cmd := exec.CommandContext(ctx, py, "testdata/gen_workload.py")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "BOTO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "SEKISHO_URL="+url, "GEN_BUCKET="+genBucket, "AWS_ACCESS_KEY_ID="+c.key,
		"AWS_SECRET_ACCESS_KEY="+c.secret, "AWS_SESSION_TOKEN="+c.token, "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("gen_workload.py: %w\n%s", err, out)
	}
	return nil
}

// boto3Python is an interpreter that imports boto3, or skips.
func boto3Python(t *testing.T) string {
	t.Helper()
	for _, py := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(py, "-c", "import boto3").Run() == nil {
			return py
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("boto3 is not installed (apt-get install python3-boto3)")
	}
	t.Skip("boto3 is not installed")
	return ""
}

// runSekisho runs a sekisho command and returns its stdout and stderr;
// it fails the test unless the command exits with want.
func runSekisho(t *testing.T, bin string, want int, args ...string) (string, string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), sekishoEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	if code != want {
		t.Fatalf("sekisho %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

// TestPolicyGenerateLeastPrivilege: a Go program and a boto3 script run a
// workload under an admin role against `serve --record all`; after a
// restart (the allows were persisted), `policy generate` writes a policy
// that `policy validate` accepts; a fresh role with only that policy runs
// the same workload without a single denial, and is denied what the
// workload never did; `policy diff` lists the admin role's unused
// actions; the CloudTrail export of the run has every listed field.
func TestPolicyGenerateLeastPrivilege(t *testing.T) {
	py := boto3Python(t)
	bin := buildSekisho(t)
	dir := t.TempDir()
	worldFile := filepath.Join(dir, "gen.yaml")
	if err := os.WriteFile(worldFile, []byte(genWorld), 0o600); err != nil {
		t.Fatal(err)
	}
	dataDir := filepath.Join(dir, "data")
	serveArgs := []string{"--world", worldFile, "--data-dir", dataDir, "--record", "all"}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	first := startServe(t, bin, serveArgs...)
	start := time.Now().UTC().Add(-time.Second)
	if err := goWorkload(ctx, first.URL, assumeAs(t, ctx, first.URL, genAdminRole, "go-workload")); err != nil {
		t.Fatalf("Go workload as the admin role: %v", err)
	}
	if err := boto3Workload(t, ctx, py, first.URL, assumeAs(t, ctx, first.URL, genAdminRole, "py-workload")); err != nil {
		t.Fatalf("boto3 workload as the admin role: %v", err)
	}
	adminDone := time.Now().UTC().Add(time.Second)
	first.stop() // the last batch of decisions reaches the store

	p := startServe(t, bin, serveArgs...)
	window := []string{"--endpoint", p.URL, "--from", start.Format(time.RFC3339Nano), "--to", adminDone.Format(time.RFC3339Nano)}
	policyFile := filepath.Join(dir, "generated.json")
	_, summary := runSekisho(t, bin, 0, append([]string{"policy", "generate", "--principal", genAdminRole, "--out", policyFile}, window...)...)
	doc, err := os.ReadFile(policyFile)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("generated policy:\n%s\nsummary:\n%s", doc, summary)
	runSekisho(t, bin, 0, "policy", "validate", "--type", "identity", policyFile)
	assertGenerated(t, doc, summary)

	// The fresh role gets the generated policy and nothing else.
	if _, err := iamAs(p.URL, genRootKey, genRootSecret).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("AppRole"),
		PolicyName: aws.String("generated"), PolicyDocument: aws.String(string(doc))}); err != nil {
		t.Fatal(err)
	}
	appStart := time.Now().UTC().Add(-time.Second)
	app := assumeAs(t, ctx, p.URL, genAppRole, "go-workload")
	if err := goWorkload(ctx, p.URL, app); err != nil {
		t.Fatalf("Go workload as the app role: %v", err)
	}
	if err := boto3Workload(t, ctx, py, p.URL, assumeAs(t, ctx, p.URL, genAppRole, "py-workload")); err != nil {
		t.Fatalf("boto3 workload as the app role: %v", err)
	}
	var appRun generate.Result
	out, _ := runSekisho(t, bin, 0, "policy", "generate", "--principal", genAppRole, "--json", "--endpoint", p.URL, "--from", appStart.Format(time.RFC3339Nano))
	if err := json.Unmarshal([]byte(out), &appRun); err != nil {
		t.Fatal(err)
	}
	if appRun.Events == 0 || len(appRun.NotGranted) != 0 {
		t.Fatalf("the app role's run: %d decisions, denied %+v; want decisions and zero denials", appRun.Events, appRun.NotGranted)
	}
	assertOutsideDenied(t, ctx, p.URL, app)

	assertDiff(t, bin, dataDir, worldFile, window)
	assertCloudTrail(t, bin, p.URL, start)
}

// assertGenerated checks the generalisation on the real run: the five
// reports collapse, list actions keep their prefixes, the partner's
// object stays exact, and nothing was denied.
func assertGenerated(t *testing.T, doc []byte, summary string) {
	t.Helper()
	var d generate.Document
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(doc, []byte("//")) || bytes.Contains(doc, []byte("/*\n")) {
		t.Errorf("the policy has comments:\n%s", doc)
	}
	grants := map[string][]string{}
	var listPrefixes []string
	for _, s := range d.Statement {
		for _, r := range s.Resource {
			grants[r] = append(grants[r], s.Action...)
		}
		listPrefixes = append(listPrefixes, s.Condition["StringLike"]["s3:prefix"]...)
	}
	want := map[string]string{
		"arn:aws:s3:::" + genBucket + "/reports/2024/*":        "s3:GetObject",
		"arn:aws:s3:::" + genBucket + "/out/go/summary.txt":    "s3:PutObject",
		"arn:aws:s3:::" + genBucket + "/out/py/result.json":    "s3:PutObject",
		"arn:aws:s3:::" + genBucket + "/logs/a.txt":            "s3:GetObject",
		"arn:aws:s3:::" + genPartnerBkt + "/shared/report.csv": "s3:GetObject",
		"arn:aws:s3:::" + genBucket:                            "s3:ListBucket",
		"arn:aws:iam::" + genAccount + ":role/app/AppRole":     "iam:GetRole",
		"arn:aws:iam::" + genAccount + ":role/AdminRole":       "iam:ListAttachedRolePolicies",
		"arn:aws:iam::" + genAccount + ":user/deployer":        "iam:GetUser",
	}
	for resource, action := range want {
		if !slices.Contains(grants[resource], action) {
			t.Errorf("the policy does not grant %s on %s:\n%s", action, resource, doc)
		}
	}
	if _, ok := grants["arn:aws:s3:::"+genBucket+"/reports/2024/jan.csv"]; ok {
		t.Errorf("the reports were not collapsed:\n%s", doc)
	}
	slices.Sort(listPrefixes)
	if !slices.Equal(listPrefixes, []string{"logs/", "reports/2024/"}) {
		t.Errorf("list prefixes %v, want [logs/ reports/2024/]", listPrefixes)
	}
	if strings.Contains(summary, "Needed but not granted") || !strings.Contains(summary, "sessions: go-workload, py-workload") {
		t.Errorf("summary:\n%s", summary)
	}
}

// assertOutsideDenied: what the workload never did is denied to the app role.
func assertOutsideDenied(t *testing.T, ctx context.Context, url string, c sessionCreds) {
	t.Helper()
	provider := credentials.NewStaticCredentialsProvider(c.key, c.secret, c.token)
	s3Client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: provider, UsePathStyle: true, Retryer: aws.NopRetryer{}})
	_, err := s3Client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(genBucket), Key: aws.String("secret/key.txt")})
	if code := errorCode(err); code != "AccessDenied" {
		t.Errorf("the app role reading secret/key.txt: %v, want AccessDenied", err)
	}
	_, err = s3Client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(genBucket), Key: aws.String("reports/2024/jan.csv")})
	if code := errorCode(err); code != "AccessDenied" {
		t.Errorf("the app role deleting a report: %v, want AccessDenied", err)
	}
	iamClient := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: provider, Retryer: aws.NopRetryer{}})
	if _, err := iamClient.ListUsers(ctx, &iam.ListUsersInput{}); errorCode(err) != "AccessDenied" {
		t.Errorf("the app role listing users: %v, want AccessDenied", err)
	}
}

// assertDiff: the admin role is granted everything and used a few
// actions; the rest is unused access.
func assertDiff(t *testing.T, bin, dataDir, worldFile string, window []string) {
	t.Helper()
	out, _ := runSekisho(t, bin, 0, append([]string{"policy", "diff", "--principal", genAdminRole, "--data-dir", dataDir,
		"--organization", worldFile, "--json"}, window...)...)
	var d generate.DiffResult
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, a := range []string{"iam:CreateUser", "iam:DeleteRole", "s3:DeleteBucket", "s3:DeleteObject", "sts:GetSessionToken"} {
		if !slices.Contains(d.UnusedActions, a) {
			t.Errorf("unused actions lack %s: %v", a, d.UnusedActions)
		}
	}
	for _, a := range []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "iam:GetRole", "iam:GetUser"} {
		if !slices.Contains(d.UsedActions, a) || slices.Contains(d.UnusedActions, a) {
			t.Errorf("%s is not reported used: used %v", a, d.UsedActions)
		}
	}
	if len(d.LastUsed) == 0 || d.LastUsed[0].Kind != "role" || d.LastUsed[0].LastUsed.IsZero() {
		t.Errorf("the admin role's last use: %+v", d.LastUsed)
	}
	text, _ := runSekisho(t, bin, 0, append([]string{"policy", "diff", "--principal", genAdminRole, "--data-dir", dataDir}, window...)...)
	if !strings.Contains(text, "Unused access (granted, never used)") || !strings.Contains(text, "CreateUser") {
		t.Errorf("policy diff:\n%s", text)
	}
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// assertCloudTrail validates the CloudTrail export of the whole run
// against the record fields CloudTrail documents for eventVersion 1.09.
func assertCloudTrail(t *testing.T, bin, url string, since time.Time) {
	t.Helper()
	out, _ := runSekisho(t, bin, 0, "log", "--format", "cloudtrail", "--endpoint", url, "--from", since.Format(time.RFC3339Nano))
	var raw struct {
		Records []map[string]json.RawMessage `json:"Records"`
	}
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var log cloudtrail.Log
	if err := json.Unmarshal([]byte(out), &log); err != nil {
		t.Fatal(err)
	}
	required := []string{"eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion", "sourceIPAddress",
		"userAgent", "requestParameters", "requestID", "eventID", "readOnly", "eventType", "recipientAccountId"}
	seen := map[string]bool{}
	shared := map[string][]string{}
	for i, r := range log.Records {
		for _, f := range required {
			if _, ok := raw.Records[i][f]; !ok {
				t.Fatalf("record %d lacks %s: %s", i, f, mustJSON(raw.Records[i]))
			}
		}
		if r.EventVersion != "1.09" || !slices.Contains([]string{"s3.amazonaws.com", "iam.amazonaws.com", "sts.amazonaws.com"}, r.EventSource) ||
			r.EventName == "" || r.AWSRegion != "us-east-1" || r.SourceIPAddress != "127.0.0.1" || r.UserAgent == "" || r.RequestID == "" ||
			!uuidPattern.MatchString(r.EventID) || r.EventType != "AwsApiCall" {
			t.Errorf("record %d: %s", i, mustJSON(r))
		}
		if _, err := time.Parse(time.RFC3339, r.EventTime); err != nil || !strings.HasSuffix(r.EventTime, "Z") {
			t.Errorf("record %d: eventTime %q", i, r.EventTime)
		}
		u := r.UserIdentity
		if u.Type == "AssumedRole" {
			sc := u.SessionContext
			if u.AccessKeyID == "" || !strings.HasPrefix(u.AccessKeyID, "ASIA") || !strings.HasPrefix(u.PrincipalID, "AROA") ||
				u.AccountID != genAccount || sc == nil || sc.SessionIssuer == nil || sc.SessionIssuer.Type != "Role" ||
				sc.Attributes["creationDate"] == "" || sc.Attributes["mfaAuthenticated"] != "false" {
				t.Errorf("record %d: assumed-role identity %s", i, mustJSON(u))
			}
		}
		if u.Type == "IAMUser" && (u.AccessKeyID != genDeployKey && u.AccessKeyID != genRootKey || u.UserName == "" || !strings.HasPrefix(u.PrincipalID, "AIDA")) {
			t.Errorf("record %d: user identity %s", i, mustJSON(u))
		}
		denied := r.ErrorCode != ""
		if denied && (r.ErrorCode != "AccessDenied" || r.ErrorMessage == "") {
			t.Errorf("record %d: denial without errorCode/errorMessage: %s", i, mustJSON(r))
		}
		key := r.EventName + "/" + map[bool]string{true: "denied", false: "allowed"}[denied]
		seen[key] = true
		switch r.EventName {
		case "GetObject", "PutObject", "HeadObject":
			if r.RequestParameters["bucketName"] == nil || r.RequestParameters["key"] == nil {
				t.Errorf("record %d: requestParameters %v", i, r.RequestParameters)
			}
			if r.ReadOnly != (r.EventName != "PutObject") || r.ManagementEvent || r.EventCategory != "Data" {
				t.Errorf("record %d: readOnly/category of %s: %s", i, r.EventName, mustJSON(r))
			}
		case "ListObjectsV2":
			if r.RequestParameters["prefix"] == nil {
				t.Errorf("record %d: listing without its prefix: %v", i, r.RequestParameters)
			}
		case "AssumeRole":
			if r.RequestParameters["roleArn"] == nil || r.RequestParameters["roleSessionName"] == nil {
				t.Errorf("record %d: AssumeRole parameters %v", i, r.RequestParameters)
			}
		case "GetRole":
			if r.RequestParameters["roleName"] == nil {
				t.Errorf("record %d: GetRole parameters %v", i, r.RequestParameters)
			}
		}
		if r.SharedEventID != "" {
			shared[r.SharedEventID] = append(shared[r.SharedEventID], r.RecipientAccountID)
		}
	}
	for _, k := range []string{"AssumeRole/allowed", "ListObjectsV2/allowed", "GetObject/allowed",
		"HeadObject/allowed", "PutObject/allowed", "GetRole/allowed", "GetUser/allowed", "GetObject/denied", "ListUsers/denied"} {
		if !seen[k] {
			t.Errorf("no %s record among %v", k, seen)
		}
	}
	// The partner bucket reads are recorded for both accounts.
	if len(shared) == 0 {
		t.Error("no cross-account record pair")
	}
	for id, accounts := range shared {
		slices.Sort(accounts)
		if !slices.Equal(accounts, []string{genAccount, genPartner}) {
			t.Errorf("sharedEventID %s delivered to %v", id, accounts)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
