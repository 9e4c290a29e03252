package mfa

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/totp"
)

const (
	account = "111111111111"
	serial  = "arn:aws:iam::111111111111:mfa/phone"
	seed    = "JBSWY3DPEHPK3PXP"
)

func setup(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.CreateUser(store.User{Account: account, Name: "alice", ID: "AIDAALICE0000000001"}); err != nil {
			return err
		}
		if err := tx.CreateUser(store.User{Account: account, Name: "bob", ID: "AIDABOB000000000001"}); err != nil {
			return err
		}
		d := store.MFADevice{Serial: serial, Account: account, Name: "phone", Path: "/", Seed: seed}
		if err := tx.CreateMFADevice(d); err != nil {
			return err
		}
		d.UserName, d.EnabledAt = "alice", time.Now()
		return tx.UpdateMFADevice(d)
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestVerify(t *testing.T) {
	st := setup(t)
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	key, _ := totp.DecodeSeed(seed)
	code, err := CurrentCode(ctx, st, serial, now)
	if err != nil || code != totp.Code(key, now) {
		t.Fatalf("CurrentCode: %q %v", code, err)
	}
	wrong := "000000"
	if wrong == code {
		wrong = "111111"
	}
	for _, tc := range []struct {
		name, user, serial, code string
		want                     error
	}{
		{"wrong code", "alice", serial, wrong, ErrInvalidCode},
		{"another user's device", "bob", serial, code, ErrUnknownDevice},
		{"unknown serial", "alice", serial + "x", code, ErrUnknownDevice},
		{"root (no user)", "", serial, code, ErrUnknownDevice},
		{"right code", "ALICE", serial, code, nil},
		{"the same code again", "alice", serial, code, ErrInvalidCode},
		{"the previous step's code after a newer one", "alice", serial, totp.Code(key, now.Add(-totp.Step)), ErrInvalidCode},
		{"the next step's code", "alice", serial, totp.Code(key, now.Add(totp.Step)), nil},
	} {
		if err := Verify(ctx, st, now, account, tc.user, tc.serial, tc.code); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}
