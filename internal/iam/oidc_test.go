package iam_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

const githubThumbprint = "6938fd4d98bab03faadb97b34396831e3780aea1"

// TestOIDCProviderLifecycle drives every OIDC provider operation through
// aws-sdk-go-v2 and checks AWS's shapes: the ARN from the URL without its
// scheme, Get's scheme-less Url, idempotent client id changes, tags.
func TestOIDCProviderLifecycle(t *testing.T) {
	_, c := rootA(t)
	created, err := c.CreateOpenIDConnectProvider(bg, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://gitlab.example.com/ci"), ClientIDList: []string{"sts.amazonaws.com"},
		ThumbprintList: []string{githubThumbprint}, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ci")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(created.OpenIDConnectProviderArn)
	if arn != "arn:aws:iam::111111111111:oidc-provider/gitlab.example.com/ci" || len(created.Tags) != 1 {
		t.Fatalf("created %s %v", arn, created.Tags)
	}
	_, err = c.CreateOpenIDConnectProvider(bg, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://gitlab.example.com/ci")})
	wantError(t, err, "EntityAlreadyExists", 409, "Provider with url https://gitlab.example.com/ci already exists.")

	for _, add := range []string{"my-app", "my-app"} { // the second add changes nothing
		if _, err := c.AddClientIDToOpenIDConnectProvider(bg, &iam.AddClientIDToOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: &arn, ClientID: aws.String(add)}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if _, err := c.RemoveClientIDFromOpenIDConnectProvider(bg, &iam.RemoveClientIDFromOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: &arn, ClientID: aws.String("sts.amazonaws.com")}); err != nil {
			t.Fatal(err)
		}
	}
	newThumb := strings.Repeat("a", 40)
	if _, err := c.UpdateOpenIDConnectProviderThumbprint(bg, &iam.UpdateOpenIDConnectProviderThumbprintInput{
		OpenIDConnectProviderArn: &arn, ThumbprintList: []string{newThumb}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.TagOpenIDConnectProvider(bg, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn,
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagOpenIDConnectProvider(bg, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetOpenIDConnectProvider(bg, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.Url) != "gitlab.example.com/ci" || !slices.Equal(got.ClientIDList, []string{"my-app"}) ||
		!slices.Equal(got.ThumbprintList, []string{newThumb}) || got.CreateDate == nil || len(got.Tags) != 1 || aws.ToString(got.Tags[0].Key) != "env" {
		t.Fatalf("got %+v", got)
	}
	tags, err := c.ListOpenIDConnectProviderTags(bg, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: &arn})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("tags %v %v", tags, err)
	}
	list, err := c.ListOpenIDConnectProviders(bg, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil || !slices.ContainsFunc(list.OpenIDConnectProviderList, func(e types.OpenIDConnectProviderListEntry) bool { return aws.ToString(e.Arn) == arn }) {
		t.Fatalf("list %v %v", list, err)
	}
	if _, err := c.DeleteOpenIDConnectProvider(bg, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetOpenIDConnectProvider(bg, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn})
	wantError(t, err, "NoSuchEntity", 404, "OpenIDConnect Provider not found for arn "+arn)
	_, err = c.DeleteOpenIDConnectProvider(bg, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: &arn})
	wantCode(t, err, "NoSuchEntity", 404)
}

// TestOIDCProviderValidation: AWS's limits and URL rules.
func TestOIDCProviderValidation(t *testing.T) {
	env, c := rootA(t)
	for _, u := range []string{"http://example.com", "https://", "https://example.com:8443", "https://example.com/?q=1", "example.com"} {
		_, err := c.CreateOpenIDConnectProvider(bg, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(u)})
		wantCode(t, err, "ValidationError", 400)
	}
	_, err := c.CreateOpenIDConnectProvider(bg, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://a.example.com"),
		ThumbprintList: slices.Repeat([]string{githubThumbprint}, 6)})
	wantError(t, err, "InvalidInput", 400, "Thumbprint list must contain fewer than 5 entries.")
	_, err = c.CreateOpenIDConnectProvider(bg, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://a.example.com"),
		ThumbprintList: []string{"abc"}})
	wantCode(t, err, "ValidationError", 400)
	clients := make([]string, 101)
	for i := range clients {
		clients[i] = strings.Repeat("c", i+1)
	}
	_, err = c.CreateOpenIDConnectProvider(bg, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://a.example.com"), ClientIDList: clients})
	wantCode(t, err, "LimitExceeded", 409)
	// Another account's provider is not found.
	created, err := c.CreateOpenIDConnectProvider(bg, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://b.example.com")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = client(env, rootBKey, rootBSecret).GetOpenIDConnectProvider(bg, &iam.GetOpenIDConnectProviderInput{
		OpenIDConnectProviderArn: created.OpenIDConnectProviderArn})
	wantCode(t, err, "NoSuchEntity", 404)
}
