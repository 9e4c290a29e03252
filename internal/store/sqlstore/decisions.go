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

// RecordUses sets the last use of keys and roles, keeping later ones. It
// is bookkeeping, like the decision log: it runs its statements itself
// rather than through exec, so the generation stays.
func (t *Tx) RecordUses(uses []store.CredentialUse) error {
	if t.readOnly {
		return ErrReadOnly
	}
	t.conn.Log()
	for _, u := range uses {
		at := u.At.UnixMicro()
		var err error
		if u.AccessKeyID != "" {
			_, err = t.conn.Exec(t.d.SQL(`UPDATE access_keys SET last_used = ?, last_used_service = ?, last_used_region = ?
				WHERE id = ? AND (last_used IS NULL OR last_used < ?)`), at, u.Service, u.Region, u.AccessKeyID, at)
		} else if u.UserID != "" {
			_, err = t.conn.Exec(t.d.SQL(`UPDATE users SET password_last_used = ?
				WHERE id = ? AND (password_last_used IS NULL OR password_last_used < ?)`), at, u.UserID, at)
		} else if u.RoleID != "" {
			_, err = t.conn.Exec(t.d.SQL(`UPDATE roles SET last_used = ?, last_used_region = ?
				WHERE account = ? AND id = ? AND (last_used IS NULL OR last_used < ?)`), at, u.Region, u.RoleAccount, u.RoleID, at)
		}
		if err != nil {
			return t.wrapf(err, "record the last use of %s%s%s", u.AccessKeyID, u.RoleID, u.UserID)
		}
	}
	return nil
}
