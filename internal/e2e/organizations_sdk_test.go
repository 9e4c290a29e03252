package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sekisho/sekisho/internal/store/pgtest"
	"github.com/sekisho/sekisho/internal/testenv"
)

func orgAs(url, key, secret string) *organizations.Client {
	return organizations.New(organizations.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
}

// TestOrganizationsWire: aws-sdk-go-v2 decodes the API's JSON errors
// (with Reason), pages with NextToken, and the front door refuses a
// request signed for another service, an unknown operation and a body
// that is not JSON, in the JSON protocol's shapes.
func TestOrganizationsWire(t *testing.T) {
	env := testenv.Start(t)
	ctx := context.Background()
	mgmt := orgAs(env.URL, "AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001")
	if _, err := mgmt.DescribeOrganization(ctx, nil); errorCode(err) != "AWSOrganizationsNotInUseException" {
		t.Fatalf("before any organization: %v", err)
	}
	if _, err := mgmt.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := mgmt.ListRoots(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	for _, name := range []string{"a", "b", "c"} {
		if _, err := mgmt.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pages := organizations.NewListOrganizationalUnitsForParentPaginator(mgmt, &organizations.ListOrganizationalUnitsForParentInput{ParentId: &root, MaxResults: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range page.OrganizationalUnits {
			names = append(names, aws.ToString(u.Name))
		}
	}
	if strings.Join(names, ",") != "a,b,c" {
		t.Fatalf("paged units: %v", names)
	}
	_, err = mgmt.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: &root})
	if errorCode(err) != "PolicyTypeNotEnabledException" {
		t.Fatalf("detach before enabling SCPs: %v", err)
	}
	if _, err := mgmt.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &root, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	_, err = mgmt.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: &root})
	var cv *orgtypes.ConstraintViolationException
	if !errors.As(err, &cv) || cv.Reason != orgtypes.ConstraintViolationExceptionReasonMinPolicyTypeAttachmentLimitExceeded {
		t.Fatalf("detaching the last SCP: %v", err)
	}
	_, err = mgmt.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("big"), Description: aws.String("x"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*","Sid":"` + strings.Repeat("x", 5200) + `"}]}`)})
	if !errors.As(err, &cv) || cv.Reason != orgtypes.ConstraintViolationExceptionReasonPolicyContentLimitExceeded {
		t.Fatalf("an SCP over 5120 characters: %v", err)
	}
	// A member that is not the management account may not manage.
	member := orgAs(env.URL, "AKIA2222ROOT00000001", "DemoRootSecretForAccountB0000000000000001")
	if _, err := member.ListAccounts(ctx, nil); errorCode(err) != "AWSOrganizationsNotInUseException" {
		t.Fatalf("an account outside: %v", err)
	}

	post := func(target, body, signFor string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, env.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", target)
		signJSON(t, req, body, signFor)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		_, _ = io.Copy(&b, resp.Body)
		return resp.StatusCode, b.String()
	}
	for _, c := range []struct{ target, body, signFor, want string }{
		{"AWSOrganizationsV20161128.ListRoots", "{}", "iam", "InvalidSignatureException"},
		{"AWSOrganizationsV20161128.Frobnicate", "{}", "organizations", "UnknownOperationException"},
		{"AWSOrganizationsV20161128.ListRoots", "not json", "organizations", "SerializationException"},
		{"AWSOrganizationsV20161128.ListRoots", `{"MaxResults":"x"}`, "organizations", "SerializationException"},
	} {
		status, body := post(c.target, c.body, c.signFor)
		if status < 400 || status >= 500 || !strings.Contains(body, `"__type":"`+c.want+`"`) {
			t.Errorf("%s %q signed for %s: %d %s", c.target, c.body, c.signFor, status, body)
		}
	}
}

// TestOrganizationsSCPAcrossReplicas: an SCP attached through one replica
// is enforced by the other within a second.
func TestOrganizationsSCPAcrossReplicas(t *testing.T) {
	dsn := pgtest.Start(t)
	blobDir := t.TempDir()
	r1 := startReplica(t, dsn, blobDir)
	r2 := startReplica(t, dsn, blobDir)
	ctx := context.Background()
	mgmt := orgAs(r1.URL, "AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001")
	member := orgAs(r1.URL, "AKIA2222ROOT00000001", "DemoRootSecretForAccountB0000000000000001")
	if _, err := mgmt.CreateOrganization(ctx, &organizations.CreateOrganizationInput{}); err != nil {
		t.Fatal(err)
	}
	hs, err := mgmt.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Id: aws.String("222222222222"), Type: orgtypes.HandshakePartyTypeAccount}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := member.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: hs.Handshake.Id}); err != nil {
		t.Fatal(err)
	}
	roots, err := mgmt.ListRoots(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: roots.Roots[0].Id, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	listBuckets := func() error {
		_, err := s3As(r2.URL, "AKIA2222ROOT00000001", "DemoRootSecretForAccountB0000000000000001").ListBuckets(ctx, &s3.ListBucketsInput{})
		return err
	}
	if err := listBuckets(); err != nil {
		t.Fatalf("before the SCP, through replica 2: %v", err)
	}
	p, err := mgmt.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("NoList"), Description: aws.String("x"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := mgmt.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: p.Policy.PolicySummary.Id, TargetId: aws.String("222222222222")}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(time.Second)
	for errorCode(listBuckets()) != "AccessDenied" {
		if time.Now().After(deadline) {
			t.Fatal("replica 2 still allows what the new SCP denies after 1 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// signJSON signs req as account A's root for the service signFor.
func signJSON(t *testing.T, req *http.Request, body, signFor string) {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: "AKIA1111ROOT00000001", SecretAccessKey: "DemoRootSecretForAccountA0000000000000001"}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), signFor, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}
