package imds

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

const credsURL = "/latest/meta-data/iam/security-credentials/S3FullAccessFromEC2"

// accessKey fetches the credentials and returns the access key ID.
func (f *fixture) accessKey(t *testing.T) string {
	t.Helper()
	rec := f.do(http.MethodGet, credsURL)
	if rec.Code != 200 {
		t.Fatalf("GET creds: %d", rec.Code)
	}
	body := rec.Body.String()
	i := strings.Index(body, "ASIAFAKE")
	return body[i : i+20]
}

func TestCredentialsCachedUntilRefreshWindow(t *testing.T) {
	f := newFixture(t, allowV1)
	first := f.accessKey(t)
	f.clock.Advance(6*time.Hour - maxRefreshMargin - time.Second)
	if got := f.accessKey(t); got != first || f.source.Calls() != 1 {
		t.Fatalf("refreshed early: %s, %d calls", got, f.source.Calls())
	}
	f.clock.Advance(time.Second)
	if got := f.accessKey(t); got == first || f.source.Calls() != 2 {
		t.Fatalf("not refreshed at margin: %s, %d calls", got, f.source.Calls())
	}
}

func TestShortCredentialsRefreshAtHalfLife(t *testing.T) {
	f := newFixture(t, allowV1)
	f.source.life = 20 * time.Minute
	f.accessKey(t)
	f.clock.Advance(9 * time.Minute)
	f.accessKey(t)
	if f.source.Calls() != 1 {
		t.Fatalf("calls before half-life = %d", f.source.Calls())
	}
	f.clock.Advance(time.Minute)
	f.accessKey(t)
	if f.source.Calls() != 2 {
		t.Fatalf("calls at half-life = %d", f.source.Calls())
	}
}

func TestCachePerInstance(t *testing.T) {
	f := newFixture(t, allowV1)
	f.svc = New(Config{Instances: []Instance{
		{ID: "i-1", Account: "1", InstanceProfile: "p", Region: "r"},
		{ID: "i-2", Account: "2", InstanceProfile: "p", Region: "r"},
	}, Source: f.source.Source, Now: f.clock.Now, AllowV1: true})
	f.do(http.MethodGet, "/_sekisho/imds/i-1"+credsURL)
	f.do(http.MethodGet, "/_sekisho/imds/i-2"+credsURL)
	f.do(http.MethodGet, "/_sekisho/imds/i-1"+credsURL)
	if f.source.Calls() != 2 {
		t.Errorf("calls = %d, want 2", f.source.Calls())
	}
}

func TestConcurrentPollsMintOnce(t *testing.T) {
	f := newFixture(t, allowV1)
	f.source.delay = 20 * time.Millisecond
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if rec := f.do(http.MethodGet, credsURL); rec.Code != 200 {
				t.Errorf("status %d", rec.Code)
			}
		})
	}
	wg.Wait()
	if f.source.Calls() != 1 {
		t.Errorf("calls = %d, want 1", f.source.Calls())
	}
}

func TestSourceFailureServesUnexpiredCacheAndLogsNoSecret(t *testing.T) {
	var logs bytes.Buffer
	f := newFixture(t, allowV1, func(c *Config) { c.Log = slog.New(slog.NewTextHandler(&logs, nil)) })
	first := f.accessKey(t)
	f.clock.Advance(6*time.Hour - time.Minute)
	f.source.SetErr(errFakeSource)
	if got := f.accessKey(t); got != first {
		t.Errorf("served %s, want cached %s", got, first)
	}
	f.clock.Advance(time.Minute)
	if rec := f.do(http.MethodGet, credsURL); rec.Code != 404 {
		t.Errorf("expired cache + failing source: %d, want 404", rec.Code)
	}
	out := logs.String()
	if !strings.Contains(out, "fake source down") || !strings.Contains(out, "i-abc012") {
		t.Errorf("log lacks cause: %s", out)
	}
	if strings.Contains(out, "secret-") || strings.Contains(out, "token-") {
		t.Errorf("log leaks secrets: %s", out)
	}
}

func TestDueForRefresh(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		life, at time.Duration
		due      bool
	}{
		{6 * time.Hour, 5*time.Hour + 29*time.Minute, false},
		{6 * time.Hour, 5*time.Hour + 30*time.Minute, true},
		{time.Hour, 29 * time.Minute, false},
		{time.Hour, 30 * time.Minute, true},
		{10 * time.Minute, 5 * time.Minute, true},
	}
	for _, c := range cases {
		cr := Credentials{LastUpdated: t0, Expiration: t0.Add(c.life)}
		if got := dueForRefresh(cr, t0.Add(c.at)); got != c.due {
			t.Errorf("life %v at %v: due=%v", c.life, c.at, got)
		}
	}
	if !dueForRefresh(Credentials{Expiration: t0.Add(10 * time.Minute)}, t0) {
		t.Error("zero LastUpdated with 10 minutes left should be due")
	}
}
