package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
)

// BenchAccount owns what the store benchmarks seed.
const BenchAccount = "111111111111"

// SeedUsers creates n users with one access key each (AKIABENCH<i>).
func SeedUsers(tb testing.TB, st store.Store, n int) {
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for i := range n {
			name := fmt.Sprintf("user%04d", i)
			if err := tx.CreateUser(store.User{Account: BenchAccount, Name: name, ID: fmt.Sprintf("AIDABENCH%012d", i)}); err != nil {
				return err
			}
			k := store.AccessKey{ID: fmt.Sprintf("AKIABENCH%011d", i), Secret: "s", Account: BenchAccount, UserName: name, Active: true}
			if err := tx.CreateAccessKey(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// SeedPrincipal gives user0000 2 inline and 2 attached policies and puts
// it in 3 groups with 1 inline and 2 attached policies each.
func SeedPrincipal(tb testing.TB, st store.Store) {
	err := st.Update(context.Background(), func(tx store.Tx) error {
		for i := range 8 {
			p := store.ManagedPolicy{Account: BenchAccount, Name: fmt.Sprintf("p%d", i), ID: fmt.Sprintf("ANPABENCH%d", i)}
			if err := tx.CreatePolicy(p, store.PolicyVersion{Document: `{"Version":"2012-10-17","Statement":[]}`}); err != nil {
				return err
			}
		}
		if err := attachAll(tx, store.KindUser, "user0000", 0, 2); err != nil {
			return err
		}
		for g := range 3 {
			name := fmt.Sprintf("g%d", g)
			if err := tx.CreateGroup(store.Group{Account: BenchAccount, Name: name, ID: "AGPABENCH" + name}); err != nil {
				return err
			}
			if err := tx.AddUserToGroup(BenchAccount, name, "user0000"); err != nil {
				return err
			}
			if err := attachAll(tx, store.KindGroup, name, 2+2*g, 1); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// attachAll attaches policies p<first>, p<first+1> and puts inline
// policies i0..i<inline-1> on an entity.
func attachAll(tx store.Tx, kind store.EntityKind, entity string, first, inline int) error {
	for i := first; i < first+2; i++ {
		a := store.Attachment{Account: BenchAccount, Kind: kind, Entity: entity, PolicyARN: store.PolicyARN(BenchAccount, "/", fmt.Sprintf("p%d", i))}
		if err := tx.AttachPolicy(a); err != nil {
			return err
		}
	}
	for i := range inline {
		p := store.InlinePolicy{Account: BenchAccount, Kind: kind, Entity: entity, Name: fmt.Sprintf("i%d", i), Document: "{}"}
		if err := tx.PutInlinePolicy(p); err != nil {
			return err
		}
	}
	return nil
}

// readPrincipal reads what authorizing a user needs: the user, its groups,
// and every inline and attached (default version) policy of both.
func readPrincipal(tx store.Tx, name string) (docs int, err error) {
	u, err := tx.GetUser(BenchAccount, name)
	if err != nil {
		return 0, err
	}
	groups, err := tx.ListGroupsForUser(BenchAccount, u.Name)
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
	inline, err := tx.ListInlinePolicies(BenchAccount, kind, entity)
	if err != nil {
		return 0, err
	}
	attached, err := tx.ListAttachedPolicies(BenchAccount, kind, entity)
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

// GetAccessKey is the benchmarks' first lookup of a signed request: the
// access key of user i mod 1000 (seeded by SeedUsers(..., 1000)).
func GetAccessKey(st store.Store, i int) error {
	id := fmt.Sprintf("AKIABENCH%011d", i%1000)
	return st.View(context.Background(), func(tx store.Tx) error {
		_, err := tx.GetAccessKey(id)
		return err
	})
}

// ViewPrincipal is the auth hot path on a cache miss: one View reading
// user0000 (seeded by SeedPrincipal), its 3 groups, 5 inline and 8
// attached policies.
func ViewPrincipal(st store.Store) error {
	return st.View(context.Background(), func(tx store.Tx) error {
		docs, err := readPrincipal(tx, "user0000")
		if err == nil && docs != 13 {
			err = fmt.Errorf("read %d policies, want 13", docs)
		}
		return err
	})
}
