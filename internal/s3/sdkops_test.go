package s3_test

import (
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/s3"
)

// sdkOperation is the request aws-sdk-go-v2 makes for an S3 operation:
// method, what it addresses, its query (the operation's URI query plus
// the members it requires there) and x-amz-copy-source.
type sdkOperation struct {
	name, method, level, query, copySource string
}

// sdkOperations is every operation of aws-sdk-go-v2's S3 model, checked
// against the module's source by TestSDKOperationListMatchesModel.
var sdkOperations = []sdkOperation{
	{"AbortMultipartUpload", "DELETE", "object", "x-id=AbortMultipartUpload&uploadId=u1", ""},
	{"CompleteMultipartUpload", "POST", "object", "uploadId=u1", ""},
	{"CopyObject", "PUT", "object", "x-id=CopyObject", "/sdk-a-data/seed.txt"},
	{"CreateBucket", "PUT", "bucket", "", ""},
	{"CreateBucketMetadataConfiguration", "POST", "bucket", "metadataConfiguration", ""},
	{"CreateBucketMetadataTableConfiguration", "POST", "bucket", "metadataTable", ""},
	{"CreateMultipartUpload", "POST", "object", "uploads", ""},
	{"CreateSession", "GET", "bucket", "session", ""},
	{"DeleteBucket", "DELETE", "bucket", "", ""},
	{"DeleteBucketAnalyticsConfiguration", "DELETE", "bucket", "analytics&id=c1", ""},
	{"DeleteBucketCors", "DELETE", "bucket", "cors", ""},
	{"DeleteBucketEncryption", "DELETE", "bucket", "encryption", ""},
	{"DeleteBucketIntelligentTieringConfiguration", "DELETE", "bucket", "intelligent-tiering&id=c1", ""},
	{"DeleteBucketInventoryConfiguration", "DELETE", "bucket", "inventory&id=c1", ""},
	{"DeleteBucketLifecycle", "DELETE", "bucket", "lifecycle", ""},
	{"DeleteBucketMetadataConfiguration", "DELETE", "bucket", "metadataConfiguration", ""},
	{"DeleteBucketMetadataTableConfiguration", "DELETE", "bucket", "metadataTable", ""},
	{"DeleteBucketMetricsConfiguration", "DELETE", "bucket", "metrics&id=c1", ""},
	{"DeleteBucketOwnershipControls", "DELETE", "bucket", "ownershipControls", ""},
	{"DeleteBucketPolicy", "DELETE", "bucket", "policy", ""},
	{"DeleteBucketReplication", "DELETE", "bucket", "replication", ""},
	{"DeleteBucketTagging", "DELETE", "bucket", "tagging", ""},
	{"DeleteBucketWebsite", "DELETE", "bucket", "website", ""},
	{"DeleteObject", "DELETE", "object", "x-id=DeleteObject", ""},
	{"DeleteObjectAnnotation", "DELETE", "object", "annotation&annotationName=a1", ""},
	{"DeleteObjects", "POST", "bucket", "delete", ""},
	{"DeleteObjectTagging", "DELETE", "object", "tagging", ""},
	{"DeletePublicAccessBlock", "DELETE", "bucket", "publicAccessBlock", ""},
	{"GetBucketAbac", "GET", "bucket", "abac", ""},
	{"GetBucketAccelerateConfiguration", "GET", "bucket", "accelerate", ""},
	{"GetBucketAcl", "GET", "bucket", "acl", ""},
	{"GetBucketAnalyticsConfiguration", "GET", "bucket", "analytics&x-id=GetBucketAnalyticsConfiguration&id=c1", ""},
	{"GetBucketCors", "GET", "bucket", "cors", ""},
	{"GetBucketEncryption", "GET", "bucket", "encryption", ""},
	{"GetBucketIntelligentTieringConfiguration", "GET", "bucket", "intelligent-tiering&x-id=GetBucketIntelligentTieringConfiguration&id=c1", ""},
	{"GetBucketInventoryConfiguration", "GET", "bucket", "inventory&x-id=GetBucketInventoryConfiguration&id=c1", ""},
	{"GetBucketLifecycleConfiguration", "GET", "bucket", "lifecycle", ""},
	{"GetBucketLocation", "GET", "bucket", "location", ""},
	{"GetBucketLogging", "GET", "bucket", "logging", ""},
	{"GetBucketMetadataConfiguration", "GET", "bucket", "metadataConfiguration", ""},
	{"GetBucketMetadataTableConfiguration", "GET", "bucket", "metadataTable", ""},
	{"GetBucketMetricsConfiguration", "GET", "bucket", "metrics&x-id=GetBucketMetricsConfiguration&id=c1", ""},
	{"GetBucketNotificationConfiguration", "GET", "bucket", "notification", ""},
	{"GetBucketOwnershipControls", "GET", "bucket", "ownershipControls", ""},
	{"GetBucketPolicy", "GET", "bucket", "policy", ""},
	{"GetBucketPolicyStatus", "GET", "bucket", "policyStatus", ""},
	{"GetBucketReplication", "GET", "bucket", "replication", ""},
	{"GetBucketRequestPayment", "GET", "bucket", "requestPayment", ""},
	{"GetBucketTagging", "GET", "bucket", "tagging", ""},
	{"GetBucketVersioning", "GET", "bucket", "versioning", ""},
	{"GetBucketWebsite", "GET", "bucket", "website", ""},
	{"GetObject", "GET", "object", "x-id=GetObject", ""},
	{"GetObjectAcl", "GET", "object", "acl", ""},
	{"GetObjectAnnotation", "GET", "object", "annotation&x-id=GetObjectAnnotation&annotationName=a1", ""},
	{"GetObjectAttributes", "GET", "object", "attributes", ""},
	{"GetObjectLegalHold", "GET", "object", "legal-hold", ""},
	{"GetObjectLockConfiguration", "GET", "bucket", "object-lock", ""},
	{"GetObjectRetention", "GET", "object", "retention", ""},
	{"GetObjectTagging", "GET", "object", "tagging", ""},
	{"GetObjectTorrent", "GET", "object", "torrent", ""},
	{"GetPublicAccessBlock", "GET", "bucket", "publicAccessBlock", ""},
	{"HeadBucket", "HEAD", "bucket", "", ""},
	{"HeadObject", "HEAD", "object", "", ""},
	{"ListBucketAnalyticsConfigurations", "GET", "bucket", "analytics&x-id=ListBucketAnalyticsConfigurations", ""},
	{"ListBucketIntelligentTieringConfigurations", "GET", "bucket", "intelligent-tiering&x-id=ListBucketIntelligentTieringConfigurations", ""},
	{"ListBucketInventoryConfigurations", "GET", "bucket", "inventory&x-id=ListBucketInventoryConfigurations", ""},
	{"ListBucketMetricsConfigurations", "GET", "bucket", "metrics&x-id=ListBucketMetricsConfigurations", ""},
	{"ListBuckets", "GET", "service", "x-id=ListBuckets", ""},
	{"ListDirectoryBuckets", "GET", "service", "x-id=ListDirectoryBuckets", ""},
	{"ListMultipartUploads", "GET", "bucket", "uploads", ""},
	{"ListObjectAnnotations", "GET", "object", "annotation&x-id=ListObjectAnnotations", ""},
	{"ListObjects", "GET", "bucket", "", ""},
	{"ListObjectsV2", "GET", "bucket", "list-type=2", ""},
	{"ListObjectVersions", "GET", "bucket", "versions", ""},
	{"ListParts", "GET", "object", "x-id=ListParts&uploadId=u1", ""},
	{"PutBucketAbac", "PUT", "bucket", "abac", ""},
	{"PutBucketAccelerateConfiguration", "PUT", "bucket", "accelerate", ""},
	{"PutBucketAcl", "PUT", "bucket", "acl", ""},
	{"PutBucketAnalyticsConfiguration", "PUT", "bucket", "analytics&id=c1", ""},
	{"PutBucketCors", "PUT", "bucket", "cors", ""},
	{"PutBucketEncryption", "PUT", "bucket", "encryption", ""},
	{"PutBucketIntelligentTieringConfiguration", "PUT", "bucket", "intelligent-tiering&id=c1", ""},
	{"PutBucketInventoryConfiguration", "PUT", "bucket", "inventory&id=c1", ""},
	{"PutBucketLifecycleConfiguration", "PUT", "bucket", "lifecycle", ""},
	{"PutBucketLogging", "PUT", "bucket", "logging", ""},
	{"PutBucketMetricsConfiguration", "PUT", "bucket", "metrics&id=c1", ""},
	{"PutBucketNotificationConfiguration", "PUT", "bucket", "notification", ""},
	{"PutBucketOwnershipControls", "PUT", "bucket", "ownershipControls", ""},
	{"PutBucketPolicy", "PUT", "bucket", "policy", ""},
	{"PutBucketReplication", "PUT", "bucket", "replication", ""},
	{"PutBucketRequestPayment", "PUT", "bucket", "requestPayment", ""},
	{"PutBucketTagging", "PUT", "bucket", "tagging", ""},
	{"PutBucketVersioning", "PUT", "bucket", "versioning", ""},
	{"PutBucketWebsite", "PUT", "bucket", "website", ""},
	{"PutObject", "PUT", "object", "x-id=PutObject", ""},
	{"PutObjectAcl", "PUT", "object", "acl", ""},
	{"PutObjectAnnotation", "PUT", "object", "annotation&annotationName=a1", ""},
	{"PutObjectLegalHold", "PUT", "object", "legal-hold", ""},
	{"PutObjectLockConfiguration", "PUT", "bucket", "object-lock", ""},
	{"PutObjectRetention", "PUT", "object", "retention", ""},
	{"PutObjectTagging", "PUT", "object", "tagging", ""},
	{"PutPublicAccessBlock", "PUT", "bucket", "publicAccessBlock", ""},
	{"RenameObject", "PUT", "object", "renameObject", ""},
	{"RestoreObject", "POST", "object", "restore", ""},
	{"SelectObjectContent", "POST", "object", "select&select-type=2", ""},
	{"UpdateBucketMetadataAnnotationTableConfiguration", "PUT", "bucket", "metadataAnnotationTable", ""},
	{"UpdateBucketMetadataInventoryTableConfiguration", "PUT", "bucket", "metadataInventoryTable", ""},
	{"UpdateBucketMetadataJournalTableConfiguration", "PUT", "bucket", "metadataJournalTable", ""},
	{"UpdateObjectEncryption", "PUT", "object", "encryption", ""},
	{"UploadPart", "PUT", "object", "x-id=UploadPart&partNumber=1&uploadId=u1", ""},
	{"UploadPartCopy", "PUT", "object", "x-id=UploadPartCopy&partNumber=1&uploadId=u1", "/sdk-a-data/seed.txt"},
	{"WriteGetObjectResponse", "POST", "bucket", "", ""},
}

