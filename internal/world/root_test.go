package world_test

import (
	"context"
	"strings"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/world"
)

func rootPasswordHash(t *testing.T, st store.Store, account string) string {
	t.Helper()
	var hash string
	err := st.View(context.Background(), func(tx store.Tx) error {
		var err error
		hash, err = tx.GetSetting(world.RootPasswordSetting(account))
		return err
	})
	if err != nil {
		t.Fatalf("root password of %s: %v", account, err)
	}
	return hash
}

// TestRootPasswordSeedsOnce: a root's console password is stored hashed,
// with or without an access key, and a reload keeps a changed one.
func TestRootPasswordSeedsOnce(t *testing.T) {
	const doc = `
accounts:
  - id: "444444444444"
    root: {email: root@example.com, password: Root-Password-1}
  - id: "555555555555"
    root: {access_key_id: AKIA5555ROOT00000001, secret_access_key: secret, password: Other-Root-Password-1}
`
	w, err := world.Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st := memoryStore(t)
	if err := world.Load(ctx, st, w); err != nil {
		t.Fatal(err)
	}
	hash := rootPasswordHash(t, st, "444444444444")
	if strings.Contains(hash, "Root-Password-1") || !world.CheckPassword(hash, "Root-Password-1") || world.CheckPassword(hash, "Other-Root-Password-1") {
		t.Fatalf("root password hash %q", hash)
	}
	if !world.CheckPassword(rootPasswordHash(t, st, "555555555555"), "Other-Root-Password-1") {
		t.Fatal("second account's root password")
	}
	update(t, st, func(tx store.Tx) error {
		if _, err := tx.GetAccessKey("AKIA5555ROOT00000001"); err != nil {
			return err
		}
		return tx.PutSetting(world.RootPasswordSetting("444444444444"), world.HashPassword("Changed-Password-1"))
	})
	if err := world.Load(ctx, st, w); err != nil {
		t.Fatal(err)
	}
	if !world.CheckPassword(rootPasswordHash(t, st, "444444444444"), "Changed-Password-1") {
		t.Fatal("reloading the world reverted the root password")
	}
}

func TestRootSchemaIsStrict(t *testing.T) {
	for name, root := range map[string]string{
		"unknown field":         `{password: P-1, passwd: P-1}`,
		"nothing":               `{email: root@example.com}`,
		"secret without key":    `{secret_access_key: s, password: P-1}`,
		"email without at":      `{email: root.example.com, password: P-1}`,
		"password not a string": `{password: [a, b]}`,
	} {
		doc := "accounts:\n  - id: \"444444444444\"\n    root: " + root + "\n"
		if _, err := world.Parse([]byte(doc)); err == nil {
			t.Errorf("%s: root %s accepted", name, root)
		}
	}
}
