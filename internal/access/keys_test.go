package access

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/creds"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

func session(now time.Time) *creds.Session {
	return &creds.Session{AccessKeyID: creds.NewAccessKeyID(true), SecretAccessKey: creds.NewSecretKey(), Account: "111111111111",
		Kind: creds.AssumedRole, RoleARN: "arn:aws:iam::111111111111:role/r", RoleID: "AROAAAAAAAAAAAAAAAAAA", SessionName: "s",
		IssuedAt: now, Expires: now.Add(time.Hour)}
}

// TestKeyRotationWithOverlap: after RotateEvery a new key seals, tokens
// sealed with the old key still open, and keys no token can need go away.
func TestKeyRotationWithOverlap(t *testing.T) {
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	t0 := time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)
	first, err := LoadSealer(ctx, st, t0)
	if err != nil {
		t.Fatal(err)
	}
	old := session(t0)
	oldToken, err := first.Seal(old)
	if err != nil {
		t.Fatal(err)
	}
	same, _ := LoadSealer(ctx, st, t0.Add(time.Hour))
	if _, err := same.Open(oldToken, old.AccessKeyID, t0.Add(time.Minute)); err != nil {
		t.Fatalf("a second replica cannot open the first's token: %v", err)
	}

	t1 := t0.Add(RotateEvery)
	rotated, err := LoadSealer(ctx, st, t1)
	if err != nil {
		t.Fatal(err)
	}
	keys, _ := readKeys(ctx, st)
	if len(keys) != 2 {
		t.Fatalf("after one rotation %d keys, want 2", len(keys))
	}
	if _, err := rotated.Open(oldToken, old.AccessKeyID, t0.Add(time.Minute)); err != nil {
		t.Fatalf("the old key no longer opens its token: %v", err)
	}
	fresh := session(t1)
	freshToken, _ := rotated.Seal(fresh)
	if _, err := first.Open(freshToken, fresh.AccessKeyID, t1); !errors.Is(err, creds.ErrInvalidToken) {
		t.Fatalf("a sealer without the new key opened its token: %v", err)
	}

	// Two rotations later the first key is past any token's life.
	_, _ = LoadSealer(ctx, st, t1.Add(RotateEvery))
	_, _ = LoadSealer(ctx, st, t1.Add(2*RotateEvery))
	keys, _ = readKeys(ctx, st)
	for _, k := range keys {
		if k.Created.Equal(t0) {
			t.Fatalf("the first key was kept past its retention: %v", keys)
		}
	}
}
