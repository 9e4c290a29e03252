package world_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/world"
)

const orgWorldText = `
accounts:
  - id: "111111111111"
  - id: "222222222222"
  - id: "333333333333"
organization:
  management_account: "111111111111"
  policies:
    - name: NoDelete
      type: scp
      document: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:DeleteObject","Resource":"*"}]}'
  units:
    - name: Prod
      accounts: ["333333333333"]
  attach:
    Prod: [FullAWSAccess, NoDelete]
`

// TestOrganizationSeedsOnce: a declared organization goes into the store
// with every world account, its unit and attachments (AWS's full access
// policies where nothing of a type is declared); loading it again leaves
// what the API changed since.
func TestOrganizationSeedsOnce(t *testing.T) {
	st := memoryStore(t)
	w, err := world.Parse([]byte(orgWorldText))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	load := func() {
		t.Helper()
		if err := world.Load(ctx, st, w); err != nil {
			t.Fatal(err)
		}
		if err := world.LoadOrganization(ctx, st, []*world.World{w}, log); err != nil {
			t.Fatal(err)
		}
	}
	load()
	var o store.Organization
	update(t, st, func(tx store.Tx) error {
		orgs, err := tx.ListOrganizations()
		if err != nil || len(orgs) != 1 {
			t.Fatalf("organizations: %v %v", orgs, err)
		}
		o = orgs[0]
		return nil
	})
	prod := o.Units[0].ID
	member, _ := o.MemberOf("333333333333")
	if o.ManagementAccount != "111111111111" || len(o.Accounts) != 3 || member.Parent != prod || len(o.Policies) != 1 {
		t.Fatalf("seeded: %+v", o)
	}
	attached := map[string]bool{}
	for _, a := range o.Attachments {
		attached[a.TargetID+" "+a.PolicyID] = true
	}
	for _, want := range []string{o.RootID + " p-FullAWSAccess", o.RootID + " p-RCPFullAWSAccess", prod + " " + o.Policies[0].ID,
		prod + " p-FullAWSAccess", "222222222222 p-FullAWSAccess"} {
		if !attached[want] {
			t.Errorf("missing attachment %s in %v", want, o.Attachments)
		}
	}
	// The API detaches NoDelete; a restart loads the world again.
	o.Attachments = nil
	update(t, st, func(tx store.Tx) error { return tx.PutOrganization(o) })
	load()
	update(t, st, func(tx store.Tx) error {
		got, err := tx.GetOrganization(o.ID)
		if err != nil || len(got.Attachments) != 0 {
			t.Fatalf("after reloading: %+v %v", got.Attachments, err)
		}
		return nil
	})
}
