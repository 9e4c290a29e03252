package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

func testAccounts(h *h) {
	a := store.Account{ID: acctA, Alias: "alpha", CreatedAt: at(0)}
	b := store.Account{ID: acctB, CreatedAt: at(1)}
	h.update(func(tx store.Tx) error {
		h.must(tx.PutAccount(b))
		return tx.PutAccount(a)
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetAccount("999999999999"); return err })
	a.Alias = "alpha-2"
	h.update(func(tx store.Tx) error {
		return tx.PutAccount(store.Account{ID: acctA, Alias: a.Alias, CreatedAt: at(50)}) // CreatedAt stays
	})
	h.view(func(tx store.Tx) error {
		got, err := tx.GetAccount(acctA)
		h.must(err)
		equal(h, "GetAccount", got, a)
		all, err := tx.ListAccounts()
		h.must(err)
		equal(h, "ListAccounts", all, []store.Account{a, b})
		return nil
	})
	// Aliases are unique; "" is no alias.
	h.fails(store.ErrExists, func(tx store.Tx) error { return tx.PutAccount(store.Account{ID: acctB, Alias: "alpha-2"}) })
	h.update(func(tx store.Tx) error { return tx.PutAccount(store.Account{ID: "333333333333"}) })
}

func testBuckets(h *h) {
	alpha := store.Bucket{Name: "alpha", Account: acctA, Region: "us-east-1", Ownership: "BucketOwnerEnforced", CreatedAt: at(10)}
	h.update(func(tx store.Tx) error {
		h.must(tx.CreateBucket(store.Bucket{Name: "zulu", Account: acctA, Region: "eu-west-1", Ownership: "BucketOwnerEnforced"}))
		h.must(tx.CreateBucket(store.Bucket{Name: "beta", Account: acctB, Region: "us-east-1", Ownership: "ObjectWriter"}))
		return tx.CreateBucket(alpha)
	})
	// Names are global: another account cannot take one, nor can the owner again.
	h.fails(store.ErrExists, func(tx store.Tx) error { return tx.CreateBucket(store.Bucket{Name: "alpha", Account: acctB}) })
	h.fails(store.ErrExists, func(tx store.Tx) error { return tx.CreateBucket(store.Bucket{Name: "alpha", Account: acctA}) })
	alpha.Policy, alpha.Ownership = allowDoc, "BucketOwnerPreferred"
	h.update(func(tx store.Tx) error { return tx.UpdateBucket(alpha) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetBucket("alpha")
		h.must(err)
		equal(h, "GetBucket", got, alpha)
		mine, err := tx.ListBuckets(acctA)
		sameNames(h, "ListBuckets A", mine, err, func(b store.Bucket) string { return b.Name }, "alpha,zulu")
		theirs, err := tx.ListBuckets(acctB)
		sameNames(h, "ListBuckets B", theirs, err, func(b store.Bucket) string { return b.Name }, "beta")
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetBucket("nope"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UpdateBucket(store.Bucket{Name: "nope"}) })
	h.update(func(tx store.Tx) error { return tx.DeleteBucket("alpha") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteBucket("alpha") })
	h.update(func(tx store.Tx) error { return tx.CreateBucket(store.Bucket{Name: "alpha", Account: acctB}) }) // free again
}

func testSettings(h *h) {
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetSetting("token-key"); return err })
	h.update(func(tx store.Tx) error { return tx.PutSetting("token-key", "c2VjcmV0") })
	h.update(func(tx store.Tx) error {
		h.must(tx.PutSetting("other", ""))
		return tx.PutSetting("token-key", "bmV3")
	})
	h.view(func(tx store.Tx) error {
		v, err := tx.GetSetting("token-key")
		h.must(err)
		if v != "bmV3" {
			h.Fatalf("GetSetting = %q, want the value last put", v)
		}
		v, err = tx.GetSetting("other")
		h.must(err)
		if v != "" {
			h.Fatalf("GetSetting(other) = %q, want empty", v)
		}
		return nil
	})
}

// errBoom is the error the rollback tests return from fn.
var errBoom = errors.New("boom")

