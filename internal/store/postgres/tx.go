package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sekisho/sekisho/internal/store"
)

// errReadOnly is returned by writes inside View.
var errReadOnly = errors.New("write in a read-only transaction")

// tx is store.Tx on one PostgreSQL transaction. pgx prepares and caches
// each query per connection, so queries are plain strings here.
type tx struct {
	ctx      context.Context
	tx       pgx.Tx
	readOnly bool
	now      func() time.Time
	gen      uint64 // the generation this Update commits, once bumped
	bumped   bool   // the generation was incremented (and its row locked)
	logged   bool   // the decision log was used
}

var _ store.Tx = (*tx)(nil)

// state runs before every query on the state. In an Update, the first one
// increments the generation, taking the lock of its row until the
// transaction ends: from then on no other Update runs, so checks and
// writes see a state nobody changes under them. The decision log does not
// pass here, so an Update that only writes it neither waits for the
// others nor advances the generation.
func (t *tx) state() error {
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

// finish bumps the generation of an Update that ran no query at all, as
// every Update but those that only used the decision log advances it.
func (t *tx) finish() error {
	if t.logged {
		return nil
	}
	return t.state()
}

// scanner is a pgx.Row or pgx.Rows.
type scanner interface{ Scan(dest ...any) error }

// errRow is a pgx.Row that failed before its query ran.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// exec runs a write and returns the number of rows it changed.
func (t *tx) exec(query string, args ...any) (int64, error) {
	if t.readOnly {
		return 0, errReadOnly
	}
	if err := t.state(); err != nil {
		return 0, err
	}
	tag, err := t.tx.Exec(t.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// insert runs an INSERT ... ON CONFLICT DO NOTHING and fails with
// store.ErrExists when a unique key was taken. Unlike a unique violation,
// that leaves the transaction usable, as SQLite's would be.
func (t *tx) insert(query string, args ...any) error {
	n, err := t.exec(query, args...)
	if err == nil && n == 0 {
		return store.ErrExists
	}
	return err
}

func (t *tx) row(query string, args ...any) pgx.Row {
	if err := t.state(); err != nil {
		return errRow{err}
	}
	return t.tx.QueryRow(t.ctx, query, args...)
}

// exists reports whether query returns a row.
func (t *tx) exists(query string, args ...any) (bool, error) {
	var one int
	err := t.row(query, args...).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
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
	if err := t.state(); err != nil {
		return nil, err
	}
	return scanAll(t, scan, query, args...)
}

// scanAll runs query and scans every row with scan, without passing by
// state.
func scanAll[T any](t *tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.tx.Query(t.ctx, query, args...)
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
// violation: ErrExists; a foreign key violation: ErrConflict) and
// prefixes the formatted context. Callers never put secrets into the
// context, and the server's messages for these (whose details would name
// the key) are dropped.
func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	var pe *pgconn.PgError
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	case errors.Is(err, store.ErrExists):
		return fmt.Errorf("%s: %w", what, store.ErrExists)
	case errors.As(err, &pe) && pe.Code == "23505":
		return fmt.Errorf("%s: %w", what, store.ErrExists)
	case errors.As(err, &pe) && pe.Code == "23503":
		return fmt.Errorf("%s: still referenced: %w", what, store.ErrConflict)
	}
	return fmt.Errorf("%s: %w", what, err)
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

// nameKey is the case-folded form names are unique and looked up by (the
// same as package sqlite's, so both stores agree on what collides).
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
func nullTime(v time.Time) *int64 {
	if v.IsZero() {
		return nil
	}
	us := v.UnixMicro()
	return &us
}

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromNullMicros(us *int64) time.Time {
	if us == nil {
		return time.Time{}
	}
	return fromMicros(*us)
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
	err = t.row("SELECT id, name FROM "+table+" WHERE account = $1 AND name_key = $2",
		account, nameKey(name)).Scan(&id, &stored)
	return id, stored, wrapf(err, "%s %q", kind, name)
}

// checkRename fails with store.ErrExists when another row of table than
// id has this name in the account (store.ErrNotFound if id itself is not
// there): checked before a rename, so that a clash does not abort the
// transaction.
func (t *tx) checkRename(table, account, name, id string) error {
	taken, err := t.exists("SELECT 1 FROM "+table+" WHERE account = $1 AND name_key = $2 AND id <> $3",
		account, nameKey(name), id)
	if err != nil || !taken {
		return err
	}
	found, err := t.exists("SELECT 1 FROM "+table+" WHERE account = $1 AND id = $2", account, id)
	switch {
	case err != nil:
		return err
	case !found:
		return notFound("id %q", id)
	}
	return store.ErrExists
}
