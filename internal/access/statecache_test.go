package access

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// TestStateCacheFollowsTheStore: the gate's cached roles, keys and
// organization index (read without a lock while the store's generation
// is unchanged) give way on the next lookup after any change: a new trust
// policy, a role deleted and re-created under the same name (a new id), a
// deactivated key, a new organization.
func TestStateCacheFollowsTheStore(t *testing.T) {
	g, st := closedWorld(t)
	ctx := context.Background()
	update := func(f func(tx store.Tx) error) {
		t.Helper()
		if err := st.Update(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	role := store.Role{Account: "333333333333", Name: "Deploy", Path: "/", ID: "AROA00000000000000001",
		TrustPolicy: `{"Version":"2012-10-17","Statement":[]}`, MaxSessionDuration: 3600, CreatedAt: time.Now()}
	update(func(tx store.Tx) error { return tx.CreateRole(role) })
	for range 2 { // the second from the cache
		if r, err := g.Role(ctx, "333333333333", "deploy"); err != nil || r.ID != role.ID || r.TrustPolicy != role.TrustPolicy {
			t.Fatalf("role = %+v, %v", r, err)
		}
	}
	changed := role
	changed.TrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
	update(func(tx store.Tx) error { return tx.UpdateRole(changed) })
	if r, err := g.Role(ctx, "333333333333", "DEPLOY"); err != nil || r.TrustPolicy != changed.TrustPolicy {
		t.Fatalf("after a trust policy change: %+v, %v", r, err)
	}
	recreated := role
	recreated.ID = "AROA00000000000000002"
	update(func(tx store.Tx) error {
		if err := tx.DeleteRole("333333333333", "Deploy"); err != nil {
			return err
		}
		return tx.CreateRole(recreated)
	})
	if r, err := g.Role(ctx, "333333333333", "Deploy"); err != nil || r.ID != recreated.ID {
		t.Fatalf("after re-creation: %+v, %v", r, err)
	}
	update(func(tx store.Tx) error { return tx.DeleteRole("333333333333", "Deploy") })
	if _, err := g.Role(ctx, "333333333333", "Deploy"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after deletion: %v", err)
	}

	key := keyOf("333333333333")
	if _, _, err := g.Resolve(ctx, key, ""); err != nil {
		t.Fatal(err)
	}
	update(func(tx store.Tx) error {
		k, err := tx.GetAccessKey(key)
		if err != nil {
			return err
		}
		k.Active = false
		return tx.UpdateAccessKey(k)
	})
	if _, _, err := g.Resolve(ctx, key, ""); !errors.Is(err, ErrInactiveKey) {
		t.Fatalf("a deactivated key resolves: %v", err)
	}

	if m, err := g.OrgMember(ctx, "555555555555"); err != nil || m != nil {
		t.Fatalf("member before its organization: %+v, %v", m, err)
	}
	update(func(tx store.Tx) error {
		if err := tx.PutAccount(store.Account{ID: "555555555555", CreatedAt: time.Now()}); err != nil {
			return err
		}
		return tx.PutOrganization(store.Organization{ID: "o-zzzzzzzzzz", ManagementAccount: "555555555555", RootID: "r-zz12",
			Accounts: []store.OrgAccount{{ID: "555555555555", Parent: "r-zz12", Status: "ACTIVE"}}})
	})
	if m, err := g.OrgMember(ctx, "555555555555"); err != nil || m == nil || m.OrgID != "o-zzzzzzzzzz" {
		t.Fatalf("member after its organization: %+v, %v", m, err)
	}
}
