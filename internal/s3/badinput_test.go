package s3_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"strings"
	"testing"
)

// TestRawBadInput sends hand-made, SigV4-signed requests a well-behaved
// SDK never would: each gets its S3 error (never a 500).
func TestRawBadInput(t *testing.T) {
	env := startSDK(t)
	as := func(r rawRequest) rawRequest { r.Key, r.Secret = rootAKey, rootASecret; return r }
	md5h := func(body string) map[string]string { return map[string]string{"Content-MD5": md5b64([]byte(body))} }
	otherHash := func() string { sum := sha256.Sum256([]byte("something else")); return hex.EncodeToString(sum[:]) }()

	// An upload to complete with bad XML.
	created := as(rawRequest{Method: "POST", Target: "/sdk-a-data/mp-raw?uploads"}).do(t, env)
	var initiated struct {
		UploadID string `xml:"UploadId"`
	}
	if created.Status != 200 || xml.Unmarshal([]byte(created.Body), &initiated) != nil || initiated.UploadID == "" {
		t.Fatalf("create upload: %d %s", created.Status, created.Body)
	}
	complete := "/sdk-a-data/mp-raw?uploadId=" + initiated.UploadID
	policyDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::sdk-a-data/*"}]}`
	ownership := `<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>`
	manyKeys := "<Delete>" + strings.Repeat("<Object><Key>k</Key></Object>", 1001) + "</Delete>"
	longKey := "/sdk-a-data/" + strings.Repeat("k", 1025)

	cases := []struct {
		name   string
		req    rawRequest
		status int
		code   string
	}{
		{"DeleteObjects unclosed XML", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete><Object><Key>x</Key></Object>"),
			Header: md5h("<Delete><Object><Key>x</Key></Object>")}, 400, "MalformedXML"},
		{"DeleteObjects not XML", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("{}"), Header: md5h("{}")}, 400, "MalformedXML"},
		{"DeleteObjects no objects", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete></Delete>"), Header: md5h("<Delete></Delete>")}, 400, "MalformedXML"},
		{"DeleteObjects 1001 keys", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte(manyKeys), Header: md5h(manyKeys)}, 400, "MalformedXML"},
		{"DeleteObjects without Content-MD5", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete><Object><Key>x</Key></Object></Delete>")}, 400, "InvalidRequest"},
		{"DeleteObjects wrong CRC32", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete><Object><Key>seed.txt</Key></Object></Delete>"),
			Header: map[string]string{"x-amz-checksum-crc32": crc32b64([]byte("x")), "x-amz-sdk-checksum-algorithm": "CRC32"}}, 400, "BadDigest"},
		{"DeleteObjects right CRC32", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete><Object><Key>absent</Key></Object></Delete>"),
			Header: map[string]string{"x-amz-checksum-crc32": crc32b64([]byte("<Delete><Object><Key>absent</Key></Object></Delete>"))}}, 200, ""},
		{"DeleteObjects SDK algorithm without its checksum", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete><Object><Key>seed.txt</Key></Object></Delete>"),
			Header: map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32"}}, 400, "InvalidRequest"},
		{"DeleteObjects checksum of another SDK algorithm", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete><Object><Key>seed.txt</Key></Object></Delete>"),
			Header: map[string]string{"x-amz-checksum-crc32": crc32b64([]byte("<Delete><Object><Key>seed.txt</Key></Object></Delete>")), "x-amz-sdk-checksum-algorithm": "SHA256"}}, 400, "BadDigest"},
		{"PutObject with two checksum headers", rawRequest{Method: "PUT", Target: "/sdk-a-data/two-sums", Body: []byte("body"),
			Header: map[string]string{"x-amz-checksum-crc32": crc32b64([]byte("body")), "x-amz-checksum-sha1": "Sz3Ls7o5/1rIygbbNJTw0cO2QyA="}}, 400, "InvalidRequest"},
		{"UploadPart with two checksum headers, one empty", rawRequest{Method: "PUT", Target: complete + "&partNumber=1", Body: []byte("body"),
			Header: map[string]string{"x-amz-checksum-crc32": crc32b64([]byte("body")), "x-amz-checksum-crc32c": ""}}, 400, "InvalidRequest"},
		{"PutObject SDK algorithm without its checksum", rawRequest{Method: "PUT", Target: "/sdk-a-data/sdk-alg", Body: []byte("body"),
			Header: map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32"}}, 400, "InvalidRequest"},
		{"PutObject checksum of another SDK algorithm", rawRequest{Method: "PUT", Target: "/sdk-a-data/sdk-alg", Body: []byte("body"),
			Header: map[string]string{"x-amz-checksum-crc32": crc32b64([]byte("body")), "x-amz-sdk-checksum-algorithm": "SHA256"}}, 400, "BadDigest"},
		{"PutBucketTagging SDK algorithm without its checksum", rawRequest{Method: "PUT", Target: "/sdk-a-data?tagging", Body: []byte("<Tagging><TagSet/></Tagging>"),
			Header: map[string]string{"x-amz-sdk-checksum-algorithm": "CRC32"}}, 400, "InvalidRequest"},
		{"PutBucketPolicy wrong Content-MD5", rawRequest{Method: "PUT", Target: "/sdk-a-data?policy", Body: []byte(policyDoc), Header: md5h("x")}, 400, "BadDigest"},
		{"PutBucketOwnershipControls wrong Content-MD5", rawRequest{Method: "PUT", Target: "/sdk-a-data?ownershipControls", Body: []byte(ownership), Header: md5h("x")}, 400, "BadDigest"},
		{"PutBucketAcl by header, wrong Content-MD5", rawRequest{Method: "PUT", Target: "/sdk-a-data?acl",
			Header: map[string]string{"Content-MD5": md5b64([]byte("x")), "x-amz-acl": "private"}}, 400, "BadDigest"},
		{"CreateBucket wrong Content-MD5", rawRequest{Method: "PUT", Target: "/sdk-raw-new", Header: md5h("x")}, 400, "BadDigest"},
		{"PutObjectTagging wrong Content-MD5", rawRequest{Method: "PUT", Target: "/sdk-a-data/seed.txt?tagging",
			Body: []byte("<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>"), Header: md5h("x")}, 400, "BadDigest"},
		{"PutBucketPolicy invalid Content-MD5", rawRequest{Method: "PUT", Target: "/sdk-a-data?policy", Body: []byte(policyDoc),
			Header: map[string]string{"Content-MD5": "!!"}}, 400, "InvalidDigest"},
		{"PutObject SHA512 checksum", rawRequest{Method: "PUT", Target: "/sdk-a-data/sha512", Body: []byte("body"),
			Header: map[string]string{"x-amz-checksum-sha512": "AAAA"}}, 501, "NotImplemented"},
		{"PutObject XXHASH64 checksum named by the SDK", rawRequest{Method: "PUT", Target: "/sdk-a-data/sha512", Body: []byte("body"),
			Header: map[string]string{"x-amz-checksum-xxhash64": "AAAAAAAAAAA=", "x-amz-sdk-checksum-algorithm": "XXHASH64"}}, 501, "NotImplemented"},
		{"DeleteObjects MD5 checksum", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete><Object><Key>seed.txt</Key></Object></Delete>"),
			Header: map[string]string{"x-amz-checksum-md5": md5b64([]byte("x"))}}, 501, "NotImplemented"},
		{"PutObject unknown storage class", rawRequest{Method: "PUT", Target: "/sdk-a-data/bad-class", Body: []byte("body"),
			Header: map[string]string{"x-amz-storage-class": "FOO"}}, 400, "InvalidStorageClass"},
		{"CreateMultipartUpload unknown storage class", rawRequest{Method: "POST", Target: "/sdk-a-data/bad-class?uploads",
			Header: map[string]string{"x-amz-storage-class": "FOO"}}, 400, "InvalidStorageClass"},
		{"CopyObject unknown storage class", rawRequest{Method: "PUT", Target: "/sdk-a-data/bad-class",
			Header: map[string]string{"x-amz-copy-source": "/sdk-a-data/seed.txt", "x-amz-storage-class": "FOO"}}, 400, "InvalidStorageClass"},
		{"PutObject with an Object Lock retention", rawRequest{Method: "PUT", Target: "/sdk-a-data/locked", Body: []byte("body"),
			Header: map[string]string{"x-amz-object-lock-mode": "COMPLIANCE", "x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00Z"}}, 501, "NotImplemented"},
		{"CreateMultipartUpload with a legal hold", rawRequest{Method: "POST", Target: "/sdk-a-data/locked?uploads",
			Header: map[string]string{"x-amz-object-lock-legal-hold": "ON"}}, 501, "NotImplemented"},
		{"CopyObject with an Object Lock retention", rawRequest{Method: "PUT", Target: "/sdk-a-data/locked",
			Header: map[string]string{"x-amz-copy-source": "/sdk-a-data/seed.txt", "x-amz-object-lock-mode": "GOVERNANCE",
				"x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00Z"}}, 501, "NotImplemented"},
		{"PutObject appending at an offset", rawRequest{Method: "PUT", Target: "/sdk-a-data/seed.txt", Body: []byte("more"),
			Header: map[string]string{"x-amz-write-offset-bytes": "5"}}, 501, "NotImplemented"},
		{"CreateMultipartUpload SHA512 algorithm", rawRequest{Method: "POST", Target: "/sdk-a-data/sha512?uploads",
			Header: map[string]string{"x-amz-checksum-algorithm": "SHA512"}}, 501, "NotImplemented"},
		{"CopyObject XXHASH3 algorithm", rawRequest{Method: "PUT", Target: "/sdk-a-data/sha512",
			Header: map[string]string{"x-amz-copy-source": "/sdk-a-data/seed.txt", "x-amz-checksum-algorithm": "XXHASH3"}}, 501, "NotImplemented"},
		{"DeleteObjects wrong Content-MD5", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete><Object><Key>x</Key></Object></Delete>"), Header: md5h("x")}, 400, "BadDigest"},
		{"CompleteMultipartUpload unclosed XML", rawRequest{Method: "POST", Target: complete, Body: []byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>")}, 400, "MalformedXML"},
		{"CompleteMultipartUpload no parts", rawRequest{Method: "POST", Target: complete, Body: []byte("<CompleteMultipartUpload></CompleteMultipartUpload>")}, 400, "MalformedXML"},
		{"CompleteMultipartUpload empty body", rawRequest{Method: "POST", Target: complete}, 400, "MalformedXML"},
		{"CreateBucket unclosed XML", rawRequest{Method: "PUT", Target: "/sdk-raw-new", Body: []byte("<CreateBucketConfiguration><LocationConstraint>eu-west-1")}, 400, "MalformedXML"},
		{"CreateBucket prefix sthree-", rawRequest{Method: "PUT", Target: "/sthree-raw"}, 400, "InvalidBucketName"},
		{"CreateBucket prefix amzn-s3-demo-", rawRequest{Method: "PUT", Target: "/amzn-s3-demo-raw"}, 400, "InvalidBucketName"},
		{"CreateBucket suffix .mrap", rawRequest{Method: "PUT", Target: "/raw.mrap"}, 400, "InvalidBucketName"},
		{"CreateBucket suffix --x-s3", rawRequest{Method: "PUT", Target: "/raw--x-s3"}, 400, "InvalidBucketName"},
		{"CreateBucket suffix --table-s3", rawRequest{Method: "PUT", Target: "/raw--table-s3"}, 400, "InvalidBucketName"},
		{"CreateBucket garbage", rawRequest{Method: "PUT", Target: "/sdk-raw-new", Body: []byte("\x00\x01garbage")}, 400, "MalformedXML"},
		{"PutBucketOwnershipControls bad value", rawRequest{Method: "PUT", Target: "/sdk-a-data?ownershipControls",
			Body: []byte(strings.Replace(ownership, "ObjectWriter", "Everyone", 1))}, 400, "MalformedXML"},
		{"PutBucketOwnershipControls unclosed XML", rawRequest{Method: "PUT", Target: "/sdk-a-data?ownershipControls", Body: []byte("<OwnershipControls>")}, 400, "MalformedXML"},
		{"PutObject key over 1024 bytes", rawRequest{Method: "PUT", Target: longKey, Body: []byte("x")}, 400, "KeyTooLongError"},
		{"CreateMultipartUpload key over 1024 bytes", rawRequest{Method: "POST", Target: longKey + "?uploads"}, 400, "KeyTooLongError"},
		{"CopyObject key over 1024 bytes", rawRequest{Method: "PUT", Target: longKey, Header: map[string]string{"x-amz-copy-source": "/sdk-a-data/seed.txt"}}, 400, "KeyTooLongError"},
		{"PutObject payload hash mismatch", rawRequest{Method: "PUT", Target: "/sdk-a-data/sha-mismatch", Body: []byte("body"), PayloadHash: otherHash}, 400, "XAmzContentSHA256Mismatch"},
		{"PutBucketPolicy payload hash mismatch", rawRequest{Method: "PUT", Target: "/sdk-a-data?policy", Body: []byte(policyDoc), PayloadHash: otherHash}, 400, "XAmzContentSHA256Mismatch"},
		{"DeleteObjects payload hash mismatch", rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte("<Delete><Object><Key>seed.txt</Key></Object></Delete>"),
			Header: md5h("<Delete><Object><Key>seed.txt</Key></Object></Delete>"), PayloadHash: otherHash}, 400, "XAmzContentSHA256Mismatch"},
		{"CompleteMultipartUpload payload hash mismatch", rawRequest{Method: "POST", Target: complete, Body: []byte("<CompleteMultipartUpload/>"), PayloadHash: otherHash}, 400, "XAmzContentSHA256Mismatch"},
		{"CreateBucket payload hash mismatch", rawRequest{Method: "PUT", Target: "/sdk-raw-new", Body: []byte("<CreateBucketConfiguration/>"), PayloadHash: otherHash}, 400, "XAmzContentSHA256Mismatch"},
		{"PutBucketOwnershipControls payload hash mismatch", rawRequest{Method: "PUT", Target: "/sdk-a-data?ownershipControls", Body: []byte(ownership), PayloadHash: otherHash}, 400, "XAmzContentSHA256Mismatch"},
		{"UploadPart payload hash mismatch", rawRequest{Method: "PUT", Target: complete + "&partNumber=1", Body: []byte("part"), PayloadHash: otherHash}, 400, "XAmzContentSHA256Mismatch"},
		{"malformed payload hash", rawRequest{Method: "PUT", Target: "/sdk-a-data/bad-hash", Body: []byte("body"), PayloadHash: "not-a-hash"}, 400, ""},
		{"invalid Content-MD5", rawRequest{Method: "PUT", Target: "/sdk-a-data/bad-md5", Body: []byte("body"), Header: map[string]string{"Content-MD5": "!!"}}, 400, "InvalidDigest"},
		{"public ACL", rawRequest{Method: "PUT", Target: "/sdk-a-data/acl", Body: []byte("body"), Header: map[string]string{"x-amz-acl": "public-read"}}, 400, "AccessControlListNotSupported"},
		{"bad copy source", rawRequest{Method: "PUT", Target: "/sdk-a-data/copy", Header: map[string]string{"x-amz-copy-source": "no-key"}}, 400, "InvalidArgument"},
		{"bad copy source encoding", rawRequest{Method: "PUT", Target: "/sdk-a-data/copy", Header: map[string]string{"x-amz-copy-source": "sdk-a-data/%zz"}}, 400, "InvalidArgument"},
		{"part number 0", rawRequest{Method: "PUT", Target: complete + "&partNumber=0", Body: []byte("x")}, 400, "InvalidArgument"},
		{"part number 10001", rawRequest{Method: "PUT", Target: complete + "&partNumber=10001", Body: []byte("x")}, 400, "InvalidArgument"},
		{"part copy bad range", rawRequest{Method: "PUT", Target: complete + "&partNumber=1", Header: map[string]string{"x-amz-copy-source": "sdk-a-data/seed.txt",
			"x-amz-copy-source-range": "bytes=3-1"}}, 400, "InvalidArgument"},
		{"unknown upload", rawRequest{Method: "PUT", Target: "/sdk-a-data/mp-raw?uploadId=nope&partNumber=1", Body: []byte("x")}, 404, "NoSuchUpload"},
		{"upload of another key", rawRequest{Method: "PUT", Target: "/sdk-a-data/other?uploadId=" + initiated.UploadID + "&partNumber=1", Body: []byte("x")}, 404, "NoSuchUpload"},
		{"max-keys not a number", rawRequest{Method: "GET", Target: "/sdk-a-data?list-type=2&max-keys=abc"}, 400, "InvalidArgument"},
		{"max-keys negative", rawRequest{Method: "GET", Target: "/sdk-a-data?max-keys=-1"}, 400, "InvalidArgument"},
		{"bad continuation token", rawRequest{Method: "GET", Target: "/sdk-a-data?list-type=2&continuation-token=%21%21"}, 400, "InvalidArgument"},
		{"bad encoding-type", rawRequest{Method: "GET", Target: "/sdk-a-data?list-type=2&encoding-type=base64"}, 400, "InvalidArgument"},
		{"POST on an object", rawRequest{Method: "POST", Target: "/sdk-a-data/seed.txt"}, 405, "MethodNotAllowed"},
		{"PATCH on a bucket", rawRequest{Method: "PATCH", Target: "/sdk-a-data"}, 405, "MethodNotAllowed"},
		{"range past the end", rawRequest{Method: "GET", Target: "/sdk-a-data/seed.txt", Header: map[string]string{"Range": "bytes=100-200"}}, 416, "InvalidRange"},
		{"GET key over 1024 bytes", rawRequest{Method: "GET", Target: longKey}, 400, "KeyTooLongError"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := as(c.req).do(t, env)
			if r.Status != c.status || (c.code != "" && r.Code != c.code) {
				t.Errorf("got %d %s, want %d %s\n%s", r.Status, r.Code, c.status, c.code, r.Body)
			}
		})
	}

	// Nothing of the refused requests was stored.
	for _, target := range []string{"/sdk-a-data/sha-mismatch", "/sdk-a-data/acl", "/sdk-a-data/copy", "/sdk-a-data/bad-md5", "/sdk-a-data/sdk-alg", "/sdk-a-data/sha512", "/sdk-a-data/bad-class", "/sdk-a-data/locked"} {
		if r := as(rawRequest{Method: "HEAD", Target: target}).do(t, env); r.Status != 404 {
			t.Errorf("HEAD %s: %d", target, r.Status)
		}
	}
	if r := as(rawRequest{Method: "HEAD", Target: "/sdk-raw-new"}).do(t, env); r.Status != 404 {
		t.Errorf("bucket created from a malformed request: %d", r.Status)
	}
	if r := as(rawRequest{Method: "GET", Target: "/sdk-a-data/seed.txt"}).do(t, env); r.Body != "seed\n" {
		t.Errorf("seed.txt changed by a refused request: %d %q", r.Status, r.Body)
	}
	if r := as(rawRequest{Method: "HEAD", Target: "/sdk-a-data/seed.txt"}).do(t, env); r.Status != 200 {
		t.Errorf("seed.txt deleted by a refused DeleteObjects: %d", r.Status)
	}
	if r := as(rawRequest{Method: "GET", Target: "/sdk-a-data?policy"}).do(t, env); r.Code != "NoSuchBucketPolicy" {
		t.Errorf("policy set by a refused request: %d %s", r.Status, r.Body)
	}
}

// chunked frames body as STREAMING-UNSIGNED-PAYLOAD-TRAILER chunks of at
// most size bytes, followed by the trailers.
func chunked(body string, size int, trailers ...string) string {
	var b strings.Builder
	for len(body) > 0 {
		n := min(size, len(body))
		fmt.Fprintf(&b, "%x\r\n%s\r\n", n, body[:n])
		body = body[n:]
	}
	b.WriteString("0\r\n")
	for _, t := range trailers {
		b.WriteString(t + "\r\n")
	}
	b.WriteString("\r\n")
	return b.String()
}

// TestRawAWSChunked: unsigned aws-chunked bodies with a trailing checksum,
// as SDKs send them over HTTPS, then broken variants.
func TestRawAWSChunked(t *testing.T) {
	env := startSDK(t)
	body := strings.Repeat("chunked body. ", 1000)
	put := func(key, payload string, decodedLength int) rawResponse {
		return rawRequest{Method: "PUT", Target: "/sdk-a-data/" + key, Body: []byte(payload), PayloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
			Key: rootAKey, Secret: rootASecret, Header: map[string]string{
				"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": fmt.Sprint(decodedLength),
				"x-amz-trailer": "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm": "CRC32", "Content-Type": "text/plain"}}.do(t, env)
	}
	good := chunked(body, 4096, "x-amz-checksum-crc32:"+crc32b64([]byte(body)))
	if r := put("ok", good, len(body)); r.Status != 200 || r.Header.Get("x-amz-checksum-crc32") != crc32b64([]byte(body)) {
		t.Fatalf("aws-chunked PUT: %d %s %v", r.Status, r.Body, r.Header)
	}
	get := rawRequest{Method: "GET", Target: "/sdk-a-data/ok", Key: rootAKey, Secret: rootASecret,
		Header: map[string]string{"x-amz-checksum-mode": "ENABLED"}}.do(t, env)
	if get.Status != 200 || get.Body != body || get.Header.Get("Content-Encoding") != "" || get.Header.Get("x-amz-checksum-crc32") != crc32b64([]byte(body)) {
		t.Errorf("GET of the aws-chunked upload: %d, %d bytes, encoding %q, crc %q", get.Status, len(get.Body),
			get.Header.Get("Content-Encoding"), get.Header.Get("x-amz-checksum-crc32"))
	}

	cases := []struct {
		name, payload string
		decoded       int
		code          string
	}{
		{"wrong trailing checksum", chunked(body, 4096, "x-amz-checksum-crc32:"+crc32b64([]byte("other"))), len(body), "BadDigest"},
		{"truncated in a chunk", good[:5000], len(body), ""},
		{"truncated before the final chunk", chunked(body, 4096)[:len(chunked(body, 4096))-len("0\r\n\r\n")], len(body), ""},
		{"no final chunk or trailers", fmt.Sprintf("%x\r\n%s\r\n", len(body), body), len(body), ""},
		{"decoded length too large", good, len(body) + 10, ""},
		{"decoded length too small", good, len(body) - 10, ""},
		{"bad chunk size", "zz\r\n" + body + "\r\n0\r\n\r\n", len(body), ""},
		{"chunk longer than its size", "10\r\n" + body + "\r\n0\r\n\r\n", len(body), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := put("broken", c.payload, c.decoded)
			if r.Status < 400 || r.Status >= 500 || (c.code != "" && r.Code != c.code) {
				t.Errorf("got %d %s, want 4xx %s\n%s", r.Status, r.Code, c.code, r.Body)
			}
		})
	}
	if r := (rawRequest{Method: "HEAD", Target: "/sdk-a-data/broken", Key: rootAKey, Secret: rootASecret}).do(t, env); r.Status != 404 {
		t.Errorf("a broken upload was stored: %d", r.Status)
	}

	// DeleteObjects checks a trailing checksum.
	doc := "<Delete><Object><Key>absent</Key></Object></Delete>"
	for _, c := range []struct {
		crc    string
		status int
	}{{crc32b64([]byte("other")), 400}, {crc32b64([]byte(doc)), 200}} {
		r := rawRequest{Method: "POST", Target: "/sdk-a-data?delete", Body: []byte(chunked(doc, 16, "x-amz-checksum-crc32:"+c.crc)),
			PayloadHash: "STREAMING-UNSIGNED-PAYLOAD-TRAILER", Key: rootAKey, Secret: rootASecret, Header: map[string]string{
				"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": fmt.Sprint(len(doc)), "x-amz-trailer": "x-amz-checksum-crc32"}}.do(t, env)
		if r.Status != c.status || c.status == 400 && r.Code != "BadDigest" {
			t.Errorf("DeleteObjects with trailer %s: %d %s", c.crc, r.Status, r.Body)
		}
	}

	// UploadPart checks its trailing checksum too.
	created := rawRequest{Method: "POST", Target: "/sdk-a-data/mp?uploads", Key: rootAKey, Secret: rootASecret}.do(t, env)
	var initiated struct {
		UploadID string `xml:"UploadId"`
	}
	if xml.Unmarshal([]byte(created.Body), &initiated) != nil {
		t.Fatalf("create upload: %s", created.Body)
	}
	for _, c := range []struct {
		crc    string
		status int
	}{{crc32b64([]byte("other")), 400}, {crc32b64([]byte(body)), 200}} {
		r := put("mp?partNumber=1&uploadId="+initiated.UploadID, chunked(body, 4096, "x-amz-checksum-crc32:"+c.crc), len(body))
		if r.Status != c.status || c.status == 400 && r.Code != "BadDigest" || c.status == 200 && r.Header.Get("x-amz-checksum-crc32") != c.crc {
			t.Errorf("UploadPart with trailer %s: %d %s %v", c.crc, r.Status, r.Body, r.Header)
		}
	}
}

// TestRawSSEC: an upload asking for SSE-C (customer-provided keys) is
// refused, never stored unencrypted: 403 AccessDenied while the bucket
// blocks SSE-C (S3's default since April 2026), NotImplemented once the
// bucket's encryption configuration unblocks it.
func TestRawSSEC(t *testing.T) {
	env := startSDK(t)
	key := base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef"))
	keyMD5 := md5b64([]byte("0123456789abcdef0123456789abcdef"))
	ssec := map[string]string{"x-amz-server-side-encryption-customer-algorithm": "AES256",
		"x-amz-server-side-encryption-customer-key": key, "x-amz-server-side-encryption-customer-key-MD5": keyMD5}
	as := func(r rawRequest) rawResponse { r.Key, r.Secret = rootAKey, rootASecret; return r.do(t, env) }
	withSSEC := func(extra map[string]string) map[string]string {
		h := map[string]string{}
		for k, v := range ssec {
			h[k] = v
		}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	for _, c := range []struct {
		name string
		req  rawRequest
	}{
		{"PutObject", rawRequest{Method: "PUT", Target: "/sdk-a-data/ssec", Body: []byte("secret"), Header: ssec}},
		{"CreateMultipartUpload", rawRequest{Method: "POST", Target: "/sdk-a-data/ssec?uploads", Header: ssec}},
		{"CopyObject", rawRequest{Method: "PUT", Target: "/sdk-a-data/ssec", Header: withSSEC(map[string]string{"x-amz-copy-source": "/sdk-a-data/seed.txt"})}},
	} {
		if r := as(c.req); r.Status != 403 || r.Code != "AccessDenied" {
			t.Errorf("%s with SSE-C, blocked: %d %s", c.name, r.Status, r.Body)
		}
	}
	if r := as(rawRequest{Method: "HEAD", Target: "/sdk-a-data/ssec"}); r.Status != 404 {
		t.Fatalf("an SSE-C upload was stored: %d", r.Status)
	}

	unblock := `<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm>` +
		`</ApplyServerSideEncryptionByDefault><BlockedEncryptionTypes><EncryptionType>NONE</EncryptionType></BlockedEncryptionTypes></Rule></ServerSideEncryptionConfiguration>`
	if r := as(rawRequest{Method: "PUT", Target: "/sdk-a-data?encryption", Body: []byte(unblock),
		Header: map[string]string{"Content-MD5": md5b64([]byte(unblock))}}); r.Status != 200 {
		t.Fatalf("PutBucketEncryption: %d %s", r.Status, r.Body)
	}
	if r := as(rawRequest{Method: "PUT", Target: "/sdk-a-data/ssec", Body: []byte("secret"), Header: ssec}); r.Status != 501 || r.Code != "NotImplemented" {
		t.Errorf("PutObject with SSE-C, unblocked: %d %s", r.Status, r.Body)
	}
	if r := as(rawRequest{Method: "HEAD", Target: "/sdk-a-data/ssec"}); r.Status != 404 {
		t.Fatalf("an SSE-C upload was stored: %d", r.Status)
	}
}

// TestRawPartChecksumAlgorithm: a part's checksum must be of the algorithm
// its upload was created with; another is InvalidRequest and no part is
// stored.
func TestRawPartChecksumAlgorithm(t *testing.T) {
	env := startSDK(t)
	as := func(r rawRequest) rawResponse { r.Key, r.Secret = rootAKey, rootASecret; return r.do(t, env) }
	created := as(rawRequest{Method: "POST", Target: "/sdk-a-data/mp-alg?uploads", Header: map[string]string{"x-amz-checksum-algorithm": "CRC32"}})
	var initiated struct {
		UploadID string `xml:"UploadId"`
	}
	if created.Status != 200 || xml.Unmarshal([]byte(created.Body), &initiated) != nil {
		t.Fatalf("create upload: %d %s", created.Status, created.Body)
	}
	target := "/sdk-a-data/mp-alg?partNumber=1&uploadId=" + initiated.UploadID
	sum := sha256.Sum256([]byte("part"))
	r := as(rawRequest{Method: "PUT", Target: target, Body: []byte("part"),
		Header: map[string]string{"x-amz-checksum-sha256": base64.StdEncoding.EncodeToString(sum[:])}})
	if r.Status != 400 || r.Code != "InvalidRequest" || r.Message != "Checksum Type mismatch occurred, expected checksum Type: crc32, actual checksum Type: sha256" {
		t.Errorf("SHA256 part of a CRC32 upload: %d %s", r.Status, r.Body)
	}
	if r := as(rawRequest{Method: "GET", Target: "/sdk-a-data/mp-alg?uploadId=" + initiated.UploadID}); strings.Contains(r.Body, "<Part>") {
		t.Errorf("the refused part was stored: %s", r.Body)
	}
	if r := as(rawRequest{Method: "PUT", Target: target, Body: []byte("part"),
		Header: map[string]string{"x-amz-checksum-crc32": crc32b64([]byte("part"))}}); r.Status != 200 {
		t.Errorf("CRC32 part of a CRC32 upload: %d %s", r.Status, r.Body)
	}
}
