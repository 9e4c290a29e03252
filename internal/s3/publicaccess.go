package s3

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// Block Public Access: four settings, at the bucket level (a bucket
// setting) and at the account level (S3 Control's
// /v20180820/configuration/publicAccessBlock, a server setting per
// account). A setting is in effect when either level turns it on.

// publicAccessBlockSetting is the bucket setting holding the bucket's
// configuration as canonical XML.
const publicAccessBlockSetting = "publicAccessBlock"

// accountPublicAccessBlockKey is the server setting holding an account's
// configuration.
func accountPublicAccessBlockKey(account string) string { return "s3.publicAccessBlock/" + account }

// publicAccessBlockConfiguration is the PublicAccessBlockConfiguration
// document of both APIs.
type publicAccessBlockConfiguration struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty"`
	BlockPublicAcls       bool     `xml:"BlockPublicAcls"`
	IgnorePublicAcls      bool     `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     bool     `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets bool     `xml:"RestrictPublicBuckets"`
}

// allBlocked is what S3 gives every new bucket since April 2023.
var allBlocked = publicAccessBlockConfiguration{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}

// encode is the stored form: the document without a namespace.
func (c publicAccessBlockConfiguration) encode() string {
	c.Xmlns = ""
	out, _ := xml.Marshal(c) // four booleans always marshal
	return string(out)
}

func decodePublicAccessBlock(doc string) (publicAccessBlockConfiguration, error) {
	var c publicAccessBlockConfiguration
	err := xml.Unmarshal([]byte(doc), &c)
	return c, err
}

// Levels at which a Block Public Access setting is turned on.
const (
	LevelAccount = "account"
	LevelBucket  = "bucket"
)

// BPASetting is one Block Public Access setting in effect for a bucket:
// whether it is on, and the levels that turn it on ("account", "bucket",
// or "account and bucket"; "" when off).
type BPASetting struct {
	On    bool
	Level string
}

// PublicAccessBlock is the Block Public Access in effect for a bucket,
// account and bucket levels combined.
type PublicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets BPASetting
}

func combine(account, bucket bool) BPASetting {
	switch {
	case account && bucket:
		return BPASetting{true, LevelAccount + " and " + LevelBucket}
	case account:
		return BPASetting{true, LevelAccount}
	case bucket:
		return BPASetting{true, LevelBucket}
	}
	return BPASetting{}
}

// publicAccessBlock reads the Block Public Access in effect for bucket b:
// its own configuration and its owner's account configuration, each
// setting on when either level turns it on. The ACL checks call it for
// BlockPublicAcls and IgnorePublicAcls.
func publicAccessBlock(tx store.Tx, b store.Bucket) (PublicAccessBlock, error) {
	var acct, bkt publicAccessBlockConfiguration
	if err := loadPublicAccessBlock(func() (string, error) { return tx.GetSetting(accountPublicAccessBlockKey(b.Account)) }, &acct); err != nil {
		return PublicAccessBlock{}, err
	}
	if err := loadPublicAccessBlock(func() (string, error) { return tx.GetBucketSetting(b.Name, publicAccessBlockSetting) }, &bkt); err != nil {
		return PublicAccessBlock{}, err
	}
	return PublicAccessBlock{
		BlockPublicAcls:       combine(acct.BlockPublicAcls, bkt.BlockPublicAcls),
		IgnorePublicAcls:      combine(acct.IgnorePublicAcls, bkt.IgnorePublicAcls),
		BlockPublicPolicy:     combine(acct.BlockPublicPolicy, bkt.BlockPublicPolicy),
		RestrictPublicBuckets: combine(acct.RestrictPublicBuckets, bkt.RestrictPublicBuckets),
	}, nil
}

// PublicAccessBlockOf is publicAccessBlock for analyses that read the
// store (access-report).
func PublicAccessBlockOf(tx store.Tx, b store.Bucket) (PublicAccessBlock, error) {
	return publicAccessBlock(tx, b)
}

// loadPublicAccessBlock decodes a stored configuration into c; unset (or
// deleted: stored empty) leaves c all off.
func loadPublicAccessBlock(get func() (string, error), c *publicAccessBlockConfiguration) error {
	doc, err := get()
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && doc == ""):
		return nil
	case err != nil:
		return err
	}
	stored, err := decodePublicAccessBlock(doc)
	if err != nil {
		return err
	}
	*c = stored
	return nil
}

// effectivePublicAccessBlock is publicAccessBlock in its own read.
func (s *Service) effectivePublicAccessBlock(req *Request, b store.Bucket) (PublicAccessBlock, *Error) {
	var pab PublicAccessBlock
	err := s.store.View(req.HTTP.Context(), func(tx store.Tx) error {
		var err error
		pab, err = publicAccessBlock(tx, b)
		return err
	})
	return pab, s.storeError(err, b.Name)
}

