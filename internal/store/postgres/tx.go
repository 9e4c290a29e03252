package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlstore"
)

// dialect is PostgreSQL's SQL: $n placeholders, lists in byte order
// whatever the database's collation, and ON CONFLICT or checks ahead
// rather than constraint violations, which would abort the transaction.
var dialect = &sqlstore.Dialect{
	Numbered:   true,
	Collate:    ` COLLATE "C"`,
	DoNothing:  " ON CONFLICT DO NOTHING",
	CheckFirst: true,
	NoRows:     pgx.ErrNoRows,
	Classify:   classify,
	NoLimit:    nil, // LIMIT NULL
}

// classify maps a unique violation to store.ErrExists and a foreign key
// violation to store.ErrConflict.
func classify(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return nil
	}
	switch pe.Code {
	case "23505":
		return store.ErrExists
	case "23503":
		return store.ErrConflict
	}
	return nil
}

// tx is store.Tx on one PostgreSQL transaction: package sqlstore's. pgx
// prepares and caches each query per connection, so queries are plain
// strings here.
type tx struct {
	sqlstore.Tx
	ctx      context.Context
	tx       pgx.Tx
	readOnly bool
	now      func() time.Time
	gen      uint64 // the generation this Update commits, once bumped
	bumped   bool   // the generation was incremented (and its row locked)
	logged   bool   // the decision log was used
}

var (
	_ store.Tx      = (*tx)(nil)
	_ sqlstore.Conn = (*tx)(nil)
)

func newTx(ctx context.Context, ptx pgx.Tx, readOnly bool, now func() time.Time) *tx {
	t := &tx{ctx: ctx, tx: ptx, readOnly: readOnly, now: now}
	t.Tx = sqlstore.New(t, dialect, readOnly, now)
	return t
}

// State runs before every query on the state. In an Update, the first one
// increments the generation, taking the lock of its row until the
// transaction ends: from then on no other Update runs, so checks and
// writes see a state nobody changes under them. The decision log does not
// pass here, so an Update that only writes it neither waits for the
// others nor advances the generation.
func (t *tx) State() error {
	if t.readOnly || t.bumped {
		return nil
	}
	gen, err := bumpGeneration(t.ctx, t.tx)
	if err != nil {
		return err
	}
	t.gen, t.bumped = gen, true
	return nil
}

// Log notes that the decision log was used.
func (t *tx) Log() { t.logged = true }

// finish bumps the generation of an Update that ran no query at all, as
// every Update but those that only used the decision log advances it.
func (t *tx) finish() error {
	if t.logged {
		return nil
	}
	return t.State()
}

// Exec runs a write and returns the number of rows it changed.
func (t *tx) Exec(query string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(t.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// QueryRow runs a query returning at most one row.
func (t *tx) QueryRow(query string, args ...any) sqlstore.Row {
	return t.tx.QueryRow(t.ctx, query, args...)
}

// Query runs a query.
func (t *tx) Query(query string, args ...any) (sqlstore.Rows, error) {
	rows, err := t.tx.Query(t.ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return pgRows{rows}, nil
}

// pgRows is pgx.Rows as sqlstore.Rows.
type pgRows struct{ pgx.Rows }

func (r pgRows) Close() error {
	r.Rows.Close()
	return nil
}
