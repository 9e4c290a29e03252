package audit_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sekisho/sekisho/internal/audit"
	"github.com/sekisho/sekisho/internal/authz"
	"github.com/sekisho/sekisho/internal/policy"
	"github.com/sekisho/sekisho/internal/store"
	"github.com/sekisho/sekisho/internal/store/sqlite"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newClock() *clock { return &clock{t: time.Now().UTC().Truncate(time.Second)} }

func memoryStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.OpenMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// decide evaluates action on bucket b's key for alice, whose one identity
// policy allows s3:GetObject there. Only denials reach the store, so the
// persistence tests use other actions.
func decide(t *testing.T, action, key string) (*authz.Request, authz.Decision) {
	t.Helper()
	pol, err := policy.Parse(`{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`, policy.Identity)
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.ParsePrincipalARN("arn:aws:iam::111111111111:user/alice")
	if err != nil {
		t.Fatal(err)
	}
	ctx := policy.NewContext()
	ctx.Set("aws:SourceIp", "192.0.2.7")
	req := &authz.Request{Principal: p, Action: action, Resource: "arn:aws:s3:::b/" + key, Context: ctx,
		Identity: []authz.Source{{Name: "Read", ARN: "arn:aws:iam::111111111111:policy/Read", VersionID: "v1", Policy: pol}}}
	return req, authz.Evaluate(req)
}

// decision is one recorded decision.
type decision struct{ id, action, key string }

// recordAll records the decisions, a second apart, in l and in a
// store-less log with room for all of them, which it returns so that
// explanations can be compared.
func recordAll(t *testing.T, c *clock, l *audit.Log, ds []decision) *audit.Log {
	t.Helper()
	ref := audit.NewLog(len(ds), c.now)
	for _, d := range ds {
		c.advance(time.Second)
		req, dec := decide(t, d.action, d.key)
		l.Record(d.id, req, &dec)
		ref.Record(d.id, req, &dec)
	}
	return ref
}

// persist runs l.Persist until the test ends (or the returned stop is
// called, which waits for the last flush), collecting what it reports.
func persist(t *testing.T, l *audit.Log, st store.Store, every, retention time.Duration) (stop func(), errs func() []error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var mu sync.Mutex
	var reported []error
	go func() {
		defer close(done)
		l.Persist(ctx, st, every, retention, func(err error) { mu.Lock(); reported = append(reported, err); mu.Unlock() })
	}()
	stop = func() { cancel(); <-done }
	t.Cleanup(stop)
	return stop, func() []error { mu.Lock(); defer mu.Unlock(); return append([]error(nil), reported...) }
}

// waitStored polls (for at most ten seconds) until the store holds n
// decisions of request id: a flush happens in the background.
func waitStored(t *testing.T, st store.Store, id string, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		var got []store.DecisionRecord
		err := st.View(context.Background(), func(tx store.Tx) (err error) { got, err = tx.GetDecisions(id); return err })
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			t.Fatal(err)
		}
		if len(got) >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("request %s: %d decisions in the store after 10s, want %d", id, len(got), n)
		}
	}
}

// sameExplanations compares explanations as JSON, as the CLI sees them.
func sameExplanations(t *testing.T, what string, got, want []audit.Explanation) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Fatalf("%s:\n got  %s\n want %s", what, g, w)
	}
}

// threeDecisions are denials: only denials are persisted.
var threeDecisions = []decision{
	{"req-1", "s3:PutObject", "a.txt"}, {"req-1", "s3:PutObjectAcl", "a.txt"}, {"req-2", "s3:DeleteObject", "b.txt"},
}

// TestPersistedDecisionsOutliveTheRing: with a ring of one, decisions
// pushed out of memory are explained from the store, exactly as the ring
// explained them.
func TestPersistedDecisionsOutliveTheRing(t *testing.T) {
	st, c := memoryStore(t), newClock()
	l := audit.NewLog(1, c.now).WithStore(st)
	ref := recordAll(t, c, l, threeDecisions)
	_, errs := persist(t, l, st, 10*time.Millisecond, 0)
	waitStored(t, st, "req-1", 2)
	waitStored(t, st, "req-2", 1)
	for _, id := range []string{"req-1", "req-2"} {
		got, ok := l.Explain(id)
		want, _ := ref.Explain(id)
		if !ok || len(got) != len(want) {
			t.Fatalf("Explain(%s): %d explanations (%v), want %d", id, len(got), ok, len(want))
		}
		sameExplanations(t, "Explain("+id+")", got, want)
	}
	if got := l.List(audit.Filter{}); len(got) != 3 || got[0].RequestID != "req-2" || got[2].Action != "s3:PutObject" {
		t.Fatalf("List: %+v, want the three decisions newest first", got)
	}
	denied := l.List(audit.Filter{DeniedOnly: true, Limit: 1})
	if len(denied) != 1 || denied[0].RequestID != "req-2" || denied[0].Decision != "implicitly denied" {
		t.Fatalf("List denied, limit 1: %+v", denied)
	}
	if got := l.List(audit.Filter{Since: c.now().Add(-time.Second)}); len(got) != 2 {
		t.Fatalf("List since: %d decisions, want 2", len(got))
	}
	if _, ok := l.Explain("nope"); ok {
		t.Fatal("Explain found a request that was never made")
	}
	if e := errs(); len(e) > 0 {
		t.Fatalf("Persist reported %v", e)
	}
}

