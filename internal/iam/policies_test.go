package iam_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const localPolicy = "arn:aws:iam::111111111111:policy/team/ReadBuckets"

func createReadBuckets(t *testing.T, c *iam.Client) *types.Policy {
	t.Helper()
	return must(c.CreatePolicy(bg, &iam.CreatePolicyInput{
		PolicyName: aws.String("ReadBuckets"), Path: aws.String("/team/"), PolicyDocument: aws.String(allowS3Read),
		Description: aws.String("read"),
	}))(t).Policy
}

func TestManagedPolicies(t *testing.T) {
	_, c := rootA(t)
	p := createReadBuckets(t, c)
	if *p.Arn != localPolicy || *p.DefaultVersionId != "v1" || !p.IsAttachable || *p.AttachmentCount != 0 ||
		!strings.HasPrefix(*p.PolicyId, "ANPA") || p.CreateDate == nil || p.UpdateDate == nil {
		t.Fatalf("CreatePolicy: %+v", p)
	}
	_, err := c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("ReadBuckets"), PolicyDocument: aws.String(allowS3Read)})
	wantError(t, err, "EntityAlreadyExists", 409, "A policy called ReadBuckets already exists. Duplicate names are not allowed.")
	_, err = c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("Principled"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`)})
	wantError(t, err, "MalformedPolicyDocument", 400, "Policy document should not specify a principal.")
	_, err = c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("Old"),
		PolicyDocument: aws.String(`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)})
	wantError(t, err, "MalformedPolicyDocument", 400, "Policy document must be version 2012-10-17 or greater.")

	got := must(c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String(localPolicy)}))(t).Policy
	if *got.PolicyId != *p.PolicyId || *got.Description != "read" {
		t.Fatalf("GetPolicy: %+v", got)
	}
	_, err = c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::111111111111:policy/Nope")})
	wantError(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::111111111111:policy/Nope was not found.")
	aws1 := must(c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t).Policy
	if *aws1.AttachmentCount != 1 { // the demo's sw-service1-infra role
		t.Fatalf("ReadOnlyAccess in account A: %+v", aws1)
	}

	local := must(c.ListPolicies(bg, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal}))(t).Policies
	if len(local) != 2 { // S3GetListPolicy and ReadBuckets
		t.Fatalf("Local policies: %d", len(local))
	}
	attached := must(c.ListPolicies(bg, &iam.ListPoliciesInput{OnlyAttached: true}))(t).Policies
	for _, ap := range attached {
		if *ap.AttachmentCount == 0 {
			t.Fatalf("OnlyAttached listed %s", *ap.Arn)
		}
	}
	if len(attached) != 2 { // S3GetListPolicy and ReadOnlyAccess
		t.Fatalf("OnlyAttached: %d policies", len(attached))
	}
	if team := must(c.ListPolicies(bg, &iam.ListPoliciesInput{PathPrefix: aws.String("/team/")}))(t).Policies; len(team) != 1 {
		t.Fatalf("PathPrefix /team/: %d", len(team))
	}
	awsScope := must(c.ListPolicies(bg, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(2)}))(t)
	if len(awsScope.Policies) != 2 || !awsScope.IsTruncated || !strings.HasPrefix(*awsScope.Policies[0].Arn, "arn:aws:iam::aws:policy/") {
		t.Fatalf("AWS scope: %+v", awsScope)
	}

	must(c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: aws.String(localPolicy)}))(t)
	_, err = c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: aws.String(localPolicy)})
	wantCode(t, err, "NoSuchEntity", 404)
	_, err = c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::111111111111:policy/S3GetListPolicy")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	_, err = c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:s3:::not-a-policy-arn")})
	wantCode(t, err, "InvalidInput", 400)
}

