package saml

import (
	"crypto"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

var testNow = time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)

const (
	testRole     = "arn:aws:iam::111111111111:role/Federated"
	testProvider = "arn:aws:iam::111111111111:saml-provider/corp"
)

func newTestIdP(t *testing.T) *IdP {
	t.Helper()
	p, err := NewIdP("https://idp.example.com/saml", testNow)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func metadataOf(t *testing.T, p *IdP) *Metadata {
	t.Helper()
	md, err := ParseMetadata(p.MetadataXML())
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func testClaims() Claims {
	return Claims{Subject: "alice@example.com", Roles: []string{testRole + "," + testProvider},
		SessionName: "alice", IssuedAt: testNow,
		Attributes: []Attribute{{Name: AttrPrincipalTag + "team", Values: []string{"blue"}}}}
}

func encode(t *testing.T, doc *etree.Document) string {
	t.Helper()
	raw, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(raw)
}

// signedDoc returns the IdP's signed response as a document to tamper with.
func signedDoc(t *testing.T, p *IdP, c Claims) *etree.Document {
	t.Helper()
	doc, err := p.responseDocument(c, true)
	if err != nil {
		t.Fatal(err)
	}
	// Round-trip through bytes so tampering works on what a client sends.
	raw, _ := doc.WriteToBytes()
	out := etree.NewDocument()
	if err := out.ReadFromBytes(raw); err != nil {
		t.Fatal(err)
	}
	return out
}

func assertionOf(doc *etree.Document) *etree.Element { return child(doc.Root(), "Assertion") }

func TestVerifyAcceptsTheIdPsResponse(t *testing.T) {
	p := newTestIdP(t)
	resp, err := p.Issue(testClaims())
	if err != nil {
		t.Fatal(err)
	}
	a, err := Verify(resp, metadataOf(t, p), testNow.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if a.Subject != "alice@example.com" || a.SubjectType() != "persistent" || a.Issuer != p.EntityID || a.Recipient != SignInURL {
		t.Fatalf("assertion: %+v", a)
	}
	if got := a.Values(AttrRole); len(got) != 1 || got[0] != testRole+","+testProvider {
		t.Fatalf("roles: %q", got)
	}
	if got := a.Values(AttrPrincipalTag + "team"); len(got) != 1 || got[0] != "blue" {
		t.Fatalf("tag: %q", got)
	}
}

func TestVerifyRefuses(t *testing.T) {
	p, other := newTestIdP(t), newTestIdP(t)
	md := metadataOf(t, p)
	later := testNow.Add(time.Minute)
	cases := []struct {
		name string
		resp func(t *testing.T) string
		at   time.Time
		want error
	}{
		{"unsigned", func(t *testing.T) string {
			doc, err := p.responseDocument(testClaims(), false)
			if err != nil {
				t.Fatal(err)
			}
			return encode(t, doc)
		}, later, ErrSignature},
		{"signed by another key", func(t *testing.T) string {
			s, err := other.Issue(testClaims())
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, later, ErrSignature},
		{"edited after signing", func(t *testing.T) string {
			doc := signedDoc(t, p, testClaims())
			child(child(assertionOf(doc), "Subject"), "NameID").SetText("mallory@example.com")
			return encode(t, doc)
		}, later, ErrSignature},
		{"role edited after signing", func(t *testing.T) string {
			doc := signedDoc(t, p, testClaims())
			v := child(child(child(assertionOf(doc), "AttributeStatement"), "Attribute"), "AttributeValue")
			v.SetText("arn:aws:iam::111111111111:role/Admin," + testProvider)
			return encode(t, doc)
		}, later, ErrSignature},
		{"edited and re-signed by another key", func(t *testing.T) string {
			doc := signedDoc(t, p, testClaims())
			a := assertionOf(doc)
			a.RemoveChild(signature(a))
			child(child(a, "Subject"), "NameID").SetText("mallory@example.com")
			return encode(t, resign(t, other, doc))
		}, later, ErrSignature},
		{"edited and re-signed with a made-up certificate only in KeyInfo", func(t *testing.T) string {
			// The attacker's certificate travels in KeyInfo; only the
			// provider's certificates may verify.
			doc := signedDoc(t, p, testClaims())
			a := assertionOf(doc)
			a.RemoveChild(signature(a))
			return encode(t, resign(t, other, doc))
		}, later, ErrSignature},
		{"wrapped: evil assertion first, signed one moved into Extensions", func(t *testing.T) string {
			doc := signedDoc(t, p, testClaims())
			signed := assertionOf(doc)
			evil := signed.Copy()
			evil.RemoveChild(signature(evil))
			child(child(evil, "Subject"), "NameID").SetText("mallory@example.com")
			doc.Root().RemoveChild(signed)
			doc.Root().CreateElement("samlp:Extensions").AddChild(signed)
			doc.Root().AddChild(evil)
			return encode(t, doc)
		}, later, ErrSignature},
		{"wrapped: evil assertion with the same ID carrying the original signature", func(t *testing.T) string {
			doc := signedDoc(t, p, testClaims())
			signed := assertionOf(doc)
			evil := signed.Copy()
			child(child(evil, "Subject"), "NameID").SetText("mallory@example.com")
			doc.Root().RemoveChild(signed)
			doc.Root().AddChild(evil)
			return encode(t, doc)
		}, later, ErrSignature},
		{"wrapped: original nested inside the evil assertion", func(t *testing.T) string {
			doc := signedDoc(t, p, testClaims())
			signed := assertionOf(doc)
			evil := signed.Copy()
			evil.RemoveChild(signature(evil))
			evil.CreateAttr("ID", "_evil")
			child(child(evil, "Subject"), "NameID").SetText("mallory@example.com")
			evil.AddChild(signature(signed).Copy()) // references the original's ID
			evil.CreateElement("Advice").AddChild(signed)
			doc.Root().RemoveChild(signed)
			doc.Root().AddChild(evil)
			return encode(t, doc)
		}, later, ErrSignature},
		{"wrapped: a second, unsigned assertion beside the signed one", func(t *testing.T) string {
			doc := signedDoc(t, p, testClaims())
			evil := assertionOf(doc).Copy()
			evil.RemoveChild(signature(evil))
			doc.Root().AddChild(evil)
			return encode(t, doc)
		}, later, ErrMalformed},
		{"expired", func(t *testing.T) string {
			s, _ := p.Issue(testClaims())
			return s
		}, testNow.Add(5 * time.Minute), ErrExpired},
		{"not yet valid", func(t *testing.T) string {
			s, _ := p.Issue(testClaims())
			return s
		}, testNow.Add(-time.Minute), ErrNotYetValid},
		{"another recipient", func(t *testing.T) string {
			c := testClaims()
			c.Recipient = "https://evil.example.com/saml"
			s, _ := p.Issue(c)
			return s
		}, later, ErrAudience},
		{"not base64", func(t *testing.T) string { return "<Response/>" }, later, ErrMalformed},
		{"not a response", func(t *testing.T) string {
			return base64.StdEncoding.EncodeToString([]byte("<x/>"))
		}, later, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Verify(tc.resp(t), md, tc.at)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyIssuerMustBeTheProvidersEntity(t *testing.T) {
	p := newTestIdP(t)
	md := metadataOf(t, p)
	md.EntityID = "https://other.example.com"
	resp, _ := p.Issue(testClaims())
	if _, err := Verify(resp, md, testNow); !errors.Is(err, ErrIssuer) {
		t.Fatalf("Verify: %v, want ErrIssuer", err)
	}
}

func TestSignedResponseEnvelope(t *testing.T) {
	// A response signed as a whole (the assertion unsigned) verifies, and
	// the assertion read is the one inside the verified response.
	p := newTestIdP(t)
	doc, err := p.responseDocument(testClaims(), false)
	if err != nil {
		t.Fatal(err)
	}
	signedDoc := signRoot(t, p, doc)
	if _, err := Verify(encode(t, signedDoc), metadataOf(t, p), testNow); err != nil {
		t.Fatalf("signed response: %v", err)
	}
	child(child(assertionOf(signedDoc), "Subject"), "NameID").SetText("mallory")
	if _, err := Verify(encode(t, signedDoc), metadataOf(t, p), testNow); !errors.Is(err, ErrSignature) {
		t.Fatalf("edited signed response: %v", err)
	}
}

func resign(t *testing.T, p *IdP, doc *etree.Document) *etree.Document {
	return resignWith(t, p, doc, crypto.SHA256)
}

// resignWith signs the document's assertion again with p's key.
func resignWith(t *testing.T, p *IdP, doc *etree.Document, hash crypto.Hash) *etree.Document {
	t.Helper()
	ctx, err := dsig.NewSigningContext(p.key, [][]byte{p.cert.Raw})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Hash = hash
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	a := assertionOf(doc)
	signed, err := ctx.SignEnveloped(a)
	if err != nil {
		t.Fatal(err)
	}
	doc.Root().RemoveChild(a)
	doc.Root().AddChild(signed)
	return doc
}

func signRoot(t *testing.T, p *IdP, doc *etree.Document) *etree.Document {
	t.Helper()
	ctx, err := dsig.NewSigningContext(p.key, [][]byte{p.cert.Raw})
	if err != nil {
		t.Fatal(err)
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := ctx.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	return etree.NewDocumentWithRoot(signed)
}

func TestParseMetadata(t *testing.T) {
	p := newTestIdP(t)
	md := metadataOf(t, p)
	if md.EntityID != p.EntityID || len(md.Certificates) != 1 || !md.Certificates[0].Equal(p.Certificate()) {
		t.Fatalf("metadata: %+v", md)
	}
	for name, doc := range map[string]string{
		"not xml":         "hello",
		"no idp":          `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`,
		"no certificates": `<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><IDPSSODescriptor/></EntityDescriptor>`,
		"bad certificate": strings.Replace(p.MetadataXML(), "<ds:X509Certificate>", "<ds:X509Certificate>AAAA", 1),
		"bad validUntil":  strings.Replace(p.MetadataXML(), `entityID=`, `validUntil="soon" entityID=`, 1),
	} {
		if _, err := ParseMetadata(doc); !errors.Is(err, ErrBadMetadata) {
			t.Errorf("%s: %v, want ErrBadMetadata", name, err)
		}
	}
}

func TestIdPSurvivesJSON(t *testing.T) {
	p := newTestIdP(t)
	raw, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back IdP
	if err := back.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	resp, err := back.Issue(testClaims())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(resp, metadataOf(t, p), testNow); err != nil {
		t.Fatalf("response of the reloaded IdP: %v", err)
	}
}

// TestVerifyAcceptsRSASHA1: AWS documents no refusal of SHA-1 signed
// assertions (older AD FS setups use them), so they verify like SHA-256.
func TestVerifyAcceptsRSASHA1(t *testing.T) {
	p := newTestIdP(t)
	doc := signedDoc(t, p, testClaims())
	a := assertionOf(doc)
	a.RemoveChild(signature(a))
	doc = resignWith(t, p, doc, crypto.SHA1)
	if !strings.Contains(encodeRaw(t, doc), dsig.RSASHA1SignatureMethod) {
		t.Fatal("not signed with RSA-SHA1")
	}
	if _, err := Verify(encode(t, doc), metadataOf(t, p), testNow); err != nil {
		t.Fatalf("RSA-SHA1: %v", err)
	}
}

func encodeRaw(t *testing.T, doc *etree.Document) string {
	t.Helper()
	raw, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}
