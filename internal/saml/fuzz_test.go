package saml

import (
	"encoding/base64"
	"testing"
	"time"
)

// FuzzVerify feeds arbitrary responses to Verify: it must return an error
// or an assertion, never panic, and never accept a response the test
// IdP did not sign.
func FuzzVerify(f *testing.F) {
	p, err := NewIdP("https://idp.example.com/saml", testNow)
	if err != nil {
		f.Fatal(err)
	}
	md, err := ParseMetadata(p.MetadataXML())
	if err != nil {
		f.Fatal(err)
	}
	good, err := p.Issue(testClaims())
	if err != nil {
		f.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(good)
	f.Add(raw)
	f.Add([]byte(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><Assertion xmlns="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>`))
	f.Add([]byte("<"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		a, err := Verify(base64.StdEncoding.EncodeToString(doc), md, testNow.Add(time.Minute))
		if err == nil && a.Issuer != p.EntityID {
			t.Fatalf("accepted an assertion of issuer %q", a.Issuer)
		}
	})
}

// FuzzParseMetadata: any document parses or fails with ErrBadMetadata.
func FuzzParseMetadata(f *testing.F) {
	p, err := NewIdP("https://idp.example.com/saml", testNow)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p.MetadataXML())
	f.Add(`<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><IDPSSODescriptor/></EntityDescriptor>`)
	f.Fuzz(func(t *testing.T, doc string) {
		md, err := ParseMetadata(doc)
		if err == nil && (md.EntityID == "" || len(md.Certificates) == 0) {
			t.Fatalf("accepted metadata without entity id or certificates: %+v", md)
		}
	})
}
