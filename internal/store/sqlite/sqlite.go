// Package sqlite implements store.Store on an embedded SQLite database
// (modernc.org/sqlite, pure Go): one file in WAL mode, or a private
// in-memory database.
//
// Beyond the store contract, this implementation:
//   - stores an empty Path as "/" and a zero CreatedAt as the current time;
//   - keeps times as UTC microseconds (a zero LastUsed stays zero);
//   - keys managed policies by store.PolicyARN(account, path, name) and
//     looks ARNs up case-insensitively;
//   - finds the row for UpdateUser, UpdateRole, UpdatePolicy and
//     UpdateInstanceProfile by account and ID;
//   - refuses DeleteInstanceProfile while the profile holds a role;
//   - keeps account aliases unique.
//
// A database file must be opened by one process at a time: Generation is
// an in-process counter, not persisted.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// busyTimeoutMS bounds how long a connection waits for another process's
// lock before failing with SQLITE_BUSY; writers of this process queue on
// the single write connection instead.
const busyTimeoutMS = 10000

// Store is a store.Store on SQLite. Its methods are safe for concurrent
// use. The fn given to View or Update must not call View or Update itself
// (it would wait for the connection it holds), nor share its Tx with other
// goroutines.
type Store struct {
	read  *pool // View transactions: several connections in WAL mode
	write *pool // Update transactions: one connection, so writers queue
	gen   atomic.Uint64
	now   func() time.Time
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed, readable by its owner only) the database
// file at path, in WAL mode with synchronous=FULL so every committed Update
// survives a crash, and applies any pending schema migrations.
func Open(path string) (*Store, error) {
	abs, err := create(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write, err := openDB(fileDSN(abs, true), 1)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s := &Store{write: newPool(write), now: time.Now}
	if err := s.init(true); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	read, err := openDB(fileDSN(abs, false), max(4, runtime.GOMAXPROCS(0)))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.read = newPool(read)
	return s, nil
}

// OpenMemory opens a new, private in-memory database, for tests and
// --in-memory. It lives on a single connection, so View and Update take
// turns; it disappears on Close.
func OpenMemory() (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	db, err := openDB(":memory:?"+q.Encode(), 1)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open memory: %w", err)
	}
	p := newPool(db)
	s := &Store{read: p, write: p, now: time.Now}
	if err := s.init(false); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open memory: %w", err)
	}
	return s, nil
}

// create makes sure the file at path exists, creating it with mode 0600
// (it holds secrets; SQLite gives its -wal and -shm files the same mode),
// and returns its absolute path.
func create(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return "", err
	}
	return abs, f.Close()
}

// fileDSN is the URI for the file at abs: the writer takes its lock at
// BEGIN (BEGIN IMMEDIATE); readers are query-only.
func fileDSN(abs string, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if writer {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Set("_query_only", "1")
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: q.Encode()}
	return u.String()
}

// openDB opens a pool of at most conns connections that are never closed
// while idle (an in-memory database lives as long as its connection).
func openDB(dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// init checks the journal mode of a file database and migrates the schema.
func (s *Store) init(wal bool) error {
	ctx := context.Background()
	if wal {
		var mode string
		if err := s.write.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			return fmt.Errorf("journal mode: %w", err)
		}
		if !strings.EqualFold(mode, "wal") {
			return fmt.Errorf("journal mode is %q, want wal", mode)
		}
	}
	return migrate(ctx, s.write.db, s.now)
}

// View runs fn in a read-only transaction. Writes inside it fail.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	t, err := s.begin(ctx, s.read, true)
	if err != nil {
		return fmt.Errorf("sqlite: begin view: %w", err)
	}
	defer t.end()
	return fn(t)
}

// Update runs fn in a read-write transaction and commits it if fn returns
// nil; fn's error is returned as is, and nothing it did remains. Updates
// run one at a time. A committed Update advances the generation unless it
// only used the decision log.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	t, err := s.begin(ctx, s.write, false)
	if err != nil {
		return fmt.Errorf("sqlite: begin update: %w", err)
	}
	defer t.end()
	if err := fn(t); err != nil {
		return err
	}
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	if t.changedState() {
		s.gen.Add(1)
	}
	return nil
}

func (s *Store) begin(ctx context.Context, p *pool, readOnly bool) (*tx, error) {
	sqlTx, err := p.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return nil, err
	}
	return newTx(ctx, sqlTx, p, readOnly, s.now), nil
}

// Generation counts the Updates this Store has committed, except those
// that only used the decision log. It starts at 0 on every Open: only one
// process uses a database file, and caches keyed by it live no longer
// than the process.
func (s *Store) Generation(context.Context) (uint64, error) {
	return s.gen.Load(), nil
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.read != s.write {
		errs = append(errs, s.read.close())
	}
	errs = append(errs, s.write.close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}