func TestPolicyVersions(t *testing.T) {
	_, c := rootA(t)
	createReadBuckets(t, c)
	arn := aws.String(localPolicy)
	doc := `{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/a b+c*"}}`
	v2 := must(c.CreatePolicyVersion(bg, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(doc), SetAsDefault: true}))(t).PolicyVersion
	if *v2.VersionId != "v2" || !v2.IsDefaultVersion {
		t.Fatalf("CreatePolicyVersion: %+v", v2)
	}
	got := must(c.GetPolicyVersion(bg, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")}))(t).PolicyVersion
	if decode(t, got.Document) != doc || !got.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion: %q", decode(t, got.Document))
	}
	v1 := must(c.GetPolicyVersion(bg, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")}))(t).PolicyVersion
	if decode(t, v1.Document) != allowS3Read || v1.IsDefaultVersion {
		t.Fatalf("v1: %+v", v1)
	}
	_, err := c.GetPolicyVersion(bg, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v9")})
	wantCode(t, err, "NoSuchEntity", 404)

	_, err = c.DeletePolicyVersion(bg, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete the default version of a policy.")
	for i := 3; i <= 5; i++ {
		must(c.CreatePolicyVersion(bg, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowS3Read)}))(t)
	}
	_, err = c.CreatePolicyVersion(bg, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(allowS3Read)})
	wantError(t, err, "LimitExceeded", 409, "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")

	versions := must(c.ListPolicyVersions(bg, &iam.ListPolicyVersionsInput{PolicyArn: arn}))(t).Versions
	if len(versions) != 5 || *versions[0].VersionId != "v5" || !versions[3].IsDefaultVersion {
		t.Fatalf("ListPolicyVersions: %+v", versions)
	}
	must(c.SetDefaultPolicyVersion(bg, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v4")}))(t)
	if p := must(c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: arn}))(t).Policy; *p.DefaultVersionId != "v4" {
		t.Fatalf("default after SetDefaultPolicyVersion: %s", *p.DefaultVersionId)
	}
	_, err = c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: arn})
	wantCode(t, err, "DeleteConflict", 409)
	for _, v := range []string{"v1", "v2", "v3", "v5"} {
		must(c.DeletePolicyVersion(bg, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String(v)}))(t)
	}
	must(c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: arn}))(t)

	_, err = c.CreatePolicyVersion(bg, &iam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"), PolicyDocument: aws.String(allowS3Read)})
	wantCode(t, err, "AccessDenied", 403)
}

func TestAttachments(t *testing.T) {
	_, c := rootA(t)
	createReadBuckets(t, c)
	arn := aws.String(localPolicy)
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("u")}))(t)
	must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("g")}))(t)
	must(c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: arn}))(t)
	must(c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: arn}))(t) // idempotent
	must(c.AttachGroupPolicy(bg, &iam.AttachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: arn}))(t)
	must(c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: aws.String("assume_s3_role"), PolicyArn: arn}))(t)

	for name, list := range map[string]func() []types.AttachedPolicy{
		"user": func() []types.AttachedPolicy {
			return must(c.ListAttachedUserPolicies(bg, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("u")}))(t).AttachedPolicies
		},
		"group": func() []types.AttachedPolicy {
			return must(c.ListAttachedGroupPolicies(bg, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("g")}))(t).AttachedPolicies
		},
		"role": func() []types.AttachedPolicy {
			return must(c.ListAttachedRolePolicies(bg, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("assume_s3_role"), PathPrefix: aws.String("/team/")}))(t).AttachedPolicies
		},
	} {
		got := list()
		if len(got) != 1 || *got[0].PolicyArn != localPolicy || *got[0].PolicyName != "ReadBuckets" {
			t.Fatalf("%s attachments: %+v", name, got)
		}
	}
	if p := must(c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: arn}))(t).Policy; *p.AttachmentCount != 3 {
		t.Fatalf("AttachmentCount %d", *p.AttachmentCount)
	}
	entities := must(c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: arn}))(t)
	if len(entities.PolicyUsers) != 1 || len(entities.PolicyGroups) != 1 || len(entities.PolicyRoles) != 1 ||
		*entities.PolicyUsers[0].UserName != "u" || *entities.PolicyRoles[0].RoleName != "assume_s3_role" {
		t.Fatalf("ListEntitiesForPolicy: %+v", entities)
	}
	onlyRoles := must(c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: types.EntityTypeRole}))(t)
	if len(onlyRoles.PolicyUsers) != 0 || len(onlyRoles.PolicyRoles) != 1 {
		t.Fatalf("EntityFilter Role: %+v", onlyRoles)
	}

	_, err := c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String("arn:aws:iam::111111111111:policy/Nope")})
	wantError(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::111111111111:policy/Nope does not exist or is not attachable.")
	_, err = c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("nobody"), PolicyArn: arn})
	wantError(t, err, "NoSuchEntity", 404, "The user with name nobody cannot be found.")
	_, err = c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("u"), PolicyArn: aws.String("arn:aws:iam::222222222222:policy/AssumeS3Role")})
	wantCode(t, err, "NoSuchEntity", 404) // another account's policy is not attachable
	_, err = c.DetachGroupPolicy(bg, &iam.DetachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	wantError(t, err, "NoSuchEntity", 404, "Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found.")

	must(c.DetachUserPolicy(bg, &iam.DetachUserPolicyInput{UserName: aws.String("u"), PolicyArn: arn}))(t)
	must(c.DetachGroupPolicy(bg, &iam.DetachGroupPolicyInput{GroupName: aws.String("g"), PolicyArn: arn}))(t)
	must(c.DetachRolePolicy(bg, &iam.DetachRolePolicyInput{RoleName: aws.String("assume_s3_role"), PolicyArn: arn}))(t)
	if p := must(c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: arn}))(t).Policy; *p.AttachmentCount != 0 {
		t.Fatalf("AttachmentCount after detaching: %d", *p.AttachmentCount)
	}
}

