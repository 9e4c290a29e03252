package s3

import (
	"errors"
	"io"
	"net/http"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/store"
)

// aclsEnabled reports whether a bucket's ACLs count: every Object
// Ownership setting but BucketOwnerEnforced.
func aclsEnabled(b *store.Bucket) bool { return b.Ownership != "" && b.Ownership != ownerEnforced }

// effectiveOwner is the account owning an object of b as S3 reports it:
// with ACLs disabled the bucket owner owns every object.
func effectiveOwner(b *store.Bucket, info blob.Info) string {
	if !aclsEnabled(b) || info.Owner == "" {
		return b.Account
	}
	return info.Owner
}

// objectGrants is an object's ACL as it applies: only the bucket owner's
// full control while ACLs are disabled.
func objectGrants(b *store.Bucket, info blob.Info) []aclGrant {
	owner := effectiveOwner(b, info)
	if !aclsEnabled(b) {
		return []aclGrant{ownerFull(owner)}
	}
	return decodeGrants(info.ACL, owner)
}

// bucketGrants loads a bucket's ACL as it applies.
func (s *Service) bucketGrants(req *Request, b *store.Bucket) ([]aclGrant, *Error) {
	if !aclsEnabled(b) {
		return []aclGrant{ownerFull(b.Account)}, nil
	}
	var stored string
	err := s.store.View(req.HTTP.Context(), func(tx store.Tx) error {
		v, err := tx.GetBucketSetting(b.Name, bucketACLSetting)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		stored = v
		return err
	})
	if err != nil {
		return nil, s.storeError(err, b.Name)
	}
	return decodeGrants(stored, b.Account), nil
}

// admitACL holds an ACL about to be set to the bucket's rules: with ACLs
// disabled only the bucket owner's full control (AccessControlListNotSupported);
// with BlockPublicAcls no public grant (AccessDenied).
func (s *Service) admitACL(req *Request, b *store.Bucket, grants []aclGrant) *Error {
	if !aclsEnabled(b) {
		if onlyBucketOwnerFull(grants, b.Account) {
			return nil
		}
		return s3Error("AccessControlListNotSupported")
	}
	if !hasPublicGrant(grants) {
		return nil
	}
	block, _, e := s.publicACLs(req, b.Name)
	if e != nil {
		return e
	}
	if block.On {
		s.recordBlockedACL(req, b, block.Level)
		return errAccessDenied("Access Denied")
	}
	return nil
}

// recordBlockedACL logs the refusal of a public ACL by BlockPublicAcls, so
// that explain names the setting and its level.
func (s *Service) recordBlockedACL(req *Request, b *store.Bucket, level string) {
	if s.gate == nil || req.op == nil {
		return
	}
	areq := &authz.Request{Principal: req.principal(), Action: req.action(), Resource: req.resource(),
		ResourceAccount: b.Account, Context: req.Context}
	d := authz.Decision{Effect: authz.ImplicitDeny, Reason: audit.BlockPublicAccessReason("BlockPublicAcls", level)}
	s.gate.Record(req.RequestID, areq, &d)
}

// publicACLs reads the bucket's effective BlockPublicAcls / IgnorePublicAcls.
func (s *Service) publicACLs(req *Request, bucket string) (block, ignore BPASetting, e *Error) {
	err := s.store.View(req.HTTP.Context(), func(tx store.Tx) error {
		var err error
		block, ignore, err = publicAclSettings(tx, bucket)
		return err
	})
	if err != nil {
		return block, ignore, s.storeError(err, bucket)
	}
	return block, ignore, nil
}

// requestedACL is the ACL a Put*Acl request sets: by headers or by an
// AccessControlPolicy body, not both.
func requestedACL(req *Request, owner, bucketOwner string, object bool) ([]aclGrant, *Error) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err != nil {
		return nil, readError(err)
	}
	if hasACLHeaders(req.HTTP.Header) {
		if len(body) > 0 {
			return nil, s3Errorf("UnexpectedContent", "This request does not support content")
		}
		return headerGrants(req.HTTP.Header, owner, bucketOwner, object)
	}
	if len(body) == 0 {
		return nil, s3Error("MissingSecurityHeader")
	}
	return parseACLBody(body, owner)
}

func (s *Service) getBucketAcl(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	grants, e := s.bucketGrants(req, &b)
	if e != nil {
		return e
	}
	writeXML(w, req.RequestID, aclDocument(b.Account, grants))
	return nil
}

