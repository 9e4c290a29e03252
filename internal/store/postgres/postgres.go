// Package postgres implements store.Store on PostgreSQL (pgx and pgxpool),
// so that several Sekisho replicas can share one database.
//
// It behaves as package sqlite does (same schema, migrations and
// conformance suite; names compared through the lower-cased name_key
// column; lists in byte order whatever the database's collation; times as
// UTC microseconds). Beyond that:
//
//   - Open applies pending migrations under a transaction-scoped advisory
//     lock, so replicas starting together apply each exactly once, and
//     refuses a database migrated by a newer build.
//   - Every Update increments the one row of table generation before its
//     first query on the state, which serializes Updates across all
//     replicas (as SQLite's single writer does): checks such as limits and
//     dependents then run against a state no other writer changes under
//     them, at READ COMMITTED. Views are REPEATABLE READ, READ ONLY
//     snapshots and never wait for writers. The decision log is not state:
//     an Update that only writes it takes no turn and changes no
//     generation.
//   - Expected failures (a taken name: store.ErrExists, and so on) leave
//     the transaction usable, as with SQLite: the store checks or uses
//     ON CONFLICT rather than letting the server abort the transaction.
//   - Generation is the database's counter, so it is shared by replicas.
//     Each Update notifies channel sekisho_generation when it commits; a
//     listener connection per Store keeps a cached copy, so Generation
//     costs no query. A commit on one replica reaches the others'
//     Generation as fast as the notification travels (about a millisecond
//     on a LAN; well under a second). While the listener is disconnected,
//     Generation reads the counter from the database instead; a silently
//     dead listener connection is noticed within about two seconds.
//
// Text cannot hold NUL bytes or invalid UTF-8 in PostgreSQL (it can in
// SQLite); such values fail with the server's error.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sekisho/sekisho/internal/store"
)

// Retrying a transaction that failed for a passing reason (a serialization
// failure, a deadlock, a connection that broke before the commit).
const (
	maxAttempts = 5
	firstDelay  = 10 * time.Millisecond
)

// Store is a store.Store on PostgreSQL. Its methods are safe for
// concurrent use. The fn given to View or Update must not call View or
// Update itself, nor share its Tx with other goroutines, and may run more
// than once: after a transient failure the transaction is retried.
type Store struct {
	pool   *pgxpool.Pool
	gen    atomic.Uint64 // the highest generation seen
	listen *listener
	now    func() time.Time
	closed sync.Once
}

var _ store.Store = (*Store)(nil)

// errBadDSN replaces connection string parse errors, which may quote the
// string and so a password.
var errBadDSN = errors.New("postgres: the connection string does not parse (not shown: it may hold a password)")

// Open connects to the database of the connection string dsn (a URL or
// key=value pairs, as libpq takes; pgxpool settings such as
// pool_max_conns too), applies pending migrations and starts listening for
// other replicas' commits on one more connection. ctx bounds the opening
// only. Close the Store when done.
func Open(ctx context.Context, dsn string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, errBadDSN
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if err := migrate(ctx, pool, time.Now); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{pool: pool, now: time.Now}
	s.listen = startListener(cfg.ConnConfig.Copy(), s.advance)
	return s, nil
}

// View runs fn in a read-only snapshot (REPEATABLE READ, READ ONLY).
// Writes inside it fail.
func (s *Store) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.retry(ctx, func() (bool, error) { return s.viewOnce(ctx, fn) })
}

func (s *Store) viewOnce(ctx context.Context, fn func(store.Tx) error) (again bool, err error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return true, fmt.Errorf("postgres: begin view: %w", err)
	}
	defer func() { again = s.release(ctx, c, err) || again }()
	ptx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return transient(err), fmt.Errorf("postgres: begin view: %w", err)
	}
	defer ptx.Rollback(ctx)
	if err := fn(newTx(ctx, ptx, true, s.now)); err != nil {
		return transient(err), err
	}
	return false, nil
}

// Update runs fn in a read-write transaction and commits it if fn returns
// nil; fn's error is returned as is, and nothing it did remains. Updates
// run one at a time across every replica of the database.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.retry(ctx, func() (bool, error) { return s.updateOnce(ctx, fn) })
}

func (s *Store) updateOnce(ctx context.Context, fn func(store.Tx) error) (again bool, err error) {
	c, err := s.pool.Acquire(ctx)
	if err != nil {
		return true, fmt.Errorf("postgres: begin update: %w", err)
	}
	sent := false // COMMIT went out: from then on, only the server knows
	defer func() { again = (s.release(ctx, c, err) && !sent) || again }()
	ptx, err := c.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return transient(err), fmt.Errorf("postgres: begin update: %w", err)
	}
	defer ptx.Rollback(ctx)
	t := newTx(ctx, ptx, false, s.now)
	if err := fn(t); err != nil {
		return transient(err), err
	}
	if err := t.finish(); err != nil {
		return transient(err), fmt.Errorf("postgres: update: %w", err)
	}
	sent = true
	if err := ptx.Commit(ctx); err != nil {
		// Only a COMMIT that never left is known not to have committed.
		return pgconn.SafeToRetry(err), fmt.Errorf("postgres: commit: %w", err)
	}
	if t.bumped {
		s.advance(t.gen)
	}
	return false, nil
}

// release returns c to the pool, and reports whether the attempt failed
// on a connection that broke (rather than one closed because ctx ended).
// Then the server has most likely gone away (a restart, a failover),
// taking the pool's other connections with it: the pool drops them all,
// and an attempt that did not reach COMMIT is worth retrying on a new one.
func (s *Store) release(ctx context.Context, c *pgxpool.Conn, err error) (broken bool) {
	broken = err != nil && ctx.Err() == nil && c.Conn().IsClosed()
	c.Release()
	if broken {
		s.pool.Reset()
	}
	return broken
}

// transient reports whether err is a failure that running the same
// transaction again may not meet: a serialization failure or deadlock
// (PostgreSQL asks clients to retry those), or an error that happened
// before anything reached the server.
func transient(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return pgconn.SafeToRetry(err)
}

// retry runs attempt until it succeeds, fails for good, or has failed
// maxAttempts times, waiting a little longer each time.
func (s *Store) retry(ctx context.Context, attempt func() (again bool, err error)) error {
	delay := firstDelay
	for i := 1; ; i++ {
		again, err := attempt()
		if err == nil || !again {
			return err
		}
		if i == maxAttempts || ctx.Err() != nil {
			// Still failing on connections or conflicts: the database is
			// out of reach for now, and the request must not pass.
			return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// Generation is the number of Updates committed to the database by any
// replica. It comes from memory while the listener is connected, and from
// the database otherwise.
func (s *Store) Generation(ctx context.Context) (uint64, error) {
	if s.listen.live() {
		return s.gen.Load(), nil
	}
	v, err := readGeneration(ctx, s.pool)
	if err != nil {
		return 0, fmt.Errorf("postgres: generation: %w: %w", store.ErrUnavailable, err)
	}
	return s.advance(v), nil
}

// advance raises the cached generation to v if it is behind, and returns
// the cached value.
func (s *Store) advance(v uint64) uint64 {
	for {
		cur := s.gen.Load()
		if v <= cur {
			return cur
		}
		if s.gen.CompareAndSwap(cur, v) {
			return v
		}
	}
}

// Close stops the listener and closes the connections. It waits for
// transactions in progress.
func (s *Store) Close() error {
	s.closed.Do(func() {
		s.listen.close()
		s.pool.Close()
	})
	return nil
}
