package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

func TestInstanceProfiles(t *testing.T) {
	_, c := rootA(t)
	p := must(c.CreateInstanceProfile(bg, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web"), Path: aws.String("/apps/")}))(t).InstanceProfile
	if *p.Arn != "arn:aws:iam::111111111111:instance-profile/apps/web" || !strings.HasPrefix(*p.InstanceProfileId, "AIPA") || len(p.Roles) != 0 {
		t.Fatalf("CreateInstanceProfile: %+v", p)
	}
	_, err := c.CreateInstanceProfile(bg, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantCode(t, err, "EntityAlreadyExists", 409)

	must(c.AddRoleToInstanceProfile(bg, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("S3GetListRole")}))(t)
	_, err = c.AddRoleToInstanceProfile(bg, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("assume_s3_role")})
	wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	_, err = c.AddRoleToInstanceProfile(bg, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("nope"), RoleName: aws.String("assume_s3_role")})
	wantError(t, err, "NoSuchEntity", 404, "Instance Profile nope cannot be found.")

	got := must(c.GetInstanceProfile(bg, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")}))(t).InstanceProfile
	if len(got.Roles) != 1 || *got.Roles[0].RoleName != "S3GetListRole" || decode(t, got.Roles[0].AssumeRolePolicyDocument) == "" {
		t.Fatalf("GetInstanceProfile: %+v", got)
	}
	forRole := must(c.ListInstanceProfilesForRole(bg, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("S3GetListRole")}))(t).InstanceProfiles
	if len(forRole) != 1 || *forRole[0].InstanceProfileName != "web" {
		t.Fatalf("ListInstanceProfilesForRole: %+v", forRole)
	}
	if all := must(c.ListInstanceProfiles(bg, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/apps/")}))(t).InstanceProfiles; len(all) != 1 {
		t.Fatalf("ListInstanceProfiles: %+v", all)
	}

	_, err = c.DeleteInstanceProfile(bg, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantError(t, err, "DeleteConflict", 409, "Cannot delete entity, must remove roles from instance profile first.")
	_, err = c.RemoveRoleFromInstanceProfile(bg, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("assume_s3_role")})
	wantCode(t, err, "NoSuchEntity", 404)
	must(c.RemoveRoleFromInstanceProfile(bg, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("web"), RoleName: aws.String("S3GetListRole")}))(t)
	must(c.DeleteInstanceProfile(bg, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("web")}))(t)
	_, err = c.GetInstanceProfile(bg, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("web")})
	wantCode(t, err, "NoSuchEntity", 404)
}
