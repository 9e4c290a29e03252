package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/migrations"
	"github.com/sekisho/sekisho/internal/store/storetest"
)

func openFile(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openFile(t, filepath.Join(t.TempDir(), "sekisho.db"))
	})
}

func TestMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, err := OpenMemory()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func TestMemoryStoresArePrivate(t *testing.T) {
	ctx := context.Background()
	a, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.Update(ctx, func(tx store.Tx) error { return tx.PutSetting("k", "a") }); err != nil {
		t.Fatal(err)
	}
	err = b.View(ctx, func(tx store.Tx) error { _, err := tx.GetSetting("k"); return err })
	if err == nil {
		t.Fatal("a second in-memory store sees the first one's data")
	}
}

func TestDurableAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sekisho.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutAccount(store.Account{ID: "111111111111", Alias: "a"}); err != nil {
			return err
		}
		return tx.CreateUser(store.User{Account: "111111111111", Name: "alice", ID: "AIDAALICE"})
	})
	if err != nil {
		t.Fatal(err)
	}
	applied := migrationRows(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openFile(t, path)
	err = s.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetAccount("111111111111"); err != nil {
			return err
		}
		_, err := tx.GetUser("111111111111", "ALICE")
		return err
	})
	if err != nil {
		t.Fatalf("after reopen: %v", err)
	}
	again := migrationRows(t, s)
	all, err := migrations.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(all) || len(applied) != len(all) {
		t.Fatalf("schema_migrations has %d rows before and %d after reopen, want %d", len(applied), len(again), len(all))
	}
	for v, at := range applied {
		if again[v] != at {
			t.Errorf("migration %d re-applied on reopen", v)
		}
	}
}

// migrationRows maps each recorded migration version to its applied_at.
func migrationRows(t *testing.T, s *Store) map[int]int64 {
	t.Helper()
	rows, err := s.read.db.Query("SELECT version, applied_at FROM schema_migrations")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := make(map[int]int64)
	for rows.Next() {
		var v int
		var at int64
		if err := rows.Scan(&v, &at); err != nil {
			t.Fatal(err)
		}
		out[v] = at
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFileIsWAL(t *testing.T) {
	s := openFile(t, filepath.Join(t.TempDir(), "wal.db"))
	for _, p := range []struct{ pragma, want string }{{"journal_mode", "wal"}, {"synchronous", "2"}, {"foreign_keys", "1"}} {
		var got string
		if err := s.write.db.QueryRow("PRAGMA " + p.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != p.want {
			t.Errorf("PRAGMA %s = %s, want %s", p.pragma, got, p.want)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open accepted a database from a newer build")
	}
}

func TestOddPathAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a dir?#%", "x y.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	s := openFile(t, path)
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.PutSetting("k", "v") }); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("the database is not at the path given: %v", err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}
