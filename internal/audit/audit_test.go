package audit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// explainWorld sets up one denial of each kind.
const explainWorld = `
accounts:
  - id: "111111111111"
    policies:
      - name: Boundary
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}'
      - name: ReadAll
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket","s3:ListAllMyBuckets"],"Resource":"*"}]}'
      - name: DenyReports
        document: '{"Version":"2012-10-17","Statement":[{"Sid":"NoReports","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::explain-bucket/reports/*"}]}'
      - name: OfficeOnly
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}'
    users:
      - name: bounded
        access_keys: [{access_key_id: AKIA1111BOUNDED00001, secret_access_key: BoundedSecret0000000000000000000000000001}]
        policies: [ReadAll]
        permissions_boundary: Boundary
      - name: denied
        access_keys: [{access_key_id: AKIA1111DENIED000001, secret_access_key: DeniedSecret00000000000000000000000000001}]
        policies: [ReadAll, DenyReports]
      - name: office
        access_keys: [{access_key_id: AKIA1111OFFICE000001, secret_access_key: OfficeSecret00000000000000000000000000001}]
        policies: [OfficeOnly]
    roles:
      - name: reader
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/office"},"Action":"sts:AssumeRole"}]}'
        policies: [ReadAll]
    buckets:
      - name: explain-bucket
        objects: {"reports/q1.csv": "x", "public.txt": "y"}
  - id: "222222222222"
    policies:
      - name: ReadExplain
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::explain-bucket/*"}]}'
    users:
      - name: outsider
        access_keys: [{access_key_id: AKIA2222OUTSIDER0001, secret_access_key: OutsiderSecret000000000000000000000000001}]
        policies: [ReadExplain, AssumeS3Role]
`

func s3Client(url, key, secret, token string) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, token)})
}

// requestIDOf digs the request id out of an SDK error, as a user would from the CLI output.
func requestIDOf(t *testing.T, err error) string {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) || re.ServiceRequestID() == "" {
		t.Fatalf("no request id in %v", err)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) && ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("want AccessDenied, got %v", err)
	}
	return re.ServiceRequestID()
}

func explainOne(t *testing.T, env *testenv.Env, err error) audit.Explanation {
	t.Helper()
	id := requestIDOf(t, err)
	xs, ok := env.Decisions.Explain(id)
	if !ok || len(xs) == 0 {
		t.Fatalf("request %s is not in the decision log", id)
	}
	return xs[len(xs)-1]
}

func getObject(c *s3.Client, key string) error {
	_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("explain-bucket"), Key: aws.String(key)})
	return err
}

func TestExplainNamesTheMissingPiece(t *testing.T) {
	w, err := world.Parse([]byte(explainWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	cases := []struct {
		name      string
		err       error
		decision  string
		adviceHas []string
	}{
		{"no resource allow cross-account",
			getObject(s3Client(env.URL, "AKIA2222OUTSIDER0001", "OutsiderSecret000000000000000000000000001", ""), "public.txt"),
			"implicitly denied", []string{"bucket (account 111111111111) has no bucket policy", "arn:aws:iam::222222222222:user/outsider"}},
		{"no identity allow",
			getObject(s3Client(env.URL, "AKIA2222CAROL0000001", "DemoSecretForCarolNoPoliciesAccountB0001", ""), "public.txt"),
			"implicitly denied", []string{"Account 222222222222 must allow", "identity policy of user carol"}},
		{"explicit deny in an identity policy",
			getObject(s3Client(env.URL, "AKIA1111DENIED000001", "DeniedSecret00000000000000000000000000001", ""), "reports/q1.csv"),
			"explicitly denied", []string{"Remove or narrow", `"DenyReports"`, `Sid "NoReports"`}},
		{"boundary",
			getObject(s3Client(env.URL, "AKIA1111BOUNDED00001", "BoundedSecret0000000000000000000000000001", ""), "public.txt"),
			"implicitly denied", []string{"permissions boundary", "arn:aws:iam::111111111111:policy/Boundary", "user bounded"}},
		{"condition mismatch",
			getObject(s3Client(env.URL, "AKIA1111OFFICE000001", "OfficeSecret00000000000000000000000000001", ""), "public.txt"),
			"implicitly denied", []string{"identity policy of user office", "IpAddress aws:SourceIp [203.0.113.0/24] does not hold"}},
	}
	_, trustErr := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIA1111DENIED000001", "DeniedSecret00000000000000000000000000001", "")}).
		AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/reader"), RoleSessionName: aws.String("x1")})
	cases = append(cases, struct {
		name      string
		err       error
		decision  string
		adviceHas []string
	}{"trust policy", trustErr, "implicitly denied", []string{"trust policy of arn:aws:iam::111111111111:role/reader must allow arn:aws:iam::111111111111:user/denied"}})

	out, err := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL),
		Credentials: credentials.NewStaticCredentialsProvider("AKIA2222ALICE0000001", "DemoSecretForAliceInAccountB000000000001", "")}).
		AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/assume_s3_role"), RoleSessionName: aws.String("narrow"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}}`)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	cases = append(cases, struct {
		name      string
		err       error
		decision  string
		adviceHas []string
	}{"session policy", getDemoObject(s3Client(env.URL, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)),
		"implicitly denied", []string{"session policies of role assume_s3_role"}})

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := explainOne(t, env, tc.err)
			if x.Decision != tc.decision {
				t.Fatalf("decision %q, want %q", x.Decision, tc.decision)
			}
			for _, want := range tc.adviceHas {
				if !strings.Contains(x.Advice, want) {
					t.Errorf("advice %q lacks %q", x.Advice, want)
				}
			}
			if len(x.Policies) == 0 && tc.name != "no resource allow cross-account" && tc.name != "no identity allow" {
				t.Errorf("no policies traced")
			}
		})
	}
}

func getDemoObject(c *s3.Client) error {
	_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("account-a-bucket-0525"), Key: aws.String("test.txt")})
	return err
}
