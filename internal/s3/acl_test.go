package s3

import (
	"net/http"
	"slices"
	"testing"
)

// TestCannedGrants pins the canned ACL table of the S3 user guide.
func TestCannedGrants(t *testing.T) {
	const owner, bucketOwner = "222222222222", "111111111111"
	full := func(a string) aclGrant { return ownerFull(a) }
	for _, tc := range []struct {
		canned string
		object bool
		want   []aclGrant
	}{
		{"private", true, []aclGrant{full(owner)}},
		{"public-read", true, []aclGrant{full(owner), {URI: allUsersURI, Permission: permRead}}},
		{"public-read-write", false, []aclGrant{full(owner), {URI: allUsersURI, Permission: permRead}, {URI: allUsersURI, Permission: permWrite}}},
		{"authenticated-read", true, []aclGrant{full(owner), {URI: authUsersURI, Permission: permRead}}},
		{"aws-exec-read", true, []aclGrant{full(owner), {ID: execReadID, Permission: permRead}}},
		{"bucket-owner-read", true, []aclGrant{full(owner), {ID: canonicalID(bucketOwner), Permission: permRead}}},
		{"bucket-owner-full-control", true, []aclGrant{full(owner), full(bucketOwner)}},
		{"bucket-owner-full-control", false, []aclGrant{full(owner)}},
		{"log-delivery-write", false, []aclGrant{full(owner), {URI: logDeliveryURI, Permission: permWrite}, {URI: logDeliveryURI, Permission: permReadACP}}},
	} {
		got, ok := cannedGrants(tc.canned, owner, bucketOwner, tc.object)
		if !ok || !slices.Equal(got, tc.want) {
			t.Errorf("%s (object %v): %v, want %v", tc.canned, tc.object, got, tc.want)
		}
	}
	if _, ok := cannedGrants("public", owner, owner, true); ok {
		t.Error("unknown canned ACL accepted")
	}
}

// TestHeaderGrants: grant headers as S3 reads them, and its refusals.
func TestHeaderGrants(t *testing.T) {
	h := http.Header{}
	h.Set("x-amz-grant-read", `id="`+canonicalID("222222222222")+`", uri="`+allUsersURI+`"`)
	h.Set("x-amz-grant-write-acp", `id="`+canonicalID("111111111111")+`"`)
	got, e := headerGrants(h, "111111111111", "111111111111", true)
	if e != nil || len(got) != 3 || !hasPublicGrant(got) {
		t.Fatalf("grants %v, %v", got, e)
	}
	for _, bad := range []struct {
		header, value, code string
	}{
		{"x-amz-grant-read", `id="abc"`, "InvalidArgument"},
		{"x-amz-grant-read", `uri="http://example.com/group"`, "InvalidArgument"},
		{"x-amz-grant-read", `nonsense`, "InvalidArgument"},
		{"x-amz-grant-read", `emailAddress="a@example.com"`, "UnresolvableGrantByEmailAddress"},
		{"x-amz-acl", "public", "InvalidArgument"},
	} {
		h := http.Header{}
		h.Set(bad.header, bad.value)
		if _, e := headerGrants(h, "111111111111", "111111111111", true); e == nil || e.Code != bad.code {
			t.Errorf("%s: %s: %v, want %s", bad.header, bad.value, e, bad.code)
		}
	}
	h = http.Header{}
	h.Set("x-amz-acl", "private")
	h.Set("x-amz-grant-read", `uri="`+allUsersURI+`"`)
	if _, e := headerGrants(h, "111111111111", "111111111111", true); e == nil || e.Code != "InvalidRequest" {
		t.Errorf("canned and grants together: %v", e)
	}
}

// TestParseACLBody: an AccessControlPolicy body, and the malformed ones.
func TestParseACLBody(t *testing.T) {
	owner := canonicalID("111111111111")
	doc := func(grants string) []byte {
		return []byte(`<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` + owner + `</ID></Owner><AccessControlList>` + grants + `</AccessControlList></AccessControlPolicy>`)
	}
	grant := func(typ, inner, perm string) string {
		return `<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="` + typ + `">` + inner + `</Grantee><Permission>` + perm + `</Permission></Grant>`
	}
	got, e := parseACLBody(doc(grant("CanonicalUser", "<ID>"+owner+"</ID>", "FULL_CONTROL")+grant("Group", "<URI>"+allUsersURI+"</URI>", "READ")), "111111111111")
	if e != nil || !slices.Equal(got, []aclGrant{ownerFull("111111111111"), {URI: allUsersURI, Permission: permRead}}) {
		t.Fatalf("%v %v", got, e)
	}
	for name, body := range map[string][]byte{
		"not xml":        []byte("<"),
		"bad permission": doc(grant("Group", "<URI>"+allUsersURI+"</URI>", "EVERYTHING")),
		"bad type":       doc(grant("Robot", "<ID>"+owner+"</ID>", "READ")),
		"no owner":       []byte(`<AccessControlPolicy><AccessControlList/></AccessControlPolicy>`),
	} {
		if _, e := parseACLBody(body, "111111111111"); e == nil || e.Code != "MalformedACLError" {
			t.Errorf("%s: %v", name, e)
		}
	}
	if _, e := parseACLBody(doc(""), "222222222222"); e == nil || e.Code != "AccessDenied" {
		t.Errorf("another owner: %v", e)
	}
}
