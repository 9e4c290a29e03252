package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// Persisting the decision log: Persist writes what the ring records to the
// store in the background, and Explain and List read it back.
const (
	defaultFlushEvery = time.Second
	pruneEvery        = time.Minute
	// maxBatch bounds the decisions written by one Update, so that a
	// backlog (after a store outage) is written in several.
	maxBatch = 10_000
	// finalFlushTimeout bounds the last flush, when Persist's context
	// has ended, so that an unreachable store cannot hold a shutdown.
	finalFlushTimeout = 10 * time.Second
	storeReadTimeout  = 10 * time.Second
	// maxListed is how many stored decisions List reads without a Limit.
	maxListed = 10_000
)

// WithStore attaches st: from now on Explain and List consult it too, and
// every decision recorded waits (the last 100,000 at most) for Persist to
// write it there. Call it before serving, then run Persist. It returns l.
func (l *Log) WithStore(st store.Store) *Log {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.st = st
	return l
}

// Persist writes the decisions recorded since st was attached (it
// attaches st if WithStore has not) to st's decision log: every every
// (default one second) those recorded since the last flush, with their
// explanations, in one Update (one per 10,000 decisions of a backlog).
// Every minute it deletes the records older than retention (0 keeps them
// forever). A flush that fails is retried at the next one; if the store
// falls behind by more than 100,000 decisions, the oldest are dropped.
// Failures, and the count of dropped decisions, go to onErr (which may be
// nil), as do the store failures of Explain and List.
//
// Persist returns once ctx has ended and it has flushed a last time (for
// at most ten seconds), so a graceful shutdown cancels ctx, waits for
// Persist, and only then closes st.
func (l *Log) Persist(ctx context.Context, st store.Store, every, retention time.Duration, onErr func(error)) {
	if every <= 0 {
		every = defaultFlushEvery
	}
	if onErr == nil {
		onErr = func(error) {}
	}
	l.attach(st, onErr)
	p := &persister{log: l, st: st, retention: retention, onErr: onErr}
	p.prune(ctx)
	flush, prune := time.NewTicker(every), time.NewTicker(pruneEvery)
	defer flush.Stop()
	defer prune.Stop()
	for {
		select {
		case <-ctx.Done():
			p.finalFlush(ctx)
			return
		case <-flush.C:
			if err := p.flush(ctx); err != nil && ctx.Err() == nil {
				p.onErr(err) // else the final flush retries at once
			}
		case <-prune.C:
			p.prune(ctx)
		}
	}
}

// attach sets the store and the error reporter, and starts queueing.
func (l *Log) attach(st store.Store, onErr func(error)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.st, l.onErr = st, onErr
}

// queue adds e to the decisions to write, dropping the oldest beyond
// the bound. l.mu is held.
func (l *Log) queue(e entry) {
	if len(l.pending) >= l.maxPending {
		l.pending[0] = entry{} // let its request go
		l.pending = l.pending[1:]
		l.dropped++
	}
	l.pending = append(l.pending, e)
}

// takePending returns the decisions to write and how many were dropped
// since the last call, and starts a new queue.
func (l *Log) takePending() (batch []entry, dropped int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	batch, dropped = l.pending, l.dropped
	l.pending, l.dropped = nil, 0
	return batch, dropped
}

// requeue puts back decisions that could not be written, ahead of those
// recorded since, dropping the oldest beyond the bound.
func (l *Log) requeue(batch []entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	all := append(batch, l.pending...)
	if over := len(all) - l.maxPending; over > 0 {
		clear(all[:over])
		all = all[over:]
		l.dropped += over
	}
	l.pending = all
}

// report passes a store failure of Explain or List to Persist's onErr.
func (l *Log) report(err error) {
	l.mu.Lock()
	onErr := l.onErr
	l.mu.Unlock()
	if onErr != nil {
		onErr(err)
	}
}

