package oidc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func testKey(t testing.TB) (*jose.JSONWebKey, string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	k := &jose.JSONWebKey{Key: priv, KeyID: "k1", Algorithm: "ES256"}
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{k.Public()}})
	return k, string(set)
}

// TestVerifyAndTimes: a token verifies with its key set; its time claims
// hold within ClockSkew and not beyond.
func TestVerifyAndTimes(t *testing.T) {
	k, doc := testKey(t)
	keys, err := ParseKeySet(doc)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	token, err := Sign(k, map[string]any{"iss": "https://idp.example.com", "sub": "s", "aud": []string{"a", "b"},
		"azp": "a", "amr": "mfa", "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	if iss, err := Peek(token); err != nil || iss != "https://idp.example.com" {
		t.Fatalf("Peek: %q %v", iss, err)
	}
	c, err := Verify(token, keys)
	if err != nil {
		t.Fatal(err)
	}
	if c.Subject != "s" || len(c.Audience) != 2 || c.AZP != "a" || len(c.AMR) != 1 || c.AMR[0] != "mfa" {
		t.Fatalf("claims %+v", c)
	}
	for _, tc := range []struct {
		at   time.Time
		want error
	}{
		{now, nil},
		{now.Add(-ClockSkew + time.Second), nil},
		{now.Add(-ClockSkew - time.Second), ErrNotYet},
		{now.Add(time.Hour + ClockSkew - time.Second), nil},
		{now.Add(time.Hour + ClockSkew), ErrExpired},
	} {
		if err := c.CheckTime(tc.at); !errors.Is(err, tc.want) {
			t.Errorf("at %v: %v, want %v", tc.at.Sub(now), err, tc.want)
		}
	}
	other, otherDoc := testKey(t)
	_ = other
	otherKeys, _ := ParseKeySet(otherDoc)
	if _, err := Verify(token, otherKeys); !errors.Is(err, ErrSignature) {
		t.Fatalf("another key set: %v", err)
	}
	if _, err := Verify(token, &jose.JSONWebKeySet{}); !errors.Is(err, ErrNoKey) {
		t.Fatalf("no keys: %v", err)
	}
}

// TestParseKeySetKeepsPublicKeysOnly: a private key given by mistake is
// reduced to its public half.
func TestParseKeySetKeepsPublicKeysOnly(t *testing.T) {
	k, _ := testKey(t)
	doc, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{*k}})
	set, err := ParseKeySet(string(doc))
	if err != nil || len(set.Keys) != 1 || !set.Keys[0].IsPublic() {
		t.Fatalf("%+v %v", set, err)
	}
}

// FuzzVerify feeds arbitrary tokens and key sets through the parsing path
// STS runs on untrusted input: Peek, ParseKeySet and Verify must return an
// error or claims, never panic, and nothing verifies without a key.
func FuzzVerify(f *testing.F) {
	k, doc := testKey(f)
	good, err := Sign(k, map[string]any{"iss": "https://i", "sub": "s", "aud": "a", "exp": 4102444800})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, doc)
	f.Add("eyJhbGciOiJub25lIn0.eyJpc3MiOiJodHRwczovL2kifQ.", doc)
	f.Add("a.b.c", `{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}`)
	f.Add(good, `{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`)
	f.Add("", "")
	f.Fuzz(func(t *testing.T, token, jwks string) {
		_, _ = Peek(token)
		keys, err := ParseKeySet(jwks)
		if err != nil {
			return
		}
		c, err := Verify(token, keys)
		if err == nil && (c == nil || len(keys.Keys) == 0) {
			t.Fatalf("verified without a key: %+v", c)
		}
		if err == nil {
			_ = c.CheckTime(time.Now())
		}
	})
}
