package world_test

import (
	"context"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/world"
)

func TestInstanceProfileTagsFromWorld(t *testing.T) {
	st := memoryStore(t)
	w, err := world.Parse([]byte(`
accounts:
  - id: "333333333333"
    instance_profiles:
      - name: web
        tags: {team: web}
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := world.Load(context.Background(), st, w); err != nil {
		t.Fatal(err)
	}
	p, err := store.Read(context.Background(), st, func(tx store.Tx) (store.InstanceProfile, error) {
		return tx.GetInstanceProfile("333333333333", "web")
	})
	if err != nil || len(p.Tags) != 1 || p.Tags[0] != (store.Tag{Key: "team", Value: "web"}) {
		t.Fatalf("instance profile web: %+v, %v", p, err)
	}
}
