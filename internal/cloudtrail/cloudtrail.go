// Package cloudtrail writes the decision log as CloudTrail records
// (eventVersion 1.09), so that tooling made for CloudTrail logs — jq
// recipes, Athena-style queries, trail partitioners — reads what Sekisho
// decided.
package cloudtrail

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/audit"
)

// EventVersion is the record format written.
const EventVersion = "1.09"

// Log is a CloudTrail log file's document.
type Log struct {
	Records []Record `json:"Records"`
}

// Record is one CloudTrail event.
type Record struct {
	EventVersion       string         `json:"eventVersion"`
	UserIdentity       UserIdentity   `json:"userIdentity"`
	EventTime          string         `json:"eventTime"`
	EventSource        string         `json:"eventSource"`
	EventName          string         `json:"eventName"`
	AWSRegion          string         `json:"awsRegion"`
	SourceIPAddress    string         `json:"sourceIPAddress"`
	UserAgent          string         `json:"userAgent"`
	ErrorCode          string         `json:"errorCode,omitempty"`
	ErrorMessage       string         `json:"errorMessage,omitempty"`
	RequestParameters  map[string]any `json:"requestParameters"`
	ResponseElements   map[string]any `json:"responseElements"`
	RequestID          string         `json:"requestID"`
	EventID            string         `json:"eventID"`
	ReadOnly           bool           `json:"readOnly"`
	Resources          []Resource     `json:"resources,omitempty"`
	EventType          string         `json:"eventType"`
	ManagementEvent    bool           `json:"managementEvent"`
	RecipientAccountID string         `json:"recipientAccountId"`
	SharedEventID      string         `json:"sharedEventID,omitempty"`
	EventCategory      string         `json:"eventCategory"`
}

// UserIdentity is who made the request.
type UserIdentity struct {
	Type           string          `json:"type"`
	PrincipalID    string          `json:"principalId,omitempty"`
	ARN            string          `json:"arn,omitempty"`
	AccountID      string          `json:"accountId,omitempty"`
	AccessKeyID    string          `json:"accessKeyId,omitempty"`
	UserName       string          `json:"userName,omitempty"`
	SessionContext *SessionContext `json:"sessionContext,omitempty"`
}

// SessionContext describes temporary credentials.
type SessionContext struct {
	SessionIssuer *SessionIssuer    `json:"sessionIssuer,omitempty"`
	Attributes    map[string]string `json:"attributes"`
}

// SessionIssuer is the role (or user) that issued a session.
type SessionIssuer struct {
	Type        string `json:"type"`
	PrincipalID string `json:"principalId"`
	ARN         string `json:"arn"`
	AccountID   string `json:"accountId"`
	UserName    string `json:"userName"`
}

// Resource is one resource the event touched.
type Resource struct {
	Type      string `json:"type"`
	ARN       string `json:"ARN"`
	AccountID string `json:"accountId,omitempty"`
}

// FromExplanations turns logged decisions into records, oldest first. A
// cross-account request is recorded twice, as CloudTrail delivers it to
// both accounts: once per recipientAccountId, sharing a sharedEventID.
func FromExplanations(xs []audit.Explanation) Log {
	out := Log{Records: []Record{}}
	for i := range xs {
		out.Records = append(out.Records, records(&xs[i], i)...)
	}
	return out
}

// records is one decision's record, or its two for a cross-account call.
func records(x *audit.Explanation, seq int) []Record {
	r := record(x)
	id := fmt.Sprintf("%s/%d", x.RequestID, seq)
	r.EventID = uuidOf("event/" + id + "/" + r.RecipientAccountID)
	if x.ResourceAccount == "" || x.PrincipalAcct == "" || x.ResourceAccount == x.PrincipalAcct {
		return []Record{r}
	}
	other := r
	other.RecipientAccountID = x.ResourceAccount
	other.EventID = uuidOf("event/" + id + "/" + other.RecipientAccountID)
	shared := uuidOf("shared/" + id)
	r.SharedEventID, other.SharedEventID = shared, shared
	return []Record{r, other}
}

func record(x *audit.Explanation) Record {
	service, action, _ := strings.Cut(x.Action, ":")
	name := x.Operation
	if name == "" {
		name = action
	}
	r := Record{
		EventVersion: EventVersion, UserIdentity: identity(x), EventTime: x.Time.UTC().Format(time.RFC3339),
		EventSource: service + ".amazonaws.com", EventName: name, AWSRegion: orDefault(value(x, "aws:requestedregion"), "us-east-1"),
		SourceIPAddress: value(x, "aws:sourceip"), UserAgent: value(x, "aws:useragent"),
		RequestParameters: requestParameters(service, x), RequestID: x.RequestID, ReadOnly: readOnly(action),
		EventType: "AwsApiCall", ManagementEvent: true, EventCategory: "Management",
		RecipientAccountID: orDefault(x.PrincipalAcct, x.ResourceAccount),
	}
	if x.Decision != "allowed" {
		r.ErrorCode = "AccessDenied"
		r.ErrorMessage = x.Message
		if r.ErrorMessage == "" {
			r.ErrorMessage = "Access Denied"
		}
	}
	if service == "s3" {
		r.Resources = s3Resources(x)
		if isDataEvent(action) {
			r.ManagementEvent, r.EventCategory = false, "Data"
		}
	}
	return r
}