// readPublicAccessBlock reads and validates a Put's document; the
// bucket-level Put requires Content-MD5 or a checksum, as S3 does.
func readPublicAccessBlock(req *Request, digestRequired bool) (publicAccessBlockConfiguration, *Error) {
	body, err := io.ReadAll(io.LimitReader(req.Body, maxConfigBody+1))
	if err != nil {
		return publicAccessBlockConfiguration{}, readError(err)
	}
	if len(body) > maxConfigBody {
		return publicAccessBlockConfiguration{}, errMalformedXML()
	}
	if e := checkConfigDigest(req, body, digestRequired); e != nil {
		return publicAccessBlockConfiguration{}, e
	}
	if e := checkRoot(body, "PublicAccessBlockConfiguration"); e != nil {
		return publicAccessBlockConfiguration{}, e
	}
	c, err := decodePublicAccessBlock(string(body))
	if err != nil {
		return publicAccessBlockConfiguration{}, errMalformedXML()
	}
	return c, nil
}

func (s *Service) getPublicAccessBlock(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	doc, found, e := s.loadConfig(req, b.Name, publicAccessBlockSetting)
	if e != nil {
		return e
	}
	c, err := decodePublicAccessBlock(doc)
	if !found || err != nil {
		return s3Error("NoSuchPublicAccessBlockConfiguration").with("BucketName", b.Name)
	}
	c.Xmlns = xmlns
	writeXML(w, req.RequestID, c)
	return nil
}

func (s *Service) putPublicAccessBlock(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	c, e := readPublicAccessBlock(req, true)
	if e != nil {
		return e
	}
	err := s.store.Update(req.HTTP.Context(), func(tx store.Tx) error {
		return tx.PutBucketSetting(b.Name, publicAccessBlockSetting, c.encode())
	})
	if e := s.storeError(err, b.Name); e != nil {
		return e
	}
	okEmpty(w, req)
	return nil
}

func (s *Service) deletePublicAccessBlock(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	err := s.store.Update(req.HTTP.Context(), func(tx store.Tx) error {
		if err := tx.DeleteBucketSetting(b.Name, publicAccessBlockSetting); !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil // deleting what is not set succeeds, as in S3
	})
	if e := s.storeError(err, b.Name); e != nil {
		return e
	}
	noContent(w, req)
	return nil
}

// blockPublicPolicy refuses a public bucket policy where BlockPublicPolicy
// is on, with S3's AccessDenied, and logs the refusal so that explain
// names the setting and its level.
func (s *Service) blockPublicPolicy(tx store.Tx, req *Request, b store.Bucket, doc string) (*Error, error) {
	p, err := policy.Parse(doc, policy.Resource)
	if err != nil || !p.IsPublic() {
		return nil, nil // validateBucketPolicy has answered a bad document
	}
	pab, err := publicAccessBlock(tx, b)
	if err != nil || !pab.BlockPublicPolicy.On {
		return nil, err
	}
	principal := req.principal()
	areq := &authz.Request{Principal: principal, Action: "s3:PutBucketPolicy", Resource: bucketARN(b.Name),
		ResourceAccount: b.Account, Context: req.Context}
	d := authz.Decision{Effect: authz.ImplicitDeny, Reason: audit.BlockPublicAccessReason("BlockPublicPolicy", pab.BlockPublicPolicy.Level)}
	s.gate.Record(req.RequestID, areq, &d)
	return errAccessDenied(fmt.Sprintf("User: %s is not authorized to perform: s3:PutBucketPolicy on resource: %q because public policies are blocked by the BlockPublicPolicy block public access setting.",
		principal.ARN, bucketARN(b.Name))), nil
}

// restrictPublicBuckets returns the levels at which RestrictPublicBuckets
// sets the bucket policy aside for this request: the policy is public and
// the caller is anonymous or of another account (AWS service principals
// keep their access). "" when it does not.
func (s *Service) restrictPublicBuckets(req *Request, b *store.Bucket, resourcePolicy *authz.Source) (string, *Error) {
	if b == nil || resourcePolicy == nil {
		return "", nil
	}
	principal := req.principal()
	if principal.Type == policy.PrincipalService || (req.Caller != nil && principal.Account == b.Account) {
		return "", nil
	}
	if !resourcePolicy.Policy.IsPublic() {
		return "", nil
	}
	pab, e := s.effectivePublicAccessBlock(req, *b)
	if e != nil {
		return "", e
	}
	return pab.RestrictPublicBuckets.Level, nil
}

// restrictedDecision decides areq as if the bucket had no policy, and
// names RestrictPublicBuckets when that denies. The logged request keeps
// the policy, so that explain still traces its statements.
func restrictedDecision(areq *authz.Request, level string) authz.Decision {
	without := *areq
	without.ResourcePolicy = nil
	d := authz.Evaluate(&without)
	if d.Effect != authz.Allowed {
		d.Reason = audit.BlockPublicAccessReason("RestrictPublicBuckets", level)
	}
	return d
}
