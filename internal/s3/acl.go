package s3

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/sekisho/sekisho/internal/store"
)

// ACLs as S3 defines them: a list of grants, each giving one permission to
// one grantee (an account by its canonical id, or a predefined group),
// beside an owner who always holds FULL_CONTROL implicitly. Object
// Ownership decides whether they count: under BucketOwnerEnforced they are
// disabled (only the bucket owner's full control is accepted, and reads
// show just that).

const (
	ownerEnforced  = "BucketOwnerEnforced"
	ownerPreferred = "BucketOwnerPreferred"
	objectWriter   = "ObjectWriter"

	allUsersURI    = "http://acs.amazonaws.com/groups/global/AllUsers"
	authUsersURI   = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
	logDeliveryURI = "http://acs.amazonaws.com/groups/s3/LogDelivery"

	// execReadID is the canonical id S3 names in aws-exec-read: EC2's, for
	// reading AMI bundles.
	execReadID = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"

	xsiNamespace = "http://www.w3.org/2001/XMLSchema-instance"

	bucketACLSetting = "acl"
)

// Permissions a grant can give.
const (
	permFullControl = "FULL_CONTROL"
	permRead        = "READ"
	permWrite       = "WRITE"
	permReadACP     = "READ_ACP"
	permWriteACP    = "WRITE_ACP"
)

var permissions = []string{permFullControl, permRead, permWrite, permReadACP, permWriteACP}

// aclGrant is one grant, as stored: a canonical user id or a group URI.
type aclGrant struct {
	ID         string `json:",omitempty"`
	URI        string `json:",omitempty"`
	Permission string
}

// accountOfCanonicalID is the account a canonical id names ("" for ids
// that are no account's, such as EC2's).
func accountOfCanonicalID(id string) string {
	if len(id) != 64 || strings.TrimLeft(id[:52], "0") != "" || !allDigits(id[52:]) {
		return ""
	}
	return id[52:]
}

func isPublicGroup(uri string) bool { return uri == allUsersURI || uri == authUsersURI }

// ownerFull is the grant every ACL starts from: the owner's full control.
func ownerFull(account string) aclGrant {
	return aclGrant{ID: canonicalID(account), Permission: permFullControl}
}

// cannedGrants expands a canned ACL for a resource owned by owner in a
// bucket owned by bucketOwner; ok is false for an unknown name.
func cannedGrants(canned, owner, bucketOwner string, object bool) ([]aclGrant, bool) {
	grants := []aclGrant{ownerFull(owner)}
	switch canned {
	case "private":
	case "public-read":
		grants = append(grants, aclGrant{URI: allUsersURI, Permission: permRead})
	case "public-read-write":
		grants = append(grants, aclGrant{URI: allUsersURI, Permission: permRead}, aclGrant{URI: allUsersURI, Permission: permWrite})
	case "authenticated-read":
		grants = append(grants, aclGrant{URI: authUsersURI, Permission: permRead})
	case "aws-exec-read":
		grants = append(grants, aclGrant{ID: execReadID, Permission: permRead})
	case "bucket-owner-read":
		if object && bucketOwner != owner {
			grants = append(grants, aclGrant{ID: canonicalID(bucketOwner), Permission: permRead})
		}
	case "bucket-owner-full-control":
		if object && bucketOwner != owner {
			grants = append(grants, ownerFull(bucketOwner))
		}
	case "log-delivery-write":
		grants = append(grants, aclGrant{URI: logDeliveryURI, Permission: permWrite}, aclGrant{URI: logDeliveryURI, Permission: permReadACP})
	default:
		return nil, false
	}
	return grants, true
}

// grantHeaders maps the x-amz-grant-* headers to their permissions.
var grantHeaders = []struct{ header, permission string }{
	{"x-amz-grant-full-control", permFullControl}, {"x-amz-grant-read", permRead}, {"x-amz-grant-write", permWrite},
	{"x-amz-grant-read-acp", permReadACP}, {"x-amz-grant-write-acp", permWriteACP},
}

// hasACLHeaders reports whether a request sets an ACL by header.
func hasACLHeaders(h http.Header) bool {
	if h.Get("x-amz-acl") != "" {
		return true
	}
	for _, g := range grantHeaders {
		if h.Get(g.header) != "" {
			return true
		}
	}
	return false
}