// persister is Persist's state.
type persister struct {
	log       *Log
	st        store.Store
	retention time.Duration
	onErr     func(error)
}

// finalFlush flushes once more after ctx has ended, on a context of its
// own.
func (p *persister) finalFlush(ctx context.Context) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finalFlushTimeout)
	defer cancel()
	if err := p.flush(ctx); err != nil {
		p.onErr(err)
	}
}

// flush writes the decisions recorded since the last flush, maxBatch per
// Update. What it could not write waits for the next flush.
func (p *persister) flush(ctx context.Context) error {
	batch, dropped := p.log.takePending()
	if dropped > 0 {
		p.onErr(fmt.Errorf("audit: the store fell behind: %d decisions dropped without being written", dropped))
	}
	for len(batch) > 0 {
		n := min(len(batch), maxBatch)
		recs := p.records(batch[:n])
		err := p.st.Update(ctx, func(tx store.Tx) error { return tx.PutDecisions(recs) })
		if err != nil {
			p.log.requeue(batch)
			return fmt.Errorf("audit: write %d decisions to the store (kept for the next flush): %w", len(batch), err)
		}
		batch = batch[n:]
	}
	return nil
}

// records turns entries into store records, explanations included.
func (p *persister) records(batch []entry) []store.DecisionRecord {
	out := make([]store.DecisionRecord, len(batch))
	for i := range batch {
		var err error
		if out[i], err = record(&batch[i]); err != nil {
			p.onErr(err)
		}
	}
	return out
}

// prune deletes the records older than the retention period.
func (p *persister) prune(ctx context.Context) {
	if p.retention <= 0 {
		return
	}
	before := p.log.now().Add(-p.retention)
	err := p.st.Update(ctx, func(tx store.Tx) error { _, err := tx.PruneDecisions(before); return err })
	if err != nil && ctx.Err() == nil {
		p.onErr(fmt.Errorf("audit: prune decisions older than %v: %w", p.retention, err))
	}
}

// record is e as the store keeps it. If its explanation cannot be made,
// the record has the summary alone, and the error says why.
func record(e *entry) (store.DecisionRecord, error) {
	s := summarize(e)
	r := store.DecisionRecord{RequestID: s.RequestID, Seq: e.seq, Time: s.Time, Principal: s.Principal,
		Action: s.Action, Resource: s.Resource, Decision: s.Decision, Reason: s.Reason}
	var err error
	r.Explanation, err = explanationJSON(e)
	return r, err
}

// explanationJSON explains e as JSON. A panic while explaining becomes an
// error: it runs in the background, where it would end the server.
func explanationJSON(e *entry) (b []byte, err error) {
	defer func() {
		if v := recover(); v != nil {
			b, err = nil, fmt.Errorf("audit: explain the decision of request %s: %v", e.requestID, v)
		}
	}()
	x := explain(e)
	if b, err = json.Marshal(&x); err != nil {
		return nil, fmt.Errorf("audit: explain the decision of request %s: %w", e.requestID, err)
	}
	return b, nil
}

// summaryOf is the summary of a stored record.
func summaryOf(r *store.DecisionRecord) Summary {
	return Summary{RequestID: r.RequestID, Time: r.Time, Principal: r.Principal, Action: r.Action,
		Resource: r.Resource, Decision: r.Decision, Reason: r.Reason}
}

// explanationOf is the explanation of a stored record; one stored without
// (or with an unreadable) explanation has its summary alone.
func explanationOf(r *store.DecisionRecord) (Explanation, error) {
	x := Explanation{Summary: summaryOf(r)}
	if len(r.Explanation) == 0 {
		return x, nil
	}
	if err := json.Unmarshal(r.Explanation, &x); err != nil {
		return Explanation{Summary: summaryOf(r)}, fmt.Errorf("audit: stored explanation of request %s: %w", r.RequestID, err)
	}
	return x, nil
}

