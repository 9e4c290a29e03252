// Package s3 serves the Amazon S3 REST API (path-style and virtual-hosted)
// with every call decided by the engine: the caller's identity policies
// and the bucket policy as the resource policy, with the cross-account
// rule that both must allow.
package s3

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/sekisho/sekisho/internal/access"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/blob"
	"github.com/sekisho/sekisho/internal/metrics"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/sigv4"
	"github.com/sekisho/sekisho/internal/store"
)

// Service is the S3 API.
type Service struct {
	store store.Store
	blobs *blob.Store
	gate  *access.Gate
	log   *slog.Logger
	// configs serves the bucket configuration rows, by operation name.
	configs map[string]operation
	// vstates and encryption cache buckets' versioning states and default
	// encryption by store generation (settingcache.go).
	vstates    settingCache[blob.Versioning]
	encryption settingCache[DefaultEncryption]
	// onBlobError hears object-store failures of the disk's own (metrics).
	onBlobError func(error)
}

// OnBlobError makes fn hear every object-store failure answered with
// InternalError (I/O errors, a full disk).
func (s *Service) OnBlobError(fn func(error)) { s.onBlobError = fn }

// New returns the S3 service.
func New(st store.Store, blobs *blob.Store, gate *access.Gate, log *slog.Logger) *Service {
	s := &Service{store: st, blobs: blobs, gate: gate, log: log}
	s.configs = s.configHandlers()
	return s
}

// Request is one authenticated (or anonymous) S3 request.
type Request struct {
	HTTP      *http.Request
	Caller    *access.Caller // nil for anonymous requests
	Auth      *sigv4.Auth    // nil for anonymous requests
	RequestID string
	Bucket    string
	Key       string
	// Body is the payload with SigV4 framing removed and hashes checked.
	Body io.Reader
	// Trailers returns trailing checksums once Body is fully read.
	Trailers func() map[string]string
	// Context is the request's condition context (aws:SourceIp, ...).
	Context *policy.Context

	op *Operation // the request's row of the operation table, set by Serve
	q  url.Values // the parsed query, see query
}

// query returns the request's query parameters, parsed on first use
// (URL.Query parses them again on every call). Callers must not change it.
func (r *Request) query() url.Values {
	if r.q == nil {
		r.q = r.HTTP.URL.Query()
	}
	return r.q
}

// hasParam reports whether the query names param, without parsing (and
// allocating) an empty query on the hot GET path.
func (r *Request) hasParam(param string) bool {
	return r.HTTP.URL.RawQuery != "" && r.query().Has(param)
}

// principal returns the caller's principal, or the anonymous one.
func (r *Request) principal() policy.Principal {
	if r.Caller == nil {
		return policy.Principal{Type: policy.PrincipalAnonymous}
	}
	return r.Caller.Principal
}

// Serve dispatches one request to its row of the operation table.
func (s *Service) Serve(w http.ResponseWriter, req *Request) {
	op, e := route(req)
	if e == nil {
		req.op = op
		req.Body = withContentMD5(req.Body, headerGet(req.HTTP.Header, "Content-MD5"))
		metrics.SetOperation(w, "s3", op.Name)
		e = op.Handler(s, w, req)
	}
	if e != nil {
		if e.Status >= 500 {
			s.log.Error("s3 error", "request_id", req.RequestID, "code", e.Code, "message", e.Message)
		}
		WriteError(w, req.HTTP, req.RequestID, e)
	}
}

// bucket loads a bucket or answers NoSuchBucket.
func (s *Service) bucket(ctx context.Context, name string) (store.Bucket, *Error) {
	b, err := s.gate.Bucket(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return b, errNoSuchBucket(name)
	case errors.Is(err, store.ErrUnavailable):
		return b, errUnavailable()
	case err != nil:
		s.log.Error("load bucket", "bucket", name, "err", err)
		return b, errInternal()
	}
	return b, nil
}

// requestBucket loads the request's bucket and holds it to the owner the
// caller expects (x-amz-expected-bucket-owner), as S3 does for every
// operation on an existing bucket.
func (s *Service) requestBucket(req *Request) (store.Bucket, *Error) {
	expected, given, e := expectedOwner(req, "x-amz-expected-bucket-owner")
	if e != nil {
		return store.Bucket{}, e
	}
	b, e := s.bucket(req.HTTP.Context(), req.Bucket)
	if e != nil {
		return b, e
	}
	if given && b.Account != expected {
		return b, errAccessDenied("Access Denied")
	}
	return b, nil
}

