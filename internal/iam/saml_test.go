package iam_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/sekisho/sekisho/internal/saml"
)

func idpMetadata(t *testing.T) string {
	t.Helper()
	p, err := saml.NewIdP("https://idp.example.com/saml", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return p.MetadataXML()
}

func TestSAMLProviderLifecycle(t *testing.T) {
	_, c := rootA(t)
	md := idpMetadata(t)
	out := must(c.CreateSAMLProvider(bg, &iam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(md),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("id")}}}))(t)
	arn := "arn:aws:iam::" + accountA + ":saml-provider/corp"
	if aws.ToString(out.SAMLProviderArn) != arn || len(out.Tags) != 1 {
		t.Fatalf("create: %+v", out)
	}
	_, err := c.CreateSAMLProvider(bg, &iam.CreateSAMLProviderInput{Name: aws.String("CORP"), SAMLMetadataDocument: aws.String(md)})
	wantCode(t, err, "EntityAlreadyExists", http.StatusConflict)

	got := must(c.GetSAMLProvider(bg, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))(t)
	if aws.ToString(got.SAMLMetadataDocument) != md || got.CreateDate == nil || aws.ToString(got.SAMLProviderUUID) == "" || len(got.Tags) != 1 {
		t.Fatalf("get: %+v", got)
	}
	list := must(c.ListSAMLProviders(bg, &iam.ListSAMLProvidersInput{}))(t)
	// corp, then the demo world's sekisho-idp (ARNs sort case-insensitively).
	if len(list.SAMLProviderList) != 2 || aws.ToString(list.SAMLProviderList[0].Arn) != arn {
		t.Fatalf("list: %+v", list.SAMLProviderList)
	}

	newMD := idpMetadata(t)
	up := must(c.UpdateSAMLProvider(bg, &iam.UpdateSAMLProviderInput{SAMLProviderArn: aws.String(arn), SAMLMetadataDocument: aws.String(newMD)}))(t)
	if aws.ToString(up.SAMLProviderArn) != arn {
		t.Fatalf("update: %+v", up)
	}
	got = must(c.GetSAMLProvider(bg, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))(t)
	if aws.ToString(got.SAMLMetadataDocument) != newMD {
		t.Fatal("update did not replace the metadata")
	}

	must(c.TagSAMLProvider(bg, &iam.TagSAMLProviderInput{SAMLProviderArn: aws.String(arn), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}))(t)
	must(c.UntagSAMLProvider(bg, &iam.UntagSAMLProviderInput{SAMLProviderArn: aws.String(arn), TagKeys: []string{"TEAM"}}))(t)
	tags := must(c.ListSAMLProviderTags(bg, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: aws.String(arn)}))(t)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("tags: %+v", tags.Tags)
	}

	must(c.DeleteSAMLProvider(bg, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)}))(t)
	_, err = c.GetSAMLProvider(bg, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantError(t, err, "NoSuchEntity", http.StatusNotFound, "Manifest not found for arn "+arn)
	_, err = c.DeleteSAMLProvider(bg, &iam.DeleteSAMLProviderInput{SAMLProviderArn: aws.String(arn)})
	wantCode(t, err, "NoSuchEntity", http.StatusNotFound)
}

func TestSAMLProviderBadInput(t *testing.T) {
	env, c := rootA(t)
	md := idpMetadata(t)
	// Metadata IAM cannot read is InvalidInput, whatever is wrong with it.
	for name, doc := range map[string]string{
		"not xml":             strings.Repeat("x", 1200),
		"no certificate":      strings.Replace(md, "<ds:X509Certificate>", "<ds:X509CertificateX>", 1),
		"garbled certificate": strings.Replace(md, "<ds:X509Certificate>", "<ds:X509Certificate>!!", 1),
	} {
		_, err := c.CreateSAMLProvider(bg, &iam.CreateSAMLProviderInput{Name: aws.String("bad"), SAMLMetadataDocument: aws.String(doc)})
		if err == nil {
			t.Fatalf("%s: accepted", name)
		}
		wantError(t, err, "InvalidInput", http.StatusBadRequest, "Could not parse metadata")
	}
	_, err := c.CreateSAMLProvider(bg, &iam.CreateSAMLProviderInput{Name: aws.String("short"), SAMLMetadataDocument: aws.String("<x/>")})
	wantCode(t, err, "ValidationError", http.StatusBadRequest)
	_, err = c.CreateSAMLProvider(bg, &iam.CreateSAMLProviderInput{Name: aws.String("no spaces"), SAMLMetadataDocument: aws.String(md)})
	wantCode(t, err, "ValidationError", http.StatusBadRequest)

	// Another account's provider is not found, and its users need permission.
	must(c.CreateSAMLProvider(bg, &iam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(md)}))(t)
	other := client(env, rootBKey, rootBSecret)
	_, err = other.GetSAMLProvider(bg, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::" + accountA + ":saml-provider/corp")})
	wantCode(t, err, "NoSuchEntity", http.StatusNotFound)
	_, err = client(env, carolKey, carolSecret).ListSAMLProviders(bg, &iam.ListSAMLProvidersInput{})
	wantCode(t, err, "AccessDenied", http.StatusForbidden)
}

// The provider tag calls validate the provider ARN with the tags, so a
// request missing both is told about both, as AWS lists every problem.
func TestProviderTagCallsReportMissingARN(t *testing.T) {
	env := start(t)
	for action, second := range map[string]string{
		"TagSAMLProvider": "tags", "UntagSAMLProvider": "tagKeys",
		"TagOpenIDConnectProvider": "tags", "UntagOpenIDConnectProvider": "tagKeys",
	} {
		arn := "sAMLProviderArn"
		if strings.Contains(action, "OpenID") {
			arn = "openIDConnectProviderArn"
		}
		status, body := raw(t, env, rootAKey, rootASecret, "Action="+action+"&Version=2010-05-08")
		want := "2 validation errors detected: Value null at &#39;" + arn + "&#39; failed to satisfy constraint: Member must not be null; " +
			"Value null at &#39;" + second + "&#39; failed to satisfy constraint: Member must not be null"
		if status != 400 || !strings.Contains(body, want) {
			t.Errorf("%s: %d %s", action, status, body)
		}
	}
}
