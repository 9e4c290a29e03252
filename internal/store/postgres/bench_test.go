package postgres

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
)

const benchAccount = "111111111111"

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

// seedUsers creates n users with one access key each (AKIABENCH<i>).
func seedUsers(b *testing.B, s *Store, n int) {
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for i := range n {
			name := fmt.Sprintf("user%04d", i)
			if err := tx.CreateUser(store.User{Account: benchAccount, Name: name, ID: fmt.Sprintf("AIDABENCH%012d", i)}); err != nil {
				return err
			}
			k := store.AccessKey{ID: fmt.Sprintf("AKIABENCH%011d", i), Secret: "s", Account: benchAccount, UserName: name, Active: true}
			if err := tx.CreateAccessKey(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkGetAccessKey is the first lookup of every signed request.
func BenchmarkGetAccessKey(b *testing.B) {
	benchModes(b, func(b *testing.B, s *Store) { seedUsers(b, s, 1000) }, func(s *Store, i int) error {
		id := fmt.Sprintf("AKIABENCH%011d", i%1000)
		return s.View(context.Background(), func(tx store.Tx) error {
			_, err := tx.GetAccessKey(id)
			return err
		})
	})
}

// seedPrincipal gives user0000 2 inline and 2 attached policies and puts
// it in 3 groups with 1 inline and 2 attached policies each.
func seedPrincipal(b *testing.B, s *Store) {
	err := s.Update(context.Background(), func(tx store.Tx) error {
		for i := range 8 {
			p := store.ManagedPolicy{Account: benchAccount, Name: fmt.Sprintf("p%d", i), ID: fmt.Sprintf("ANPABENCH%d", i)}
			if err := tx.CreatePolicy(p, store.PolicyVersion{Document: `{"Version":"2012-10-17","Statement":[]}`}); err != nil {
				return err
			}
		}
		if err := attachAll(tx, store.KindUser, "user0000", 0, 2); err != nil {
			return err
		}
		for g := range 3 {
			name := fmt.Sprintf("g%d", g)
			if err := tx.CreateGroup(store.Group{Account: benchAccount, Name: name, ID: "AGPABENCH" + name}); err != nil {
				return err
			}
			if err := tx.AddUserToGroup(benchAccount, name, "user0000"); err != nil {
				return err
			}
			if err := attachAll(tx, store.KindGroup, name, 2+2*g, 1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// attachAll attaches policies p<first>, p<first+1> and puts inline
// policies i0..i<inline-1> on an entity.
func attachAll(tx store.Tx, kind store.EntityKind, entity string, first, inline int) error {
	for i := first; i < first+2; i++ {
		a := store.Attachment{Account: benchAccount, Kind: kind, Entity: entity, PolicyARN: store.PolicyARN(benchAccount, "/", fmt.Sprintf("p%d", i))}
		if err := tx.AttachPolicy(a); err != nil {
			return err
		}
	}
	for i := range inline {
		p := store.InlinePolicy{Account: benchAccount, Kind: kind, Entity: entity, Name: fmt.Sprintf("i%d", i), Document: "{}"}
		if err := tx.PutInlinePolicy(p); err != nil {
			return err
		}
	}
	return nil
}

// readPrincipal reads what authorizing a user needs: the user, its groups,
// and every inline and attached (default version) policy of both.
func readPrincipal(tx store.Tx, name string) (docs int, err error) {
	u, err := tx.GetUser(benchAccount, name)
	if err != nil {
		return 0, err
	}
	groups, err := tx.ListGroupsForUser(benchAccount, u.Name)
	if err != nil {
		return 0, err
	}
	docs, err = readPolicies(tx, store.KindUser, u.Name)
	for _, g := range groups {
		n, gerr := readPolicies(tx, store.KindGroup, g.Name)
		docs, err = docs+n, gerr
		if err != nil {
			return 0, err
		}
	}
	return docs, err
}

func readPolicies(tx store.Tx, kind store.EntityKind, entity string) (int, error) {
	inline, err := tx.ListInlinePolicies(benchAccount, kind, entity)
	if err != nil {
		return 0, err
	}
	attached, err := tx.ListAttachedPolicies(benchAccount, kind, entity)
	if err != nil {
		return 0, err
	}
	for _, a := range attached {
		p, err := tx.GetPolicy(a.PolicyARN)
		if err != nil {
			return 0, err
		}
		if _, err := tx.GetPolicyVersion(a.PolicyARN, p.DefaultVersionID); err != nil {
			return 0, err
		}
	}
	return len(inline) + len(attached), nil
}

// BenchmarkViewUserWithPolicies is the auth hot path on a cache miss: one
// View reading a user, its 3 groups, 5 inline and 8 attached policies.
func BenchmarkViewUserWithPolicies(b *testing.B) {
	seed := func(b *testing.B, s *Store) {
		seedUsers(b, s, 100)
		seedPrincipal(b, s)
	}
	benchModes(b, seed, func(s *Store, _ int) error {
		return s.View(context.Background(), func(tx store.Tx) error {
			docs, err := readPrincipal(tx, "user0000")
			if err == nil && docs != 13 {
				err = fmt.Errorf("read %d policies, want 13", docs)
			}
			return err
		})
	})
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