// sdkModuleDir is the directory of the aws-sdk-go-v2 S3 module the tests build with.
func sdkModuleDir(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to locate the SDK module")
	}
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2/service/s3").Output()
	if err != nil {
		t.Fatalf("locate the SDK's S3 module: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// TestSDKOperationListMatchesModel: sdkOperations names exactly the SDK's
// operations (its api_op_*.go files), each with the SDK's method and URI
// query, so the list cannot go stale when the SDK is upgraded.
func TestSDKOperationListMatchesModel(t *testing.T) {
	dir := sdkModuleDir(t)
	files, err := filepath.Glob(filepath.Join(dir, "api_op_*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no api_op_*.go in %s: %v", dir, err)
	}
	var model []string
	for _, f := range files {
		model = append(model, strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "api_op_"), ".go"))
	}
	var listed []string
	for _, op := range sdkOperations {
		listed = append(listed, op.name)
	}
	slices.Sort(model)
	slices.Sort(listed)
	if !slices.Equal(model, listed) {
		t.Fatalf("SDK operations changed:\nmodel:  %v\nlisted: %v", model, listed)
	}
	src, err := os.ReadFile(filepath.Join(dir, "serializers.go"))
	if err != nil {
		t.Fatal(err)
	}
	// Each operation's serializer names its URI, then its method.
	re := regexp.MustCompile(`(?s)func \(m \*awsRestxml_serializeOp(\w+)\) HandleSerialize.*?SplitURI\("([^"]*)"\).*?request\.Method = "(\w+)"`)
	found := 0
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		i := slices.IndexFunc(sdkOperations, func(op sdkOperation) bool { return op.name == m[1] })
		if i < 0 {
			t.Errorf("%s: serialized but not listed", m[1])
			continue
		}
		found++
		op := sdkOperations[i]
		if op.method != m[3] {
			t.Errorf("%s: method %s, SDK sends %s", op.name, op.method, m[3])
		}
		path, query, _ := strings.Cut(m[2], "?")
		wantLevel := "bucket"
		switch {
		case strings.HasPrefix(path, "/{Key+}"):
			wantLevel = "object"
		case op.name == "ListBuckets" || op.name == "ListDirectoryBuckets":
			wantLevel = "service"
		}
		if op.level != wantLevel {
			t.Errorf("%s: level %s, SDK addresses %s (%s)", op.name, op.level, wantLevel, m[2])
		}
		for _, part := range strings.Split(query, "&") {
			if part != "" && !slices.Contains(strings.Split(op.query, "&"), part) {
				t.Errorf("%s: query %q lacks %q (SDK URI %s)", op.name, op.query, part, m[2])
			}
		}
	}
	if found != len(sdkOperations) {
		t.Errorf("matched %d serializers for %d operations", found, len(sdkOperations))
	}
}

