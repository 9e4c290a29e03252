package s3

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// rowExpectation is what a row must authorize: the IAM action, the
// versioned variant ("" where S3 has none) and the resource kind.
type rowExpectation struct {
	action, versioned, resource string // resource: "*", "bucket", "object", "body" (each key the body names)
}

// wantRows pins every row's authorization, written out independently of
// the table: a row added or changed without updating this fails.
var wantRows = map[string]rowExpectation{
	"ListBuckets":                                 {"s3:ListAllMyBuckets", "", "*"},
	"PreflightRequest":                            {"", "", "bucket"},
	"PreflightObjectRequest":                      {"", "", "object"},
	"CreateBucket":                                {"s3:CreateBucket", "", "bucket"},
	"DeleteBucket":                                {"s3:DeleteBucket", "", "bucket"},
	"HeadBucket":                                  {"s3:ListBucket", "", "bucket"},
	"ListObjects":                                 {"s3:ListBucket", "", "bucket"},
	"ListObjectsV2":                               {"s3:ListBucket", "", "bucket"},
	"ListObjectVersions":                          {"s3:ListBucketVersions", "", "bucket"},
	"ListMultipartUploads":                        {"s3:ListBucketMultipartUploads", "", "bucket"},
	"DeleteObjects":                               {"s3:DeleteObject", "s3:DeleteObjectVersion", "body"},
	"GetBucketLocation":                           {"s3:GetBucketLocation", "", "bucket"},
	"GetBucketPolicy":                             {"s3:GetBucketPolicy", "", "bucket"},
	"PutBucketPolicy":                             {"s3:PutBucketPolicy", "", "bucket"},
	"DeleteBucketPolicy":                          {"s3:DeleteBucketPolicy", "", "bucket"},
	"GetBucketPolicyStatus":                       {"s3:GetBucketPolicyStatus", "", "bucket"},
	"GetBucketOwnershipControls":                  {"s3:GetBucketOwnershipControls", "", "bucket"},
	"PutBucketOwnershipControls":                  {"s3:PutBucketOwnershipControls", "", "bucket"},
	"DeleteBucketOwnershipControls":               {"s3:PutBucketOwnershipControls", "", "bucket"},
	"GetBucketVersioning":                         {"s3:GetBucketVersioning", "", "bucket"},
	"PutBucketVersioning":                         {"s3:PutBucketVersioning", "", "bucket"},
	"GetBucketEncryption":                         {"s3:GetEncryptionConfiguration", "", "bucket"},
	"PutBucketEncryption":                         {"s3:PutEncryptionConfiguration", "", "bucket"},
	"DeleteBucketEncryption":                      {"s3:PutEncryptionConfiguration", "", "bucket"},
	"GetBucketTagging":                            {"s3:GetBucketTagging", "", "bucket"},
	"PutBucketTagging":                            {"s3:PutBucketTagging", "", "bucket"},
	"DeleteBucketTagging":                         {"s3:PutBucketTagging", "", "bucket"},
	"GetBucketCors":                               {"s3:GetBucketCORS", "", "bucket"},
	"PutBucketCors":                               {"s3:PutBucketCORS", "", "bucket"},
	"DeleteBucketCors":                            {"s3:PutBucketCORS", "", "bucket"},
	"GetBucketLifecycleConfiguration":             {"s3:GetLifecycleConfiguration", "", "bucket"},
	"PutBucketLifecycleConfiguration":             {"s3:PutLifecycleConfiguration", "", "bucket"},
	"DeleteBucketLifecycle":                       {"s3:PutLifecycleConfiguration", "", "bucket"},
	"GetBucketWebsite":                            {"s3:GetBucketWebsite", "", "bucket"},
	"PutBucketWebsite":                            {"s3:PutBucketWebsite", "", "bucket"},
	"DeleteBucketWebsite":                         {"s3:DeleteBucketWebsite", "", "bucket"},
	"GetBucketLogging":                            {"s3:GetBucketLogging", "", "bucket"},
	"PutBucketLogging":                            {"s3:PutBucketLogging", "", "bucket"},
	"GetBucketRequestPayment":                     {"s3:GetBucketRequestPayment", "", "bucket"},
	"PutBucketRequestPayment":                     {"s3:PutBucketRequestPayment", "", "bucket"},
	"GetBucketAccelerateConfiguration":            {"s3:GetAccelerateConfiguration", "", "bucket"},
	"PutBucketAccelerateConfiguration":            {"s3:PutAccelerateConfiguration", "", "bucket"},
	"GetBucketNotificationConfiguration":          {"s3:GetBucketNotification", "", "bucket"},
	"PutBucketNotificationConfiguration":          {"s3:PutBucketNotification", "", "bucket"},
	"GetObjectLockConfiguration":                  {"s3:GetBucketObjectLockConfiguration", "", "bucket"},
	"PutObjectLockConfiguration":                  {"s3:PutBucketObjectLockConfiguration", "", "bucket"},
	"GetBucketReplication":                        {"s3:GetReplicationConfiguration", "", "bucket"},
	"PutBucketReplication":                        {"s3:PutReplicationConfiguration", "", "bucket"},
	"DeleteBucketReplication":                     {"s3:PutReplicationConfiguration", "", "bucket"},
	"ListBucketAnalyticsConfigurations":           {"s3:GetAnalyticsConfiguration", "", "bucket"},
	"GetBucketAnalyticsConfiguration":             {"s3:GetAnalyticsConfiguration", "", "bucket"},
	"PutBucketAnalyticsConfiguration":             {"s3:PutAnalyticsConfiguration", "", "bucket"},
	"DeleteBucketAnalyticsConfiguration":          {"s3:PutAnalyticsConfiguration", "", "bucket"},
	"ListBucketMetricsConfigurations":             {"s3:GetMetricsConfiguration", "", "bucket"},
	"GetBucketMetricsConfiguration":               {"s3:GetMetricsConfiguration", "", "bucket"},
	"PutBucketMetricsConfiguration":               {"s3:PutMetricsConfiguration", "", "bucket"},
	"DeleteBucketMetricsConfiguration":            {"s3:PutMetricsConfiguration", "", "bucket"},
	"ListBucketInventoryConfigurations":           {"s3:GetInventoryConfiguration", "", "bucket"},
	"GetBucketInventoryConfiguration":             {"s3:GetInventoryConfiguration", "", "bucket"},
	"PutBucketInventoryConfiguration":             {"s3:PutInventoryConfiguration", "", "bucket"},
	"DeleteBucketInventoryConfiguration":          {"s3:PutInventoryConfiguration", "", "bucket"},
	"ListBucketIntelligentTieringConfigurations":  {"s3:GetIntelligentTieringConfiguration", "", "bucket"},
	"GetBucketIntelligentTieringConfiguration":    {"s3:GetIntelligentTieringConfiguration", "", "bucket"},
	"PutBucketIntelligentTieringConfiguration":    {"s3:PutIntelligentTieringConfiguration", "", "bucket"},
	"DeleteBucketIntelligentTieringConfiguration": {"s3:PutIntelligentTieringConfiguration", "", "bucket"},
	"GetBucketAcl":                                {"s3:GetBucketAcl", "", "bucket"},
	"PutBucketAcl":                                {"s3:PutBucketAcl", "", "bucket"},
	"GetPublicAccessBlock":                        {"s3:GetBucketPublicAccessBlock", "", "bucket"},
	"PutPublicAccessBlock":                        {"s3:PutBucketPublicAccessBlock", "", "bucket"},
	"DeletePublicAccessBlock":                     {"s3:PutBucketPublicAccessBlock", "", "bucket"},
	"PutObject":                                   {"s3:PutObject", "", "object"},
	"CopyObject":                                  {"s3:PutObject", "", "object"},
	"GetObject":                                   {"s3:GetObject", "s3:GetObjectVersion", "object"},
	"HeadObject":                                  {"s3:GetObject", "s3:GetObjectVersion", "object"},
	"DeleteObject":                                {"s3:DeleteObject", "s3:DeleteObjectVersion", "object"},
	"GetObjectTagging":                            {"s3:GetObjectTagging", "s3:GetObjectVersionTagging", "object"},
	"PutObjectTagging":                            {"s3:PutObjectTagging", "s3:PutObjectVersionTagging", "object"},
	"DeleteObjectTagging":                         {"s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", "object"},
	"GetObjectAttributes":                         {"s3:GetObjectAttributes", "s3:GetObjectVersionAttributes", "object"},
	"GetObjectAcl":                                {"s3:GetObjectAcl", "s3:GetObjectVersionAcl", "object"},
	"PutObjectAcl":                                {"s3:PutObjectAcl", "s3:PutObjectVersionAcl", "object"},
	"CreateMultipartUpload":                       {"s3:PutObject", "", "object"},
	"UploadPart":                                  {"s3:PutObject", "", "object"},
	"UploadPartCopy":                              {"s3:PutObject", "", "object"},
	"CompleteMultipartUpload":                     {"s3:PutObject", "", "object"},
	"AbortMultipartUpload":                        {"s3:AbortMultipartUpload", "", "object"},
	"ListParts":                                   {"s3:ListMultipartUploadParts", "", "object"},
}

