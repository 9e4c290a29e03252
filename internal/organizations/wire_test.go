package organizations_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/sekisho/sekisho/internal/testenv"
)

// newOrg starts a server whose demo account A creates an organization
// with SCPs enabled, and returns A's client and the root's id.
func newOrg(t *testing.T) (*organizations.Client, string) {
	return newOrgAt(t, time.Now)
}

// newOrgAt is newOrg with the server's clock, which the client signs by too.
func newOrgAt(t *testing.T, now func() time.Time) (*organizations.Client, string) {
	t.Helper()
	env := testenv.Start(t, testenv.WithClock(now))
	c := organizations.New(organizations.Options{Region: "us-east-1", BaseEndpoint: aws.String(env.URL), Retryer: aws.NopRetryer{},
		Credentials:  credentials.NewStaticCredentialsProvider("AKIA1111ROOT00000001", "DemoRootSecretForAccountA0000000000000001", ""),
		HTTPSignerV4: clockSigner{v4.NewSigner(), now}})
	ctx := context.Background()
	if _, err := c.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatal(err)
	}
	roots, err := c.ListRoots(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	root := aws.ToString(roots.Roots[0].Id)
	if _, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: &root, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	return c, root
}

// clockSigner signs at the test clock's time, not the machine's.
type clockSigner struct {
	*v4.Signer
	now func() time.Time
}

func (s clockSigner) SignHTTP(ctx context.Context, cred aws.Credentials, r *http.Request, payloadHash, service, region string, _ time.Time, opts ...func(*v4.SignerOptions)) error {
	return s.Signer.SignHTTP(ctx, cred, r, payloadHash, service, region, s.now(), opts...)
}

// invalidInputReason is the Reason of an InvalidInputException ("" for any other error).
func invalidInputReason(err error) string {
	var e *orgtypes.InvalidInputException
	if errors.As(err, &e) {
		return string(e.Reason)
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return "not InvalidInputException but " + ae.ErrorCode()
	}
	return "no error"
}

// AWS's managed policies cannot be changed: InvalidInputException with
// reason IMMUTABLE_POLICY (PolicyChangesInProgressException means an
// effective policy still being computed, and DeletePolicy never gives it).
func TestManagedPolicyIsImmutable(t *testing.T) {
	c, _ := newOrg(t)
	ctx := context.Background()
	id := aws.String("p-FullAWSAccess")
	_, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: id})
	if got := invalidInputReason(err); got != "IMMUTABLE_POLICY" {
		t.Errorf("DeletePolicy FullAWSAccess: %s (%v)", got, err)
	}
	_, err = c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: id, Name: aws.String("Mine")})
	if got := invalidInputReason(err); got != "IMMUTABLE_POLICY" {
		t.Errorf("UpdatePolicy FullAWSAccess: %s (%v)", got, err)
	}
}

// Tag keys with AWS's reserved aws: prefix are refused with
// INVALID_SYSTEM_TAGS_PARAMETER (adding and removing alike), and a key
// given twice in one request with DUPLICATE_TAG_KEY.
func TestTagKeysReservedAndUnique(t *testing.T) {
	c, root := newOrg(t)
	ctx := context.Background()
	_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: &root,
		Tags: []orgtypes.Tag{{Key: aws.String("aws:team"), Value: aws.String("x")}}})
	if got := invalidInputReason(err); got != "INVALID_SYSTEM_TAGS_PARAMETER" {
		t.Errorf("TagResource aws:team: %s (%v)", got, err)
	}
	_, err = c.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: &root, TagKeys: []string{"aws:team"}})
	if got := invalidInputReason(err); got != "INVALID_SYSTEM_TAGS_PARAMETER" {
		t.Errorf("UntagResource aws:team: %s (%v)", got, err)
	}
	_, err = c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: aws.String("dev"),
		Tags: []orgtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("team"), Value: aws.String("b")}}})
	if got := invalidInputReason(err); got != "DUPLICATE_TAG_KEY" {
		t.Errorf("CreateOrganizationalUnit with team twice: %s (%v)", got, err)
	}
	tags, err := c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: &root})
	if err != nil || len(tags.Tags) != 0 {
		t.Fatalf("root's tags: %v %v", tags, err)
	}
}

