package s3_test

// Default encryption, default and full-object checksums, and
// GetObjectAttributes, as aws-sdk-go-v2 sees them.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash/crc64"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go/logging"
)

const testKMSKey = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func TestSDKObjectEncryption(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	body := func(s string) *bytes.Reader { return bytes.NewReader([]byte(s)) }

	// No header: the bucket's default, SSE-S3.
	put := must[*s3.PutObjectOutput](t, "PutObject")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("plain"), Body: body("x")}))
	if put.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("PutObject SSE %q, want AES256", put.ServerSideEncryption)
	}
	head := must[*s3.HeadObjectOutput](t, "HeadObject")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("plain")}))
	get := must[*s3.GetObjectOutput](t, "GetObject")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("plain")}))
	readAll(t, get.Body)
	if head.ServerSideEncryption != types.ServerSideEncryptionAes256 || get.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("Head/GetObject SSE %q %q, want AES256", head.ServerSideEncryption, get.ServerSideEncryption)
	}
	// An object stored before encryption was recorded reads back as SSE-S3.
	seed := must[*s3.HeadObjectOutput](t, "HeadObject seed")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("seed.txt")}))
	if seed.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Errorf("seeded object SSE %q, want AES256", seed.ServerSideEncryption)
	}

	// Asked for: SSE-KMS with a key and a Bucket Key.
	put = must[*s3.PutObjectOutput](t, "PutObject kms")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("kms"), Body: body("x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms, SSEKMSKeyId: aws.String(testKMSKey), BucketKeyEnabled: aws.Bool(true)}))
	head = must[*s3.HeadObjectOutput](t, "HeadObject kms")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("kms")}))
	for what, got := range map[string][3]string{"PutObject": {string(put.ServerSideEncryption), aws.ToString(put.SSEKMSKeyId), fmt.Sprint(aws.ToBool(put.BucketKeyEnabled))},
		"HeadObject": {string(head.ServerSideEncryption), aws.ToString(head.SSEKMSKeyId), fmt.Sprint(aws.ToBool(head.BucketKeyEnabled))}} {
		if got != [3]string{"aws:kms", testKMSKey, "true"} {
			t.Errorf("%s kms: %q", what, got)
		}
	}

	// Unknown algorithm; a KMS key without KMS.
	_, err := a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("bad"), Body: body("x"), ServerSideEncryption: "AES512"})
	if msg := wantError(t, "PutObject AES512", err, 400, "InvalidArgument"); msg != "The encryption method specified is not supported" {
		t.Errorf("message %q", msg)
	}
	_, err = a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("bad"), Body: body("x"),
		ServerSideEncryption: types.ServerSideEncryptionAes256, SSEKMSKeyId: aws.String(testKMSKey)})
	wantError(t, "PutObject AES256 with a KMS key", err, 400, "InvalidArgument")
	_, err = a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("bad"), ServerSideEncryption: "AES512"})
	wantError(t, "CreateMultipartUpload AES512", err, 400, "InvalidArgument")

	// The bucket's default encryption applies to objects written without
	// the header: PutObject, CopyObject, and multipart uploads.
	must[*s3.PutBucketEncryptionOutput](t, "PutBucketEncryption")(a.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: bucket,
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms, KMSMasterKeyID: aws.String(testKMSKey)},
			BucketKeyEnabled:                   aws.Bool(true)}}}}))
	put = must[*s3.PutObjectOutput](t, "PutObject under a KMS default")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("by-default"), Body: body("x")}))
	if put.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(put.SSEKMSKeyId) != testKMSKey || !aws.ToBool(put.BucketKeyEnabled) {
		t.Errorf("PutObject under a KMS default: %q %q %v", put.ServerSideEncryption, aws.ToString(put.SSEKMSKeyId), aws.ToBool(put.BucketKeyEnabled))
	}
	cp := must[*s3.CopyObjectOutput](t, "CopyObject")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copied"), CopySource: aws.String("sdk-a-data/plain")}))
	if cp.ServerSideEncryption != types.ServerSideEncryptionAwsKms || aws.ToString(cp.SSEKMSKeyId) != testKMSKey {
		t.Errorf("CopyObject: %q %q, want the destination's default", cp.ServerSideEncryption, aws.ToString(cp.SSEKMSKeyId))
	}
	// Copying an object onto itself is legal when it changes the encryption.
	cp = must[*s3.CopyObjectOutput](t, "CopyObject onto itself, re-encrypted")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("copied"),
		CopySource: aws.String("sdk-a-data/copied"), ServerSideEncryption: types.ServerSideEncryptionAes256}))
	if cp.ServerSideEncryption != types.ServerSideEncryptionAes256 || cp.SSEKMSKeyId != nil || cp.BucketKeyEnabled != nil {
		t.Errorf("CopyObject to AES256: %q %v %v", cp.ServerSideEncryption, cp.SSEKMSKeyId, cp.BucketKeyEnabled)
	}
	create := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("mp")}))
	part := must[*s3.UploadPartOutput](t, "UploadPart")(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("mp"), UploadId: create.UploadId,
		PartNumber: aws.Int32(1), Body: body("part")}))
	done := must[*s3.CompleteMultipartUploadOutput](t, "CompleteMultipartUpload")(a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket,
		Key: aws.String("mp"), UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}))
	for what, got := range map[string]types.ServerSideEncryption{"Create": create.ServerSideEncryption, "UploadPart": part.ServerSideEncryption, "Complete": done.ServerSideEncryption} {
		if got != types.ServerSideEncryptionAwsKms {
			t.Errorf("%s: SSE %q, want aws:kms", what, got)
		}
	}
	if aws.ToString(done.SSEKMSKeyId) != testKMSKey || !aws.ToBool(done.BucketKeyEnabled) {
		t.Errorf("Complete: key %q bucket key %v", aws.ToString(done.SSEKMSKeyId), aws.ToBool(done.BucketKeyEnabled))
	}
	// An explicit header beats the default.
	put = must[*s3.PutObjectOutput](t, "PutObject AES256 under a KMS default")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("explicit"),
		Body: body("x"), ServerSideEncryption: types.ServerSideEncryptionAes256}))
	if put.ServerSideEncryption != types.ServerSideEncryptionAes256 || put.SSEKMSKeyId != nil {
		t.Errorf("explicit AES256: %q %v", put.ServerSideEncryption, put.SSEKMSKeyId)
	}
}

