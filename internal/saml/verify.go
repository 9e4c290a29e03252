package saml

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// Assertion is what a verified SAML response asserts. Every field comes
// from the element whose signature verified, never from elsewhere in the
// document.
type Assertion struct {
	ID           string
	Issuer       string
	IssueInstant time.Time
	// Subject is the NameID; SubjectFormat its Format attribute as given.
	Subject, SubjectFormat string
	// Recipient is the bearer SubjectConfirmationData's Recipient.
	Recipient    string
	Audiences    []string
	NotBefore    time.Time // zero when absent
	NotOnOrAfter time.Time // the earliest of the Conditions' and the confirmation's
	Attributes   []Attribute
}

// Attribute is one SAML attribute and its values, in document order.
type Attribute struct {
	Name   string
	Values []string
}

// Values returns the values of the attribute with this name.
func (a *Assertion) Values(name string) []string {
	var out []string
	for _, attr := range a.Attributes {
		if attr.Name == name {
			out = append(out, attr.Values...)
		}
	}
	return out
}

// SubjectType is AWS's SubjectType: the NameID format with the SAML 2.0
// nameid-format prefix removed, any other format as is.
func (a *Assertion) SubjectType() string {
	return strings.TrimPrefix(a.SubjectFormat, nameIDFormatPrefix)
}

// MaxEncodedSize bounds the base64 response read (AWS's SAMLAssertion limit).
const MaxEncodedSize = 100000

var recipientPattern = regexp.MustCompile(`^https://([a-z0-9-]+\.)?signin\.aws\.amazon\.com/saml$`)

// Verify decodes a base64 SAML response, verifies the signature of its
// one assertion (or of the whole response) against the provider's
// certificates, and checks issuer, times, recipient and audience at now.
func Verify(encoded string, md *Metadata, now time.Time) (*Assertion, error) {
	root, err := parseResponse(encoded)
	if err != nil {
		return nil, err
	}
	signed, err := verifiedAssertion(root, md.Certificates, now)
	if err != nil {
		return nil, err
	}
	a, err := readAssertion(signed)
	if err != nil {
		return nil, err
	}
	if a.Issuer != md.EntityID {
		return nil, fmt.Errorf("%w: issuer %q is not the provider's %q", ErrIssuer, a.Issuer, md.EntityID)
	}
	if err := checkTimes(a, now); err != nil {
		return nil, err
	}
	return a, checkAudience(a)
}

// ErrIssuer: the assertion's issuer is not the provider's entity id.
var ErrIssuer = fmt.Errorf("issuer not present in specified provider")

func parseResponse(encoded string) (*etree.Element, error) {
	if len(encoded) > MaxEncodedSize {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrMalformed, MaxEncodedSize)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(encoded), ""))
	if err != nil {
		return nil, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	root := doc.Root()
	if root == nil || root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return nil, fmt.Errorf("%w: root is not a samlp:Response", ErrMalformed)
	}
	if status := child(child(root, "Status"), "StatusCode"); status != nil && status.SelectAttrValue("Value", "") != successStatus {
		return nil, fmt.Errorf("%w: status %q", ErrMalformed, status.SelectAttrValue("Value", ""))
	}
	return root, nil
}

// verifiedAssertion returns the assertion as goxmldsig verified it: the
// signed assertion itself, or the one assertion of a signed response.
// Exactly one Assertion may sit directly under the Response, and the
// signature must reference the element it is read from: a signed
// assertion moved elsewhere (signature wrapping) is never the one read.
func verifiedAssertion(root *etree.Element, certs []*x509.Certificate, now time.Time) (*etree.Element, error) {
	if len(children(root, "EncryptedAssertion")) > 0 {
		return nil, fmt.Errorf("%w: encrypted assertions are not supported", ErrMalformed)
	}
	assertions := children(root, "Assertion")
	if len(assertions) != 1 {
		return nil, fmt.Errorf("%w: %d assertions, want 1", ErrMalformed, len(assertions))
	}
	ctx := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: certs})
	ctx.Clock = dsig.NewFakeClockAt(now)
	switch {
	case signature(assertions[0]) != nil:
		verified, err := ctx.Validate(assertions[0])
		if err != nil {
			return nil, fmt.Errorf("%w: assertion: %v", ErrSignature, err)
		}
		return verified, nil
	case signature(root) != nil:
		verified, err := ctx.Validate(root)
		if err != nil {
			return nil, fmt.Errorf("%w: response: %v", ErrSignature, err)
		}
		inner := children(verified, "Assertion")
		if len(inner) != 1 {
			return nil, fmt.Errorf("%w: signed response holds %d assertions", ErrSignature, len(inner))
		}
		return inner[0], nil
	}
	return nil, fmt.Errorf("%w: neither the response nor its assertion is signed", ErrSignature)
}

func signature(el *etree.Element) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == "Signature" && c.NamespaceURI() == nsDSig {
			return c
		}
	}
	return nil
}

