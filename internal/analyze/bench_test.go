package analyze

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// BenchmarkWhoCan answers who can read an object in a world of 100
// accounts with 20 roles each (2,000 roles) whose trust policies form
// chains four roles deep across accounts: user → r0 → r1 → r2 → r3 → r4,
// each hop in the next account, r4 reading the bucket. Every iteration
// loads the store, as the command does.
func BenchmarkWhoCan(b *testing.B) {
	st := largeWorld(b, 100, 20)
	ctx := context.Background()
	var paths []Path
	for b.Loop() {
		var err error
		if paths, err = WhoCan(ctx, st, "s3:GetObject", "arn:aws:s3:::bench-bucket/key"); err != nil {
			b.Fatal(err)
		}
	}
	if len(paths) != 100*20+100+100 {
		b.Fatalf("%d paths, want every role, user and root", len(paths))
	}
}

// TestLargeWorldChains checks the answer on the benchmark's world; its
// speed is BenchmarkWhoCan's business.
func TestLargeWorldChains(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 2,000-role world")
	}
	st := largeWorld(t, 100, 20)
	start := time.Now()
	paths, err := WhoCan(context.Background(), st, "s3:GetObject", "arn:aws:s3:::bench-bucket/key")
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	longest := 0
	for _, p := range paths {
		longest = max(longest, len(p.Steps))
	}
	if len(paths) != 2200 || longest != 6 {
		t.Fatalf("%d paths, longest %d steps; want 2200 and 6", len(paths), longest)
	}
	t.Logf("who-can over 2,000 roles: %v", elapsed)
}

func accountID(a int) string { return fmt.Sprintf("%012d", 100000000000+a) }

// largeWorld writes the benchmark's world straight into an in-memory store.
func largeWorld(tb testing.TB, accounts, roles int) store.Store {
	tb.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	err = st.Update(context.Background(), func(tx store.Tx) error {
		for a := range accounts {
			if err := largeAccount(tx, a, accounts, roles); err != nil {
				return err
			}
		}
		return tx.CreateBucket(store.Bucket{Name: "bench-bucket", Account: accountID(0), Region: "us-east-1",
			Policy: benchBucketPolicy(accounts), Ownership: "BucketOwnerEnforced"})
	})
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

const (
	assumeAnything = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	readBucket     = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bench-bucket/*"}]}`
)

func largeAccount(tx store.Tx, a, accounts, roles int) error {
	id := accountID(a)
	if err := tx.PutAccount(store.Account{ID: id}); err != nil {
		return err
	}
	if err := tx.CreateUser(store.User{Account: id, Name: "u", Path: "/", ID: fmt.Sprintf("AIDA%016d", a)}); err != nil {
		return err
	}
	if err := tx.PutInlinePolicy(store.InlinePolicy{Account: id, Kind: store.KindUser, Entity: "u", Name: "assume", Document: assumeAnything}); err != nil {
		return err
	}
	prev := accountID((a + accounts - 1) % accounts)
	for j := range roles {
		if err := largeRole(tx, id, prev, a, j); err != nil {
			return err
		}
	}
	return nil
}

// largeRole creates role j of an account: position j%5 of a chain whose
// previous hop is in account prev.
func largeRole(tx store.Tx, id, prev string, a, j int) error {
	name := fmt.Sprintf("r%02d", j)
	trusted := "arn:aws:iam::" + prev + ":user/u"
	if j%5 > 0 {
		trusted = fmt.Sprintf("arn:aws:iam::%s:role/r%02d", prev, j-1)
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + trusted + `"},"Action":"sts:AssumeRole"}]}`
	err := tx.CreateRole(store.Role{Account: id, Name: name, Path: "/", ID: fmt.Sprintf("AROA%012d%04d", a, j), TrustPolicy: trust, MaxSessionDuration: 3600})
	if err != nil {
		return err
	}
	doc := assumeAnything
	if j%5 == 4 {
		doc = readBucket
	}
	return tx.PutInlinePolicy(store.InlinePolicy{Account: id, Kind: store.KindRole, Entity: name, Name: "hop", Document: doc})
}

func benchBucketPolicy(accounts int) string {
	ids := make([]string, accounts)
	for a := range ids {
		ids[a] = `"` + accountID(a) + `"`
	}
	return `{"Version":"2012-10-17","Statement":[{"Sid":"Accounts","Effect":"Allow","Principal":{"AWS":[` + strings.Join(ids, ",") +
		`]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bench-bucket/*"}]}`
}

// BenchmarkWhoCanLoaded is BenchmarkWhoCan without the store load: the
// analysis alone, on a fresh snapshot's caches each time.
func BenchmarkWhoCanLoaded(b *testing.B) {
	st := largeWorld(b, 100, 20)
	for b.Loop() {
		b.StopTimer()
		s, err := Load(context.Background(), st)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.WhoCan("s3:GetObject", "arn:aws:s3:::bench-bucket/key"); err != nil {
			b.Fatal(err)
		}
	}
}
