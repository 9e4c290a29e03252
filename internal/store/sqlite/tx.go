package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlstore"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dialect is SQLite's SQL: ? placeholders, byte order by default (BINARY
// collation), and a unique violation that leaves the transaction usable.
var dialect = &sqlstore.Dialect{
	NoRows:   sql.ErrNoRows,
	Classify: classify,
	NoLimit:  -1,
}

// classify maps a unique or primary key violation to store.ErrExists.
func classify(err error) error {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return nil
	}
	if e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY {
		return store.ErrExists
	}
	return nil
}

// tx is store.Tx on one SQL transaction: package sqlstore's, running its
// queries through the pool's prepared statements.
type tx struct {
	sqlstore.Tx
	ctx      context.Context
	tx       *sql.Tx
	pool     *pool
	readOnly bool
	now      func() time.Time
	bound    map[*sql.Stmt]*sql.Stmt // pool statements bound to tx
	missed   []string                // queries run without a prepared statement
	touched  bool                    // a query ran on the state (not the decision log)
	logged   bool                    // the decision log was used
}

var (
	_ store.Tx      = (*tx)(nil)
	_ sqlstore.Conn = (*tx)(nil)
)

func newTx(ctx context.Context, sqlTx *sql.Tx, p *pool, readOnly bool, now func() time.Time) *tx {
	t := &tx{ctx: ctx, tx: sqlTx, pool: p, readOnly: readOnly, now: now}
	t.Tx = sqlstore.New(t, dialect, readOnly, now)
	return t
}

// end rolls back what was not committed, then prepares the queries that
// had no statement yet, now that the connection is back in its pool.
func (t *tx) end() {
	t.tx.Rollback()
	if len(t.missed) > 0 {
		t.pool.prepare(t.ctx, t.missed)
	}
}

// stmt returns the pool's statement for query bound to this transaction,
// or nil (noting the miss) if the pool has none yet.
func (t *tx) stmt(query string) *sql.Stmt {
	st := t.pool.stmt(query)
	if st == nil {
		t.missed = append(t.missed, query)
		return nil
	}
	if b, ok := t.bound[st]; ok {
		return b
	}
	if t.bound == nil {
		t.bound = make(map[*sql.Stmt]*sql.Stmt)
	}
	b := t.tx.StmtContext(t.ctx, st)
	t.bound[st] = b
	return b
}

// changedState reports whether committing this transaction must advance
// the generation: unless it only used the decision log, it may have
// changed the state.
func (t *tx) changedState() bool { return t.touched || !t.logged }

// State notes that a query ran on the state.
func (t *tx) State() error {
	t.touched = true
	return nil
}

// Log notes that the decision log was used.
func (t *tx) Log() { t.logged = true }

// Exec runs a write and returns the number of rows it changed.
func (t *tx) Exec(query string, args ...any) (int64, error) {
	var res sql.Result
	var err error
	if st := t.stmt(query); st != nil {
		res, err = st.ExecContext(t.ctx, args...)
	} else {
		res, err = t.tx.ExecContext(t.ctx, query, args...)
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// QueryRow runs a query returning at most one row.
func (t *tx) QueryRow(query string, args ...any) sqlstore.Row {
	if st := t.stmt(query); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

// Query runs a query.
func (t *tx) Query(query string, args ...any) (sqlstore.Rows, error) {
	var rows *sql.Rows
	var err error
	if st := t.stmt(query); st != nil {
		rows, err = st.QueryContext(t.ctx, args...)
	} else {
		rows, err = t.tx.QueryContext(t.ctx, query, args...)
	}
	if err != nil {
		return nil, err
	}
	return rows, nil
}
