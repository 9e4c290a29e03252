package s3

import (
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/arn"
	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/principalid"
	"github.com/sekisho/sekisho/internal/store"
)

const xmlns = "http://s3.amazonaws.com/doc/2006-03-01/"

// canonicalID is the 64-hex canonical user id S3 shows for an account.
func canonicalID(account string) string {
	return strings.Repeat("0", 64-len(account)) + account
}

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

type listAllMyBucketsResult struct {
	XMLName           xml.Name      `xml:"ListAllMyBucketsResult"`
	Xmlns             string        `xml:"xmlns,attr"`
	Owner             owner         `xml:"Owner"`
	Buckets           []bucketEntry `xml:"Buckets>Bucket"`
	ContinuationToken string        `xml:"ContinuationToken,omitempty"`
	Prefix            *string       `xml:"Prefix,omitempty"`
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

// Paginated ListBuckets: max-buckets is 1 to 10,000; a request that pages
// (any of max-buckets, continuation-token, prefix, bucket-region) without
// max-buckets gets pages of 10,000.
const (
	maxBucketsLimit = 10000
	maxTokenLength  = 1024
)

// bucketPage is what a ListBuckets request asks for.
type bucketPage struct {
	paged      bool // any paging parameter given: answer in pages
	max        int
	after      string // the last bucket name of the previous page
	prefix     *string
	region     string
	tokenGiven bool
	rawToken   string
}

// parseBucketPage reads ListBuckets' paging parameters as S3 checks them.
func parseBucketPage(q url.Values) (bucketPage, *Error) {
	p := bucketPage{max: maxBucketsLimit, region: q.Get("bucket-region")}
	for _, name := range []string{"max-buckets", "continuation-token", "prefix", "bucket-region"} {
		p.paged = p.paged || q.Has(name)
	}
	if q.Has("prefix") {
		p.prefix = ptr(q.Get("prefix"))
	}
	if q.Has("max-buckets") {
		v := q.Get("max-buckets")
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			return p, errInvalidArgument("Provided max-buckets not an integer or within integer range").
				with("ArgumentName", "max-buckets").with("ArgumentValue", v)
		case n < 1 || n > maxBucketsLimit:
			return p, errInvalidArgument("Argument max-buckets must be an integer between 1 and %d", maxBucketsLimit).
				with("ArgumentName", "max-buckets").with("ArgumentValue", v)
		}
		p.max = n
	}
	if token := q.Get("continuation-token"); token != "" {
		after, err := base64.RawURLEncoding.DecodeString(token)
		if err != nil || len(token) > maxTokenLength {
			return p, errInvalidArgument("The continuation token provided is incorrect").with("ArgumentName", "continuation-token")
		}
		p.after = string(after)
	}
	return p, nil
}

// page picks the buckets of one page from all the account's buckets, and
// the token that resumes after them ("" when none remain).
func (p bucketPage) page(all []store.Bucket) ([]store.Bucket, string) {
	slices.SortFunc(all, func(a, b store.Bucket) int { return strings.Compare(a.Name, b.Name) })
	var out []store.Bucket
	for _, b := range all {
		switch {
		case b.Name <= p.after,
			p.prefix != nil && !strings.HasPrefix(b.Name, *p.prefix),
			p.region != "" && b.Region != p.region:
			continue
		}
		if p.paged && len(out) == p.max {
			return out, base64.RawURLEncoding.EncodeToString([]byte(out[len(out)-1].Name))
		}
		out = append(out, b)
	}
	return out, ""
}

// listBuckets lists the buckets owned by the caller's account, in pages
// when asked (max-buckets, continuation-token, prefix, bucket-region).
func (s *Service) listBuckets(w http.ResponseWriter, req *Request) *Error {
	if req.Caller == nil {
		return errAccessDenied("Access Denied")
	}
	p, e := parseBucketPage(req.query())
	if e != nil {
		return e
	}
	if e := s.authorizeOp(req, nil, nil); e != nil {
		return e
	}
	account := req.Caller.Principal.Account
	var buckets []store.Bucket
	err := s.store.View(req.HTTP.Context(), func(tx store.Tx) error {
		var err error
		buckets, err = tx.ListBuckets(account)
		return err
	})
	if err != nil {
		return errInternal()
	}
	page, next := p.page(buckets)
	out := listAllMyBucketsResult{Xmlns: xmlns, Owner: owner{ID: canonicalID(account)}, Buckets: []bucketEntry{},
		ContinuationToken: next, Prefix: p.prefix}
	for _, b := range page {
		out.Buckets = append(out.Buckets, bucketEntry{Name: b.Name, CreationDate: isoTime(b.CreatedAt), BucketRegion: b.Region})
	}
	writeXML(w, req.RequestID, out)
	return nil
}

