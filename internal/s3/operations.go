package s3

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// level is what a request addresses: the service, a bucket, or an object.
type level int

const (
	serviceLevel level = iota // GET / (ListBuckets)
	bucketLevel               // /bucket
	objectLevel               // /bucket/key
)

func (l level) String() string {
	return [...]string{"service", "bucket", "object"}[l]
}

// resourceKind says how an operation's resource ARN is formed.
type resourceKind int

const (
	anyResource    resourceKind = iota // "*" (s3:ListAllMyBuckets)
	bucketResource                     // arn:aws:s3:::bucket
	objectResource                     // arn:aws:s3:::bucket/key
	// bodyObjects: one object ARN per key the body names (DeleteObjects),
	// each authorized on its own.
	bodyObjects
)

// handler serves one operation; rows hold methods of Service as method
// expressions, e.g. (*Service).getObject.
type handler func(s *Service, w http.ResponseWriter, req *Request) *Error

// Operation is one row of the operation table: one S3 API operation, how
// a request selects it, what it authorizes, and what serves it.
type Operation struct {
	Name   string // as in the S3 API reference, e.g. "GetBucketPolicy"
	Method string
	Level  level
	// Query are the query parameters that select the operation, all of
	// which must be present; "name=value" also requires the value.
	Query []string
	// Header is a request header whose presence selects the operation
	// (x-amz-copy-source: CopyObject, UploadPartCopy).
	Header string
	// Action is the IAM action S3 asks for; VersionAction, where S3 has
	// one, is asked for instead when the request names a version
	// (versionId), even "null".
	Action, VersionAction string
	Resource              resourceKind
	Handler               handler
}

// selectorCount ranks rows: the row naming more selectors is the more
// specific one (UploadPartCopy over UploadPart).
func (op *Operation) selectorCount() int {
	n := len(op.Query)
	if op.Header != "" {
		n++
	}
	return n
}

// selectedBy reports whether every selector of op is in the request.
func (op *Operation) selectedBy(q url.Values, h http.Header) bool {
	for _, sel := range op.Query {
		if !hasSelector(q, sel) {
			return false
		}
	}
	return op.Header == "" || headerGet(h, op.Header) != ""
}

// accountsFor reports whether op's selectors include every selector in subs.
func (op *Operation) accountsFor(subs []string) bool {
	for _, s := range subs {
		if !contains(op.Query, s) {
			return false
		}
	}
	return true
}

