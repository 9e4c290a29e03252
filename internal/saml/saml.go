// Package saml reads SAML 2.0 for IAM federation: it parses identity
// provider metadata for its signing certificates, verifies signed SAML
// responses (XML signatures checked by goxmldsig, never by hand) and
// reads the verified assertion, and it issues signed responses for the
// built-in identity provider.
package saml

import "errors"

// Namespaces of SAML 2.0.
const (
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// Well-known values of AWS's SAML federation.
const (
	// SignInURL is the Recipient (and usual Audience) AWS accepts.
	SignInURL = "https://signin.aws.amazon.com/saml"
	// StaticSignInURL is the other Recipient AWS documents for its
	// global endpoint.
	StaticSignInURL = "https://signin.aws.amazon.com/static/saml"
	// AudienceURN is the other Audience AWS documents.
	AudienceURN = "urn:amazon:webservices"
	// Attribute names AWS reads.
	AttrRole            = "https://aws.amazon.com/SAML/Attributes/Role"
	AttrRoleSessionName = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	AttrSessionDuration = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	AttrSourceIdentity  = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	AttrPrincipalTag    = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	AttrTransitiveTags  = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
	bearerMethod        = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
	nameIDFormatPrefix  = "urn:oasis:names:tc:SAML:2.0:nameid-format:"
	successStatus       = "urn:oasis:names:tc:SAML:2.0:status:Success"
)

// Errors of Verify, so the caller can answer with AWS's codes.
var (
	// ErrMalformed: not a base64 SAML response with one assertion.
	ErrMalformed = errors.New("malformed SAML response")
	// ErrSignature: unsigned, or the signature does not verify against
	// the provider's certificates.
	ErrSignature = errors.New("response signature invalid")
	// ErrExpired: past NotOnOrAfter.
	ErrExpired = errors.New("SAML response expired")
	// ErrNotYetValid: before NotBefore.
	ErrNotYetValid = errors.New("SAML response not yet valid")
	// ErrAudience: no AWS audience or recipient.
	ErrAudience = errors.New("response does not contain the required audience")
)