func TestAttachPolicyNeedsPolicyARNCondition(t *testing.T) {
	env, root := rootA(t)
	// A user allowed to attach only one policy, by iam:PolicyARN.
	must(root.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("delegate")}))(t)
	must(root.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: aws.String("delegate"), PolicyName: aws.String("attach-readonly"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AttachUserPolicy","Resource":"*",` +
			`"Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}}}]}`)}))(t)
	key := must(root.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("delegate")}))(t).AccessKey
	delegate := client(env, *key.AccessKeyId, *key.SecretAccessKey)
	must(delegate.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("delegate"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}))(t)
	_, err := delegate.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: aws.String("delegate"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantCode(t, err, "AccessDenied", 403)
}

func TestBoundaryUsage(t *testing.T) {
	_, c := rootA(t)
	createReadBuckets(t, c)
	arn := aws.String(localPolicy)
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("bounded"), PermissionsBoundary: arn}))(t)
	if p := must(c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: arn}))(t).Policy; *p.PermissionsBoundaryUsageCount != 1 || *p.AttachmentCount != 0 {
		t.Fatalf("usage counts: %+v", p)
	}
	users := must(c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary}))(t).PolicyUsers
	if len(users) != 1 || *users[0].UserName != "bounded" || !strings.HasPrefix(*users[0].UserId, "AIDA") {
		t.Fatalf("boundary users: %+v", users)
	}
	if none := must(c.ListEntitiesForPolicy(bg, &iam.ListEntitiesForPolicyInput{PolicyArn: arn, PolicyUsageFilter: types.PolicyUsageTypePermissionsPolicy}))(t); len(none.PolicyUsers) != 0 {
		t.Fatalf("permissions-policy users: %+v", none.PolicyUsers)
	}
	// Deleting the policy would silently lift the boundary.
	_, err := c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: arn})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete a policy attached to entities.")
	must(c.DeleteUserPermissionsBoundary(bg, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bounded")}))(t)
	must(c.DeletePolicy(bg, &iam.DeletePolicyInput{PolicyArn: arn}))(t)
}

// A customer managed policy's tags are changed and listed by their own
// calls, as terraform does when an aws_iam_policy's tags change.
func TestPolicyTags(t *testing.T) {
	_, c := rootA(t)
	arn := must(c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String("tagged"), PolicyDocument: aws.String(allowS3Read),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}}))(t).Policy.Arn
	must(c.TagPolicy(bg, &iam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{
		{Key: aws.String("TEAM"), Value: aws.String("b")}, {Key: aws.String("env"), Value: aws.String("dev")}}}))(t)
	tags := must(c.ListPolicyTags(bg, &iam.ListPolicyTagsInput{PolicyArn: arn}))(t).Tags
	if len(tags) != 2 || *tags[0].Key != "env" || *tags[1].Key != "TEAM" || *tags[1].Value != "b" {
		t.Fatalf("ListPolicyTags after TagPolicy: %+v", tags)
	}
	must(c.UntagPolicy(bg, &iam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"team"}}))(t)
	got := must(c.GetPolicy(bg, &iam.GetPolicyInput{PolicyArn: arn}))(t).Policy.Tags
	if len(got) != 1 || *got[0].Key != "env" {
		t.Fatalf("GetPolicy tags after UntagPolicy: %+v", got)
	}

	missing := aws.String("arn:aws:iam::" + accountA + ":policy/missing")
	_, err := c.ListPolicyTags(bg, &iam.ListPolicyTagsInput{PolicyArn: missing})
	wantError(t, err, "NoSuchEntity", 404, "Policy "+*missing+" was not found.")
	_, err = c.TagPolicy(bg, &iam.TagPolicyInput{PolicyArn: missing, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	wantCode(t, err, "NoSuchEntity", 404)
	_, err = c.TagPolicy(bg, &iam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}})
	wantCode(t, err, "InvalidInput", 400)
}

// An account has AWS's default quota of 10 managed policies per user,
// group and role (users and roles can be raised to 20 only on request),
// and its summary says so.
func TestAttachedPoliciesQuota(t *testing.T) {
	_, c := rootA(t)
	role := aws.String("crowded")
	must(c.CreateRole(bg, &iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	for i := 1; i <= 11; i++ {
		arn := must(c.CreatePolicy(bg, &iam.CreatePolicyInput{PolicyName: aws.String(fmt.Sprintf("q%d", i)),
			PolicyDocument: aws.String(allowS3Read)}))(t).Policy.Arn
		_, err := c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: arn})
		if i <= 10 && err != nil {
			t.Fatalf("attachment %d: %v", i, err)
		}
		if i == 11 {
			wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for PoliciesPerRole: 10")
		}
	}
	summary := must(c.GetAccountSummary(bg, &iam.GetAccountSummaryInput{}))(t).SummaryMap
	for _, k := range []string{"AttachedPoliciesPerUserQuota", "AttachedPoliciesPerGroupQuota", "AttachedPoliciesPerRoleQuota"} {
		if summary[k] != 10 {
			t.Fatalf("%s: %d", k, summary[k])
		}
	}
}
