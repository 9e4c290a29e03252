// Package audit keeps the decision log: every authorization decision with
// its request id, bounded in memory, and turns a logged decision into an
// explanation a person can act on — the policies consulted in evaluation
// order, why each statement did or did not apply, the cross-account
// outcome, and the missing piece.
package audit

import (
	"sort"
	"sync"
	"time"

	"github.com/sekisho/sekisho/internal/authz"
)

// entry is one logged decision with the request it decided, so that the
// explanation can be computed when asked for rather than on the hot path.
type entry struct {
	requestID string
	at        time.Time
	req       *authz.Request
	decision  authz.Decision
}

// Log is a bounded ring of recent decisions, indexed by request id.
type Log struct {
	mu    sync.Mutex
	ring  []entry
	next  int
	full  bool
	byID  map[string][]int // ring positions of a request's decisions
	now   func() time.Time
	limit int
}

// NewLog keeps the last size decisions (at least 1).
func NewLog(size int, now func() time.Time) *Log {
	size = max(size, 1)
	if now == nil {
		now = time.Now
	}
	return &Log{ring: make([]entry, size), byID: map[string][]int{}, now: now, limit: size}
}

// Record logs a decision. The request must not be modified afterwards.
func (l *Log) Record(requestID string, req *authz.Request, d *authz.Decision) {
	if l == nil || requestID == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if old := l.ring[l.next]; old.requestID != "" {
		l.forget(old.requestID, l.next)
	}
	l.ring[l.next] = entry{requestID: requestID, at: l.now().UTC(), req: req, decision: *d}
	l.byID[requestID] = append(l.byID[requestID], l.next)
	l.next = (l.next + 1) % l.limit
	l.full = l.full || l.next == 0
}

func (l *Log) forget(id string, pos int) {
	positions := l.byID[id]
	for i, p := range positions {
		if p == pos {
			positions = append(positions[:i], positions[i+1:]...)
			break
		}
	}
	if len(positions) == 0 {
		delete(l.byID, id)
	} else {
		l.byID[id] = positions
	}
}

// Explain returns the explanations of every decision made for requestID.
func (l *Log) Explain(requestID string) ([]Explanation, bool) {
	l.mu.Lock()
	var entries []entry
	for _, pos := range l.byID[requestID] {
		entries = append(entries, l.ring[pos])
	}
	l.mu.Unlock()
	if len(entries) == 0 {
		return nil, false
	}
	out := make([]Explanation, 0, len(entries))
	for i := range entries {
		out = append(out, explain(&entries[i]))
	}
	return out, true
}

// Filter selects decisions for List.
type Filter struct {
	Since      time.Time
	DeniedOnly bool
	Limit      int
}

// List returns summaries of recent decisions, newest first.
func (l *Log) List(f Filter) []Summary {
	l.mu.Lock()
	var entries []entry
	for _, e := range l.ring {
		if e.requestID == "" || e.at.Before(f.Since) || (f.DeniedOnly && e.decision.Effect == authz.Allowed) {
			continue
		}
		entries = append(entries, e)
	}
	l.mu.Unlock()
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].at.After(entries[j].at) })
	if f.Limit > 0 && len(entries) > f.Limit {
		entries = entries[:f.Limit]
	}
	out := make([]Summary, 0, len(entries))
	for i := range entries {
		out = append(out, summarize(&entries[i]))
	}
	return out
}
