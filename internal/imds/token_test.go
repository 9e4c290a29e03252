package imds

import (
	"net/http"
	"strconv"
	"testing"
	"time"
)

func TestTokenTTLBounds(t *testing.T) {
	f := newFixture(t)
	for _, ttl := range []string{"", "0", "-1", "21601", "abc", "1.5"} {
		var rec = f.do(http.MethodPut, "/latest/api/token")
		if ttl != "" {
			rec = f.do(http.MethodPut, "/latest/api/token", TokenTTLHeader, ttl)
		}
		if rec.Code != http.StatusBadRequest {
			t.Errorf("ttl %q: %d, want 400", ttl, rec.Code)
		}
	}
	for _, ttl := range []int{MinTokenTTL, 300, MaxTokenTTL} {
		rec := f.do(http.MethodPut, "/latest/api/token", TokenTTLHeader, strconv.Itoa(ttl))
		if rec.Code != 200 || rec.Header().Get(TokenTTLHeader) != strconv.Itoa(ttl) || rec.Body.Len() < 40 {
			t.Errorf("ttl %d: %d ttl=%q body=%q", ttl, rec.Code, rec.Header().Get(TokenTTLHeader), rec.Body)
		}
	}
}

func TestTokenForwardedForIs403(t *testing.T) {
	f := newFixture(t)
	rec := f.do(http.MethodPut, "/latest/api/token", TokenTTLHeader, "60", "X-Forwarded-For", "10.0.0.1")
	if rec.Code != http.StatusForbidden {
		t.Errorf("PUT via proxy = %d, want 403", rec.Code)
	}
}

func TestTokenRequiredWithoutV1(t *testing.T) {
	f := newFixture(t)
	const p = "/latest/meta-data/instance-id"
	tok := f.token(t, "", "60")
	other := f.token(t, "/_sekisho/imds/i-norole", "60")
	tampered := []byte(tok)
	tampered[len(tampered)-1] ^= 1
	cases := []struct {
		name   string
		header []string
		code   int
	}{
		{"missing", nil, 401},
		{"valid", []string{TokenHeader, tok}, 200},
		{"tampered", []string{TokenHeader, string(tampered)}, 401},
		{"garbage", []string{TokenHeader, "not-a-token"}, 401},
		{"empty", []string{TokenHeader, ""}, 401},
		{"other instance", []string{TokenHeader, other}, 401},
		{"two tokens", []string{TokenHeader, tok, TokenHeader, tok}, 401},
	}
	for _, c := range cases {
		if rec := f.do(http.MethodGet, p, c.header...); rec.Code != c.code {
			t.Errorf("%s: %d, want %d", c.name, rec.Code, c.code)
		}
	}
	if rec := f.do(http.MethodGet, "/_sekisho/imds/i-abc012"+p, TokenHeader, tok); rec.Code != 200 {
		t.Errorf("token from /latest rejected under instance prefix: %d", rec.Code)
	}
}

func TestTokenExpires(t *testing.T) {
	f := newFixture(t)
	tok := f.token(t, "", "60")
	f.clock.Advance(59 * time.Second)
	if rec := f.do(http.MethodGet, "/latest/meta-data/instance-id", TokenHeader, tok); rec.Code != 200 {
		t.Fatalf("before expiry: %d", rec.Code)
	}
	f.clock.Advance(time.Second)
	if rec := f.do(http.MethodGet, "/latest/meta-data/instance-id", TokenHeader, tok); rec.Code != 401 {
		t.Errorf("at expiry: %d, want 401", rec.Code)
	}
}

func TestTokenFromOtherProcessRejected(t *testing.T) {
	a, b := newFixture(t), newFixture(t)
	tok := a.token(t, "", "60")
	if rec := b.do(http.MethodGet, "/latest/meta-data/instance-id", TokenHeader, tok); rec.Code != 401 {
		t.Errorf("foreign token: %d, want 401", rec.Code)
	}
}

func TestV1Allowed(t *testing.T) {
	f := newFixture(t, allowV1)
	if rec := f.do(http.MethodGet, "/latest/meta-data/instance-id"); rec.Code != 200 {
		t.Errorf("v1 GET: %d", rec.Code)
	}
	if rec := f.do(http.MethodGet, "/latest/meta-data/instance-id", TokenHeader, "bogus"); rec.Code != 401 {
		t.Errorf("v1 with bad token: %d, want 401", rec.Code)
	}
	tok := f.token(t, "", "21600")
	if rec := f.do(http.MethodGet, "/latest/meta-data/instance-id", TokenHeader, tok); rec.Code != 200 {
		t.Errorf("v2 GET with v1 allowed: %d", rec.Code)
	}
}

func TestParseTTL(t *testing.T) {
	if n, err := parseTTL(" 21600 "); err != nil || n != 21600 {
		t.Errorf("parseTTL = %d, %v", n, err)
	}
	if _, err := parseTTL("x"); err == nil {
		t.Error("parseTTL(x) succeeded")
	}
}
