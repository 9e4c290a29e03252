// Package testenv starts a real Sekisho server on loopback for tests: an
// in-memory SQLite store, a world, and an HTTP listener on 127.0.0.1.
package testenv

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/app"
	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
	"github.com/sekisho/sekisho/internal/world"
)

// Env is a running server.
type Env struct {
	URL       string
	Store     store.Store
	Decisions *audit.Log
	// Handler is the server's handler, for benchmarks that call it in process.
	Handler http.Handler
}

// Option adjusts the environment.
type Option func(*config)

type config struct {
	worlds []*world.World
	now    func() time.Time
}

// WithWorld loads w (in addition to the demo world unless WithoutDemo).
func WithWorld(w *world.World) Option { return func(c *config) { c.worlds = append(c.worlds, w) } }

// WithClock replaces the server's clock.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Start runs a server with the demo world (and any extra worlds) until the test ends.
func Start(t testing.TB, opts ...Option) *Env {
	t.Helper()
	cfg := &config{worlds: []*world.World{world.Demo()}}
	for _, o := range opts {
		o(cfg)
	}
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	var logOut io.Writer = io.Discard
	if os.Getenv("SEKISHO_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	a, err := app.New(context.Background(), app.Config{Store: st, BlobDir: t.TempDir(), Worlds: cfg.worlds,
		Log: slog.New(slog.NewTextHandler(logOut, nil)), Now: cfg.now})
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(a.Close) // after the server stops, before the store closes
	srv := httptest.NewServer(a.Handler)
	t.Cleanup(srv.Close)
	return &Env{URL: srv.URL, Store: st, Decisions: a.Decisions, Handler: a.Handler}
}