// children returns el's child elements with this local name (el may be nil).
func children(el *etree.Element, tag string) []*etree.Element {
	if el == nil {
		return nil
	}
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			out = append(out, c)
		}
	}
	return out
}

func child(el *etree.Element, tag string) *etree.Element {
	if c := children(el, tag); len(c) > 0 {
		return c[0]
	}
	return nil
}

func text(el *etree.Element) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.Text())
}

func readAssertion(el *etree.Element) (*Assertion, error) {
	a := &Assertion{ID: el.SelectAttrValue("ID", ""), Issuer: text(child(el, "Issuer"))}
	var err error
	if a.IssueInstant, err = optionalTime(el, "IssueInstant"); err != nil {
		return nil, err
	}
	subject := child(el, "Subject")
	nameID := child(subject, "NameID")
	a.Subject, a.SubjectFormat = text(nameID), attr(nameID, "Format")
	if err := readConfirmation(subject, a); err != nil {
		return nil, err
	}
	if err := readConditions(child(el, "Conditions"), a); err != nil {
		return nil, err
	}
	for _, st := range children(el, "AttributeStatement") {
		for _, at := range children(st, "Attribute") {
			attribute := Attribute{Name: attr(at, "Name")}
			for _, v := range children(at, "AttributeValue") {
				attribute.Values = append(attribute.Values, text(v))
			}
			a.Attributes = append(a.Attributes, attribute)
		}
	}
	return a, nil
}

// readConfirmation reads the subject's one bearer confirmation: AWS
// wants exactly one SubjectConfirmation, so a second (with another
// Recipient or time) is refused rather than one of them chosen.
func readConfirmation(subject *etree.Element, a *Assertion) error {
	confirmations := children(subject, "SubjectConfirmation")
	if len(confirmations) != 1 {
		return fmt.Errorf("%w: %d SubjectConfirmation elements, want 1", ErrMalformed, len(confirmations))
	}
	sc := confirmations[0]
	if attr(sc, "Method") != bearerMethod {
		return nil // no Recipient: refused as such by checkAudience
	}
	data := child(sc, "SubjectConfirmationData")
	a.Recipient = attr(data, "Recipient")
	var err error
	if a.NotOnOrAfter, err = optionalTime(data, "NotOnOrAfter"); err != nil {
		return err
	}
	// AWS wants the confirmation's own NotOnOrAfter: the Conditions' one
	// may only shorten it, never stand in for it.
	if a.NotOnOrAfter.IsZero() {
		return fmt.Errorf("%w: SubjectConfirmationData has no NotOnOrAfter", ErrMalformed)
	}
	return nil
}

func readConditions(cond *etree.Element, a *Assertion) error {
	if cond == nil {
		return nil
	}
	var err error
	if a.NotBefore, err = optionalTime(cond, "NotBefore"); err != nil {
		return err
	}
	end, err := optionalTime(cond, "NotOnOrAfter")
	if err != nil {
		return err
	}
	if !end.IsZero() && (a.NotOnOrAfter.IsZero() || end.Before(a.NotOnOrAfter)) {
		a.NotOnOrAfter = end
	}
	for _, r := range children(cond, "AudienceRestriction") {
		for _, aud := range children(r, "Audience") {
			a.Audiences = append(a.Audiences, text(aud))
		}
	}
	return nil
}

func attr(el *etree.Element, name string) string {
	if el == nil {
		return ""
	}
	return strings.TrimSpace(el.SelectAttrValue(name, ""))
}

func optionalTime(el *etree.Element, name string) (time.Time, error) {
	v := attr(el, name)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
	}
	return t.UTC(), nil
}

func checkTimes(a *Assertion, now time.Time) error {
	if a.NotOnOrAfter.IsZero() {
		return fmt.Errorf("%w: no NotOnOrAfter", ErrMalformed)
	}
	if !now.Before(a.NotOnOrAfter) {
		return fmt.Errorf("%w: NotOnOrAfter %s", ErrExpired, a.NotOnOrAfter.Format(time.RFC3339))
	}
	if !a.NotBefore.IsZero() && now.Before(a.NotBefore) {
		return fmt.Errorf("%w: NotBefore %s", ErrNotYetValid, a.NotBefore.Format(time.RFC3339))
	}
	return nil
}

// checkAudience wants the bearer confirmation's Recipient to be AWS's
// sign-in endpoint and, when the assertion restricts its audience, AWS
// among the audiences.
func checkAudience(a *Assertion) error {
	if !recipientPattern.MatchString(a.Recipient) && a.Recipient != StaticSignInURL {
		return fmt.Errorf("%w: recipient %q", ErrAudience, a.Recipient)
	}
	if len(a.Audiences) == 0 {
		return nil
	}
	for _, aud := range a.Audiences {
		if aud == AudienceURN || recipientPattern.MatchString(aud) {
			return nil
		}
	}
	return fmt.Errorf("%w: audiences %q", ErrAudience, a.Audiences)
}
