package sqlstore

import (
	"math"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// The decision log's reads. Its writes (PutDecisions, PruneDecisions) are
// each store's own, as each writes a batch its own way. The log is not
// state: its queries do not pass by Conn.State.

const (
	// DecisionCols are the decision log's columns but the explanation.
	DecisionCols = "request_id, seq, decided_at, principal, action, resource, decision, reason"
	// deniedOnly repeats the condition of index decisions_denied, so that
	// the planner uses it.
	deniedOnly = " AND decision <> '" + store.DecisionAllowed + "'"
)

// GetDecisions returns the request's records by seq.
func (t *Tx) GetDecisions(requestID string) ([]store.DecisionRecord, error) {
	t.conn.Log()
	out, err := scanAll(t, scanDecision, "SELECT "+DecisionCols+", explanation FROM decisions WHERE request_id = ? ORDER BY seq",
		requestID)
	if err == nil && len(out) == 0 {
		return nil, notFound("decisions of request %q", requestID)
	}
	return out, t.wrapf(err, "decisions of request %q", requestID)
}

// ListDecisions returns the records made at or after since, newest first,
// without their explanations.
func (t *Tx) ListDecisions(since time.Time, denied bool, limit int) ([]store.DecisionRecord, error) {
	t.conn.Log()
	q := "SELECT " + DecisionCols + ", '' FROM decisions WHERE decided_at >= ?"
	if denied {
		q += deniedOnly
	}
	q += " ORDER BY decided_at DESC, request_id{C} DESC, seq DESC LIMIT ?"
	lim := t.d.NoLimit
	if limit > 0 {
		lim = int64(limit)
	}
	out, err := scanAll(t, scanDecision, q, since.UnixMicro(), lim)
	return out, t.wrapf(err, "list decisions")
}

// DecisionDetails returns the records made in [from, to), oldest first,
// with their explanations.
func (t *Tx) DecisionDetails(from, to time.Time, limit int) ([]store.DecisionRecord, error) {
	t.conn.Log()
	end := int64(math.MaxInt64)
	if !to.IsZero() {
		end = to.UnixMicro()
	}
	lim := t.d.NoLimit
	if limit > 0 {
		lim = int64(limit)
	}
	q := "SELECT " + DecisionCols + ", explanation FROM decisions WHERE decided_at >= ? AND decided_at < ?" +
		" ORDER BY decided_at, request_id{C}, seq LIMIT ?"
	out, err := scanAll(t, scanDecision, q, from.UnixMicro(), end, lim)
	return out, t.wrapf(err, "decision details")
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
