// Package pgtest runs a throw-away PostgreSQL server for tests: one
// cluster per test binary, started on first use, with a fresh database for
// every Start.
//
// A package using it declares
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
//
// so the cluster stops when its tests end. Should the test binary exit
// otherwise (a timeout, a kill, no Main), a watchdog process stops the
// server and removes its files.
//
// The server binaries (initdb, pg_ctl) come from /usr/lib/postgresql/*/bin
// or PATH. Without them, Start skips the test, or fails it when the CI
// environment variable is set. Running as root, the server runs as the
// unprivileged "postgres" user (created if missing), as PostgreSQL refuses
// to run as root.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

// shared is the one cluster of this test binary. It is the package's only
// mutable global state.
var shared struct {
	once sync.Once
	c    *cluster
	err  error
}

// Main runs the tests and then stops the cluster, if one was started. Call
// it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shared.once.Do(func() {}) // no start from now on; and see what one did
	if shared.c != nil {
		if err := shared.c.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
		}
	}
	os.Exit(code)
}

// Start returns the connection string (no password: the server trusts
// loopback connections) of a new, empty database on the test cluster,
// starting the cluster on the first call. The database is dropped when the
// test ends, after the test's later cleanups (so close stores first by
// registering their cleanup after calling Start).
func Start(t testing.TB) string {
	t.Helper()
	c := get(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := c.createDB(ctx)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := c.dropDB(ctx, name); err != nil {
			t.Logf("pgtest: %v", err)
		}
	})
	return c.dsn(name)
}

// Restart stops the server (fast shutdown: clients are disconnected),
// calls whileDown (if not nil) while it is down, and starts it again on the
// same port and data — what pg_ctl restart does, with a window to observe
// the outage. Tests calling it must not run in parallel with other tests
// of the cluster.
func Restart(t testing.TB, whileDown func()) {
	t.Helper()
	if err := get(t).restart(whileDown); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// get returns the cluster, starting it on the first call; it skips or
// fails t when it cannot.
func get(t testing.TB) *cluster {
	t.Helper()
	shared.once.Do(func() { shared.c, shared.err = startCluster() })
	switch {
	case errors.Is(shared.err, errNoServer) && os.Getenv("CI") != "":
		t.Fatalf("pgtest: %v (CI is set: install package postgresql, as `make test` does)", shared.err)
	case errors.Is(shared.err, errNoServer):
		t.Skipf("pgtest: %v; `make test` installs them (apt-get install postgresql)", shared.err)
	case shared.err != nil:
		t.Fatalf("pgtest: %v", shared.err)
	case shared.c == nil:
		t.Fatal("pgtest: the cluster was stopped: call Start only from tests run by pgtest.Main")
	}
	return shared.c
}
