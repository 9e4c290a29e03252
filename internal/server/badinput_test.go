package server_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/sekisho/sekisho/internal/testenv"
)

type errorDoc struct {
	Type      string `xml:"Error>Type"`
	Code      string `xml:"Error>Code"`
	Message   string `xml:"Error>Message"`
	RequestID string `xml:"RequestId"`
}

// signedPost sends a SigV4-signed form POST as alice, signed for service.
func signedPost(t *testing.T, url, service, body string) (int, errorDoc, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIA2222ALICE0000001", SecretAccessKey: "DemoSecretForAliceInAccountB000000000001"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var doc errorDoc
	_ = xml.Unmarshal(raw, &doc)
	return resp.StatusCode, doc, string(raw)
}

func TestQueryBadInput(t *testing.T) {
	env := testenv.Start(t)
	cases := []struct {
		name, service, body string
		status              int
		code                string
	}{
		{"unknown action", "sts", "Action=Nope&Version=2011-06-15", 400, "InvalidAction"},
		{"wrong version", "sts", "Action=GetCallerIdentity&Version=2010-05-08", 400, "InvalidAction"},
		{"no action", "sts", "Version=2011-06-15", 400, "MissingAction"},
		{"malformed form", "sts", "Action=GetCallerIdentity&Version=2011-06-15&%zz=1", 400, "MalformedQueryString"},
		{"invalid UTF-8", "sts", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fassume_s3_role&RoleSessionName=%ff%fe", 400, "ValidationError"},
		{"missing RoleArn", "sts", "Action=AssumeRole&Version=2011-06-15&RoleSessionName=abc", 400, "MissingParameter"},
		{"non-numeric duration", "sts", "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fassume_s3_role&RoleSessionName=abc&DurationSeconds=x", 400, "ValidationError"},
		{"ten megabyte body", "sts", "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + strings.Repeat("a", 10<<20), 413, "RequestEntityTooLarge"},
		{"unknown service scope", "ec2", "Action=DescribeInstances&Version=2016-11-15", 400, "InvalidAction"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, doc, raw := signedPost(t, env.URL, c.service, c.body)
			if status != c.status || doc.Code != c.code || doc.RequestID == "" || doc.Type != "Sender" {
				t.Fatalf("got %d %s\n%s", status, doc.Code, raw)
			}
		})
	}
}

func TestUnsignedAndGarbageAuth(t *testing.T) {
	env := testenv.Start(t)
	cases := map[string]struct {
		auth, code string
		status     int
	}{
		"none":           {"", "MissingAuthenticationToken", 403},
		"garbage":        {"garbage", "IncompleteSignature", 400},
		"no signature":   {"AWS4-HMAC-SHA256 Credential=AKIA2222ALICE0000001/20261125/us-east-1/sts/aws4_request, SignedHeaders=host", "IncompleteSignature", 400},
		"bad credential": {"AWS4-HMAC-SHA256 Credential=x, SignedHeaders=host, Signature=00", "IncompleteSignature", 400},
		"sigv2":          {"AWS AKIA2222ALICE0000001:abc", "IncompleteSignature", 400},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			if c.auth != "" {
				req.Header.Set("Authorization", c.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var doc errorDoc
			_ = xml.Unmarshal(raw, &doc)
			if resp.StatusCode != c.status || doc.Code != c.code {
				t.Fatalf("got %d %s: %s", resp.StatusCode, doc.Code, raw)
			}
		})
	}
}

func TestHealth(t *testing.T) {
	env := testenv.Start(t)
	resp, err := http.Get(env.URL + "/_sekisho/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health: %v %v", resp, err)
	}
	resp.Body.Close()
}
