package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestUserLifecycle(t *testing.T) {
	_, c := rootA(t)
	created := must(c.CreateUser(bg, &iam.CreateUserInput{
		UserName: aws.String("dave"), Path: aws.String("/dev/"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("infra")}},
	}))(t)
	u := created.User
	if *u.UserName != "dave" || *u.Path != "/dev/" || *u.Arn != "arn:aws:iam::111111111111:user/dev/dave" ||
		!strings.HasPrefix(*u.UserId, "AIDA") || len(*u.UserId) != 21 || u.CreateDate == nil {
		t.Fatalf("CreateUser: %+v", u)
	}

	got := must(c.GetUser(bg, &iam.GetUserInput{UserName: aws.String("DAVE")}))(t).User
	if *got.UserName != "dave" || *got.UserId != *u.UserId || len(got.Tags) != 1 || *got.Tags[0].Value != "infra" {
		t.Fatalf("GetUser (names compare case-insensitively): %+v", got)
	}

	must(c.UpdateUser(bg, &iam.UpdateUserInput{UserName: aws.String("dave"), NewUserName: aws.String("david"), NewPath: aws.String("/ops/")}))(t)
	renamed := must(c.GetUser(bg, &iam.GetUserInput{UserName: aws.String("david")}))(t).User
	if *renamed.Arn != "arn:aws:iam::111111111111:user/ops/david" || *renamed.UserId != *u.UserId {
		t.Fatalf("after UpdateUser: %+v", renamed)
	}
	_, err := c.GetUser(bg, &iam.GetUserInput{UserName: aws.String("dave")})
	wantError(t, err, "NoSuchEntity", 404, "The user with name dave cannot be found.")

	listed := must(c.ListUsers(bg, &iam.ListUsersInput{PathPrefix: aws.String("/ops/")}))(t)
	if len(listed.Users) != 1 || *listed.Users[0].UserName != "david" || listed.IsTruncated {
		t.Fatalf("ListUsers /ops/: %+v", listed.Users)
	}

	must(c.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("david")}))(t)
	_, err = c.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("david")})
	wantCode(t, err, "NoSuchEntity", 404)
}