// selectorValues are the values synthetic requests give selectors.
var selectorValues = map[string]string{"list-type": "2", "id": "cfg-1", "uploadId": "upload-1"}

// syntheticRequest is the request that should select op: its method,
// level, selectors (and header), plus an unrelated x-id as SDKs send.
func syntheticRequest(op *Operation, extra url.Values) *Request {
	q := url.Values{"x-id": {op.Name}}
	for _, sel := range op.Query {
		name, value, _ := strings.Cut(sel, "=")
		if v, ok := selectorValues[name]; ok && value == "" {
			value = v
		}
		q.Set(name, value)
	}
	for k, v := range extra {
		q[k] = v
	}
	r := &http.Request{Method: op.Method, URL: &url.URL{Path: "/", RawQuery: q.Encode()}, Header: http.Header{}}
	if op.Header != "" {
		r.Header.Set(op.Header, "/src-bucket/src/key")
	}
	req := &Request{HTTP: r}
	switch op.Level {
	case bucketLevel:
		req.Bucket = "walk-bucket"
	case objectLevel:
		req.Bucket, req.Key = "walk-bucket", "dir/obj.txt"
	}
	return req
}

// TestOperationTable walks every row: a request shaped for it routes to
// it (and another method to MethodNotAllowed), and it authorizes the
// expected action, versioned action and resource ARN.
func TestOperationTable(t *testing.T) {
	seen := map[string]bool{}
	for i := range operations {
		op := &operations[i]
		if seen[op.Name] {
			t.Errorf("%s: two rows", op.Name)
		}
		seen[op.Name] = true
		want, ok := wantRows[op.Name]
		if !ok {
			t.Errorf("%s: row without an expectation in wantRows", op.Name)
			continue
		}
		if op.Handler == nil {
			t.Errorf("%s: no handler", op.Name)
		}
		req := syntheticRequest(op, nil)
		got, e := route(req)
		if e != nil || got != op {
			t.Errorf("%s: routed to %v (%v)", op.Name, got, e)
			continue
		}
		req.op = got
		if a := req.action(); a != want.action {
			t.Errorf("%s: action %s, want %s", op.Name, a, want.action)
		}
		wantResource := map[string]string{"*": "*", "bucket": "arn:aws:s3:::walk-bucket",
			"object": "arn:aws:s3:::walk-bucket/dir/obj.txt", "body": "arn:aws:s3:::walk-bucket/named/in/body"}[want.resource]
		key := req.Key
		if want.resource == "body" {
			key = "named/in/body"
		}
		if r := req.resourceOf(key); r != wantResource {
			t.Errorf("%s: resource %s, want %s", op.Name, r, wantResource)
		}
		if op.VersionAction != want.versioned {
			t.Errorf("%s: versioned action %q, want %q", op.Name, op.VersionAction, want.versioned)
		}
		if want.versioned != "" {
			vreq := syntheticRequest(op, url.Values{"versionId": {"null"}})
			vreq.op = op
			if a := vreq.action(); a != want.versioned {
				t.Errorf("%s?versionId: action %s, want %s", op.Name, a, want.versioned)
			}
		}
		other := syntheticRequest(op, nil)
		other.HTTP.Method = "PATCH"
		if _, e := route(other); e == nil || e.Code != "MethodNotAllowed" {
			t.Errorf("%s with PATCH: %v, want MethodNotAllowed", op.Name, e)
		}
	}
	for name := range wantRows {
		if !seen[name] {
			t.Errorf("%s: expected row missing", name)
		}
	}
}

