package sigv2

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// FuzzVerify: any Authorization header, query and path parse and verify
// without panicking, and a wrong secret never verifies.
func FuzzVerify(f *testing.F) {
	f.Add("AWS AK:c2ln", "", "/b/k", "Tue, 27 Mar 2007 19:36:42 +0000")
	f.Add("", "AWSAccessKeyId=AK&Expires=1175139620&Signature=c2ln&acl&versionId=%ZZ", "/b", "")
	f.Add("AWS :", "Signature=&x-amz-security-token=%2", "/", "garbage")
	f.Add("AWS AK:c2ln", "X-Amz-Signature=0&tagging=", "/b/%2F", "Mon, 02 Jan 2006 15:04:05 GMT")
	f.Fuzz(func(t *testing.T, authorization, rawQuery, path, date string) {
		r := &http.Request{Method: "GET", URL: &url.URL{Path: path, RawQuery: rawQuery}, Header: http.Header{}, RequestURI: path + "?" + rawQuery}
		r.Header.Set("Authorization", authorization)
		r.Header.Set("Date", date)
		a, err := Parse(r)
		if err != nil || a == nil {
			return
		}
		_ = StringToSign(r, a, "bucket")
		if err := Verify(r, a, "secret", "", time.Unix(1175139000, 0)); err == nil {
			t.Fatalf("a made-up signature verified: %q %q", authorization, rawQuery)
		}
	})
}
