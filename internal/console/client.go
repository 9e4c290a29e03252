package console

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"

	"github.com/sekisho/sekisho/internal/sigv4"
)

// apiError is an AWS error answer, as the console shows it.
type apiError struct {
	Status    int
	Code      string
	Message   string
	RequestID string
	Region    string // S3: the bucket's region, when the signing region was wrong
}

func (e *apiError) Error() string { return e.Code + ": " + e.Message }

// errorXML covers the Query (ErrorResponse) and S3 (Error) error shapes.
type errorXML struct {
	Code      string `xml:"Error>Code"`
	Message   string `xml:"Error>Message"`
	RequestID string `xml:"RequestId"`
	S3Code    string `xml:"Code"`
	S3Message string `xml:"Message"`
	Region    string `xml:"Region"`
}

func parseError(status int, body []byte, requestID string) *apiError {
	var x errorXML
	_ = xml.Unmarshal(body, &x)
	e := &apiError{Status: status, Code: x.Code, Message: x.Message, RequestID: x.RequestID, Region: x.Region}
	if e.Code == "" {
		e.Code, e.Message = x.S3Code, x.S3Message
	}
	if e.RequestID == "" {
		e.RequestID = requestID
	}
	if e.Code == "" {
		e.Code = http.StatusText(status)
	}
	return e
}

// signingRegion is the region the console signs IAM, STS and S3 calls for;
// S3 answers with a bucket's own region when it differs, and the call is
// signed again for it.
const signingRegion = "us-east-1"

// send signs req's copy as cred and serves it through the front door, as
// if the browser's own client had sent it.
func (c *Console) send(browser *http.Request, cred credential, service, region, method, target string, body []byte, header http.Header) (*httptest.ResponseRecorder, error) {
	req, err := http.NewRequestWithContext(browser.Context(), method, "http://127.0.0.1"+target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.RemoteAddr = browser.RemoteAddr
	req.Header.Set("User-Agent", "sekisho-console")
	if err := sigv4.Sign(req, body, cred.AccessKeyID, cred.Secret, cred.Token, region, service, c.cfg.Now()); err != nil {
		return nil, err
	}
	rec := httptest.NewRecorder()
	c.door().ServeHTTP(rec, req)
	return rec, nil
}

// query calls an IAM or STS action and decodes its result into out.
func (c *Console) query(browser *http.Request, cred credential, service string, params url.Values, out any) *apiError {
	if params.Get("Version") == "" {
		if service == "sts" {
			params.Set("Version", "2011-06-15")
		} else {
			params.Set("Version", "2010-05-08")
		}
	}
	body := []byte(params.Encode())
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	rec, err := c.send(browser, cred, service, signingRegion, http.MethodPost, "/", body, h)
	if err != nil {
		return &apiError{Status: http.StatusInternalServerError, Code: "ConsoleError", Message: err.Error()}
	}
	if rec.Code != http.StatusOK {
		return parseError(rec.Code, rec.Body.Bytes(), rec.Header().Get("x-amzn-RequestId"))
	}
	if out != nil {
		if err := xml.Unmarshal(rec.Body.Bytes(), out); err != nil {
			return &apiError{Status: http.StatusInternalServerError, Code: "ConsoleError", Message: "unreadable answer: " + err.Error()}
		}
	}
	return nil
}

// s3Call makes an S3 REST call; path is /bucket/key (already escaped).
func (c *Console) s3Call(browser *http.Request, cred credential, method, path string, q url.Values, body []byte, header http.Header) (*httptest.ResponseRecorder, *apiError) {
	target := path
	if len(q) > 0 {
		target += "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
	}
	region := signingRegion
	for attempt := 0; ; attempt++ {
		rec, err := c.send(browser, cred, "s3", region, method, target, body, header.Clone())
		if err != nil {
			return nil, &apiError{Status: http.StatusInternalServerError, Code: "ConsoleError", Message: err.Error()}
		}
		if rec.Code < 300 || rec.Code == http.StatusNotModified {
			return rec, nil
		}
		e := parseError(rec.Code, rec.Body.Bytes(), rec.Header().Get("x-amz-request-id"))
		if attempt == 0 && e.Region != "" && e.Region != region {
			region = e.Region
			continue
		}
		return rec, e
	}
}

// objectPath is the escaped path of a bucket's key.
func objectPath(bucket, key string) string {
	parts := strings.Split(key, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return "/" + url.PathEscape(bucket) + "/" + strings.Join(parts, "/")
}
