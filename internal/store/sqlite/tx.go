package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// errReadOnly is returned by writes inside View.
var errReadOnly = errors.New("write in a read-only transaction")

// tx is store.Tx on one SQL transaction.
type tx struct {
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

var _ store.Tx = (*tx)(nil)

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

// logOnly marks the transaction as using the decision log, and returns
// the function that forgets the state queries run until it is called: the
// decision methods run on the same helpers as the rest.
func (t *tx) logOnly() (restore func()) {
	t.logged = true
	touched := t.touched
	return func() { t.touched = touched }
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// exec runs a write and returns the number of rows it changed.
func (t *tx) exec(query string, args ...any) (int64, error) {
	if t.readOnly {
		return 0, errReadOnly
	}
	t.touched = true
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

func (t *tx) row(query string, args ...any) *sql.Row {
	t.touched = true
	if st := t.stmt(query); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, query, args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	t.touched = true
	if st := t.stmt(query); st != nil {
		return st.QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, query, args...)
}

// exists reports whether query returns a row.
func (t *tx) exists(query string, args ...any) (bool, error) {
	var one int
	err := t.row(query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// count runs a SELECT COUNT(*) query.
func (t *tx) count(query string, args ...any) (int, error) {
	var n int
	err := t.row(query, args...).Scan(&n)
	return n, err
}

// list runs query and scans every row with scan.
func list[T any](t *tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// dependent is a kind of row that blocks a delete: query selects 1 when
// one exists for the id given as its only argument.
type dependent struct {
	what  string
	query string
}

// checkDependents fails with store.ErrConflict when id has any of deps.
func (t *tx) checkDependents(entity, id string, deps []dependent) error {
	for _, d := range deps {
		found, err := t.exists(d.query, id)
		if err != nil {
			return fmt.Errorf("delete %s: %w", entity, err)
		}
		if found {
			return fmt.Errorf("delete %s: it still has %s: %w", entity, d.what, store.ErrConflict)
		}
	}
	return nil
}

// wrapf maps err to the store's errors (no rows: ErrNotFound; a unique
// or primary key violation: ErrExists) and prefixes the formatted context.
// Callers never put secrets into the context.
func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	case isUniqueViolation(err):
		return fmt.Errorf("%s: %w", what, store.ErrExists)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// notFound is ErrNotFound with context.
func notFound(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), store.ErrNotFound)
}

// required fails when any of the named fields (name, value pairs) is empty.
func required(what string, fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == "" {
			return fmt.Errorf("%s: empty %s", what, fields[i])
		}
	}
	return nil
}

// nameKey is the case-folded form names are unique and looked up by.
func nameKey(name string) string { return strings.ToLower(name) }

// normPath stores an empty path as "/".
func normPath(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// stamp is v in microseconds, or now if v is zero.
func (t *tx) stamp(v time.Time) int64 {
	if v.IsZero() {
		v = t.now()
	}
	return v.UnixMicro()
}

// nullTime is v in microseconds, or NULL if v is zero.
func nullTime(v time.Time) any {
	if v.IsZero() {
		return nil
	}
	return v.UnixMicro()
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromNullMicros(us sql.NullInt64) time.Time {
	if !us.Valid {
		return time.Time{}
	}
	return fromMicros(us.Int64)
}

func encodeTags(tags []store.Tag) (string, error) {
	if len(tags) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(tags)
	if err != nil {
		return "", fmt.Errorf("encode tags: %w", err)
	}
	return string(b), nil
}

func decodeTags(s string) ([]store.Tag, error) {
	var tags []store.Tag
	if err := json.Unmarshal([]byte(s), &tags); err != nil {
		return nil, fmt.Errorf("decode tags: %w", err)
	}
	if len(tags) == 0 {
		return nil, nil
	}
	return tags, nil
}

// filterPath keeps the items whose path starts with prefix.
func filterPath[T any](items []T, prefix string, path func(T) string) []T {
	if prefix == "" {
		return items
	}
	out := items[:0]
	for _, it := range items {
		if strings.HasPrefix(path(it), prefix) {
			out = append(out, it)
		}
	}
	return out
}

// entityTable is the table holding entities of kind.
func entityTable(kind store.EntityKind) (string, error) {
	switch kind {
	case store.KindUser:
		return "users", nil
	case store.KindGroup:
		return "iam_groups", nil
	case store.KindRole:
		return "roles", nil
	}
	return "", fmt.Errorf("unknown entity kind %q", kind)
}

// entity finds the user, group or role named name (case-insensitively) and
// returns its id and stored name.
func (t *tx) entity(account string, kind store.EntityKind, name string) (id, stored string, err error) {
	table, err := entityTable(kind)
	if err != nil {
		return "", "", err
	}
	err = t.row("SELECT id, name FROM "+table+" WHERE account = ? AND name_key = ?",
		account, nameKey(name)).Scan(&id, &stored)
	return id, stored, wrapf(err, "%s %q", kind, name)
}
