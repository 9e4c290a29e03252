package saml

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// IdP is an identity provider that signs SAML responses with its own key:
// Sekisho's built-in one, for trying SAML trust policies offline.
type IdP struct {
	EntityID string
	key      *rsa.PrivateKey
	cert     *x509.Certificate
}

// NewIdP makes an identity provider with a fresh RSA key and a
// self-signed certificate valid for a century from now.
func NewIdP(entityID string, now time.Time) (*IdP, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("saml idp key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, fmt.Errorf("saml idp serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: entityID},
		NotBefore: now.Add(-time.Hour), NotAfter: now.AddDate(100, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("saml idp certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("saml idp certificate: %w", err)
	}
	return &IdP{EntityID: entityID, key: key, cert: cert}, nil
}

// Certificate is the IdP's signing certificate.
func (p *IdP) Certificate() *x509.Certificate { return p.cert }

type idpJSON struct {
	EntityID string `json:"entity_id"`
	Key      string `json:"key"`  // PKCS#8 PEM: a secret
	Cert     string `json:"cert"` // PEM
}

// MarshalJSON keeps the IdP, its private key included, for the store.
func (p *IdP) MarshalJSON() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(p.key)
	if err != nil {
		return nil, err
	}
	return json.Marshal(idpJSON{EntityID: p.EntityID,
		Key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		Cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.cert.Raw}))})
}

// UnmarshalJSON reads what MarshalJSON wrote.
func (p *IdP) UnmarshalJSON(b []byte) error {
	var j idpJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return fmt.Errorf("saml idp: %w", err)
	}
	keyBlock, _ := pem.Decode([]byte(j.Key))
	certBlock, _ := pem.Decode([]byte(j.Cert))
	if keyBlock == nil || certBlock == nil {
		return errors.New("saml idp: missing key or certificate PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(keyBlock.Bytes)
	if err != nil {
		return fmt.Errorf("saml idp key: %w", err)
	}
	rsaKey, ok := key.(*rsa.PrivateKey)
	if !ok {
		return errors.New("saml idp key: not RSA")
	}
	cert, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		return fmt.Errorf("saml idp certificate: %w", err)
	}
	p.EntityID, p.key, p.cert = j.EntityID, rsaKey, cert
	return nil
}

// MetadataXML is the IdP's SAML metadata document, to upload with
// CreateSAMLProvider.
func (p *IdP) MetadataXML() string {
	return MetadataFor(p.EntityID, []*x509.Certificate{p.cert})
}

// MetadataFor writes the metadata document of an IdP with this entity id
// and signing certificates.
func MetadataFor(entityID string, certs []*x509.Certificate) string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<md:EntityDescriptor xmlns:md="%s" xmlns:ds="%s" entityID="%s">`+"\n", nsMetadata, nsDSig, xmlEscape(entityID))
	fmt.Fprintf(&b, `  <md:IDPSSODescriptor protocolSupportEnumeration="%s">`+"\n", nsProtocol)
	for _, c := range certs {
		b.WriteString(`    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>`)
		b.WriteString(base64.StdEncoding.EncodeToString(c.Raw))
		b.WriteString(`</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` + "\n")
	}
	b.WriteString(`    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>` + "\n")
	fmt.Fprintf(&b, `    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%s/sso"/>`+"\n", xmlEscape(entityID))
	b.WriteString("  </md:IDPSSODescriptor>\n</md:EntityDescriptor>\n")
	return b.String()
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xmlEscapeTo(&b, s)
	return b.String()
}

// Claims is what a response issued by the IdP asserts.
type Claims struct {
	Subject       string
	SubjectFormat string // default persistent
	// Roles are "role ARN,provider ARN" values of the Role attribute.
	Roles       []string
	SessionName string // the RoleSessionName attribute ("" leaves it out)
	Attributes  []Attribute
	IssuedAt    time.Time
	TTL         time.Duration // default 5 minutes
	Recipient   string        // default SignInURL
}

