package s3

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// ACL grants in the decision. Where a bucket's ACLs are enabled, a grant
// that gives the caller (its account, AllUsers, or AuthenticatedUsers for
// a signed request) the permission an action needs acts as an Allow of
// the resource side: it is added to the resource policy as a statement
// naming the grantee, so the engine's rules hold unchanged: an explicit
// Deny anywhere still wins, and the caller's own identity policies must
// still allow (an account grant names the account, as Principal
// arn:aws:iam::ACCOUNT:root does). The statement's Sid names the grant, so
// explain says when an ACL grant decided.
//
// Objects owned by another account than the bucket's (ObjectWriter, or
// BucketOwnerPreferred without bucket-owner-full-control) are that
// account's resources for the object ACL's actions: the bucket policy does
// not apply to them, only the object's ACL.

// bucketACLActions and objectACLActions are what each permission allows,
// as the S3 user guide's "ACL permissions and access policy permissions"
// table maps them.
var (
	bucketACLActions = map[string][]string{
		permRead:     {"s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"},
		permWrite:    {"s3:PutObject", "s3:DeleteObject"},
		permReadACP:  {"s3:GetBucketAcl"},
		permWriteACP: {"s3:PutBucketAcl"},
	}
	// newObjectACLActions: setting the ACL of an object one creates.
	newObjectACLActions = map[string][]string{permWrite: {"s3:PutObjectAcl"}}
	objectACLActions    = map[string][]string{
		permRead:     {"s3:GetObject", "s3:GetObjectVersion"},
		permReadACP:  {"s3:GetObjectAcl", "s3:GetObjectVersionAcl"},
		permWriteACP: {"s3:PutObjectAcl", "s3:PutObjectVersionAcl"},
	}
)

// grantAllows reports whether permission allows action under table.
func grantAllows(table map[string][]string, permission, action string) bool {
	if permission == permFullControl {
		for _, actions := range table {
			if slices.Contains(actions, action) {
				return true
			}
		}
		return false
	}
	return slices.Contains(table[permission], action)
}

func aclActionIn(table map[string][]string, action string) bool {
	return grantAllows(table, permFullControl, action)
}

// aclSide returns the resource side of c's decision with ACL grants
// applied: the resource policy (the bucket policy, plus a statement per
// grant allowing the caller) and the resource account.
func (s *Service) aclSide(req *Request, b *store.Bucket, c check, bucketPolicy *authz.Source) (*authz.Source, string, *Error) {
	if b == nil || !aclsEnabled(b) {
		return bucketPolicy, accountOf(b), nil
	}
	var (
		grants []aclGrant
		table  map[string][]string
		owner  = b.Account
		name   = b.Name + " bucket ACL"
	)
	switch {
	case c.resource != bucketARN(b.Name) && aclActionIn(objectACLActions, c.action):
		key := c.resource[len(bucketARN(b.Name))+1:]
		info, err := s.objectHead(req, b.Name, key)
		switch {
		case errors.Is(err, blob.ErrNoSuchKey) && c.action == "s3:PutObjectAcl":
			// The ACL of an object being created: whoever may write it
			// into the bucket (WRITE) may set it.
			var e *Error
			if grants, e = s.bucketGrants(req, b); e != nil {
				return nil, "", e
			}
			table = newObjectACLActions
		case errors.Is(err, blob.ErrNoSuchKey):
			return bucketPolicy, b.Account, nil
		case err != nil:
			return nil, "", s.blobError(err, b.Name, key)
		default:
			owner, grants, table, name = effectiveOwner(b, info), objectGrants(b, info), objectACLActions, b.Name+"/"+key+" object ACL"
			if owner != b.Account {
				bucketPolicy = nil // the bucket policy governs only the bucket owner's objects
			}
		}
	case aclActionIn(bucketACLActions, c.action):
		var e *Error
		if grants, e = s.bucketGrants(req, b); e != nil {
			return nil, "", e
		}
		table = bucketACLActions
	default:
		return bucketPolicy, b.Account, nil
	}
	_, ignoreSetting, e := s.publicACLs(req, b.Name)
	ignore := ignoreSetting.On
	if e != nil {
		return nil, "", e
	}
	src, err := s.withGrants(req, bucketPolicy, name, grantsFor(req, grants, table, c.action, ignore), c)
	if err != nil {
		s.log.Error("acl statements do not compile", "bucket", b.Name, "err", err)
		return nil, "", errInternal()
	}
	return src, owner, nil
}

func accountOf(b *store.Bucket) string {
	if b == nil {
		return ""
	}
	return b.Account
}

// objectHead reads the version the request names (the latest without one).
func (s *Service) objectHead(req *Request, bucket, key string) (blob.Info, error) {
	if v := req.query().Get("versionId"); v != "" && v != "null" && key == req.Key {
		return s.blobs.HeadVersion(bucket, key, v)
	}
	return s.blobs.Head(bucket, key)
}

// grantsFor keeps the grants that give the caller action: its account's,
// AllUsers', and AuthenticatedUsers' for signed requests; public ones
// count for nothing under IgnorePublicAcls.
func grantsFor(req *Request, grants []aclGrant, table map[string][]string, action string, ignorePublic bool) []aclGrant {
	var out []aclGrant
	for _, g := range grants {
		switch {
		case !grantAllows(table, g.Permission, action),
			ignorePublic && isPublicGroup(g.URI),
			g.URI == authUsersURI && req.Caller == nil,
			g.URI == logDeliveryURI,
			g.ID != "" && (req.Caller == nil || accountOfCanonicalID(g.ID) != req.Caller.Principal.Account):
			continue
		}
		out = append(out, g)
	}
	return out
}

// withGrants adds to the resource policy one Allow statement per grant,
// named after the grant.
func (s *Service) withGrants(req *Request, base *authz.Source, name string, grants []aclGrant, c check) (*authz.Source, error) {
	if len(grants) == 0 {
		return base, nil
	}
	type statement struct {
		Sid       string
		Effect    string
		Principal any
		Action    string
		Resource  string
	}
	doc := struct {
		Version   string
		Statement []statement
	}{Version: "2012-10-17"}
	for i, g := range grants {
		var principal any = "*"
		if g.ID != "" {
			principal = map[string]string{"AWS": "arn:aws:iam::" + req.Caller.Principal.Account + ":root"}
		}
		doc.Statement = append(doc.Statement, statement{Sid: fmt.Sprintf("ACLGrant%d", i), Effect: "Allow",
			Principal: principal, Action: c.action, Resource: c.resource})
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	acl, err := s.gate.Compile(string(raw), policy.Resource)
	if err != nil {
		return nil, err
	}
	merged := &policy.Policy{Type: policy.Resource, Version: "2012-10-17"}
	src := &authz.Source{Name: name, Policy: merged}
	if base != nil {
		*merged = *base.Policy
		merged.Statements = slices.Clone(base.Policy.Statements)
		src.Name = base.Name + " and " + name
	}
	for i, st := range acl.Statements {
		st.Index = len(merged.Statements)
		st.Sid = "ACL grant " + grants[i].Permission + " to " + granteeName(grants[i])
		merged.Statements = append(merged.Statements, st)
	}
	return src, nil
}

// granteeName names a grantee for explain.
func granteeName(g aclGrant) string {
	switch g.URI {
	case allUsersURI:
		return "AllUsers"
	case authUsersURI:
		return "AuthenticatedUsers"
	case "":
		return "account " + accountOfCanonicalID(g.ID) + " (canonical id " + g.ID + ")"
	}
	return g.URI
}
