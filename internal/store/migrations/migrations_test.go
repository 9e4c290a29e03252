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

func TestPendingToleratesGaps(t *testing.T) {
	all := []Migration{{Version: 1}, {Version: 2}, {Version: 4}, {Version: 6}}
	got := Pending(all, map[int]bool{1: true, 2: true, 6: true})
	if len(got) != 1 || got[0].Version != 4 {
		t.Fatalf("pending with 4 missing below 6: %+v", got)
	}
	if Latest(all) != 6 || Latest(nil) != 0 {
		t.Fatalf("Latest: %d, %d", Latest(all), Latest(nil))
	}
}
