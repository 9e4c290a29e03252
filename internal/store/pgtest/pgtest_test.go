package pgtest

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

// TestStart checks that each Start gives its own working database, and
// that the cluster comes back after Restart on the same address.
func TestStart(t *testing.T) {
	ctx := context.Background()
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two Starts gave the same database %s", a)
	}
	query := func(dsn, sql string) string {
		t.Helper()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var s string
		if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if got := query(a, "SELECT current_database()"); got == query(b, "SELECT current_database()") {
		t.Fatalf("both connect to %s", got)
	}
	t.Logf("server %s", query(a, "SELECT version()"))
	t.Logf("default collation: %s", query(a, "SELECT coalesce(daticulocale, datcollate) FROM pg_database WHERE datname = current_database()"))
	Restart(t, func() {
		if conn, err := pgx.Connect(ctx, a); err == nil {
			conn.Close(ctx)
			t.Error("connected while the server was down")
		}
	})
	if got := query(a, "SELECT 'up'"); got != "up" {
		t.Fatalf("after restart: %q", got)
	}
}
