package sqlite

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlstore"
)

// The decision log's writes; package sqlstore has its reads.

const insertDecision = "INSERT INTO decisions (" + sqlstore.DecisionCols + ", explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"

// PutDecisions stores the records, leaving any already stored as they
// were. It does not advance the generation.
func (t *tx) PutDecisions(ds []store.DecisionRecord) error {
	t.logged = true
	if t.readOnly {
		return sqlstore.ErrReadOnly
	}
	for i := range ds {
		if err := sqlstore.Required("put decision", "request id", ds[i].RequestID); err != nil {
			return err
		}
	}
	st, done, err := t.batchStmt(insertDecision)
	if err != nil {
		return fmt.Errorf("put decisions: %w", err)
	}
	defer done()
	for _, d := range ds {
		_, err := st.ExecContext(t.ctx, d.RequestID, d.Seq, sqlstore.Stamp(d.Time, t.now), d.Principal, d.Action, d.Resource,
			d.Decision, d.Reason, string(d.Explanation))
		if err != nil {
			return fmt.Errorf("put decision of request %q: %w", d.RequestID, err)
		}
	}
	return nil
}

// batchStmt returns a statement for query to run many times in this
// transaction: the pool's, or one prepared on the transaction (closed by
// done) while the pool has none yet.
func (t *tx) batchStmt(query string) (st *sql.Stmt, done func(), err error) {
	if st := t.stmt(query); st != nil {
		return st, func() {}, nil
	}
	st, err = t.tx.PrepareContext(t.ctx, query)
	if err != nil {
		return nil, nil, err
	}
	return st, func() { st.Close() }, nil
}

// PruneDecisions deletes the records made before before. It does not
// advance the generation.
func (t *tx) PruneDecisions(before time.Time) (int, error) {
	t.logged = true
	if t.readOnly {
		return 0, dialect.Wrapf(sqlstore.ErrReadOnly, "prune decisions")
	}
	n, err := t.Exec("DELETE FROM decisions WHERE decided_at < ?", before.UnixMicro())
	return int(n), dialect.Wrapf(err, "prune decisions")
}
