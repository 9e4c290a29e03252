package cloudtrail

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/audit"
)

var at = time.Date(2026, 12, 5, 8, 0, 0, 123456000, time.UTC)

func explanation(principal, typ, action, resource, decision string, ctx map[string][]string) audit.Explanation {
	return audit.Explanation{Summary: audit.Summary{RequestID: "req-1", Time: at, Principal: principal, Action: action,
		Resource: resource, Decision: decision}, PrincipalType: typ, PrincipalAcct: "111111111111", ResourceAccount: "111111111111",
		Context: ctx}
}

// TestCrossAccountRecordedForBoth: a call on another account's bucket is
// delivered to both accounts, with distinct eventIDs and one sharedEventID.
func TestCrossAccountRecordedForBoth(t *testing.T) {
	x := explanation("arn:aws:sts::111111111111:assumed-role/App/s1", "AssumedRole", "s3:GetObject", "arn:aws:s3:::partner/k.csv", "allowed",
		map[string][]string{"aws:userid": {"AROAEXAMPLE:s1"}, "aws:principalarn": {"arn:aws:iam::111111111111:role/App"},
			"aws:tokenissuetime": {"2026-12-05T07:00:00Z"}, "aws:requestedregion": {"eu-west-1"}, "aws:sourceip": {"127.0.0.1"},
			"aws:useragent": {"aws-sdk-go-v2/1.0"}})
	x.ResourceAccount, x.CrossAccount, x.AccessKeyID, x.Operation = "222222222222", true, "ASIAEXAMPLE", "GetObject"
	log := FromExplanations([]audit.Explanation{x})
	if len(log.Records) != 2 {
		t.Fatalf("%d records, want 2", len(log.Records))
	}
	a, b := log.Records[0], log.Records[1]
	if a.RecipientAccountID != "111111111111" || b.RecipientAccountID != "222222222222" || a.EventID == b.EventID ||
		a.SharedEventID == "" || a.SharedEventID != b.SharedEventID {
		t.Fatalf("records: %+v / %+v", a, b)
	}
	u := a.UserIdentity
	if u.Type != "AssumedRole" || u.PrincipalID != "AROAEXAMPLE:s1" || u.AccessKeyID != "ASIAEXAMPLE" || u.SessionContext == nil ||
		u.SessionContext.SessionIssuer.PrincipalID != "AROAEXAMPLE" || u.SessionContext.SessionIssuer.UserName != "App" {
		t.Errorf("userIdentity: %+v", u)
	}
	if a.EventTime != "2026-12-05T08:00:00Z" || a.AWSRegion != "eu-west-1" || a.EventName != "GetObject" || !a.ReadOnly ||
		a.EventCategory != "Data" || a.RequestParameters["bucketName"] != "partner" || a.RequestParameters["key"] != "k.csv" {
		t.Errorf("record: %+v", a)
	}
	again := FromExplanations([]audit.Explanation{x})
	if again.Records[0].EventID != a.EventID {
		t.Error("eventIDs differ between two exports of the same log")
	}
}

// TestDenialAndAnonymous: a denial carries AccessDenied with the
// decision's message; an anonymous caller is CloudTrail's AWSAccount
// "anonymous"; IAM calls name their user.
func TestDenialAndAnonymous(t *testing.T) {
	denied := explanation("arn:aws:iam::111111111111:user/alice", "User", "iam:GetUser", "arn:aws:iam::111111111111:user/bob", "implicitly denied",
		map[string][]string{"aws:username": {"alice"}, "aws:userid": {"AIDAALICE"}})
	denied.Message = "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: iam:GetUser"
	anon := explanation("anonymous", "Anonymous", "s3:PutObject", "arn:aws:s3:::b/k", "implicitly denied", nil)
	anon.PrincipalAcct = ""
	log := FromExplanations([]audit.Explanation{denied, anon})
	if len(log.Records) != 2 {
		t.Fatalf("%d records", len(log.Records))
	}
	d := log.Records[0]
	if d.ErrorCode != "AccessDenied" || !strings.Contains(d.ErrorMessage, "not authorized") || d.UserIdentity.Type != "IAMUser" ||
		d.UserIdentity.UserName != "alice" || d.RequestParameters["userName"] != "bob" || !d.ReadOnly || !d.ManagementEvent ||
		d.EventSource != "iam.amazonaws.com" || d.AWSRegion != "us-east-1" {
		t.Errorf("denial: %+v", d)
	}
	a := log.Records[1]
	if a.UserIdentity.Type != "AWSAccount" || a.UserIdentity.AccountID != "anonymous" || a.ReadOnly || a.RecipientAccountID != "111111111111" {
		t.Errorf("anonymous: %+v", a)
	}
	b, err := json.Marshal(log)
	if err != nil || !strings.HasPrefix(string(b), `{"Records":[{"eventVersion":"1.09"`) {
		t.Errorf("JSON: %s %v", b, err)
	}
}
