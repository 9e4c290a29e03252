package s3

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
)

// The fuzz targets below feed the S3 decoders arbitrary input: each must
// answer (a value or an S3 error), never panic, and keep its invariants.

// FuzzRoute: method, bucket, key, query and x-amz-copy-source choose
// exactly one row of the request's method and level, or MethodNotAllowed
// or NotImplemented.
func FuzzRoute(f *testing.F) {
	f.Add("GET", "", "", "", "")
	f.Add("PUT", "b", "k", "tagging", "")
	f.Add("PUT", "b", "k", "", "/src/key")
	f.Add("POST", "b", "k", "uploadId=1&uploads", "")
	f.Add("DELETE", "b", "", "policy&delete", "")
	f.Add("PATCH", "b", "", "%zz&acl", "")
	f.Fuzz(func(t *testing.T, method, bucket, key, query, copySource string) {
		r := &http.Request{Method: method, URL: &url.URL{Path: "/", RawQuery: query}, Header: http.Header{}}
		if copySource != "" {
			r.Header.Set("x-amz-copy-source", copySource)
		}
		req := &Request{HTTP: r, Bucket: bucket, Key: key}
		op, e := route(req)
		if (op == nil) == (e == nil) {
			t.Fatalf("route gave op %v and error %v", op != nil, e)
		}
		if e != nil && !(e.Status == http.StatusMethodNotAllowed && e.Code == "MethodNotAllowed" ||
			e.Status == http.StatusNotImplemented && e.Code == "NotImplemented") {
			t.Fatalf("route error %d %s", e.Status, e.Code)
		}
		if op != nil && (op.Method != method || op.Level != levelOf(req) || op.Handler == nil) {
			t.Fatalf("route chose %s (%s %s) for %s at %s", op.Name, op.Method, op.Level, method, levelOf(req))
		}
	})
}

// wantCode fails unless e is a 400 with one of codes.
func wantCode(t *testing.T, e *Error, codes ...string) {
	t.Helper()
	if e.Status != http.StatusBadRequest || !slices.Contains(codes, e.Code) {
		t.Fatalf("error %d %s, want 400 %v", e.Status, e.Code, codes)
	}
}

// FuzzDeleteRequest: an accepted DeleteObjects body names 1 to 1,000
// non-empty keys.
func FuzzDeleteRequest(f *testing.F) {
	f.Add([]byte("<Delete><Object><Key>a</Key></Object></Delete>"))
	f.Add([]byte("<Delete><Quiet>true</Quiet><Object><Key/></Object></Delete>"))
	f.Add([]byte("<Delete><Object></Object></Delete>"))
	f.Add([]byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>&lt;x&gt;</Key><VersionId>1</VersionId></Object></Delete>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		in, e := parseDeleteRequest(raw)
		if e != nil {
			wantCode(t, e, "MalformedXML", "UserKeyMustBeSpecified")
			return
		}
		if len(in.Objects) < 1 || len(in.Objects) > 1000 {
			t.Fatalf("accepted %d objects", len(in.Objects))
		}
		for _, o := range in.Objects {
			if o.Key == nil || *o.Key == "" {
				t.Fatal("accepted an object without a key")
			}
		}
	})
}

// FuzzCompleteRequest: an accepted CompleteMultipartUpload body lists at
// least one part.
func FuzzCompleteRequest(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload></CompleteMultipartUpload>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		parts, e := parseCompleteRequest(raw)
		if e != nil {
			wantCode(t, e, "MalformedXML")
			return
		}
		if len(parts) == 0 {
			t.Fatal("accepted no parts")
		}
	})
}

// FuzzTagging: accepted tags pass S3's tag rules.
func FuzzTagging(f *testing.F) {
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`))
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key></Tag><Tag><Key>a</Key></Tag></TagSet></Tagging>`))
	f.Add([]byte(`<Tagging><TagSet><Tag><Key></Key><Value>\u0000</Value></Tag></TagSet></Tagging>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		tags, e := parseTagging(raw)
		if e != nil {
			wantCode(t, e, "MalformedXML", "InvalidTag")
			return
		}
		if e := checkTags(tags); e != nil {
			t.Fatalf("accepted tags that fail the rules: %v", e)
		}
	})
}

// FuzzLocationConstraint: an accepted CreateBucketConfiguration names a
// real region.
func FuzzLocationConstraint(f *testing.F) {
	f.Add([]byte(""), "us-east-1")
	f.Add([]byte("<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"), "eu-west-1")
	f.Add([]byte("<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>"), "us-east-1")
	f.Add([]byte("\x00garbage"), "mars-1")
	f.Fuzz(func(t *testing.T, body []byte, signed string) {
		region, e := parseLocationConstraint(body, signed)
		if e != nil {
			wantCode(t, e, "MalformedXML", "InvalidLocationConstraint", "IllegalLocationConstraintException")
			return
		}
		if !slices.Contains(awsRegions, region) {
			t.Fatalf("accepted region %q", region)
		}
	})
}

// FuzzRange: a served range lies inside the object, an ignored one is the
// whole object, a refused one is 416; an accepted copy range is a
// non-empty slice of the source.
func FuzzRange(f *testing.F) {
	for _, h := range []string{"bytes=0-4", "bytes=-3", "bytes=--5", "bytes=5-2", "bytes=10-", "bytes=-0", "bytes=99999999999999999999-", "bytes=0-1,3-4", "bytes=-"} {
		f.Add(h, int64(10))
		f.Add(h, int64(0))
	}
	f.Fuzz(func(t *testing.T, header string, size int64) {
		if size < 0 {
			size = -(size + 1)
		}
		start, length, partial, e := byteRange(header, size)
		switch {
		case e != nil:
			if e.Status != http.StatusRequestedRangeNotSatisfiable || e.Code != "InvalidRange" {
				t.Fatalf("range error %d %s", e.Status, e.Code)
			}
		case partial:
			if start < 0 || length < 1 || start > size-length {
				t.Fatalf("%q of %d: served %d+%d", header, size, start, length)
			}
		case start != 0 || length != size:
			t.Fatalf("%q of %d: ignored as %d+%d", header, size, start, length)
		}
		start, length, e = copyRange(header, size)
		if e != nil {
			wantCode(t, e, "InvalidArgument")
			return
		}
		if start < 0 || length < 1 || start > size-length {
			t.Fatalf("copy %q of %d: %d+%d", header, size, start, length)
		}
	})
}