// A policy or target id not of the API's pattern is InvalidInputException
// INVALID_PATTERN; a well-formed id nobody has is the not-found error.
func TestIDPatterns(t *testing.T) {
	c, root := newOrg(t)
	ctx := context.Background()
	_, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("bogus")})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("DescribePolicy bogus: %s (%v)", got, err)
	}
	var pnf *orgtypes.PolicyNotFoundException
	if _, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-abcd1234")}); !errors.As(err, &pnf) {
		t.Errorf("DescribePolicy p-abcd1234: %v", err)
	}
	_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String("bogus")})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("AttachPolicy to bogus: %s (%v)", got, err)
	}
	_, err = c.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(root + " "),
		Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("ListPoliciesForTarget %q: %s (%v)", root+" ", got, err)
	}
	var tnf *orgtypes.TargetNotFoundException
	_, err = c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String("ou-zzzz-zzzzzzzz")})
	if !errors.As(err, &tnf) {
		t.Errorf("DetachPolicy from an unknown unit: %v", err)
	}
}

// Length limits count characters, not UTF-8 bytes: a Japanese OU name,
// policy description or tag value within the limit is accepted, and one
// character over is refused.
func TestLengthLimitsCountCharacters(t *testing.T) {
	c, root := newOrg(t)
	ctx := context.Background()
	name := strings.Repeat("開", 128) // 384 bytes
	tags := []orgtypes.Tag{{Key: aws.String(strings.Repeat("鍵", 128)), Value: aws.String(strings.Repeat("値", 256))}}
	if _, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: &name, Tags: tags}); err != nil {
		t.Fatalf("128-character OU name: %v", err)
	}
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`
	if _, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: &name, Description: aws.String(strings.Repeat("説", 512)),
		Content: &doc, Type: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatalf("128-character policy name, 512-character description: %v", err)
	}
	long := name + "発"
	_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: &root, Name: &long})
	if got := invalidInputReason(err); got != "MAX_LENGTH_EXCEEDED" {
		t.Errorf("129-character OU name: %s (%v)", got, err)
	}
}

// UpdatePolicy holds a new description to CreatePolicy's 512 characters.
func TestUpdatePolicyDescriptionLimit(t *testing.T) {
	c, _ := newOrg(t)
	ctx := context.Background()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`
	out, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-delete"), Description: aws.String("d"),
		Content: &doc, Type: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdatePolicy(ctx, &organizations.UpdatePolicyInput{PolicyId: out.Policy.PolicySummary.Id, Description: aws.String(strings.Repeat("d", 513))})
	if got := invalidInputReason(err); got != "MAX_LENGTH_EXCEEDED" {
		t.Errorf("UpdatePolicy with a 513-character description: %s (%v)", got, err)
	}
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// An invitation nobody answered in 15 days is EXPIRED: described so, and
// no obstacle to inviting the account again.
func TestHandshakeExpires(t *testing.T) {
	clk := &clock{t: time.Now().UTC()}
	c, _ := newOrgAt(t, clk.now)
	ctx := context.Background()
	invite := &organizations.InviteAccountToOrganizationInput{Target: &orgtypes.HandshakeParty{Id: aws.String("222222222222"), Type: orgtypes.HandshakePartyTypeAccount}}
	out, err := c.InviteAccountToOrganization(ctx, invite)
	if err != nil {
		t.Fatal(err)
	}
	clk.advance(16 * 24 * time.Hour)
	h, err := c.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: out.Handshake.Id})
	if err != nil {
		t.Fatal(err)
	}
	if h.Handshake.State != orgtypes.HandshakeStateExpired {
		t.Errorf("after 16 days the invitation is %s, want EXPIRED", h.Handshake.State)
	}
	if _, err := c.InviteAccountToOrganization(ctx, invite); err != nil {
		t.Fatalf("inviting again after the first invitation expired: %v", err)
	}
}

