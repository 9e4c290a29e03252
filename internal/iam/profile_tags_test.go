package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// Instance profiles keep their tags (terraform's aws_iam_instance_profile
// sets them at creation and changes them with Tag/UntagInstanceProfile);
// GetInstanceProfile shows them, listings leave them out as IAM does.
func TestInstanceProfileTags(t *testing.T) {
	_, c := rootA(t)
	name := aws.String("tagged")
	created := must(c.CreateInstanceProfile(bg, &iam.CreateInstanceProfileInput{InstanceProfileName: name,
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}}))(t).InstanceProfile
	wantTags(t, "CreateInstanceProfile", created.Tags, "team=web")
	must(c.TagInstanceProfile(bg, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("TAGGED"),
		Tags: []types.Tag{{Key: aws.String("TEAM"), Value: aws.String("platform")}, {Key: aws.String("env"), Value: aws.String("prod")}}}))(t)
	got := must(c.GetInstanceProfile(bg, &iam.GetInstanceProfileInput{InstanceProfileName: name}))(t).InstanceProfile
	wantTags(t, "GetInstanceProfile after tagging", got.Tags, "TEAM=platform", "env=prod")
	listed := must(c.ListInstanceProfileTags(bg, &iam.ListInstanceProfileTagsInput{InstanceProfileName: name}))(t)
	wantTags(t, "ListInstanceProfileTags", listed.Tags, "env=prod", "TEAM=platform")
	must(c.UntagInstanceProfile(bg, &iam.UntagInstanceProfileInput{InstanceProfileName: name, TagKeys: []string{"team"}}))(t)
	got = must(c.GetInstanceProfile(bg, &iam.GetInstanceProfileInput{InstanceProfileName: name}))(t).InstanceProfile
	wantTags(t, "GetInstanceProfile after untagging", got.Tags, "env=prod")
	for _, p := range must(c.ListInstanceProfiles(bg, &iam.ListInstanceProfilesInput{}))(t).InstanceProfiles {
		if len(p.Tags) != 0 {
			t.Errorf("ListInstanceProfiles shows tags of %s: %+v", aws.ToString(p.InstanceProfileName), p.Tags)
		}
	}

	_, err := c.TagInstanceProfile(bg, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("nope"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	wantCode(t, err, "NoSuchEntity", 404)
	_, err = c.ListInstanceProfileTags(bg, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("nope")})
	wantCode(t, err, "NoSuchEntity", 404)
	_, err = c.TagInstanceProfile(bg, &iam.TagInstanceProfileInput{InstanceProfileName: name,
		Tags: []types.Tag{{Key: aws.String("aws:reserved"), Value: aws.String("b")}}})
	wantCode(t, err, "InvalidInput", 400)
}

func wantTags(t *testing.T, what string, tags []types.Tag, want ...string) {
	t.Helper()
	var got []string
	for _, tag := range tags {
		got = append(got, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
	}
	if len(got) != len(want) {
		t.Fatalf("%s: tags %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: tags %v, want %v", what, got, want)
		}
	}
}