// headerGrants reads an ACL from the request's headers: a canned ACL or
// explicit grants (never both); nil when neither is given.
func headerGrants(h http.Header, owner, bucketOwner string, object bool) ([]aclGrant, *Error) {
	canned := h.Get("x-amz-acl")
	var explicit []aclGrant
	for _, g := range grantHeaders {
		v := h.Get(g.header)
		if v == "" {
			continue
		}
		grants, e := parseGrantHeader(v, g.permission)
		if e != nil {
			return nil, e
		}
		explicit = append(explicit, grants...)
	}
	switch {
	case canned != "" && explicit != nil:
		return nil, s3Errorf("InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed")
	case canned != "":
		grants, ok := cannedGrants(canned, owner, bucketOwner, object)
		if !ok {
			return nil, errInvalidArgument("")
		}
		return grants, nil
	}
	return explicit, nil
}

// parseGrantHeader reads `id="…", uri="…", emailAddress="…"` grantees.
func parseGrantHeader(v, permission string) ([]aclGrant, *Error) {
	var out []aclGrant
	for _, part := range strings.Split(v, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		value = strings.Trim(strings.TrimSpace(value), `"`)
		if !ok || value == "" {
			return nil, errInvalidArgument("")
		}
		g, e := grantee(strings.ToLower(strings.TrimSpace(name)), value)
		if e != nil {
			return nil, e
		}
		g.Permission = permission
		out = append(out, g)
	}
	return out, nil
}

// grantee checks one grantee by kind: "id", "uri" or "emailaddress".
func grantee(kind, value string) (aclGrant, *Error) {
	switch kind {
	case "id":
		if accountOfCanonicalID(value) == "" && value != execReadID {
			return aclGrant{}, errInvalidArgument("Invalid id").with("ArgumentName", "CanonicalUser/ID").with("ArgumentValue", value)
		}
		return aclGrant{ID: value}, nil
	case "uri":
		if value != allUsersURI && value != authUsersURI && value != logDeliveryURI {
			return aclGrant{}, errInvalidArgument("Invalid group uri").with("ArgumentName", "Group/URI").with("ArgumentValue", value)
		}
		return aclGrant{URI: value}, nil
	case "emailaddress":
		// Sekisho's accounts have no e-mail addresses on record.
		return aclGrant{}, s3Error("UnresolvableGrantByEmailAddress")
	}
	return aclGrant{}, errInvalidArgument("")
}

// accessControlPolicy is the ACL document of Get/Put*Acl.
type accessControlPolicy struct {
	XMLName xml.Name   `xml:"AccessControlPolicy"`
	Xmlns   string     `xml:"xmlns,attr,omitempty"`
	Owner   *owner     `xml:"Owner"`
	Grants  []grantXML `xml:"AccessControlList>Grant"`
}

type grantXML struct {
	Grantee    granteeXML `xml:"Grantee"`
	Permission string     `xml:"Permission"`
}

type granteeXML struct {
	XSI          string     `xml:"xmlns:xsi,attr,omitempty"`
	Type         string     `xml:"xsi:type,attr,omitempty"`
	Attrs        []xml.Attr `xml:",any,attr"` // xsi:type as read
	ID           string     `xml:"ID,omitempty"`
	DisplayName  string     `xml:"DisplayName,omitempty"`
	URI          string     `xml:"URI,omitempty"`
	EmailAddress string     `xml:"EmailAddress,omitempty"`
}

// typeAttr is the grantee's xsi:type as read from a request.
func (g *granteeXML) typeAttr() string {
	for _, a := range g.Attrs {
		if a.Name.Local == "type" {
			return a.Value
		}
	}
	return g.Type
}

// aclDocument renders grants owned by account for GetBucketAcl/GetObjectAcl.
func aclDocument(account string, grants []aclGrant) accessControlPolicy {
	out := accessControlPolicy{Xmlns: xmlns, Owner: &owner{ID: canonicalID(account)}, Grants: []grantXML{}}
	for _, g := range grants {
		x := grantXML{Permission: g.Permission, Grantee: granteeXML{XSI: xsiNamespace, Type: "CanonicalUser", ID: g.ID}}
		if g.URI != "" {
			x.Grantee = granteeXML{XSI: xsiNamespace, Type: "Group", URI: g.URI}
		}
		out.Grants = append(out.Grants, x)
	}
	return out
}

