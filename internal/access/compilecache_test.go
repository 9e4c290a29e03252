package access

import (
	"fmt"
	"testing"

	"github.com/sekisho/sekisho/internal/policy"
)

// bucketPolicy is a distinct ~20 KB bucket policy of Resource patterns,
// the costliest shape to compile, granting key k of bucket i to account B.
func bucketPolicy(i int) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Id":"%d","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:GetObject","Resource":[%s]}]}`,
		i, joined(fmt.Sprintf(`"arn:aws:s3:::b%d/k%%d"`, i), 700))
}

func decide(t *testing.T, p *policy.Policy, bucket, key int) bool {
	t.Helper()
	who := policy.Principal{Type: policy.PrincipalUser, Account: "222222222222", ARN: "arn:aws:iam::222222222222:user/alice"}
	return p.Evaluate(&policy.Request{Action: "s3:GetObject", Resource: fmt.Sprintf("arn:aws:s3:::b%d/k%d", bucket, key),
		Principal: &who, Context: policy.NewContext()}).Allowed()
}

// Many large policies: the accounted bytes never exceed the budget, the
// least recently used go first, and a policy compiled again after its
// eviction decides as before.
func TestCompileCacheStaysWithinBudget(t *testing.T) {
	const budget = 4 << 20
	c := newCompileCache(budget)
	const n = 200
	hot := bucketPolicy(0)
	for i := 1; i <= n; i++ {
		if _, err := c.get(hot, policy.Resource); err != nil { // kept warm: never the oldest
			t.Fatal(err)
		}
		p, err := c.get(bucketPolicy(i), policy.Resource)
		if err != nil {
			t.Fatal(err)
		}
		if !decide(t, p, i, 699) || decide(t, p, i, 700) {
			t.Fatalf("policy %d decides wrongly", i)
		}
		if entries, used := c.stats(); used > budget || entries == 0 {
			t.Fatalf("after %d policies: %d entries, %d bytes accounted, budget %d", i, entries, used, budget)
		}
	}
	entries, used := c.stats()
	if entries >= n {
		t.Fatalf("nothing was evicted: %d entries, %d bytes", entries, used)
	}
	if _, ok := c.items[compileKey{policy.Resource, hot}]; !ok {
		t.Error("the most recently used policy was evicted")
	}
	if _, ok := c.items[compileKey{policy.Resource, bucketPolicy(1)}]; ok {
		t.Error("the least recently used policy is still cached")
	}
	p, err := c.get(bucketPolicy(1), policy.Resource) // evicted: compiled again
	if err != nil {
		t.Fatal(err)
	}
	if !decide(t, p, 1, 5) || decide(t, p, 2, 5) {
		t.Error("a recompiled policy decides wrongly")
	}
	if _, used := c.stats(); used > budget {
		t.Errorf("%d bytes accounted, budget %d", used, budget)
	}
}

// A policy bigger than the whole budget is compiled but not kept.
func TestCompileCacheSkipsOversizedPolicy(t *testing.T) {
	c := newCompileCache(1 << 10)
	p, err := c.get(bucketPolicy(1), policy.Resource)
	if err != nil || !decide(t, p, 1, 1) {
		t.Fatalf("compile: %v", err)
	}
	if entries, used := c.stats(); entries != 0 || used != 0 {
		t.Errorf("cached %d entries, %d bytes over a 1 KiB budget", entries, used)
	}
}

// The gate's cache is bounded by DefaultCompiledPolicyBudget unless told otherwise.
func TestGateCompiledPolicyBudget(t *testing.T) {
	g := NewGate(nil, nil, nil)
	if g.compiled.budget != DefaultCompiledPolicyBudget {
		t.Errorf("default budget %d", g.compiled.budget)
	}
	g.SetCompiledPolicyBudget(1 << 20)
	for i := 0; i < 50; i++ {
		if _, err := g.Compile(bucketPolicy(i), policy.Resource); err != nil {
			t.Fatal(err)
		}
	}
	if _, used := g.compiled.stats(); used > 1<<20 {
		t.Errorf("%d bytes accounted over a 1 MiB budget", used)
	}
}