// TestPersistFlushesOnShutdown: decisions recorded just before the
// context ends are written by the last flush, before Persist returns.
func TestPersistFlushesOnShutdown(t *testing.T) {
	st, c := memoryStore(t), newClock()
	l := audit.NewLog(1, c.now).WithStore(st)
	stop, errs := persist(t, l, st, time.Hour, 0) // no flush but the last
	recordAll(t, c, l, threeDecisions)
	stop()
	// A log on the same store, as after a restart, explains them.
	other := audit.NewLog(10, nil).WithStore(st)
	if got, ok := other.Explain("req-1"); !ok || len(got) != 2 || got[1].Action != "s3:PutObjectAcl" {
		t.Fatalf("after shutdown, Explain(req-1) = %+v, %v", got, ok)
	}
	if e := errs(); len(e) > 0 {
		t.Fatalf("Persist reported %v", e)
	}
}

// TestPersistPrunesOldDecisions: records older than the retention go.
func TestPersistPrunesOldDecisions(t *testing.T) {
	st, c := memoryStore(t), newClock()
	old := store.DecisionRecord{RequestID: "old", Time: c.now().Add(-25 * time.Hour), Decision: "implicitly denied"}
	recent := store.DecisionRecord{RequestID: "recent", Time: c.now().Add(-23 * time.Hour), Decision: "implicitly denied"}
	if err := st.Update(context.Background(), func(tx store.Tx) error {
		return tx.PutDecisions([]store.DecisionRecord{old, recent})
	}); err != nil {
		t.Fatal(err)
	}
	l := audit.NewLog(1, c.now).WithStore(st)
	recordAll(t, c, l, threeDecisions[:1])
	persist(t, l, st, 10*time.Millisecond, 24*time.Hour)
	waitStored(t, st, "req-1", 1) // the first flush follows the first pruning
	if _, ok := l.Explain("old"); ok {
		t.Fatal("a decision older than the retention is still explained")
	}
	if got, ok := l.Explain("recent"); !ok || got[0].Decision != "implicitly denied" {
		t.Fatalf("a decision within the retention: %+v, %v", got, ok)
	}
}

// failingStore fails every Update while failing is set.
type failingStore struct {
	store.Store
	mu      sync.Mutex
	failing bool
}

var errDown = errors.New("store down")

func (s *failingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	s.mu.Lock()
	failing := s.failing
	s.mu.Unlock()
	if failing {
		return errDown
	}
	return s.Store.Update(ctx, fn)
}

func (s *failingStore) set(failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = failing
}

// TestPersistRetriesAfterAStoreFailure: a failed flush is reported, and
// its decisions are written once the store is back.
func TestPersistRetriesAfterAStoreFailure(t *testing.T) {
	mem, c := memoryStore(t), newClock()
	st := &failingStore{Store: mem, failing: true}
	l := audit.NewLog(1, c.now).WithStore(st)
	recordAll(t, c, l, threeDecisions)
	_, errs := persist(t, l, st, 10*time.Millisecond, 0)
	for deadline := time.Now().Add(10 * time.Second); len(errs()) == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no failure reported in 10s")
		}
	}
	if err := errs()[0]; !errors.Is(err, errDown) {
		t.Fatalf("reported %v, want the store's error", err)
	}
	st.set(false)
	waitStored(t, mem, "req-1", 2)
	waitStored(t, mem, "req-2", 1)
}

// TestDecisionAllowedMatchesAuthz: the store's notion of a denial is the
// log's.
func TestDecisionAllowedMatchesAuthz(t *testing.T) {
	if authz.Allowed.String() != store.DecisionAllowed {
		t.Fatalf("authz says %q, the store %q", authz.Allowed.String(), store.DecisionAllowed)
	}
}

// TestAllowsStayInTheRing: an allowed decision is explained from memory
// but not written to the store.
func TestAllowsStayInTheRing(t *testing.T) {
	st, c := memoryStore(t), newClock()
	l := audit.NewLog(10, c.now).WithStore(st)
	recordAll(t, c, l, []decision{{"allowed", "s3:GetObject", "a.txt"}, {"denied", "s3:PutObject", "a.txt"}})
	stop, _ := persist(t, l, st, time.Hour, 0)
	stop()
	if _, ok := l.Explain("allowed"); !ok {
		t.Fatal("the ring lost the allowed decision")
	}
	other := audit.NewLog(10, nil).WithStore(st)
	if _, ok := other.Explain("allowed"); ok {
		t.Fatal("an allowed decision reached the store")
	}
	if _, ok := other.Explain("denied"); !ok {
		t.Fatal("the denial did not reach the store")
	}
}