// authorizedBucket is requestBucket for a request that needs nothing but
// its own operation allowed on the bucket (no extra condition keys).
func (s *Service) authorizedBucket(req *Request) (store.Bucket, *Error) {
	b, e := s.requestBucket(req)
	if e != nil {
		return b, e
	}
	return b, s.authorizeOp(req, &b, nil)
}

// expectedOwner reads an expected-owner header (or, in a presigned URL,
// the query parameter of that name), which must be a 12-digit account ID.
func expectedOwner(req *Request, name string) (string, bool, *Error) {
	values, ok := req.HTTP.Header[canonicalHeader(name)]
	if !ok {
		values, ok = req.query()[name]
	}
	if !ok {
		return "", false, nil
	}
	v := strings.Join(values, ",")
	if len(v) != 12 || !allDigits(v) {
		return "", false, s3Errorf("InvalidBucketOwnerAWSAccountID", "The value of the expected bucket owner parameter must be an AWS Account ID... [%s]", v)
	}
	return v, true, nil
}

// check is one authorization the operation needs.
type check struct {
	action   string
	resource string
	extra    map[string][]string // extra condition keys
}

func bucketARN(bucket string) string      { return "arn:aws:s3:::" + bucket }
func objectARN(bucket, key string) string { return "arn:aws:s3:::" + bucket + "/" + key }

// authorizeOp asks for the request's own operation: its row's action
// (the versioned one when the request names a version) on its row's
// resource, with extra condition keys.
func (s *Service) authorizeOp(req *Request, b *store.Bucket, extra map[string][]string) *Error {
	return s.authorize(req.HTTP.Context(), req, b, check{action: req.action(), resource: req.resource(), extra: extra})
}

// authorize asks the engine, with the bucket policy as the resource
// policy and the bucket's account as the resource account.
func (s *Service) authorize(ctx context.Context, req *Request, b *store.Bucket, c check) *Error {
	d, e := s.decide(ctx, req, b, c)
	if e != nil {
		return e
	}
	if d.Effect == authz.Allowed {
		return nil
	}
	if d.AccountClosed() {
		// What S3 answers, signed or anonymous, for the buckets of a
		// closed (suspended) account.
		return s3Error("AllAccessDisabled")
	}
	return errAccessDenied(denialMessage(req, &d))
}

func (s *Service) decide(ctx context.Context, req *Request, b *store.Bucket, c check) (authz.Decision, *Error) {
	reqCtx := req.Context.Clone()
	s.addS3Keys(reqCtx, req, b)
	for k, v := range c.extra {
		reqCtx.Set(k, v...)
	}
	var resourcePolicy *authz.Source
	if b != nil && b.Policy != "" {
		p, err := s.gate.Compile(b.Policy, policy.Resource)
		if err != nil {
			s.log.Error("bucket policy does not compile", "bucket", b.Name, "err", err)
			return authz.Decision{}, errInternal()
		}
		resourcePolicy = &authz.Source{Name: b.Name + " bucket policy", Policy: p}
	}
	resourcePolicy, account, e := s.aclSide(req, b, c, resourcePolicy)
	if e != nil {
		return authz.Decision{}, e
	}
	var areq *authz.Request
	if req.Caller == nil {
		areq = &authz.Request{Principal: req.principal(), Action: c.action, Resource: c.resource,
			ResourceAccount: account, Context: reqCtx, ResourcePolicy: resourcePolicy, RCPs: s.gate.RCPs(ctx, account, reqCtx)}
	} else {
		var err error
		areq, err = s.gate.Request(ctx, req.Caller, access.Check{Action: c.action, Resource: c.resource,
			ResourceAccount: account, Context: reqCtx, ResourcePolicy: resourcePolicy, RequestID: req.RequestID})
		if errors.Is(err, store.ErrUnavailable) {
			return authz.Decision{}, errUnavailable()
		}
		if err != nil {
			s.log.Error("authorize", "err", err)
			return authz.Decision{}, errInternal()
		}
	}
	if req.op != nil {
		areq.Operation = req.op.Name
	}
	d := authz.Evaluate(areq)
	if d.Effect != authz.ExplicitDeny {
		// RestrictPublicBuckets sets a public bucket policy aside for
		// callers outside the owner's account.
		restricted, e := s.restrictPublicBuckets(req, b, resourcePolicy)
		if e != nil {
			return d, e
		}
		if restricted != "" {
			d = restrictedDecision(areq, restricted)
		}
	}
	s.gate.Record(req.RequestID, areq, &d)
	if s.log.Enabled(ctx, slog.LevelDebug) { // the arguments (Message builds a sentence) cost even when not logged
		s.log.Debug("decision", "request_id", req.RequestID, "principal", d.PrincipalARN(), "action", c.action,
			"resource", c.resource, "effect", d.Effect.String(), "reason", d.Reason, "message", d.Message())
	}
	return d, nil
}

