package saml

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrBadMetadata is every reason a metadata document is refused.
var ErrBadMetadata = errors.New("could not parse metadata")

// Metadata is what IAM keeps of an identity provider's metadata.
type Metadata struct {
	EntityID     string
	Certificates []*x509.Certificate // the IdP's signing certificates
	ValidUntil   time.Time           // zero when the document sets none
}

type entityDescriptorXML struct {
	XMLName    xml.Name `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	EntityID   string   `xml:"entityID,attr"`
	ValidUntil string   `xml:"validUntil,attr"`
	IDP        []struct {
		Keys []struct {
			Use   string   `xml:"use,attr"`
			Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo>X509Data>X509Certificate"`
		} `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
	} `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

// ParseMetadata reads an EntityDescriptor with an IDPSSODescriptor and at
// least one signing certificate (a KeyDescriptor with use "signing" or
// none). Anything else is ErrBadMetadata.
func ParseMetadata(doc string) (*Metadata, error) {
	var ed entityDescriptorXML
	if err := xml.Unmarshal([]byte(doc), &ed); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadMetadata, err)
	}
	md := &Metadata{EntityID: strings.TrimSpace(ed.EntityID)}
	if md.EntityID == "" || len(ed.IDP) == 0 {
		return nil, fmt.Errorf("%w: no entityID or IDPSSODescriptor", ErrBadMetadata)
	}
	if ed.ValidUntil != "" {
		t, err := time.Parse(time.RFC3339Nano, ed.ValidUntil)
		if err != nil {
			return nil, fmt.Errorf("%w: validUntil: %v", ErrBadMetadata, err)
		}
		md.ValidUntil = t.UTC()
	}
	for _, idp := range ed.IDP {
		for _, key := range idp.Keys {
			if key.Use != "" && key.Use != "signing" {
				continue
			}
			for _, text := range key.Certs {
				cert, err := parseCertificate(text)
				if err != nil {
					return nil, fmt.Errorf("%w: %v", ErrBadMetadata, err)
				}
				md.Certificates = append(md.Certificates, cert)
			}
		}
	}
	if len(md.Certificates) == 0 {
		return nil, fmt.Errorf("%w: no signing certificate", ErrBadMetadata)
	}
	return md, nil
}

func parseCertificate(text string) (*x509.Certificate, error) {
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text), ""))
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	return x509.ParseCertificate(der)
}
