package audit

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// TestDecisionsOfFollowsEviction: a request's decisions are exactly its
// live entries as the ring evicts the oldest — by count and by bytes —
// and reuses slots, including for the same request id.
func TestDecisionsOfFollowsEviction(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{1, 2, 3, 7} {
		l := NewLog(size, nil)
		if size == 7 {
			l.WithMaxBytes(3 * 1024) // the byte bound evicts too
		}
		for i := range 500 {
			id := fmt.Sprintf("r%d", rng.IntN(4))
			req := &authz.Request{Action: fmt.Sprintf("s3:Action%d", i), Context: policy.NewContext()}
			l.Record(id, req, &authz.Decision{Effect: authz.Allowed})
			for r := range 4 {
				id := fmt.Sprintf("r%d", r)
				var want []int // every live entry of id
				for _, e := range l.ring {
					if e != nil && e.requestID == id {
						want = append(want, e.seq)
					}
				}
				slices.Sort(want)
				var got []int
				for _, e := range l.decisionsOf(id) {
					got = append(got, e.seq)
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("size %d, after %d: %s has %v, decisionsOf gives %v", size, i, id, want, got)
				}
			}
		}
	}
}

// BenchmarkRecord is one decision into a full default ring; Explain
// scans the ring's request id hashes.
func BenchmarkRecord(b *testing.B) {
	l := NewLog(10_000, nil)
	req := &authz.Request{Action: "sts:AssumeRole", Context: policy.NewContext()}
	ids := make([]string, 20_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("%08x-0000-4000-8000-%012x", i, i)
	}
	for i := range 10_000 {
		l.Record(ids[i], req, &authz.Decision{Effect: authz.Allowed})
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		l.Record(ids[i%len(ids)], req, &authz.Decision{Effect: authz.Allowed})
	}
}

func BenchmarkExplainFullRing(b *testing.B) {
	l := NewLog(10_000, nil)
	req := &authz.Request{Action: "sts:AssumeRole", Context: policy.NewContext()}
	for i := range 10_000 {
		l.Record(fmt.Sprintf("r%d", i), req, &authz.Decision{Effect: authz.Allowed})
	}
	for b.Loop() {
		l.mu.Lock()
		if len(l.decisionsOf("r5000")) != 1 {
			b.Fatal("not found")
		}
		l.mu.Unlock()
	}
}