// An invitation's resources are shaped as AWS's examples show them: the
// organization, with the management account's email and name and the
// feature set inside it, then the invited account.
func TestHandshakeResources(t *testing.T) {
	c, _ := newOrg(t)
	out, err := c.InviteAccountToOrganization(context.Background(), &organizations.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Id: aws.String("222222222222"), Type: orgtypes.HandshakePartyTypeAccount}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range out.Handshake.Resources {
		got = append(got, string(r.Type)+"="+aws.ToString(r.Value))
		for _, in := range r.Resources {
			got = append(got, "  "+string(in.Type))
		}
	}
	want := "ORGANIZATION=o-* MASTER_EMAIL MASTER_NAME ORGANIZATION_FEATURE_SET ACCOUNT=222222222222"
	norm := strings.Join(strings.Fields(strings.Join(got, " ")), " ")
	if org, _, _ := strings.Cut(norm, " "); strings.HasPrefix(org, "ORGANIZATION=o-") {
		norm = strings.Replace(norm, org, "ORGANIZATION=o-*", 1)
	}
	if norm != want {
		t.Errorf("resources: %s\nwant %s", norm, want)
	}
}

// CreateAccount refuses a RoleName of the reserved AWSServiceRoleFor
// prefix: InvalidInputException INVALID_ROLE_NAME.
func TestCreateAccountReservedRoleName(t *testing.T) {
	c, _ := newOrg(t)
	_, err := c.CreateAccount(context.Background(), &organizations.CreateAccountInput{AccountName: aws.String("dev"),
		Email: aws.String("dev@example.com"), RoleName: aws.String("AWSServiceRoleForOrganizations")})
	if got := invalidInputReason(err); got != "INVALID_ROLE_NAME" {
		t.Errorf("RoleName AWSServiceRoleForOrganizations: %s (%v)", got, err)
	}
}

// Parent and child ids are held to their patterns too: INVALID_PATTERN
// for a malformed one, the not-found error for a well-formed unknown one.
func TestParentAndChildPatterns(t *testing.T) {
	c, _ := newOrg(t)
	ctx := context.Background()
	_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("bogus"), Name: aws.String("x")})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("CreateOrganizationalUnit under bogus: %s (%v)", got, err)
	}
	_, err = c.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String("bogus"), ChildType: orgtypes.ChildTypeAccount})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("ListChildren of bogus: %s (%v)", got, err)
	}
	_, err = c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("bogus")})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("ListParents of bogus: %s (%v)", got, err)
	}
	var pnf *orgtypes.ParentNotFoundException
	if _, err := c.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String("r-zzzz"), ChildType: orgtypes.ChildTypeAccount}); !errors.As(err, &pnf) {
		t.Errorf("ListChildren of r-zzzz: %v", err)
	}
	var cnf *orgtypes.ChildNotFoundException
	if _, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String("999999999999")}); !errors.As(err, &cnf) {
		t.Errorf("ListParents of 999999999999: %v", err)
	}
}

// The tagging operations hold ResourceId to its pattern: INVALID_PATTERN
// for a malformed id, TargetNotFoundException for an unknown one.
func TestTagResourceIDPattern(t *testing.T) {
	c, _ := newOrg(t)
	ctx := context.Background()
	tags := []orgtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}
	_, err := c.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String("bogus"), Tags: tags})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("TagResource bogus: %s (%v)", got, err)
	}
	_, err = c.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String("bogus")})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("ListTagsForResource bogus: %s (%v)", got, err)
	}
	var tnf *orgtypes.TargetNotFoundException
	if _, err := c.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: aws.String("ou-zzzz-zzzzzzzz"), TagKeys: []string{"team"}}); !errors.As(err, &tnf) {
		t.Errorf("UntagResource of an unknown unit: %v", err)
	}
}

