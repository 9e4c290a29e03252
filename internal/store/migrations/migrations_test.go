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
		if !strings.Contains(m.SQL, "CREATE") && !strings.Contains(m.SQL, "ALTER") {
			t.Errorf("%04d_%s has no statements", m.Version, m.Name)
		}
	}
}

// TestPendingToleratesGaps: a migration merged after one with a higher
// number is still applied; a database migrated by a newer build is refused.
func TestPendingToleratesGaps(t *testing.T) {
	all := []Migration{{Version: 1}, {Version: 2}, {Version: 4}, {Version: 8}}
	got, err := Pending(all, []int{1, 2, 8})
	if err != nil || len(got) != 1 || got[0].Version != 4 {
		t.Fatalf("Pending with 4 missing: %v, %v", got, err)
	}
	if got, err := Pending(all, nil); err != nil || len(got) != 4 {
		t.Fatalf("Pending on a new database: %v, %v", got, err)
	}
	if _, err := Pending(all, []int{1, 2, 3}); err == nil {
		t.Fatal("a database with a version this build lacks was accepted")
	}
}
