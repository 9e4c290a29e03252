// Package audit keeps the decision log: every authorization decision with
// its request id, bounded in memory and, once a store is attached,
// persisted there for a retention period, so that another replica or a
// restarted server can still explain it. It turns a logged decision into
// an explanation a person can act on — the policies consulted in
// evaluation order, why each statement did or did not apply, the
// cross-account outcome, and the missing piece.
package audit

import (
	"fmt"
	"hash/maphash"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
)

// entry is one logged decision with the request it decided, so that the
// explanation can be computed when asked for (or persisted) rather than
// on the hot path.
type entry struct {
	requestID string
	seq       int // orders the request's decisions
	at        time.Time
	req       *authz.Request
	decision  authz.Decision
	cost      int // estimated bytes held, counted against Log.maxBytes
}

// DefaultMaxBytes bounds the memory the ring holds (entries and the
// requests they keep for explanations), whatever its size in entries:
// under load the oldest decisions leave first.
const DefaultMaxBytes = 8 << 20

// maxPending bounds the decisions waiting to be written to the store.
const maxPending = 100_000

// Log is a bounded ring of recent decisions, indexed by request id, in
// front of the store's decision log once WithStore attached one.
type Log struct {
	mu    sync.Mutex
	ring  []*entry // nil: a free slot; live entries are the count before next, circularly
	next  int
	count int
	bytes int // sum of the live entries' cost
	// maxBytes bounds bytes; the oldest entries are dropped to stay under.
	maxBytes int
	// ids holds a hash of each ring slot's request id: Explain finds a
	// request's decisions by scanning it (a few microseconds for the
	// default ring), which spares every decision the insertion into and
	// deletion from a map of all the ring's request ids, cache misses
	// both on a map that large.
	ids   []uint64
	seed  maphash.Seed
	now   func() time.Time
	limit int
	seq   int // decisions recorded: the next one's seq

	st         store.Store
	onErr      func(error) // reports store failures of Explain and List
	pending    []entry     // recorded but not yet written to st, oldest first
	maxPending int
	dropped    int // pending decisions dropped since the last flush
	record     Recording
	// uses are the last uses of access keys and roles seen since the last
	// flush, written with the decisions (IAM's last-used answers).
	uses map[string]store.CredentialUse
}

// Recording selects the decisions persisted to the store.
type Recording uint8

// Recordings: RecordDenials is the default.
const (
	RecordDenials Recording = iota
	RecordAllows
	RecordAll
)

// ParseRecording reads "denials", "allows" or "all".
func ParseRecording(s string) (Recording, error) {
	switch s {
	case "denials":
		return RecordDenials, nil
	case "allows":
		return RecordAllows, nil
	case "all":
		return RecordAll, nil
	}
	return 0, fmt.Errorf("audit: record %q: want denials, allows or all", s)
}

// keeps reports whether a decision of effect e is persisted.
func (r Recording) keeps(e authz.Effect) bool {
	switch r {
	case RecordAll:
		return true
	case RecordAllows:
		return e == authz.Allowed
	}
	return e != authz.Allowed
}

// SetRecording chooses the decisions persisted from now on (denials
// unless set). It returns l.
func (l *Log) SetRecording(r Recording) *Log {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.record = r
	return l
}

// NewLog keeps the last size decisions (at least 1).
func NewLog(size int, now func() time.Time) *Log {
	size = max(size, 1)
	if now == nil {
		now = time.Now
	}
	return &Log{ring: make([]*entry, size), ids: make([]uint64, size), seed: maphash.MakeSeed(), now: now, limit: size, maxPending: maxPending,
		maxBytes: DefaultMaxBytes}
}

// WithMaxBytes replaces DefaultMaxBytes as the bound of the ring's memory;
// the newest decision is always kept.
func (l *Log) WithMaxBytes(n int) *Log {
	l.maxBytes = n
	return l
}

// Record logs a decision. The request must not be modified afterwards.
func (l *Log) Record(requestID string, req *authz.Request, d *authz.Decision) {
	if l == nil || requestID == "" {
		return
	}
	// Times are kept to the microsecond, as the store keeps them.
	e := &entry{requestID: requestID, at: l.now().UTC().Truncate(time.Microsecond), req: req, decision: *d}
	e.cost = entryCost(e)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ring[l.next] != nil {
		l.evict(l.next)
	}
	e.seq = l.seq
	l.seq++
	l.ring[l.next] = e
	l.ids[l.next] = maphash.String(l.seed, requestID)
	l.count++
	l.bytes += e.cost
	l.next = (l.next + 1) % l.limit
	for l.bytes > l.maxBytes && l.count > 1 {
		l.evict((l.next - l.count + l.limit) % l.limit) // the oldest
	}
	if l.st != nil {
		l.noteUse(req, e.at)
	}
	if l.st != nil && l.record.keeps(d.Effect) {
		// By default denials alone: they are what people come back to
		// explain, and they are rare under load; persisting every allow
		// costs throughput (docs/benchmarks.md), so allows are persisted
		// only when asked for (policy generation reads them).
		l.queue(*e)
	}
}

