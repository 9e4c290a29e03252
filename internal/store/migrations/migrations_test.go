package migrations

import (
	"strings"
	"testing"
)

func TestAll(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 {
		t.Fatal("no migrations")
	}
	if all[0].Version != 1 || all[0].Name != "init" {
		t.Fatalf("first migration: %d_%s", all[0].Version, all[0].Name)
	}
	for _, m := range all {
		if !strings.Contains(m.SQL, "CREATE") {
			t.Errorf("%04d_%s has no statements", m.Version, m.Name)
		}
	}
}
