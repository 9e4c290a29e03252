package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestRoleLifecycle(t *testing.T) {
	_, c := rootA(t)
	trust := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:user/alice"}, "Action": "sts:AssumeRole"}]}`
	created := must(c.CreateRole(bg, &iam.CreateRoleInput{
		RoleName: aws.String("builder"), Path: aws.String("/ci/"), AssumeRolePolicyDocument: aws.String(trust),
		Description: aws.String("Builds things"), MaxSessionDuration: aws.Int32(7200),
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/AmazonS3FullAccess"),
		Tags:                []types.Tag{{Key: aws.String("env"), Value: aws.String("ci")}},
	}))(t).Role
	if *created.Arn != "arn:aws:iam::111111111111:role/ci/builder" || !strings.HasPrefix(*created.RoleId, "AROA") {
		t.Fatalf("CreateRole: %+v", created)
	}

	r := must(c.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("builder")}))(t).Role
	if decode(t, r.AssumeRolePolicyDocument) != trust {
		t.Fatalf("trust document round trip: %q", decode(t, r.AssumeRolePolicyDocument))
	}
	if !strings.Contains(*r.AssumeRolePolicyDocument, "%20") || strings.Contains(*r.AssumeRolePolicyDocument, "+") {
		t.Fatalf("spaces must be %%20: %s", *r.AssumeRolePolicyDocument)
	}
	if *r.MaxSessionDuration != 7200 || *r.Description != "Builds things" || len(r.Tags) != 1 || r.RoleLastUsed == nil ||
		r.PermissionsBoundary == nil || *r.PermissionsBoundary.PermissionsBoundaryArn != "arn:aws:iam::aws:policy/AmazonS3FullAccess" {
		t.Fatalf("GetRole: %+v", r)
	}

	must(c.UpdateRole(bg, &iam.UpdateRoleInput{RoleName: aws.String("builder"), Description: aws.String("new"), MaxSessionDuration: aws.Int32(3600)}))(t)
	must(c.UpdateAssumeRolePolicy(bg, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("builder"), PolicyDocument: aws.String(trustEC2)}))(t)
	r = must(c.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("builder")}))(t).Role
	if *r.Description != "new" || *r.MaxSessionDuration != 3600 || decode(t, r.AssumeRolePolicyDocument) != trustEC2 {
		t.Fatalf("after updates: %+v", r)
	}

	described := must(c.UpdateRoleDescription(bg, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("builder"), Description: aws.String("newer")}))(t).Role
	if *described.Description != "newer" {
		t.Fatalf("UpdateRoleDescription: %+v", described)
	}

	must(c.TagRole(bg, &iam.TagRoleInput{RoleName: aws.String("builder"), Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("me")}}}))(t)
	must(c.UntagRole(bg, &iam.UntagRoleInput{RoleName: aws.String("builder"), TagKeys: []string{"env"}}))(t)
	tags := must(c.ListRoleTags(bg, &iam.ListRoleTagsInput{RoleName: aws.String("builder")}))(t).Tags
	if len(tags) != 1 || *tags[0].Key != "owner" {
		t.Fatalf("role tags: %+v", tags)
	}
	must(c.DeleteRolePermissionsBoundary(bg, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("builder")}))(t)
	must(c.PutRolePermissionsBoundary(bg, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("builder"),
		PermissionsBoundary: aws.String("arn:aws:iam::111111111111:policy/S3GetListPolicy")}))(t)

	roles := must(c.ListRoles(bg, &iam.ListRolesInput{PathPrefix: aws.String("/ci/")}))(t).Roles
	if len(roles) != 1 || decode(t, roles[0].AssumeRolePolicyDocument) != trustEC2 {
		t.Fatalf("ListRoles: %+v", roles)
	}
	if all := must(c.ListRoles(bg, &iam.ListRolesInput{}))(t).Roles; len(all) != 8 {
		t.Fatalf("ListRoles: %d roles, want the demo's 7 and builder", len(all))
	}

	must(c.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: aws.String("builder")}))(t)
	_, err := c.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String("builder")})
	wantError(t, err, "NoSuchEntity", 404, "The role with name builder cannot be found.")
}