// noteUse remembers the caller's long-term access key, or for a role
// session its role, as used at at. The map holds one entry per key and
// role used within a flush interval. l.mu is held.
func (l *Log) noteUse(req *authz.Request, at time.Time) {
	if req.AccessKeyID == "" {
		return
	}
	if l.uses == nil {
		l.uses = map[string]store.CredentialUse{}
	}
	service, _, _ := strings.Cut(req.Action, ":")
	var region string
	if v, ok := req.Context.Get("aws:requestedregion"); ok && len(v) > 0 {
		region = v[0]
	}
	if strings.HasPrefix(req.AccessKeyID, "AKIA") {
		// Long-term keys only: session keys (ASIA…) have no last use in IAM.
		l.uses[req.AccessKeyID] = store.CredentialUse{AccessKeyID: req.AccessKeyID, At: at, Service: service, Region: region}
	}
	if req.Principal.Type != policy.PrincipalAssumedRole {
		return
	}
	if v, ok := req.Context.Get("aws:userid"); ok && len(v) > 0 {
		roleID, _, _ := strings.Cut(v[0], ":")
		l.uses["role:"+roleID] = store.CredentialUse{RoleAccount: req.Principal.Account, RoleID: roleID, At: at, Service: service, Region: region}
	}
}

// takeUses returns the uses noted since the last call.
func (l *Log) takeUses() []store.CredentialUse {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]store.CredentialUse, 0, len(l.uses))
	for _, u := range l.uses {
		out = append(out, u)
	}
	l.uses = nil
	return out
}

// requeueUses puts back uses that could not be written, unless a later
// use of the same key or role was noted since.
func (l *Log) requeueUses(uses []store.CredentialUse) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.uses == nil {
		l.uses = map[string]store.CredentialUse{}
	}
	for _, u := range uses {
		k := u.AccessKeyID
		if k == "" {
			k = "role:" + u.RoleID
		}
		if have, ok := l.uses[k]; !ok || have.At.Before(u.At) {
			l.uses[k] = u
		}
	}
}

// evict frees the ring slot pos.
func (l *Log) evict(pos int) {
	e := l.ring[pos]
	l.ids[pos] = 0
	l.bytes -= e.cost
	l.count--
	l.ring[pos] = nil
}

// entryCost estimates the bytes an entry keeps alive: itself, its request
// and the request's condition context. Compiled policies are shared with
// the gate's caches and not counted.
func entryCost(e *entry) int {
	r := e.req
	n := int(unsafe.Sizeof(*e)) + len(e.requestID)
	if r != nil {
		n += int(unsafe.Sizeof(*r)) + len(r.Action) + len(r.Resource) + len(r.ResourceAccount) +
			r.Context.SizeBytes() + 16*(len(r.Identity)+len(r.Session)+len(r.SCPs)+len(r.RCPs))
	}
	return n
}

// decisionsOf returns the ring's entries of requestID, oldest slot
// first. l.mu is held.
func (l *Log) decisionsOf(requestID string) []entry {
	h := maphash.String(l.seed, requestID)
	var entries []entry
	for pos, id := range l.ids {
		if id == h {
			if e := l.ring[pos]; e != nil && e.requestID == requestID {
				entries = append(entries, *e)
			}
		}
	}
	return entries
}

// Explain returns the explanations of every decision made for requestID,
// from the ring and, with a store attached, from the store (which has
// those of other replicas, and those the ring no longer holds). A store
// failure is reported to the onErr given to Persist, and Explain answers
// from the ring alone.
func (l *Log) Explain(requestID string) ([]Explanation, bool) {
	l.mu.Lock()
	entries := l.decisionsOf(requestID)
	st := l.st
	l.mu.Unlock()
	found := make(map[int]Explanation, len(entries))
	for i := range entries {
		found[entries[i].seq] = explain(&entries[i])
	}
	if st != nil {
		l.explainStored(st, requestID, found)
	}
	if len(found) == 0 {
		return nil, false
	}
	return bySeq(found), true
}

// bySeq lists the explanations in the order their decisions were made.
func bySeq(found map[int]Explanation) []Explanation {
	seqs := make([]int, 0, len(found))
	for seq := range found {
		seqs = append(seqs, seq)
	}
	sort.Ints(seqs)
	out := make([]Explanation, len(seqs))
	for i, seq := range seqs {
		out[i] = found[seq]
	}
	return out
}

// Filter selects decisions for List.
type Filter struct {
	Since      time.Time
	DeniedOnly bool
	// Limit, when above 0, keeps that many; without it, at most 10,000
	// come from the store (and the ring's).
	Limit int
}

// List returns summaries of recent decisions, newest first: those of the
// ring and, with a store attached, those of the store (a store failure is
// reported to Persist's onErr, and List answers from the ring alone).
func (l *Log) List(f Filter) []Summary {
	l.mu.Lock()
	var entries []entry
	for _, e := range l.ring {
		if e == nil || e.at.Before(f.Since) || (f.DeniedOnly && e.decision.Effect == authz.Allowed) {
			continue
		}
		entries = append(entries, *e)
	}
	st := l.st
	l.mu.Unlock()
	found := make(map[key]Summary, len(entries))
	for i := range entries {
		found[key{entries[i].requestID, entries[i].seq}] = summarize(&entries[i])
	}
	if st != nil {
		l.listStored(st, f, found)
	}
	return newestFirst(found, f.Limit)
}

// key names one decision: its request and its place in it.
type key struct {
	requestID string
	seq       int
}

// newestFirst sorts the summaries newest first (ties: by request id, then
// seq, both descending, as the store does) and keeps limit of them if
// limit is above 0.
func newestFirst(found map[key]Summary, limit int) []Summary {
	keys := make([]key, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := found[keys[i]].Time, found[keys[j]].Time
		switch {
		case !a.Equal(b):
			return a.After(b)
		case keys[i].requestID != keys[j].requestID:
			return keys[i].requestID > keys[j].requestID
		}
		return keys[i].seq > keys[j].seq
	})
	if limit > 0 && len(keys) > limit {
		keys = keys[:limit]
	}
	out := make([]Summary, len(keys))
	for i, k := range keys {
		out[i] = found[k]
	}
	return out
}
