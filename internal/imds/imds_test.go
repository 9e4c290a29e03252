package imds

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

func allowV1(c *Config) { c.AllowV1 = true }

func TestMetadataPaths(t *testing.T) {
	f := newFixture(t, allowV1)
	cases := []struct {
		path string
		code int
		body string
	}{
		{"/latest/", 200, "dynamic\nmeta-data"},
		{"/latest/meta-data/", 200, "iam/\ninstance-id\nplacement/"},
		{"/latest/meta-data/instance-id", 200, "i-abc012"},
		{"/latest/meta-data/placement/", 200, "availability-zone\nregion"},
		{"/latest/meta-data/placement/region", 200, "ap-northeast-1"},
		{"/latest/meta-data/placement/availability-zone", 200, "ap-northeast-1a"},
		{"/latest/meta-data/placement/availability-zone/", 200, "ap-northeast-1a"}, // the CLI's form
		{"/latest/meta-data/iam/", 200, "info\nsecurity-credentials/"},
		{"/latest/meta-data/iam/security-credentials/", 200, "S3FullAccessFromEC2"},
		{"/latest/meta-data/iam/security-credentials", 200, "S3FullAccessFromEC2"},
		{"/latest/meta-data/iam/security-credentials/OtherRole", 404, ""},
		{"/latest/meta-data/nope", 404, ""},
		{"/latest/dynamic/", 200, "instance-identity/"},
		{"/latest/dynamic/instance-identity/", 200, "document"},
		{"/latestx", 404, ""},
		{"/other", 404, ""},
		{"/_sekisho/imds/i-abc012/latest/meta-data/instance-id", 200, "i-abc012"},
		{"/_sekisho/imds/i-norole/latest/meta-data/instance-id", 200, "i-norole"},
		{"/_sekisho/imds/i-norole/latest/meta-data/", 200, "instance-id\nplacement/"},
		{"/_sekisho/imds/i-norole/latest/meta-data/placement/availability-zone", 200, "us-east-1c"},
		{"/_sekisho/imds/i-norole/latest/meta-data/iam/", 404, ""},
		{"/_sekisho/imds/i-norole/latest/meta-data/iam/security-credentials/", 404, ""},
		{"/_sekisho/imds/i-norole/latest/meta-data/iam/info", 404, ""},
		{"/_sekisho/imds/i-missing/latest/meta-data/instance-id", 404, ""},
		{"/_sekisho/imds/i-abc012/other", 404, ""},
		{"/_sekisho/imds/i-abc012", 404, ""},
		{"/_sekisho/imds/i-norolelatest/meta-data/instance-id", 200, "i-norole"}, // endpoint lacking its "/"
		{"/_sekisho/imds/latest/meta-data/instance-id", 404, ""},
		{"/_sekisho/imds/i-missinglatest/meta-data/instance-id", 404, ""},
		{"/latest/meta-data/instance-id?instance=i-norole", 200, "i-norole"},
		{"/latest/meta-data/instance-id?instance=i-missing", 404, ""},
	}
	for _, c := range cases {
		rec := f.do(http.MethodGet, c.path)
		if rec.Code != c.code || (c.body != "" && rec.Body.String() != c.body) {
			t.Errorf("GET %s = %d %q, want %d %q", c.path, rec.Code, rec.Body, c.code, c.body)
		}
	}
}

func TestSecurityCredentialsJSON(t *testing.T) {
	f := newFixture(t, allowV1)
	rec := f.do(http.MethodGet, "/latest/meta-data/iam/security-credentials/S3FullAccessFromEC2")
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": "ASIAFAKE000000000001",
		"SecretAccessKey": "secret-1", "Token": "token-1",
		"LastUpdated": "2025-01-01T00:00:00Z", "Expiration": "2025-01-01T06:00:00Z"}
	if len(got) != len(want) {
		t.Errorf("keys = %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if f.source.last.ID != "i-abc012" || f.source.last.InstanceProfile != "S3FullAccessFromEC2" {
		t.Errorf("source got instance %+v", f.source.last)
	}
}

