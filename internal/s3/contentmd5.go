package s3

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"hash"
	"io"
)

// md5Reader passes a request body through and, at its end, checks it
// against Content-MD5. S3 takes the header as an integrity check of every
// request body (PutBucketPolicy, Put*Acl, CreateBucket, ...), not only of
// the uploads whose digests the object store checks: a body that does not
// match is BadDigest, a header that is no base64 MD5 InvalidDigest. The
// error surfaces where the handler reads the body, so it comes after the
// request's authorization, as the upload paths have always answered.
type md5Reader struct {
	body io.Reader
	want []byte // nil when the header does not decode to an MD5
	hash hash.Hash
	err  error // sticky once set
}

// withContentMD5 wraps body when the request carries Content-MD5.
func withContentMD5(body io.Reader, header string) io.Reader {
	if header == "" || body == nil {
		return body
	}
	want, err := base64.StdEncoding.DecodeString(header)
	if err != nil || len(want) != md5.Size {
		want = nil
	}
	return &md5Reader{body: body, want: want, hash: md5.New()}
}

// Read reads from the body, hashing as it goes; at the body's end a
// mismatch replaces io.EOF with a checkError (see blobError, readError).
func (m *md5Reader) Read(p []byte) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	if m.want == nil {
		m.err = checkError{s3Error("InvalidDigest")}
		return 0, m.err
	}
	n, err := m.body.Read(p)
	m.hash.Write(p[:n])
	if err == io.EOF && !bytes.Equal(m.hash.Sum(nil), m.want) {
		err = checkError{s3Error("BadDigest")}
	}
	if err != nil {
		m.err = err
	}
	return n, err
}
