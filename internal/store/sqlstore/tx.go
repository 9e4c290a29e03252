package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// Tx is store.Tx on a Conn but for PutDecisions and PruneDecisions: a
// store's transaction type embeds it and adds those.
type Tx struct {
	conn     Conn
	d        *Dialect
	readOnly bool
	now      func() time.Time
}

// New returns the Tx running its queries on c, in dialect d; writes fail
// with ErrReadOnly when readOnly, and now gives the times of zero
// timestamps.
func New(c Conn, d *Dialect, readOnly bool, now func() time.Time) Tx {
	return Tx{conn: c, d: d, readOnly: readOnly, now: now}
}

// scanner is a Row or Rows.
type scanner interface{ Scan(dest ...any) error }

// errRow is a Row that failed before its query ran.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// exec runs a write on the state and returns the number of rows it
// changed.
func (t *Tx) exec(query string, args ...any) (int64, error) {
	if t.readOnly {
		return 0, ErrReadOnly
	}
	if err := t.conn.State(); err != nil {
		return 0, err
	}
	return t.conn.Exec(t.d.SQL(query), args...)
}

// insert runs an INSERT ending in {DO NOTHING} and fails with
// store.ErrExists when a unique key was taken. Where the dialect has
// ON CONFLICT DO NOTHING, that leaves the transaction usable.
func (t *Tx) insert(query string, args ...any) error {
	n, err := t.exec(query, args...)
	if err == nil && n == 0 {
		return store.ErrExists
	}
	return err
}

func (t *Tx) row(query string, args ...any) Row {
	if err := t.conn.State(); err != nil {
		return errRow{err}
	}
	return t.conn.QueryRow(t.d.SQL(query), args...)
}

// exists reports whether query returns a row.
func (t *Tx) exists(query string, args ...any) (bool, error) {
	var one int
	err := t.row(query, args...).Scan(&one)
	if errors.Is(err, t.d.NoRows) {
		return false, nil
	}
	return err == nil, err
}

// count runs a SELECT COUNT(*) query.
func (t *Tx) count(query string, args ...any) (int, error) {
	var n int
	err := t.row(query, args...).Scan(&n)
	return n, err
}

// list runs query on the state and scans every row with scan.
func list[T any](t *Tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	if err := t.conn.State(); err != nil {
		return nil, err
	}
	return scanAll(t, scan, query, args...)
}

// scanAll runs query and scans every row with scan, without passing by
// State.
func scanAll[T any](t *Tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.conn.Query(t.d.SQL(query), args...)
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
func (t *Tx) checkDependents(entity, id string, deps []dependent) error {
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

func (t *Tx) wrapf(err error, format string, args ...any) error {
	return t.d.Wrapf(err, format, args...)
}

// Wrapf maps err to the store's errors (no rows: ErrNotFound; a unique
// or primary key violation, or store.ErrExists: ErrExists; a foreign key
// violation the dialect maps: ErrConflict) and prefixes the formatted
// context. Callers never put secrets into the context, and the server's
// messages for these (whose details may name the key) are dropped.
func (d *Dialect) Wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	what := fmt.Sprintf(format, args...)
	if errors.Is(err, d.NoRows) {
		return fmt.Errorf("%s: %w", what, store.ErrNotFound)
	}
	if errors.Is(err, store.ErrExists) {
		return fmt.Errorf("%s: %w", what, store.ErrExists)
	}
	switch d.Classify(err) {
	case store.ErrExists:
		return fmt.Errorf("%s: %w", what, store.ErrExists)
	case store.ErrConflict:
		return fmt.Errorf("%s: still referenced: %w", what, store.ErrConflict)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// notFound is ErrNotFound with context.
func notFound(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), store.ErrNotFound)
}

// Required fails when any of the named fields (name, value pairs) is
// empty.
func Required(what string, fields ...string) error {
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

// Stamp is v in microseconds, or now() if v is zero.
func Stamp(v time.Time, now func() time.Time) int64 {
	if v.IsZero() {
		v = now()
	}
	return v.UnixMicro()
}

func (t *Tx) stamp(v time.Time) int64 { return Stamp(v, t.now) }

// nullTime is v in microseconds, or NULL if v is zero.
func nullTime(v time.Time) any {
	if v.IsZero() {
		return nil
	}
	return v.UnixMicro()
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
func (t *Tx) entity(account string, kind store.EntityKind, name string) (id, stored string, err error) {
	table, err := entityTable(kind)
	if err != nil {
		return "", "", err
	}
	err = t.row("SELECT id, name FROM "+table+" WHERE account = ? AND name_key = ?",
		account, nameKey(name)).Scan(&id, &stored)
	return id, stored, t.wrapf(err, "%s %q", kind, name)
}

// checkRename fails with store.ErrExists when another row of table than
// id has this name in the account (store.ErrNotFound if id itself is not
// there), when the dialect checks first: checked before a rename, so that
// a clash does not abort the transaction.
func (t *Tx) checkRename(table, account, name, id string) error {
	if !t.d.CheckFirst {
		return nil
	}
	taken, err := t.exists("SELECT 1 FROM "+table+" WHERE account = ? AND name_key = ? AND id <> ?",
		account, nameKey(name), id)
	if err != nil || !taken {
		return err
	}
	found, err := t.exists("SELECT 1 FROM "+table+" WHERE account = ? AND id = ?", account, id)
	switch {
	case err != nil:
		return err
	case !found:
		return notFound("id %q", id)
	}
	return store.ErrExists
}
