package postgres

import (
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlstore"
)

const (
	// insertDecisions writes a whole batch in one statement, one array per
	// column, so that a flush costs one round trip.
	insertDecisions = "INSERT INTO decisions (" + sqlstore.DecisionCols + `, explanation)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
		ON CONFLICT DO NOTHING`
	// decisionChunk bounds the records of one INSERT, and so the size of
	// one message to the server.
	decisionChunk = 1000
)

// The decision log's writes; package sqlstore has its reads. They use the
// transaction directly: the log is not state, so they do not bump the
// generation (see State).

// PutDecisions stores the records, leaving any already stored as they
// were.
func (t *tx) PutDecisions(ds []store.DecisionRecord) error {
	t.logged = true
	if t.readOnly {
		return sqlstore.ErrReadOnly
	}
	for len(ds) > 0 {
		n := min(len(ds), decisionChunk)
		cols, err := t.decisionColumns(ds[:n])
		if err != nil {
			return err
		}
		if _, err := t.tx.Exec(t.ctx, insertDecisions, cols...); err != nil {
			return dialect.Wrapf(err, "put %d decisions", n)
		}
		ds = ds[n:]
	}
	return nil
}

// decisionColumns turns the records into one array per column of
// insertDecisions.
func (t *tx) decisionColumns(ds []store.DecisionRecord) ([]any, error) {
	n := len(ds)
	ids, principals, actions, resources := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	decisions, reasons, explanations := make([]string, n), make([]string, n), make([]string, n)
	seqs, times := make([]int64, n), make([]int64, n)
	for i, d := range ds {
		if err := sqlstore.Required("put decision", "request id", d.RequestID); err != nil {
			return nil, err
		}
		ids[i], seqs[i], times[i] = d.RequestID, int64(d.Seq), sqlstore.Stamp(d.Time, t.now)
		principals[i], actions[i], resources[i] = d.Principal, d.Action, d.Resource
		decisions[i], reasons[i], explanations[i] = d.Decision, d.Reason, string(d.Explanation)
	}
	return []any{ids, seqs, times, principals, actions, resources, decisions, reasons, explanations}, nil
}

// PruneDecisions deletes the records made before before.
func (t *tx) PruneDecisions(before time.Time) (int, error) {
	t.logged = true
	if t.readOnly {
		return 0, sqlstore.ErrReadOnly
	}
	tag, err := t.tx.Exec(t.ctx, "DELETE FROM decisions WHERE decided_at < $1", before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("prune decisions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}