// target is the path and query the SDK's request for op addresses on the
// test server (path style, in bucket sdk-a-data).
func (op sdkOperation) target() string {
	path := map[string]string{"service": "/", "bucket": "/sdk-a-data", "object": "/sdk-a-data/seed.txt"}[op.level]
	if op.name == "WriteGetObjectResponse" {
		path = "/WriteGetObjectResponse" // its own path, on the Object Lambda endpoint
	}
	if op.query != "" {
		path += "?" + op.query
	}
	return path
}

// TestSDKOperationsNotInTable: the SDK's request for each operation
// reaches that operation's row; for an operation with no row, or whose
// row is not served yet, the answer is NotImplemented or MethodNotAllowed,
// never a 2xx from another operation.
func TestSDKOperationsNotInTable(t *testing.T) {
	env := startSDK(t)
	rows := s3.OperationNames()
	for _, op := range sdkOperations {
		u, err := url.Parse("http://localhost" + op.target())
		if err != nil {
			t.Fatal(err)
		}
		r := &http.Request{Method: op.method, URL: u, Header: http.Header{}}
		if op.copySource != "" {
			r.Header.Set("x-amz-copy-source", op.copySource)
		}
		bucket, key, _ := strings.Cut(strings.TrimPrefix(u.Path, "/"), "/")
		name, served, e := s3.RouteName(r, bucket, key)
		if e == nil && name != op.name {
			t.Errorf("%s: routed to %s", op.name, name)
			continue
		}
		if slices.Contains(rows, op.name) && e != nil {
			t.Errorf("%s: has a row but routes to %s", op.name, e.Code)
			continue
		}
		if served {
			continue
		}
		header := map[string]string{}
		if op.copySource != "" {
			header["x-amz-copy-source"] = op.copySource
		}
		resp := rawRequest{Method: op.method, Target: op.target(), Header: header, Key: rootAKey, Secret: rootASecret}.do(t, env)
		switch {
		case resp.Status == http.StatusNotImplemented && resp.Code == "NotImplemented",
			resp.Status == http.StatusMethodNotAllowed && resp.Code == "MethodNotAllowed":
		default:
			t.Errorf("%s (%s %s): %d %s %s, want NotImplemented or MethodNotAllowed", op.name, op.method, op.target(), resp.Status, resp.Code, resp.Message)
		}
	}
}
