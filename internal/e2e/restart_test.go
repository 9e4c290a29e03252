package e2e

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

func iamAs(url, key, secret string) *iam.Client {
	return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, ""), Retryer: aws.NopRetryer{}})
}

const (
	rootBKey    = "AKIA2222ROOT00000001"
	rootBSecret = "DemoRootSecretForAccountB0000000000000001"
	demoBucket  = "account-a-bucket-0525"
	takenBucket = "taken-bucket-0525"
)

// takenWorld declares, in account A, a bucket account B creates first.
const takenWorld = `
accounts:
  - id: "111111111111"
    buckets:
      - name: ` + takenBucket + `
        policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + takenBucket + `/*"}]}'
        objects:
          planted.txt: "the world's object"
`

// TestRestartWithDemoKeepsAPIChanges: changes made through the APIs to
// what the demo world seeded survive restarting `sekisho serve --demo`
// on the same data directory — a deactivated key, a permissions
// boundary, a new default policy version, a bucket policy, a deleted
// object, a deleted user — and a bucket the world declares that another
// account owns by now is skipped instead of stopping the server.
func TestRestartWithDemoKeepsAPIChanges(t *testing.T) {
	bin := buildSekisho(t)
	dataDir := t.TempDir()
	ctx := context.Background()

	first := startServe(t, bin, "--demo", "--data-dir", dataDir)
	makeAPIChanges(t, ctx, first.URL)
	if _, err := s3As(first.URL, rootBKey, rootBSecret).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(takenBucket)}); err != nil {
		t.Fatal(err)
	}
	first.stop()

	worldFile := filepath.Join(t.TempDir(), "taken.yaml")
	if err := os.WriteFile(worldFile, []byte(takenWorld), 0o600); err != nil {
		t.Fatal(err)
	}
	for restart := 1; restart <= 2; restart++ {
		p, err := launch(t, bin, "--demo", "--world", worldFile, "--data-dir", dataDir)
		if err != nil {
			t.Fatalf("restart %d: %v\n%s", restart, err, p.logs())
		}
		assertAPIChanges(t, ctx, p.URL)
		owner, err := s3As(p.URL, rootBKey, rootBSecret).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(takenBucket)})
		if code := errorCode(err); code != "NoSuchBucketPolicy" {
			t.Errorf("restart %d: account B's bucket got the world's policy: %v %v", restart, owner, err)
		}
		if _, err := s3As(p.URL, rootBKey, rootBSecret).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(takenBucket), Key: aws.String("planted.txt")}); err == nil {
			t.Errorf("restart %d: the world planted an object in account B's bucket", restart)
		}
		if !strings.Contains(p.logs(), "another account owns it") {
			t.Errorf("restart %d: no warning about the taken bucket:\n%s", restart, p.logs())
		}
		p.stop()
	}
}

// makeAPIChanges changes, through IAM and S3, what the demo world seeded.
func makeAPIChanges(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	b := iamAs(url, rootBKey, rootBSecret)
	steps := []func() error{
		func() error {
			_, err := b.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob_infra"),
				AccessKeyId: aws.String(bobKey), Status: iamtypes.StatusTypeInactive})
			return err
		},
		func() error {
			_, err := b.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"),
				PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		},
		func() error {
			_, err := b.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::222222222222:policy/AssumeS3Role"),
				SetAsDefault: true, PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::111111111111:role/assume_s3_role"}]}`)})
			return err
		},
		func() error {
			_, err := b.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("carol"), AccessKeyId: aws.String(carolKey)})
			return err
		},
		func() error {
			_, err := b.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("carol")})
			return err
		},
		func() error {
			_, err := rootA(url).PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(demoBucket),
				Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + demoBucket + `/secret/*"}]}`)})
			return err
		},
		func() error {
			_, err := rootA(url).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("test.txt")})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("API change %d: %v", i, err)
		}
	}
}

// assertAPIChanges checks that every change of makeAPIChanges holds.
func assertAPIChanges(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	b := iamAs(url, rootBKey, rootBSecret)
	keys, err := b.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob_infra")})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || keys.AccessKeyMetadata[0].Status != iamtypes.StatusTypeInactive {
		t.Errorf("bob_infra's key after the restart: %+v %v", keys, err)
	}
	if _, err := iamAs(url, bobKey, bobSecret).ListUsers(ctx, nil); errorCode(err) != "InvalidClientTokenId" {
		t.Errorf("bob_infra's deactivated key after the restart: %v", err)
	}
	alice, err := b.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
	if err != nil || alice.User.PermissionsBoundary == nil || aws.ToString(alice.User.PermissionsBoundary.PermissionsBoundaryArn) != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
		t.Errorf("alice's boundary after the restart: %+v %v", alice, err)
	}
	pol, err := b.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::222222222222:policy/AssumeS3Role")})
	if err != nil || aws.ToString(pol.Policy.DefaultVersionId) != "v2" {
		t.Errorf("AssumeS3Role's default version after the restart: %+v %v", pol, err)
	}
	if _, err := b.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("carol")}); errorCode(err) != "NoSuchEntity" {
		t.Errorf("deleted carol after the restart: %v", err)
	}
	bp, err := rootA(url).GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(demoBucket)})
	if err != nil || !strings.Contains(aws.ToString(bp.Policy), "/secret/*") {
		t.Errorf("the bucket policy after the restart: %+v %v", bp, err)
	}
	if _, err := rootA(url).HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(demoBucket), Key: aws.String("test.txt")}); err == nil {
		t.Error("the deleted object test.txt is back after the restart")
	}
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
