package storetest

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sekisho/sekisho/internal/store"
)

// decision is a record of request id at second sec, with an explanation
// naming it.
func decision(id string, seq, sec int, verdict string) store.DecisionRecord {
	return store.DecisionRecord{RequestID: id, Seq: seq, Time: at(sec), Principal: "arn:aws:iam::" + acctA + ":user/alice",
		Action: "s3:GetObject", Resource: "arn:aws:s3:::b/" + id, Decision: verdict, Reason: "reason of " + id,
		Explanation: fmt.Appendf(nil, `{"request_id":%q,"seq":%d,"advice":"caf\u00e9 \"quoted\""}`, id, seq)}
}

const implicitDeny = "implicitly denied"

// summaryOnly is d as ListDecisions returns it.
func summaryOnly(d store.DecisionRecord) store.DecisionRecord {
	d.Explanation = nil
	return d
}

// decisionKeys lists records as id/seq.
func decisionKeys(ds []store.DecisionRecord) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = fmt.Sprintf("%s/%d", d.RequestID, d.Seq)
	}
	return strings.Join(out, ",")
}

func testDecisions(h *h) {
	r1a, r1b, r2 := decision("r1", 1, 10, implicitDeny), decision("r1", 0, 10, store.DecisionAllowed), decision("r2", 0, 11, "explicitly denied")
	h.update(func(tx store.Tx) error { return tx.PutDecisions([]store.DecisionRecord{r1a, r2, r1b}) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetDecisions("r1")
		h.must(err)
		equal(h, "GetDecisions r1", got, []store.DecisionRecord{r1b, r1a})
		got, err = tx.GetDecisions("r2")
		h.must(err)
		equal(h, "GetDecisions r2", got, []store.DecisionRecord{r2})
		return nil
	})
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetDecisions("nope"); return err })
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetDecisions("R1"); return err }) // ids are exact

	// Writing a batch again (its commit was in doubt) keeps what is stored.
	again := r1a
	again.Reason, again.Explanation = "changed", []byte(`{}`)
	r3 := decision("r3", 0, 12, store.DecisionAllowed)
	h.update(func(tx store.Tx) error { return tx.PutDecisions([]store.DecisionRecord{again, r3}) })
	h.update(func(tx store.Tx) error { return tx.PutDecisions(nil) })
	h.view(func(tx store.Tx) error {
		got, err := tx.GetDecisions("r1")
		h.must(err)
		equal(h, "GetDecisions r1 after a second write", got, []store.DecisionRecord{r1b, r1a})
		got, err = tx.GetDecisions("r3")
		h.must(err)
		equal(h, "GetDecisions r3", got, []store.DecisionRecord{r3})
		return nil
	})
	testDecisionEdges(h)
}

// testDecisionEdges: zero times, empty ids, rollback and read-only views.
func testDecisionEdges(h *h) {
	before := time.Now().Add(-time.Minute)
	h.update(func(tx store.Tx) error {
		return tx.PutDecisions([]store.DecisionRecord{{RequestID: "zero", Decision: store.DecisionAllowed}})
	})
	h.view(func(tx store.Tx) error {
		got, err := tx.GetDecisions("zero")
		h.must(err)
		if len(got) != 1 || got[0].Time.Before(before) || got[0].Explanation != nil {
			h.Fatalf("a record without time or explanation came back as %+v, want the time it was stored", got)
		}
		return nil
	})
	if err := h.s.Update(h.ctx, func(tx store.Tx) error {
		return tx.PutDecisions([]store.DecisionRecord{decision("", 0, 0, store.DecisionAllowed)})
	}); err == nil {
		h.Fatal("PutDecisions took a record without a request id")
	}
	err := h.s.Update(h.ctx, func(tx store.Tx) error {
		h.must(tx.PutDecisions([]store.DecisionRecord{decision("gone", 0, 1, implicitDeny)}))
		return errBoom
	})
	if !errors.Is(err, errBoom) {
		h.Fatalf("Update returned %v, want fn's error", err)
	}
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetDecisions("gone"); return err })
	if err := h.s.View(h.ctx, func(tx store.Tx) error {
		return tx.PutDecisions([]store.DecisionRecord{decision("view", 0, 1, implicitDeny)})
	}); err == nil {
		h.Fatal("PutDecisions inside View succeeded")
	}
	if err := h.s.View(h.ctx, func(tx store.Tx) error { _, err := tx.PruneDecisions(at(100)); return err }); err == nil {
		h.Fatal("PruneDecisions inside View succeeded")
	}
}

