package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestGroups(t *testing.T) {
	_, c := rootA(t)
	g := must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("devs"), Path: aws.String("/eng/")}))(t).Group
	if *g.Arn != "arn:aws:iam::111111111111:group/eng/devs" || !strings.HasPrefix(*g.GroupId, "AGPA") {
		t.Fatalf("CreateGroup: %+v", g)
	}
	_, err := c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("DEVS")})
	wantError(t, err, "EntityAlreadyExists", 409, "Group with name DEVS already exists.")

	for _, u := range []string{"ann", "ben"} {
		must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String(u)}))(t)
		must(c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String(u)}))(t)
	}
	// Adding again is accepted.
	must(c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ann")}))(t)
	got := must(c.GetGroup(bg, &iam.GetGroupInput{GroupName: aws.String("devs")}))(t)
	if *got.Group.GroupId != *g.GroupId || len(got.Users) != 2 || *got.Users[0].UserName != "ann" {
		t.Fatalf("GetGroup: %+v %+v", got.Group, got.Users)
	}
	page := must(c.GetGroup(bg, &iam.GetGroupInput{GroupName: aws.String("devs"), MaxItems: aws.Int32(1)}))(t)
	if len(page.Users) != 1 || !page.IsTruncated || page.Marker == nil {
		t.Fatalf("GetGroup page: %+v", page)
	}

	groups := must(c.ListGroupsForUser(bg, &iam.ListGroupsForUserInput{UserName: aws.String("ben")}))(t).Groups
	if len(groups) != 1 || *groups[0].GroupName != "devs" {
		t.Fatalf("ListGroupsForUser: %+v", groups)
	}
	if all := must(c.ListGroups(bg, &iam.ListGroupsInput{PathPrefix: aws.String("/eng/")}))(t).Groups; len(all) != 1 {
		t.Fatalf("ListGroups: %+v", all)
	}

	_, err = c.DeleteGroup(bg, &iam.DeleteGroupInput{GroupName: aws.String("devs")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove users from group first.")
	must(c.RemoveUserFromGroup(bg, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ann")}))(t)
	_, err = c.RemoveUserFromGroup(bg, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ann")})
	wantCode(t, err, "NoSuchEntity", 404)
	must(c.RemoveUserFromGroup(bg, &iam.RemoveUserFromGroupInput{GroupName: aws.String("devs"), UserName: aws.String("ben")}))(t)

	must(c.UpdateGroup(bg, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("engineers")}))(t)
	renamed := must(c.GetGroup(bg, &iam.GetGroupInput{GroupName: aws.String("engineers")}))(t).Group
	if *renamed.GroupId != *g.GroupId || *renamed.Path != "/eng/" {
		t.Fatalf("renamed group: %+v", renamed)
	}
	must(c.DeleteGroup(bg, &iam.DeleteGroupInput{GroupName: aws.String("engineers")}))(t)
	_, err = c.GetGroup(bg, &iam.GetGroupInput{GroupName: aws.String("engineers")})
	wantError(t, err, "NoSuchEntity", 404, "The group with name engineers cannot be found.")
	_, err = c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: aws.String("nope"), UserName: aws.String("ann")})
	wantCode(t, err, "NoSuchEntity", 404)
}

func TestGroupsPerUserLimit(t *testing.T) {
	_, c := rootA(t)
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("joiner")}))(t)
	for i := 0; i < 11; i++ {
		name := aws.String("g" + string(rune('a'+i)))
		must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: name}))(t)
		_, err := c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: name, UserName: aws.String("joiner")})
		if i < 10 && err != nil {
			t.Fatal(err)
		}
		if i == 10 {
			wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for GroupsPerUser: 10")
		}
	}
}

// Calls that name an existing user take names of up to 128 characters
// (botocore's existingUserNameType), as users once could have: a longer
// name than CreateUser allows is looked up, not refused.
func TestExistingUserNamesUpTo128(t *testing.T) {
	_, c := rootA(t)
	must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("crew")}))(t)
	long := aws.String(strings.Repeat("u", 128))
	notFound := "The user with name " + *long + " cannot be found."
	_, err := c.AddUserToGroup(bg, &iam.AddUserToGroupInput{GroupName: aws.String("crew"), UserName: long})
	wantError(t, err, "NoSuchEntity", 404, notFound)
	_, err = c.RemoveUserFromGroup(bg, &iam.RemoveUserFromGroupInput{GroupName: aws.String("crew"), UserName: long})
	wantError(t, err, "NoSuchEntity", 404, notFound)
	_, err = c.ListUserPolicies(bg, &iam.ListUserPoliciesInput{UserName: long})
	wantError(t, err, "NoSuchEntity", 404, notFound)
	_, err = c.GetUserPolicy(bg, &iam.GetUserPolicyInput{UserName: long, PolicyName: aws.String("p")})
	wantCode(t, err, "NoSuchEntity", 404)
	_, err = c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: long, PolicyName: aws.String("p"), PolicyDocument: aws.String(allowS3Read)})
	wantCode(t, err, "NoSuchEntity", 404)
	_, err = c.DeleteUserPolicy(bg, &iam.DeleteUserPolicyInput{UserName: long, PolicyName: aws.String("p")})
	wantCode(t, err, "NoSuchEntity", 404)

	// Roles have no such allowance: 64 characters everywhere.
	_, err = c.ListRolePolicies(bg, &iam.ListRolePoliciesInput{RoleName: aws.String(strings.Repeat("r", 65))})
	wantCode(t, err, "ValidationError", 400)
}
