package sts

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/awsproto"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/saml"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// These tests call the handler directly: the front door's dispatch of
// unsigned calls is tested with it end to end in internal/e2e.

const (
	samlAccount  = "111111111111"
	samlProvider = "arn:aws:iam::111111111111:saml-provider/corp"
	samlRole     = "arn:aws:iam::111111111111:role/saml-dev"
	samlOpenRole = "arn:aws:iam::111111111111:role/saml-open"
)

// samlTrust lets the provider assume the role for subjects of example.com
// with AWS's audience, and tag sessions.
const samlTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + samlProvider + `"},
 "Action":["sts:AssumeRoleWithSAML","sts:TagSession"],
 "Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml","saml:doc":"111111111111/corp"},"StringLike":{"saml:sub":"*@example.com"}}}]}`

const samlOpenTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + samlProvider + `"},"Action":"sts:AssumeRoleWithSAML"}]}`

type samlFixture struct {
	svc *Service
	idp *saml.IdP
}

func newSAMLFixture(t *testing.T) *samlFixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	idp, err := saml.NewIdP("https://idp.example.com/saml", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutAccount(store.Account{ID: samlAccount}); err != nil {
			return err
		}
		for i, r := range []struct{ name, trust string }{{"saml-dev", samlTrust}, {"saml-open", samlOpenTrust}} {
			if err := tx.CreateRole(store.Role{Account: samlAccount, Name: r.name, Path: "/", ID: "AROASAMLTEST00000000" + string(rune('A'+i)),
				TrustPolicy: r.trust, MaxSessionDuration: 3600}); err != nil {
				return err
			}
		}
		return tx.CreateSAMLProvider(store.SAMLProvider{ARN: samlProvider, Account: samlAccount, Name: "corp", UUID: "u",
			Metadata: idp.MetadataXML()})
	})
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := access.LoadSealer(ctx, st, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	gate := access.NewGate(st, sealer, nil)
	return &samlFixture{svc: New(st, gate, slog.New(slog.NewTextHandler(io.Discard, nil))), idp: idp}
}