// identity is CloudTrail's userIdentity for the caller.
func identity(x *audit.Explanation) UserIdentity {
	u := UserIdentity{ARN: x.Principal, AccountID: x.PrincipalAcct, AccessKeyID: x.AccessKeyID,
		PrincipalID: value(x, "aws:userid")}
	switch x.PrincipalType {
	case "User":
		u.Type, u.UserName = "IAMUser", value(x, "aws:username")
	case "AssumedRole":
		u.Type = "AssumedRole"
	case "Account":
		u.Type = "Root"
	case "FederatedUser":
		u.Type = "FederatedUser"
	case "Anonymous":
		return UserIdentity{Type: "AWSAccount", AccountID: "anonymous"}
	case "Service":
		return UserIdentity{Type: "AWSService"}
	default:
		u.Type = x.PrincipalType
	}
	issued := value(x, "aws:tokenissuetime")
	if issued == "" {
		return u
	}
	u.SessionContext = &SessionContext{Attributes: map[string]string{
		"creationDate":     issued,
		"mfaAuthenticated": orDefault(value(x, "aws:multifactorauthpresent"), "false"),
	}}
	if roleARN := value(x, "aws:principalarn"); u.Type == "AssumedRole" && roleARN != "" {
		roleID, _, _ := strings.Cut(u.PrincipalID, ":")
		u.SessionContext.SessionIssuer = &SessionIssuer{Type: "Role", PrincipalID: roleID, ARN: roleARN,
			AccountID: x.PrincipalAcct, UserName: roleARN[strings.LastIndexByte(roleARN, '/')+1:]}
	}
	return u
}

// requestParameters are the documented request fields the decision
// knows: S3's bucketName, key and listing parameters, IAM's userName or
// roleName, STS's roleArn and roleSessionName.
func requestParameters(service string, x *audit.Explanation) map[string]any {
	p := map[string]any{}
	switch service {
	case "s3":
		rest, ok := strings.CutPrefix(x.Resource, "arn:aws:s3:::")
		if !ok {
			break
		}
		bucket, key, hasKey := strings.Cut(rest, "/")
		if bucket != "" {
			p["bucketName"] = bucket
		}
		if hasKey {
			p["key"] = key
		}
		for _, k := range []string{"prefix", "delimiter", "max-keys"} {
			if v, ok := x.Context["s3:"+k]; ok && len(v) > 0 {
				p[k] = v[0]
			}
		}
	case "iam":
		if parts := strings.SplitN(x.Resource, ":", 6); len(parts) == 6 {
			kind, name, _ := strings.Cut(parts[5], "/")
			if kind == "user" || kind == "role" || kind == "group" {
				p[kind+"Name"] = name[strings.LastIndexByte(name, '/')+1:]
			}
		}
	case "sts":
		if strings.Contains(x.Resource, ":role/") {
			p["roleArn"] = x.Resource
		}
		if v := value(x, "sts:rolesessionname"); v != "" {
			p["roleSessionName"] = v
		}
	}
	if len(p) == 0 {
		return nil
	}
	return p
}

// s3Resources lists the bucket and object of an S3 event.
func s3Resources(x *audit.Explanation) []Resource {
	rest, ok := strings.CutPrefix(x.Resource, "arn:aws:s3:::")
	if !ok || rest == "" || rest == "*" {
		return nil
	}
	bucket, _, hasKey := strings.Cut(rest, "/")
	out := []Resource{}
	if hasKey {
		out = append(out, Resource{Type: "AWS::S3::Object", ARN: x.Resource})
	}
	return append(out, Resource{Type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::" + bucket, AccountID: x.ResourceAccount})
}

// readOnly: the action reads (Get, List, Head, Describe).
func readOnly(action string) bool {
	for _, p := range []string{"Get", "List", "Head", "Describe"} {
		if strings.HasPrefix(action, p) {
			return true
		}
	}
	return false
}

// isDataEvent: S3 object-level actions are data events; bucket-level
// ones (and ListBucket) management events... except that CloudTrail
// counts ListObjects as a data event too.
func isDataEvent(action string) bool {
	return strings.Contains(action, "Object") || action == "ListBucket" || action == "ListBucketVersions" ||
		action == "ListMultipartUploadParts" || action == "AbortMultipartUpload"
}

// uuidOf is a stable UUID (version 8, name-based over SHA-256) for s, so
// that exporting the same log twice gives the same eventIDs.
func uuidOf(s string) string {
	h := sha256.Sum256([]byte(s))
	h[6] = h[6]&0x0f | 0x80
	h[8] = h[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", h[0:4], h[4:6], h[6:8], h[8:10], h[10:16])
}

// value is the first value of the logged condition key k (written in
// lower case by the log).
func value(x *audit.Explanation, k string) string {
	return first(x.Context[k])
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}
