package saml

import (
	"errors"
	"testing"
	"time"

	"github.com/beevik/etree"
)

// AWS's requirements of the subject confirmation are in the IAM User
// Guide, "Configure SAML assertions for the authentication response":
// exactly one SubjectConfirmation, whose SubjectConfirmationData has both
// NotOnOrAfter and a Recipient of AWS's sign-in endpoint, which may also
// be https://signin.aws.amazon.com/static/saml.

// signedWith returns a response whose assertion was edited before the
// IdP signed it: the edit is the IdP's, not an attacker's.
func signedWith(t *testing.T, p *IdP, edit func(subject *etree.Element)) string {
	t.Helper()
	doc, err := p.responseDocument(testClaims(), false)
	if err != nil {
		t.Fatal(err)
	}
	edit(child(assertionOf(doc), "Subject"))
	return encode(t, resign(t, p, doc))
}

func TestVerifyAcceptsTheStaticSignInRecipient(t *testing.T) {
	p := newTestIdP(t)
	c := testClaims()
	c.Recipient = StaticSignInURL
	resp, err := p.Issue(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(resp, metadataOf(t, p), testNow.Add(time.Minute)); err != nil {
		t.Errorf("recipient %s: %v", c.Recipient, err)
	}
}

func TestVerifyWantsExactlyOneSubjectConfirmation(t *testing.T) {
	p := newTestIdP(t)
	two := signedWith(t, p, func(subject *etree.Element) {
		subject.AddChild(child(subject, "SubjectConfirmation").Copy())
	})
	if _, err := Verify(two, metadataOf(t, p), testNow.Add(time.Minute)); !errors.Is(err, ErrMalformed) {
		t.Errorf("two SubjectConfirmation elements: %v, want ErrMalformed", err)
	}
}

func TestVerifyWantsNotOnOrAfterInTheConfirmation(t *testing.T) {
	p := newTestIdP(t)
	noEnd := signedWith(t, p, func(subject *etree.Element) {
		child(child(subject, "SubjectConfirmation"), "SubjectConfirmationData").RemoveAttr("NotOnOrAfter")
	})
	if _, err := Verify(noEnd, metadataOf(t, p), testNow.Add(time.Minute)); !errors.Is(err, ErrMalformed) {
		t.Errorf("SubjectConfirmationData without NotOnOrAfter (Conditions has one): %v, want ErrMalformed", err)
	}
}