func testDecisionList(h *h) {
	all := []store.DecisionRecord{
		decision("a", 0, 1, store.DecisionAllowed), decision("b", 0, 2, implicitDeny), decision("b", 1, 2, store.DecisionAllowed),
		decision("c", 0, 2, "explicitly denied"), decision("d", 0, 3, implicitDeny), decision("e", 0, 4, store.DecisionAllowed),
	}
	h.update(func(tx store.Tx) error { return tx.PutDecisions(all) })
	cases := []struct {
		name   string
		since  time.Time
		denied bool
		limit  int
		want   string
	}{
		{"everything, newest first", time.Time{}, false, 0, "e/0,d/0,c/0,b/1,b/0,a/0"},
		{"since (inclusive)", at(2), false, 0, "e/0,d/0,c/0,b/1,b/0"},
		{"since, to the microsecond", at(2).Add(time.Microsecond), false, 0, "e/0,d/0"},
		{"denied", time.Time{}, true, 0, "d/0,c/0,b/0"},
		{"denied since", at(3), true, 0, "d/0"},
		{"limit", time.Time{}, false, 4, "e/0,d/0,c/0,b/1"},
		{"denied, limit", time.Time{}, true, 2, "d/0,c/0"},
		{"none", at(5), false, 0, ""},
	}
	h.view(func(tx store.Tx) error {
		for _, tc := range cases {
			got, err := tx.ListDecisions(tc.since, tc.denied, tc.limit)
			h.must(err)
			if keys := decisionKeys(got); keys != tc.want {
				h.Fatalf("ListDecisions %s: got [%s], want [%s]", tc.name, keys, tc.want)
			}
		}
		got, err := tx.ListDecisions(at(4), false, 0)
		h.must(err)
		equal(h, "ListDecisions record", got, []store.DecisionRecord{summaryOnly(all[5])})
		details := []struct {
			name     string
			from, to time.Time
			limit    int
			want     string
		}{
			{"everything, oldest first", time.Time{}, time.Time{}, 0, "a/0,b/0,b/1,c/0,d/0,e/0"},
			{"from (inclusive) to (exclusive)", at(2), at(4), 0, "b/0,b/1,c/0,d/0"},
			{"limit keeps the oldest", time.Time{}, time.Time{}, 2, "a/0,b/0"},
		}
		for _, tc := range details {
			got, err := tx.DecisionDetails(tc.from, tc.to, tc.limit)
			h.must(err)
			if keys := decisionKeys(got); keys != tc.want {
				h.Fatalf("DecisionDetails %s: got [%s], want [%s]", tc.name, keys, tc.want)
			}
		}
		got, err = tx.DecisionDetails(at(4), time.Time{}, 0)
		h.must(err)
		equal(h, "DecisionDetails record", got, []store.DecisionRecord{all[5]})
		return nil
	})
}

func testDecisionPrune(h *h) {
	h.update(func(tx store.Tx) error {
		return tx.PutDecisions([]store.DecisionRecord{
			decision("old", 0, 1, implicitDeny), decision("old", 1, 2, store.DecisionAllowed),
			decision("edge", 0, 3, implicitDeny), decision("new", 0, 4, store.DecisionAllowed),
		})
	})
	var n int
	h.update(func(tx store.Tx) (err error) { n, err = tx.PruneDecisions(at(3)); return err })
	if n != 2 {
		h.Fatalf("PruneDecisions deleted %d records, want 2", n)
	}
	h.update(func(tx store.Tx) (err error) { n, err = tx.PruneDecisions(at(3)); return err })
	if n != 0 {
		h.Fatalf("PruneDecisions again deleted %d records, want 0", n)
	}
	h.fails(store.ErrNotFound, func(tx store.Tx) error { _, err := tx.GetDecisions("old"); return err })
	h.view(func(tx store.Tx) error {
		got, err := tx.ListDecisions(time.Time{}, false, 0)
		h.must(err)
		if keys := decisionKeys(got); keys != "new/0,edge/0" {
			h.Fatalf("after pruning: [%s], want [new/0,edge/0]", keys)
		}
		return nil
	})
}

// testDecisionGeneration: the decision log is not state, so writing it
// alone leaves Generation (and the caches keyed by it) alone.
func testDecisionGeneration(h *h) {
	gen := func() uint64 {
		g, err := h.s.Generation(h.ctx)
		h.must(err)
		return g
	}
	g0 := gen()
	h.update(func(tx store.Tx) error {
		return tx.PutDecisions([]store.DecisionRecord{decision("r1", 0, 1, implicitDeny)})
	})
	h.update(func(tx store.Tx) error {
		if _, err := tx.GetDecisions("r1"); err != nil {
			return err
		}
		_, err := tx.PruneDecisions(at(0))
		return err
	})
	if g := gen(); g != g0 {
		h.Fatalf("Generation moved from %d to %d after Updates of the decision log only", g0, g)
	}
	h.update(func(tx store.Tx) error {
		h.must(tx.PutDecisions([]store.DecisionRecord{decision("r2", 0, 1, implicitDeny)}))
		return tx.PutSetting("k", "v")
	})
	g1 := gen()
	if g1 <= g0 {
		h.Fatalf("Generation %d after an Update of state and decisions, was %d", g1, g0)
	}
	h.update(func(tx store.Tx) error { return nil })
	if g := gen(); g <= g1 {
		h.Fatalf("Generation %d after an empty Update, was %d", g, g1)
	}
}

// testDecisionBatch writes a batch larger than an implementation may send
// in one statement.
func testDecisionBatch(h *h) {
	const n = 2500
	batch := make([]store.DecisionRecord, n)
	for i := range batch {
		batch[i] = decision(fmt.Sprintf("r%04d", i), 0, i%7, implicitDeny)
	}
	h.update(func(tx store.Tx) error { return tx.PutDecisions(batch) })
	h.view(func(tx store.Tx) error {
		got, err := tx.ListDecisions(time.Time{}, true, 0)
		h.must(err)
		if len(got) != n {
			h.Fatalf("%d records after a batch of %d", len(got), n)
		}
		last, err := tx.GetDecisions("r2499")
		h.must(err)
		equal(h, "last record of the batch", last, []store.DecisionRecord{batch[n-1]})
		return nil
	})
}