// Every policy type of the API is a valid list filter: a type Sekisho
// does not model (tag policies, say) lists no policies, as an
// organization without any answers; only a value outside the enum is
// INVALID_ENUM.
func TestListFiltersTakeEveryPolicyType(t *testing.T) {
	c, root := newOrg(t)
	ctx := context.Background()
	for _, typ := range []orgtypes.PolicyType{orgtypes.PolicyTypeTagPolicy, orgtypes.PolicyTypeBackupPolicy, orgtypes.PolicyTypeAiservicesOptOutPolicy} {
		out, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: typ})
		if err != nil || len(out.Policies) != 0 {
			t.Errorf("ListPolicies %s: %v %v", typ, out, err)
		}
		target, err := c.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: &root, Filter: typ})
		if err != nil || len(target.Policies) != 0 {
			t.Errorf("ListPoliciesForTarget %s: %v %v", typ, target, err)
		}
	}
	_, err := c.ListPolicies(ctx, &organizations.ListPoliciesInput{Filter: "BOGUS_POLICY"})
	if got := invalidInputReason(err); got != "INVALID_ENUM" {
		t.Errorf("ListPolicies BOGUS_POLICY: %s (%v)", got, err)
	}
}

// Handshake and create-account-request ids are held to their patterns:
// INVALID_PATTERN for a malformed one, the not-found error otherwise.
func TestHandshakeAndCreateRequestPatterns(t *testing.T) {
	c, _ := newOrg(t)
	ctx := context.Background()
	_, err := c.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String("bogus")})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("DescribeHandshake bogus: %s (%v)", got, err)
	}
	_, err = c.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: aws.String("bogus")})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("AcceptHandshake bogus: %s (%v)", got, err)
	}
	_, err = c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("bogus")})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("DescribeCreateAccountStatus bogus: %s (%v)", got, err)
	}
	var hnf *orgtypes.HandshakeNotFoundException
	if _, err := c.DescribeHandshake(ctx, &organizations.DescribeHandshakeInput{HandshakeId: aws.String("h-abcdefgh12")}); !errors.As(err, &hnf) {
		t.Errorf("DescribeHandshake of an unknown id: %v", err)
	}
	var cnf *orgtypes.CreateAccountStatusNotFoundException
	if _, err := c.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-abcdefgh12")}); !errors.As(err, &cnf) {
		t.Errorf("DescribeCreateAccountStatus of an unknown id: %v", err)
	}
}

// EnablePolicyType and DisablePolicyType hold RootId to its pattern.
func TestRootIDPattern(t *testing.T) {
	c, _ := newOrg(t)
	ctx := context.Background()
	_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String("bogus"), PolicyType: orgtypes.PolicyTypeResourceControlPolicy})
	if got := invalidInputReason(err); got != "INVALID_PATTERN" {
		t.Errorf("EnablePolicyType on bogus: %s (%v)", got, err)
	}
	var rnf *orgtypes.RootNotFoundException
	if _, err := c.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String("r-zzzz"), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); !errors.As(err, &rnf) {
		t.Errorf("DisablePolicyType on r-zzzz: %v", err)
	}
}

// A last page has no NextToken member at all, as AWS answers (its API
// examples show none): never "NextToken": null.
func TestLastPageOmitsNextToken(t *testing.T) {
	env := testenv.Start(t)
	ctx := context.Background()
	creds := aws.Credentials{AccessKeyID: "AKIA1111ROOT00000001", SecretAccessKey: "DemoRootSecretForAccountA0000000000000001"}
	call := func(op, body string) string {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.URL+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+op)
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "organizations", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", op, resp.StatusCode, out)
		}
		return string(out)
	}
	call("CreateOrganization", `{"FeatureSet":"ALL"}`)
	for _, op := range []string{"ListRoots", "ListAccounts"} {
		if out := call(op, `{}`); strings.Contains(out, "NextToken") {
			t.Errorf("%s: %s", op, out)
		}
	}
}