func TestCreateUserErrors(t *testing.T) {
	_, c := rootA(t)
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("erin")}))(t)
	_, err := c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("ERIN")})
	wantError(t, err, "EntityAlreadyExists", 409, "User with name ERIN already exists.")

	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("bad name!")})
	wantError(t, err, "ValidationError", 400,
		`1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`)

	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(strings.Repeat("a", 65)), Path: aws.String("no-slashes")})
	wantError(t, err, "ValidationError", 400, "2 validation errors detected: Value '"+strings.Repeat("a", 65)+
		"' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64; "+
		`Value 'no-slashes' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)

	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("frank"),
		PermissionsBoundary: aws.String("arn:aws:iam::111111111111:policy/Nope")})
	wantError(t, err, "NoSuchEntity", 404, "Scope ARN: arn:aws:iam::111111111111:policy/Nope does not exist or is not attachable.")
	_, err = c.GetUser(bg, &iam.GetUserInput{UserName: aws.String("frank")})
	wantCode(t, err, "NoSuchEntity", 404) // nothing half-written

	_, err = c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("gail"), Tags: []types.Tag{
		{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}})
	wantCode(t, err, "InvalidInput", 400)
}

func TestGetUserDefaultsToCaller(t *testing.T) {
	env, root := rootA(t)
	me := must(root.GetUser(bg, &iam.GetUserInput{}))(t).User
	if *me.Arn != "arn:aws:iam::111111111111:root" || *me.UserId != accountA {
		t.Fatalf("root GetUser: %+v", me)
	}
	// Without UserName, a user asks about itself, which still needs iam:GetUser.
	_, err := client(env, carolKey, carolSecret).GetUser(bg, &iam.GetUserInput{})
	wantError(t, err, "AccessDenied", 403, "User: arn:aws:iam::222222222222:user/carol is not authorized to perform: "+
		"iam:GetUser on resource: arn:aws:iam::222222222222:user/carol because no identity-based policy allows the iam:GetUser action")
}

func TestListUsersPagination(t *testing.T) {
	_, c := rootA(t)
	for _, name := range []string{"u1", "u2", "u3"} {
		must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(name), Path: aws.String("/page/")}))(t)
	}
	var names []string
	in := &iam.ListUsersInput{PathPrefix: aws.String("/page/"), MaxItems: aws.Int32(1)}
	for pages := 0; ; pages++ {
		if pages > 3 {
			t.Fatal("pagination does not end")
		}
		out := must(c.ListUsers(bg, in))(t)
		if len(out.Users) != 1 {
			t.Fatalf("page of %d users", len(out.Users))
		}
		names = append(names, *out.Users[0].UserName)
		if !out.IsTruncated {
			if out.Marker != nil {
				t.Fatal("last page has a marker")
			}
			break
		}
		in.Marker = out.Marker
	}
	if strings.Join(names, ",") != "u1,u2,u3" {
		t.Fatalf("pages: %v", names)
	}

	// The SDK's paginator walks the same pages.
	p := iam.NewListUsersPaginator(c, &iam.ListUsersInput{PathPrefix: aws.String("/page/"), MaxItems: aws.Int32(2)})
	count := 0
	for p.HasMorePages() {
		count += len(must(p.NextPage(bg))(t).Users)
	}
	if count != 3 {
		t.Fatalf("paginator saw %d users", count)
	}

	_, err := c.ListUsers(bg, &iam.ListUsersInput{MaxItems: aws.Int32(1001)})
	wantCode(t, err, "ValidationError", 400)
}

func TestUserTagsAndBoundary(t *testing.T) {
	_, c := rootA(t)
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("tina")}))(t)
	must(c.TagUser(bg, &iam.TagUserInput{UserName: aws.String("tina"), Tags: []types.Tag{
		{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("b"), Value: aws.String("2")}}}))(t)
	must(c.TagUser(bg, &iam.TagUserInput{UserName: aws.String("tina"), Tags: []types.Tag{{Key: aws.String("A"), Value: aws.String("3")}}}))(t)
	must(c.UntagUser(bg, &iam.UntagUserInput{UserName: aws.String("tina"), TagKeys: []string{"b"}}))(t)
	tags := must(c.ListUserTags(bg, &iam.ListUserTagsInput{UserName: aws.String("tina")}))(t).Tags
	if len(tags) != 1 || *tags[0].Key != "A" || *tags[0].Value != "3" {
		t.Fatalf("tags: %+v", tags)
	}
	many := func(n int, prefix string) []types.Tag {
		var tags []types.Tag
		for i := 0; i < n; i++ {
			tags = append(tags, types.Tag{Key: aws.String(fmt.Sprintf("%s%d", prefix, i)), Value: aws.String("v")})
		}
		return tags
	}
	_, err := c.TagUser(bg, &iam.TagUserInput{UserName: aws.String("tina"), Tags: many(51, "k")})
	wantCode(t, err, "ValidationError", 400)
	_, err = c.TagUser(bg, &iam.TagUserInput{UserName: aws.String("tina"), Tags: many(50, "k")})
	wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for TagsPerUser: 50")
	_, err = c.TagUser(bg, &iam.TagUserInput{UserName: aws.String("nobody"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	wantCode(t, err, "NoSuchEntity", 404)

	boundary := "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
	must(c.PutUserPermissionsBoundary(bg, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("tina"), PermissionsBoundary: aws.String(boundary)}))(t)
	u := must(c.GetUser(bg, &iam.GetUserInput{UserName: aws.String("tina")}))(t).User
	if u.PermissionsBoundary == nil || *u.PermissionsBoundary.PermissionsBoundaryArn != boundary ||
		u.PermissionsBoundary.PermissionsBoundaryType != types.PermissionsBoundaryAttachmentTypePolicy {
		t.Fatalf("boundary: %+v", u.PermissionsBoundary)
	}
	must(c.DeleteUserPermissionsBoundary(bg, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("tina")}))(t)
	if u := must(c.GetUser(bg, &iam.GetUserInput{UserName: aws.String("tina")}))(t).User; u.PermissionsBoundary != nil {
		t.Fatalf("boundary left: %+v", u.PermissionsBoundary)
	}
	_, err = c.PutUserPermissionsBoundary(bg, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("tina"), PermissionsBoundary: aws.String("not-an-arn-at-all-really")})
	wantError(t, err, "InvalidInput", 400, "ARN not-an-arn-at-all-really is not valid.")
}

func TestLoginProfiles(t *testing.T) {
	_, c := rootA(t)
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("lee")}))(t)
	_, err := c.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: aws.String("lee")})
	wantError(t, err, "NoSuchEntity", 404, "Login Profile for User lee cannot be found.")

	p := must(c.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: aws.String("lee"), Password: aws.String("S3cret-Passw0rd!"), PasswordResetRequired: true}))(t).LoginProfile
	if *p.UserName != "lee" || !p.PasswordResetRequired || p.CreateDate == nil {
		t.Fatalf("CreateLoginProfile: %+v", p)
	}
	_, err = c.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: aws.String("lee"), Password: aws.String("x")})
	wantCode(t, err, "EntityAlreadyExists", 409)

	must(c.UpdateLoginProfile(bg, &iam.UpdateLoginProfileInput{UserName: aws.String("lee"), PasswordResetRequired: aws.Bool(false)}))(t)
	if got := must(c.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: aws.String("lee")}))(t).LoginProfile; got.PasswordResetRequired {
		t.Fatalf("reset flag kept: %+v", got)
	}
	_, err = c.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("lee")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete login profile first.")
	must(c.DeleteLoginProfile(bg, &iam.DeleteLoginProfileInput{UserName: aws.String("lee")}))(t)
	_, err = c.DeleteLoginProfile(bg, &iam.DeleteLoginProfileInput{UserName: aws.String("lee")})
	wantCode(t, err, "NoSuchEntity", 404)
	must(c.DeleteUser(bg, &iam.DeleteUserInput{UserName: aws.String("lee")}))(t)
}

func TestDeleteUserConflicts(t *testing.T) {
	_, c := rootA(t)
	user := aws.String("dora")
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: user}))(t)
	key := must(c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: user}))(t).AccessKey
	_, err := c.DeleteUser(bg, &iam.DeleteUserInput{UserName: user})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete access keys first.")
	must(c.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: key.AccessKeyId}))(t)

	policyARN := aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")
	must(c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: user, PolicyArn: policyARN}))(t)
	_, err = c.DeleteUser(bg, &iam.DeleteUserInput{UserName: user})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	must(c.DetachUserPolicy(bg, &iam.DetachUserPolicyInput{UserName: user, PolicyArn: policyARN}))(t)

	must(c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("p"), PolicyDocument: aws.String(allowS3Read)}))(t)
	_, err = c.DeleteUser(bg, &iam.DeleteUserInput{UserName: user})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	must(c.DeleteUserPolicy(bg, &iam.DeleteUserPolicyInput{UserName: user, PolicyName: aws.String("p")}))(t)

	must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("g")}))(t)
	must(c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: aws.String("g"), UserName: user}))(t)
	_, err = c.DeleteUser(bg, &iam.DeleteUserInput{UserName: user})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.")
	must(c.RemoveUserFromGroup(bg, &iam.RemoveUserFromGroupInput{GroupName: aws.String("g"), UserName: user}))(t)

	must(c.DeleteUser(bg, &iam.DeleteUserInput{UserName: user}))(t)
}

func TestAccessDeniedWithoutPermissions(t *testing.T) {
	env := start(t)
	carol := client(env, carolKey, carolSecret)
	_, err := carol.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("mallory")})
	wantError(t, err, "AccessDenied", 403, "User: arn:aws:iam::222222222222:user/carol is not authorized to perform: "+
		"iam:CreateUser on resource: arn:aws:iam::222222222222:user/mallory because no identity-based policy allows the iam:CreateUser action")
	_, err = carol.ListRoles(bg, &iam.ListRolesInput{})
	wantCode(t, err, "AccessDenied", 403)
	// Denied callers learn nothing about existence: a missing user is still AccessDenied.
	_, err = carol.GetUser(bg, &iam.GetUserInput{UserName: aws.String("nobody")})
	wantCode(t, err, "AccessDenied", 403)
	_, err = carol.CreateAccessKey(bg, &iam.CreateAccessKeyInput{})
	wantCode(t, err, "AccessDenied", 403)
	_, err = carol.SimulateCustomPolicy(bg, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{allowIAM}, ActionNames: []string{"iam:GetUser"}})
	wantCode(t, err, "AccessDenied", 403)

	// Account B's root may do all of this in its own account.
	rootB := client(env, rootBKey, rootBSecret)
	u := must(rootB.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("mallory")}))(t).User
	if *u.Arn != "arn:aws:iam::222222222222:user/mallory" {
		t.Fatalf("root B created %s", *u.Arn)
	}
}

// Entity paths are ! through ~ between slashes: AWS's pattern stopped
// admitting DEL (\u007F), and its message shows the current pattern.
func TestPathExcludesDEL(t *testing.T) {
	_, c := rootA(t)
	const want = "1 validation error detected: Value '/a\x7f/' at 'path' failed to satisfy constraint: " +
		`Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`
	_, err := c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("del"), Path: aws.String("/a\x7f/")})
	wantError(t, err, "ValidationError", 400, want)
	_, err = c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("del"), Path: aws.String("/a\x7f/")})
	wantCode(t, err, "ValidationError", 400)
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("tilde"), Path: aws.String("/a~!/")}))(t)
}

// Create/Get/DeleteLoginProfile default UserName to the calling user, as
// the current IAM API reference documents.
func TestLoginProfileDefaultsToCallingUser(t *testing.T) {
	env, c := rootA(t)
	user := aws.String("pat")
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: user}))(t)
	must(c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*LoginProfile","Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))(t)
	key := must(c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: user}))(t).AccessKey
	pat := client(env, *key.AccessKeyId, *key.SecretAccessKey)

	_, err := pat.GetLoginProfile(bg, &iam.GetLoginProfileInput{})
	wantError(t, err, "NoSuchEntity", 404, "Login Profile for User pat cannot be found.")
	p := must(pat.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{Password: aws.String("S3cret-Passw0rd!")}))(t).LoginProfile
	if *p.UserName != "pat" {
		t.Fatalf("CreateLoginProfile without UserName: %+v", p)
	}
	if got := must(pat.GetLoginProfile(bg, &iam.GetLoginProfileInput{}))(t).LoginProfile; *got.UserName != "pat" {
		t.Fatalf("GetLoginProfile without UserName: %+v", got)
	}
	must(pat.DeleteLoginProfile(bg, &iam.DeleteLoginProfileInput{}))(t)
	_, err = c.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: user})
	wantCode(t, err, "NoSuchEntity", 404)
}