var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// validBucketName applies S3's general-purpose bucket naming rules.
func validBucketName(name string) bool {
	if !bucketNamePattern.MatchString(name) || strings.Contains(name, "..") || reservedBucketName(name) {
		return false
	}
	parts := strings.Split(name, ".")
	if len(parts) == 4 { // an IP address
		numeric := true
		for _, p := range parts {
			if p == "" || strings.Trim(p, "0123456789") != "" {
				numeric = false
			}
		}
		if numeric {
			return false
		}
	}
	return true
}

// Prefixes and suffixes S3 reserves (for access point aliases,
// Multi-Region Access Points, directory and table buckets, its own
// examples): no general-purpose bucket name may carry them.
var (
	reservedBucketPrefixes = []string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedBucketSuffixes = []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

func reservedBucketName(name string) bool {
	for _, p := range reservedBucketPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	for _, s := range reservedBucketSuffixes {
		if strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

type createBucketConfiguration struct {
	LocationConstraint string `xml:"LocationConstraint"`
}

func (s *Service) createBucket(w http.ResponseWriter, req *Request) *Error {
	if req.Caller == nil {
		return errAccessDenied("Access Denied")
	}
	if !validBucketName(req.Bucket) {
		return s3Error("InvalidBucketName").with("BucketName", req.Bucket)
	}
	region, e := locationConstraint(req)
	if e != nil {
		return e
	}
	ctx := req.HTTP.Context()
	if e := s.authorizeOp(req, nil, nil); e != nil {
		return e
	}
	ownership, acl, e := s.createBucketACL(req)
	if e != nil {
		return e
	}
	objectLock, e := s.createBucketObjectLock(req)
	if e != nil {
		return e
	}
	account := req.Caller.Principal.Account
	b := store.Bucket{Name: req.Bucket, Account: account, Region: region, Ownership: ownership, CreatedAt: time.Now().UTC()}
	err := s.store.Update(ctx, func(tx store.Tx) error {
		existing, err := tx.GetBucket(req.Bucket)
		if err == nil {
			return existsError(existing, account, region)
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if err := s.blobs.CreateBucketDir(req.Bucket); err != nil {
			return err
		}
		if err := tx.CreateBucket(b); err != nil {
			return err
		}
		// S3 turns all four Block Public Access settings on for every new bucket.
		if err := tx.PutBucketSetting(b.Name, publicAccessBlockSetting, allBlocked.encode()); err != nil {
			return err
		}
		if objectLock {
			if err := enableObjectLock(tx, b.Name); err != nil {
				return err
			}
		}
		if acl == "" {
			return nil
		}
		return tx.PutBucketSetting(b.Name, bucketACLSetting, acl)
	})
	var se *Error
	switch {
	case errors.As(err, &se):
		if se.Status == http.StatusOK {
			break // us-east-1 answers 200 when you already own the bucket
		}
		return se
	case err != nil:
		s.log.Error("create bucket", "err", err)
		return errInternal()
	}
	w.Header().Set("Location", "/"+req.Bucket)
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

// createBucketObjectLock reads x-amz-bucket-object-lock-enabled. A bucket
// created with Object Lock has versioning enabled and cannot lose it, so
// the caller needs s3:PutBucketObjectLockConfiguration and
// s3:PutBucketVersioning too, as on S3.
func (s *Service) createBucketObjectLock(req *Request) (bool, *Error) {
	v := req.HTTP.Header.Get("x-amz-bucket-object-lock-enabled")
	if v == "" || strings.EqualFold(v, "false") {
		return false, nil
	}
	if !strings.EqualFold(v, "true") {
		return false, errInvalidArgument("Invalid x-amz-bucket-object-lock-enabled header: %s", v)
	}
	for _, action := range []string{"s3:PutBucketObjectLockConfiguration", "s3:PutBucketVersioning"} {
		if e := s.authorize(req.HTTP.Context(), req, nil, check{action: action, resource: bucketARN(req.Bucket)}); e != nil {
			return false, e
		}
	}
	return true, nil
}

// enableObjectLock turns versioning on for good and records Object Lock
// as enabled (with no default retention).
func enableObjectLock(tx store.Tx, bucket string) error {
	doc, err := canonicalXML([]byte(`<ObjectLockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>`))
	if err != nil {
		return err
	}
	if err := tx.PutBucketSetting(bucket, versioningSetting, statusEnabled); err != nil {
		return err
	}
	return tx.PutBucketSetting(bucket, objectLockConfig.query, doc)
}

func existsError(existing store.Bucket, account, region string) *Error {
	if existing.Account != account {
		return s3Error("BucketAlreadyExists").with("BucketName", existing.Name)
	}
	if region == "us-east-1" && existing.Region == "us-east-1" {
		return &Error{Status: http.StatusOK}
	}
	return s3Error("BucketAlreadyOwnedByYou").with("BucketName", existing.Name)
}

// locationConstraint reads the optional CreateBucketConfiguration body.
func locationConstraint(req *Request) (string, *Error) {
	signed := "us-east-1"
	if req.Auth != nil && req.Auth.Region != "" {
		signed = req.Auth.Region
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err != nil {
		return "", readError(err)
	}
	return parseLocationConstraint(body, signed)
}

// parseLocationConstraint reads an optional CreateBucketConfiguration body
// for a request signed for region signed, and returns the bucket's region.
func parseLocationConstraint(body []byte, signed string) (string, *Error) {
	var cfg createBucketConfiguration
	if len(strings.TrimSpace(string(body))) > 0 {
		if err := xml.Unmarshal(body, &cfg); err != nil {
			return "", errMalformedXML()
		}
	}
	return checkLocation(cfg.LocationConstraint, signed)
}

// checkLocation applies S3's rules: us-east-1 is the absence of a
// constraint, the constraint must be a region, and a request signed for
// another region must name that region.
func checkLocation(constraint, signed string) (string, *Error) {
	invalid := s3Error("InvalidLocationConstraint").with("LocationConstraint", constraint)
	switch {
	case constraint == "" && signed == "us-east-1":
		return "us-east-1", nil
	case constraint == "":
		return "", s3Error("IllegalLocationConstraintException")
	case constraint == "us-east-1" || !slices.Contains(awsRegions, constraint):
		return "", invalid
	case signed != "us-east-1" && signed != constraint:
		return "", s3Errorf("IllegalLocationConstraintException", "The %s location constraint is incompatible for the region specific endpoint this request was sent to.", constraint)
	}
	return constraint, nil
}

// awsRegions are the commercial regions a bucket can be created in.
var awsRegions = []string{
	"us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1", "ap-east-2", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7",
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2",
	"eu-west-1", "eu-west-2", "eu-west-3", "eu-south-1", "eu-south-2", "eu-north-1", "il-central-1", "me-south-1",
	"me-central-1", "mx-central-1", "sa-east-1",
}

func (s *Service) deleteBucket(w http.ResponseWriter, req *Request) *Error {
	ctx := req.HTTP.Context()
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	if e := s.removeBucket(ctx, b.Name); e != nil {
		return e
	}
	noContent(w, req)
	return nil
}

// removeBucket deletes an empty bucket atomically with respect to writes
// into it: its directory is detached first (BucketNotEmpty if a write has
// landed), so every write not yet published fails with NoSuchBucket; then
// the bucket leaves the store, and the directory is discarded. Should the
// store refuse, the directory is put back.
func (s *Service) removeBucket(ctx context.Context, name string) *Error {
	detached, err := s.blobs.DetachBucketDir(name)
	switch {
	case errors.Is(err, blob.ErrBucketNotEmpty):
		return s3Error("BucketNotEmpty").with("BucketName", name)
	case errors.Is(err, blob.ErrNoSuchBucket):
		// No directory: a concurrent delete holds it, or a crash came
		// between detaching and the store. Nothing can be written there.
	case err != nil:
		s.log.Error("delete bucket", "bucket", name, "err", err)
		return errInternal()
	}
	err = s.store.Update(ctx, func(tx store.Tx) error { return tx.DeleteBucket(name) })
	switch {
	case err == nil, errors.Is(err, store.ErrNotFound):
		if detached != nil {
			if derr := detached.Discard(); derr != nil {
				s.log.Warn("delete bucket: files left for the next start to remove", "bucket", name, "err", derr)
			}
		}
		if err != nil {
			return errNoSuchBucket(name) // a concurrent delete won
		}
		return nil
	}
	if detached != nil {
		if rerr := detached.Restore(); rerr != nil {
			s.log.Error("delete bucket: directory not restored", "bucket", name, "err", rerr)
		}
	}
	if errors.Is(err, store.ErrUnavailable) {
		return errUnavailable()
	}
	s.log.Error("delete bucket", "bucket", name, "err", err)
	return errInternal()
}

func noContent(w http.ResponseWriter, req *Request) {
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.Header().Set("x-amz-id-2", hostID(req.RequestID))
	w.WriteHeader(http.StatusNoContent)
}

func (s *Service) headBucket(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	w.Header().Set("x-amz-bucket-region", b.Region)
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}

type locationResult struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

func (s *Service) getBucketLocation(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	region := b.Region
	if region == "us-east-1" {
		region = "" // S3 answers an empty constraint for us-east-1
	}
	writeXML(w, req.RequestID, locationResult{Xmlns: xmlns, Region: region})
	return nil
}

// ownerOnly enforces that bucket-policy APIs are for the owner's account:
// others get 405 MethodNotAllowed even when a policy allows them.
func ownerOnly(req *Request, b *store.Bucket) *Error {
	if req.Caller == nil || req.Caller.Principal.Account != b.Account {
		return errMethodNotAllowed()
	}
	return nil
}

// authorizePolicyAPI: the owner's root may always manage the bucket policy.
func (s *Service) authorizePolicyAPI(req *Request, b *store.Bucket) *Error {
	if e := ownerOnly(req, b); e != nil {
		return e
	}
	if req.Caller.Principal.Type == policy.PrincipalRoot {
		return nil
	}
	return s.authorizeOp(req, b, nil)
}

func (s *Service) getBucketPolicy(w http.ResponseWriter, req *Request) *Error {
	b, e := s.requestBucket(req)
	if e != nil {
		return e
	}
	if e := s.authorizePolicyAPI(req, &b); e != nil {
		return e
	}
	if b.Policy == "" {
		return s3Error("NoSuchBucketPolicy").with("BucketName", b.Name)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, b.Policy)
	return nil
}

func (s *Service) putBucketPolicy(w http.ResponseWriter, req *Request) *Error {
	ctx := req.HTTP.Context()
	b, e := s.requestBucket(req)
	if e != nil {
		return e
	}
	if e := s.authorizePolicyAPI(req, &b); e != nil {
		return e
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, policy.MaxBucketPolicySize+1))
	if err != nil {
		return readError(err)
	}
	if e := validateBucketPolicy(string(body), b.Name); e != nil {
		return e
	}
	var blocked *Error
	err = s.store.Update(ctx, func(tx store.Tx) error {
		if blocked, err = s.blockPublicPolicy(tx, req, b, string(body)); blocked != nil || err != nil {
			return err
		}
		// Bare user or role ids get their principals' ARNs, as AWS shows
		// them; a deleted principal's id (as GetBucketPolicy shows it) is
		// refused.
		doc, err := principalid.Bind(tx, string(body))
		if err != nil {
			return err
		}
		return tx.SetBucketPolicy(b.Name, doc)
	})
	var unknown *principalid.UnknownPrincipalError
	switch {
	case blocked != nil:
		return blocked
	case errors.As(err, &unknown):
		return s3Errorf("MalformedPolicy", "Invalid principal in policy")
	case err != nil:
		return errInternal()
	}
	noContent(w, req)
	return nil
}

// validateBucketPolicy checks a bucket policy as S3 does.
func validateBucketPolicy(doc, bucket string) *Error {
	malformed := func(msg string) *Error { return s3Errorf("MalformedPolicy", "%s", msg) }
	if len(doc) > policy.MaxBucketPolicySize {
		return s3Error("PolicyTooLarge")
	}
	if !strings.HasPrefix(strings.TrimSpace(doc), "{") {
		return malformed("Policies must be valid JSON and the first byte must be '{'")
	}
	p, err := policy.Parse(doc, policy.Resource)
	if err != nil {
		var pe *policy.Error
		if errors.As(err, &pe) {
			switch pe.Message {
			case "Syntax errors in policy.":
				return malformed("This policy contains invalid Json")
			}
			return malformed(pe.Message)
		}
		return malformed(err.Error())
	}
	return checkPolicyResources(p, bucket)
}

// checkPolicyResources: every Resource must be this bucket or its objects;
// a wildcard pattern must be able to match one of them.
func checkPolicyResources(p *policy.Policy, bucket string) *Error {
	for _, r := range p.ResourcePatterns() {
		if r == "*" || arn.Glob(r, bucketARN(bucket)) || matchesUnder(r, bucketARN(bucket)+"/") {
			continue
		}
		return s3Errorf("MalformedPolicy", "Policy has invalid resource")
	}
	return nil
}

// matchesUnder reports whether the glob pattern matches some string that
// starts with the (wildcard-free) prefix.
func matchesUnder(pattern, prefix string) bool {
	for i := 0; i < len(prefix); i++ {
		switch {
		case i == len(pattern):
			return false
		case pattern[i] == '*':
			return true
		case pattern[i] != '?' && pattern[i] != prefix[i]:
			return false
		}
	}
	return true
}

func (s *Service) deleteBucketPolicy(w http.ResponseWriter, req *Request) *Error {
	ctx := req.HTTP.Context()
	b, e := s.requestBucket(req)
	if e != nil {
		return e
	}
	if e := s.authorizePolicyAPI(req, &b); e != nil {
		return e
	}
	if err := s.store.Update(ctx, func(tx store.Tx) error { return tx.SetBucketPolicy(b.Name, "") }); err != nil {
		return errInternal()
	}
	noContent(w, req)
	return nil
}

type policyStatus struct {
	XMLName  xml.Name `xml:"PolicyStatus"`
	Xmlns    string   `xml:"xmlns,attr"`
	IsPublic bool     `xml:"IsPublic"`
}

func (s *Service) getBucketPolicyStatus(w http.ResponseWriter, req *Request) *Error {
	b, e := s.requestBucket(req)
	if e != nil {
		return e
	}
	if e := s.authorizePolicyAPI(req, &b); e != nil {
		return e
	}
	if b.Policy == "" {
		return s3Error("NoSuchBucketPolicy").with("BucketName", b.Name)
	}
	p, err := policy.Parse(b.Policy, policy.Resource)
	if err != nil {
		return errInternal()
	}
	writeXML(w, req.RequestID, policyStatus{Xmlns: xmlns, IsPublic: p.IsPublic()})
	return nil
}

type ownershipControls struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	} `xml:"Rule"`
}

func (s *Service) getOwnershipControls(w http.ResponseWriter, req *Request) *Error {
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	out := ownershipControls{Xmlns: xmlns}
	out.Rules = append(out.Rules, struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	}{b.Ownership})
	writeXML(w, req.RequestID, out)
	return nil
}

func (s *Service) putOwnershipControls(w http.ResponseWriter, req *Request) *Error {
	ctx := req.HTTP.Context()
	b, e := s.authorizedBucket(req)
	if e != nil {
		return e
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, 64<<10))
	if err != nil {
		return readError(err)
	}
	var in ownershipControls
	if xml.Unmarshal(body, &in) != nil || len(in.Rules) != 1 {
		return errMalformedXML()
	}
	switch in.Rules[0].ObjectOwnership {
	case "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter":
	default:
		return errMalformedXML()
	}
	if e := s.ownershipAdmitsACL(req, &b, in.Rules[0].ObjectOwnership); e != nil {
		return e
	}
	if err := s.store.Update(ctx, func(tx store.Tx) error { return tx.SetBucketOwnership(b.Name, in.Rules[0].ObjectOwnership) }); err != nil {
		return errInternal()
	}
	w.Header().Set("x-amz-request-id", req.RequestID)
	w.WriteHeader(http.StatusOK)
	return nil
}