// parseACLBody reads an AccessControlPolicy body; the owner it names must
// be the resource's owner.
func parseACLBody(body []byte, account string) ([]aclGrant, *Error) {
	var in accessControlPolicy
	if xml.Unmarshal(body, &in) != nil {
		return nil, s3Error("MalformedACLError")
	}
	if in.Owner == nil || in.Owner.ID == "" {
		return nil, s3Error("MalformedACLError")
	}
	if in.Owner.ID != canonicalID(account) {
		return nil, errAccessDenied("Access Denied")
	}
	grants := []aclGrant{}
	for _, x := range in.Grants {
		if !slices.Contains(permissions, x.Permission) {
			return nil, s3Error("MalformedACLError")
		}
		var g aclGrant
		var e *Error
		switch x.Grantee.typeAttr() {
		case "CanonicalUser":
			g, e = grantee("id", x.Grantee.ID)
		case "Group":
			g, e = grantee("uri", x.Grantee.URI)
		case "AmazonCustomerByEmail":
			g, e = grantee("emailaddress", x.Grantee.EmailAddress)
		default:
			return nil, s3Error("MalformedACLError")
		}
		if e != nil {
			return nil, e
		}
		g.Permission = x.Permission
		grants = append(grants, g)
	}
	return grants, nil
}

// onlyBucketOwnerFull reports whether grants give nothing beyond the bucket
// owner's full control: the one ACL a bucket with ACLs disabled accepts.
func onlyBucketOwnerFull(grants []aclGrant, bucketOwner string) bool {
	for _, g := range grants {
		if g != ownerFull(bucketOwner) {
			return false
		}
	}
	return true
}

func hasPublicGrant(grants []aclGrant) bool {
	for _, g := range grants {
		if isPublicGroup(g.URI) {
			return true
		}
	}
	return false
}

// encodeGrants is the stored form of an ACL: "" for the owner's full
// control alone (the default).
func encodeGrants(grants []aclGrant, owner string) string {
	if len(grants) == 0 || len(grants) == 1 && grants[0] == ownerFull(owner) {
		return ""
	}
	raw, err := json.Marshal(grants)
	if err != nil {
		return "" // cannot happen: strings only
	}
	return string(raw)
}

// decodeGrants reads a stored ACL ("" or unreadable: the default).
func decodeGrants(stored, owner string) []aclGrant {
	var grants []aclGrant
	if stored == "" || json.Unmarshal([]byte(stored), &grants) != nil {
		return []aclGrant{ownerFull(owner)}
	}
	return grants
}

// publicAclSettings is the effective BlockPublicAcls / IgnorePublicAcls of
// a bucket, account and bucket level together.
func publicAclSettings(tx store.Tx, bucket string) (block, ignore BPASetting, err error) {
	b, err := tx.GetBucket(bucket)
	if err != nil {
		return block, ignore, err
	}
	bpa, err := publicAccessBlock(tx, b)
	if err != nil {
		return block, ignore, err
	}
	return bpa.BlockPublicAcls, bpa.IgnorePublicAcls, nil
}

// PublicACLGrant is a grant of a bucket's ACL to everyone (AllUsers) or to
// every AWS account (AuthenticatedUsers).
type PublicACLGrant struct {
	Group      string // "AllUsers" or "AuthenticatedUsers"
	Permission string // READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL
}

// PublicBucketACL returns the public grants of b's ACL; none where ACLs
// are disabled (BucketOwnerEnforced), since they then count for nothing.
func PublicBucketACL(tx store.Tx, b store.Bucket) ([]PublicACLGrant, error) {
	if !aclsEnabled(&b) {
		return nil, nil
	}
	stored, err := tx.GetBucketSetting(b.Name, bucketACLSetting)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var out []PublicACLGrant
	for _, g := range decodeGrants(stored, b.Account) {
		if isPublicGroup(g.URI) {
			out = append(out, PublicACLGrant{Group: strings.TrimPrefix(g.URI, "http://acs.amazonaws.com/groups/global/"), Permission: g.Permission})
		}
	}
	return out, nil
}
