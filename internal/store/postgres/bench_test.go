package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/storetest"
)

// benchModes runs fn once from one goroutine and once from GOMAXPROCS
// goroutines in parallel (the pool's connections working together), each
// on a store on a new database prepared by seed.
func benchModes(b *testing.B, seed func(b *testing.B, s *Store), op func(s *Store, i int) error) {
	b.Run("serial", func(b *testing.B) {
		s := open(b)
		seed(b, s)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := op(s, i); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		s := open(b)
		seed(b, s)
		b.ReportAllocs()
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := op(s, int(next.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// BenchmarkGetAccessKey is the first lookup of every signed request.
func BenchmarkGetAccessKey(b *testing.B) {
	benchModes(b, func(b *testing.B, s *Store) { storetest.SeedUsers(b, s, 1000) }, func(s *Store, i int) error {
		return storetest.GetAccessKey(s, i)
	})
}

// BenchmarkViewUserWithPolicies is the auth hot path on a cache miss: one
// View reading a user, its 3 groups, 5 inline and 8 attached policies.
func BenchmarkViewUserWithPolicies(b *testing.B) {
	seed := func(b *testing.B, s *Store) {
		storetest.SeedUsers(b, s, 100)
		storetest.SeedPrincipal(b, s)
	}
	benchModes(b, seed, func(s *Store, _ int) error { return storetest.ViewPrincipal(s) })
}

// BenchmarkUpdate is one small write: Updates take turns on the
// generation row, so parallel writers queue rather than scale.
func BenchmarkUpdate(b *testing.B) {
	benchModes(b, func(*testing.B, *Store) {}, func(s *Store, i int) error {
		return s.Update(context.Background(), func(tx store.Tx) error {
			return tx.PutSetting(fmt.Sprintf("k%d", i%100), "v")
		})
	})
}

// BenchmarkGeneration is what every request asks first.
func BenchmarkGeneration(b *testing.B) {
	benchModes(b, func(*testing.B, *Store) {}, func(s *Store, _ int) error {
		_, err := s.Generation(context.Background())
		return err
	})
}
