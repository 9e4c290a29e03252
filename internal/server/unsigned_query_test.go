package server_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/testenv"
)

// unsignedQuery sends a Query call with no authentication at all, as a
// form POST or as a GET of "/" with the parameters in the URL.
func unsignedQuery(t *testing.T, method, base, body string) (int, errorDoc, string) {
	t.Helper()
	target, reader := base+"/", io.Reader(strings.NewReader(body))
	if method == http.MethodGet {
		target, reader = base+"/?"+body, nil
	}
	req, err := http.NewRequest(method, target, reader)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
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

// TestUnsignedQueryDispatch: the operations AWS serves without a
// signature reach STS with no caller (STS's own parameter check answers),
// by POST and by GET; every other unsigned Query call is refused before
// any service sees it.
func TestUnsignedQueryDispatch(t *testing.T) {
	env := testenv.Start(t)
	roleARN := url.QueryEscape("arn:aws:iam::111111111111:role/assume_s3_role")
	cases := []struct {
		name, method, body string
		status             int
		code               string
	}{
		{"web identity POST", http.MethodPost, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15", 400, "MissingParameter"},
		{"web identity GET", http.MethodGet, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=" + roleARN, 400, "MissingParameter"},
		{"SAML POST", http.MethodPost, "Action=AssumeRoleWithSAML&Version=2011-06-15", 400, "MissingParameter"},
		{"web identity wrong version", http.MethodPost, "Action=AssumeRoleWithWebIdentity&Version=2010-05-08", 400, "InvalidAction"},
		{"GetCallerIdentity", http.MethodPost, "Action=GetCallerIdentity&Version=2011-06-15", 403, "MissingAuthenticationToken"},
		{"AssumeRole", http.MethodPost, "Action=AssumeRole&Version=2011-06-15&RoleArn=" + roleARN + "&RoleSessionName=x", 403, "MissingAuthenticationToken"},
		{"GetSessionToken", http.MethodPost, "Action=GetSessionToken&Version=2011-06-15", 403, "MissingAuthenticationToken"},
		{"IAM ListUsers", http.MethodPost, "Action=ListUsers&Version=2010-05-08", 403, "MissingAuthenticationToken"},
		{"IAM CreateUser", http.MethodPost, "Action=CreateUser&Version=2010-05-08&UserName=eve", 403, "MissingAuthenticationToken"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, doc, raw := unsignedQuery(t, c.method, env.URL, c.body)
			if status != c.status || doc.Code != c.code || doc.RequestID == "" {
				t.Fatalf("got %d %s\n%s", status, doc.Code, raw)
			}
		})
	}
	if status, _, raw := signedCall(t, env.URL, "iam", "Action=GetUser&Version=2010-05-08&UserName=eve"); !strings.Contains(raw, "NoSuchEntity") {
		t.Fatalf("eve exists after the unsigned CreateUser: %d %s", status, raw)
	}
}

// TestUnsignedOperationsStillCheckSignatures: a client may sign an
// AssumeRoleWithWebIdentity call; a valid signature is accepted, and a
// wrong or malformed one is refused, never treated as "unsigned".
func TestUnsignedOperationsStillCheckSignatures(t *testing.T) {
	env := testenv.Start(t)
	body := "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
	if status, doc, raw := signedPost(t, env.URL, "sts", body); status != 400 || doc.Code != "MissingParameter" {
		t.Fatalf("signed call: %d %s\n%s", status, doc.Code, raw)
	}
	for name, c := range map[string]struct{ auth, code string }{
		"wrong signature": {"AWS4-HMAC-SHA256 Credential=AKIA2222ALICE0000001/" + time.Now().UTC().Format("20060102") +
			"/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=" + strings.Repeat("0", 64), "SignatureDoesNotMatch"},
		"garbage": {"garbage", "IncompleteSignature"},
		"sigv2":   {"AWS AKIA2222ALICE0000001:abc", "IncompleteSignature"},
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
			req.Header.Set("Authorization", c.auth)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			var doc errorDoc
			_ = xml.Unmarshal(raw, &doc)
			if resp.StatusCode/100 != 4 || doc.Code != c.code {
				t.Fatalf("got %d %s: %s", resp.StatusCode, doc.Code, raw)
			}
		})
	}
}
