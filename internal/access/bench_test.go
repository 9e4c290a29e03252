package access

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

// manyAccounts is the demo world plus n accounts of 20 roles each.
func manyAccounts(n int) *world.World {
	w := world.Demo()
	for i := 0; i < n; i++ {
		a := world.Account{ID: fmt.Sprintf("9%011d", i)}
		for r := 0; r < 20; r++ {
			a.Roles = append(a.Roles, world.Role{Name: fmt.Sprintf("role-%02d", r),
				TrustPolicy: world.Document{JSON: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"sts:AssumeRole"}]}`}})
		}
		w.Accounts = append(w.Accounts, a)
	}
	return w
}

// BenchmarkGateDecision: one AssumeRole decision through the gate (key
// resolution, the caller's policies, the trust policy, the engine) with 10
// and 10,000 extra accounts in the store; p50 and p99 of single decisions.
func BenchmarkGateDecision(b *testing.B) {
	for _, n := range []int{10, 10_000} {
		b.Run(fmt.Sprintf("accounts=%d", n), func(b *testing.B) {
			st, err := sqlite.OpenMemory()
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			ctx := context.Background()
			if err := world.Load(ctx, st, manyAccounts(n)); err != nil {
				b.Fatal(err)
			}
			sealer, err := LoadSealer(ctx, st, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			g := NewGate(st, sealer, nil)
			caller, _, err := g.Resolve(ctx, "AKIA2222ALICE0000001", "")
			if err != nil {
				b.Fatal(err)
			}
			role, err := g.Role(ctx, "111111111111", "assume_s3_role")
			if err != nil {
				b.Fatal(err)
			}
			trust, err := g.Compile(role.TrustPolicy, policy.Trust)
			if err != nil {
				b.Fatal(err)
			}
			check := Check{Action: "sts:AssumeRole", Resource: RoleARN(role), ResourceAccount: role.Account, Trust: true,
				ResourcePolicy: &authz.Source{Name: "trust", Policy: trust}}
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for b.Loop() {
				t0 := time.Now()
				c, _, err := g.Resolve(ctx, "AKIA2222ALICE0000001", "")
				if err != nil {
					b.Fatal(err)
				}
				chk := check
				chk.Context = policy.NewContext()
				d, err := g.Authorize(ctx, c, chk)
				if err != nil || d.Effect != authz.Allowed {
					b.Fatalf("%v %v", d.Effect, err)
				}
				lat = append(lat, time.Since(t0))
			}
			_ = caller
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
			b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
		})
	}
}