func TestCreateRoleErrors(t *testing.T) {
	_, c := rootA(t)
	create := func(name, doc string, duration int32) error {
		in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(doc)}
		if duration != 0 {
			in.MaxSessionDuration = aws.Int32(duration)
		}
		_, err := c.CreateRole(bg, in)
		return err
	}
	wantError(t, create("assume_s3_role", trustEC2, 0), "EntityAlreadyExists", 409, "Role with name assume_s3_role already exists.")
	wantError(t, create("r1", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/Nope"},"Action":"sts:AssumeRole"}]}`, 0),
		"MalformedPolicyDocument", 400, `Invalid principal in policy: "AWS":"arn:aws:iam::111111111111:role/Nope"`)
	wantError(t, create("r2", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:user/alice","arn:aws:iam::222222222222:user/zed"]},"Action":"sts:AssumeRole"}]}`, 0),
		"MalformedPolicyDocument", 400, `Invalid principal in policy: "AWS":"arn:aws:iam::222222222222:user/zed"`)
	// Accounts the emulator does not hold are taken on trust.
	if err := create("r3", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999999999999:role/Anything"},"Action":"sts:AssumeRole"}]}`, 0); err != nil {
		t.Fatal(err)
	}
	wantError(t, create("r4", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`, 0),
		"MalformedPolicyDocument", 400, "AssumeRole policy may only specify STS AssumeRole actions.")
	wantError(t, create("r5", `{not json`, 0), "MalformedPolicyDocument", 400, "Syntax errors in policy.")
	wantCode(t, create("r6", trustEC2, 100), "ValidationError", 400)
	wantError(t, create("r7", trustEC2, 50000), "ValidationError", 400,
		"1 validation error detected: Value '50000' at 'maxSessionDuration' failed to satisfy constraint: Member must have value less than or equal to 43200")
	wantCode(t, create("bad/name", trustEC2, 0), "ValidationError", 400)
	_, err := c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("r8"), AssumeRolePolicyDocument: aws.String(trustEC2),
		Description: aws.String(strings.Repeat("d", 1001))})
	wantCode(t, err, "ValidationError", 400)
	// None of the failures left a role behind.
	for _, name := range []string{"r1", "r2", "r4", "r5", "r6", "r7", "r8"} {
		_, err := c.GetRole(bg, &iam.GetRoleInput{RoleName: aws.String(name)})
		wantCode(t, err, "NoSuchEntity", 404)
	}
	_, err = c.UpdateAssumeRolePolicy(bg, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("r3"), PolicyDocument: aws.String(allowS3Read)})
	wantCode(t, err, "MalformedPolicyDocument", 400)
}

func TestDeleteRoleConflicts(t *testing.T) {
	_, c := rootA(t)
	role := aws.String("worker")
	must(c.CreateRole(bg, &iam.CreateRoleInput{RoleName: role, AssumeRolePolicyDocument: aws.String(trustEC2)}))(t)
	must(c.AttachRolePolicy(bg, &iam.AttachRolePolicyInput{RoleName: role, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)
	_, err := c.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: role})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must detach all policies first.")
	must(c.DetachRolePolicy(bg, &iam.DetachRolePolicyInput{RoleName: role, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))(t)

	must(c.PutRolePolicy(bg, &iam.PutRolePolicyInput{RoleName: role, PolicyName: aws.String("inline"), PolicyDocument: aws.String(allowS3Read)}))(t)
	_, err = c.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: role})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must delete policies first.")
	must(c.DeleteRolePolicy(bg, &iam.DeleteRolePolicyInput{RoleName: role, PolicyName: aws.String("inline")}))(t)

	must(c.CreateInstanceProfile(bg, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("wp")}))(t)
	must(c.AddRoleToInstanceProfile(bg, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("wp"), RoleName: role}))(t)
	_, err = c.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: role})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")
	must(c.RemoveRoleFromInstanceProfile(bg, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("wp"), RoleName: role}))(t)
	must(c.DeleteRole(bg, &iam.DeleteRoleInput{RoleName: role}))(t)
}

// A role's description is tab, newline, carriage return, printable ASCII
// and Latin-1 beyond NBSP: the current IAM API reference's pattern, which
// refuses other scripts and emoji that the older Unicode-class one took.
func TestRoleDescriptionPattern(t *testing.T) {
	_, c := rootA(t)
	const want = "1 validation error detected: Value '日本語' at 'description' failed to satisfy constraint: " +
		`Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`
	_, err := c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("jp"), AssumeRolePolicyDocument: aws.String(trustEC2),
		Description: aws.String("日本語")})
	wantError(t, err, "ValidationError", 400, want)
	must(c.CreateRole(bg, &iam.CreateRoleInput{RoleName: aws.String("fr"), AssumeRolePolicyDocument: aws.String(trustEC2),
		Description: aws.String("rôle du café\t¡sí!")}))(t)
	_, err = c.UpdateRole(bg, &iam.UpdateRoleInput{RoleName: aws.String("fr"), Description: aws.String("rocket 🚀")})
	wantCode(t, err, "ValidationError", 400)
	_, err = c.UpdateRoleDescription(bg, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("fr"), Description: aws.String("rocket 🚀")})
	wantCode(t, err, "ValidationError", 400)
}