func (f *samlFixture) claims() saml.Claims {
	return saml.Claims{Subject: "alice@example.com", Roles: []string{samlProvider + "," + samlRole}, SessionName: "alice",
		Attributes: []saml.Attribute{{Name: saml.AttrPrincipalTag + "team", Values: []string{"blue"}},
			{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.3", Values: []string{"o=example"}}}}
}

func (f *samlFixture) issue(t *testing.T, c saml.Claims) string {
	t.Helper()
	s, err := f.idp.Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *samlFixture) call(role, provider, assertion string, extra url.Values) (any, *awsproto.Error) {
	v := url.Values{"Action": {"AssumeRoleWithSAML"}, "Version": {APIVersion}, "RoleArn": {role},
		"PrincipalArn": {provider}, "SAMLAssertion": {assertion}}
	for k, vals := range extra {
		v[k] = vals
	}
	return f.svc.assumeRoleWithSAMLAssertion(context.Background(), &awsproto.Call{Action: "AssumeRoleWithSAML",
		Params: awsproto.NewParams(v), RequestID: "test", Context: policy.NewContext()})
}

func TestAssumeRoleWithSAMLMintsASession(t *testing.T) {
	f := newSAMLFixture(t)
	out, e := f.call(samlRole, samlProvider, f.issue(t, f.claims()), nil)
	if e != nil {
		t.Fatal(e)
	}
	res := out.(samlResult)
	if res.AssumedRoleUser.Arn != "arn:aws:sts::111111111111:assumed-role/saml-dev/alice" || res.Subject != "alice@example.com" ||
		res.SubjectType != "persistent" || res.Issuer != "https://idp.example.com/saml" || res.Audience != saml.SignInURL ||
		res.NameQualifier != nameQualifier("https://idp.example.com/saml", samlAccount, "corp") || res.Credentials.SessionToken == "" {
		t.Fatalf("result: %+v", res)
	}
	if res.PackedPolicySize == nil {
		t.Fatal("session tags but no PackedPolicySize")
	}
}

func TestAssumeRoleWithSAMLRefuses(t *testing.T) {
	f := newSAMLFixture(t)
	other, err := saml.NewIdP("https://idp.example.com/saml", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	otherAssertion, err := other.Issue(f.claims())
	if err != nil {
		t.Fatal(err)
	}
	withClaims := func(edit func(*saml.Claims)) string {
		c := f.claims()
		edit(&c)
		return f.issue(t, c)
	}
	good := f.issue(t, f.claims())
	cases := []struct {
		name, role, provider, assertion string
		extra                           url.Values
		code, message                   string
	}{
		{"signed by another key", samlRole, samlProvider, otherAssertion, nil, "InvalidIdentityToken", "Response signature invalid"},
		{"expired", samlRole, samlProvider, withClaims(func(c *saml.Claims) { c.IssuedAt = time.Now().Add(-10 * time.Minute) }), nil,
			"ExpiredTokenException", "Response has expired"},
		{"unknown provider", samlRole, "arn:aws:iam::111111111111:saml-provider/nope", good, nil, "InvalidIdentityToken", "Specified provider doesn't exist"},
		{"role not in the assertion", samlOpenRole, samlProvider, good, nil, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"no session name", samlRole, samlProvider, withClaims(func(c *saml.Claims) { c.SessionName = "" }), nil,
			"InvalidIdentityToken", "RoleSessionName is required in AuthnResponse"},
		{"bad session name", samlRole, samlProvider, withClaims(func(c *saml.Claims) { c.SessionName = "a b" }), nil,
			"InvalidIdentityToken", "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}"},
		{"subject outside the trust condition", samlRole, samlProvider, withClaims(func(c *saml.Claims) { c.Subject = "eve@evil.com" }), nil,
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"tags without sts:TagSession", samlOpenRole, samlProvider,
			withClaims(func(c *saml.Claims) { c.Roles = []string{samlOpenRole + "," + samlProvider} }), nil,
			"AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML"},
		{"longer than the role allows", samlRole, samlProvider, good, url.Values{"DurationSeconds": {"7200"}},
			"ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"malformed session policy", samlRole, samlProvider, good, url.Values{"Policy": {"{"}}, "MalformedPolicyDocument", ""},
		{"not base64", samlRole, samlProvider, "%%%%", nil, "InvalidIdentityToken", "Invalid SAML response"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, e := f.call(tc.role, tc.provider, tc.assertion, tc.extra)
			if e == nil {
				t.Fatal("accepted")
			}
			if e.Code != tc.code || (tc.message != "" && e.Message != tc.message) {
				t.Fatalf("got %s %q, want %s %q", e.Code, e.Message, tc.code, tc.message)
			}
		})
	}
}

func TestAssumeRoleWithSAMLRolePairEitherOrder(t *testing.T) {
	f := newSAMLFixture(t)
	c := f.claims()
	c.Roles = []string{samlRole + "," + samlProvider}
	if _, e := f.call(samlRole, samlProvider, f.issue(t, c), nil); e != nil {
		t.Fatalf("role,provider order: %v", e)
	}
}

func TestSAMLContextKeys(t *testing.T) {
	a := &saml.Assertion{Issuer: "https://idp", Subject: "bob", SubjectFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:transient",
		Recipient: saml.SignInURL, Attributes: []saml.Attribute{{Name: "urn:oid:1.3.6.1.4.1.5923.1.1.1.3", Values: []string{"o=x"}},
			{Name: "mail", Values: []string{"bob@x"}}, {Name: "urn:oid:2.5.4.3", Values: []string{"Bob"}}}}
	keys := SAMLContext(a, store.SAMLProvider{Account: samlAccount, Name: "corp"})
	want := map[string]string{"saml:aud": saml.SignInURL, "saml:iss": "https://idp", "saml:sub": "bob", "saml:sub_type": "transient",
		"saml:doc": "111111111111/corp", "saml:edupersonorgdn": "o=x", "saml:mail": "bob@x", "saml:cn": "Bob", "saml:commonName": "Bob",
		"saml:namequalifier": nameQualifier("https://idp", samlAccount, "corp")}
	for k, v := range want {
		if got := keys[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
}

// TestAssumeRoleWithSAMLAcceptsAResponseTwice: AWS documents no one-time
// use of SAML assertions with STS (tools assume several roles from one
// sign-in), so a response stays good until NotOnOrAfter.
func TestAssumeRoleWithSAMLAcceptsAResponseTwice(t *testing.T) {
	f := newSAMLFixture(t)
	resp := f.issue(t, f.claims())
	for i := range 2 {
		if _, e := f.call(samlRole, samlProvider, resp, nil); e != nil {
			t.Fatalf("use %d: %v", i+1, e)
		}
	}
}
