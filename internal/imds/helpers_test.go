package imds

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeSource mints numbered credentials lasting life from the clock's now.
type fakeSource struct {
	mu    sync.Mutex
	clock func() time.Time
	life  time.Duration
	calls int
	err   error
	delay time.Duration
	last  Instance
}

func (f *fakeSource) Source(ctx context.Context, inst Instance) (Credentials, error) {
	if f.delay > 0 {
		time.Sleep(f.delay)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.last = inst
	if f.err != nil {
		return Credentials{}, f.err
	}
	now := f.clock().UTC()
	return Credentials{RoleName: "S3FullAccessFromEC2", RoleARN: "arn:aws:iam::" + inst.Account + ":role/S3FullAccessFromEC2",
		AccessKeyID: fmt.Sprintf("ASIAFAKE%012d", f.calls), SecretAccessKey: fmt.Sprintf("secret-%d", f.calls),
		Token: fmt.Sprintf("token-%d", f.calls), LastUpdated: now, Expiration: now.Add(f.life)}, nil
}

func (f *fakeSource) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

func (f *fakeSource) SetErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

var errFakeSource = errors.New("fake source down")

// demoInstances mirrors the demo world plus a role-less instance.
func demoInstances() []Instance {
	return []Instance{
		{ID: "i-abc012", Account: "222222222222", InstanceProfile: "S3FullAccessFromEC2", Region: "ap-northeast-1"},
		{ID: "i-norole", Account: "222222222222", Region: "us-east-1", AvailabilityZone: "us-east-1c"},
	}
}

// fixture is a service on a fake clock and fake source.
type fixture struct {
	svc    *Service
	clock  *fakeClock
	source *fakeSource
}

func newFixture(t *testing.T, mutate ...func(*Config)) *fixture {
	t.Helper()
	clock := newFakeClock()
	src := &fakeSource{clock: clock.Now, life: 6 * time.Hour}
	cfg := Config{Instances: demoInstances(), Source: src.Source, Now: clock.Now}
	for _, m := range mutate {
		m(&cfg)
	}
	return &fixture{svc: New(cfg), clock: clock, source: src}
}

// do runs one request through the handler.
func (f *fixture) do(method, path string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	f.svc.ServeHTTP(rec, req)
	return rec
}

// token fetches a session token for the instance under prefix.
func (f *fixture) token(t *testing.T, prefix string, ttl string) string {
	t.Helper()
	rec := f.do(http.MethodPut, prefix+"/latest/api/token", TokenTTLHeader, ttl)
	if rec.Code != http.StatusOK {
		t.Fatalf("PUT token: %d %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}