// Issue returns a base64 SAML response whose assertion the IdP signed
// (RSA-SHA256, exclusive canonicalization).
func (p *IdP) Issue(c Claims) (string, error) {
	doc, err := p.responseDocument(c, true)
	if err != nil {
		return "", err
	}
	raw, err := doc.WriteToBytes()
	if err != nil {
		return "", fmt.Errorf("saml response: %w", err)
	}
	return base64.StdEncoding.EncodeToString(raw), nil
}

// responseDocument builds the response, its assertion signed when sign is set.
func (p *IdP) responseDocument(c Claims, sign bool) (*etree.Document, error) {
	if c.IssuedAt.IsZero() {
		c.IssuedAt = time.Now()
	}
	if c.TTL == 0 {
		c.TTL = 5 * time.Minute
	}
	if c.Recipient == "" {
		c.Recipient = SignInURL
	}
	if c.SubjectFormat == "" {
		c.SubjectFormat = nameIDFormatPrefix + "persistent"
	}
	issued := c.IssuedAt.UTC().Format(time.RFC3339)
	expires := c.IssuedAt.Add(c.TTL).UTC().Format(time.RFC3339)
	resp := etree.NewElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", nsProtocol)
	resp.CreateAttr("ID", newID())
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", issued)
	resp.CreateAttr("Destination", c.Recipient)
	iss := resp.CreateElement("Issuer")
	iss.CreateAttr("xmlns", nsAssertion)
	iss.SetText(p.EntityID)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", successStatus)

	a := p.assertion(c, issued, expires)
	if sign {
		ctx, err := dsig.NewSigningContext(p.key, [][]byte{p.cert.Raw})
		if err != nil {
			return nil, fmt.Errorf("saml sign: %w", err)
		}
		ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
		if a, err = ctx.SignEnveloped(a); err != nil {
			return nil, fmt.Errorf("saml sign: %w", err)
		}
	}
	resp.AddChild(a)
	return etree.NewDocumentWithRoot(resp), nil
}

func (p *IdP) assertion(c Claims, issued, expires string) *etree.Element {
	a := etree.NewElement("Assertion")
	a.CreateAttr("xmlns", nsAssertion)
	a.CreateAttr("ID", newID())
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", issued)
	a.CreateElement("Issuer").SetText(p.EntityID)
	subject := a.CreateElement("Subject")
	nameID := subject.CreateElement("NameID")
	nameID.CreateAttr("Format", c.SubjectFormat)
	nameID.SetText(c.Subject)
	sc := subject.CreateElement("SubjectConfirmation")
	sc.CreateAttr("Method", bearerMethod)
	data := sc.CreateElement("SubjectConfirmationData")
	data.CreateAttr("NotOnOrAfter", expires)
	data.CreateAttr("Recipient", c.Recipient)
	cond := a.CreateElement("Conditions")
	cond.CreateAttr("NotBefore", issued)
	cond.CreateAttr("NotOnOrAfter", expires)
	cond.CreateElement("AudienceRestriction").CreateElement("Audience").SetText(SignInURL)
	authn := a.CreateElement("AuthnStatement")
	authn.CreateAttr("AuthnInstant", issued)
	authn.CreateElement("AuthnContext").CreateElement("AuthnContextClassRef").SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	st := a.CreateElement("AttributeStatement")
	attrs := []Attribute{{Name: AttrRole, Values: c.Roles}}
	if c.SessionName != "" {
		attrs = append(attrs, Attribute{Name: AttrRoleSessionName, Values: []string{c.SessionName}})
	}
	for _, at := range append(attrs, c.Attributes...) {
		el := st.CreateElement("Attribute")
		el.CreateAttr("Name", at.Name)
		for _, v := range at.Values {
			el.CreateElement("AttributeValue").SetText(v)
		}
	}
	return a
}

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return "_" + hex.EncodeToString(b)
}

func xmlEscapeTo(b *strings.Builder, s string) error {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")
	_, err := r.WriteString(b, s)
	return err
}
