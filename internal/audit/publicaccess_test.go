package audit

import (
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// TestExplainBlockPublicAccess: a denial Block Public Access caused is
// explained by its setting and level, with the call that changes it.
func TestExplainBlockPublicAccess(t *testing.T) {
	l := NewLog(8, nil)
	anonymous := &authz.Request{Principal: policy.Principal{Type: policy.PrincipalAnonymous}, Action: "s3:GetObject",
		Resource: "arn:aws:s3:::site/index.html", ResourceAccount: "111111111111", Context: policy.NewContext()}
	l.Record("r1", anonymous, &authz.Decision{Effect: authz.ImplicitDeny, Reason: BlockPublicAccessReason("RestrictPublicBuckets", "account")})
	owner := &authz.Request{Principal: policy.Principal{Type: policy.PrincipalRoot, Account: "111111111111", ARN: "arn:aws:iam::111111111111:root"},
		Action: "s3:PutBucketPolicy", Resource: "arn:aws:s3:::site", ResourceAccount: "111111111111", Context: policy.NewContext()}
	l.Record("r2", owner, &authz.Decision{Effect: authz.ImplicitDeny, Reason: BlockPublicAccessReason("BlockPublicPolicy", "bucket")})

	for id, want := range map[string][]string{
		"r1": {"RestrictPublicBuckets", "the account level (account 111111111111, the bucket owner)", "grants nothing to anonymous", "s3control put-public-access-block --account-id 111111111111"},
		"r2": {"BlockPublicPolicy", "the bucket level", "arn:aws:iam::111111111111:root is not authorized to perform s3:PutBucketPolicy", "s3api put-public-access-block"},
	} {
		xs, ok := l.Explain(id)
		if !ok || len(xs) != 1 {
			t.Fatalf("%s: %v %v", id, xs, ok)
		}
		text := strings.Join(append([]string{xs[0].Message, xs[0].Advice}, xs[0].Deciding...), "\n")
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s: explanation lacks %q:\n%s", id, w, text)
			}
		}
	}
	if _, _, ok := parseBlockPublicAccess("explicit-deny"); ok {
		t.Error("an ordinary reason parsed as Block Public Access")
	}
}