// The s3:x-amz-server-side-encryption condition key is the request
// header, not the effective encryption: as in AWS, a policy denying
// uploads without the header denies them although default encryption
// would encrypt them.
func TestSDKEncryptionConditionSeesTheHeader(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::sdk-a-data/*",` +
		`"Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}`
	must[*s3.PutBucketPolicyOutput](t, "PutBucketPolicy")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(doc)}))
	_, err := a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("no-header"), Body: strings.NewReader("x")})
	wantError(t, "PutObject without the header", err, 403, "AccessDenied")
	must[*s3.PutObjectOutput](t, "PutObject with the header")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("header"),
		Body: strings.NewReader("x"), ServerSideEncryption: types.ServerSideEncryptionAes256}))
}

// logCapture is an SDK logger keeping every message.
type logCapture struct {
	mu   sync.Mutex
	logs []string
}

func (l *logCapture) Logf(c logging.Classification, format string, v ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.logs = append(l.logs, string(c)+" "+fmt.Sprintf(format, v...))
}

func crc64nvme(data []byte) string {
	sum := crc64.Checksum(data, crc64.MakeTable(0x9a6c9329ac4bc9b5))
	return base64.StdEncoding.EncodeToString([]byte{byte(sum >> 56), byte(sum >> 48), byte(sum >> 40), byte(sum >> 32), byte(sum >> 24), byte(sum >> 16), byte(sum >> 8), byte(sum)})
}

func TestSDKDefaultChecksum(t *testing.T) {
	env := startSDK(t)
	logs := &logCapture{}
	cfg := sdkConfig(env, rootAKey, rootASecret, "")
	cfg.Logger, cfg.ClientLogMode = logs, aws.LogRetries
	// A client that sends no checksum, as many tools do.
	bare := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	bucket := aws.String("sdk-a-data")
	data := []byte("a body with no checksum sent\n")
	must[*s3.PutObjectOutput](t, "PutObject")(bare.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("nosum"), Body: bytes.NewReader(data)}))

	put := must[*s3.PutObjectOutput](t, "PutObject again")(bare.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("nosum"), Body: bytes.NewReader(data)}))
	if aws.ToString(put.ChecksumCRC64NVME) != crc64nvme(data) || put.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("PutObject: CRC64NVME %q type %q", aws.ToString(put.ChecksumCRC64NVME), put.ChecksumType)
	}
	head := must[*s3.HeadObjectOutput](t, "HeadObject")(bare.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("nosum"), ChecksumMode: types.ChecksumModeEnabled}))
	if aws.ToString(head.ChecksumCRC64NVME) != crc64nvme(data) || head.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("HeadObject: CRC64NVME %q type %q, want %q FULL_OBJECT", aws.ToString(head.ChecksumCRC64NVME), head.ChecksumType, crc64nvme(data))
	}
	get := must[*s3.GetObjectOutput](t, "GetObject")(bare.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("nosum")}))
	if got := readAll(t, get.Body); got != string(data) {
		t.Fatalf("GetObject body %q", got)
	}
	if aws.ToString(get.ChecksumCRC64NVME) != crc64nvme(data) {
		t.Errorf("GetObject CRC64NVME %q", aws.ToString(get.ChecksumCRC64NVME))
	}
	logs.mu.Lock()
	for _, l := range logs.logs {
		if strings.Contains(l, "no supported checksum") {
			t.Errorf("the SDK logged %q", l)
		}
	}
	logs.mu.Unlock()

	// A checksum the client sends is the one stored: no CRC64NVME added.
	crcData := []byte("with the SDK's CRC32\n")
	a := client(env, rootAKey, rootASecret)
	must[*s3.PutObjectOutput](t, "PutObject CRC32")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("crc32"), Body: bytes.NewReader(crcData),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	head = must[*s3.HeadObjectOutput](t, "HeadObject CRC32")(a.HeadObject(ctx, &s3.HeadObjectInput{Bucket: bucket, Key: aws.String("crc32"), ChecksumMode: types.ChecksumModeEnabled}))
	if aws.ToString(head.ChecksumCRC32) != crc32b64(crcData) || head.ChecksumCRC64NVME != nil {
		t.Errorf("HeadObject CRC32 object: crc32 %q crc64nvme %v", aws.ToString(head.ChecksumCRC32), head.ChecksumCRC64NVME)
	}

	// CopyObject: a new checksum, of the source's algorithm, else the one asked for.
	cp := must[*s3.CopyObjectOutput](t, "CopyObject")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("nosum-copy"), CopySource: aws.String("sdk-a-data/nosum")}))
	if aws.ToString(cp.CopyObjectResult.ChecksumCRC64NVME) != crc64nvme(data) || cp.CopyObjectResult.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("CopyObject result: %+v", cp.CopyObjectResult)
	}
	cp = must[*s3.CopyObjectOutput](t, "CopyObject SHA256")(a.CopyObject(ctx, &s3.CopyObjectInput{Bucket: bucket, Key: aws.String("sha-copy"),
		CopySource: aws.String("sdk-a-data/nosum"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256}))
	sum := sha256.Sum256(data)
	if aws.ToString(cp.CopyObjectResult.ChecksumSHA256) != base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("CopyObject SHA256 result: %+v", cp.CopyObjectResult)
	}

	// A multipart upload naming no algorithm gets a full-object CRC64NVME.
	p1, p2 := bytes.Repeat([]byte("1"), 5<<20), []byte("tail")
	create := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(bare.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("mp")}))
	var parts []types.CompletedPart
	for i, p := range [][]byte{p1, p2} {
		out := must[*s3.UploadPartOutput](t, "UploadPart")(bare.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("mp"), UploadId: create.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)}))
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	done := must[*s3.CompleteMultipartUploadOutput](t, "CompleteMultipartUpload")(bare.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket,
		Key: aws.String("mp"), UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}))
	whole := crc64nvme(append(append([]byte{}, p1...), p2...))
	if aws.ToString(done.ChecksumCRC64NVME) != whole || done.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("Complete: CRC64NVME %q type %q, want %q FULL_OBJECT", aws.ToString(done.ChecksumCRC64NVME), done.ChecksumType, whole)
	}
}

func TestSDKCompleteWholeChecksum(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	p1, p2 := bytes.Repeat([]byte("a"), 5<<20), []byte("the last part")
	whole := append(append([]byte{}, p1...), p2...)

	// upload starts an upload with alg and typ and uploads both parts.
	upload := func(key string, alg types.ChecksumAlgorithm, typ types.ChecksumType) (*string, []types.CompletedPart) {
		t.Helper()
		create := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload "+key)(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket,
			Key: aws.String(key), ChecksumAlgorithm: alg, ChecksumType: typ}))
		var parts []types.CompletedPart
		for i, p := range [][]byte{p1, p2} {
			out := must[*s3.UploadPartOutput](t, "UploadPart "+key)(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String(key), UploadId: create.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumAlgorithm: alg}))
			parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag,
				ChecksumCRC32: out.ChecksumCRC32, ChecksumSHA256: out.ChecksumSHA256, ChecksumCRC64NVME: out.ChecksumCRC64NVME})
		}
		return create.UploadId, parts
	}
	complete := func(key string, id *string, parts []types.CompletedPart, in s3.CompleteMultipartUploadInput) (*s3.CompleteMultipartUploadOutput, error) {
		in.Bucket, in.Key, in.UploadId, in.MultipartUpload = bucket, aws.String(key), id, &types.CompletedMultipartUpload{Parts: parts}
		return a.CompleteMultipartUpload(ctx, &in)
	}
	badDigest := func(what string, err error, alg string) {
		t.Helper()
		if msg := wantError(t, what, err, 400, "BadDigest"); msg != "The "+alg+" you specified did not match the calculated checksum." {
			t.Errorf("%s: message %q", what, msg)
		}
	}

	// CRC32 FULL_OBJECT: the CRC32 of the whole object.
	id, parts := upload("full", types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject)
	_, err := complete("full", id, parts, s3.CompleteMultipartUploadInput{ChecksumCRC32: aws.String(crc32b64([]byte("other"))), ChecksumType: types.ChecksumTypeFullObject})
	badDigest("Complete with a wrong full-object CRC32", err, "CRC32")
	_, err = complete("full", id, parts, s3.CompleteMultipartUploadInput{ChecksumCRC32: aws.String(crc32b64(whole)), ChecksumType: types.ChecksumTypeComposite})
	badDigest("Complete of a FULL_OBJECT upload declared COMPOSITE", err, "CRC32")
	// The refused Completes left the upload as it was.
	out := must[*s3.CompleteMultipartUploadOutput](t, "Complete full")(complete("full", id, parts,
		s3.CompleteMultipartUploadInput{ChecksumCRC32: aws.String(crc32b64(whole)), ChecksumType: types.ChecksumTypeFullObject}))
	if aws.ToString(out.ChecksumCRC32) != crc32b64(whole) || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("Complete full: %q %q", aws.ToString(out.ChecksumCRC32), out.ChecksumType)
	}

	// SHA256 COMPOSITE: the SHA256 of the parts' SHA256s, "-2".
	id, parts = upload("composite", types.ChecksumAlgorithmSha256, "")
	h := sha256.New()
	for _, p := range [][]byte{p1, p2} {
		s := sha256.Sum256(p)
		h.Write(s[:])
	}
	composite := base64.StdEncoding.EncodeToString(h.Sum(nil)) + "-2"
	_, err = complete("composite", id, parts, s3.CompleteMultipartUploadInput{ChecksumSHA256: aws.String(strings.Replace(composite, "-2", "-3", 1))})
	badDigest("Complete with a wrong composite SHA256", err, "SHA256")
	out = must[*s3.CompleteMultipartUploadOutput](t, "Complete composite")(complete("composite", id, parts,
		s3.CompleteMultipartUploadInput{ChecksumSHA256: aws.String(composite), ChecksumType: types.ChecksumTypeComposite}))
	if aws.ToString(out.ChecksumSHA256) != composite || out.ChecksumType != types.ChecksumTypeComposite {
		t.Errorf("Complete composite: %q %q, want %q", aws.ToString(out.ChecksumSHA256), out.ChecksumType, composite)
	}

	// No algorithm at creation: the default CRC64NVME can be checked.
	id, parts = upload("default", "", "")
	_, err = complete("default", id, parts, s3.CompleteMultipartUploadInput{ChecksumCRC64NVME: aws.String(crc64nvme(p1))})
	badDigest("Complete with a wrong CRC64NVME", err, "CRC64NVME")
	must[*s3.CompleteMultipartUploadOutput](t, "Complete default")(complete("default", id, parts,
		s3.CompleteMultipartUploadInput{ChecksumCRC64NVME: aws.String(crc64nvme(whole)), ChecksumType: types.ChecksumTypeFullObject}))
	got := must[*s3.GetObjectOutput](t, "GetObject default")(a.GetObject(ctx, &s3.GetObjectInput{Bucket: bucket, Key: aws.String("default"), ChecksumMode: types.ChecksumModeEnabled}))
	if b := readAll(t, got.Body); b != string(whole) || aws.ToString(got.ChecksumCRC64NVME) != crc64nvme(whole) {
		t.Errorf("GetObject default: %d bytes, CRC64NVME %q", len(b), aws.ToString(got.ChecksumCRC64NVME))
	}

	// x-amz-mp-object-size must be the object's size.
	id, parts = upload("sized", "", "")
	_, err = complete("sized", id, parts, s3.CompleteMultipartUploadInput{MpuObjectSize: aws.Int64(int64(len(whole) + 1))})
	wantError(t, "Complete with a wrong x-amz-mp-object-size", err, 400, "InvalidRequest")
	must[*s3.CompleteMultipartUploadOutput](t, "Complete sized")(complete("sized", id, parts,
		s3.CompleteMultipartUploadInput{MpuObjectSize: aws.Int64(int64(len(whole)))}))
}

func TestSDKGetObjectAttributes(t *testing.T) {
	env := startSDK(t)
	a := client(env, rootAKey, rootASecret)
	bucket := aws.String("sdk-a-data")
	all := []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts,
		types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize}
	data := []byte("attributes\n")
	put := must[*s3.PutObjectOutput](t, "PutObject")(a.PutObject(ctx, &s3.PutObjectInput{Bucket: bucket, Key: aws.String("attr"), Body: bytes.NewReader(data),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}))
	out := must[*s3.GetObjectAttributesOutput](t, "GetObjectAttributes")(a.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket,
		Key: aws.String("attr"), ObjectAttributes: all}))
	if aws.ToString(out.ETag) != strings.Trim(aws.ToString(put.ETag), `"`) || aws.ToInt64(out.ObjectSize) != int64(len(data)) ||
		out.StorageClass != types.StorageClassStandard || out.LastModified == nil || out.ObjectParts != nil {
		t.Errorf("GetObjectAttributes: etag %q size %d class %q modified %v parts %+v", aws.ToString(out.ETag), aws.ToInt64(out.ObjectSize),
			out.StorageClass, out.LastModified, out.ObjectParts)
	}
	if out.Checksum == nil || aws.ToString(out.Checksum.ChecksumCRC32) != crc32b64(data) || out.Checksum.ChecksumType != types.ChecksumTypeFullObject {
		t.Errorf("GetObjectAttributes checksum %+v", out.Checksum)
	}
	// Only what is asked for.
	out = must[*s3.GetObjectAttributesOutput](t, "GetObjectAttributes ObjectSize")(a.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket,
		Key: aws.String("attr"), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}}))
	if out.ETag != nil || out.Checksum != nil || out.StorageClass != "" || aws.ToInt64(out.ObjectSize) != int64(len(data)) {
		t.Errorf("GetObjectAttributes ObjectSize only: %+v", out)
	}

	// A multipart object: its number of parts.
	create := must[*s3.CreateMultipartUploadOutput](t, "CreateMultipartUpload")(a.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: bucket, Key: aws.String("mp")}))
	var parts []types.CompletedPart
	for i, p := range [][]byte{bytes.Repeat([]byte("p"), 5<<20), []byte("end")} {
		up := must[*s3.UploadPartOutput](t, "UploadPart")(a.UploadPart(ctx, &s3.UploadPartInput{Bucket: bucket, Key: aws.String("mp"), UploadId: create.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)}))
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag})
	}
	must[*s3.CompleteMultipartUploadOutput](t, "Complete")(a.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: bucket, Key: aws.String("mp"),
		UploadId: create.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}))
	out = must[*s3.GetObjectAttributesOutput](t, "GetObjectAttributes mp")(a.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket,
		Key: aws.String("mp"), ObjectAttributes: all}))
	if out.ObjectParts == nil || aws.ToInt32(out.ObjectParts.TotalPartsCount) != 2 || !strings.HasSuffix(aws.ToString(out.ETag), "-2") {
		t.Errorf("GetObjectAttributes mp: parts %+v etag %q", out.ObjectParts, aws.ToString(out.ETag))
	}

	// Bad requests.
	_, err := a.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: aws.String("attr"), ObjectAttributes: []types.ObjectAttributes{"Colour"}})
	wantError(t, "GetObjectAttributes Colour", err, 400, "InvalidArgument")
	_, err = a.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: aws.String("attr"), ObjectAttributes: all, VersionId: aws.String("v1")})
	wantError(t, "GetObjectAttributes of a version", err, 400, "InvalidArgument")
	must[*s3.GetObjectAttributesOutput](t, "GetObjectAttributes null version")(a.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket,
		Key: aws.String("attr"), ObjectAttributes: all, VersionId: aws.String("null")}))

	// Missing key: NoSuchKey for who may list the bucket, AccessDenied for
	// a caller allowed only s3:GetObjectAttributes; s3:GetObject is not enough.
	_, err = a.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: aws.String("missing"), ObjectAttributes: all})
	wantError(t, "GetObjectAttributes missing by the owner", err, 404, "NoSuchKey")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObjectAttributes","Resource":"arn:aws:s3:::sdk-a-data/*"}]}`
	must[*s3.PutBucketPolicyOutput](t, "PutBucketPolicy")(a.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: bucket, Policy: aws.String(doc)}))
	b := client(env, rootBKey, rootBSecret)
	must[*s3.GetObjectAttributesOutput](t, "GetObjectAttributes by B")(b.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket,
		Key: aws.String("attr"), ObjectAttributes: all}))
	_, err = b.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: aws.String("missing"), ObjectAttributes: all})
	wantError(t, "GetObjectAttributes missing by B", err, 403, "AccessDenied")
	getter := client(env, getterKey, getterSecret)
	_, err = getter.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: bucket, Key: aws.String("attr"), ObjectAttributes: all})
	wantError(t, "GetObjectAttributes with only s3:GetObject", err, 403, "AccessDenied")
}
