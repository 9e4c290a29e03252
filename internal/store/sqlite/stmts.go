package sqlite

import (
	"context"
	"database/sql"
	"sync"
)

// pool is a connection pool with the statements prepared on it. SQLite
// spends more time parsing a point query than running it, so each query
// is prepared once and then reused on every connection.
type pool struct {
	db *sql.DB

	mu     sync.Mutex
	stmts  map[string]*sql.Stmt
	closed bool
}

func newPool(db *sql.DB) *pool {
	return &pool{db: db, stmts: make(map[string]*sql.Stmt)}
}

// stmt returns the prepared statement for query, or nil if there is none
// yet.
func (p *pool) stmt(query string) *sql.Stmt {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stmts[query]
}

// prepare prepares the queries that ran unprepared in a transaction. It
// must run outside any transaction of this pool: preparing takes a
// connection, and an in-memory store has only one. Queries are the
// package's own SQL (values are always arguments), so the set is bounded.
func (p *pool) prepare(ctx context.Context, queries []string) {
	for _, q := range queries {
		if p.stmt(q) != nil {
			continue
		}
		st, err := p.db.PrepareContext(ctx, q)
		if err != nil {
			continue // it failed in its transaction already, or the store is closing
		}
		p.mu.Lock()
		if _, dup := p.stmts[q]; dup || p.closed {
			st.Close()
		} else {
			p.stmts[q] = st
		}
		p.mu.Unlock()
	}
}

// close closes the statements and the pool.
func (p *pool) close() error {
	p.mu.Lock()
	for _, st := range p.stmts {
		st.Close()
	}
	p.stmts, p.closed = nil, true
	p.mu.Unlock()
	return p.db.Close()
}
