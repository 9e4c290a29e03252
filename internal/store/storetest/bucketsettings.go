package storetest

import (
	"fmt"
	"sync"

	"github.com/sekisho/sekisho/internal/store"
)

// testBucketFields: the bucket policy and ownership are written one field
// at a time, each leaving the other as it was.
func testBucketFields(h *h) {
	h.update(func(tx store.Tx) error {
		return tx.CreateBucket(store.Bucket{Name: "fields", Account: acctA, Region: "us-east-1", Ownership: "BucketOwnerEnforced"})
	})
	h.update(func(tx store.Tx) error { return tx.SetBucketPolicy("fields", allowDoc) })
	h.update(func(tx store.Tx) error { return tx.SetBucketOwnership("fields", "ObjectWriter") })
	h.view(func(tx store.Tx) error {
		b, err := tx.GetBucket("fields")
		h.must(err)
		if b.Policy != allowDoc || b.Ownership != "ObjectWriter" || b.Region != "us-east-1" {
			h.Fatalf("after SetBucketPolicy and SetBucketOwnership: %+v", b)
		}
		return nil
	})
	h.update(func(tx store.Tx) error { return tx.SetBucketPolicy("fields", "") })
	h.view(func(tx store.Tx) error {
		b, err := tx.GetBucket("fields")
		h.must(err)
		if b.Policy != "" || b.Ownership != "ObjectWriter" {
			h.Fatalf("after deleting the policy: %+v", b)
		}
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.SetBucketPolicy("nope", allowDoc) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.SetBucketOwnership("nope", "ObjectWriter") })
}

// testBucketSettings: one value per bucket and name, unset until put,
// refused for a missing bucket, gone with the bucket.
func testBucketSettings(h *h) {
	h.update(func(tx store.Tx) error {
		h.must(tx.CreateBucket(store.Bucket{Name: "conf", Account: acctA, Ownership: "BucketOwnerEnforced"}))
		return tx.CreateBucket(store.Bucket{Name: "other", Account: acctB, Ownership: "BucketOwnerEnforced"})
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetBucketSetting("conf", "cors"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.PutBucketSetting("nope", "cors", "<x/>") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteBucketSetting("conf", "cors") })
	h.update(func(tx store.Tx) error {
		h.must(tx.PutBucketSetting("conf", "cors", "<v1/>"))
		h.must(tx.PutBucketSetting("conf", "tagging", "<t/>"))
		h.must(tx.PutBucketSetting("other", "cors", "<theirs/>"))
		return tx.PutBucketSetting("conf", "cors", "<v2/>") // replaces
	})
	h.view(func(tx store.Tx) error {
		for _, c := range []struct{ bucket, name, want string }{
			{"conf", "cors", "<v2/>"}, {"conf", "tagging", "<t/>"}, {"other", "cors", "<theirs/>"},
		} {
			v, err := tx.GetBucketSetting(c.bucket, c.name)
			h.must(err)
			if v != c.want {
				h.Fatalf("GetBucketSetting(%s, %s) = %q, want %q", c.bucket, c.name, v, c.want)
			}
		}
		return nil
	})
	// Writes are refused in a read-only transaction.
	if err := h.s.View(h.ctx, func(tx store.Tx) error { return tx.PutBucketSetting("conf", "x", "y") }); err == nil {
		h.Fatalf("PutBucketSetting in View succeeded")
	}
	h.update(func(tx store.Tx) error { return tx.DeleteBucketSetting("conf", "tagging") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetBucketSetting("conf", "tagging"); return err })
	// Deleting the bucket deletes its settings: a new bucket of that name
	// starts with none.
	h.update(func(tx store.Tx) error { return tx.DeleteBucket("conf") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetBucketSetting("conf", "cors"); return err })
	h.update(func(tx store.Tx) error {
		return tx.CreateBucket(store.Bucket{Name: "conf", Account: acctB, Ownership: "BucketOwnerEnforced"})
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetBucketSetting("conf", "cors"); return err })
	h.view(func(tx store.Tx) error {
		v, err := tx.GetBucketSetting("other", "cors")
		h.must(err)
		if v != "<theirs/>" {
			h.Fatalf("another bucket's setting after a delete: %q", v)
		}
		return nil
	})
	// A failed transaction leaves no setting behind.
	h.fails(store.ErrNotFound, func(tx store.Tx) error {
		h.must(tx.PutBucketSetting("other", "website", "<w/>"))
		return tx.PutBucketSetting("nope", "cors", "<x/>")
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetBucketSetting("other", "website"); return err })
}

// testBucketSettingRace: concurrent transactions writing different
// settings (and the policy and ownership) of one bucket, released at
// once, each reading the bucket first as a handler does: every write
// stays, as it would not if whole rows were written back.
func testBucketSettingRace(h *h) {
	const writers = 8
	h.update(func(tx store.Tx) error {
		return tx.CreateBucket(store.Bucket{Name: "race", Account: acctA, Ownership: "BucketOwnerEnforced"})
	})
	start := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, writers+2)
	write := func(fn func(tx store.Tx) error) {
		wg.Go(func() {
			<-start
			err := h.s.Update(h.ctx, func(tx store.Tx) error {
				if _, err := tx.GetBucket("race"); err != nil {
					return err
				}
				return fn(tx)
			})
			if err != nil {
				errs <- err
			}
		})
	}
	for i := range writers {
		write(func(tx store.Tx) error { return tx.PutBucketSetting("race", fmt.Sprintf("s%d", i), fmt.Sprint(i)) })
	}
	write(func(tx store.Tx) error { return tx.SetBucketPolicy("race", allowDoc) })
	write(func(tx store.Tx) error { return tx.SetBucketOwnership("race", "ObjectWriter") })
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		h.Errorf("concurrent bucket write: %v", err)
	}
	h.view(func(tx store.Tx) error {
		for i := range writers {
			v, err := tx.GetBucketSetting("race", fmt.Sprintf("s%d", i))
			if err != nil || v != fmt.Sprint(i) {
				h.Errorf("setting s%d after concurrent writes: %q, %v", i, v, err)
			}
		}
		b, err := tx.GetBucket("race")
		h.must(err)
		if b.Policy != allowDoc || b.Ownership != "ObjectWriter" {
			h.Errorf("bucket after concurrent writes: policy %q, ownership %q", b.Policy, b.Ownership)
		}
		return nil
	})
}
