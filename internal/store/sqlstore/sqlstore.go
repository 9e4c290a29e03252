// Package sqlstore implements store.Tx once for the SQL stores (packages
// sqlite and postgres): the entities' queries, scanning, error mapping,
// checks and limits. Each store provides a Conn, which runs the queries
// on its own transaction, and a Dialect, which says how its SQL and
// errors differ.
//
// Queries here use ? placeholders (or ?N to repeat argument N), {C} after
// a text ORDER BY key (the Dialect's collation clause, so that lists come
// in byte order whatever the database's collation) and {DO NOTHING} at
// the end of an INSERT that must leave an existing row alone without
// failing, where the dialect needs to say so.
package sqlstore

import (
	"errors"
	"strings"
	"sync"
	"sync/atomic"
)

// ErrReadOnly is returned by writes inside View.
var ErrReadOnly = errors.New("write in a read-only transaction")

// Row is one row of a query's result (a *sql.Row or pgx.Row).
type Row interface{ Scan(dest ...any) error }

// Rows is a query's result.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

// Conn runs queries, already in the dialect's SQL, on one transaction of
// a store.
type Conn interface {
	// Exec runs a write and returns the number of rows it changed.
	Exec(query string, args ...any) (rowsAffected int64, err error)
	QueryRow(query string, args ...any) Row
	Query(query string, args ...any) (Rows, error)
	// State runs before every query on the state (every query but those
	// of the decision log); an error fails the query.
	State() error
	// Log notes that the transaction used the decision log.
	Log()
}

// Dialect is what differs between the SQL stores. Its fields must not
// change once it is in use.
type Dialect struct {
	// Numbered makes ? placeholders $1, $2, ... (and ?N: $N).
	Numbered bool
	// Collate replaces {C}: the clause making a text ORDER BY key sort
	// by bytes (such as ` COLLATE "C"`), or "" when that is the default.
	Collate string
	// DoNothing replaces {DO NOTHING}, such as " ON CONFLICT DO NOTHING".
	DoNothing string
	// CheckFirst makes the store check for a taken name before a rename
	// or an alias change, rather than let the write fail on a unique
	// key: for databases where a failed statement aborts the transaction.
	CheckFirst bool
	// NoRows is the error of a QueryRow that found no row.
	NoRows error
	// Classify returns store.ErrExists for a unique (or primary) key
	// violation, store.ErrConflict for a foreign key violation it maps,
	// and nil for any other error.
	Classify func(error) error
	// NoLimit is the LIMIT argument that keeps every row.
	NoLimit any

	mu      sync.Mutex
	queries atomic.Pointer[map[string]string] // written copy-on-write under mu
}

// SQL returns query in the dialect's SQL (see the package comment).
func (d *Dialect) SQL(query string) string {
	if m := d.queries.Load(); m != nil {
		if q, ok := (*m)[query]; ok {
			return q
		}
	}
	q := d.rewrite(query)
	d.mu.Lock()
	defer d.mu.Unlock()
	old := d.queries.Load()
	m := make(map[string]string, 1)
	if old != nil {
		m = make(map[string]string, len(*old)+1)
		for k, v := range *old {
			m[k] = v
		}
	}
	m[query] = q
	d.queries.Store(&m)
	return q
}

func (d *Dialect) rewrite(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '?' && d.Numbered:
			j := i + 1
			for j < len(query) && query[j] >= '0' && query[j] <= '9' {
				j++
			}
			b.WriteByte('$')
			if j > i+1 {
				b.WriteString(query[i+1 : j])
			} else {
				n++
				b.WriteString(itoa(n))
			}
			i = j - 1
		case c == '{' && strings.HasPrefix(query[i:], "{C}"):
			b.WriteString(d.Collate)
			i += len("{C}") - 1
		case c == '{' && strings.HasPrefix(query[i:], "{DO NOTHING}"):
			b.WriteString(d.DoNothing)
			i += len("{DO NOTHING}") - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func itoa(n int) string {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(buf[i:])
}