func TestIAMInfo(t *testing.T) {
	f := newFixture(t, allowV1)
	rec := f.do(http.MethodGet, "/latest/meta-data/iam/info")
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
	}
	if got["Code"] != "Success" || got["LastUpdated"] != "2025-01-01T00:00:00Z" ||
		got["InstanceProfileArn"] != "arn:aws:iam::222222222222:instance-profile/S3FullAccessFromEC2" ||
		!strings.HasPrefix(got["InstanceProfileId"], "AIPA") || len(got["InstanceProfileId"]) != 21 {
		t.Errorf("iam/info = %v", got)
	}
	again := f.do(http.MethodGet, "/latest/meta-data/iam/info/")
	if again.Body.String() != rec.Body.String() {
		t.Errorf("profile ID not stable: %s vs %s", again.Body, rec.Body)
	}
}

func TestIdentityDocument(t *testing.T) {
	f := newFixture(t, allowV1)
	rec := f.do(http.MethodGet, "/_sekisho/imds/i-norole/latest/dynamic/instance-identity/document")
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
	}
	for k, v := range map[string]string{"accountId": "222222222222", "region": "us-east-1",
		"instanceId": "i-norole", "availabilityZone": "us-east-1c", "pendingTime": "2025-01-01T00:00:00Z"} {
		if got[k] != v {
			t.Errorf("%s = %v, want %s", k, got[k], v)
		}
	}
}

func TestSourceErrorIs404(t *testing.T) {
	f := newFixture(t, allowV1)
	f.source.SetErr(errFakeSource)
	for _, p := range []string{"/latest/meta-data/iam/security-credentials/",
		"/latest/meta-data/iam/security-credentials/S3FullAccessFromEC2", "/latest/meta-data/iam/info"} {
		if rec := f.do(http.MethodGet, p); rec.Code != 404 {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	noSource := New(Config{Instances: demoInstances(), AllowV1: true})
	rec := (&fixture{svc: noSource}).do(http.MethodGet, "/latest/meta-data/iam/security-credentials/")
	if rec.Code != 404 {
		t.Errorf("no source: %d", rec.Code)
	}
}

func TestNoInstances(t *testing.T) {
	f := &fixture{svc: New(Config{AllowV1: true})}
	for _, p := range []string{"/latest/meta-data/instance-id", "/latest/api/token", "/_sekisho/container-credentials/x"} {
		if rec := f.do(http.MethodGet, p); rec.Code != 404 && rec.Code != 405 {
			t.Errorf("GET %s = %d", p, rec.Code)
		}
	}
}

func TestMethods(t *testing.T) {
	f := newFixture(t, allowV1)
	if rec := f.do(http.MethodPost, "/latest/meta-data/instance-id"); rec.Code != 405 {
		t.Errorf("POST metadata = %d", rec.Code)
	}
	if rec := f.do(http.MethodGet, "/latest/api/token"); rec.Code != 405 {
		t.Errorf("GET token = %d", rec.Code)
	}
	if rec := f.do(http.MethodHead, "/latest/meta-data/instance-id"); rec.Code != 200 {
		t.Errorf("HEAD metadata = %d", rec.Code)
	}
}

func TestDuplicateInstanceKeepsFirst(t *testing.T) {
	insts := append(demoInstances(), Instance{ID: "i-abc012", Region: "eu-west-1"})
	f := &fixture{svc: New(Config{Instances: insts, AllowV1: true, Now: func() time.Time { return time.Unix(0, 0) }})}
	if rec := f.do(http.MethodGet, "/_sekisho/imds/i-abc012/latest/meta-data/placement/region"); rec.Body.String() != "ap-northeast-1" {
		t.Errorf("region = %q", rec.Body)
	}
}
