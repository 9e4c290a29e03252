package sts

import (
	"strings"

	"github.com/sekisho/sekisho/internal/saml"
	"github.com/sekisho/sekisho/internal/store"
)

// samlAttributeKeys maps the SAML attributes AWS turns into saml:
// condition keys (by OID, as IdPs send them) to the key names.
var samlAttributeKeys = map[string]string{
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.1":  "saml:edupersonaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.2":  "saml:edupersonnickname",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.3":  "saml:edupersonorgdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.4":  "saml:edupersonorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.5":  "saml:edupersonprimaryaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.6":  "saml:edupersonprincipalname",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.7":  "saml:edupersonentitlement",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.8":  "saml:edupersonprimaryorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.9":  "saml:edupersonscopedaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.10": "saml:edupersontargetedid",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.11": "saml:edupersonassurance",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.2":  "saml:eduorghomepageuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.3":  "saml:eduorgidentityauthnpolicyuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.4":  "saml:eduorglegalname",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.5":  "saml:eduorgsuperioruri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.6":  "saml:eduorgwhitepagesuri",
	"urn:oid:2.5.4.3":                   "saml:cn",
	"urn:oid:2.5.4.42":                  "saml:givenName",
	"urn:oid:2.5.4.4":                   "saml:surname",
	"urn:oid:0.9.2342.19200300.100.1.3": "saml:mail",
	"urn:oid:0.9.2342.19200300.100.1.1": "saml:uid",
	"urn:oid:2.5.4.41":                  "saml:name",
	"urn:oid:2.5.4.45":                  "saml:x500UniqueIdentifier",
	"urn:oid:1.3.6.1.4.1.25178.1.2.9":   "saml:organizationStatus",
	"urn:oid:1.2.840.113556.1.4.98":     "saml:primaryGroupID",
}

// SAMLContext is the saml: condition keys of a verified assertion from a
// provider, as AWS documents them for role trust policies: saml:aud (the
// Recipient), saml:iss, saml:sub, saml:sub_type, saml:namequalifier,
// saml:doc (ACCOUNT/PROVIDER) and the eduPerson, eduOrg and X.500
// attributes, named by OID or by their key name.
func SAMLContext(a *saml.Assertion, p store.SAMLProvider) map[string][]string {
	out := map[string][]string{
		"saml:aud":           {a.Recipient},
		"saml:iss":           {a.Issuer},
		"saml:sub":           {a.Subject},
		"saml:sub_type":      {a.SubjectType()},
		"saml:namequalifier": {nameQualifier(a.Issuer, p.Account, p.Name)},
		"saml:doc":           {p.Account + "/" + p.Name},
	}
	for _, attr := range a.Attributes {
		key, ok := samlAttributeKeys[attr.Name]
		if !ok {
			key, ok = samlKeyByName(attr.Name)
		}
		if ok && len(attr.Values) > 0 {
			out[key] = append(out[key], attr.Values...)
		}
	}
	if cn, ok := out["saml:cn"]; ok {
		out["saml:commonName"] = cn
	}
	return out
}

// samlKeyByName accepts an attribute named like its key ("mail",
// "eduPersonOrgDN"), as some IdPs send friendly names.
func samlKeyByName(name string) (string, bool) {
	for _, key := range samlAttributeKeys {
		if strings.EqualFold(strings.TrimPrefix(key, "saml:"), name) {
			return key, true
		}
	}
	return "", false
}
