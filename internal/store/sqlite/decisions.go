package sqlite

import (
	"database/sql"
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

const (
	decisionCols   = "request_id, seq, decided_at, principal, action, resource, decision, reason"
	insertDecision = "INSERT INTO decisions (" + decisionCols + ", explanation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
	// deniedOnly repeats the condition of index decisions_denied, so that
	// SQLite uses it.
	deniedOnly = " AND decision <> '" + store.DecisionAllowed + "'"
)

// PutDecisions stores the records, leaving any already stored as they
// were. It does not advance the generation.
func (t *tx) PutDecisions(ds []store.DecisionRecord) error {
	defer t.logOnly()()
	if t.readOnly {
		return errReadOnly
	}
	for i := range ds {
		if err := required("put decision", "request id", ds[i].RequestID); err != nil {
			return err
		}
	}
	st, done, err := t.batchStmt(insertDecision)
	if err != nil {
		return fmt.Errorf("put decisions: %w", err)
	}
	defer done()
	for _, d := range ds {
		_, err := st.ExecContext(t.ctx, d.RequestID, d.Seq, t.stamp(d.Time), d.Principal, d.Action, d.Resource,
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

// GetDecisions returns the request's records by seq.
func (t *tx) GetDecisions(requestID string) ([]store.DecisionRecord, error) {
	defer t.logOnly()()
	out, err := list(t, scanDecision, "SELECT "+decisionCols+", explanation FROM decisions WHERE request_id = ? ORDER BY seq",
		requestID)
	if err == nil && len(out) == 0 {
		return nil, notFound("decisions of request %q", requestID)
	}
	return out, wrapf(err, "decisions of request %q", requestID)
}

// ListDecisions returns the records made at or after since, newest first,
// without their explanations.
func (t *tx) ListDecisions(since time.Time, denied bool, limit int) ([]store.DecisionRecord, error) {
	defer t.logOnly()()
	q := "SELECT " + decisionCols + ", '' FROM decisions WHERE decided_at >= ?"
	if denied {
		q += deniedOnly
	}
	q += " ORDER BY decided_at DESC, request_id DESC, seq DESC LIMIT ?"
	if limit <= 0 {
		limit = -1 // no limit
	}
	out, err := list(t, scanDecision, q, since.UnixMicro(), limit)
	return out, wrapf(err, "list decisions")
}

// PruneDecisions deletes the records made before before. It does not
// advance the generation.
func (t *tx) PruneDecisions(before time.Time) (int, error) {
	defer t.logOnly()()
	n, err := t.exec("DELETE FROM decisions WHERE decided_at < ?", before.UnixMicro())
	return int(n), wrapf(err, "prune decisions")
}

func scanDecision(r scanner) (store.DecisionRecord, error) {
	var d store.DecisionRecord
	var at int64
	var x string
	err := r.Scan(&d.RequestID, &d.Seq, &at, &d.Principal, &d.Action, &d.Resource, &d.Decision, &d.Reason, &x)
	if err != nil {
		return store.DecisionRecord{}, err
	}
	d.Time = fromMicros(at)
	if x != "" {
		d.Explanation = []byte(x)
	}
	return d, nil
}
