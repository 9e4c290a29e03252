package audit_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/sekisho/sekisho/internal/testenv"
	"github.com/sekisho/sekisho/internal/world"
)

// denyWorld holds an explicit deny in each remaining policy type: the
// bucket policy, a permissions boundary and a session policy.
const denyWorld = `
accounts:
  - id: "111111111111"
    policies:
      - name: ReadAll
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","sts:AssumeRole"],"Resource":"*"}]}'
      - name: BoundaryDeniesSecrets
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"NoSecrets","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::deny-bucket/secret/*"}]}'
    users:
      - name: reader
        access_keys: [{access_key_id: AKIA1111READER000009, secret_access_key: ReaderSecret000000000000000000000000009}]
        policies: [ReadAll]
      - name: bounded2
        access_keys: [{access_key_id: AKIA1111BOUNDED00009, secret_access_key: Bounded2Secret00000000000000000000000009}]
        policies: [ReadAll]
        permissions_boundary: BoundaryDeniesSecrets
    roles:
      - name: worker
        trust_policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"sts:AssumeRole"}]}'
        policies: [ReadAll]
    buckets:
      - name: deny-bucket
        objects: {"locked/a.txt": "x", "secret/b.txt": "y", "open/c.txt": "z"}
        policy: '{"Version":"2012-10-17","Statement":[{"Sid":"Locked","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::deny-bucket/locked/*"}]}'
`

func TestExplainExplicitDenyPerPolicyType(t *testing.T) {
	w, err := world.Parse([]byte(denyWorld))
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.Start(t, testenv.WithWorld(w))
	reader := s3Client(env.URL, "AKIA1111READER000009", "ReaderSecret000000000000000000000000009", "")
	bounded := s3Client(env.URL, "AKIA1111BOUNDED00009", "Bounded2Secret00000000000000000000000009", "")
	out, err := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL),
		Credentials: staticCreds("AKIA1111READER000009", "ReaderSecret000000000000000000000000009")}).
		AssumeRole(context.Background(), &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::111111111111:role/worker"), RoleSessionName: aws.String("w1"),
			Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Sid":"NotOpen","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::deny-bucket/open/*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	c := out.Credentials
	session := s3Client(env.URL, *c.AccessKeyId, *c.SecretAccessKey, *c.SessionToken)
	cases := []struct {
		name, key string
		err       error
		want      []string
	}{
		{"resource-based policy", "locked/a.txt", getObjectIn(reader, "deny-bucket", "locked/a.txt"), []string{"resource-based policy", `Sid "Locked"`}},
		{"permissions boundary", "secret/b.txt", getObjectIn(bounded, "deny-bucket", "secret/b.txt"), []string{"permissions boundary", `Sid "NoSecrets"`}},
		{"session policy", "open/c.txt", getObjectIn(session, "deny-bucket", "open/c.txt"), []string{"session policy", `Sid "NotOpen"`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := explainOne(t, env, tc.err)
			if x.Decision != "explicitly denied" {
				t.Fatalf("decision %q", x.Decision)
			}
			for _, want := range tc.want {
				if !strings.Contains(x.Advice, want) {
					t.Errorf("advice %q lacks %q", x.Advice, want)
				}
			}
			if !strings.Contains(x.Message, "with an explicit deny in a "+tc.name) {
				t.Errorf("message %q", x.Message)
			}
		})
	}
}

func getObjectIn(c *s3.Client, bucket, key string) error {
	_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	return err
}

func staticCreds(key, secret string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(key, secret, "")
}