func testRollback(h *h) {
	err := h.s.Update(h.ctx, func(tx store.Tx) error {
		h.must(tx.CreateUser(store.User{Account: acctA, Name: "alice", Path: "/", ID: h.id("AIDA")}))
		h.must(tx.CreateGroup(store.Group{Account: acctA, Name: "devs", Path: "/", ID: h.id("AGPA")}))
		h.must(tx.AddUserToGroup(acctA, "devs", "alice"))
		h.must(tx.CreateBucket(store.Bucket{Name: "b", Account: acctA}))
		h.must(tx.PutSetting("k", "v"))
		return fmt.Errorf("wrapped: %w", errBoom)
	})
	if !errors.Is(err, errBoom) {
		h.Fatalf("Update returned %v, want fn's error", err)
	}
	// A failing store call, returned, undoes the earlier ones too.
	h.mkUser(acctA, "bob")
	h.fails(store.ErrExists, func(tx store.Tx) error {
		h.must(tx.CreateUser(store.User{Account: acctA, Name: "carol", Path: "/", ID: h.id("AIDA")}))
		return tx.CreateUser(store.User{Account: acctA, Name: "BOB", Path: "/", ID: h.id("AIDA")})
	})
	h.view(func(tx store.Tx) error {
		users, err := tx.ListUsers(acctA, "")
		sameNames(h, "users after rollbacks", users, err, userName, "bob")
		groups, err := tx.ListGroups(acctA, "")
		sameNames(h, "groups after rollback", groups, err, groupName, "")
		buckets, err := tx.ListBuckets(acctA)
		sameNames(h, "buckets after rollback", buckets, err, func(b store.Bucket) string { return b.Name }, "")
		if _, err := tx.GetSetting("k"); !errors.Is(err, store.ErrNotFound) {
			h.Fatalf("setting after rollback: %v", err)
		}
		return nil
	})
}

func testReadOnlyView(h *h) {
	err := h.s.View(h.ctx, func(tx store.Tx) error {
		return tx.CreateUser(store.User{Account: acctA, Name: "alice", Path: "/", ID: h.id("AIDA")})
	})
	if err == nil {
		h.Fatal("a write inside View succeeded")
	}
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetUser(acctA, "alice"); return err })
}

func testCanceledContext(h *h) {
	ctx, cancel := context.WithCancel(h.ctx)
	cancel()
	err := h.s.Update(ctx, func(tx store.Tx) error {
		return tx.CreateUser(store.User{Account: acctA, Name: "alice", Path: "/", ID: h.id("AIDA")})
	})
	if err == nil {
		h.Fatal("Update with a canceled context succeeded")
	}
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetUser(acctA, "alice"); return err })
}

func testGeneration(h *h) {
	gen := func() uint64 {
		g, err := h.s.Generation(h.ctx)
		h.must(err)
		return g
	}
	g0 := gen()
	h.view(func(tx store.Tx) error { _, err := tx.ListUsers(acctA, ""); return err })
	if g := gen(); g != g0 {
		h.Fatalf("Generation moved from %d to %d after a View", g0, g)
	}
	h.mkUser(acctA, "alice")
	g1 := gen()
	if g1 <= g0 {
		h.Fatalf("Generation %d after an Update, was %d", g1, g0)
	}
	h.mkUser(acctA, "bob")
	if g2 := gen(); g2 <= g1 {
		h.Fatalf("Generation %d after a second Update, was %d", g2, g1)
	}
}

func testTimes(h *h) {
	tokyo := time.FixedZone("JST", 9*3600)
	created := time.Date(2025, 1, 2, 3, 4, 5, 678_000_000, tokyo)
	u := store.User{Account: acctA, Name: "alice", Path: "/", ID: h.id("AIDA"), CreatedAt: created}
	h.update(func(tx store.Tx) error { return tx.CreateUser(u) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetUser(acctA, "alice")
		h.must(err)
		if !got.CreatedAt.Equal(created) || got.CreatedAt.Location() != time.UTC {
			h.Fatalf("CreatedAt = %v, want %v in UTC", got.CreatedAt, created.UTC())
		}
		return nil
	})
	h.update(func(tx store.Tx) error {
		return tx.CreateAccessKey(store.AccessKey{ID: "AKIATIMES", Secret: "s", Account: acctA, UserName: "alice", Active: true})
	})
	h.view(func(tx store.Tx) error {
		k, err := tx.GetAccessKey("AKIATIMES")
		h.must(err)
		if !k.LastUsed.IsZero() {
			h.Fatalf("LastUsed of an unused key = %v, want zero", k.LastUsed)
		}
		return nil
	})
}

func testConcurrentWriters(h *h) {
	const writers, each = 8, 50
	g0, err := h.s.Generation(h.ctx)
	h.must(err)
	var wg sync.WaitGroup
	errs := make(chan error, writers*each+writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				u := store.User{Account: acctA, Name: fmt.Sprintf("u%d-%03d", w, i), Path: "/", ID: fmt.Sprintf("AIDAW%02d%015d", w, i)}
				if err := h.s.Update(h.ctx, func(tx store.Tx) error { return tx.CreateUser(u) }); err != nil {
					errs <- err
				}
			}
		})
		wg.Go(func() { // readers alongside
			for range each / 10 {
				if err := h.s.View(h.ctx, func(tx store.Tx) error { _, err := tx.ListUsers(acctA, ""); return err }); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		h.Errorf("concurrent Update or View: %v", err)
	}
	h.view(func(tx store.Tx) error {
		users, err := tx.ListUsers(acctA, "")
		h.must(err)
		if len(users) != writers*each {
			h.Fatalf("%d users after %d concurrent creations", len(users), writers*each)
		}
		return nil
	})
	if g, err := h.s.Generation(h.ctx); err != nil || g < g0+writers*each {
		h.Fatalf("Generation %d (%v) after %d Updates from %d", g, err, writers*each, g0)
	}
}
