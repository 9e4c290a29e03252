package storetest

import (
	"errors"
	"fmt"
	"sync"

	"github.com/sekisho/sekisho/internal/store"
)

func mfaSerial(account, path, name string) string {
	return "arn:aws:iam::" + account + ":mfa" + path + name
}

func (h *h) mkMFADevice(account, path, name string) store.MFADevice {
	h.Helper()
	d := store.MFADevice{Serial: mfaSerial(account, path, name), Account: account, Name: name, Path: path,
		Seed: "JBSWY3DPEHPK3PXP", Tags: []store.Tag{{Key: "k", Value: "v"}}, CreatedAt: at(0)}
	h.update(func(tx store.Tx) error { return tx.CreateMFADevice(d) })
	return d
}

func mfaName(d store.MFADevice) string { return d.Name }

func testMFADevices(h *h) {
	phone := h.mkMFADevice(acctA, "/team/", "Phone")
	h.view(func(tx store.Tx) error {
		got, err := tx.GetMFADevice(mfaSerial(acctA, "/TEAM/", "phone")) // serials compare case-insensitively
		h.must(err)
		equal(h, "GetMFADevice", got, phone)
		return nil
	})
	// Names are unique per account, whatever the path or case.
	h.fails(store.ErrExists, func(tx store.Tx) error {
		return tx.CreateMFADevice(store.MFADevice{Serial: mfaSerial(acctA, "/", "PHONE"), Account: acctA, Name: "PHONE", Path: "/", Seed: "S"})
	})
	h.mkMFADevice(acctB, "/", "phone")
	h.mkMFADevice(acctA, "/", "key")
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetMFADevice(mfaSerial(acctA, "/", "nope")); return err })

	// Enabling for a user, listing, the user's delete conflict.
	h.mkUser(acctA, "alice")
	enabled := phone
	enabled.UserName, enabled.EnabledAt = "ALICE", at(5)
	h.update(func(tx store.Tx) error { return tx.UpdateMFADevice(enabled) })
	enabled.UserName = "alice"
	h.view(func(tx store.Tx) error {
		got, err := tx.GetMFADevice(phone.Serial)
		h.must(err)
		equal(h, "enabled device", got, enabled)
		all, err := tx.ListMFADevices(acctA)
		sameNames(h, "ListMFADevices", all, err, mfaName, "key,Phone")
		mine, err := tx.ListUserMFADevices(acctA, "Alice")
		sameNames(h, "ListUserMFADevices", mine, err, mfaName, "Phone")
		return nil
	})
	h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.DeleteUser(acctA, "alice") })
	h.fails(store.ErrNotFound, func(tx store.Tx) error {
		d := phone
		d.UserName = "nobody"
		return tx.UpdateMFADevice(d)
	})

	// Codes: a step is accepted once, and never one before it.
	h.update(func(tx store.Tx) error { return tx.UseMFAStep(phone.Serial, 100) })
	h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.UseMFAStep(phone.Serial, 100) })
	h.fails(store.ErrConflict, func(tx store.Tx) error { return tx.UseMFAStep(phone.Serial, 99) })
	h.update(func(tx store.Tx) error { return tx.UseMFAStep(phone.Serial, 101) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UseMFAStep(mfaSerial(acctA, "/", "nope"), 1) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetMFADevice(phone.Serial)
		h.must(err)
		if got.LastStep != 101 {
			h.Fatalf("LastStep %d, want 101", got.LastStep)
		}
		return nil
	})

	// Deactivating unassigns; the device stays until deleted.
	h.update(func(tx store.Tx) error { return tx.UpdateMFADevice(phone) })
	h.update(func(tx store.Tx) error { return tx.DeleteUser(acctA, "alice") })
	h.update(func(tx store.Tx) error { return tx.DeleteMFADevice(phone.Serial) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.DeleteMFADevice(phone.Serial) })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { return tx.UpdateMFADevice(phone) })
}

func testMFALimit(h *h) {
	h.mkUser(acctA, "bob")
	for i := range store.MaxMFADevices + 1 {
		d := h.mkMFADevice(acctA, "/", fmt.Sprintf("d%d", i))
		d.UserName, d.EnabledAt = "bob", at(i)
		err := h.s.Update(h.ctx, func(tx store.Tx) error { return tx.UpdateMFADevice(d) })
		if i < store.MaxMFADevices {
			h.must(err)
		} else if err == nil || !errors.Is(err, store.ErrLimit) {
			h.Fatalf("device %d: got %v, want ErrLimit", i, err)
		}
	}
}

// testMFAStepRace uses one code from many transactions at once: exactly
// one may succeed.
func testMFAStepRace(h *h) {
	d := h.mkMFADevice(acctA, "/", "race")
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = h.s.Update(h.ctx, func(tx store.Tx) error { return tx.UseMFAStep(d.Serial, 42) })
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrConflict):
			h.Fatalf("UseMFAStep: %v", err)
		}
	}
	if ok != 1 {
		h.Fatalf("%d transactions accepted the same code, want 1", ok)
	}
}