func (s *Service) putBucketAcl(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	grants, e := requestedACL(req, b.Account, b.Account, false)
	if e != nil {
		return e
	}
	if e := s.admitACL(req, &b, grants); e != nil {
		return e
	}
	if aclsEnabled(&b) {
		stored := encodeGrants(grants, b.Account)
		err := s.store.Update(req.HTTP.Context(), func(tx store.Tx) error {
			if stored == "" {
				if err := tx.DeleteBucketSetting(b.Name, bucketACLSetting); !errors.Is(err, store.ErrNotFound) {
					return err
				}
				return nil
			}
			return tx.PutBucketSetting(b.Name, bucketACLSetting, stored)
		})
		if err != nil {
			return s.storeError(err, b.Name)
		}
	}
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

func (s *Service) getObjectAcl(w http.ResponseWriter, req *Request) *Error {
	b, info, _, e := s.taggedObject(w, req, nil)
	if e != nil {
		return e
	}
	writeXML(w, req.RequestID, aclDocument(effectiveOwner(&b, info), objectGrants(&b, info)))
	return nil
}

func (s *Service) putObjectAcl(w http.ResponseWriter, req *Request) *Error {
	b, info, version, e := s.taggedObject(w, req, nil)
	if e != nil {
		return e
	}
	grants, e := requestedACL(req, effectiveOwner(&b, info), b.Account, true)
	if e != nil {
		return e
	}
	if e := s.admitACL(req, &b, grants); e != nil {
		return e
	}
	if aclsEnabled(&b) {
		if _, err := s.blobs.SetVersionACL(b.Name, req.Key, version, encodeGrants(grants, effectiveOwner(&b, info))); err != nil {
			return s.blobError(err, req.Bucket, req.Key)
		}
	}
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// checkWriteACL admits the ACL headers of a request creating an object
// (PutObject, CopyObject, CreateMultipartUpload): where ACLs are enabled
// setting one also needs s3:PutObjectAcl.
func (s *Service) checkWriteACL(req *Request, b *store.Bucket) *Error {
	if !hasACLHeaders(req.HTTP.Header) {
		return nil
	}
	grants, e := headerGrants(req.HTTP.Header, objectOwner(req, b), b.Account, true)
	if e != nil {
		return e
	}
	if aclsEnabled(b) {
		if e := s.authorize(req.HTTP.Context(), req, b, check{action: "s3:PutObjectAcl", resource: objectARN(b.Name, req.Key)}); e != nil {
			return e
		}
	}
	return s.admitACL(req, b, grants)
}

// writeACL is the stored ACL of an object req creates for owner, already
// admitted by checkWriteACL.
func writeACL(req *Request, b *store.Bucket, owner string) string {
	if !aclsEnabled(b) {
		return ""
	}
	grants, e := headerGrants(req.HTTP.Header, owner, b.Account, true)
	if e != nil {
		return ""
	}
	return encodeGrants(grants, owner)
}

// createBucketACL reads CreateBucket's x-amz-object-ownership and ACL
// headers, authorizing s3:PutBucketOwnershipControls and s3:PutBucketAcl
// where they are given, and returns the ownership and stored ACL.
func (s *Service) createBucketACL(req *Request) (string, string, *Error) {
	h := req.HTTP.Header
	ownership := h.Get("x-amz-object-ownership")
	switch ownership {
	case "":
		ownership = ownerEnforced
	case ownerEnforced, ownerPreferred, objectWriter:
		if e := s.authorize(req.HTTP.Context(), req, nil, check{action: "s3:PutBucketOwnershipControls", resource: bucketARN(req.Bucket)}); e != nil {
			return "", "", e
		}
	default:
		return "", "", errInvalidArgument("Invalid x-amz-object-ownership header: %s", ownership).with("ArgumentName", "x-amz-object-ownership")
	}
	if !hasACLHeaders(h) {
		return ownership, "", nil
	}
	account := req.Caller.Principal.Account
	grants, e := headerGrants(h, account, account, false)
	if e != nil {
		return "", "", e
	}
	if ownership == ownerEnforced && !onlyBucketOwnerFull(grants, account) {
		return "", "", s3Error("InvalidBucketAclWithObjectOwnership")
	}
	if e := s.authorize(req.HTTP.Context(), req, nil, check{action: "s3:PutBucketAcl", resource: bucketARN(req.Bucket)}); e != nil {
		return "", "", e
	}
	if ownership == ownerEnforced {
		return ownership, "", nil
	}
	return ownership, encodeGrants(grants, account), nil
}

// ownershipAdmitsACL: a bucket whose ACL grants beyond its owner's full
// control cannot turn ACLs off (BucketOwnerEnforced) until the grants go.
func (s *Service) ownershipAdmitsACL(req *Request, b *store.Bucket, ownership string) *Error {
	if ownership != ownerEnforced || !aclsEnabled(b) {
		return nil
	}
	grants, e := s.bucketGrants(req, b)
	if e != nil {
		return e
	}
	if !onlyBucketOwnerFull(grants, b.Account) {
		return s3Error("InvalidBucketAclWithObjectOwnership")
	}
	return nil
}