// TestRouteNeverAnotherOperation: a request naming a subresource no row of
// its method serves answers NotImplemented or MethodNotAllowed, never the
// plain operation (GetObject, PutObject, ListObjects, DeleteBucket...).
func TestRouteNeverAnotherOperation(t *testing.T) {
	for _, c := range []struct {
		method, bucket, key, query, want string
	}{
		{"GET", "b", "", "versions", "ListObjectVersions"},
		{"DELETE", "b", "", "versions", "MethodNotAllowed"},
		{"PUT", "b", "k", "retention", "NotImplemented"},
		{"GET", "b", "k", "legal-hold", "NotImplemented"},
		{"POST", "b", "k", "restore", "NotImplemented"},
		{"GET", "b", "k", "torrent", "NotImplemented"},
		{"POST", "b", "k", "select&select-type=2", "NotImplemented"},
		{"PUT", "b", "k", "renameObject", "NotImplemented"},
		{"PUT", "b", "k", "encryption", "NotImplemented"},
		{"GET", "b", "", "session", "NotImplemented"},
		{"GET", "b", "", "metadataTable", "NotImplemented"},
		{"GET", "", "", "x-id=ListDirectoryBuckets", "NotImplemented"},
		{"GET", "", "", "x-id=ListBuckets", "ListBuckets"},
		{"GET", "b", "", "analytics", "ListBucketAnalyticsConfigurations"},
		{"GET", "b", "", "analytics&id=x", "GetBucketAnalyticsConfiguration"},
		{"GET", "b", "", "id=x", "ListObjects"},
		{"GET", "b", "k", "partNumber=1&versionId=null", "GetObject"},
		{"POST", "b", "k", "uploads&uploadId=1", "MethodNotAllowed"},
		{"DELETE", "b", "", "policy&delete", "MethodNotAllowed"},
		{"GET", "b", "k", "uploads", "MethodNotAllowed"},
		{"PUT", "b", "k", "tagging&retention", "NotImplemented"},
		{"PUT", "b", "", "policy&retention", "PutBucketPolicy"}, // retention is no bucket subresource
		// A selector of another level alone is no plain operation of this one.
		{"DELETE", "b", "", "uploadId=x", "NotImplemented"}, // not DeleteBucket
		{"PUT", "b", "", "retention", "NotImplemented"},     // not CreateBucket
		{"GET", "b", "", "attributes", "NotImplemented"},    // not ListObjects
		{"DELETE", "b", "k", "cors", "NotImplemented"},      // not DeleteObject
		{"PUT", "b", "k", "policy", "NotImplemented"},       // not PutObject
		{"GET", "b", "k", "location", "NotImplemented"},     // not GetObject
		{"HEAD", "b", "k", "versioning", "NotImplemented"},  // not HeadObject
		{"GET", "", "", "policy", "NotImplemented"},         // not ListBuckets
		{"POST", "b", "", "", "MethodNotAllowed"},
		{"PUT", "", "", "", "MethodNotAllowed"},
	} {
		r := &http.Request{Method: c.method, URL: &url.URL{Path: "/", RawQuery: c.query}, Header: http.Header{}}
		op, e := route(&Request{HTTP: r, Bucket: c.bucket, Key: c.key})
		got := ""
		if e != nil {
			got = e.Code
		} else {
			got = op.Name
		}
		if got != c.want {
			t.Errorf("%s /%s/%s?%s: %s, want %s", c.method, c.bucket, c.key, c.query, got, c.want)
		}
	}
}

// TestErrorCodesKnown: every code the package answers is in the error
// table (so its status and default message come from one place), and no
// error is built outside it.
func TestErrorCodesKnown(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	use := regexp.MustCompile(`s3Errorf?\("(\w+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range use.FindAllStringSubmatch(string(src), -1) {
			if _, ok := errorCodes[m[1]]; !ok {
				t.Errorf("%s: code %s not in errorCodes", f, m[1])
			}
		}
		if n := strings.Count(string(src), "newError("); n > 0 && f != "errors.go" {
			t.Errorf("%s: %d errors built outside the error table", f, n)
		}
	}
	for code, spec := range errorCodes {
		if spec.status < 300 || spec.status > 599 || spec.message == "" {
			t.Errorf("%s: status %d message %q", code, spec.status, spec.message)
		}
	}
	if e := s3Error("NoSuchCode"); e.Code != "InternalError" || e.Status != 500 {
		t.Errorf("unknown code: %+v", e)
	}
	if e := s3Error("NotImplemented"); e.Status != 501 || e.Message != "A header you provided implies functionality that is not implemented" {
		t.Errorf("NotImplemented: %+v", e)
	}
}
