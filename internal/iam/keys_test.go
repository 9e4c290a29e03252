package iam_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestAccessKeys(t *testing.T) {
	env, c := rootA(t)
	user := aws.String("kim")
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: user}))(t)
	first := must(c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: user}))(t).AccessKey
	if *first.UserName != "kim" || !strings.HasPrefix(*first.AccessKeyId, "AKIA") || len(*first.AccessKeyId) != 20 ||
		len(*first.SecretAccessKey) != 40 || first.Status != types.StatusTypeActive || first.CreateDate == nil {
		t.Fatalf("CreateAccessKey: %+v", first)
	}
	must(c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: user}))(t)
	_, err := c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: user})
	wantError(t, err, "LimitExceeded", 409, "Cannot exceed quota for AccessKeysPerUser: 2")

	keys := must(c.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: user}))(t).AccessKeyMetadata
	if len(keys) != 2 || *keys[0].UserName != "kim" {
		t.Fatalf("ListAccessKeys: %+v", keys)
	}

	// The new key works, and the user can manage its own keys by default
	// UserName once allowed to.
	must(c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: user, PolicyName: aws.String("self"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*AccessKey*"],"Resource":"arn:aws:iam::*:user/${aws:username}"}]}`)}))(t)
	kim := client(env, *first.AccessKeyId, *first.SecretAccessKey)
	own := must(kim.ListAccessKeys(bg, &iam.ListAccessKeysInput{}))(t).AccessKeyMetadata
	if len(own) != 2 {
		t.Fatalf("kim's own keys: %+v", own)
	}
	last := must(kim.GetAccessKeyLastUsed(bg, &iam.GetAccessKeyLastUsedInput{AccessKeyId: first.AccessKeyId}))(t)
	if *last.UserName != "kim" || last.AccessKeyLastUsed == nil || *last.AccessKeyLastUsed.ServiceName != "N/A" {
		t.Fatalf("GetAccessKeyLastUsed: %+v", last)
	}

	must(c.UpdateAccessKey(bg, &iam.UpdateAccessKeyInput{UserName: user, AccessKeyId: keys[1].AccessKeyId, Status: types.StatusTypeInactive}))(t)
	keys = must(c.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: user}))(t).AccessKeyMetadata
	if keys[1].Status != types.StatusTypeInactive {
		t.Fatalf("after UpdateAccessKey: %+v", keys[1])
	}
	_, err = c.UpdateAccessKey(bg, &iam.UpdateAccessKeyInput{UserName: user, AccessKeyId: keys[1].AccessKeyId, Status: "Paused"})
	wantCode(t, err, "ValidationError", 400)

	// Someone else's key is not found under this user.
	_, err = c.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: aws.String(rootAKey)})
	wantError(t, err, "NoSuchEntity", 404, "The Access Key with id "+rootAKey+" cannot be found.")
	must(c.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: keys[1].AccessKeyId}))(t)
	_, err = c.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{UserName: user, AccessKeyId: keys[1].AccessKeyId})
	wantCode(t, err, "NoSuchEntity", 404)

	_, err = c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("ghost")})
	wantError(t, err, "NoSuchEntity", 404, "The user with name ghost cannot be found.")
}

func TestRootAccessKeys(t *testing.T) {
	_, c := rootA(t)
	keys := must(c.ListAccessKeys(bg, &iam.ListAccessKeysInput{}))(t).AccessKeyMetadata
	if len(keys) != 1 || *keys[0].AccessKeyId != rootAKey || keys[0].UserName != nil {
		t.Fatalf("root keys: %+v", keys)
	}
	second := must(c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{}))(t).AccessKey
	_, err := c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{})
	wantCode(t, err, "LimitExceeded", 409)
	must(c.DeleteAccessKey(bg, &iam.DeleteAccessKeyInput{AccessKeyId: second.AccessKeyId}))(t)
}
