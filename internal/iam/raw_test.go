package iam_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// allActions is every action the service implements.
var allActions = []string{
	"CreateUser", "GetUser", "ListUsers", "UpdateUser", "DeleteUser", "TagUser", "UntagUser", "ListUserTags",
	"PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary",
	"CreateLoginProfile", "GetLoginProfile", "UpdateLoginProfile", "DeleteLoginProfile",
	"CreateAccessKey", "ListAccessKeys", "UpdateAccessKey", "DeleteAccessKey", "GetAccessKeyLastUsed",
	"CreateGroup", "GetGroup", "ListGroups", "UpdateGroup", "DeleteGroup", "AddUserToGroup", "RemoveUserFromGroup", "ListGroupsForUser",
	"CreateRole", "GetRole", "ListRoles", "UpdateRole", "UpdateRoleDescription", "UpdateAssumeRolePolicy", "DeleteRole",
	"TagRole", "UntagRole", "ListRoleTags", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
	"CreatePolicy", "GetPolicy", "ListPolicies", "DeletePolicy", "CreatePolicyVersion", "GetPolicyVersion",
	"ListPolicyVersions", "DeletePolicyVersion", "SetDefaultPolicyVersion", "ListEntitiesForPolicy",
	"AttachUserPolicy", "DetachUserPolicy", "ListAttachedUserPolicies",
	"AttachGroupPolicy", "DetachGroupPolicy", "ListAttachedGroupPolicies",
	"AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies",
	"PutUserPolicy", "GetUserPolicy", "ListUserPolicies", "DeleteUserPolicy",
	"PutGroupPolicy", "GetGroupPolicy", "ListGroupPolicies", "DeleteGroupPolicy",
	"PutRolePolicy", "GetRolePolicy", "ListRolePolicies", "DeleteRolePolicy",
	"CreateInstanceProfile", "GetInstanceProfile", "ListInstanceProfiles", "ListInstanceProfilesForRole",
	"AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile", "DeleteInstanceProfile",
	"GetAccountAuthorizationDetails", "GetAccountSummary", "ListAccountAliases", "CreateAccountAlias", "DeleteAccountAlias",
	"SimulatePrincipalPolicy", "SimulateCustomPolicy",
	"GetAccountPasswordPolicy", "TagPolicy", "UntagPolicy", "ListPolicyTags",
	"ListSSHPublicKeys", "ListSigningCertificates", "ListServiceSpecificCredentials", "ListServerCertificates",
}

func form(action string, params ...string) string {
	v := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Add(params[i], params[i+1])
	}
	return v.Encode()
}

func wantRaw(t *testing.T, status int, body string, wantStatus int, wantInBody ...string) {
	t.Helper()
	if status != wantStatus {
		t.Fatalf("status %d, want %d: %s", status, wantStatus, body)
	}
	for _, s := range wantInBody {
		if !strings.Contains(body, s) {
			t.Fatalf("body lacks %q: %s", s, body)
		}
	}
}

func TestRawProtocolErrors(t *testing.T) {
	env := start(t)
	call := func(body string) (int, string) { return raw(t, env, rootAKey, rootASecret, body) }

	status, body := call("Action=Frobnicate&Version=2010-05-08")
	wantRaw(t, status, body, 400, "<Code>InvalidAction</Code>", "<Type>Sender</Type>")
	status, body = call("Action=ListUsers&Version=2011-06-15")
	wantRaw(t, status, body, 400, "<Code>InvalidAction</Code>")
	status, body = call("Action=ListUsers")
	wantRaw(t, status, body, 400)

	status, body = call(form("CreateUser"))
	wantRaw(t, status, body, 400, "<Code>ValidationError</Code>",
		"1 validation error detected: Value null at &#39;userName&#39; failed to satisfy constraint: Member must not be null")
	status, body = call(form("CreateRole", "RoleName", "r"))
	wantRaw(t, status, body, 400, "Value null at &#39;assumeRolePolicyDocument&#39;")
	status, body = call(form("ListUsers", "MaxItems", "many"))
	wantRaw(t, status, body, 400, "<Code>ValidationError</Code>")
	status, body = call(form("ListUsers", "Marker", "!!not-base64!!"))
	wantRaw(t, status, body, 400)

	// A user name that is not UTF-8 is refused, and nothing is created.
	status, body = call("Action=CreateUser&Version=2010-05-08&UserName=%FF%FEbad")
	wantRaw(t, status, body, 400)
	users := must(client(env, rootAKey, rootASecret).ListUsers(bg, &iam.ListUsersInput{}))(t).Users
	if len(users) != 0 {
		t.Fatalf("users after a refused CreateUser: %d", len(users))
	}

	// A 10 MB body is an error, not a crash.
	huge := form("CreateUser", "UserName", "big", "Path", "/"+strings.Repeat("a", 10<<20)+"/")
	status, body = call(huge)
	if status < 400 || status >= 500 || !strings.Contains(body, "<Error>") {
		t.Fatalf("10 MB body: %d %.200s", status, body)
	}

	// A successful raw call has the Query shape.
	status, body = call(form("GetAccountSummary"))
	wantRaw(t, status, body, 200, `<GetAccountSummaryResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">`,
		"<GetAccountSummaryResult><SummaryMap><entry><key>", "<ResponseMetadata><RequestId>")
}

// TestNoServerErrors sends every action with no parameters and then with
// nonsense ones: whatever happens, the answer is never a 5xx.
func TestNoServerErrors(t *testing.T) {
	env := start(t)
	nonsense := []string{
		"UserName", "x y", "GroupName", "g", "RoleName", "r", "NewUserName", "", "NewPath", "//",
		"PolicyArn", "arn:aws:iam::111111111111:policy/x", "PolicyDocument", "{", "AssumeRolePolicyDocument", `{"Statement":{}}`,
		"PolicyName", "p", "InstanceProfileName", "ip", "VersionId", "v0", "AccessKeyId", "AKIAXXXXXXXXXXXXXXXX",
		"PolicySourceArn", "arn:aws:iam::111111111111:user/", "ActionNames.member.1", "s3", "PolicyInputList.member.1", "[]",
		"ResourcePolicy", "null", "ResourceOwner", "arn:", "CallerArn", "arn:aws:sts::1:assumed-role/a/b",
		"ContextEntries.member.1.ContextKeyType", "weird", "Status", "On", "Password", "\x01", "AccountAlias", "-",
		"Tags.member.1.Key", "aws:x", "TagKeys.member.1", "", "MaxItems", "0", "Marker", "AA", "Scope", "Mine",
		"MaxSessionDuration", "1e9", "PermissionsBoundary", "arn:aws:iam::aws:policy/", "Filter.member.1", "Everything",
		"EntityFilter", "Robot", "PathPrefix", "no-slash", "Description", "\x00", "SetAsDefault", "maybe",
	}
	for _, action := range allActions {
		for _, body := range []string{form(action), form(action, nonsense...)} {
			status, resp := raw(t, env, rootAKey, rootASecret, body)
			if status >= 500 {
				t.Errorf("%s: %d %s", action, status, resp)
			}
		}
		status, resp := raw(t, env, carolKey, carolSecret, form(action, nonsense...))
		if status >= 500 {
			t.Errorf("%s as carol: %d %s", action, status, resp)
		}
	}
}