// denialMessage is AWS's text: the detailed reason within one account,
// plain "Access Denied" across accounts and for anonymous callers.
func denialMessage(req *Request, d *authz.Decision) string {
	if req.Caller == nil || d.CrossAccount {
		return "Access Denied"
	}
	return d.Message()
}

// addS3Keys sets the S3 condition keys every request carries.
func (s *Service) addS3Keys(ctx *policy.Context, req *Request, b *store.Bucket) {
	// The values share one array (each key gets a capped slice of it),
	// rather than one allocation per key.
	values := make([]string, 0, 4)
	set := func(key, value string) {
		values = append(values, value)
		ctx.Set(key, values[len(values)-1:len(values):len(values)]...)
	}
	if b != nil {
		// Lower case, as the context keeps keys: Set need not lower them.
		set("s3:resourceaccount", b.Account)
		set("aws:resourceaccount", b.Account)
	}
	// s3:signatureversion and s3:authType come from the front door, which
	// knows SigV2 from SigV4.
	if req.Auth != nil && req.Auth.PayloadHash != "" {
		set("s3:x-amz-content-sha256", req.Auth.PayloadHash)
	}
	h := req.HTTP.Header
	keys := s3HeaderKeys
	if req.HTTP.Method == http.MethodGet || req.HTTP.Method == http.MethodHead {
		keys = keys[:len(keys)-len(s3WriteConditionHeaders)]
	}
	for _, hk := range keys {
		if v := h[hk.header]; len(v) > 0 && v[0] != "" { // h.Get(header)
			set(hk.key, v[0])
		}
	}
}

// s3WriteConditionHeaders are the conditional write and delete headers,
// whose keys (s3:if-match, s3:if-none-match) let a policy demand them.
// They come last in s3HeaderKeys: a read's If-Match only picks what is
// returned, and its request sets no such key.
var s3WriteConditionHeaders = []string{"if-match", "if-none-match"}

// s3HeaderKeys are the condition keys a request header sets: the header's
// canonical name (looked up without canonicalizing it on every request)
// and the key.
var s3HeaderKeys = func() []struct{ header, key string } {
	var out []struct{ header, key string }
	for _, h := range []string{"x-amz-acl", "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp",
		"x-amz-grant-write-acp", "x-amz-grant-full-control", "x-amz-server-side-encryption",
		"x-amz-copy-source", "x-amz-storage-class", s3WriteConditionHeaders[0], s3WriteConditionHeaders[1]} {
		out = append(out, struct{ header, key string }{textproto.CanonicalMIMEHeaderKey(h), "s3:" + h})
	}
	return out
}()

// canonicalHeaders holds the canonical form of header names this package
// looks up often; canonicalHeader falls back to computing it.
var canonicalHeaders = func() map[string]string {
	m := make(map[string]string)
	for _, h := range []string{"x-amz-expected-bucket-owner", "x-amz-source-expected-bucket-owner", "x-amz-copy-source",
		"x-amz-checksum-mode", "Content-MD5"} {
		m[h] = textproto.CanonicalMIMEHeaderKey(h)
	}
	return m
}()

// canonicalHeader is textproto.CanonicalMIMEHeaderKey(name), without an
// allocation for the names in canonicalHeaders.
func canonicalHeader(name string) string {
	if c, ok := canonicalHeaders[name]; ok {
		return c
	}
	return textproto.CanonicalMIMEHeaderKey(name)
}

// headerGet is h.Get(name) without canonicalizing a name known to
// canonicalHeaders.
func headerGet(h http.Header, name string) string {
	if v := h[canonicalHeader(name)]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// intParam reads an integer query parameter.
func intParam(q map[string][]string, name string, def int) (int, *Error) {
	v, ok := q[name]
	if !ok || len(v) == 0 || v[0] == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 0 {
		return 0, errInvalidArgument("Provided %s not an integer or within integer range", name)
	}
	return n, nil
}
