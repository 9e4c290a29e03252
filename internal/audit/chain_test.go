package audit

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
)

// TestDecisionsOfFollowsEviction: a request's decisions are found through
// the chain from its newest, as the ring evicts the oldest — by count and
// by bytes — and reuses slots, including for the same request id.
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
				var want []int // every live entry of id, newest first
				for _, e := range l.ring {
					if e != nil && e.requestID == id {
						want = append(want, e.seq)
					}
				}
				slices.Sort(want)
				slices.Reverse(want)
				var got []int
				for _, e := range l.decisionsOf(id) {
					got = append(got, e.seq)
				}
				if !slices.Equal(got, want) {
					t.Fatalf("size %d, after %d: %s has %v, chain gives %v", size, i, id, want, got)
				}
				if _, indexed := l.byID[id]; indexed != (len(want) > 0) {
					t.Fatalf("size %d, after %d: %s indexed %v with %d entries", size, i, id, indexed, len(want))
				}
			}
		}
	}
}
