package postgres

import (
	"fmt"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

const (
	decisionCols = "request_id, seq, decided_at, principal, action, resource, decision, reason"
	// insertDecisions writes a whole batch in one statement, one array per
	// column, so that a flush costs one round trip.
	insertDecisions = "INSERT INTO decisions (" + decisionCols + `, explanation)
		SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
		ON CONFLICT DO NOTHING`
	// decisionChunk bounds the records of one INSERT, and so the size of
	// one message to the server.
	decisionChunk = 1000
	// deniedOnly repeats the condition of index decisions_denied, so that
	// the planner can use it.
	deniedOnly = " AND decision <> '" + store.DecisionAllowed + "'"
)

// The decision log's methods use the transaction directly rather than
// exec, row and list: it is not state, so they do not bump the
// generation (see state).

// PutDecisions stores the records, leaving any already stored as they
// were.
func (t *tx) PutDecisions(ds []store.DecisionRecord) error {
	t.logged = true
	if t.readOnly {
		return errReadOnly
	}
	for len(ds) > 0 {
		n := min(len(ds), decisionChunk)
		cols, err := t.decisionColumns(ds[:n])
		if err != nil {
			return err
		}
		if _, err := t.tx.Exec(t.ctx, insertDecisions, cols...); err != nil {
			return wrapf(err, "put %d decisions", n)
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
		if err := required("put decision", "request id", d.RequestID); err != nil {
			return nil, err
		}
		ids[i], seqs[i], times[i] = d.RequestID, int64(d.Seq), t.stamp(d.Time)
		principals[i], actions[i], resources[i] = d.Principal, d.Action, d.Resource
		decisions[i], reasons[i], explanations[i] = d.Decision, d.Reason, string(d.Explanation)
	}
	return []any{ids, seqs, times, principals, actions, resources, decisions, reasons, explanations}, nil
}

// GetDecisions returns the request's records by seq.
func (t *tx) GetDecisions(requestID string) ([]store.DecisionRecord, error) {
	t.logged = true
	out, err := scanAll(t, scanDecision, "SELECT "+decisionCols+", explanation FROM decisions WHERE request_id = $1 ORDER BY seq",
		requestID)
	if err == nil && len(out) == 0 {
		return nil, notFound("decisions of request %q", requestID)
	}
	return out, wrapf(err, "decisions of request %q", requestID)
}

// ListDecisions returns the records made at or after since, newest first,
// without their explanations.
func (t *tx) ListDecisions(since time.Time, denied bool, limit int) ([]store.DecisionRecord, error) {
	t.logged = true
	q := "SELECT " + decisionCols + ", '' FROM decisions WHERE decided_at >= $1"
	if denied {
		q += deniedOnly
	}
	q += ` ORDER BY decided_at DESC, request_id COLLATE "C" DESC, seq DESC LIMIT $2`
	var lim *int64 // NULL: no limit
	if limit > 0 {
		v := int64(limit)
		lim = &v
	}
	out, err := scanAll(t, scanDecision, q, since.UnixMicro(), lim)
	return out, wrapf(err, "list decisions")
}

// PruneDecisions deletes the records made before before.
func (t *tx) PruneDecisions(before time.Time) (int, error) {
	t.logged = true
	if t.readOnly {
		return 0, errReadOnly
	}
	tag, err := t.tx.Exec(t.ctx, "DELETE FROM decisions WHERE decided_at < $1", before.UnixMicro())
	if err != nil {
		return 0, fmt.Errorf("prune decisions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

func scanDecision(r scanner) (store.DecisionRecord, error) {
	var d store.DecisionRecord
	var seq, at int64
	var x string
	err := r.Scan(&d.RequestID, &seq, &at, &d.Principal, &d.Action, &d.Resource, &d.Decision, &d.Reason, &x)
	if err != nil {
		return store.DecisionRecord{}, err
	}
	d.Seq, d.Time = int(seq), fromMicros(at)
	if x != "" {
		d.Explanation = []byte(x)
	}
	return d, nil
}
