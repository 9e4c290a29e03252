// Package stsclient is a small client of the STS Query API (AssumeRole,
// GetCallerIdentity) for the tool's own commands: it posts a SigV4-signed
// form and decodes the XML result, or the ErrorResponse into an *Error
// carrying AWS's code and message. The AWS SDK is for tests only.
package stsclient

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sekisho/sekisho/internal/sigv4"
)

// APIVersion is the STS API version sent with every call.
const APIVersion = "2011-06-15"

// maxResponse bounds what a response may hold.
const maxResponse = 1 << 20

// Credentials sign the client's calls.
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string // for temporary credentials
}

// Client calls one STS endpoint with one set of credentials.
type Client struct {
	Endpoint    string // e.g. http://127.0.0.1:4566
	Region      string // the signing region
	Credentials Credentials
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Now is the signing clock; nil means time.Now.
	Now func() time.Time
}

// Error is an STS error response.
type Error struct {
	StatusCode int
	Type       string // Sender or Receiver
	Code       string // e.g. AccessDenied
	Message    string
	RequestID  string
}

// Error renders "Code: Message".
func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// AssumeRoleInput is AssumeRole's parameters.
type AssumeRoleInput struct {
	RoleARN         string
	RoleSessionName string
	DurationSeconds int    // 0 leaves it to the server (one hour)
	ExternalID      string // "" sends none
}

// TemporaryCredentials are an STS session's keys.
type TemporaryCredentials struct {
	AccessKeyID     string    `xml:"AccessKeyId"`
	SecretAccessKey string    `xml:"SecretAccessKey"`
	SessionToken    string    `xml:"SessionToken"`
	Expiration      time.Time `xml:"Expiration"`
}

// AssumedRoleUser identifies the new session.
type AssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	ARN           string `xml:"Arn"`
}

// AssumeRoleOutput is AssumeRole's result.
type AssumeRoleOutput struct {
	Credentials      TemporaryCredentials `xml:"AssumeRoleResult>Credentials"`
	AssumedRoleUser  AssumedRoleUser      `xml:"AssumeRoleResult>AssumedRoleUser"`
	PackedPolicySize *int                 `xml:"AssumeRoleResult>PackedPolicySize"`
	SourceIdentity   string               `xml:"AssumeRoleResult>SourceIdentity"`
	RequestID        string               `xml:"ResponseMetadata>RequestId"`
}

// CallerIdentity is GetCallerIdentity's result.
type CallerIdentity struct {
	ARN     string `xml:"GetCallerIdentityResult>Arn"`
	UserID  string `xml:"GetCallerIdentityResult>UserId"`
	Account string `xml:"GetCallerIdentityResult>Account"`
}

// AssumeRole calls sts:AssumeRole.
func (c *Client) AssumeRole(ctx context.Context, in AssumeRoleInput) (*AssumeRoleOutput, error) {
	form := url.Values{"RoleArn": {in.RoleARN}, "RoleSessionName": {in.RoleSessionName}}
	if in.DurationSeconds != 0 {
		form.Set("DurationSeconds", strconv.Itoa(in.DurationSeconds))
	}
	if in.ExternalID != "" {
		form.Set("ExternalId", in.ExternalID)
	}
	out := &AssumeRoleOutput{}
	if err := c.call(ctx, "AssumeRole", form, out); err != nil {
		return nil, err
	}
	return out, nil
}

// GetCallerIdentity calls sts:GetCallerIdentity.
func (c *Client) GetCallerIdentity(ctx context.Context) (*CallerIdentity, error) {
	out := &CallerIdentity{}
	if err := c.call(ctx, "GetCallerIdentity", url.Values{}, out); err != nil {
		return nil, err
	}
	return out, nil
}

type decodedMessage struct {
	Message string `xml:"DecodeAuthorizationMessageResult>DecodedMessage"`
}

// DecodeAuthorizationMessage calls sts:DecodeAuthorizationMessage and
// returns the decoded JSON document.
func (c *Client) DecodeAuthorizationMessage(ctx context.Context, encoded string) (string, error) {
	out := &decodedMessage{}
	if err := c.call(ctx, "DecodeAuthorizationMessage", url.Values{"EncodedMessage": {encoded}}, out); err != nil {
		return "", err
	}
	return out.Message, nil
}

// call posts one action and decodes its result into out.
func (c *Client) call(ctx context.Context, action string, form url.Values, out any) error {
	req, err := c.request(ctx, action, form)
	if err != nil {
		return err
	}
	httpClient := c.HTTP
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return fmt.Errorf("sts %s: %w", action, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("sts %s: read response: %w", action, err)
	}
	if resp.StatusCode/100 != 2 {
		return decodeError(resp.StatusCode, body)
	}
	if err := xml.Unmarshal(body, out); err != nil {
		return fmt.Errorf("sts %s: decode response: %w", action, err)
	}
	return nil
}

// request builds and signs the POST of one action.
func (c *Client) request(ctx context.Context, action string, form url.Values) (*http.Request, error) {
	form.Set("Action", action)
	form.Set("Version", APIVersion)
	body := []byte(form.Encode())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.Endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("sts %s: %w", action, err)
	}
	if req.URL.Path == "" {
		req.URL.Path = "/"
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	cr := c.Credentials
	if err := sigv4.Sign(req, body, cr.AccessKeyID, cr.SecretAccessKey, cr.SessionToken, c.Region, "sts", now()); err != nil {
		return nil, fmt.Errorf("sts %s: %w", action, err)
	}
	return req, nil
}

type errorResponse struct {
	Type      string `xml:"Error>Type"`
	Code      string `xml:"Error>Code"`
	Message   string `xml:"Error>Message"`
	RequestID string `xml:"RequestId"`
}

// decodeError turns an error response into an *Error; a body that is not
// an ErrorResponse still gives one, with the HTTP status as its code.
func decodeError(status int, body []byte) error {
	var er errorResponse
	if err := xml.Unmarshal(body, &er); err != nil || er.Code == "" {
		return &Error{StatusCode: status, Code: http.StatusText(status), Message: string(bytes.TrimSpace(truncate(body, 200)))}
	}
	return &Error{StatusCode: status, Type: er.Type, Code: er.Code, Message: er.Message, RequestID: er.RequestID}
}

func truncate(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// AsError returns err's *Error, if it holds one.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