func hasSelector(q url.Values, sel string) bool {
	if name, value, ok := strings.Cut(sel, "="); ok {
		return q.Has(name) && q.Get(name) == value
	}
	return q.Has(sel)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// notImplemented serves the rows of operations Sekisho does not serve
// yet: S3's NotImplemented, never another operation's answer.
func notImplemented(*Service, http.ResponseWriter, *Request) *Error {
	return errNotImplemented("")
}

// operations is the operation table, one row per S3 operation.
//
// To serve a row that answers NotImplemented, replace its Handler with a
// method of Service of the usual handler signature, e.g.
// Handler: (*Service).getBucketEncryption; the handler authorizes with
// s.authorizeOp(req, &b, extra), which takes the action (versioned when
// versionId is given) and the resource from the row. To add an operation,
// add a row here and its expectation to wantRows in optable_test.go (and,
// if it was listed there, remove its selector from unservedSelectors).
var operations = []Operation{
	// Service.
	{Name: "ListBuckets", Method: "GET", Level: serviceLevel, Action: "s3:ListAllMyBuckets", Resource: anyResource, Handler: (*Service).listBuckets},

	// Buckets.
	{Name: "CreateBucket", Method: "PUT", Level: bucketLevel, Action: "s3:CreateBucket", Resource: bucketResource, Handler: (*Service).createBucket},
	{Name: "DeleteBucket", Method: "DELETE", Level: bucketLevel, Action: "s3:DeleteBucket", Resource: bucketResource, Handler: (*Service).deleteBucket},
	// CORS preflight: unauthenticated, answered from the CORS configuration.
	{Name: "PreflightRequest", Method: "OPTIONS", Level: bucketLevel, Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "HeadBucket", Method: "HEAD", Level: bucketLevel, Action: "s3:ListBucket", Resource: bucketResource, Handler: (*Service).headBucket},
	{Name: "ListObjects", Method: "GET", Level: bucketLevel, Action: "s3:ListBucket", Resource: bucketResource, Handler: (*Service).listObjects},
	{Name: "ListObjectsV2", Method: "GET", Level: bucketLevel, Query: []string{"list-type"}, Action: "s3:ListBucket", Resource: bucketResource, Handler: (*Service).listObjects},
	{Name: "ListObjectVersions", Method: "GET", Level: bucketLevel, Query: []string{"versions"}, Action: "s3:ListBucketVersions", Resource: bucketResource, Handler: (*Service).listObjectVersions},
	{Name: "ListMultipartUploads", Method: "GET", Level: bucketLevel, Query: []string{"uploads"}, Action: "s3:ListBucketMultipartUploads", Resource: bucketResource, Handler: (*Service).listMultipartUploads},
	{Name: "DeleteObjects", Method: "POST", Level: bucketLevel, Query: []string{"delete"}, Action: "s3:DeleteObject", VersionAction: "s3:DeleteObjectVersion", Resource: bodyObjects, Handler: (*Service).deleteObjects},
	{Name: "GetBucketLocation", Method: "GET", Level: bucketLevel, Query: []string{"location"}, Action: "s3:GetBucketLocation", Resource: bucketResource, Handler: (*Service).getBucketLocation},

	{Name: "GetBucketPolicy", Method: "GET", Level: bucketLevel, Query: []string{"policy"}, Action: "s3:GetBucketPolicy", Resource: bucketResource, Handler: (*Service).getBucketPolicy},
	{Name: "PutBucketPolicy", Method: "PUT", Level: bucketLevel, Query: []string{"policy"}, Action: "s3:PutBucketPolicy", Resource: bucketResource, Handler: (*Service).putBucketPolicy},
	{Name: "DeleteBucketPolicy", Method: "DELETE", Level: bucketLevel, Query: []string{"policy"}, Action: "s3:DeleteBucketPolicy", Resource: bucketResource, Handler: (*Service).deleteBucketPolicy},
	{Name: "GetBucketPolicyStatus", Method: "GET", Level: bucketLevel, Query: []string{"policyStatus"}, Action: "s3:GetBucketPolicyStatus", Resource: bucketResource, Handler: (*Service).getBucketPolicyStatus},

	{Name: "GetBucketOwnershipControls", Method: "GET", Level: bucketLevel, Query: []string{"ownershipControls"}, Action: "s3:GetBucketOwnershipControls", Resource: bucketResource, Handler: (*Service).getOwnershipControls},
	{Name: "PutBucketOwnershipControls", Method: "PUT", Level: bucketLevel, Query: []string{"ownershipControls"}, Action: "s3:PutBucketOwnershipControls", Resource: bucketResource, Handler: (*Service).putOwnershipControls},
	{Name: "DeleteBucketOwnershipControls", Method: "DELETE", Level: bucketLevel, Query: []string{"ownershipControls"}, Action: "s3:PutBucketOwnershipControls", Resource: bucketResource, Handler: notImplemented},

	{Name: "GetBucketVersioning", Method: "GET", Level: bucketLevel, Query: []string{"versioning"}, Action: "s3:GetBucketVersioning", Resource: bucketResource, Handler: (*Service).getBucketVersioning},
	{Name: "PutBucketVersioning", Method: "PUT", Level: bucketLevel, Query: []string{"versioning"}, Action: "s3:PutBucketVersioning", Resource: bucketResource, Handler: (*Service).putBucketVersioning},

	// Bucket configurations (issue 11).
	{Name: "GetBucketEncryption", Method: "GET", Level: bucketLevel, Query: []string{"encryption"}, Action: "s3:GetEncryptionConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketEncryption", Method: "PUT", Level: bucketLevel, Query: []string{"encryption"}, Action: "s3:PutEncryptionConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "DeleteBucketEncryption", Method: "DELETE", Level: bucketLevel, Query: []string{"encryption"}, Action: "s3:PutEncryptionConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketTagging", Method: "GET", Level: bucketLevel, Query: []string{"tagging"}, Action: "s3:GetBucketTagging", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketTagging", Method: "PUT", Level: bucketLevel, Query: []string{"tagging"}, Action: "s3:PutBucketTagging", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "DeleteBucketTagging", Method: "DELETE", Level: bucketLevel, Query: []string{"tagging"}, Action: "s3:PutBucketTagging", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketCors", Method: "GET", Level: bucketLevel, Query: []string{"cors"}, Action: "s3:GetBucketCORS", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketCors", Method: "PUT", Level: bucketLevel, Query: []string{"cors"}, Action: "s3:PutBucketCORS", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "DeleteBucketCors", Method: "DELETE", Level: bucketLevel, Query: []string{"cors"}, Action: "s3:PutBucketCORS", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketLifecycleConfiguration", Method: "GET", Level: bucketLevel, Query: []string{"lifecycle"}, Action: "s3:GetLifecycleConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketLifecycleConfiguration", Method: "PUT", Level: bucketLevel, Query: []string{"lifecycle"}, Action: "s3:PutLifecycleConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "DeleteBucketLifecycle", Method: "DELETE", Level: bucketLevel, Query: []string{"lifecycle"}, Action: "s3:PutLifecycleConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketWebsite", Method: "GET", Level: bucketLevel, Query: []string{"website"}, Action: "s3:GetBucketWebsite", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketWebsite", Method: "PUT", Level: bucketLevel, Query: []string{"website"}, Action: "s3:PutBucketWebsite", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "DeleteBucketWebsite", Method: "DELETE", Level: bucketLevel, Query: []string{"website"}, Action: "s3:DeleteBucketWebsite", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketLogging", Method: "GET", Level: bucketLevel, Query: []string{"logging"}, Action: "s3:GetBucketLogging", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketLogging", Method: "PUT", Level: bucketLevel, Query: []string{"logging"}, Action: "s3:PutBucketLogging", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketRequestPayment", Method: "GET", Level: bucketLevel, Query: []string{"requestPayment"}, Action: "s3:GetBucketRequestPayment", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketRequestPayment", Method: "PUT", Level: bucketLevel, Query: []string{"requestPayment"}, Action: "s3:PutBucketRequestPayment", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketAccelerateConfiguration", Method: "GET", Level: bucketLevel, Query: []string{"accelerate"}, Action: "s3:GetAccelerateConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketAccelerateConfiguration", Method: "PUT", Level: bucketLevel, Query: []string{"accelerate"}, Action: "s3:PutAccelerateConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketNotificationConfiguration", Method: "GET", Level: bucketLevel, Query: []string{"notification"}, Action: "s3:GetBucketNotification", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketNotificationConfiguration", Method: "PUT", Level: bucketLevel, Query: []string{"notification"}, Action: "s3:PutBucketNotification", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetObjectLockConfiguration", Method: "GET", Level: bucketLevel, Query: []string{"object-lock"}, Action: "s3:GetBucketObjectLockConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutObjectLockConfiguration", Method: "PUT", Level: bucketLevel, Query: []string{"object-lock"}, Action: "s3:PutBucketObjectLockConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketReplication", Method: "GET", Level: bucketLevel, Query: []string{"replication"}, Action: "s3:GetReplicationConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "PutBucketReplication", Method: "PUT", Level: bucketLevel, Query: []string{"replication"}, Action: "s3:PutReplicationConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "DeleteBucketReplication", Method: "DELETE", Level: bucketLevel, Query: []string{"replication"}, Action: "s3:PutReplicationConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},

	// Analytics, metrics, inventory and intelligent-tiering configurations:
	// with an id one configuration, without it the list.
	{Name: "ListBucketAnalyticsConfigurations", Method: "GET", Level: bucketLevel, Query: []string{"analytics"}, Action: "s3:GetAnalyticsConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketAnalyticsConfiguration", Method: "GET", Level: bucketLevel, Query: []string{"analytics", "id"}, Action: "s3:GetAnalyticsConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "PutBucketAnalyticsConfiguration", Method: "PUT", Level: bucketLevel, Query: []string{"analytics", "id"}, Action: "s3:PutAnalyticsConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "DeleteBucketAnalyticsConfiguration", Method: "DELETE", Level: bucketLevel, Query: []string{"analytics", "id"}, Action: "s3:PutAnalyticsConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "ListBucketMetricsConfigurations", Method: "GET", Level: bucketLevel, Query: []string{"metrics"}, Action: "s3:GetMetricsConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketMetricsConfiguration", Method: "GET", Level: bucketLevel, Query: []string{"metrics", "id"}, Action: "s3:GetMetricsConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "PutBucketMetricsConfiguration", Method: "PUT", Level: bucketLevel, Query: []string{"metrics", "id"}, Action: "s3:PutMetricsConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "DeleteBucketMetricsConfiguration", Method: "DELETE", Level: bucketLevel, Query: []string{"metrics", "id"}, Action: "s3:PutMetricsConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "ListBucketInventoryConfigurations", Method: "GET", Level: bucketLevel, Query: []string{"inventory"}, Action: "s3:GetInventoryConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketInventoryConfiguration", Method: "GET", Level: bucketLevel, Query: []string{"inventory", "id"}, Action: "s3:GetInventoryConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "PutBucketInventoryConfiguration", Method: "PUT", Level: bucketLevel, Query: []string{"inventory", "id"}, Action: "s3:PutInventoryConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "DeleteBucketInventoryConfiguration", Method: "DELETE", Level: bucketLevel, Query: []string{"inventory", "id"}, Action: "s3:PutInventoryConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "ListBucketIntelligentTieringConfigurations", Method: "GET", Level: bucketLevel, Query: []string{"intelligent-tiering"}, Action: "s3:GetIntelligentTieringConfiguration", Resource: bucketResource, Handler: (*Service).serveConfig},
	{Name: "GetBucketIntelligentTieringConfiguration", Method: "GET", Level: bucketLevel, Query: []string{"intelligent-tiering", "id"}, Action: "s3:GetIntelligentTieringConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "PutBucketIntelligentTieringConfiguration", Method: "PUT", Level: bucketLevel, Query: []string{"intelligent-tiering", "id"}, Action: "s3:PutIntelligentTieringConfiguration", Resource: bucketResource, Handler: notImplemented},
	{Name: "DeleteBucketIntelligentTieringConfiguration", Method: "DELETE", Level: bucketLevel, Query: []string{"intelligent-tiering", "id"}, Action: "s3:PutIntelligentTieringConfiguration", Resource: bucketResource, Handler: notImplemented},

	// ACLs and Block Public Access (issue 12).
	{Name: "GetBucketAcl", Method: "GET", Level: bucketLevel, Query: []string{"acl"}, Action: "s3:GetBucketAcl", Resource: bucketResource, Handler: (*Service).getBucketAcl},
	{Name: "PutBucketAcl", Method: "PUT", Level: bucketLevel, Query: []string{"acl"}, Action: "s3:PutBucketAcl", Resource: bucketResource, Handler: (*Service).putBucketAcl},
	{Name: "GetPublicAccessBlock", Method: "GET", Level: bucketLevel, Query: []string{"publicAccessBlock"}, Action: "s3:GetBucketPublicAccessBlock", Resource: bucketResource, Handler: (*Service).getPublicAccessBlock},
	{Name: "PutPublicAccessBlock", Method: "PUT", Level: bucketLevel, Query: []string{"publicAccessBlock"}, Action: "s3:PutBucketPublicAccessBlock", Resource: bucketResource, Handler: (*Service).putPublicAccessBlock},
	{Name: "DeletePublicAccessBlock", Method: "DELETE", Level: bucketLevel, Query: []string{"publicAccessBlock"}, Action: "s3:PutBucketPublicAccessBlock", Resource: bucketResource, Handler: (*Service).deletePublicAccessBlock},

	// Objects.
	{Name: "PutObject", Method: "PUT", Level: objectLevel, Action: "s3:PutObject", Resource: objectResource, Handler: (*Service).putObject},
	{Name: "CopyObject", Method: "PUT", Level: objectLevel, Header: "x-amz-copy-source", Action: "s3:PutObject", Resource: objectResource, Handler: (*Service).copyObject},
	{Name: "GetObject", Method: "GET", Level: objectLevel, Action: "s3:GetObject", VersionAction: "s3:GetObjectVersion", Resource: objectResource, Handler: (*Service).getObject},
	{Name: "PreflightObjectRequest", Method: "OPTIONS", Level: objectLevel, Resource: objectResource, Handler: (*Service).serveConfig},
	{Name: "HeadObject", Method: "HEAD", Level: objectLevel, Action: "s3:GetObject", VersionAction: "s3:GetObjectVersion", Resource: objectResource, Handler: (*Service).headObject},
	{Name: "DeleteObject", Method: "DELETE", Level: objectLevel, Action: "s3:DeleteObject", VersionAction: "s3:DeleteObjectVersion", Resource: objectResource, Handler: (*Service).deleteObject},
	{Name: "GetObjectTagging", Method: "GET", Level: objectLevel, Query: []string{"tagging"}, Action: "s3:GetObjectTagging", VersionAction: "s3:GetObjectVersionTagging", Resource: objectResource, Handler: (*Service).getObjectTagging},
	{Name: "PutObjectTagging", Method: "PUT", Level: objectLevel, Query: []string{"tagging"}, Action: "s3:PutObjectTagging", VersionAction: "s3:PutObjectVersionTagging", Resource: objectResource, Handler: (*Service).putObjectTagging},
	{Name: "DeleteObjectTagging", Method: "DELETE", Level: objectLevel, Query: []string{"tagging"}, Action: "s3:DeleteObjectTagging", VersionAction: "s3:DeleteObjectVersionTagging", Resource: objectResource, Handler: (*Service).deleteObjectTagging},
	{Name: "GetObjectAttributes", Method: "GET", Level: objectLevel, Query: []string{"attributes"}, Action: "s3:GetObjectAttributes", VersionAction: "s3:GetObjectVersionAttributes", Resource: objectResource, Handler: (*Service).getObjectAttributes},
	{Name: "GetObjectAcl", Method: "GET", Level: objectLevel, Query: []string{"acl"}, Action: "s3:GetObjectAcl", VersionAction: "s3:GetObjectVersionAcl", Resource: objectResource, Handler: (*Service).getObjectAcl},
	{Name: "PutObjectAcl", Method: "PUT", Level: objectLevel, Query: []string{"acl"}, Action: "s3:PutObjectAcl", VersionAction: "s3:PutObjectVersionAcl", Resource: objectResource, Handler: (*Service).putObjectAcl},

	// Multipart uploads.
	{Name: "CreateMultipartUpload", Method: "POST", Level: objectLevel, Query: []string{"uploads"}, Action: "s3:PutObject", Resource: objectResource, Handler: (*Service).createUpload},
	{Name: "UploadPart", Method: "PUT", Level: objectLevel, Query: []string{"uploadId"}, Action: "s3:PutObject", Resource: objectResource, Handler: (*Service).uploadPart},
	{Name: "UploadPartCopy", Method: "PUT", Level: objectLevel, Query: []string{"uploadId"}, Header: "x-amz-copy-source", Action: "s3:PutObject", Resource: objectResource, Handler: (*Service).uploadPart},
	{Name: "CompleteMultipartUpload", Method: "POST", Level: objectLevel, Query: []string{"uploadId"}, Action: "s3:PutObject", Resource: objectResource, Handler: (*Service).completeUpload},
	{Name: "AbortMultipartUpload", Method: "DELETE", Level: objectLevel, Query: []string{"uploadId"}, Action: "s3:AbortMultipartUpload", Resource: objectResource, Handler: (*Service).abortUpload},
	{Name: "ListParts", Method: "GET", Level: objectLevel, Query: []string{"uploadId"}, Action: "s3:ListMultipartUploadParts", Resource: objectResource, Handler: (*Service).listParts},
}

// unservedSelectors are query parameters (and "name=value" pairs) that
// select an S3 operation with no row here (object lock retention, restore,
// select, S3 Express, metadata tables, ...): such a request answers
// NotImplemented rather than being served as the plain operation.
var unservedSelectors = map[level][]string{
	serviceLevel: {"x-id=ListDirectoryBuckets"},
	bucketLevel: {"session", "abac", "metadataTable", "metadataConfiguration", "metadataJournalTable",
		"metadataInventoryTable", "metadataAnnotationTable"},
	objectLevel: {"retention", "legal-hold", "torrent", "restore", "select", "annotation", "renameObject", "encryption"},
}

// subresources lists, for a level, the query parameters that name an
// operation there (rows and unserved operations alike): the first selector
// of each row; later ones only refine (analytics&id: Get, not List).
func subresources(l level) []string { return subresourcesOf[l] }

// subresourcesOf holds subresources by level, computed once.
var subresourcesOf = map[level][]string{
	serviceLevel: computeSubresources(serviceLevel),
	bucketLevel:  computeSubresources(bucketLevel),
	objectLevel:  computeSubresources(objectLevel),
}

// foreignSubresourcesOf holds, by level, the subresources that name an
// operation only at other levels.
var foreignSubresourcesOf = map[level][]string{
	serviceLevel: computeForeign(serviceLevel),
	bucketLevel:  computeForeign(bucketLevel),
	objectLevel:  computeForeign(objectLevel),
}

func computeForeign(l level) []string {
	var out []string
	for _, other := range []level{serviceLevel, bucketLevel, objectLevel} {
		for _, s := range subresourcesOf[other] {
			if other != l && !contains(subresourcesOf[l], s) && !contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

func anySelector(q url.Values, sels []string) bool {
	for _, s := range sels {
		if hasSelector(q, s) {
			return true
		}
	}
	return false
}

func computeSubresources(l level) []string {
	var out []string
	for i := range operations {
		if op := &operations[i]; op.Level == l && len(op.Query) > 0 && !contains(out, op.Query[0]) {
			out = append(out, op.Query[0])
		}
	}
	return append(out, unservedSelectors[l]...)
}

// levelOf is what req addresses.
func levelOf(req *Request) level {
	switch {
	case req.Bucket == "":
		return serviceLevel
	case req.Key == "":
		return bucketLevel
	}
	return objectLevel
}

// route picks req's row: of the rows of the request's level and method
// whose selectors are all present and which account for every subresource
// the request names, the one with most selectors. Otherwise the request is
// an operation not served here: MethodNotAllowed when a row of another
// method (or, with no subresource, no row of this method) would take it,
// or when its subresources are known ones in a combination no row takes;
// NotImplemented when it names an unserved operation, or no subresource of
// its level but one of another level. Never another row.
func route(req *Request) (*Operation, *Error) {
	q, h, l := req.query(), req.HTTP.Header, levelOf(req)
	var subs []string
	for _, s := range subresources(l) {
		if hasSelector(q, s) && !contains(subs, s) {
			subs = append(subs, s)
		}
	}
	if len(subs) == 0 && anySelector(q, foreignSubresourcesOf[l]) {
		// Only another level's subresource (?uploadId at a bucket, ?cors
		// at a key): a client aiming at that operation with the wrong
		// path, never this level's plain operation (DeleteBucket,
		// DeleteObject, ...).
		return nil, errNotImplemented("")
	}
	var best *Operation
	otherMethod := false
	for i := range operations {
		op := &operations[i]
		if op.Level != l || !op.selectedBy(q, h) || !op.accountsFor(subs) {
			continue
		}
		if op.Method != req.HTTP.Method {
			otherMethod = true
			continue
		}
		if best == nil || op.selectorCount() > best.selectorCount() {
			best = op
		}
	}
	switch {
	case best != nil:
		return best, nil
	case otherMethod || len(subs) == 0 || rowSelectedBy(l, q, h):
		return nil, errMethodNotAllowed()
	}
	return nil, errNotImplemented("")
}

// rowSelectedBy reports whether some row with selectors at level l is
// selected by the request (whatever else it carries): the resource exists,
// the method or combination does not.
func rowSelectedBy(l level, q url.Values, h http.Header) bool {
	for i := range operations {
		op := &operations[i]
		if op.Level == l && len(op.Query) > 0 && op.selectedBy(q, h) && !anyUnserved(l, q) {
			return true
		}
	}
	return false
}

func anyUnserved(l level, q url.Values) bool {
	for _, s := range unservedSelectors[l] {
		if hasSelector(q, s) {
			return true
		}
	}
	return false
}

// versioned reports whether the request names an object version.
func (r *Request) versioned() bool {
	return r.query().Has("versionId")
}

// action is the IAM action of the request's operation: its versioned
// variant when the request names a version.
func (r *Request) action() string {
	if r.op.VersionAction != "" && r.versioned() {
		return r.op.VersionAction
	}
	return r.op.Action
}

// resource is the ARN the request's operation acts on.
func (r *Request) resource() string { return r.resourceOf(r.Key) }

// resourceOf is the ARN the request's operation acts on for key: the
// request's own key, or one a body names (DeleteObjects).
func (r *Request) resourceOf(key string) string {
	switch r.op.Resource {
	case bucketResource:
		return bucketARN(r.Bucket)
	case objectResource, bodyObjects:
		return objectARN(r.Bucket, key)
	}
	return "*"
}

// Actions lists the IAM actions of S3's operation table (versioned
// actions included), sorted and without repeats: what `policy diff`
// compares a principal's grants with.
func Actions() []string {
	seen := map[string]bool{}
	var out []string
	for _, op := range operations {
		for _, a := range []string{op.Action, op.VersionAction} {
			if a != "" && !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Strings(out)
	return out
}
