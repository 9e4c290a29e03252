package audit

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// TestRingBoundedByBytes: with a byte budget far below what the ring's
// entry count would hold, the oldest decisions leave first, the memory
// held stays under the budget, and the newest decisions still explain.
func TestRingBoundedByBytes(t *testing.T) {
	const budget = 64 << 10
	l := NewLog(10_000, nil).WithMaxBytes(budget)
	for i := range 2_000 {
		ctx := policy.NewContext()
		ctx.Set("aws:UserAgent", strings.Repeat("agent ", 20))
		req := &authz.Request{Principal: policy.Principal{Type: policy.PrincipalRoot, Account: "111111111111", ARN: "arn:aws:iam::111111111111:root"},
			Action: "s3:GetObject", Resource: fmt.Sprintf("arn:aws:s3:::b/key-%d", i), ResourceAccount: "111111111111", Context: ctx}
		l.Record(fmt.Sprintf("r%d", i), req, &authz.Decision{Effect: authz.ImplicitDeny, Reason: "no-identity-allow"})
		if l.bytes > budget {
			t.Fatalf("after %d decisions the ring holds %d bytes (budget %d)", i+1, l.bytes, budget)
		}
	}
	kept := len(l.List(Filter{}))
	if kept == 0 || kept >= 2_000 {
		t.Fatalf("the ring keeps %d of 2,000 decisions", kept)
	}
	if l.count != kept {
		t.Fatalf("count %d, listed %d", l.count, kept)
	}
	if _, ok := l.Explain("r1999"); !ok {
		t.Error("the newest decision is gone")
	}
	if _, ok := l.Explain("r0"); ok {
		t.Error("the oldest decision is still explained")
	}
	// The entry count still bounds a ring of small entries.
	small := NewLog(5, nil)
	for i := range 20 {
		small.Record(fmt.Sprintf("s%d", i), &authz.Request{Action: "s3:GetObject", Context: policy.NewContext()}, &authz.Decision{Effect: authz.Allowed})
	}
	if n := len(small.List(Filter{})); n != 5 {
		t.Errorf("a 5-entry ring lists %d", n)
	}
}
