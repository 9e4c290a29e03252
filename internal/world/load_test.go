package world_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

func memoryStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func update(t *testing.T, st store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := st.Update(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// TestReloadKeepsAPIChanges: what the APIs changed after a world seeded
// the store survives loading the same world again — a deactivated key, a
// boundary, a removed bucket policy, a new default policy version, a
// detached policy, a deleted inline policy and a deleted user with its
// key.
func TestReloadKeepsAPIChanges(t *testing.T) {
	ctx := context.Background()
	st := memoryStore(t)
	quiet := world.WithLog(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err := world.Load(ctx, st, world.Demo(), quiet); err != nil {
		t.Fatal(err)
	}
	policyARN := "arn:aws:iam::111111111111:policy/S3GetListPolicy"
	update(t, st, func(tx store.Tx) error {
		k, err := tx.GetAccessKey("AKIA2222ALICE0000001")
		if err != nil {
			return err
		}
		k.Active = false
		if err := tx.UpdateAccessKey(k); err != nil {
			return err
		}
		u, err := tx.GetUser("222222222222", "alice")
		if err != nil {
			return err
		}
		u.PermissionsBoundary = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		b, err := tx.GetBucket("account-a-bucket-0525")
		if err != nil {
			return err
		}
		b.Policy = ""
		if err := tx.UpdateBucket(b); err != nil {
			return err
		}
		if err := tx.CreatePolicyVersion(store.PolicyVersion{PolicyARN: policyARN, VersionID: "v2", Document: `{"Version":"2012-10-17","Statement":[]}`, CreatedAt: time.Now()}); err != nil {
			return err
		}
		p, err := tx.GetPolicy(policyARN)
		if err != nil {
			return err
		}
		p.DefaultVersionID = "v2"
		if err := tx.UpdatePolicy(p); err != nil {
			return err
		}
		if err := tx.DetachPolicy(store.Attachment{Account: "111111111111", Kind: store.KindRole, Entity: "S3GetListRole", PolicyARN: policyARN}); err != nil {
			return err
		}
		for _, k := range mustKeys(tx, "222222222222", "carol") {
			if err := tx.DeleteAccessKey(k.ID); err != nil {
				return err
			}
		}
		return tx.DeleteUser("222222222222", "carol")
	})

	if err := world.Load(ctx, st, world.Demo(), quiet); err != nil {
		t.Fatal(err)
	}
	err := st.View(ctx, func(tx store.Tx) error {
		if k, _ := tx.GetAccessKey("AKIA2222ALICE0000001"); k.Active {
			t.Error("alice's key is active again")
		}
		if u, _ := tx.GetUser("222222222222", "alice"); u.PermissionsBoundary != "arn:aws:iam::aws:policy/ReadOnlyAccess" {
			t.Errorf("alice's boundary is %q", u.PermissionsBoundary)
		}
		if b, _ := tx.GetBucket("account-a-bucket-0525"); b.Policy != "" {
			t.Errorf("the bucket policy is back: %s", b.Policy)
		}
		if p, _ := tx.GetPolicy(policyARN); p.DefaultVersionID != "v2" {
			t.Errorf("the policy's default version is %s", p.DefaultVersionID)
		}
		attached, _ := tx.ListAttachedPolicies("111111111111", store.KindRole, "S3GetListRole")
		if len(attached) != 0 {
			t.Errorf("the detached policy is attached again: %+v", attached)
		}
		if _, err := tx.GetUser("222222222222", "carol"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("carol is back: %v", err)
		}
		if _, err := tx.GetAccessKey("AKIA2222CAROL0000001"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("carol's key is back: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustKeys(tx store.Tx, account, user string) []store.AccessKey {
	keys, _ := tx.ListAccessKeys(account, user)
	return keys
}

// TestChangedWorldAddsOnlyNewEntities: a world file grown since the last
// start seeds what it adds, leaves the rest, and a new attachment to a
// policy deleted through the API is skipped with a warning.
func TestChangedWorldAddsOnlyNewEntities(t *testing.T) {
	ctx := context.Background()
	st := memoryStore(t)
	v1 := `
accounts:
  - id: "444444444444"
    policies:
      - name: Read
        document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'
    users:
      - name: dora
        policies: [Read]
`
	v2 := v1 + `      - name: eve
        policies: [Read]
        access_keys: [{access_key_id: AKIA4444EVE000000001, secret_access_key: EveSecret0000000000000000000000000000001}]
`
	var logs bytes.Buffer
	log := world.WithLog(slog.New(slog.NewTextHandler(&logs, nil)))
	if err := world.Load(ctx, st, mustParse(t, v1), log); err != nil {
		t.Fatal(err)
	}
	update(t, st, func(tx store.Tx) error {
		if err := tx.DetachPolicy(store.Attachment{Account: "444444444444", Kind: store.KindUser, Entity: "dora", PolicyARN: "arn:aws:iam::444444444444:policy/Read"}); err != nil {
			return err
		}
		return tx.DeletePolicy("arn:aws:iam::444444444444:policy/Read")
	})
	if err := world.Load(ctx, st, mustParse(t, v2), log); err != nil {
		t.Fatal(err)
	}
	err := st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetUser("444444444444", "eve"); err != nil {
			t.Errorf("eve was not created: %v", err)
		}
		if k, err := tx.GetAccessKey("AKIA4444EVE000000001"); err != nil || !k.Active {
			t.Errorf("eve's key: %+v %v", k, err)
		}
		if _, err := tx.GetPolicy("arn:aws:iam::444444444444:policy/Read"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the deleted policy is back: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "arn:aws:iam::444444444444:policy/Read") {
		t.Errorf("no warning about the skipped attachment:\n%s", logs.String())
	}
}

// TestBucketTakenByAnotherAccount: a declared bucket whose name another
// account owns is skipped with a warning instead of failing the load.
func TestBucketTakenByAnotherAccount(t *testing.T) {
	ctx := context.Background()
	st := memoryStore(t)
	update(t, st, func(tx store.Tx) error {
		if err := tx.PutAccount(store.Account{ID: "999999999999", CreatedAt: time.Now()}); err != nil {
			return err
		}
		return tx.CreateBucket(store.Bucket{Name: "account-a-bucket-0525", Account: "999999999999", Region: "us-east-1",
			Ownership: "BucketOwnerEnforced", CreatedAt: time.Now()})
	})
	var logs bytes.Buffer
	log := world.WithLog(slog.New(slog.NewTextHandler(&logs, nil)))
	for range 2 {
		if err := world.Load(ctx, st, world.Demo(), log); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.View(ctx, func(tx store.Tx) error {
		if b, _ := tx.GetBucket("account-a-bucket-0525"); b.Account != "999999999999" || b.Policy != "" {
			t.Errorf("the bucket is now %+v", b)
		}
		return nil
	})
	if !strings.Contains(logs.String(), "another account owns it") {
		t.Errorf("no warning:\n%s", logs.String())
	}
}

func mustParse(t *testing.T, text string) *world.World {
	t.Helper()
	w, err := world.Parse([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// A world's bucket has the Block Public Access it declares, and none when
// it declares none.
func TestBucketPublicAccessBlock(t *testing.T) {
	st := memoryStore(t)
	w, err := world.Parse([]byte(`
accounts:
  - id: "111111111111"
    buckets:
      - name: undeclared
      - name: declared
        public_access_block: {block_public_acls: true, restrict_public_buckets: true}
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := world.Load(context.Background(), st, w); err != nil {
		t.Fatal(err)
	}
	err = st.View(context.Background(), func(tx store.Tx) error {
		if _, err := tx.GetBucketSetting("undeclared", "publicAccessBlock"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("undeclared: %v, want no setting", err)
		}
		got, err := tx.GetBucketSetting("declared", "publicAccessBlock")
		want := "<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>false</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>"
		if err != nil || got != want {
			t.Errorf("declared: %s %v, want %s", got, err, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
