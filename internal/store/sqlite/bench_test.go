package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/store/storetest"
)

// benchStores runs fn on a file store and an in-memory one.
func benchStores(b *testing.B, fn func(b *testing.B, s *Store)) {
	b.Run("file", func(b *testing.B) {
		s, err := Open(filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		fn(b, s)
	})
	b.Run("memory", func(b *testing.B) {
		s, err := OpenMemory()
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		fn(b, s)
	})
}

// BenchmarkGetAccessKey is the first lookup of every signed request.
func BenchmarkGetAccessKey(b *testing.B) {
	benchStores(b, func(b *testing.B, s *Store) {
		storetest.SeedUsers(b, s, 1000)
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if err := storetest.GetAccessKey(s, i); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkViewUserWithPolicies is the auth hot path on a cache miss: one
// View reading a user, its 3 groups, 5 inline and 8 attached policies.
func BenchmarkViewUserWithPolicies(b *testing.B) {
	benchStores(b, func(b *testing.B, s *Store) {
		storetest.SeedUsers(b, s, 100)
		storetest.SeedPrincipal(b, s)
		b.ReportAllocs()
		for b.Loop() {
			if err := storetest.ViewPrincipal(s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
