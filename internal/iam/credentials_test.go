package iam_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// The credential lists terraform's aws_iam_user walks before DeleteUser
// answer empty for an existing user and NoSuchEntity for a missing one.
func TestCredentialListsAreEmpty(t *testing.T) {
	_, c := rootA(t)
	user := aws.String("lee")
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: user}))(t)

	ssh := must(c.ListSSHPublicKeys(bg, &iam.ListSSHPublicKeysInput{UserName: user}))(t)
	certs := must(c.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{UserName: user}))(t)
	creds := must(c.ListServiceSpecificCredentials(bg, &iam.ListServiceSpecificCredentialsInput{UserName: user}))(t)
	if len(ssh.SSHPublicKeys) != 0 || ssh.IsTruncated || len(certs.Certificates) != 0 || certs.IsTruncated ||
		len(creds.ServiceSpecificCredentials) != 0 {
		t.Fatalf("credentials of a new user: %+v %+v %+v", ssh, certs, creds)
	}
	// The root lists its own signing certificates without UserName.
	must(c.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{}))(t)

	ghost := aws.String("ghost")
	_, err := c.ListSSHPublicKeys(bg, &iam.ListSSHPublicKeysInput{UserName: ghost})
	wantError(t, err, "NoSuchEntity", 404, "The user with name ghost cannot be found.")
	_, err = c.ListSigningCertificates(bg, &iam.ListSigningCertificatesInput{UserName: ghost})
	wantCode(t, err, "NoSuchEntity", 404)
	_, err = c.ListServiceSpecificCredentials(bg, &iam.ListServiceSpecificCredentialsInput{UserName: ghost})
	wantCode(t, err, "NoSuchEntity", 404)
	_, err = c.ListSSHPublicKeys(bg, &iam.ListSSHPublicKeysInput{UserName: aws.String("no spaces")})
	wantCode(t, err, "ValidationError", 400)
}

// No server certificate can be uploaded, so every account lists none;
// scanners that audit certificates get AWS's empty answer.
func TestNoServerCertificates(t *testing.T) {
	_, c := rootA(t)
	out := must(c.ListServerCertificates(bg, &iam.ListServerCertificatesInput{PathPrefix: aws.String("/cloudfront/")}))(t)
	if len(out.ServerCertificateMetadataList) != 0 || out.IsTruncated {
		t.Fatalf("ListServerCertificates: %+v", out)
	}
	_, err := c.ListServerCertificates(bg, &iam.ListServerCertificatesInput{PathPrefix: aws.String("cloudfront")})
	wantCode(t, err, "ValidationError", 400)
}
