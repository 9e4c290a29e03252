package imds

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestContainerCredentials(t *testing.T) {
	f := newFixture(t)
	rec := f.do(http.MethodGet, ContainerPrefix+"i-abc012")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d %s", rec.Code, rec.Body)
	}
	var got map[string]string
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"AccessKeyId": "ASIAFAKE000000000001", "SecretAccessKey": "secret-1",
		"Token": "token-1", "Expiration": "2025-01-01T06:00:00Z", "AccountId": "222222222222",
		"RoleArn": "arn:aws:iam::222222222222:role/S3FullAccessFromEC2"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if rec := f.do(http.MethodGet, ContainerPrefix+"i-abc012/"); rec.Code != 200 {
		t.Errorf("trailing slash: %d", rec.Code)
	}
	if f.source.Calls() != 1 {
		t.Errorf("container endpoint did not share the cache: %d calls", f.source.Calls())
	}
}

func TestContainerErrors(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		method, path string
		code         int
	}{
		{http.MethodGet, ContainerPrefix + "i-missing", 404},
		{http.MethodGet, ContainerPrefix, 404},
		{http.MethodGet, ContainerPrefix + "i-norole", 404},
		{http.MethodPost, ContainerPrefix + "i-abc012", 405},
	}
	for _, c := range cases {
		rec := f.do(c.method, c.path)
		var e containerErrorJSON
		if rec.Code != c.code || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.Code == "" {
			t.Errorf("%s %s = %d %s", c.method, c.path, rec.Code, rec.Body)
		}
	}
	f.source.SetErr(errFakeSource)
	if rec := f.do(http.MethodGet, ContainerPrefix+"i-abc012"); rec.Code != 404 {
		t.Errorf("source error: %d", rec.Code)
	}
}

func TestContainerAuthorization(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.ContainerToken = "s3cr3t-token" })
	cases := []struct {
		header []string
		code   int
	}{
		{nil, 401},
		{[]string{"Authorization", "wrong"}, 401},
		{[]string{"Authorization", "s3cr3t-token-longer"}, 401},
		{[]string{"Authorization", "Bearer s3cr3t-token"}, 401},
		{[]string{"Authorization", "s3cr3t-token"}, 200},
	}
	for _, c := range cases {
		if rec := f.do(http.MethodGet, ContainerPrefix+"i-abc012", c.header...); rec.Code != c.code {
			t.Errorf("header %v: %d, want %d", c.header, rec.Code, c.code)
		}
	}
}

func TestContainerIgnoresIMDSv2(t *testing.T) {
	f := newFixture(t) // AllowV1 false must not apply to the container endpoint
	if rec := f.do(http.MethodGet, ContainerPrefix+"i-abc012"); rec.Code != 200 {
		t.Errorf("status %d", rec.Code)
	}
}