// view reads st, for at most storeReadTimeout.
func view(st store.Store, fn func(store.Tx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), storeReadTimeout)
	defer cancel()
	return st.View(ctx, fn)
}

// explainStored adds to found the stored explanations of the request's
// decisions it lacks, by seq.
func (l *Log) explainStored(st store.Store, requestID string, found map[int]Explanation) {
	var recs []store.DecisionRecord
	err := view(st, func(tx store.Tx) (err error) { recs, err = tx.GetDecisions(requestID); return err })
	if errors.Is(err, store.ErrNotFound) {
		return
	}
	if err != nil {
		l.report(fmt.Errorf("audit: explain request %s from the store: %w", requestID, err))
		return
	}
	for i := range recs {
		if _, ok := found[recs[i].Seq]; ok {
			continue
		}
		x, err := explanationOf(&recs[i])
		if err != nil {
			l.report(err)
		}
		found[recs[i].Seq] = x
	}
}

// listStored adds to found the stored summaries f selects that it lacks.
func (l *Log) listStored(st store.Store, f Filter, found map[key]Summary) {
	limit := f.Limit
	if limit <= 0 {
		limit = maxListed
	}
	var recs []store.DecisionRecord
	err := view(st, func(tx store.Tx) (err error) {
		recs, err = tx.ListDecisions(f.Since, f.DeniedOnly, limit)
		return err
	})
	if err != nil {
		l.report(fmt.Errorf("audit: list decisions from the store: %w", err))
		return
	}
	for i := range recs {
		k := key{recs[i].RequestID, recs[i].Seq}
		if _, ok := found[k]; !ok {
			found[k] = summaryOf(&recs[i])
		}
	}
}

// Details returns the explanations of the decisions made at or after
// from and before to (a zero to: no end), oldest first: those of the ring
// and, with a store attached, those the store keeps (all of them with
// `serve --record all`). Policy generation and the CloudTrail export read
// them. A store failure is reported to Persist's onErr and Details
// answers from the ring alone.
func (l *Log) Details(from, to time.Time) []Explanation {
	inRange := func(t time.Time) bool { return !t.Before(from) && (to.IsZero() || t.Before(to)) }
	l.mu.Lock()
	var entries []entry
	for _, e := range l.ring {
		if e != nil && inRange(e.at) {
			entries = append(entries, *e)
		}
	}
	st := l.st
	l.mu.Unlock()
	found := make(map[key]Explanation, len(entries))
	for i := range entries {
		found[key{entries[i].requestID, entries[i].seq}] = explain(&entries[i])
	}
	if st != nil {
		l.detailsStored(st, from, to, found)
	}
	return oldestFirst(found)
}

// detailsStored adds to found the stored explanations in [from, to) it lacks.
func (l *Log) detailsStored(st store.Store, from, to time.Time, found map[key]Explanation) {
	var recs []store.DecisionRecord
	err := view(st, func(tx store.Tx) (err error) { recs, err = tx.DecisionDetails(from, to, 0); return err })
	if err != nil {
		l.report(fmt.Errorf("audit: read decisions from the store: %w", err))
		return
	}
	for i := range recs {
		k := key{recs[i].RequestID, recs[i].Seq}
		if _, ok := found[k]; ok {
			continue
		}
		x, err := explanationOf(&recs[i])
		if err != nil {
			l.report(err)
		}
		found[k] = x
	}
}

// oldestFirst sorts the explanations by time, then request id, then seq.
func oldestFirst(found map[key]Explanation) []Explanation {
	keys := make([]key, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := found[keys[i]].Time, found[keys[j]].Time
		switch {
		case !a.Equal(b):
			return a.Before(b)
		case keys[i].requestID != keys[j].requestID:
			return keys[i].requestID < keys[j].requestID
		}
		return keys[i].seq < keys[j].seq
	})
	out := make([]Explanation, len(keys))
	for i, k := range keys {
		out[i] = found[k]
	}
	return out
}
